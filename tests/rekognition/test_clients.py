"""Clients no one here wrote — boto3, the AWS CLI, the AWS SDK for JavaScript v3 — against a real Glimpse.

One Glimpse process (gunicorn, real models, loopback port chosen by the OS) serves the whole
module; a collection named `people` holds Obama and Biden, indexed once over the wire.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image
from skimage import data as skdata

from tests.photos import photo_path
from tests.rekognition.live import ROOT, running_glimpse

pytestmark = pytest.mark.model
JS_DIR = ROOT / "tests" / "js"


def _bytes(name: str) -> bytes:
    return photo_path(name).read_bytes()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A running Glimpse with an access key made by `flask admin keys create`."""
    with running_glimpse(tmp_path_factory.mktemp("live-glimpse")) as glimpse:
        yield glimpse


def _client(live, secret: str | None = None):
    """boto3 as shipped: only the endpoint, the keys and a region."""
    return boto3.client("rekognition", endpoint_url=live.url, region_name="us-east-1",
                        aws_access_key_id=live.access_key_id,
                        aws_secret_access_key=secret or live.secret_access_key)


@pytest.fixture(scope="module")
def people(live):
    """boto3 client and a collection with Obama and Biden indexed with ExternalImageIds."""
    rekognition = _client(live)
    rekognition.create_collection(CollectionId="people")
    for name in ("obama", "biden"):
        answer = rekognition.index_faces(CollectionId="people", Image={"Bytes": _bytes(f"{name}.jpg")},
                                         ExternalImageId=name, MaxFaces=1, DetectionAttributes=["DEFAULT"])
        assert len(answer["FaceRecords"]) == 1
    return rekognition


def _best(rekognition, image: bytes) -> list[str]:
    matches = rekognition.search_faces_by_image(CollectionId="people", Image={"Bytes": image})["FaceMatches"]
    return [m["Face"]["ExternalImageId"] for m in matches]


@pytest.mark.parametrize("name", ["obama2.jpg", "obama3.jpg"])
def test_boto3_search_by_image_finds_the_person_in_other_photos(people, name):
    assert _best(people, _bytes(name)) == ["obama"]


@pytest.mark.parametrize("name", ["t1.jpg", "Tom_Hanks_54745.png"])
def test_boto3_search_by_image_matches_no_stranger(people, name):
    assert _best(people, _bytes(name)) == []


def test_boto3_compare_faces_tells_same_from_different(people):
    same = people.compare_faces(SourceImage={"Bytes": _bytes("obama.jpg")}, TargetImage={"Bytes": _bytes("obama2.jpg")})
    assert len(same["FaceMatches"]) == 1 and same["FaceMatches"][0]["Similarity"] >= 80
    other = people.compare_faces(SourceImage={"Bytes": _bytes("obama.jpg")}, TargetImage={"Bytes": _bytes("biden.jpg")})
    assert other["FaceMatches"] == [] and len(other["UnmatchedFaces"]) == 1


def test_boto3_detect_faces_on_a_group_photo_gives_landmarks_and_pose(people):
    details = people.detect_faces(Image={"Bytes": _bytes("t1.jpg")})["FaceDetails"]
    assert len(details) == 6
    for face in details:
        box = face["BoundingBox"]
        assert 0 <= box["Left"] and box["Left"] + box["Width"] <= 1 and 0 < face["Confidence"] <= 100
        assert [lm["Type"] for lm in face["Landmarks"]] == ["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"]
        assert abs(face["Pose"]["Roll"]) < 45 and abs(face["Pose"]["Yaw"]) < 60


def test_boto3_detect_labels_finds_a_cat_with_parents(people):
    out = io.BytesIO()
    Image.fromarray(skdata.chelsea()).save(out, format="PNG")
    labels = {label["Name"]: label for label in people.detect_labels(Image={"Bytes": out.getvalue()})["Labels"]}
    assert "Cat" in labels and {"Name": "Animal"} in labels["Cat"]["Parents"]


def test_boto3_list_faces_shows_the_external_ids(people):
    faces = people.list_faces(CollectionId="people")["Faces"]
    assert sorted(f["ExternalImageId"] for f in faces) == ["biden", "obama"]


def test_boto3_with_a_wrong_secret_gets_invalid_signature(live):
    with pytest.raises(ClientError) as caught:
        _client(live, secret="x" * 40).list_collections()
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"


def _aws(live, *args: str) -> subprocess.CompletedProcess:
    """The AWS CLI (awscli from PyPI) with the access key and nothing from the machine's AWS config."""
    env = live.env | {"AWS_ACCESS_KEY_ID": live.access_key_id, "AWS_SECRET_ACCESS_KEY": live.secret_access_key,
                      "AWS_DEFAULT_REGION": "eu-central-1", "AWS_CONFIG_FILE": "/dev/null",
                      "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    return subprocess.run([sys.executable, "-m", "awscli", "rekognition", *args, "--endpoint-url", live.url,
                           "--output", "json"], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_aws_cli_lists_collections_and_searches_a_face(people, live):
    listed = _aws(live, "list-collections")
    assert listed.returncode == 0, listed.stderr
    assert "people" in json.loads(listed.stdout)["CollectionIds"]
    found = _aws(live, "search-faces-by-image", "--collection-id", "people",
                 "--image-bytes", f"fileb://{photo_path('obama2.jpg')}")
    assert found.returncode == 0, found.stderr
    assert [m["Face"]["ExternalImageId"] for m in json.loads(found.stdout)["FaceMatches"]] == ["obama"]


def test_aws_cli_pages_through_list_faces_with_next_token(people, live):
    paged = _aws(live, "list-faces", "--collection-id", "people", "--page-size", "1")
    assert paged.returncode == 0, paged.stderr
    assert sorted(f["ExternalImageId"] for f in json.loads(paged.stdout)["Faces"]) == ["biden", "obama"]


def test_aws_cli_reports_rekognitions_error_for_a_missing_collection(live):
    missing = _aws(live, "describe-collection", "--collection-id", "nobody")
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def _node_modules() -> None:
    """Install the pinned JS SDK (package-lock.json) if `make test` has not already."""
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-rekognition").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=JS_DIR, check=True,
                       capture_output=True, timeout=600)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed, so the AWS SDK for JavaScript "
                                                         "cannot run here (install nodejs to run this test)")
def test_javascript_sdk_searches_and_gets_modelled_errors(people, live):
    _node_modules()
    env = live.env | {"AWS_ACCESS_KEY_ID": live.access_key_id, "AWS_SECRET_ACCESS_KEY": live.secret_access_key}
    run = subprocess.run(["node", "rekognition_client.mjs", live.url, "people", str(photo_path("obama3.jpg"))],
                         cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert "people" in out["collections"]
    assert [m["external"] for m in out["matches"]] == ["obama"] and out["matches"][0]["similarity"] >= 80
    assert out["missing"] == {"name": "ResourceNotFoundException", "status": 400}
    assert out["forged"] == {"name": "InvalidSignatureException", "status": 403}
