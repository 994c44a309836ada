"""Check Glimpse's ONNX rebuild of dlib's ResNet against dlib itself (prints numbers; not a test).

dlib is not a Glimpse dependency. Make a scratch venv with it, then run from the repo root:
    python -m venv /tmp/dlibvenv && /tmp/dlibvenv/bin/pip install dlib-bin==20.0.1.post1 numpy pillow
    python bench/dlib_parity.py --dlib-python /tmp/dlibvenv/bin/python
Part 1 feeds identical 150x150 chips (random noise and dlib-aligned faces) to both and
compares the 128-d outputs. Part 2 compares whole pipelines on face_recognition's test
photos: dlib (HOG detector, 5-point predictor, get_face_chip) against Glimpse (YuNet
landmarks, dlib_faceprint.align), and prints dlib's Euclidean distances (face_recognition
calls < 0.6 the same person). With --lfw, part 3 runs dlib's own pipeline on LFW-dev, to
set beside bench/lfw_fusion.py's "dlib ResNet" row (same network, Glimpse's alignment).
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


# Runs under the dlib interpreter: dlib's own pipeline on every LFW-dev image (face nearest the centre).
_DLIB_LFW = """
import json, sys, dlib, numpy as np
from PIL import Image
models, folder, out = sys.argv[1], sys.argv[2], sys.argv[4]
images = json.loads(open(sys.argv[3]).read())
rec = dlib.face_recognition_model_v1(models + "/dlib_face_recognition_resnet_model_v1.dat")
predictor = dlib.shape_predictor(models + "/shape_predictor_5_face_landmarks.dat")
detector = dlib.get_frontal_face_detector()
desc, found = np.zeros((len(images), 128)), np.zeros(len(images), bool)
for i, name in enumerate(images):
    img = np.asarray(Image.open(folder + "/" + name).convert("RGB"))
    boxes = detector(img, 1)
    if boxes:
        h, w = img.shape[:2]
        box = min(boxes, key=lambda r: (r.center().x - w / 2) ** 2 + (r.center().y - h / 2) ** 2)
        desc[i], found[i] = np.array(rec.compute_face_descriptor(img, predictor(img, box))), True
np.savez(out, desc=desc, found=found)
"""


def dlib_on_lfw(dlib_python: str, folder: Path) -> None:
    """dlib's own pipeline on LFW-dev: 5-fold accuracy and face_recognition's fixed 0.6 rule."""
    from bench.lfw_fusion import read_pairs
    from bench.lfw_metrics import kfold_accuracy

    pairs, same, folds = read_pairs(folder)
    images = sorted({p for pair in pairs for p in pair})
    with tempfile.TemporaryDirectory() as tmp:
        out, listing = Path(tmp) / "lfw.npz", Path(tmp) / "images.json"
        listing.write_text(json.dumps(images))  # too long for a command-line argument
        subprocess.run([dlib_python, "-c", _DLIB_LFW, str(default_weights_path().parent), str(folder),
                        str(listing), str(out)], check=True)
        with np.load(out) as data:
            desc, found = data["desc"], data["found"]
    index = {name: i for i, name in enumerate(images)}
    a, b = (np.array([index[pair[k]] for pair in pairs]) for k in (0, 1))
    both = found[a] & found[b]
    distance = np.where(both, np.linalg.norm(desc[a] - desc[b], axis=1), np.inf)
    mean, std, errors = kfold_accuracy(-distance, same, folds)
    print(f"3. dlib's own pipeline on LFW-dev ({(~found).sum()} images without a HOG face): "
          f"5-fold {100 * mean:.2f} ± {100 * std:.2f} % ({errors} errors); fixed distance 0.6: "
          f"{100 * np.mean((distance < 0.6) == same):.2f} %, same-person pairs < 0.6: "
          f"{100 * np.mean(distance[same] < 0.6):.2f} %, different-person pairs >= 0.6: "
          f"{100 * np.mean(distance[~same] >= 0.6):.2f} %")


def main() -> None:
    """Run both sides and print the comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlib-python", required=True, help="a Python interpreter that can import dlib")
    parser.add_argument("--lfw", help="also run dlib's own pipeline on this LFW-dev folder (~15 min)")
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
    if args.lfw:
        dlib_on_lfw(args.dlib_python, Path(args.lfw))


if __name__ == "__main__":
    main()
