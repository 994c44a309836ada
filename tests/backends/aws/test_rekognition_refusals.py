"""What Rekognition's refusals mean (no face, or a request gone wrong) and which face of a crop it used.

The fake (fake_rekognition.py) answers as the service does: SearchFacesByImage refuses a
crop without a face with its documented message; CompareFaces refuses when EITHER photo has
no face, with a generic message. Which face of a crop was searched or indexed is scripted
with botocore's Stubber, because the fake's squares cannot crowd a crop the way real faces do.
"""
from __future__ import annotations

import io
import logging

import boto3
import pytest
from botocore.stub import Stubber
from PIL import Image

from tests.backends.aws.env import FAKE_CREDENTIALS
from tests.backends.aws.fake_rekognition import client_error
from tests.conftest import BLUE, RED
from tests.fakes import BACKGROUND, make_photo
from webapp.backends.aws.clients import AwsClients
from webapp.backends.aws.rekognition_faces import RekognitionFaces
from webapp.backends.aws.rekognition_images import face_in_crop
from webapp.domain import BoundingBox, DetectedFace
from webapp.errors import BackendUnavailable, InvalidImage
from webapp.images import decode_photo
from webapp.services.comparison import sentence


def photo(*colours):
    """A decoded synthetic photo."""
    return decode_photo(make_photo(*colours), 10**8, 10**8)


# --- 8: a refusal is "no face" only when it says so ---------------------------------------------
def test_a_refusal_that_is_not_about_faces_is_a_backend_error_with_its_cause_logged(world, aws_backend, caplog):
    p = photo(RED)
    face = aws_backend.faces.detect(p)[0]
    # str() of this error names the SearchFacesByImage operation ("face"!): it must not read as "no face"
    world.rekognition.fail("SearchFacesByImage", client_error(
        "InvalidParameterException", "Requested FaceMatchThreshold is out of range", "SearchFacesByImage"))
    with caplog.at_level(logging.ERROR), pytest.raises(BackendUnavailable, match="InvalidParameterException"):
        aws_backend.faces.search(p, face, 80)
    assert "out of range" in caplog.text


def test_an_index_refusal_that_is_not_about_faces_is_a_backend_error(world, aws_backend):
    p = photo(RED)
    world.rekognition.fail("IndexFaces", client_error("InvalidParameterException", "ExternalImageId is invalid",
                                                      "IndexFaces"))
    with pytest.raises(BackendUnavailable):
        aws_backend.faces.index(p, aws_backend.faces.detect(p)[0], "ab")


def test_the_documented_no_face_refusal_of_a_search_finds_nothing(world, aws_backend):
    p = photo(RED)
    spot = DetectedFace(BoundingBox(0.6, 0.5, 0.3, 0.4), 90.0)  # background only
    assert aws_backend.faces.search(p, spot, 80) == []
    assert world.rekognition.calls[-1] == "SearchFacesByImage"  # no extra call for the documented message


def test_an_unfamiliar_refusal_is_no_face_only_if_detect_faces_agrees(world, aws_backend):
    p = photo(RED)
    spot, face = DetectedFace(BoundingBox(0.6, 0.5, 0.3, 0.4), 90.0), aws_backend.faces.detect(p)[0]
    for _ in range(2):
        world.rekognition.fail("SearchFacesByImage", client_error(
            "InvalidParameterException", "Request has Invalid Parameters", "SearchFacesByImage"))
    assert aws_backend.faces.search(p, spot, 80) == []  # DetectFaces finds no face in that crop either
    with pytest.raises(BackendUnavailable):
        aws_backend.faces.search(p, face, 80)  # a face is there: the refusal meant something else


# --- 9: CompareFaces refuses when EITHER photo has no face ---------------------------------------
def test_no_face_in_the_second_photo_is_said_of_the_second_photo(aws_backend):
    result = aws_backend.faces.compare(photo(RED), photo(), 80)
    assert result.source_face is not None and result.target_faces == 0 and not result.matches
    assert sentence(result) == "No face found in the second photo"


def test_no_face_in_the_first_photo_still_counts_the_faces_of_the_second(aws_backend):
    result = aws_backend.faces.compare(photo(), photo(RED, BLUE), 80)
    assert result.source_face is None and result.target_faces == 2
    assert sentence(result) == "No face found in the first photo"


def test_a_compare_refusal_with_faces_in_both_photos_is_a_backend_error(world, aws_backend):
    world.rekognition.fail("CompareFaces", client_error("InvalidParameterException", "Request has Invalid Parameters",
                                                        "CompareFaces"))
    with pytest.raises(BackendUnavailable):
        aws_backend.faces.compare(photo(RED), photo(RED), 80)


def test_the_api_names_the_photo_without_a_face_in_aws_mode(world, aws_backend):
    from webapp import create_app

    client = create_app({**world.settings.__dict__}, backend=aws_backend).test_client()
    body = client.post("/api/v1/comparisons", data={"source": (io.BytesIO(make_photo(RED)), "a.png"),
                                                    "target": (io.BytesIO(make_photo()), "b.png")}).get_json()
    assert body["source_face"] is not None and body["matches"] == [] and body["unmatched"] == []


