"""Decode and validate uploaded images; resize, crop and re-encode them.

Every upload passes through `decode_photo` before anything else sees it: the type is
sniffed from the bytes (never the filename), the byte and pixel limits are checked from
the header before the pixels are decoded, EXIF orientation is applied so boxes match
what a person sees, and whatever the mode (CMYK, 16-bit, palette, alpha) the result is RGB.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.domain import BoundingBox
from webapp.errors import InvalidImage, TooLarge

MIN_SIDE = 80  # Rekognition refuses smaller images; the same floor keeps both modes alike.
ACCEPTED = "JPEG, PNG or WebP"
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass(frozen=True)
class Photo:
    """A decoded, upright RGB photo and the format it arrived in."""

    image: Image.Image
    format: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image.size

    def jpeg(self, max_side: int | None = None, quality: int = 88) -> bytes:
        """Re-encode as JPEG (optionally downscaled); metadata such as GPS is dropped."""
        return encode_jpeg(self.image, max_side, quality)


def sniff_format(data: bytes) -> str | None:
    """Name the image type from its magic bytes: 'jpeg', 'png', 'webp' or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def decode_photo(data: bytes, max_bytes: int, max_pixels: int) -> Photo:
    """Validate and decode upload bytes into an upright RGB Photo, or raise InvalidImage."""
    if not data:
        raise InvalidImage("The file is empty. Choose a JPEG, PNG or WebP photo.")
    if len(data) > max_bytes:
        raise TooLarge(
            f"The file is {len(data) / 1048576:.1f} MB, which is too large: the limit is {max_bytes / 1048576:.0f} MB."
        )
    kind = sniff_format(data)
    if kind is None:
        raise InvalidImage(f"This file is not a {ACCEPTED} image.")
    # One name for each step, so the previous full-size copy can be freed before the next is made.
    image = _open_checked(data, kind, max_pixels)
    image = _upright(image)
    return Photo(image=_to_rgb(image), format=kind)


def _open_checked(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    """Open the header, enforce size limits, then decode the pixels (first frame only)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
            width, height = image.size
            if width * height > max_pixels:
                raise TooLarge(
                    f"The image is {width}×{height} pixels; the limit is {max_pixels / 1e6:.0f} megapixels."
                )
            if min(width, height) < MIN_SIDE:
                raise InvalidImage(
                    f"The image is {width}×{height} pixels; it must be at least {MIN_SIDE} pixels on each side."
                )
            image.seek(0)  # animated WebP: analyse the first frame
            image.load()
    except (TooLarge, InvalidImage):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"The image has too many pixels; the limit is {max_pixels / 1e6:.0f} megapixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImage(f"The {kind.upper()} file is damaged or incomplete and cannot be read.") from exc
    return image


def _upright(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation; a corrupt EXIF block is ignored rather than fatal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on corrupt EXIF; we fall back quietly
            ImageOps.exif_transpose(image, in_place=True)  # in place: no second full-size copy
    except Exception:  # noqa: BLE001 — Pillow raises many types on broken EXIF; orientation is optional
        pass
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any mode to 8-bit RGB, flattening transparency onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")  # no third full-size copy for RGB


def encode_jpeg(image: Image.Image, max_side: int | None = None, quality: int = 88) -> bytes:
    """JPEG bytes of an RGB image, downscaled so its longest side is at most max_side."""
    if max_side and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def crop_rect(size: tuple[int, int], box: BoundingBox, margin: float = 0.25) -> tuple[int, int, int, int]:
    """The pixel rectangle (left, top, right, bottom) of a ratio box widened by `margin` of it on every side."""
    width, height = size
    dx, dy = box.width * margin, box.height * margin
    left = int(max(0.0, box.left - dx) * width)
    top = int(max(0.0, box.top - dy) * height)
    right = int(min(1.0, box.left + box.width + dx) * width)
    bottom = int(min(1.0, box.top + box.height + dy) * height)
    return left, top, max(right, left + 1), max(bottom, top + 1)


def crop_box(image: Image.Image, box: BoundingBox, margin: float = 0.25) -> Image.Image:
    """Crop a ratio box out of an image, widened by `margin` of the box on every side."""
    return image.crop(crop_rect(image.size, box, margin))
