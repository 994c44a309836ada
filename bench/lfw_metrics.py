"""Verification metrics for the LFW benches: k-fold accuracy, score fusion, TAR at a false-match rate."""
from __future__ import annotations

import numpy as np

# z-score statistics (mean, std) of SFace and dlib cosines over all 3,000 LFW-dev pairs,
# centre face, measured by bench/lfw_fusion.py and frozen here: a shipped engine needs
# fixed constants. (They saw every fold, so the "frozen" rows are slightly optimistic.)
FROZEN_SFACE = (0.3707, 0.3057)
FROZEN_DLIB = (0.8922, 0.0654)
FROZEN_FUSION = (FROZEN_SFACE, FROZEN_DLIB)


def zstats(scores: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a score sample."""
    return float(np.mean(scores)), float(np.std(scores))


def fused(
    sface: np.ndarray, dlib: np.ndarray, s_stats: tuple[float, float], d_stats: tuple[float, float],
    sface_weight: float = 0.5,
) -> np.ndarray:
    """Weighted average (SFace weight, dlib 1 - weight) of the two cosines, each z-scored with (mean, std)."""
    z_sface = (sface - s_stats[0]) / s_stats[1]
    z_dlib = (dlib - d_stats[0]) / d_stats[1]
    return sface_weight * z_sface + (1 - sface_weight) * z_dlib


def best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """The threshold (score >= t means same person) with the most correct decisions."""
    order = np.argsort(scores)
    sorted_scores, sorted_same = scores[order], same[order]
    # Cutting before position i rejects items [0, i) and accepts [i, n).
    rejected_correct = np.concatenate([[0], np.cumsum(~sorted_same)])
    accepted_correct = np.concatenate([np.cumsum(sorted_same[::-1])[::-1], [0]])
    correct = rejected_correct + accepted_correct
    i = int(np.argmax(correct))
    if i == 0:
        return float(sorted_scores[0]) - 1e-6
    if i == len(scores):
        return float(sorted_scores[-1]) + 1e-6
    return float((sorted_scores[i - 1] + sorted_scores[i]) / 2)


def kfold_accuracy(
    scores: np.ndarray | None, same: np.ndarray, folds: np.ndarray,
    pair: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, float, int]:
    """Mean and std of test-fold accuracy, and total errors, with each threshold set on the other folds.

    With ``pair`` (SFace, dlib cosines) the score is their z-score fusion, whose statistics
    also come from the training folds only.
    """
    accuracies, errors = [], 0
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        if pair is not None:
            s, d = pair
            fold_scores = fused(s, d, zstats(s[train]), zstats(d[train]))
        else:
            fold_scores = scores
        threshold = best_threshold(fold_scores[train], same[train])
        correct = (fold_scores[test] >= threshold) == same[test]
        accuracies.append(float(correct.mean()))
        errors += int((~correct).sum())
    return float(np.mean(accuracies)), float(np.std(accuracies)), errors


def kfold_fixed_fusion(
    sface: np.ndarray, dlib: np.ndarray, same: np.ndarray, folds: np.ndarray, sface_weight: float = 0.5,
) -> tuple[float, float, int]:
    """k-fold accuracy of the fusion with the frozen statistics (only the threshold is trained)."""
    return kfold_accuracy(fused(sface, dlib, *FROZEN_FUSION, sface_weight), same, folds)


def tar_at_fmr(genuine: np.ndarray, impostor: np.ndarray, fmr: float) -> float:
    """Share of genuine pairs accepted at the strictest threshold letting at most ``fmr`` impostors through."""
    ranked = np.sort(impostor)[::-1]
    allowed = int(np.floor(fmr * len(ranked)))
    threshold = ranked[min(allowed, len(ranked) - 1)]
    return float(np.mean(genuine > threshold))
