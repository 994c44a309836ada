"""`flask compare`: compare two photos, or every pair listed in a file (thin, over the service)."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext

from webapp.extensions import app_services
from webapp.services.comparison import PairResult, sentence


@click.command("compare")
@click.argument("images", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--pairs", "pairs_file", type=click.File("r", encoding="utf-8"),
              help="A file with one pair per line: two image paths separated by a TAB.")
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Similarity (0-100) from which faces count as the same person [default: the match threshold]. "
                   "Use 0 to get the similarity of every face.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair instead of a sentence.")
@with_appcontext
def compare(images: tuple[str, ...], pairs_file: TextIO | None, threshold: float | None, as_json: bool) -> None:
    """Compare the largest face of SOURCE with every face of TARGET (or each pair of --pairs); stores nothing.

    Usage: flask compare SOURCE TARGET, or flask compare --pairs FILE. Exits 1 if any pair failed.
    """
    if bool(images) == bool(pairs_file) or (images and len(images) != 2):
        raise click.UsageError("Give exactly two images (SOURCE TARGET) or --pairs FILE.")
    comparer = app_services().comparer
    pairs = [(images[0], images[1])] if images else list(read_pairs(pairs_file or ()))
    results = comparer.compare_pairs(pairs, _read_bytes, threshold)
    failed = False
    if pairs_file is not None:
        # The bar goes to stderr so stdout stays one clean line per pair.
        with click.progressbar(results, length=len(pairs), label="Comparing", file=sys.stderr) as bar:
            for result in bar:
                failed |= _emit(result, as_json)
    else:
        for result in results:
            failed |= _emit(result, as_json)
    if failed:
        sys.exit(1)


def read_pairs(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(source, target) per line split on a TAB; blank lines and # comments are skipped."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise click.UsageError(f"Line {number} of the pairs file is not two paths separated by a TAB.")
        yield parts[0].strip(), parts[1].strip()


def _read_bytes(path: str) -> bytes:
    """The file's bytes (OSError is turned into a sentence by the service)."""
    return Path(path).read_bytes()


def _emit(result: PairResult, as_json: bool) -> bool:
    """Print one pair's line; True if the pair failed."""
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else describe(result))
    return result.error is not None


def describe(result: PairResult) -> str:
    """A human line for one pair."""
    if result.comparison is None:
        return f"{result.source}\t{result.target}\terror: {result.error}"
    return f"{result.source}\t{result.target}\t{sentence(result.comparison)}"
