"""flask aws init · flask aws status: provision and check the AWS resources (thin over backends/aws)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.errors import GlimpseError
from webapp.extensions import glimpse

aws_cli = AppGroup("aws", help="Create and check the AWS resources of AWS mode.")


def _clients():
    """The AWS clients to use: an injected set (tests) or one built from the settings."""
    from webapp.backends.aws.clients import AwsClients

    injected = current_app.extensions.get("aws_clients")
    return injected or AwsClients(glimpse().settings.aws_region)


def _require_bucket() -> None:
    """Stop early when no bucket name is configured."""
    if not glimpse().settings.s3_bucket:
        raise click.ClickException("Set GLIMPSE_S3_BUCKET to the bucket name first.")


@aws_cli.command("init")
def init() -> None:
    """Create the bucket, collection and tables that are missing (safe to run again)."""
    from webapp.backends.aws.provision import init_resources

    _require_bucket()
    try:
        outcomes = init_resources(glimpse().settings, _clients())
    except GlimpseError as exc:
        raise click.ClickException(exc.message) from exc
    for o in outcomes:
        click.echo(f"{o.state:<8} {o.kind} {o.name}")
    created = sum(o.state == "created" for o in outcomes)
    click.echo(f"{created} created, {len(outcomes) - created} found", err=True)


@aws_cli.command("status")
def status() -> None:
    """Show the calling identity and whether each resource exists and is usable; exit 1 if not."""
    from webapp.backends.aws.provision import resource_status

    _require_bucket()
    try:
        outcomes = resource_status(glimpse().settings, _clients())
    except GlimpseError as exc:
        raise click.ClickException(exc.message) from exc
    for o in outcomes:
        click.echo(f"{o.state:<8} {o.kind} {o.name}" + (f": {o.detail}" if o.detail else ""))
    if any(o.state != "ok" for o in outcomes):
        raise click.ClickException("Some resources are missing or not usable by this identity.")
