"""Property-based tests of the decoding path: any bytes give a Photo or an InvalidImage, nothing else."""
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from webapp.errors import InvalidImage
from webapp.images import decode_photo

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_crash_the_decoder(data):
    _decode_or_refuse(data)


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
