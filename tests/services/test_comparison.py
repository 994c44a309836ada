"""Compare faces: verdicts, thresholds, JSON shape and the batch cache (fake engine)."""
import base64
import io

import pytest
from PIL import Image

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo
from webapp.domain import BoundingBox, DetectedFace, FaceComparison
from webapp.errors import InvalidImage, InvalidInput, TooLarge
from webapp.services.comparison import (
    Comparer,
    PairResult,
    comparison_dict,
    parse_threshold,
    preview_uri,
    sentence,
)
from webapp.services.limits import Limits

LIMITS = Limits(max_bytes=5_000_000, max_pixels=10_000_000, match_threshold=80.0)


@pytest.fixture
def comparer(backend):
    return Comparer(backend, LIMITS)


def _compare(comparer, source: bytes, target: bytes, threshold=None) -> FaceComparison:
    return comparer.compare(comparer.decode(source), comparer.decode(target), threshold)


def test_same_face_matches_with_high_similarity(comparer):
    result = _compare(comparer, make_photo(RED), make_photo(RED))
    assert result.source_face is not None and result.unmatched == ()
    assert result.similarity == pytest.approx(100.0, abs=0.01)
    assert sentence(result) == "Same person (similarity 100)"


def test_different_faces_do_not_match(comparer):
    result = _compare(comparer, make_photo(RED), make_photo(BLUE))
    assert result.matches == () and len(result.unmatched) == 1 and result.similarity is None
    assert sentence(result) == "Different people"


def test_largest_source_face_is_compared_with_every_target_face(comparer):
    # The source's largest face is GREEN; the target holds RED (largest), GREEN and BLUE.
    result = _compare(comparer, make_photo(GREEN, RED), make_photo(RED, GREEN, BLUE))
    assert result.target_faces == 3 and len(result.matches) == 1 and len(result.unmatched) == 2
    matched_box = result.matches[0][0].bounding_box
    assert matched_box.left > result.unmatched[0].bounding_box.left  # GREEN is the second square


def test_matches_are_best_first(comparer):
    result = _compare(comparer, make_photo(RED), make_photo(BLUE, RED, GREEN), threshold=0)
    similarities = [s for _, s in result.matches]
    assert similarities == sorted(similarities, reverse=True) and len(similarities) == 3
    assert similarities[0] == pytest.approx(100.0, abs=0.01) and similarities[1] < 50


def test_no_face_in_first_or_second_photo_is_said_plainly(comparer):
    no_source = _compare(comparer, make_photo(), make_photo(RED))
    assert no_source.source_face is None and no_source.matches == ()
    assert sentence(no_source) == "No face found in the first photo"
    no_target = _compare(comparer, make_photo(RED), make_photo())
    assert no_target.source_face is not None and no_target.target_faces == 0
    assert sentence(no_target) == "No face found in the second photo"


def test_default_threshold_is_the_recognition_match_threshold(backend):
    lenient = Comparer(backend, Limits(max_bytes=5_000_000, max_pixels=10_000_000, match_threshold=0.0))
    result = _compare(lenient, make_photo(RED), make_photo(BLUE))
    assert len(result.matches) == 1 and sentence(result).startswith("Same person")


def test_comparison_dict_has_the_api_fields():
    face = DetectedFace(BoundingBox(0.1, 0.2, 0.3, 0.4), 99.123)
    other = DetectedFace(BoundingBox(0.5, 0.5, 0.1, 0.1), 90.0)
    body = comparison_dict(FaceComparison(face, ((face, 93.456),), (other,), 2))
    assert body == {
        "source_face": {"bounding_box": {"left": 0.1, "top": 0.2, "width": 0.3, "height": 0.4}, "confidence": 99.1},
        "matches": [{"bounding_box": {"left": 0.1, "top": 0.2, "width": 0.3, "height": 0.4}, "similarity": 93.5}],
        "unmatched": [{"bounding_box": {"left": 0.5, "top": 0.5, "width": 0.1, "height": 0.1}}],
        "similarity": 93.5,
        "match": True,
    }
    empty = comparison_dict(FaceComparison(None))
    assert empty["source_face"] is None and empty["similarity"] is None and empty["match"] is False


@pytest.mark.parametrize("raw,expected", [(None, 80.0), ("", 80.0), ("  ", 80.0), ("0", 0.0), ("99.5", 99.5),
                                          ("100", 100.0)])
