"""Compare faces: the largest face of one photo against every face of another (nothing is stored)."""
from __future__ import annotations

import base64
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from webapp.backends.base import Backend, Faceprint
from webapp.domain import DetectedFace, FaceComparison
from webapp.errors import GlimpseError, InvalidImage, InvalidInput
from webapp.images import Photo, decode_photo
from webapp.services.limits import Limits

# Copies embedded in the result page as data: URIs; boxes are ratios, so any size works.
PREVIEW_SIDE = 960
PREVIEW_QUALITY = 82
# Decoded photos kept for backends without cacheable faceprints: pairs files tend to repeat
# a source on consecutive lines, and a decoded 60 MP photo weighs 180 MB, so keep only a few.
PHOTO_CACHE_SIZE = 4

Loader = Callable[[str], bytes]


def parse_threshold(raw: str | None, default: float) -> float:
    """A similarity threshold from a form field: blank means the default; else a number 0-100."""
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 100.0:  # also false for NaN
        raise InvalidInput(f"The threshold must be a number from 0 to 100, not {raw.strip()[:20]!r}.")
    return value


def sentence(comparison: FaceComparison) -> str:
    """The plain verdict shown to people: same person, different people, or which photo lacks a face."""
    if comparison.source_face is None:
        return "No face found in the first photo"
    if not comparison.matches and not comparison.unmatched:
        return "No face found in the second photo"
    if comparison.similarity is None:
        return "Different people"
    return f"Same person (similarity {comparison.similarity:.0f})"


def comparison_dict(comparison: FaceComparison) -> dict:
    """JSON form shared by the API and the CLI."""
    source = comparison.source_face
    return {
        "source_face": None if source is None else _face_dict(source),
        "matches": [
            {"bounding_box": face.bounding_box.to_dict(), "similarity": round(similarity, 1)}
            for face, similarity in comparison.matches
        ],
        "unmatched": [{"bounding_box": face.bounding_box.to_dict()} for face in comparison.unmatched],
        "similarity": None if comparison.similarity is None else round(comparison.similarity, 1),
        "match": comparison.similarity is not None,
    }


def _face_dict(face: DetectedFace) -> dict:
    """Box and detector confidence of one face."""
    return {"bounding_box": face.bounding_box.to_dict(), "confidence": round(face.confidence, 1)}


def preview_uri(photo: Photo) -> str:
    """A downscaled, re-encoded JPEG of the photo as a data: URI (the visitor's photo is never stored)."""
    data = photo.jpeg(PREVIEW_SIDE, quality=PREVIEW_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class PairResult:
    """One line of a batch: the two paths as given and a comparison or an error sentence."""

    source: str
    target: str
    comparison: FaceComparison | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        """JSON form: the paths, then the comparison fields or `error`."""
        head = {"source": self.source, "target": self.target}
        if self.comparison is None:
            return head | {"error": self.error}
        return head | comparison_dict(self.comparison)


class Comparer:
    """The compare-faces use case over any backend's FaceCollection."""

    def __init__(self, backend: Backend, limits: Limits):
        self.backend = backend
        self.limits = limits

    def decode(self, data: bytes, label: str = "") -> Photo:
        """Validate and decode one photo; `label` names it in the error sentence."""
        try:
            return decode_photo(data, self.limits.max_bytes, self.limits.max_pixels)
        except InvalidImage as exc:
            if not label:
                raise
            raise type(exc)(f"{label}: {exc.message}") from exc

    def compare(self, source: Photo, target: Photo, threshold: float | None = None) -> FaceComparison:
        """Largest face of source against every face of target; the default threshold is recognition's."""
        return self.backend.faces.compare(source, target, self._threshold(threshold))

    def compare_pairs(self, pairs: Iterable[tuple[str, str]], load: Loader,
                      threshold: float | None = None) -> Iterator[PairResult]:
        """Compare many (source, target) paths in order; each distinct image is decoded and embedded once.

        `load(path)` returns the bytes or raises OSError. A pair whose image fails gets an
        error sentence and the run goes on.
        """
        cache = _PairCache(self, load)
        limit = self._threshold(threshold)
        for source, target in pairs:
            try:
                comparison = cache.compare(source, target, limit)
            except GlimpseError as exc:
                yield PairResult(source, target, error=exc.message)
                continue
            yield PairResult(source, target, comparison)

    def _threshold(self, threshold: float | None) -> float:
        """The given threshold, or the recognition match threshold, so "match" means the same everywhere."""
        return self.limits.match_threshold if threshold is None else threshold


class _PairCache:
    """Per-path decoded faces for a batch: faceprints when the backend offers them, else photos."""

    def __init__(self, comparer: Comparer, load: Loader):
        self.comparer = comparer
        self.load = load
        # A backend that declares a FaceprintCache embeds each image once; others compare per pair.
        self.cache = comparer.backend.faceprints
        self.prints: dict[str, list[Faceprint]] = {}
        self.photos: OrderedDict[str, Photo] = OrderedDict()
        self.errors: dict[str, GlimpseError] = {}

    def compare(self, source: str, target: str, threshold: float) -> FaceComparison:
        """Compare two paths, reusing what earlier pairs learnt about either image."""
        if self.cache is not None:
            source_prints, target_prints = self._prints(source), self._prints(target)
            return self.cache.compare_prints(source_prints[0] if source_prints else None, target_prints, threshold)
        return self.comparer.backend.faces.compare(self._photo(source), self._photo(target), threshold)

    def _prints(self, path: str) -> list[Faceprint]:
        """Faces and faceprints of one image, computed on first use."""
        assert self.cache is not None  # only called when the backend has a FaceprintCache
        if path not in self.prints:
            self.prints[path] = self.cache.faceprints(self._decode(path))
        return self.prints[path]

    def _photo(self, path: str) -> Photo:
        """A decoded photo from a small least-recently-used cache."""
        if path in self.photos:
            self.photos.move_to_end(path)
            return self.photos[path]
        photo = self.photos[path] = self._decode(path)
        if len(self.photos) > PHOTO_CACHE_SIZE:
            self.photos.popitem(last=False)
        return photo

    def _decode(self, path: str) -> Photo:
        """Read and decode one image; a failure is remembered so every pair using it fails fast."""
        if path in self.errors:
            raise self.errors[path]
        try:
            try:
                data = self.load(path)
            except OSError as exc:
                raise InvalidImage(f"Cannot read {path}: {exc.strerror or exc}.") from exc
            return self.comparer.decode(data, path)
        except GlimpseError as exc:
            self.errors[path] = exc
            raise
