"""One place that turns what the local engines are given into an HxWx3 uint8 RGB array."""
from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from webapp.images import Photo


def rgb_uint8(image: Any) -> np.ndarray:
    """A Photo, PIL image or array (grey, RGB or RGBA) as a contiguous HxWx3 uint8 RGB array."""
    if isinstance(image, Photo):
        image = image.image
    if isinstance(image, Image.Image):
        image = image.convert("RGB")
    if not isinstance(image, np.ndarray | Image.Image):
        raise TypeError(f"expected an RGB array, PIL image or Photo, got {type(image).__name__}")
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"expected an HxWx3 image, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[:, :, :3])
