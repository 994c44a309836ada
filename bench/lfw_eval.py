"""Verification and identification metrics for the LFW benches: 5-fold accuracy, TAR at FMR, 1:N search."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lfw import Image1, Pair, person_of

# A score matrix: (faces a, faces b) -> len(a) x len(b) scores; a face is (image, index of the face in it).
Matrix = Callable[[list[tuple[Image1, int]], list[tuple[Image1, int]]], np.ndarray]
NO_FACE = -np.inf  # a pair with a missing face never matches


def pair_score(a: Image1, b: Image1, matrix: Matrix, mode: str) -> float:
    """`compare`: a's largest face vs every face of b, best score (what `flask compare` does); `centre`: the LFW
    convention, the face nearest each image's centre."""
    if mode == "centre":
        i, j = a.centre(), b.centre()
        return NO_FACE if i is None or j is None else float(matrix([(a, i)], [(b, j)])[0, 0])
    i = a.largest()
    if i is None or not b.faces:
        return NO_FACE
    return float(matrix([(a, i)], [(b, j) for j in range(len(b.faces))]).max())


def pair_scores(images: dict[str, Image1], pairs: list[Pair], matrix: Matrix, mode: str) -> np.ndarray:
    """One score per pair, in pair order."""
    return np.array([pair_score(images[p.img1], images[p.img2], matrix, mode) for p in pairs])


def best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """The threshold (score >= t means same) with the highest accuracy; midpoints between scores, ties -> middle."""
    values = np.unique(scores[np.isfinite(scores)])
    cuts = np.concatenate([[values[0] - 1e-6], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-6]])
    order = np.argsort(scores)
    sorted_scores, sorted_same = scores[order], same[order]
    # For each cut: true accepts = same pairs at or above it, true rejects = different pairs below it.
    below = np.searchsorted(sorted_scores, cuts, side="left")
    same_below = np.concatenate([[0], np.cumsum(sorted_same)])[below]
    diff_below = below - same_below
    correct = (same.sum() - same_below) + diff_below
    best = np.flatnonzero(correct == correct.max())
    return float(cuts[best[len(best) // 2]])


def rates(scores: np.ndarray, same: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """Accuracy, false-match rate (different pairs accepted) and false non-match rate at a threshold."""
    accept = scores >= threshold
    accuracy = float(np.mean(accept == same))
    return accuracy, float(np.mean(accept[~same])), float(np.mean(~accept[same]))


@dataclass(frozen=True)
class FoldResult:
    """One fold of the 5-fold protocol: the threshold chosen on the other folds and its test accuracy."""

    fold: int
    threshold: float
    accuracy: float


def kfold(scores: np.ndarray, same: np.ndarray, folds: np.ndarray) -> list[FoldResult]:
    """Standard LFW protocol: choose the threshold on four folds, test on the fifth, for each fold."""
    out = []
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        threshold = best_threshold(scores[train], same[train])
        out.append(FoldResult(int(fold), threshold, rates(scores[test], same[test], threshold)[0]))
    return out


def fixed(scores: np.ndarray, same: np.ndarray, folds: np.ndarray, threshold: float) -> list[tuple[float, ...]]:
    """(accuracy, FMR, FNMR) per fold at one fixed threshold (the product's default)."""
    return [rates(scores[folds == f], same[folds == f], threshold) for f in np.unique(folds)]


def threshold_at_fmr(impostor: np.ndarray, fmr: float) -> float:
    """The lowest threshold whose false-match rate over these impostor scores is at most `fmr`."""
    ranked = np.sort(impostor)[::-1]
    allowed = int(np.floor(fmr * len(ranked)))  # this many impostors may reach the threshold
    return float(np.nextafter(ranked[allowed], np.inf)) if allowed < len(ranked) else float(ranked[-1])


def tar_at_fmr(genuine: np.ndarray, impostor: np.ndarray, fmr: float) -> tuple[float, float]:
    """(true-accept rate, threshold) at a false-match rate."""
    threshold = threshold_at_fmr(impostor, fmr)
    return float(np.mean(genuine >= threshold)), threshold


def all_pairs(images: dict[str, Image1], matrix: Matrix):
    """Genuine and impostor scores of every pair of distinct images (face nearest the centre), from a score
    matrix; images without a face are left out and counted."""
    names = [n for n, im in images.items() if im.faces]
    people = np.array([person_of(n) for n in names])
    faces = [(images[n], images[n].centre()) for n in names]
    scores = matrix(faces, faces)
    upper = np.triu_indices(len(names), k=1)
    same = people[upper[0]] == people[upper[1]]
    values = scores[upper]
    return values[same], values[~same], len(images) - len(names)


@dataclass(frozen=True)
class Identification:
    """1:N search on LFW-dev: enrolled people, probes of them, probes of strangers, and the outcomes."""

    enrolled: int
    probes: int
    strangers: int
    rank1: float  # nearest enrolled face is the right person (no threshold)
    named_right: float  # right person at or above the threshold
    named_wrong: float  # an enrolled person's probe named as someone else
    unknown: float  # an enrolled person's probe below the threshold
    stranger_named: float  # a stranger named as an enrolled person (false accept)


def identification(images: dict[str, Image1], matrix: Matrix,
                   threshold: float) -> Identification:
    """Enrol the first photo of every person with several; search each other photo and every photo of a person
    with only one. `matrix(probes, gallery)` scores probe faces (rows) against enrolled faces (columns)."""
    by_person: dict[str, list[str]] = {}
    for name in sorted(images):
        if images[name].faces:
            by_person.setdefault(person_of(name), []).append(name)
    gallery = [(p, names[0]) for p, names in by_person.items() if len(names) > 1]
    probes = [(p, n) for p, names in by_person.items() if len(names) > 1 for n in names[1:]]
    strangers = [(p, names[0]) for p, names in by_person.items() if len(names) == 1]
    enrolled = [(images[n], images[n].largest()) for _, n in gallery]  # enrolment keeps the largest face
    gallery_people = np.array([p for p, _ in gallery])

    def search(items):
        scores = matrix([(images[n], images[n].centre()) for _, n in items], enrolled)
        best = np.argmax(scores, axis=1)
        return gallery_people[best], scores[np.arange(len(items)), best]

    who, score = search(probes)
    truth = np.array([p for p, _ in probes])
    hit = score >= threshold
    _, stranger_score = search(strangers)
    return Identification(
        enrolled=len(gallery), probes=len(probes), strangers=len(strangers), rank1=float(np.mean(who == truth)),
        named_right=float(np.mean(hit & (who == truth))), named_wrong=float(np.mean(hit & (who != truth))),
        unknown=float(np.mean(~hit)), stranger_named=float(np.mean(stranger_score >= threshold)),
    )
