"""flask admin keys create|list|revoke: access keys for the Rekognition endpoint (thin, over the service)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from webapp.cli.common import fail
from webapp.errors import GlimpseError
from webapp.extensions import app_services
from webapp.services.access_keys import AccessKeys

keys_cli = AppGroup("keys", help="Access keys for the Rekognition endpoint (SigV4).")


def _service() -> AccessKeys:
    """The access-key service, or a clear stop when this backend has no Rekognition endpoint."""
    service = app_services().access_keys
    if service is None:
        fail("Access keys exist only in local mode, where Glimpse serves the Rekognition API.")
    return service


@keys_cli.command("create")
@click.option("--label", default="", help="A note to recognise the key by.")
@click.option("--json", "as_json", is_flag=True, help='Print {"access_key_id": ..., "secret_access_key": ...}.')
def create(label: str, as_json: bool) -> None:
    """Create an access key; its secret is printed once."""
    try:
        key, secret = _service().create(label)
    except GlimpseError as exc:
        fail(exc.message)
    if as_json:
        click.echo(json.dumps({"access_key_id": key.id, "secret_access_key": secret}))
        return
    click.echo(f"access key id:     {key.id}\nsecret access key: {secret}")
    click.echo("The secret is shown once; keep it like a password.", err=True)


@keys_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def list_keys(as_json: bool) -> None:
    """List access keys (never their secrets)."""
    keys = _service().list()
    if as_json:
        click.echo(json.dumps([{"access_key_id": k.id, "label": k.label, "created_at": k.created_at.isoformat(),
                                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None} for k in keys]))
        return
    for k in keys:
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        click.echo(f"{k.id}  {k.created_at:%Y-%m-%d}  {state:<18} {k.label}")
    click.echo(f"{len(keys)} key(s)", err=True)


@keys_cli.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke an access key: requests signed with it are denied from now on."""
    if not _service().revoke(key_id):
        fail(f"There is no active access key {key_id}.")
    click.echo(f"revoked {key_id}")
