"""RekognitionFaces and RekognitionLabels against the fake: input contract, mapping, batching, edge cases."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo
from webapp.backends.aws import rekognition_faces
from webapp.backends.aws.rekognition_images import MAX_BYTES, face_crop, image_bytes
from webapp.domain import BoundingBox, DetectedFace
from webapp.errors import BackendUnavailable, InvalidImage
from webapp.images import Photo, decode_photo


def photo(*colours, **kw) -> Photo:
    """A decoded synthetic photo."""
    return decode_photo(make_photo(*colours, **kw), 10**8, 10**8)


def test_detect_maps_boxes_landmarks_and_sorts_largest_first(aws_backend):
    faces = aws_backend.faces.detect(photo(RED, GREEN))
    assert [round(f.bounding_box.width, 2) for f in faces] == [0.15, 0.13]
    assert faces[0].confidence == pytest.approx(99.9) and len(faces[0].landmarks) == 5
    left_eye, right_eye = faces[0].landmarks[:2]
    assert left_eye[0] < right_eye[0] and all(0 <= v <= 1 for point in faces[0].landmarks for v in point)


def test_index_sends_a_crop_with_the_person_id_as_external_id(world, aws_backend):
    p = photo(RED, GREEN)
    faces = aws_backend.faces.detect(p)
    face_id = aws_backend.faces.index(p, faces[1], "0123abcd")
    stored = world.rekognition.collections[world.settings.rekognition_collection][face_id]
    assert stored["ExternalImageId"] == "0123abcd"
    assert np.linalg.norm(stored["colour"] - np.array(GREEN)) < 10  # the crop held the second face


def test_unindexable_face_is_refused_with_a_reason(world, aws_backend):
    world.rekognition.quality_floor = 10_000
    p = photo(RED)
    with pytest.raises(InvalidImage, match="too small or blurred"):
        aws_backend.faces.index(p, aws_backend.faces.detect(p)[0], "0123abcd")
    assert aws_backend.faces.face_ids() == []


def test_small_faces_are_upscaled_to_rekognitions_minimum(aws_backend):
    p = photo(RED, GREEN, BLUE, (220, 220, 20), (20, 220, 220))
    smallest = aws_backend.faces.detect(p)[-1]
    assert smallest.bounding_box.width * 400 < 30
    aws_backend.faces.index(p, smallest, "ab")  # the fake refuses anything under 80 px
    assert aws_backend.faces.search(p, smallest, 80)[0].similarity > 95
    assert min(Image.open(__import__("io").BytesIO(face_crop(p.image, smallest.bounding_box))).size) >= 80


def test_large_noisy_images_are_shrunk_under_five_megabytes():
    noise = np.random.default_rng(1).integers(0, 256, (2600, 2600, 3), dtype=np.uint8)
    data = image_bytes(Image.fromarray(noise))
    assert len(data) <= MAX_BYTES and data[:3] == b"\xff\xd8\xff"


def test_search_of_a_spot_without_a_face_finds_nothing(aws_backend):
    p = photo(RED)
    aws_backend.faces.index(p, aws_backend.faces.detect(p)[0], "ab")
    background = DetectedFace(BoundingBox(0.6, 0.5, 0.3, 0.4), 90.0)
    assert aws_backend.faces.search(p, background, 80) == []


def test_search_returns_best_first_up_to_the_limit(aws_backend):
    p = photo(RED)
    face = aws_backend.faces.detect(p)[0]
    ids = {aws_backend.faces.index(p, face, "ab") for _ in range(3)}
    matches = aws_backend.faces.search(p, face, 80, limit=2)
    assert len(matches) == 2 and {m.face_id for m in matches} <= ids
    assert matches[0].similarity >= matches[1].similarity


def test_delete_goes_in_batches_and_ignores_unknown_ids(world, aws_backend, monkeypatch):
    monkeypatch.setattr(rekognition_faces, "DELETE_BATCH", 2)
    p = photo(RED)
    face = aws_backend.faces.detect(p)[0]
    ids = [aws_backend.faces.index(p, face, "ab") for _ in range(4)]
    world.rekognition.calls.clear()
    aws_backend.faces.delete([*ids, "00000000-0000-0000-0000-000000000000"])
    aws_backend.faces.delete([])  # nothing to delete: no call at all
    assert world.rekognition.calls == ["DeleteFaces"] * 3 and aws_backend.faces.face_ids() == []


def test_face_ids_follow_next_tokens(world, aws_backend):
    world.rekognition.page_size = 2
    p = photo(RED)
    face = aws_backend.faces.detect(p)[0]
    ids = sorted(aws_backend.faces.index(p, face, "ab") for _ in range(5))
    assert aws_backend.faces.face_ids() == ids


def test_missing_collection_says_to_run_init(world, aws_backend):
    world.rekognition.collections.clear()
    with pytest.raises(BackendUnavailable, match="flask aws init"):
        aws_backend.faces.face_ids()


def test_labels_keep_parents_and_the_minimum_confidence(aws_backend):
    labels = aws_backend.labels.detect(photo(RED), 55, 10)
    assert [(lb.name, lb.parents) for lb in labels] == [("Person", ()), ("Pattern", ("Design",)), ("Design", ())]
    assert len(aws_backend.labels.detect(photo(RED), 30, 1)) == 1


def test_compare_largest_source_face_with_every_target_face(aws_backend):
    result = aws_backend.faces.compare(photo(RED), photo(BLUE, RED, GREEN), 80)
    assert result.source_face is not None and result.target_faces == 3
    assert len(result.matches) == 1 and result.similarity > 95 and len(result.unmatched) == 2
    assert aws_backend.faces.compare(photo(), photo(BLUE), 80).source_face is None
