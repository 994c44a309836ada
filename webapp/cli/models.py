"""Command line: flask models prepare (load local mode's models ahead of the first request)."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from webapp.extensions import app_services

models_cli = AppGroup("models", help="The models local mode runs on the CPU.")


@models_cli.command("prepare")
def prepare() -> None:
    """Load every model once, building and caching what the first start needs (make run does this)."""
    models = app_services().backend.models
    if models is None:
        click.echo("nothing to prepare: this backend loads no models of its own")
        return
    click.echo("Preparing the models (the first start also builds and caches the label model: a few seconds)...")
    start = time.perf_counter()
    names = models.load()
    click.echo(f"models ready in {time.perf_counter() - start:.1f} s: {', '.join(names)}")