# --- 10: the face Rekognition searched or indexed must be the one the crop was cut for ----------
def _tight_pair():
    """RED (60 px) and BLUE (50 px) 5 px apart on 400 x 300: BLUE's crop holds a sliver of RED."""
    image = Image.new("RGB", (400, 300), BACKGROUND)
    image.paste(RED, (10, 20, 70, 80))
    image.paste(BLUE, (75, 20, 125, 70))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode_photo(out.getvalue(), 10**8, 10**8), DetectedFace(BoundingBox(75 / 400, 20 / 300, 50 / 400,
                                                                                50 / 300), 99.0)


class Recorder:
    """A client proxy that keeps the parameters of every call (to look at the bytes sent)."""

    def __init__(self, client):
        self._client, self.sent = client, []

    def __getattr__(self, name):
        def call(**params):
            self.sent.append((name, params))
            return getattr(self._client, name)(**params)
        return call


@pytest.fixture
def scripted():
    """RekognitionFaces over a Stubber-scripted client, and the stubber."""
    creds = {k.lower(): v for k, v in FAKE_CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"}
    client = boto3.session.Session(**creds, region_name="us-east-1").client("rekognition")
    with Stubber(client) as stub:
        recorder = Recorder(client)
        yield RekognitionFaces(AwsClients("us-east-1", overrides={"rekognition": recorder}), "c"), stub, recorder


def _box(b: BoundingBox) -> dict:
    return {"Left": b.left, "Top": b.top, "Width": b.width, "Height": b.height}


NEIGHBOUR_IN_CROP = {"Left": 0.0, "Top": 0.0, "Width": 0.2, "Height": 0.8}


def _search_answer(box: dict, face_id: str) -> dict:
    return {"SearchedFaceBoundingBox": box, "SearchedFaceConfidence": 99.0,
            "FaceMatches": [{"Similarity": 97.0, "Face": {"FaceId": face_id}}]}


def _masked(data: bytes) -> bool:
    """Whether the crop's left edge (where RED's sliver sits) was painted background grey."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    return all(max(abs(a - b) for a, b in zip(image.getpixel((1, y)), BACKGROUND, strict=True)) < 12
               for y in range(5, image.height - 5, 5))


def test_a_search_that_took_the_neighbour_is_repeated_on_the_masked_crop(scripted):
    faces, stub, recorder = scripted
    p, blue = _tight_pair()
    ours = _box(face_in_crop(p.size, blue.bounding_box))
    stub.add_response("search_faces_by_image", _search_answer(NEIGHBOUR_IN_CROP, "red-id"))
    stub.add_response("search_faces_by_image", _search_answer(ours, "blue-id"))
    assert [m.face_id for m in faces.search(p, blue, 80)] == ["blue-id"]
    first, second = (params["Image"]["Bytes"] for _, params in recorder.sent)
    assert not _masked(first) and _masked(second)


def test_a_face_that_cannot_be_isolated_is_unknown_rather_than_the_neighbour(scripted):
    faces, stub, _ = scripted
    p, blue = _tight_pair()
    for _ in range(2):
        stub.add_response("search_faces_by_image", _search_answer(NEIGHBOUR_IN_CROP, "red-id"))
    assert faces.search(p, blue, 80) == []


def _index_answer(box: dict, face_id: str) -> dict:
    return {"FaceRecords": [{"Face": {"FaceId": face_id, "BoundingBox": box}}], "UnindexedFaces": []}


def test_an_index_that_took_the_neighbour_deletes_it_and_indexes_the_masked_crop(scripted):
    faces, stub, recorder = scripted
    p, blue = _tight_pair()
    stub.add_response("index_faces", _index_answer(NEIGHBOUR_IN_CROP, "red-print"))
    stub.add_response("delete_faces", {"DeletedFaces": ["red-print"]}, {"CollectionId": "c", "FaceIds": ["red-print"]})
    stub.add_response("index_faces", _index_answer(_box(face_in_crop(p.size, blue.bounding_box)), "blue-print"))
    assert faces.index(p, blue, "person") == "blue-print"
    assert _masked(recorder.sent[-1][1]["Image"]["Bytes"])
    stub.assert_no_pending_responses()


def test_an_index_that_keeps_taking_the_neighbour_keeps_nothing_and_says_why(scripted):
    faces, stub, _ = scripted
    p, blue = _tight_pair()
    for n in range(2):
        stub.add_response("index_faces", _index_answer(NEIGHBOUR_IN_CROP, f"red-{n}"))
        stub.add_response("delete_faces", {"DeletedFaces": [f"red-{n}"]},
                          {"CollectionId": "c", "FaceIds": [f"red-{n}"]})
    with pytest.raises(InvalidImage, match="too close"):
        faces.index(p, blue, "person")
    stub.assert_no_pending_responses()


def test_a_face_standing_apart_costs_one_call(world, aws_backend):
    p = photo(RED, BLUE)
    face = aws_backend.faces.detect(p)[1]
    world.rekognition.calls.clear()
    aws_backend.faces.index(p, face, "ab")
    aws_backend.faces.search(p, face, 80)
    assert world.rekognition.calls == ["IndexFaces", "SearchFacesByImage"]
