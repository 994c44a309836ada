"""Helpers the command modules share: a clean failure, reading files, the per-image loop (photos in flight)."""
from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from webapp.errors import GlimpseError
from webapp.extensions import app_services

T = TypeVar("T")
R = TypeVar("R")

# Finished rows waiting for a slower photo ahead of them, per photo in flight: small dicts,
# not pixels, so a slow photo does not leave the other threads idle; the bound keeps a long
# list of files from being queued all at once.
QUEUED_PER_WORKER = 4
# GLIMPSE_CLI_PHOTOS=0 means one photo per usable core, up to this many: each photo in flight
# holds its decoded pixels (up to GLIMPSE_MAX_PIXELS: 180 MB of RGB at 60 MP).
MAX_AUTO_PHOTOS = 4


def fail(message: str) -> NoReturn:
    """Stop with a readable message and exit code 1."""
    raise click.ClickException(message)


def read_file(path: str) -> bytes:
    """File bytes, or a clean error."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror}.")


def photos_at_once(configured: int) -> int:
    """Photos a batch command analyses at once: GLIMPSE_CLI_PHOTOS, or (0) one per usable core, at most 4."""
    if configured:
        return configured
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_AUTO_PHOTOS))


def map_in_order(work: Callable[[T], R], items: Iterable[T], in_flight: int) -> Iterator[R]:
    """work(item) for every item, at most `in_flight` at once (threads), yielded in the items' order."""
    if in_flight <= 1:
        yield from map(work, items)
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    pool = ThreadPoolExecutor(in_flight, thread_name_prefix="glimpse-cli")
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            if len(pending) >= in_flight * QUEUED_PER_WORKER:
                yield pending.popleft().result()
            pending.append(pool.submit(work, item))
        while pending:
            yield pending.popleft().result()
    finally:
        # Ctrl-C, a closed pipe or a crash: photos not started yet are dropped, running ones finish.
        pool.shutdown(wait=True, cancel_futures=True)


def echo_each_image(
    images: Iterable[str], analyse: Callable[[bytes], dict[str, Any]],
    describe: Callable[[dict[str, Any]], str], as_json: bool, in_flight: int | None = None,
) -> None:
    """Echo one row per image file (JSON, or describe's text), in order; a bad file is its row's error, then exit 1.

    `in_flight` photos (default: the app's GLIMPSE_CLI_PHOTOS) are read and analysed at once,
    so one photo's single-threaded steps (decoding, resizing, OpenCV's serialised face models)
    overlap another's multi-threaded ones.
    """
    if in_flight is None:
        in_flight = photos_at_once(app_services().settings.cli_photos)
    failed = False
    for row in map_in_order(lambda path: _row(path, analyse), images, in_flight):
        failed = failed or "error" in row
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else describe(row))
    if failed:
        sys.exit(1)


def _row(path: str, analyse: Callable[[bytes], dict[str, Any]]) -> dict[str, Any]:
    """{"image": path, **analyse(its bytes)}, or {"image": path, "error": a sentence}."""
    try:
        return {"image": path, **analyse(Path(path).read_bytes())}
    except GlimpseError as exc:
        return {"image": path, "error": exc.message}
    except OSError as exc:
        return {"image": path, "error": f"Cannot read the file: {exc.strerror}."}
