"""Check Glimpse's ONNX rebuild of dlib's ResNet against dlib itself (prints numbers; not a test).

dlib is not a Glimpse dependency. Make a scratch venv with it, then run from the repo root:
    python -m venv /tmp/dlibvenv && /tmp/dlibvenv/bin/pip install dlib-bin==20.0.1.post1 numpy pillow
    python bench/dlib_parity.py --dlib-python /tmp/dlibvenv/bin/python
Part 1 feeds identical 150x150 chips (random noise and dlib-aligned faces) to both and
compares the 128-d outputs. Part 2 compares whole pipelines on face_recognition's test
photos: dlib (HOG detector, 5-point predictor, get_face_chip) against Glimpse (YuNet
landmarks, dlib_faceprint.align), and prints dlib's Euclidean distances (face_recognition
calls < 0.6 the same person).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.photos import photo_path  # noqa: E402
from webapp.backends.local.dlib_faceprint import DlibFaceprint, default_weights_path  # noqa: E402
from webapp.backends.local.face_engine import FaceEngine  # noqa: E402

PHOTOS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")

# Runs under the dlib interpreter: writes chips and dlib's descriptors to an .npz.
_DLIB_SIDE = """
import json, sys, dlib, numpy as np
from PIL import Image
models, photos, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
rec = dlib.face_recognition_model_v1(models + "/dlib_face_recognition_resnet_model_v1.dat")
predictor = dlib.shape_predictor(models + "/shape_predictor_5_face_landmarks.dat")
detector = dlib.get_frontal_face_detector()
rng = np.random.default_rng(0)
chips = [rng.integers(0, 256, (150, 150, 3), dtype=np.uint8) for _ in range(3)]
for path in photos:
    img = np.asarray(Image.open(path).convert("RGB"))
    box = max(detector(img, 1), key=lambda r: r.area())
    chips.append(dlib.get_face_chip(img, predictor(img, box), size=150, padding=0.25))
desc = [np.array(rec.compute_face_descriptor(c)) for c in chips]
np.savez(out, chips=np.stack(chips), desc=np.stack(desc))
"""


def dlib_reference(dlib_python: str) -> tuple[np.ndarray, np.ndarray]:
    """Chips and dlib's descriptors (3 noise chips, then one face per photo)."""
    photos = [str(photo_path(n)) for n in PHOTOS]
    models = str(default_weights_path().parent)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ref.npz"
        subprocess.run([dlib_python, "-c", _DLIB_SIDE, models, json.dumps(photos), str(out)], check=True)
        with np.load(out) as data:
            return data["chips"], data["desc"]


def glimpse_prints(faceprint: DlibFaceprint) -> np.ndarray:
    """Glimpse's pipeline on each photo: YuNet's largest face, aligned and embedded."""
    engine = FaceEngine()
    prints = []
    for name in PHOTOS:
        rgb = np.asarray(Image.open(photo_path(name)).convert("RGB"))
        face = engine.detect(rgb)[0]
        h, w = rgb.shape[:2]
        prints.append(faceprint.embed_many(rgb, [tuple((x * w, y * h) for x, y in face.landmarks)])[0])
    return np.stack(prints)


def main() -> None:
    """Run both sides and print the comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlib-python", required=True, help="a Python interpreter that can import dlib")
    args = parser.parse_args()
    chips, desc = dlib_reference(args.dlib_python)
    faceprint = DlibFaceprint()
    faceprint.load()
    (raw,) = faceprint._session.run(None, {"rgb": chips.astype(np.float32)})
    cos = np.sum(raw * desc, axis=1) / np.linalg.norm(raw, axis=1) / np.linalg.norm(desc, axis=1)
    print(f"1. same chips, ONNX vs dlib: cosine min {cos.min():.7f}, max |difference| "
          f"{np.abs(raw - desc).max():.2e} (of values up to {np.abs(desc).max():.2f})")
    ours = glimpse_prints(faceprint)
    ref = desc[3:] / np.linalg.norm(desc[3:], axis=1, keepdims=True)
    print("2. whole pipelines (dlib HOG + 5-point chip vs YuNet + Glimpse chip), cosine per photo:")
    for name, c in zip(PHOTOS, np.sum(ours * ref, axis=1), strict=True):
        print(f"   {name:12s} {c:.4f}")
    print("   dlib's own Euclidean distances (face_recognition: < 0.6 = same person)  |  Glimpse cosines:")
    for i, a in enumerate(PHOTOS):
        for j in range(i + 1, len(PHOTOS)):
            print(f"   {a:11s} - {PHOTOS[j]:11s} {np.linalg.norm(desc[3 + i] - desc[3 + j]):.3f}"
                  f"  |  {float(ours[i] @ ours[j]):.3f}")


if __name__ == "__main__":
    main()
