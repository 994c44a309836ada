"""flask doctor · flask purge · flask audit — keeping stored data consistent and private."""
from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import with_appcontext

from webapp.extensions import app_services
from webapp.services.retention import Retention


@click.command("doctor")
@click.option("--repair", is_flag=True, help="Remove what is inconsistent (faceprints without a person, …).")
@click.option("--grace-minutes", default=10, show_default=True,
              help="Leave alone what became inconsistent less than this long ago (an enrolment may be running); "
                   "such items are noted and repaired by a later run.")
@with_appcontext
def doctor(repair: bool, grace_minutes: int) -> None:
    """Check that the image store, the face collection and the directory agree."""
    service = app_services().doctor
    service.grace = timedelta(minutes=grace_minutes)
    report = service.check()
    if report.ok:
        click.echo("all consistent: every faceprint, row and image belongs to someone" if not report.waiting else
                   f"nothing to repair yet: {report.waiting} item(s) first seen less than {grace_minutes} "
                   "minute(s) ago may be an enrolment in progress; run again later")
        return
    for line in report.lines():
        click.echo(f"found {line}")
    if not repair:
        click.echo("run again with --repair to remove them")
        sys.exit(1)
    service.repair(report)
    app_services().people.audit("cli", "repair", "", "; ".join(report.lines()))
    after = service.check()
    click.echo("repaired: all consistent" if after.ok else "still inconsistent: " + "; ".join(after.lines()))
    sys.exit(0 if after.ok else 1)


@click.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete analyses older than this many days (default: GLIMPSE_RETENTION_DAYS).")
@with_appcontext
def purge(days: int | None) -> None:
    """Delete visitors' uploads and their analyses older than the retention period."""
    services = app_services()
    retention = services.retention if days is None else \
        Retention(services.backend, days, on_delete=services.unknown.forget_analysis)
    if retention.days <= 0:
        click.echo("GLIMPSE_RETENTION_DAYS is 0: analyses are kept until deleted; nothing purged")
        return
    deleted = retention.purge()
    app_services().people.audit("cli", "purge", "", f"{deleted} analyses older than {retention.days} days")
    click.echo(f"deleted {deleted} analyses older than {retention.days} days")


@click.command("audit")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def audit(limit: int) -> None:
    """Show the newest audit log entries."""
    for entry in app_services().people.audit_log(limit):
        click.echo(f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor:<12} {entry.action:<8} {entry.subject}  {entry.detail}")


COMMANDS = (doctor, purge, audit)
