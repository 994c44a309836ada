"""The local engine's 0-100 similarity scale, calibrated on LFW-dev so that a threshold means a false-match rate.

How it was measured (`python bench/lfw_accuracy.py`, docs/accuracy.md): every image of LFW-dev (3,890 images of
2,195 people, LFW folds 6-10) was detected and embedded by the shipped code (YuNet 2023mar int8 + SFace 2021dec
int8); the face nearest each image's centre was scored against every other image's: 7,560,418 pairs of
different people (impostors) and 3,687 pairs of the same person. Each anchor below is the SFace cosine that
exactly that share of impostor pairs reaches (the false-match rate, FMR, per pair), rounded to 0.005.
Between anchors the scale is linear in the cosine, so it is monotonic and any threshold has a meaning:

    similarity  SFace cosine  impostor pairs at or above (FMR)   same-person pairs at or above (TAR)
        20        0.085          50 %                              100 %
        50        0.290           1 %                               99.70 %
        80        0.360           0.090 %  (the default)            99.32 %
        90        0.415           0.010 %                           98.29 %
        95        0.470           0.001 %                           95.88 %
        98        0.520           0.0001 % (7 pairs: noisy)         91.02 %

80 sits at cosine 0.36: the lowest round cosine whose FMR stays under 0.1 % per pair (0.357 is exactly 0.1 %).
On the 3,000 official pairs it gives 99.37 % accuracy with `flask compare` semantics (1 false match, 18
missed), as good as the accuracy-optimal cosines the 5-fold protocol picks (0.33-0.34, 99.37 %), which let
0.19-0.27 % of impostor pairs through. The old 13-face calibration put 80 at 0.40 (FMR 0.019 %, 98.81 %
of same-person pairs). A 1:N search compares a face with every enrolled face, so per-pair rates add up: with
1,000 enrolled faces, 0.1 % per pair is about one false candidate per search of a stranger; use 90-95 for
large collections (docs/accuracy.md).
"""
from __future__ import annotations

import numpy as np

MATCH_SIMILARITY = 80.0
# (SFace cosine, similarity) anchors; the ends pin cosine -1 to 0 and cosine 1 to 100.
SFACE_ANCHORS: tuple[tuple[float, float], ...] = (
    (-1.0, 0.0), (0.085, 20.0), (0.290, 50.0), (0.360, 80.0), (0.415, 90.0), (0.470, 95.0), (0.520, 98.0),
    (1.0, 100.0),
)
MATCH_COSINE = dict((s, c) for c, s in SFACE_ANCHORS)[MATCH_SIMILARITY]


# The shipped engine fuses SFace with dlib's ResNet (fused_engine.py): its faceprint is both prints side by
# side, weighted so that the dot product of two is FUSED_SFACE_SHARE x SFace cosine + (1 - share) x dlib
# cosine: the z-score average of the two cosines up to an affine map (z-scores with the mean / std of each
# cosine over the 3,000 LFW-dev pairs: SFace 0.3707 / 0.3057, dlib 0.8922 / 0.0654; weight 1/2 each, so
# share = (0.5 / 0.3057) / (0.5 / 0.3057 + 0.5 / 0.0654)). Anchors measured as above, on that dot product
# (`python bench/lfw_accuracy.py`), FMR per pair over the 7,560,418 impostor pairs:
#     similarity 20: 0.703 (50 %)   50: 0.787 (1 %)   80: 0.812 (0.1 %)   90: 0.831 (0.01 %)
#     95: 0.848 (0.001 %)   98: 0.867 (0.0001 %)
# At 80, 99.59 % of same-person pairs reach it (SFace alone at its 80: 99.29 %).
FUSED_SFACE_SHARE = 0.1762
FUSED_ANCHORS: tuple[tuple[float, float], ...] = (
    (-1.0, 0.0), (0.703, 20.0), (0.787, 50.0), (0.812, 80.0), (0.831, 90.0), (0.848, 95.0), (0.867, 98.0),
    (1.0, 100.0),
)
MATCH_FUSED = dict((s, c) for c, s in FUSED_ANCHORS)[MATCH_SIMILARITY]


class Scale:
    """A calibrated 0-100 scale over one engine's score, from its (score, similarity) anchors."""

    def __init__(self, anchors: tuple[tuple[float, float], ...]):
        self.scores = np.array([c for c, _ in anchors])
        self.similarities = np.array([s for _, s in anchors])

    def similarity(self, score: float) -> float:
        """The similarity of one score (clamped to [-1, 1] first)."""
        return float(np.interp(min(max(float(score), -1.0), 1.0), self.scores, self.similarities))

    def similarity_array(self, scores: np.ndarray) -> np.ndarray:
        """similarity() of every value of an array (NaN and -inf give 0)."""
        values = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-1.0, neginf=-1.0, posinf=1.0)
        mapped: np.ndarray = np.interp(np.clip(values, -1.0, 1.0), self.scores, self.similarities)
        return mapped

    def score_at(self, similarity_value: float) -> float:
        """The score at which the scale reaches a similarity (the inverse, for documentation and benches)."""
        return float(np.interp(similarity_value, self.similarities, self.scores))


SFACE = Scale(SFACE_ANCHORS)
FUSED = Scale(FUSED_ANCHORS)


def similarity(cosine: float) -> float:
    """The 0-100 similarity of one SFace cosine (clamped to [-1, 1] first)."""
    return SFACE.similarity(cosine)


def similarity_array(cosines: np.ndarray) -> np.ndarray:
    """similarity() of every value of an array (NaN and -inf give 0)."""
    return SFACE.similarity_array(cosines)


def cosine_at(similarity_value: float) -> float:
    """The SFace cosine at which the scale reaches a similarity (the inverse, for documentation and benches)."""
    return SFACE.score_at(similarity_value)
