"""Collection and face operations through boto3 (in process, fake engine): Rekognition's semantics."""
import io
import os
import uuid

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from tests.conftest import BLUE, GREEN, RED, build_fake_backend
from tests.fakes import make_photo
from tests.rekognition.conftest import routed_client
from webapp import create_app

YELLOW, CYAN = (230, 230, 20), (20, 220, 220)


def _code(caught) -> str:
    return caught.value.response["Error"]["Code"]


def _image(*colours, **kw) -> dict:
    return {"Bytes": make_photo(*colours, **kw)}


@pytest.fixture
def friends(rek):
    """A wire collection named friends."""
    rek.create_collection(CollectionId="friends")
    return rek


def test_collection_lifecycle(rek):
    created = rek.create_collection(CollectionId="friends")
    assert created["StatusCode"] == 200 and created["CollectionArn"].endswith(":collection/friends")
    assert rek.list_collections()["CollectionIds"] == ["friends", "glimpse"]
    described = rek.describe_collection(CollectionId="friends")
    assert described["FaceCount"] == 0 and described["CollectionARN"] == created["CollectionArn"]
    assert described["CreationTimestamp"].year >= 2026
    assert rek.delete_collection(CollectionId="friends")["StatusCode"] == 200
    assert rek.list_collections()["CollectionIds"] == ["glimpse"]


def test_creating_an_existing_collection_is_resource_already_exists(friends):
    with pytest.raises(friends.exceptions.ResourceAlreadyExistsException):
        friends.create_collection(CollectionId="friends")
    with pytest.raises(friends.exceptions.ResourceAlreadyExistsException):
        friends.create_collection(CollectionId="glimpse")


@pytest.mark.parametrize("call", [
    lambda r: r.describe_collection(CollectionId="nope"),
    lambda r: r.delete_collection(CollectionId="nope"),
    lambda r: r.list_faces(CollectionId="nope"),
    lambda r: r.index_faces(CollectionId="nope", Image=_image(RED)),
    lambda r: r.search_faces_by_image(CollectionId="nope", Image=_image(RED)),
    lambda r: r.delete_faces(CollectionId="nope", FaceIds=[str(uuid.uuid4())]),
])
def test_unknown_collection_is_resource_not_found(rek, call):
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        call(rek)


def test_web_collection_is_listed_under_its_configured_name(tmp_path, client):
    app = create_app({"data_dir": tmp_path, "testing": True, "secret_key": "k", "rekognition_collection": "team"},
                     backend=build_fake_backend(tmp_path, collection="team"))
    key, secret = app.extensions["services"].access_keys.create("t")
    rekognition = routed_client(app.test_client(), key.id, secret)
    assert rekognition.list_collections()["CollectionIds"] == ["team"]


def test_index_faces_gives_uuids_one_image_id_and_the_external_id(friends):
    answer = friends.index_faces(CollectionId="friends", Image=_image(RED, GREEN), ExternalImageId="pair:1.jpg")
    faces = [record["Face"] for record in answer["FaceRecords"]]
    assert len(faces) == 2 and answer["UnindexedFaces"] == []
    assert all(uuid.UUID(f["FaceId"]).version == 4 for f in faces)
    assert faces[0]["ImageId"] == faces[1]["ImageId"] and uuid.UUID(faces[0]["ImageId"])
    assert {f["ExternalImageId"] for f in faces} == {"pair:1.jpg"}
    assert answer["FaceRecords"][0]["FaceDetail"]["BoundingBox"] == faces[0]["BoundingBox"]
    box = faces[0]["BoundingBox"]
    assert 0 <= box["Left"] < box["Left"] + box["Width"] <= 1 and 0 <= box["Top"] < box["Top"] + box["Height"] <= 1
    assert friends.describe_collection(CollectionId="friends")["FaceCount"] == 2


def test_max_faces_keeps_the_largest_and_reports_the_rest(friends):
    answer = friends.index_faces(CollectionId="friends", Image=_image(RED, GREEN, BLUE), MaxFaces=1)
    assert len(answer["FaceRecords"]) == 1
    assert [u["Reasons"] for u in answer["UnindexedFaces"]] == [["EXCEEDS_MAX_FACES"]] * 2
    kept = answer["FaceRecords"][0]["Face"]["BoundingBox"]["Width"]
    assert all(kept > u["FaceDetail"]["BoundingBox"]["Width"] for u in answer["UnindexedFaces"])


def test_quality_filter_drops_small_faces_unless_none(friends):
    tiny = _image(RED, size=(1600, 1200), side=20)
    assert friends.index_faces(CollectionId="friends", Image=tiny)["UnindexedFaces"][0]["Reasons"] == \
        ["SMALL_BOUNDING_BOX"]
    assert len(friends.index_faces(CollectionId="friends", Image=tiny, QualityFilter="NONE")["FaceRecords"]) == 1


def test_image_without_faces_indexes_nothing(friends):
    assert friends.index_faces(CollectionId="friends", Image=_image())["FaceRecords"] == []


def test_list_faces_pages_with_next_token(friends):
    for colours in ((RED, GREEN), (BLUE, YELLOW), (CYAN,)):
        friends.index_faces(CollectionId="friends", Image=_image(*colours))
    first = friends.list_faces(CollectionId="friends", MaxResults=2)
    assert len(first["Faces"]) == 2 and first["NextToken"]
    pages = friends.get_paginator("list_faces").paginate(CollectionId="friends", PaginationConfig={"PageSize": 2})
    ids = [face["FaceId"] for page in pages for face in page["Faces"]]
    assert len(ids) == 5 and ids == sorted(set(ids))
    with pytest.raises(friends.exceptions.InvalidPaginationTokenException):
        friends.list_faces(CollectionId="friends", NextToken="%%%")


