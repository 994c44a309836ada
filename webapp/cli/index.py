"""Command line: flask index status · flask index rebuild (the local face vector index)."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from webapp.backends.base import VectorIndexAdmin
from webapp.extensions import app_services

index_cli = AppGroup("index", help="The local face vector index (SQLite, plus an approximate index when large).")


def _vector_index() -> VectorIndexAdmin:
    """The vector index the backend declares, or a clean error when it has none (Rekognition keeps its own)."""
    index = app_services().backend.vector_index
    if index is None:
        raise click.ClickException("flask index works in local mode only; Rekognition manages its own index.")
    return index


def _describe(status: dict) -> str:
    """One human line for an index status."""
    checkpoint = status["checkpoint"] or "none"
    line = (
        f"{status['vectors']} vectors, {status['mode']} search (approximate from {status['threshold']}), "
        f"generation {status['generation']}, checkpoint {checkpoint}"
    )
    if status.get("stale"):
        line += (f"; {status['stale']} faceprint(s) made by another engine than {status['engine']} are not "
                 "searched: run `flask index reembed`")
    return line


@index_cli.command("status")
def status() -> None:
    """Show the size, search mode and checkpoint of the face index."""
    click.echo(_describe(_vector_index().status()))


@index_cli.command("rebuild")
def rebuild() -> None:
    """Rebuild the approximate index and its checkpoint from SQLite (the truth); prune tombstones."""
    start = time.perf_counter()
    result = _vector_index().rebuild()
    click.echo(f"rebuilt in {time.perf_counter() - start:.1f} s: {_describe(result)}")
