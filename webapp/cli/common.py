"""Helpers the command modules share: a clean failure, reading files named on the command line."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from webapp.errors import GlimpseError


def fail(message: str) -> NoReturn:
    """Stop with a readable message and exit code 1."""
    raise click.ClickException(message)


def read_file(path: str) -> bytes:
    """File bytes, or a clean error."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror}.")


def echo_each_image(
    images: Iterable[str], analyse: Callable[[bytes], dict[str, Any]],
    describe: Callable[[dict[str, Any]], str], as_json: bool,
) -> None:
    """Echo one row per image file (JSON, or describe's text); a bad file is its row's error, then exit 1."""
    failed = False
    for path in images:
        try:
            row = {"image": path, **analyse(Path(path).read_bytes())}
        except GlimpseError as exc:
            row, failed = {"image": path, "error": exc.message}, True
        except OSError as exc:
            row, failed = {"image": path, "error": f"Cannot read the file: {exc.strerror}."}, True
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else describe(row))
    if failed:
        sys.exit(1)