def test_parse_threshold_accepts_blank_and_0_to_100(raw, expected):
    assert parse_threshold(raw, 80.0) == expected


@pytest.mark.parametrize("raw", ["abc", "-1", "100.01", "nan", "inf"])
def test_parse_threshold_refuses_anything_else(raw):
    with pytest.raises(InvalidInput, match="from 0 to 100"):
        parse_threshold(raw, 80.0)


def test_decode_names_the_photo_and_keeps_the_error_type(comparer):
    with pytest.raises(InvalidImage, match="^Second photo: This file is not a JPEG"):
        comparer.decode(b"GIF89a......", "Second photo")
    small = Comparer(comparer.backend, Limits(max_bytes=100, max_pixels=10_000_000))
    with pytest.raises(TooLarge, match="^source: The file is"):
        small.decode(make_photo(RED), "source")


def test_preview_uri_is_a_downscaled_jpeg(comparer):
    photo = comparer.decode(make_photo(RED, size=(2000, 1000)))
    uri = preview_uri(photo)
    assert uri.startswith("data:image/jpeg;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.format == "JPEG" and image.size == (960, 480)


class _Counting:
    """Wraps the local FaceprintCache and counts embedding work per call."""

    def __init__(self, inner):
        self.inner = inner
        self.faceprint_calls = 0

    def faceprints(self, photo, limit=None):
        self.faceprint_calls += 1
        return self.inner.faceprints(photo, limit)

    def compare_prints(self, source, target, threshold):
        return self.inner.compare_prints(source, target, threshold)


def _files(tmp_path, **images):
    paths = {}
    for name, data in images.items():
        (tmp_path / name).write_bytes(data)
        paths[name] = str(tmp_path / name)
    return paths


def test_batch_embeds_each_distinct_image_once_and_keeps_order(comparer, backend, tmp_path):
    backend.faceprints = _Counting(backend.faceprints)
    p = _files(tmp_path, a=make_photo(RED), b=make_photo(RED, BLUE), c=make_photo(GREEN))
    pairs = [(p["a"], p["b"]), (p["b"], p["a"]), (p["a"], p["c"]), (p["c"], p["b"]), (p["a"], p["b"])]
    loads = []
    results = list(comparer.compare_pairs(pairs, lambda path: loads.append(path) or open(path, "rb").read()))
    assert [(r.source, r.target) for r in results] == pairs
    assert [r.comparison.similarity is not None for r in results] == [True, True, False, False, True]
    assert sorted(loads) == sorted(p.values()) and backend.faceprints.faceprint_calls == 3


def test_batch_reports_unreadable_images_per_pair_and_goes_on(comparer, tmp_path):
    p = _files(tmp_path, a=make_photo(RED), bad=b"not an image")
    missing = str(tmp_path / "missing.png")
    pairs = [(p["a"], p["bad"]), (missing, p["a"]), (p["a"], p["a"]), (p["bad"], p["a"])]
    results = list(comparer.compare_pairs(pairs, lambda path: open(path, "rb").read()))
    assert "not a JPEG" in results[0].error and results[0].error.startswith(p["bad"])
    assert results[1].error.startswith(f"Cannot read {missing}")
    assert results[2].error is None and results[2].comparison.similarity == pytest.approx(100.0, abs=0.01)
    assert results[3].error == results[0].error
    assert results[0].to_dict() == {"source": p["a"], "target": p["bad"], "error": results[0].error}


class _CompareOnly:
    """A FaceCollection like the AWS adapter's: compare per pair, no reusable faceprints."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def compare(self, source, target, threshold):
        self.calls += 1
        return self.inner.compare(source, target, threshold)


def test_batch_falls_back_to_compare_per_pair_without_faceprints(comparer, backend, tmp_path):
    backend.faces, backend.faceprints = _CompareOnly(backend.faces), None  # as the AWS backend declares
    p = _files(tmp_path, a=make_photo(RED), b=make_photo(BLUE, RED))
    results = list(comparer.compare_pairs([(p["a"], p["b"]), (p["b"], p["a"])], lambda path: open(path, "rb").read()))
    assert backend.faces.calls == 2
    row = results[0].to_dict()
    assert row["source"] == p["a"] and row["match"] is True and len(row["unmatched"]) == 1
    assert isinstance(results[1], PairResult) and results[1].comparison.similarity is None  # BLUE is largest
