"""SFace, dlib's ResNet and their fusion on LFW-dev: 5-fold accuracy, TAR at low FMR, per-face cost.

Run from the repo root: ``python bench/lfw_fusion.py [--lfw DIR] [--cache FILE]``.
Reads ../shared/lfw-dev (pairs.tsv, folds 6-10; never copied into the repo). Faces are
found by Glimpse's FaceEngine (YuNet); each image is embedded twice, with the face
nearest the image centre (the LFW convention) and with the largest face (what Glimpse's
compare does). Embeddings are cached outside the repo so reruns take seconds.
Protocol: the threshold (and the fusion's z-score statistics) are chosen on four folds
and tested on the fifth; the mean over the five rotations is reported.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lfw_metrics import (  # noqa: E402
    FROZEN_FUSION,
    fused,
    kfold_accuracy,
    kfold_fixed_fusion,
    tar_at_fmr,
    zstats,
)
from tests.photos import photo_path  # noqa: E402
from webapp.backends.local.dlib_faceprint import DlibFaceprint  # noqa: E402
from webapp.backends.local.face_engine import FaceEngine  # noqa: E402

CACHE_VERSION = "1"  # bump when detection or embedding changes
CHOICES = ("centre", "largest")


def find_lfw(arg: str | None) -> Path:
    """The LFW-dev folder, or exit with a message saying where it was looked for."""
    candidates = [Path(arg)] if arg else [ROOT.parent / "shared" / "lfw-dev", ROOT.parent.parent / "shared" / "lfw-dev"]
    for folder in candidates:
        if (folder / "pairs.tsv").is_file():
            return folder
    sys.exit(f"LFW-dev not found (looked for pairs.tsv in {', '.join(map(str, candidates))}); "
             "pass --lfw DIR. Nothing measured.")


def read_pairs(folder: Path) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    """(img1, img2) paths, same-person flags and folds from pairs.tsv."""
    with open(folder / "pairs.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    pairs = [(r["img1"], r["img2"]) for r in rows]
    return pairs, np.array([r["same"] == "1" for r in rows]), np.array([int(r["fold"]) for r in rows])


def _nearest_centre(faces: list) -> int:
    """Index of the face whose box centre is nearest the image centre."""
    def distance(face) -> float:
        box = face.bounding_box
        return (box.left + box.width / 2 - 0.5) ** 2 + (box.top + box.height / 2 - 0.5) ** 2
    return min(range(len(faces)), key=lambda i: distance(faces[i]))


def embed_image(engine: FaceEngine, dlib: DlibFaceprint, rgb: np.ndarray) -> dict[str, np.ndarray] | None:
    """SFace and dlib faceprints of the centre and the largest face, or None without a face."""
    faces = engine.detect(rgb)  # largest first
    if not faces:
        return None
    height, width = rgb.shape[:2]
    chosen = {"centre": faces[_nearest_centre(faces)], "largest": faces[0]}
    landmarks = [tuple((x * width, y * height) for x, y in chosen[c].landmarks) for c in CHOICES]
    dlib_prints = dlib.embed_many(rgb, landmarks)
    out = {}
    for i, choice in enumerate(CHOICES):
        out[f"sface_{choice}"] = engine.embed(rgb, chosen[choice])
        out[f"dlib_{choice}"] = dlib_prints[i]
    return out


def embed_all(folder: Path, images: list[str], cache: Path) -> dict[str, np.ndarray]:
    """Embeddings of every image (zeros where no face was found), cached in ``cache``."""
    if cache.is_file():
        with np.load(cache) as data:
            if list(data["images"]) == images:
                return {k: data[k] for k in data.files}
    engine, dlib = FaceEngine(threads=1), DlibFaceprint(threads=1)
    keys = [f"{model}_{c}" for model in ("sface", "dlib") for c in CHOICES]
    out = {k: np.zeros((len(images), 128), np.float32) for k in keys}
    found = np.zeros(len(images), bool)
    started = time.perf_counter()
    for i, name in enumerate(images):
        prints = embed_image(engine, dlib, np.asarray(Image.open(folder / name).convert("RGB")))
        if prints is not None:
            found[i] = True
            for key in keys:
                out[key][i] = prints[key]
        if (i + 1) % 250 == 0:
            print(f"  embedded {i + 1}/{len(images)} images ({time.perf_counter() - started:.0f} s)", flush=True)
    out.update(images=np.array(images), found=found)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    os.replace(tmp, cache)
    return out


def pair_scores(emb: dict[str, np.ndarray], index: dict[str, int], pairs: list[tuple[str, str]]) -> dict:
    """Cosine of each pair for each model and face choice."""
    a = np.array([index[p] for p, _ in pairs])
    b = np.array([index[q] for _, q in pairs])
    return {key: np.sum(emb[key][a] * emb[key][b], axis=1)
            for key in emb if key.startswith(("sface_", "dlib_"))}


def report_choice(choice: str, scores: dict, same: np.ndarray, folds: np.ndarray) -> None:
    """Accuracy and TAR lines for one face choice."""
    s, d = scores[f"sface_{choice}"], scores[f"dlib_{choice}"]
    print(f"\n== {choice} face ==")
    (sm, ss), (dm, ds) = zstats(s), zstats(d)
    print(f"z-score statistics (mean, std) over all pairs: SFace ({sm:.4f}, {ss:.4f}), dlib ({dm:.4f}, {ds:.4f})")
    print(f"{'engine':34s} {'5-fold acc':>16s} {'errors':>7s} {'TAR@FMR1e-3':>12s} {'TAR@FMR1e-4':>12s}")
    rows = {"SFace": (s, None), "dlib ResNet": (d, None),
            "fusion (z-score, train-fold stats)": (None, "train"), "fusion (frozen constants)": (None, "frozen")}
    for label, (single, mode) in rows.items():
        if single is not None:
            mean, std, errors = kfold_accuracy(single, same, folds)
            pooled = single
        elif mode == "train":
            mean, std, errors = kfold_accuracy(None, same, folds, pair=(s, d))
            pooled = fused(s, d, zstats(s), zstats(d))
        else:
            mean, std, errors = kfold_fixed_fusion(s, d, same, folds)
            pooled = fused(s, d, *FROZEN_FUSION)
        tar3, tar4 = (tar_at_fmr(pooled[same], pooled[~same], f) for f in (1e-3, 1e-4))
        print(f"{label:34s} {100 * mean:9.2f} ± {100 * std:4.2f} {errors:7d} {100 * tar3:11.2f}% {100 * tar4:11.2f}%")


def report_all_pairs(emb: dict[str, np.ndarray], images: list[str]) -> None:
    """TAR at FMR 1e-3/1e-4 over every image pair (millions of impostors), centre face."""
    people = np.array([Path(p).parent.name for p in images])
    found = emb["found"]
    upper = np.triu(np.ones((len(images), len(images)), bool), k=1) & found[:, None] & found[None, :]
    same = (people[:, None] == people[None, :])[upper]
    cos = {m: (emb[f"{m}_centre"] @ emb[f"{m}_centre"].T)[upper] for m in ("sface", "dlib")}
    print(f"\n== every image pair, centre face: {same.sum()} genuine, {(~same).sum()} impostor pairs ==")
    fusion = fused(cos["sface"], cos["dlib"], *FROZEN_FUSION)
    for label, score in (("SFace", cos["sface"]), ("dlib ResNet", cos["dlib"]), ("fusion (frozen)", fusion)):
        tars = [tar_at_fmr(score[same], score[~same], f) for f in (1e-3, 1e-4)]
        thresholds = [np.quantile(score[~same], 1 - f) for f in (1e-3, 1e-4)]
        print(f"{label:18s} TAR@1e-3 {100 * tars[0]:6.2f}% (score {thresholds[0]:.3f})"
              f"   TAR@1e-4 {100 * tars[1]:6.2f}% (score {thresholds[1]:.3f})")


def report_weights(scores: dict, same: np.ndarray, folds: np.ndarray, emb: dict, images: list[str]) -> None:
    """Fixed-weight fusions (frozen statistics, SFace weight w): official pairs and every image pair."""
    s, d = scores["sface_centre"], scores["dlib_centre"]
    people = np.array([Path(p).parent.name for p in images])
    upper = np.triu(np.ones((len(images), len(images)), bool), k=1)
    all_same = (people[:, None] == people[None, :])[upper]
    all_s, all_d = ((emb[f"{m}_centre"] @ emb[f"{m}_centre"].T)[upper] for m in ("sface", "dlib"))
    print("\n== fixed-weight fusion, frozen statistics, centre face (w = SFace weight; w = 1 is SFace alone) ==")
    header = ("w", "5-fold acc", "errors", "pairs TAR@1e-3", "all-pairs TAR@1e-3", "@1e-4")
    print(" ".join(f"{h:>{w}s}" for h, w in zip(header, (5, 16, 7, 15, 19, 7), strict=True)))
    for weight in (0.5, 0.6, 0.7, 0.8, 1.0):
        mean, std, errors = kfold_fixed_fusion(s, d, same, folds, weight)
        pooled = fused(s, d, *FROZEN_FUSION, weight)
        tar3 = tar_at_fmr(pooled[same], pooled[~same], 1e-3)
        every = fused(all_s, all_d, *FROZEN_FUSION, weight)
        all3, all4 = (tar_at_fmr(every[all_same], every[~all_same], f) for f in (1e-3, 1e-4))
        print(f"{weight:5.1f} {100 * mean:9.2f} ± {100 * std:4.2f} {errors:7d} {100 * tar3:14.2f}% "
              f"{100 * all3:18.2f}% {100 * all4:6.2f}%")


def report_cost(repeat: int) -> None:
    """Median wall and CPU ms of embed_many on 1 and 6 faces (obama3.jpg, t1.jpg)."""
    engine = FaceEngine()
    print("\n== dlib embed_many cost (align + network; median of", repeat, "runs; machine shared, noisy) ==")
    for threads in (1, 2):
        dlib = DlibFaceprint(threads=threads)
        dlib.load()
        for name in ("obama3.jpg", "t1.jpg"):
            rgb = np.asarray(Image.open(photo_path(name)).convert("RGB"))
            h, w = rgb.shape[:2]
            marks = [tuple((x * w, y * h) for x, y in f.landmarks) for f in engine.detect(rgb)][:6]
            dlib.embed_many(rgb, marks)
            wall, cpu = [], []
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                dlib.embed_many(rgb, marks)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            n = len(marks)
            print(f"threads={threads} {n} face(s) {rgb.shape[1]}x{rgb.shape[0]}: "
                  f"{1000 * statistics.median(wall):6.1f} ms wall ({1000 * statistics.median(wall) / n:5.1f} ms/face), "
                  f"{1000 * statistics.median(cpu):6.1f} ms CPU "
                  f"({1000 * statistics.median(cpu) / n:5.1f} ms/face)")


def main() -> None:
    """Parse arguments, embed (or load cached embeddings) and print every table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", help="LFW-dev folder (default: ../shared/lfw-dev)")
    parser.add_argument("--cache", help="embeddings cache file (default: ~/.cache/glimpse/lfw-fusion-*.npz)")
    parser.add_argument("--repeat", type=int, default=20, help="timing repetitions")
    args = parser.parse_args()
    folder = find_lfw(args.lfw)
    pairs, same, folds = read_pairs(folder)
    images = sorted({p for pair in pairs for p in pair})
    key = hashlib.sha256((CACHE_VERSION + "\n".join(images)).encode()).hexdigest()[:12]
    cache = Path(args.cache) if args.cache else Path.home() / ".cache" / "glimpse" / f"lfw-fusion-{key}.npz"
    print(f"LFW-dev: {folder} ({len(pairs)} pairs, {len(images)} images); embeddings cache {cache}")
    emb = embed_all(folder, images, cache)
    print(f"faces found in {int(emb['found'].sum())} of {len(images)} images (no face: the pair scores 0)")
    scores = pair_scores(emb, {name: i for i, name in enumerate(images)}, pairs)
    for choice in CHOICES:
        report_choice(choice, scores, same, folds)
    report_all_pairs(emb, images)
    report_weights(scores, same, folds, emb, images)
    report_cost(args.repeat)


if __name__ == "__main__":
    main()
