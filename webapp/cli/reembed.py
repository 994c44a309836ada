"""`flask index reembed`: redo stored faceprints made by another engine (thin, over services/reembed.py)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from webapp.cli.common import fail
from webapp.errors import GlimpseError
from webapp.extensions import app_services
from webapp.services.reembed import Reembedder


@click.command("reembed")
@with_appcontext
def reembed() -> None:
    """Re-embed enrolled faces made by another engine from their stored photos; safe to stop and run again."""
    services = app_services()
    try:
        reembedder = Reembedder(services.backend, services.recognizer.limits)
        pending = reembedder.pending()
    except GlimpseError as exc:
        fail(exc.message)
    engine = reembedder.index.status()["engine"]
    if not pending:
        click.echo(f"Every enrolled faceprint is made by {engine}: nothing to do.")
        return
    failed = []
    # Progress on stderr; each face is committed on its own, so Ctrl-C loses nothing.
    with click.progressbar(pending, label=f"Re-embedding with {engine}", file=sys.stderr) as bar:
        for record in bar:
            why = reembedder.reembed(record)
            if why is not None:
                failed.append((record, why))
    click.echo(f"Re-embedded {len(pending) - len(failed)} of {len(pending)} face(s) with {engine}.")
    for record, why in failed:
        click.echo(f"  face {record.face_id} of person {record.person_id}: {why}; it is not searched until "
                   "re-enrolled.")
    if failed:
        sys.exit(1)
