"""LFW-dev for the accuracy benches: find the data, detect and embed every image once, cache the result.

The data is ../shared/lfw-dev (3,000 official LFW pairs of folds 6-10; read-only, never copied into the
repo). GLIMPSE_LFW_DEV overrides the path. Detections and faceprints are cached under
~/.cache/glimpse/lfw-dev/ (GLIMPSE_LFW_CACHE overrides), keyed by the engine tag, so reruns take seconds.
"""
from __future__ import annotations

import csv
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from webapp.domain import DetectedFace  # noqa: E402

# An embedder: (rgb, faces) -> (len(faces), dim) float32 rows, L2-normalised.
Embedder = Callable[[np.ndarray, list[DetectedFace]], np.ndarray]


@dataclass(frozen=True)
class Pair:
    """One official LFW pair: image paths relative to the data folder, same person or not, fold 6-10."""

    img1: str
    img2: str
    same: bool
    fold: int


@dataclass
class Image1:
    """One image's faces (product detection, largest first) and each engine's faceprints of them."""

    faces: list[DetectedFace]
    vectors: dict[str, np.ndarray]

    def largest(self) -> int | None:
        """Index of the largest face (what enrolment and `flask compare`'s source use), None if no face."""
        return 0 if self.faces else None

    def centre(self) -> int | None:
        """Index of the face nearest the image centre (the LFW convention: the labelled person)."""
        if not self.faces:
            return None
        return min(range(len(self.faces)), key=lambda i: _centre_distance(self.faces[i]))


def _centre_distance(face: DetectedFace) -> float:
    """Distance of a face's box centre from the image centre, in image ratios."""
    box = face.bounding_box
    return float(np.hypot(box.left + box.width / 2 - 0.5, box.top + box.height / 2 - 0.5))


def data_dir() -> Path:
    """The LFW-dev folder, or exit with a message saying where it was looked for."""
    candidates = [Path(os.environ["GLIMPSE_LFW_DEV"])] if os.environ.get("GLIMPSE_LFW_DEV") else []
    candidates.append(ROOT.parent / "shared" / "lfw-dev")
    main = _main_checkout()
    if main is not None:  # a git worktree elsewhere: look next to the main checkout too
        candidates.append(main.parent / "shared" / "lfw-dev")
    for folder in candidates:
        if (folder / "pairs.tsv").is_file():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    sys.exit(f"LFW-dev not found (looked in {looked}). Put the folder at ../shared/lfw-dev next to the repo "
             f"or set GLIMPSE_LFW_DEV to it; this bench measures nothing without it.")


def _main_checkout() -> Path | None:
    """The main working tree of this git repository (differs from ROOT in a worktree), if git knows it."""
    try:
        common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(common)
    path = path if path.is_absolute() else ROOT / path
    return path.resolve().parent


def read_pairs(folder: Path) -> list[Pair]:
    """The pairs of pairs.tsv in file order."""
    with open(folder / "pairs.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [Pair(r["img1"], r["img2"], r["same"] == "1", int(r["fold"])) for r in rows]


def person_of(image: str) -> str:
    """The person an image path belongs to (its folder name)."""
    return Path(image).parent.name


def cache_dir() -> Path:
    """Where detections and faceprints are cached between runs."""
    env = os.environ.get("GLIMPSE_LFW_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "glimpse" / "lfw-dev"


def load_rgb(folder: Path, image: str) -> np.ndarray:
    """One LFW image as HxWx3 uint8 RGB."""
    with Image.open(folder / image) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def detect_all(folder: Path, images: list[str], detect: Callable[[np.ndarray], list[DetectedFace]],
               tag: str, refresh: bool = False) -> dict[str, list[DetectedFace]]:
    """Faces of every image by the product's detector, cached under `tag`."""
    path = cache_dir() / f"faces-{tag}.pkl"
    cached = {} if refresh or not path.exists() else pickle.loads(path.read_bytes())
    missing = [i for i in images if i not in cached]
    if missing:
        start = time.perf_counter()
        for n, image in enumerate(missing, 1):
            cached[image] = detect(load_rgb(folder, image))
            _progress("detecting", n, len(missing), start)
        _save(path, cached)
    return {i: cached[i] for i in images}


def embed_all(folder: Path, faces: dict[str, list[DetectedFace]], name: str, embed: Embedder,
              tag: str, refresh: bool = False) -> dict[str, np.ndarray]:
    """Faceprints of every detected face by one embedder, cached under `name` and the detection `tag`."""
    path = cache_dir() / f"vectors-{name}-{tag}.pkl"
    cached = {} if refresh or not path.exists() else pickle.loads(path.read_bytes())
    missing = [i for i, found in faces.items() if i not in cached and found]
    if missing:
        start = time.perf_counter()
        for n, image in enumerate(missing, 1):
            cached[image] = np.asarray(embed(load_rgb(folder, image), faces[image]), dtype=np.float32)
            _progress(f"embedding ({name})", n, len(missing), start)
        _save(path, cached)
    return {i: cached.get(i, np.zeros((0, 1), np.float32)) for i in faces}


def load_images(folder: Path, images: list[str], detect, embedders: dict[str, Embedder], tag: str,
                refresh: bool = False) -> dict[str, Image1]:
    """Every image's faces and each embedder's faceprints (from the cache where possible)."""
    faces = detect_all(folder, images, detect, tag, refresh)
    vectors = {name: embed_all(folder, faces, name, fn, tag, refresh) for name, fn in embedders.items()}
    return {i: Image1(faces[i], {name: vectors[name][i] for name in embedders}) for i in images}


def _save(path: Path, value: dict) -> None:
    """Write a cache file atomically (a killed run leaves the old file, not half a new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


def _progress(what: str, done: int, total: int, start: float) -> None:
    """A one-line progress report on stderr every 250 images."""
    if done % 250 == 0 or done == total:
        rate = done / max(time.perf_counter() - start, 1e-9)
        print(f"  {what}: {done}/{total} images ({rate:.0f}/s)", file=sys.stderr, flush=True)
