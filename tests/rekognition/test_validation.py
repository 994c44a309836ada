"""Requests are checked against botocore's rekognition model, as Rekognition's front end checks them."""
import base64
import json

import pytest

from webapp.rekognition import model
from webapp.rekognition.errors import RekognitionError


def _parse(operation: str, body: dict) -> dict:
    return model.parse_request(model.operation(operation), body)


def _error(operation: str, body) -> RekognitionError:
    with pytest.raises(RekognitionError) as caught:
        _parse(operation, body)
    return caught.value


def test_valid_request_passes_with_blobs_decoded():
    params = _parse("IndexFaces", {"CollectionId": "a.b-c_d", "Image": {"Bytes": base64.b64encode(b"xyz").decode()},
                                   "MaxFaces": 3, "QualityFilter": "HIGH", "DetectionAttributes": ["DEFAULT"]})
    assert params["Image"]["Bytes"] == b"xyz" and params["MaxFaces"] == 3


def test_missing_required_member_is_a_validation_error_naming_it():
    error = _error("CreateCollection", {})
    assert error.code == "ValidationException"
    assert error.message == ("1 validation error detected: Value null at 'collectionId' failed to satisfy "
                             "constraint: Member must not be null")


def test_pattern_length_enum_and_range_problems_are_all_listed():
    error = _error("SearchFacesByImage", {"CollectionId": "bad name!" + "x" * 300, "Image": {"Bytes": "eHl6"},
                                          "MaxFaces": 0, "FaceMatchThreshold": 101.5, "QualityFilter": "BEST"})
    assert error.code == "ValidationException" and error.message.startswith("5 validation errors detected")
    for expected in ("regular expression pattern: [a-zA-Z0-9_.\\-]+", "length less than or equal to 255",
                     "value greater than or equal to 1", "value less than or equal to 100",
                     "enum value set: [NONE, AUTO, LOW, MEDIUM, HIGH]"):
        assert expected in error.message


def test_face_ids_must_be_uuids():
    error = _error("DeleteFaces", {"CollectionId": "c", "FaceIds": ["not-a-uuid"]})
    assert "faceIds.1.member" in error.message and "[0-9a-f]{8}" in error.message


def test_empty_face_id_list_is_too_short():
    assert "length greater than or equal to 1" in _error("DeleteFaces", {"CollectionId": "c", "FaceIds": []}).message


@pytest.mark.parametrize("body", [
    {"CollectionId": 7},
    {"CollectionId": "c", "MaxResults": "10"},
    {"CollectionId": "c", "MaxResults": True},
    {"CollectionId": "c", "FaceIds": "x"},
    [],
])
def test_wrong_json_types_are_serialization_errors(body):
    operation = "ListFaces" if isinstance(body, dict) else "ListCollections"
    assert _error(operation, body).code == "SerializationException"


def test_bad_base64_is_a_serialization_error():
    assert _error("DetectFaces", {"Image": {"Bytes": "not base64!"}}).code == "SerializationException"


def test_image_bytes_over_five_megabytes_are_image_too_large():
    big = base64.b64encode(b"\xff" * (5 * 1024 * 1024 + 1)).decode()
    assert _error("DetectFaces", {"Image": {"Bytes": big}}).code == "ImageTooLargeException"


def test_unknown_members_are_ignored_like_new_members_from_newer_clients():
    assert _parse("ListCollections", {"MaxResults": 5, "SomethingNew": 1}) == {"MaxResults": 5}


def test_tag_patterns_with_unicode_classes_are_checked():
    assert _parse("CreateCollection", {"CollectionId": "c", "Tags": {"équipe": "Nantes 44"}})
    reserved = _error("CreateCollection", {"CollectionId": "c", "Tags": {"aws:reserved": "x"}})
    assert reserved.code == "ValidationException"


def test_response_problems_finds_what_the_output_shape_does_not_allow():
    operation = model.operation("ListFaces")
    assert model.response_problems(operation, {"Faces": [], "FaceModelVersion": "1.0"}) == []
    problems = model.response_problems(operation, json.loads('{"Faces": [{"FaceId": "x", "Extra": 1}]}'))
    assert any("Extra" in p for p in problems) and any("FaceId" in p or "faceId" in p for p in problems)
