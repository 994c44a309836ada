"""AWS mode end to end over real HTTP, with no fake in between.

moto's HTTP server plays S3 and DynamoDB; a local-mode Glimpse (real models) plays Amazon
Rekognition through its own Rekognition endpoint; a second Glimpse runs with
GLIMPSE_BACKEND=aws, pointed at both by boto3's standard per-service endpoint variables.
Every call the AWS adapters make goes over HTTP to a server that speaks AWS's protocols.
"""
from __future__ import annotations

import io
import subprocess
import sys

import boto3
import pytest
import requests
from PIL import Image

from tests.photos import photo_path
from tests.rekognition.live import ROOT, running_glimpse

pytestmark = pytest.mark.model
BUCKET, COLLECTION, REGION = "glimpse-e2e", "glimpse-aws-mode", "us-east-1"
FACES_TABLE, MAIN_TABLE = "glimpse-e2e-faces", "glimpse-e2e"


@pytest.fixture(scope="module")
def moto_url():
    """moto's S3 and DynamoDB over HTTP on a loopback port the OS picks."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def rekognition(tmp_path_factory):
    """A local-mode Glimpse serving the Rekognition protocol."""
    with running_glimpse(tmp_path_factory.mktemp("rekognition-endpoint")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def aws_env(moto_url, rekognition) -> dict:
    """The environment of the AWS-mode Glimpse: the key Glimpse issued signs every AWS call."""
    return {
        "GLIMPSE_BACKEND": "aws", "GLIMPSE_S3_BUCKET": BUCKET, "GLIMPSE_AWS_REGION": REGION,
        "GLIMPSE_REKOGNITION_COLLECTION": COLLECTION, "GLIMPSE_DYNAMODB_FACES_TABLE": FACES_TABLE,
        "GLIMPSE_DYNAMODB_TABLE": MAIN_TABLE, "AWS_ACCESS_KEY_ID": rekognition.access_key_id,
        "AWS_SECRET_ACCESS_KEY": rekognition.secret_access_key, "AWS_ENDPOINT_URL_S3": moto_url,
        "AWS_ENDPOINT_URL_DYNAMODB": moto_url, "AWS_ENDPOINT_URL_STS": moto_url,
        "AWS_ENDPOINT_URL_REKOGNITION": rekognition.url,
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


@pytest.fixture(scope="module")
def aws_glimpse(tmp_path_factory, aws_env):
    """`flask aws init`, an API token, then the AWS-mode Glimpse on its own port."""
    data_dir = tmp_path_factory.mktemp("aws-mode")
    with running_glimpse(data_dir, access_key=False, **aws_env) as app:
        init = app.flask("aws", "init")
        assert init.returncode == 0, init.stderr
        token = app.flask("admin", "token", "create", "--label", "e2e")
        assert token.returncode == 0, token.stderr
        yield app, token.stdout.strip()


def _aws(service: str, url: str, env: dict):
    """A boto3 client for inspecting the stores the AWS-mode Glimpse wrote to."""
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def _group_photo() -> bytes:
    """Obama (a photo not used to enrol him) beside six strangers."""
    left, right = Image.open(photo_path("obama2.jpg")).convert("RGB"), Image.open(photo_path("t1.jpg")).convert("RGB")
    right = right.resize((round(right.width * left.height / right.height), left.height))
    group = Image.new("RGB", (left.width + right.width, left.height))
    group.paste(left, (0, 0))
    group.paste(right, (left.width, 0))
    out = io.BytesIO()
    group.save(out, format="JPEG", quality=92)
    return out.getvalue()


def _traces(person_id: str, moto_url: str, rekognition, env: dict) -> dict:
    """What S3, DynamoDB and the Rekognition collection hold about one person."""
    s3, ddb = _aws("s3", moto_url, env), _aws("dynamodb", moto_url, env)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"people/{person_id}").get("Contents", [])]
    everything = [item for table in (FACES_TABLE, MAIN_TABLE) for item in ddb.scan(TableName=table)["Items"]]
    # The audit log keeps that this id was enrolled and forgotten, by whom and when: never a name or a face.
    assert not [item for item in everything if "Obama" in str(item) and item.get("gsi1pk", {}).get("S") == "AUDIT"]
    items = [item for item in everything if person_id in str(item) and item.get("gsi1pk", {}).get("S") != "AUDIT"]
    rek = _aws("rekognition", rekognition.url, env)
    faces = [f for f in rek.list_faces(CollectionId=COLLECTION)["Faces"] if f.get("ExternalImageId") == person_id]
    return {"s3": keys, "dynamodb": items, "collection": faces}


def test_aws_mode_enrols_recognises_compares_and_forgets_over_real_http(aws_glimpse, aws_env, moto_url,
                                                                          rekognition):
    app, token = aws_glimpse
    auth = {"Authorization": f"Bearer {token}"}
    photo = {"images": ("obama.jpg", photo_path("obama.jpg").read_bytes())}
    enrolled = requests.post(f"{app.url}/api/v1/people", headers=auth, timeout=120,
                             data={"name": "Barack Obama", "consent": "true"}, files=photo)
    assert enrolled.status_code == 201, enrolled.text
    person_id = enrolled.json()["id"]
    before = _traces(person_id, moto_url, rekognition, aws_env)
    assert before["s3"] and before["dynamodb"] and len(before["collection"]) == 1

    analysis = requests.post(f"{app.url}/api/v1/analyses", files={"image": ("group.jpg", _group_photo())},
                             timeout=300)
    assert analysis.status_code == 201, analysis.text
    names = [face["person"]["name"] if face["person"] else None for face in analysis.json()["faces"]]
    assert sorted(names, key=str) == ["Barack Obama"] + [None] * 6

    pair = {"source": ("a.jpg", photo_path("obama.jpg").read_bytes()),
            "target": ("b.jpg", photo_path("obama3.jpg").read_bytes())}
    compared = requests.post(f"{app.url}/api/v1/comparisons", timeout=120, files=pair)
    assert compared.status_code == 201 and compared.json()["match"] is True, compared.text

    assert requests.delete(f"{app.url}/api/v1/people/{person_id}", headers=auth, timeout=120).status_code == 204
    assert _traces(person_id, moto_url, rekognition, aws_env) == {"s3": [], "dynamodb": [], "collection": []}


def test_aws_mode_status_sees_every_resource(aws_glimpse):
    app, _ = aws_glimpse
    status = subprocess.run([sys.executable, "-m", "flask", "--app", "application", "aws", "status"], cwd=ROOT,
                            env=app.env, capture_output=True, text=True, timeout=120, check=False)
    assert "Rekognition collection" in status.stdout and "missing" not in status.stdout, status.stdout + status.stderr
