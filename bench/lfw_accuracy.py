"""Face matching accuracy on LFW-dev (3,000 official pairs, folds 6-10) with the standard protocol.

Run from the repo root: ``python bench/lfw_accuracy.py [--plot docs/lfw-roc.png] [--refresh]``.
Every image is detected and embedded once by the product code (FaceEngine.detect / embed) and cached
(bench/lfw.py). Reported per engine:
- pair accuracy, 5-fold (threshold chosen on 4 folds, tested on the 5th, mean), for `compare` semantics (the
  largest face of the first photo against every face of the second: what `flask compare` does, Rekognition's
  CompareFaces) and for the LFW convention (the face nearest each image's centre, labelled `centre`);
- accuracy, false-match and false non-match rates at the product's default threshold (similarity 80);
- over every pair of the 3,890 images (centre faces): TAR at FMR 1e-3 and 1e-4, FMR at the default threshold;
- 1:N identification: one photo of each person with several enrolled, the rest and strangers searched.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from lfw import ROOT, Image1, data_dir, load_images, read_pairs
from lfw_eval import (
    Matrix,
    all_pairs,
    best_threshold,
    fixed,
    identification,
    kfold,
    pair_scores,
    rates,
    tar_at_fmr,
    threshold_at_fmr,
)

from webapp.backends.local import face_calibration as calibration
from webapp.backends.local.face_engine import FaceEngine

DETECTION_TAG = "yunet2023mar-int8bq-t0.6-turns-v3"  # bump when detection behaviour changes


@dataclass(frozen=True)
class Model:
    """A way of scoring two faces, and the score at which the product says "same person" (similarity 80)."""

    name: str
    matrix: Matrix
    default: float
    similarity: object  # score array -> similarity array (the product's 0-100 scale)
    inverse: object  # similarity -> score


def cosine_matrix(engine: str) -> Matrix:
    """Cosine of one engine's faceprints."""
    def matrix(a: list[tuple[Image1, int]], b: list[tuple[Image1, int]]) -> np.ndarray:
        left = np.stack([im.vectors[engine][i] for im, i in a]) if a else np.zeros((0, 1))
        right = np.stack([im.vectors[engine][i] for im, i in b]) if b else np.zeros((0, left.shape[1]))
        return left @ right.T
    return matrix


def sface_embedder(engine: FaceEngine):
    """SFace faceprints of given faces, exactly as the product computes them."""
    return lambda rgb, faces: np.stack([engine.embed(rgb, f) for f in faces])


def dlib_embedder():
    """dlib ResNet faceprints of given faces (YuNet landmarks in pixels), or None if its module is absent."""
    try:
        from webapp.backends.local.dlib_faceprint import DlibFaceprint
    except ImportError:
        return None
    dlib = DlibFaceprint(threads=2)

    def embed(rgb: np.ndarray, faces) -> np.ndarray:
        height, width = rgb.shape[:2]
        return dlib.embed_many(rgb, [tuple((x * width, y * height) for x, y in f.landmarks) for f in faces])
    return embed


def fused_matrix(share: float) -> Matrix:
    """The shipped fusion (fused_engine.py): share x SFace cosine + (1 - share) x dlib cosine."""
    sface, dlib = cosine_matrix("sface"), cosine_matrix("dlib")
    return lambda a, b: share * sface(a, b) + (1 - share) * dlib(a, b)


def verification(name: str, model: Model, images, pairs) -> None:
    """Print 5-fold accuracy and the rates at the default threshold, for both face choices."""
    same = np.array([p.same for p in pairs])
    folds = np.array([p.fold for p in pairs])
    for mode in ("compare", "centre"):
        scores = pair_scores(images, pairs, model.matrix, mode)
        results = kfold(scores, same, folds)
        accuracies = np.array([r.accuracy for r in results])
        thresholds = np.array([r.threshold for r in results])
        at_default = np.array(fixed(scores, same, folds, model.default))
        wrong_same = int(np.sum(same & (scores < model.default)))
        wrong_diff = int(np.sum(~same & (scores >= model.default)))
        print(f"  {name:8s} {mode:8s} 5-fold {accuracies.mean():7.2%} ± {accuracies.std():.2%}  "
              f"(thresholds {thresholds.min():.3f}-{thresholds.max():.3f}) | at similarity 80 "
              f"({model.default:.3f}): accuracy {at_default[:, 0].mean():7.2%}, false matches "
              f"{wrong_diff}/{int((~same).sum())} ({at_default[:, 1].mean():.2%}), missed {wrong_same}/"
              f"{int(same.sum())}")


def every_pair(name: str, model: Model, images) -> tuple[np.ndarray, np.ndarray]:
    """Print TAR at FMR 1e-3 / 1e-4 and the FMR at the default threshold over every pair of images."""
    genuine, impostor, faceless = all_pairs(images, model.matrix)
    parts = []
    for fmr in (1e-3, 1e-4):
        tar, threshold = tar_at_fmr(genuine, impostor, fmr)
        similarity = ""
        if model.similarity:
            similarity = f" = similarity {float(model.similarity(np.array([threshold]))[0]):.1f}"
        parts.append(f"TAR@FMR{fmr:.0e} {tar:7.2%} (score {threshold:.3f}{similarity})")
    for sim in (50, 80, 90, 95) if model.inverse else ():
        t = float(model.inverse(sim))
        print(f"  {name:8s} similarity {sim}: score {t:.3f}, FMR {np.mean(impostor >= t):.5%}, "
              f"TAR {np.mean(genuine >= t):.2%}")
    fmr_default = float(np.mean(impostor >= model.default))
    tar_default = float(np.mean(genuine >= model.default))
    print(f"  {name:8s} {len(genuine):,} genuine / {len(impostor):,} impostor pairs ({faceless} faceless images "
          f"left out): " + ", ".join(parts))
    print(f"  {name:8s} at similarity 80: TAR {tar_default:.2%}, FMR {fmr_default:.4%} "
          f"({int(np.sum(impostor >= model.default)):,} impostor pairs)")
    return genuine, impostor


