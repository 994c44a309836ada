"""flask text: read the text in image files (nothing is stored)."""
from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext

from webapp.cli.common import echo_each_image
from webapp.extensions import app_services


@click.command("text")
@click.argument("images", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per image (LINEs and WORDs).")
@with_appcontext
def text(images: tuple[str, ...], as_json: bool) -> None:
    """Read the text in each IMAGE: its lines (or, with --json, lines and words with boxes)."""
    recognizer = app_services().recognizer

    def analyse(data: bytes) -> dict[str, Any]:
        return {"text": [t.to_dict() for t in recognizer.text_of(recognizer.decode(data))]}

    echo_each_image(images, analyse, _describe, as_json)


def _describe(row: dict) -> str:
    """The image's lines of text, one per output line, under its name."""
    if "error" in row:
        return f"{row['image']}: error: {row['error']}"
    lines = [t["detected_text"] for t in row["text"] if t["type"] == "LINE"]
    return "\n".join([f"{row['image']}: {len(lines)} line(s)", *(f"  {line}" for line in lines)])
