"""Rekognition's input contract: JPEG bytes of at most 5 MB, at least 80 px on the shortest side."""
from __future__ import annotations

from PIL import Image, ImageDraw

from webapp.domain import BoundingBox
from webapp.images import MIN_SIDE, crop_box, crop_rect, encode_jpeg

MAX_BYTES = 5 * 1024 * 1024  # the limit for images sent as bytes (not S3 objects)
MAX_SIDE = 1920  # Rekognition's recommended resolution; larger only costs upload time
CROP_MARGIN = 0.3  # context around a face, as a fraction of the box, so the detector sees a whole head
MASK_MARGIN = 0.1  # what a masked crop keeps around the face: enough for the detector to find it
MASK_FILL = (128, 128, 128)
SAME_FACE_IOU = 0.4  # the face Rekognition searched or indexed is ours if its box overlaps ours this much


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


def face_in_crop(size: tuple[int, int], box: BoundingBox) -> BoundingBox:
    """Where the face of `box` (ratios of the image) lies in its crop, as ratios of the crop."""
    left, top, right, bottom = crop_rect(size, box, margin=CROP_MARGIN)
    width, height = right - left, bottom - top
    return BoundingBox((box.left * size[0] - left) / width, (box.top * size[1] - top) / height,
                       box.width * size[0] / width, box.height * size[1] / height)


def is_same_face(expected: BoundingBox, found: BoundingBox) -> bool:
    """Whether the face Rekognition worked on (its box in the crop) is the one the crop was cut for.

    The same face boxed a little differently overlaps a lot, or at least each box holds the
    other's centre (a face cut by the photo's edge, boxed larger or smaller); a neighbour does neither.
    """
    if expected.iou(found) >= SAME_FACE_IOU:
        return True
    return _holds(expected, _centre(found)) and _holds(found, _centre(expected))


def _centre(box: BoundingBox) -> tuple[float, float]:
    """The centre of a box."""
    return box.left + box.width / 2, box.top + box.height / 2


def _holds(box: BoundingBox, point: tuple[float, float]) -> bool:
    """Whether a point lies inside a box."""
    return box.left <= point[0] <= box.left + box.width and box.top <= point[1] <= box.top + box.height


def masked_face_crop(image: Image.Image, box: BoundingBox) -> bytes:
    """The face's crop with everything outside the face (and a thin margin) painted grey.

    SearchFacesByImage and IndexFaces take the largest face of the image: in a tight group a
    neighbour can be larger inside the crop than the face it was cut for. Masking leaves
    Rekognition only one face to choose.
    """
    crop = crop_box(image, box, margin=CROP_MARGIN).copy()
    inner = face_in_crop(image.size, box)
    keep = crop_rect(crop.size, inner, margin=MASK_MARGIN)
    draw = ImageDraw.Draw(crop)
    width, height = crop.size
    for rect in ((0, 0, width, keep[1]), (0, keep[3], width, height), (0, 0, keep[0], height),
                 (keep[2], 0, width, height)):
        if rect[2] > rect[0] and rect[3] > rect[1]:
            draw.rectangle((rect[0], rect[1], rect[2] - 1, rect[3] - 1), fill=MASK_FILL)
    return image_bytes(crop)
