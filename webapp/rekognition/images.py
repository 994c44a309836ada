"""The Image member of a request: bytes only, JPEG or PNG, at most 5 MB — Rekognition's input contract."""
from __future__ import annotations

from webapp.errors import InvalidImage, TooLarge
from webapp.images import Photo, decode_photo, sniff_format
from webapp.rekognition.errors import RekognitionError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
FORMATS = ("jpeg", "png")  # Rekognition reads JPEG and PNG only


def photo_of(image: dict, max_pixels: int) -> Photo:
    """Decode a validated Image member, or raise the error Rekognition would."""
    if "S3Object" in image:
        raise RekognitionError("InvalidS3ObjectException", "Glimpse's local Rekognition endpoint reads images from "
                               "Bytes only; it cannot read S3 objects. Send the image bytes instead.")
    data = image.get("Bytes")
    if data is None:
        raise RekognitionError("InvalidParameterException", "Request has invalid parameters: "
                               "the Image needs its Bytes.")
    if len(data) > MAX_IMAGE_BYTES:
        raise RekognitionError("ImageTooLargeException", f"Image size is too large: {len(data)} bytes; "
                               f"the limit for image bytes is {MAX_IMAGE_BYTES}.")
    if sniff_format(data) not in FORMATS:
        raise RekognitionError("InvalidImageFormatException", "Request has invalid image format: "
                               "only JPEG and PNG images can be read.")
    try:
        return decode_photo(data, MAX_IMAGE_BYTES, max_pixels)
    except TooLarge as exc:
        raise RekognitionError("ImageTooLargeException", exc.message) from exc
    except InvalidImage as exc:
        raise RekognitionError("InvalidImageFormatException", f"Request has invalid image format: {exc.message}") \
            from exc
