"""Measure SFace cosines of same-person and different-person pairs on real photos.

Run from the repo root: ``python bench/calibrate_faces.py``. Photos come from
tests/photos.py (PyPI packages, cached) and scikit-image's sample data.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.photos import photo_path
from webapp.backends.local.face_engine import MATCH_COSINE, FaceEngine

# (photo, identity). 32bit.png is obama2.jpg re-saved as RGBA PNG, so it is kept apart
# as a "near-identical" pair rather than counted as a genuine same-person pair.
PHOTOS = (
    ("obama.jpg", "obama"),
    ("obama2.jpg", "obama"),
    ("obama3.jpg", "obama"),
    ("obama_partial_face.jpg", "obama"),
    ("obama_partial_face2.jpg", "obama"),
    ("biden.jpg", "biden"),
    ("Tom_Hanks_54745.png", "hanks"),
    ("t1.jpg", "t1"),
)
# obama_partial_face*.jpg are crops of obama.jpg: pairs among these are one photo, so they
# count as near-identical, not as independent same-person evidence.
ONE_PHOTO = frozenset({"obama.jpg", "obama_partial_face.jpg", "obama_partial_face2.jpg"})
SKIMAGE = (("astronaut", "collins"), ("camera", "cameraman"))


@dataclass(frozen=True)
class Face:
    """One embedded face with where it came from."""

    label: str
    identity: str
    vector: np.ndarray


def load_skimage(name: str) -> np.ndarray:
    """An RGB uint8 array of a scikit-image sample photo."""
    from skimage import data

    image = getattr(data, name)()
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image[:, :, :3]


def collect(engine: FaceEngine) -> tuple[list[Face], Face]:
    """Embed every face in the photo set, plus the 32bit.png duplicate."""
    images = [(n, i, np.asarray(Image.open(photo_path(n)).convert("RGB"))) for n, i in PHOTOS]
    images += [(n, i, load_skimage(n)) for n, i in SKIMAGE]
    faces = []
    for name, identity, rgb in images:
        found = engine.detect(rgb)
        print(
            f"  {name:26s} {len(found)} face(s), scores {[round(f.confidence, 1) for f in found]}"
        )
        for k, face in enumerate(found):
            # Each t1.jpg face is its own person; label them t1#0..t1#5 (largest first).
            ident = f"{identity}#{k}" if identity == "t1" else identity
            label = f"{name}#{k}" if len(found) > 1 else name
            faces.append(Face(label, ident, engine.embed(rgb, face)))
    dup_rgb = np.asarray(Image.open(photo_path("32bit.png")).convert("RGB"))
    dup = Face("32bit.png", "obama", engine.embed(dup_rgb, engine.detect(dup_rgb)[0]))
    return faces, dup


def print_pairs(title: str, pairs: list[tuple[float, str, str]], limit: int | None = None) -> None:
    """Print pairs sorted by cosine, highest first, with the mapped similarity."""
    pairs = sorted(pairs, reverse=True)
    cosines = np.array([p[0] for p in pairs])
    print(
        f"\n{title}: n={len(pairs)} min={cosines.min():.3f} median={np.median(cosines):.3f} "
        f"max={cosines.max():.3f}"
    )
    for cos, a, b in pairs[:limit]:
        print(f"  {cos:7.3f}  sim={FaceEngine.similarity(cos):5.1f}  {a} vs {b}")


def degrade(rgb: np.ndarray, kind: str) -> np.ndarray:
    """A worse copy of a photo: tiny, blurred, heavily compressed or grey."""
    import cv2

    if kind.startswith("width"):
        width = int(kind[5:])
        height = round(rgb.shape[0] * width / rgb.shape[1])
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    if kind.startswith("blur"):
        return cv2.GaussianBlur(rgb, (0, 0), float(kind[4:]))
    if kind == "jpeg10":
        _ok, buf = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, 10])
        return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return np.stack([grey] * 3, axis=-1)


def print_degraded(engine: FaceEngine, faces: list[Face]) -> None:
    """Cosines of degraded Obama photos against the other (clean) Obama photos."""
    print(
        "\nsame person, degraded copy vs the other clean obama photos (face width px, min cosine):"
    )
    for name in ("obama.jpg", "obama3.jpg"):
        rgb = np.asarray(Image.open(photo_path(name)).convert("RGB"))
        twins = ONE_PHOTO if name in ONE_PHOTO else {name}
        others = [f.vector for f in faces if f.identity == "obama" and f.label not in twins]
        for kind in ("width200", "width100", "blur4", "blur8", "jpeg10", "grey"):
            bad = degrade(rgb, kind)
            found = engine.detect(bad)
            if not found:
                print(f"  {name:12s} {kind:8s} no face detected")
                continue
            vector = engine.embed(bad, found[0])
            worst = min(engine.cosine(vector, other) for other in others)
            px = found[0].bounding_box.width * bad.shape[1]
            print(
                f"  {name:12s} {kind:8s} {px:5.0f} px  {worst:.3f}  sim={FaceEngine.similarity(worst):5.1f}"
            )


def main() -> None:
    """Print detections, pair tables and the verdict at the chosen threshold."""
    engine = FaceEngine()
    print("detections:")
    faces, dup = collect(engine)
    obama2 = next(f for f in faces if f.label == "obama2.jpg")
    twins = [(engine.cosine(dup.vector, obama2.vector), dup.label, obama2.label)]
    same, diff = [], []
    for a, b in itertools.combinations(faces, 2):
        pair = (engine.cosine(a.vector, b.vector), a.label, b.label)
        if a.identity != b.identity:
            diff.append(pair)
        else:
            (twins if {a.label, b.label} <= ONE_PHOTO else same).append(pair)
    print_pairs("near-identical (obama2 vs its PNG copy; crops of obama.jpg)", twins)
    print_pairs("same person", same)
    print_pairs("different people (top 15)", diff, limit=15)
    print_degraded(engine, faces)
    false_reject = sum(c < MATCH_COSINE for c, _, _ in same)
    false_accept = sum(c >= MATCH_COSINE for c, _, _ in diff)
    print(
        f"\nat cosine {MATCH_COSINE} (similarity 80): {false_reject}/{len(same)} same pairs rejected, "
        f"{false_accept}/{len(diff)} different pairs accepted"
    )
    print(
        "mapping:",
        ", ".join(
            f"{c:.2f}->{FaceEngine.similarity(c):.1f}"
            for c in (-0.2, 0.0, 0.1, 0.2, 0.3, MATCH_COSINE, 0.45, 0.6, 0.8, 1.0)
        ),
    )


if __name__ == "__main__":
    main()
