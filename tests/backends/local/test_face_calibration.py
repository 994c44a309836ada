"""The calibrated similarity scale: monotonic, pinned at its measured anchors, invertible."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from webapp.backends.local import face_calibration as calibration


def test_scale_is_monotonic_from_0_to_100() -> None:
    scores = [calibration.similarity(c) for c in np.linspace(-1.0, 1.0, 2001)]
    assert all(b >= a for a, b in itertools.pairwise(scores))
    assert scores[0] == 0.0 and scores[-1] == 100.0


def test_default_threshold_is_80_at_the_match_cosine() -> None:
    assert calibration.similarity(calibration.MATCH_COSINE) == pytest.approx(80.0)
    assert calibration.similarity(calibration.MATCH_COSINE - 0.005) < 80.0 < calibration.similarity(
        calibration.MATCH_COSINE + 0.005)


@pytest.mark.parametrize(("cosine", "expected"), list(calibration.SFACE_ANCHORS))
def test_every_anchor_maps_to_its_similarity(cosine: float, expected: float) -> None:
    assert calibration.similarity(cosine) == pytest.approx(expected)
    assert calibration.cosine_at(expected) == pytest.approx(cosine)


def test_array_form_agrees_with_scalar_and_tolerates_missing_faces() -> None:
    values = np.array([-3.0, -0.5, 0.2, 0.37, 0.9, 4.0])
    assert calibration.similarity_array(values) == pytest.approx([calibration.similarity(v) for v in values])
    assert calibration.similarity_array(np.array([-np.inf, np.nan])) == pytest.approx([0.0, 0.0])
