"""Command line: one module per command group; a backend registers the groups only it has."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask, backend_name: str) -> None:
    """Register the shared commands, then the ones the chosen backend brings (`index`, `aws`)."""
    from webapp.backends import backend_commands
    from webapp.cli.admin import admin_cli
    from webapp.cli.compare import compare
    from webapp.cli.maintenance import COMMANDS
    from webapp.cli.people import people_cli
    from webapp.cli.recognize import recognize
    from webapp.cli.text import text

    for command in (people_cli, admin_cli, recognize, text, compare, *COMMANDS, *backend_commands(backend_name)):
        app.cli.add_command(command)
