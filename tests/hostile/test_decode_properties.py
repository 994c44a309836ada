"""Property-based tests of the decoding path: real images decode, damaged ones give a Photo or a clear InvalidImage."""
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from webapp.errors import InvalidImage
from webapp.images import MIN_SIDE, decode_photo

MB = 1024 * 1024


def _seed(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 96), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


SEEDS = [_seed("JPEG"), _seed("PNG"), _seed("WEBP")]


def _decode_or_refuse(data: bytes) -> None:
    """The property: a valid RGB photo within limits, or InvalidImage with a sentence."""
    try:
        photo = decode_photo(data, 2 * MB, 4_000_000)
    except InvalidImage as exc:
        assert exc.message.endswith(".") and 400 <= exc.status < 500
        return
    assert photo.image.mode == "RGB"
    assert min(photo.size) >= 80 and photo.size[0] * photo.size[1] <= 4_000_000


@st.composite
def _images(draw) -> tuple[bytes, tuple[int, int]]:
    """A real encoded image of a drawn format, colour mode and size (some below the 80 px minimum)."""
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP"]))
    mode = draw(st.sampled_from(["RGB", "L"] + (["RGBA", "P", "LA"] if fmt == "PNG" else [])))
    size = (draw(st.integers(40, 320)), draw(st.integers(40, 320)))
    image = Image.new("RGB", size, draw(st.tuples(*[st.integers(0, 255)] * 3)))
    out = io.BytesIO()
    image.convert(mode).save(out, format=fmt)
    return out.getvalue(), size


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_images())
def test_valid_images_decode_to_rgb_of_the_same_size_and_small_ones_are_refused(generated):
    data, size = generated
    if min(size) < MIN_SIDE:
        with pytest.raises(InvalidImage, match=r"\.$"):
            decode_photo(data, 2 * MB, 4_000_000)
        return
    photo = decode_photo(data, 2 * MB, 4_000_000)
    assert photo.image.mode == "RGB" and photo.size == size


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=12),
       st.integers(1, 10**6))
def test_mutated_real_images_give_a_photo_or_a_clear_refusal(seed, flips, cut):
    data = bytearray(seed)
    for position, value in flips:
        data[position % len(data)] = value
    _decode_or_refuse(bytes(data[: max(1, cut % (len(data) + 1))]))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP"]), st.binary(max_size=2048))
def test_valid_magic_with_garbage_body_is_refused_cleanly(magic, body):
    _decode_or_refuse(magic + body)
