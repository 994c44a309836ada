"""Decoding: type sniffing, limits before decoding, orientation, every colour mode to RGB."""
import io
import struct
import zlib

import pytest
from PIL import Image

from webapp.domain import BoundingBox
from webapp.errors import InvalidImage, TooLarge
from webapp.images import crop_box, decode_photo, sniff_format

MB = 1024 * 1024


def _encode(image: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kw)
    return out.getvalue()


def _decode(data: bytes, max_bytes: int = 15 * MB, max_pixels: int = 60_000_000):
    return decode_photo(data, max_bytes, max_pixels)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size (a decompression bomb's first bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + body + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


@pytest.mark.parametrize("fmt,kind", [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_formats_are_sniffed_from_bytes(fmt, kind):
    data = _encode(Image.new("RGB", (120, 100), "red"), fmt)
    assert sniff_format(data) == kind
    photo = _decode(data)
    assert photo.size == (120, 100) and photo.image.mode == "RGB" and photo.format == kind


def test_empty_file_is_refused():
    with pytest.raises(InvalidImage, match="empty"):
        _decode(b"")


def test_text_named_jpg_is_refused():
    with pytest.raises(InvalidImage, match="not a JPEG, PNG or WebP"):
        _decode(b"<html><script>alert(1)</script></html>")


def test_gif_is_refused_as_unsupported():
    with pytest.raises(InvalidImage, match="not a JPEG, PNG or WebP"):
        _decode(_encode(Image.new("RGB", (100, 100)), "GIF"))


def test_truncated_jpeg_is_refused_as_damaged():
    data = _encode(Image.new("RGB", (400, 400), "blue"), "JPEG")
    with pytest.raises(InvalidImage, match="damaged or incomplete"):
        _decode(data[: len(data) // 3])


def test_file_over_byte_limit_is_refused_before_decoding():
    with pytest.raises(TooLarge, match="limit is 1 MB"):
        _decode(b"\xff\xd8\xff" + b"\0" * (MB + 1), max_bytes=MB)


def test_decompression_bomb_header_is_refused_without_decoding():
    with pytest.raises(TooLarge, match="megapixels"):
        _decode(_png_header_only(50000, 50000))


def test_pixel_limit_is_configurable():
    data = _encode(Image.new("RGB", (400, 400)), "PNG")
    with pytest.raises(TooLarge, match="megapixels"):
        _decode(data, max_pixels=100_000)


@pytest.mark.parametrize("size", [(1, 1), (79, 79), (500, 40)])
def test_tiny_images_are_refused(size):
    with pytest.raises(InvalidImage, match="at least 80 pixels"):
        _decode(_encode(Image.new("RGB", size), "PNG"))


def test_exif_orientation_is_applied_so_boxes_match_what_people_see():
    image = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when displayed
    photo = _decode(_encode(image, "JPEG", exif=exif.tobytes()))
    assert photo.size == (100, 300)


def test_corrupt_exif_block_does_not_stop_decoding():
    data = _encode(Image.new("RGB", (120, 120), "green"), "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\xff")
    assert _decode(data).size == (120, 120)


@pytest.mark.parametrize("mode", ["CMYK", "L", "P", "RGBA", "LA", "I;16"])
def test_every_colour_mode_becomes_rgb(mode):
    fmt = "JPEG" if mode in ("CMYK", "L") else "PNG"
    image = Image.new(mode, (100, 100))
    photo = _decode(_encode(image, fmt))
    assert photo.image.mode == "RGB"


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    photo = _decode(_encode(image, "PNG"))
    assert photo.image.getpixel((50, 50)) == (255, 255, 255)


def test_jpeg_reencoding_drops_metadata_and_downscales():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    photo = _decode(_encode(Image.new("RGB", (2000, 1000)), "JPEG", exif=exif.tobytes()))
    out = Image.open(io.BytesIO(photo.jpeg(max_side=500)))
    assert out.size == (500, 250)
    assert b"SecretCam" not in photo.jpeg()


def test_crop_box_adds_margin_and_stays_inside_the_image():
    image = Image.new("RGB", (200, 100))
    crop = crop_box(image, BoundingBox(0.0, 0.5, 0.5, 0.5), margin=0.2)
    assert crop.size == (120, 60)
