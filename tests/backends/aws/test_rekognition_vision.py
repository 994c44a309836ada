"""DetectLabels Instances, DetectText and DetectModerationLabels through the AWS adapters and the fake."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import GREEN, RED
from tests.fakes import make_photo
from webapp.backends.aws.rekognition_moderation import RekognitionModeration
from webapp.backends.aws.rekognition_text import RekognitionText
from webapp.errors import BackendUnavailable
from webapp.images import Photo, decode_photo


def photo(*colours, **kw) -> Photo:
    """A decoded synthetic photo (each colour a square the fake sees as a face and a person)."""
    return decode_photo(make_photo(*colours, **kw), 10**8, 10**8)


def magenta_photo() -> Photo:
    """The fake's stand-in for an explicit photo: mostly pure magenta."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 0, 255)).save(out, format="PNG")
    return decode_photo(out.getvalue(), 10**8, 10**8)


def test_label_instances_come_back_as_boxes_with_confidence(aws_backend):
    """Two squares -> a Person label with two boxed instances, boxes as ratios matching the squares."""
    labels = {lb.name: lb for lb in aws_backend.labels.detect(photo(RED, GREEN), 55, 10)}
    instances = labels["Person"].instances
    assert len(instances) == 2 and all(i.confidence == pytest.approx(97.0) for i in instances)
    assert sorted(round(i.bounding_box.width, 2) for i in instances) == [0.13, 0.15]
    assert labels["Pattern"].instances == ()


def test_text_lines_and_words_keep_ids_parents_and_polygons(world):
    """DetectText's LINE and WORDs map onto TextDetections with ratio boxes and four-point polygons."""
    found = RekognitionText(world.clients).read(photo(RED))
    assert [(d.detected_text, d.type, d.id, d.parent_id) for d in found] == [
        ("HELLO WORLD", "LINE", 0, None), ("HELLO", "WORD", 1, 0), ("WORLD", "WORD", 2, 0)]
    line = found[0]
    assert line.confidence == pytest.approx(99.1) and len(line.polygon) == 4
    assert line.bounding_box.left == pytest.approx(10 / 400, abs=0.01)
    assert found[1].bounding_box.left + found[1].bounding_box.width <= found[2].bounding_box.left + 1e-6
    assert world.rekognition.calls[-1] == "DetectText"


def test_no_text_is_an_empty_list(world):
    """A photo without the fake's sign gives no detections (not an error)."""
    assert RekognitionText(world.clients).read(photo()) == []


def test_moderation_labels_keep_parent_names_and_only_unsafe_photos_get_them(world):
    """The magenta stand-in -> Explicit and Explicit Nudity (parent Explicit); an ordinary photo -> none."""
    moderation = RekognitionModeration(world.clients)
    labels = moderation.detect(magenta_photo())
    assert {(lb.name, lb.parent_name) for lb in labels} == {("Explicit", ""), ("Explicit Nudity", "Explicit")}
    assert all(lb.confidence == pytest.approx(96.0) for lb in labels)
    assert moderation.detect(photo(RED)) == []


@pytest.mark.parametrize("operation", ["DetectText", "DetectModerationLabels"])
def test_throttling_after_retries_is_backend_unavailable(world, operation):
    """A throttled call becomes 'try again in a minute', not a bare 500."""
    world.rekognition.fail(operation, "ThrottlingException")
    reader = RekognitionText(world.clients).read if operation == "DetectText" else RekognitionModeration(
        world.clients).detect
    with pytest.raises(BackendUnavailable, match="try again"):
        reader(photo(RED))
