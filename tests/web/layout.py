"""Layout checks for the browser tests: where things sit on a page, in CSS pixels."""
from __future__ import annotations

import itertools


def box_sits_beside_its_text(label) -> bool:
    """A label.check's checkbox is checkbox-sized, at the label's left edge, on its first line."""
    box, whole = label.locator("input").bounding_box(), label.bounding_box()
    return box["width"] < 30 and box["x"] - whole["x"] < 8 and box["y"] - whole["y"] < 12


def in_one_row(*locators) -> bool:
    """The elements share one row: the same top and bottom (±2 px), left to right without overlap."""
    boxes = [loc.bounding_box() for loc in locators]
    level = all(abs(b["y"] - boxes[0]["y"]) <= 2 and abs(b["height"] - boxes[0]["height"]) <= 2 for b in boxes)
    return level and all(a["x"] + a["width"] <= b["x"] for a, b in itertools.pairwise(boxes))