def test_delete_faces_deletes_known_and_reports_unknown(friends):
    face_id = friends.index_faces(CollectionId="friends", Image=_image(RED))["FaceRecords"][0]["Face"]["FaceId"]
    stranger = str(uuid.uuid4())
    answer = friends.delete_faces(CollectionId="friends", FaceIds=[face_id, stranger])
    assert answer["DeletedFaces"] == [face_id]
    assert answer["UnsuccessfulFaceDeletions"] == [{"FaceId": stranger, "Reasons": ["FACE_NOT_FOUND"]}]
    assert friends.list_faces(CollectionId="friends")["Faces"] == []
    assert friends.search_faces_by_image(CollectionId="friends", Image=_image(RED))["FaceMatches"] == []


def test_search_by_image_uses_the_largest_face_only(friends):
    friends.index_faces(CollectionId="friends", Image=_image(GREEN), ExternalImageId="green")
    two = _image(RED, GREEN)  # red is the larger face
    assert friends.search_faces_by_image(CollectionId="friends", Image=two)["FaceMatches"] == []
    friends.index_faces(CollectionId="friends", Image=_image(RED), ExternalImageId="red")
    answer = friends.search_faces_by_image(CollectionId="friends", Image=two)
    assert [m["Face"]["ExternalImageId"] for m in answer["FaceMatches"]] == ["red"]
    assert 80 <= answer["FaceMatches"][0]["Similarity"] <= 100 and 0 <= answer["SearchedFaceConfidence"] <= 100
    assert answer["SearchedFaceBoundingBox"]["Left"] < 0.2  # the red square is the leftmost


def test_search_by_image_without_a_face_is_invalid_parameter(friends):
    with pytest.raises(friends.exceptions.InvalidParameterException) as caught:
        friends.search_faces_by_image(CollectionId="friends", Image=_image())
    assert caught.value.response["Error"]["Message"] == "There are no faces in the image. Should be at least 1."


def test_search_faces_by_face_id_excludes_the_face_itself(friends):
    first = friends.index_faces(CollectionId="friends", Image=_image(RED), ExternalImageId="a")
    friends.index_faces(CollectionId="friends", Image=_image(RED, size=(500, 400)), ExternalImageId="b")
    friends.index_faces(CollectionId="friends", Image=_image(BLUE), ExternalImageId="c")
    face_id = first["FaceRecords"][0]["Face"]["FaceId"]
    answer = friends.search_faces(CollectionId="friends", FaceId=face_id)
    assert answer["SearchedFaceId"] == face_id
    assert [m["Face"]["ExternalImageId"] for m in answer["FaceMatches"]] == ["b"]
    with pytest.raises(friends.exceptions.InvalidParameterException):
        friends.search_faces(CollectionId="friends", FaceId=str(uuid.uuid4()))


def test_s3_object_images_are_refused_with_a_reason(friends):
    with pytest.raises(friends.exceptions.InvalidS3ObjectException) as caught:
        friends.detect_faces(Image={"S3Object": {"Bucket": "photos", "Name": "a.jpg"}})
    assert "Bytes" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("data", [b"GIF89a" + b"\0" * 200, b"not an image at all", make_photo(RED, fmt="WEBP")])
def test_images_that_are_not_jpeg_or_png_are_invalid_image_format(friends, data):
    with pytest.raises(friends.exceptions.InvalidImageFormatException):
        friends.detect_faces(Image={"Bytes": data})


def test_truncated_jpeg_is_invalid_image_format(friends):
    with pytest.raises(friends.exceptions.InvalidImageFormatException):
        friends.detect_faces(Image={"Bytes": make_photo(RED, fmt="JPEG")[:300]})


def test_image_bytes_over_five_megabytes_are_image_too_large(friends):
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))  # noise does not compress
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 5 * 1024 * 1024
    with pytest.raises(friends.exceptions.ImageTooLargeException):
        friends.index_faces(CollectionId="friends", Image={"Bytes": out.getvalue()})


def test_detect_faces_gives_boxes_confidence_and_quality(rek):
    details = rek.detect_faces(Image=_image(RED, GREEN), Attributes=["DEFAULT"])["FaceDetails"]
    assert len(details) == 2 and details[0]["BoundingBox"]["Width"] > details[1]["BoundingBox"]["Width"]
    assert all(0 <= d["Confidence"] <= 100 and 0 <= d["Quality"]["Brightness"] <= 100 for d in details)


def test_compare_faces_uses_the_largest_source_face(rek):
    answer = rek.compare_faces(SourceImage=_image(RED, BLUE), TargetImage=_image(GREEN, RED, YELLOW))
    assert len(answer["FaceMatches"]) == 1 and len(answer["UnmatchedFaces"]) == 2
    assert answer["FaceMatches"][0]["Similarity"] >= 80
    assert answer["SourceImageFace"]["BoundingBox"]["Left"] < 0.2


def test_compare_faces_without_a_source_face_is_invalid_parameter(rek):
    with pytest.raises(ClientError) as caught:
        rek.compare_faces(SourceImage=_image(), TargetImage=_image(RED))
    assert _code(caught) == "InvalidParameterException"


def test_compare_faces_with_a_faceless_target_is_invalid_parameter(rek):
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.compare_faces(SourceImage=_image(RED), TargetImage=_image())


def test_detect_labels_gives_labels_with_parents(rek):
    labels = rek.detect_labels(Image=_image(RED), MinConfidence=50)["Labels"]
    by_name = {label["Name"]: label for label in labels}
    assert by_name["Pattern"]["Parents"] == [{"Name": "Design"}] and "Person" in by_name
    assert rek.detect_labels(Image=_image(RED), MaxLabels=1)["Labels"].__len__() == 1
