"""Local text reading (Rekognition DetectText-shaped): PP-OCR models shipped in ``rapidocr``.

rapidocr runs PP-OCRv6 detection and recognition (Latin, Chinese, Japanese, Korean) in
onnxruntime and returns each line with its polygon and each word with its own box.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np

from webapp.backends.local.pixels import rgb_uint8
from webapp.domain import BoundingBox, TextDetection
from webapp.errors import BackendUnavailable

# Measured on this 2-core machine (bench/vision_speed.py): the detector limited to a 960-pixel
# longer side is about twice as fast as rapidocr's default (shorter side raised to 736), and
# one onnxruntime thread per model beat two on a busy machine. Small images (shorter side
# under 480) are enlarged first: a 384x191 scanned page was read in full only that way.
DET_LONG_SIDE = 960
MIN_SHORT_SIDE = 480
MIN_SCORE = 0.5  # rapidocr's own default for keeping a recognised line


def rapidocr_params(threads: int) -> dict[str, Any]:
    """rapidocr settings (dotted keys into its bundled config.yaml)."""
    return {
        "Global.log_level": "error",  # "text detection result is empty" is a normal outcome here
        "Global.return_word_box": True,
        "Global.text_score": MIN_SCORE,
        "Global.min_side_len": MIN_SHORT_SIDE,
        "Det.limit_type": "max",
        "Det.limit_side_len": DET_LONG_SIDE,
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }


def _box_of(polygon: tuple[tuple[float, float], ...]) -> BoundingBox:
    """The axis-aligned box around a polygon of ratio points, clipped to the image."""
    xs = [min(max(x, 0.0), 1.0) for x, _ in polygon]
    ys = [min(max(y, 0.0), 1.0) for _, y in polygon]
    return BoundingBox(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _ratios(points: Any, width: int, height: int) -> tuple[tuple[float, float], ...]:
    """Pixel corner points -> ratios of the image width and height (Rekognition's convention)."""
    return tuple((float(x) / width, float(y) / height) for x, y in np.asarray(points, dtype=np.float64)[:, :2])


def _along(t: float, p: tuple[float, float], q: tuple[float, float]) -> tuple[float, float]:
    """The point a fraction t of the way from p to q."""
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def split_line(text: str, polygon: tuple[tuple[float, float], ...]) -> list[tuple[str, tuple]]:
    """Words of a line with polygons cut along the line in proportion to character counts.

    Used only when rapidocr gives no word boxes for a line: it assumes evenly wide
    characters, so the cuts are approximate.
    """
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = polygon[:4]
    total = max(len(text), 1)
    words, start = [], 0
    for word in text.split():
        begin = text.index(word, start)
        start = begin + len(word)
        a, b = begin / total, start / total
        top_a, top_b = _along(a, (x0, y0), (x1, y1)), _along(b, (x0, y0), (x1, y1))
        bottom_b, bottom_a = _along(b, (x3, y3), (x2, y2)), _along(a, (x3, y3), (x2, y2))
        words.append((word, (top_a, top_b, bottom_b, bottom_a)))
    return words


class LocalTextReader:
    """Reads lines and words of text in a photo with rapidocr's PP-OCR models."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._lock = threading.Lock()
        self._engine: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the OCR engine has been built."""
        return self._engine is not None

    def load(self) -> None:
        """Build the engine once (thread-safe); rapidocr itself opens each model on first use."""
        if self._engine is not None:
            return
        with self._lock:
            if self._engine is not None:
                return
            try:
                from rapidocr import RapidOCR  # heavy (cv2, onnxruntime): imported on first use only
            except ImportError as exc:
                raise BackendUnavailable(
                    "Text reading needs the rapidocr package; install requirements.txt again.") from exc
            self._engine = RapidOCR(params=rapidocr_params(self._threads))

    def read(self, image: np.ndarray | Any) -> list[TextDetection]:
        """Every LINE (ids 0..n-1, top to bottom) followed by its WORDs (parent_id = the line's id)."""
        self.load()
        rgb = rgb_uint8(image)
        height, width = rgb.shape[:2]
        # rapidocr takes OpenCV's BGR order for arrays; a path or URL would make it open/fetch one.
        result = self._engine(np.ascontiguousarray(rgb[:, :, ::-1]))
        if getattr(result, "txts", None) is None or result.boxes is None:
            return []
        words_by_line = self._word_results(result)
        lines, words = [], []
        for index, (text, score, box) in enumerate(zip(result.txts, result.scores, result.boxes, strict=True)):
            polygon = _ratios(box, width, height)
            lines.append(TextDetection(text, "LINE", float(score) * 100, _box_of(polygon), polygon, index))
            found = words_by_line[index] if index < len(words_by_line) else ()
            pieces = ([(w, s, _ratios(b, width, height)) for w, s, b in found] if found
                      else [(w, score, p) for w, p in split_line(text, polygon)])
            for word, word_score, word_polygon in pieces:
                words.append((word, float(word_score) * 100, word_polygon, index))
        first = len(lines)
        return lines + [
            TextDetection(w, "WORD", s, _box_of(p), p, first + k, parent)
            for k, (w, s, p, parent) in enumerate(words)
        ]

    @staticmethod
    def _word_results(result: Any) -> list[tuple]:
        """Per line, rapidocr's (word, score, box) triples that have a box; empty where it gave none."""
        lines = getattr(result, "word_results", None) or ()
        cleaned = []
        for line in lines:
            triples = tuple((w, s, b) for w, s, b in line if b is not None and str(w).strip())
            cleaned.append(triples)
        return cleaned
