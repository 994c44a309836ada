"""flask aws init · flask aws status: provision and check the AWS resources (registered by the AWS backend)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.backends.base import CloudResources
from webapp.errors import GlimpseError
from webapp.extensions import app_services

aws_cli = AppGroup("aws", help="Create and check the AWS resources of AWS mode.")


def _resources() -> CloudResources:
    """The backend's cloud resources; stops early when no bucket name is configured."""
    if not app_services().settings.s3_bucket:
        raise click.ClickException("Set GLIMPSE_S3_BUCKET to the bucket name first.")
    resources = app_services().backend.resources
    if resources is None:
        raise click.ClickException("flask aws works in AWS mode only (GLIMPSE_BACKEND=aws).")
    return resources


@aws_cli.command("init")
def init() -> None:
    """Create the bucket, collection and tables that are missing (safe to run again)."""
    resources = _resources()
    try:
        outcomes = resources.init()
    except GlimpseError as exc:
        raise click.ClickException(exc.message) from exc
    for o in outcomes:
        click.echo(f"{o.state:<8} {o.kind} {o.name}")
    created = sum(o.state == "created" for o in outcomes)
    click.echo(f"{created} created, {len(outcomes) - created} found", err=True)


@aws_cli.command("status")
def status() -> None:
    """Show the calling identity and whether each resource exists and is usable; exit 1 if not."""
    resources = _resources()
    try:
        outcomes = resources.status()
    except GlimpseError as exc:
        raise click.ClickException(exc.message) from exc
    for o in outcomes:
        click.echo(f"{o.state:<8} {o.kind} {o.name}" + (f": {o.detail}" if o.detail else ""))
    if any(o.state != "ok" for o in outcomes):
        raise click.ClickException("Some resources are missing or not usable by this identity.")
