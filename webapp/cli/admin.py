"""flask admin create · flask admin token create|revoke · flask admin keys …: accounts, API tokens, access keys."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.cli.common import fail
from webapp.cli.keys import keys_cli
from webapp.errors import GlimpseError
from webapp.extensions import app_services

admin_cli = AppGroup("admin", help="Admin accounts, API tokens and Rekognition API access keys.")
token_cli = AppGroup("token", help="API tokens for the admin endpoints.")
admin_cli.add_command(token_cli)
admin_cli.add_command(keys_cli)


@admin_cli.command("create")
@click.argument("username", default="admin")
@click.password_option(help="The new admin's password (asked twice if not given).")
def create_admin(username: str, password: str) -> None:
    """Create an admin account (or reset its password)."""
    try:
        app_services().accounts.create_admin(username, password)
    except GlimpseError as exc:
        fail(exc.message)
    click.echo(f"admin {username} is ready")


@token_cli.command("create")
@click.option("--label", default="", help="A note to recognize the token by.")
def create_token(label: str) -> None:
    """Create an API token; it is shown once and stored only as a hash."""
    token_id, token = app_services().accounts.create_token(label)
    click.echo(f"token id {token_id}", err=True)
    click.echo(token)


@token_cli.command("revoke")
@click.argument("token_id")
def revoke_token(token_id: str) -> None:
    """Revoke an API token by its id."""
    if not app_services().accounts.revoke_token(token_id):
        fail(f"There is no token with id {token_id}.")
    click.echo(f"revoked {token_id}")
