"""What an upload may be, from the settings, and how its file name is shown: shared by every service."""
from __future__ import annotations

from dataclasses import dataclass

from webapp.config import Settings


@dataclass(frozen=True)
class Limits:
    """The knobs services need from the settings."""

    max_bytes: int
    max_pixels: int
    match_threshold: float = 80.0
    min_label_confidence: float = 55.0
    max_labels: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits a configured app runs with."""
        return cls(
            max_bytes=settings.max_upload_bytes, max_pixels=settings.max_pixels,
            match_threshold=settings.match_threshold, min_label_confidence=settings.min_label_confidence,
            max_labels=settings.max_labels,
        )


def clean_filename(name: str | None) -> str:
    """A display-only version of an uploaded filename (never used in a path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]
