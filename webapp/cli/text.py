"""flask text: read the text in image files (nothing is stored)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.errors import GlimpseError
from webapp.extensions import app_services


@click.command("text")
@click.argument("images", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per image (LINEs and WORDs).")
@with_appcontext
def text(images: tuple[str, ...], as_json: bool) -> None:
    """Read the text in each IMAGE: its lines (or, with --json, lines and words with boxes)."""
    recognizer, failed = app_services().recognizer, False
    for path in images:
        try:
            found = recognizer.text_of(recognizer.decode(Path(path).read_bytes()))
            row = {"image": path, "text": [t.to_dict() for t in found]}
        except GlimpseError as exc:
            row, failed = {"image": path, "error": exc.message}, True
        except OSError as exc:
            row, failed = {"image": path, "error": f"Cannot read the file: {exc.strerror}."}, True
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else _describe(row))
    if failed:
        sys.exit(1)


def _describe(row: dict) -> str:
    """The image's lines of text, one per output line, under its name."""
    if "error" in row:
        return f"{row['image']}: error: {row['error']}"
    lines = [t["detected_text"] for t in row["text"] if t["type"] == "LINE"]
    return "\n".join([f"{row['image']}: {len(lines)} line(s)", *(f"  {line}" for line in lines)])
