"""DetectText, DetectModerationLabels and DetectLabels' Instances through boto3 (in process, fakes)."""
import io

import pytest
from PIL import Image

from tests.conftest import GREEN, RED
from tests.fakes import MAGENTA, make_photo


def test_detect_text_gives_lines_then_words_with_their_parent(rek):
    found = rek.detect_text(Image={"Bytes": make_photo(RED)})["TextDetections"]
    lines = [d for d in found if d["Type"] == "LINE"]
    words = [d for d in found if d["Type"] == "WORD"]
    assert [d["DetectedText"] for d in lines] == ["HELLO WORLD"]
    assert [d["DetectedText"] for d in words] == ["HELLO", "WORLD"]
    assert {d["ParentId"] for d in words} == {lines[0]["Id"]} and "ParentId" not in lines[0]
    polygon = lines[0]["Geometry"]["Polygon"]
    assert len(polygon) == 4 and all(0 <= p["X"] <= 1 and 0 <= p["Y"] <= 1 for p in polygon)


def test_detect_text_word_filter_applies_to_words_only(rek):
    found = rek.detect_text(Image={"Bytes": make_photo(RED)},
                            Filters={"WordFilter": {"MinBoundingBoxWidth": 0.9}})["TextDetections"]
    assert [d["Type"] for d in found] == ["LINE"]


def test_detect_text_on_a_photo_without_text_is_empty(rek):
    assert rek.detect_text(Image={"Bytes": make_photo()})["TextDetections"] == []


def test_moderation_labels_with_parents_and_min_confidence(rek):
    explicit = _magenta()
    labels = rek.detect_moderation_labels(Image={"Bytes": explicit})["ModerationLabels"]
    assert {(label["Name"], label["ParentName"]) for label in labels} == {("Explicit Nudity", "Explicit"),
                                                                         ("Explicit", "")}
    assert all(label["TaxonomyLevel"] == (2 if label["ParentName"] else 1) for label in labels)
    assert rek.detect_moderation_labels(Image={"Bytes": explicit}, MinConfidence=97)["ModerationLabels"] == []
    assert rek.detect_moderation_labels(Image={"Bytes": make_photo(GREEN)})["ModerationLabels"] == []


@pytest.mark.parametrize("colours", [(RED,), (RED, GREEN)])
def test_detect_labels_gives_boxed_instances(rek, colours):
    labels = {label["Name"]: label for label in rek.detect_labels(Image={"Bytes": make_photo(*colours)})["Labels"]}
    instances = labels["Person"]["Instances"]
    assert len(instances) == len(colours) and all(0 < i["BoundingBox"]["Width"] < 1 for i in instances)


def _magenta() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), MAGENTA).save(out, format="PNG")
    return out.getvalue()