def one_to_n(name: str, model: Model, images) -> None:
    """Print 1:N identification at the default threshold (and at 90 and 95 for calibrated engines)."""
    levels = [(80, model.default)] + ([(v, model.inverse(v)) for v in (90, 95)] if model.inverse else [])
    for level, threshold in levels:
        r = identification(images, model.matrix, threshold)
        if level == 80:
            print(f"  {name:8s} {r.enrolled} enrolled, {r.probes} probes, {r.strangers} strangers: "
                  f"rank-1 {r.rank1:.2%}")
        print(f"  {name:8s} at similarity {level}: named right {r.named_right:.2%}, named wrong {r.named_wrong:.2%}, "
              f"unknown {r.unknown:.2%}; strangers named {r.stranger_named:.2%}")


def refit_fusion(images, pairs) -> None:
    """5-fold accuracy of the fusion with its weights re-estimated on the four training folds each time."""
    same, folds = np.array([p.same for p in pairs]), np.array([p.fold for p in pairs])
    for mode in ("compare", "centre"):
        accuracies = []
        for fold in np.unique(folds):
            train = [p for p in pairs if p.fold != fold]
            sface = pair_scores(images, train, cosine_matrix("sface"), "centre")
            dlib = pair_scores(images, train, cosine_matrix("dlib"), "centre")
            weight_s, weight_d = 0.5 / sface.std(), 0.5 / dlib.std()  # z-score average, as shipped
            scores = pair_scores(images, pairs, fused_matrix(weight_s / (weight_s + weight_d)), mode)
            threshold = best_threshold(scores[folds != fold], same[folds != fold])
            accuracies.append(rates(scores[folds == fold], same[folds == fold], threshold)[0])
        print(f"  fused    {mode:8s} 5-fold with the weights re-estimated on the training folds: "
              f"{np.mean(accuracies):.2%} ± {np.std(accuracies):.2%}")


def models(with_dlib: bool) -> dict[str, Model]:
    """SFace and, when dlib's module is there, dlib alone and the shipped fusion."""
    sface = calibration.SFACE
    out = {"sface": Model("sface", cosine_matrix("sface"), calibration.MATCH_COSINE, sface.similarity_array,
                          sface.score_at)}
    if with_dlib:
        # dlib alone is not shipped, so not calibrated: its "80" is the cosine at FMR 1e-3 over every pair here.
        out["dlib"] = Model("dlib", cosine_matrix("dlib"), np.nan, None, None)
        fused = calibration.FUSED
        out["fused"] = Model("fused", fused_matrix(calibration.FUSED_SFACE_SHARE), calibration.MATCH_FUSED,
                             fused.similarity_array, fused.score_at)
    return out


def main() -> None:
    """Load or compute every faceprint, then print verification, all-pairs and 1:N numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path, help="write a ROC / DET plot (PNG) here")
    parser.add_argument("--refresh", action="store_true", help="recompute detections and faceprints")
    parser.add_argument("--sface-only", action="store_true", help="leave dlib's faceprint and the fusion out")
    args = parser.parse_args()
    folder = data_dir()
    pairs = read_pairs(folder)
    names = sorted({p.img1 for p in pairs} | {p.img2 for p in pairs})
    engine = FaceEngine(threads=2)
    embedders = {"sface": sface_embedder(engine)}
    dlib = None if args.sface_only else dlib_embedder()
    if dlib is not None:
        embedders["dlib"] = dlib
    images = load_images(folder, names, engine.detect, embedders, DETECTION_TAG, args.refresh)
    counts = np.array([len(im.faces) for im in images.values()])
    print(f"LFW-dev at {folder}: {len(pairs)} pairs, {len(names)} images; no face found in {int(np.sum(counts == 0))}, "
          f"several faces in {int(np.sum(counts > 1))}")
    scored = models(dlib is not None)
    print("\nevery pair of images (centre faces)")
    curves = {}
    for name, model in scored.items():
        if np.isnan(model.default):  # uncalibrated: use the score at FMR 1e-3 over every pair (optimistic)
            genuine, impostor, _ = all_pairs(images, model.matrix)
            scored[name] = model = replace(model, default=threshold_at_fmr(impostor, 1e-3))
        curves[name] = every_pair(name, model, images)
    print("\nverification, official pairs (compare: largest face vs every face, as `flask compare`; "
          "centre: LFW convention)")
    for name, model in scored.items():
        verification(name, model, images, pairs)
    if "fused" in scored:
        refit_fusion(images, pairs)
    print("\n1:N identification (enrol first photo's largest face; search centre faces)")
    for name, model in scored.items():
        one_to_n(name, model, images)
    if args.plot:
        from lfw_plot import roc_det

        roc_det(curves, {n: m.default for n, m in scored.items()}, args.plot)
        print(f"\nplot written to {args.plot.resolve().relative_to(ROOT) if args.plot.is_absolute() else args.plot}")


if __name__ == "__main__":
    sys.exit(main())
