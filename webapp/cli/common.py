"""Helpers the command modules share: a clean failure and reading a file named on the command line."""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click


def fail(message: str) -> NoReturn:
    """Stop with a readable message and exit code 1."""
    raise click.ClickException(message)


def read_file(path: str) -> bytes:
    """File bytes, or a clean error."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror}.")
