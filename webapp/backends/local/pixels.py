"""One place that turns what the local engines are given into an HxWx3 uint8 RGB array or an RGB PIL image.

A photo's array is made once and shared by every engine that needs one (face detection, then one
faceprint per face): each ``np.asarray`` of a PIL image is a full-size copy, 40 ms for a 12 MP photo,
and a photo with six faces used to make eight of them. The engines that only shrink the photo (labels,
object boxes, moderation) take the PIL image itself and make no array at all.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
from PIL import Image

from webapp.images import Photo

# id(photo) -> its read-only array; an entry leaves with its photo (weakref.finalize), so the
# array lives exactly as long as the decoded image does and an id is never reused while cached.
_ARRAYS: dict[int, np.ndarray] = {}
_LOCK = threading.Lock()


def photo_rgb(photo: Photo) -> np.ndarray:
    """The photo as a read-only HxWx3 uint8 RGB array, made on the first call for this Photo and then reused."""
    key = id(photo)
    with _LOCK:
        cached = _ARRAYS.get(key)
    if cached is not None:
        return cached
    arr = _to_array(photo.image)
    arr.flags.writeable = False  # shared by every engine: none may draw on it
    with _LOCK:
        if key not in _ARRAYS:  # another thread may have made it meanwhile: keep the first
            _ARRAYS[key] = arr
            weakref.finalize(photo, _forget, key)
        return _ARRAYS[key]


def _forget(key: int) -> None:
    """Drop a dead photo's array."""
    with _LOCK:
        _ARRAYS.pop(key, None)


def rgb_uint8(image: Any) -> np.ndarray:
    """A Photo, PIL image or array (grey, RGB or RGBA) as a contiguous HxWx3 uint8 RGB array."""
    if isinstance(image, Photo):
        return photo_rgb(image)
    if not isinstance(image, np.ndarray | Image.Image):
        raise TypeError(f"expected an RGB array, PIL image or Photo, got {type(image).__name__}")
    return _to_array(image)


def rgb_image(image: Any) -> Image.Image:
    """A Photo, PIL image or array as an RGB PIL image (a Photo's own image: no copy)."""
    if isinstance(image, Photo):
        image = image.image
    if isinstance(image, Image.Image):
        return image if image.mode == "RGB" else image.convert("RGB")
    return Image.fromarray(rgb_uint8(image))


def _to_array(image: np.ndarray | Image.Image) -> np.ndarray:
    """Coerce a PIL image or array to a contiguous HxWx3 uint8 RGB array (no copy when it already is one)."""
    if isinstance(image, Image.Image) and image.mode != "RGB":
        image = image.convert("RGB")
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"expected an HxWx3 image, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[:, :, :3])
