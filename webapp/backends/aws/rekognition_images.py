"""Rekognition's input contract: JPEG bytes of at most 5 MB, at least 80 px on the shortest side."""
from __future__ import annotations

from PIL import Image

from webapp.domain import BoundingBox
from webapp.images import MIN_SIDE, crop_box, encode_jpeg

MAX_BYTES = 5 * 1024 * 1024  # the limit for images sent as bytes (not S3 objects)
MAX_SIDE = 1920  # Rekognition's recommended resolution; larger only costs upload time
CROP_MARGIN = 0.3  # context around a face, as a fraction of the box, so the detector sees a whole head


def image_bytes(image: Image.Image) -> bytes:
    """The image as JPEG within Rekognition's limits: upscaled if small, downscaled until ≤ 5 MB."""
    if min(image.size) < MIN_SIDE:
        scale = MIN_SIDE / min(image.size)
        size = (max(MIN_SIDE, round(image.width * scale)), max(MIN_SIDE, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    side = MAX_SIDE
    data = encode_jpeg(image, side)
    # Very noisy photos can exceed 5 MB even at 1920 px: step the size down until they fit.
    while len(data) > MAX_BYTES and side > MIN_SIDE * 2:
        side = int(side * 0.75)
        data = encode_jpeg(image, side, quality=85)
    return data


def face_crop(image: Image.Image, box: BoundingBox) -> bytes:
    """One face cut out with a margin, as Rekognition-ready JPEG bytes.

    SearchFacesByImage and IndexFaces work on the largest face of the image they get;
    sending a crop is what lets Glimpse search and enrol any face of a group photo.
    """
    return image_bytes(crop_box(image, box, margin=CROP_MARGIN))
