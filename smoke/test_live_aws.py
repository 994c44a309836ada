"""Against real AWS: init, enrol, recognise, compare, enrol by S3 drop, forget, verify nothing is left, tear down.

One scenario in order over one throwaway stack (see conftest.py); real photos come from
tests/photos.py. Run with `GLIMPSE_LIVE_AWS=1 make smoke-aws`.
"""
from __future__ import annotations

import io

import pytest
from boto3.dynamodb.conditions import Attr

from tests.photos import photo_path

state: dict = {}


def _photo(name: str) -> bytes:
    return photo_path(name).read_bytes()


@pytest.fixture(scope="module")
def app(stack):
    """The real app in AWS mode over the stack, with an API token."""
    from webapp import create_app
    from webapp.backends import aws

    settings, clients, _ = stack
    app = create_app({**settings.__dict__}, backend=aws.build(settings, clients))
    app.extensions["aws_clients"] = clients
    _, state["token"] = app.extensions["services"].accounts.create_token("smoke")
    return app


def _api(app, method: str, path: str, **kw):
    return app.test_client().open(path, method=method, headers={"Authorization": f"Bearer {state['token']}"}, **kw)


def test_init_created_every_resource_and_status_sees_them_usable(stack):
    from webapp.backends.aws.provision import resource_status

    settings, clients, outcomes = stack
    assert [o.state for o in outcomes] == ["created"] * 4
    assert all(o.state == "ok" for o in resource_status(settings, clients))


def test_enrol_two_portraits(app):
    response = _api(app, "POST", "/api/v1/people", data={
        "name": "Smoke Obama", "consent": "true",
        "images": [(io.BytesIO(_photo("obama.jpg")), "obama.jpg"), (io.BytesIO(_photo("obama2.jpg")), "obama2.jpg")]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["face_ids"]) == 2 and body["refused"] == []
    state["person"] = body["id"]


def test_recognise_names_the_enrolled_person_and_not_a_stranger(app):
    known = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(_photo("obama3.jpg")), "o.jpg")})
    (face,) = known.get_json()["faces"]
    assert face["person"]["id"] == state["person"] and face["similarity"] >= 80
    stranger = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(_photo("biden.jpg")), "b.jpg")})
    assert [f["person"] for f in stranger.get_json()["faces"]] == [None]


def test_compare_says_same_person_and_different_people(app):
    def compare(a: str, b: str) -> dict:
        response = app.test_client().post("/api/v1/comparisons", data={
            "source": (io.BytesIO(_photo(a)), a), "target": (io.BytesIO(_photo(b)), b)})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    assert compare("obama.jpg", "obama2.jpg")["match"] is True
    assert compare("obama.jpg", "biden.jpg")["match"] is False
    state["blank"] = _blank()
    response = app.test_client().post("/api/v1/comparisons", data={
        "source": (io.BytesIO(_photo("obama.jpg")), "o.jpg"), "target": (io.BytesIO(state["blank"]), "blank.jpg")})
    body = response.get_json()  # CompareFaces refuses; Glimpse must say it is the SECOND photo
    assert body["source_face"] is not None and body["matches"] == [] and body["unmatched"] == []


def _blank() -> bytes:
    """A photo with no face (a grey gradient)."""
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((400, 300)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_dropped_under_enrol_is_enrolled_by_the_lambda_handler(app, stack, monkeypatch):
    from webapp import lambda_handler

    settings, clients, _ = stack
    clients.get("s3").put_object(Bucket=settings.s3_bucket, Key="enrol/Smoke_Biden/1.jpg", Body=_photo("biden.jpg"))
    monkeypatch.setattr(lambda_handler, "_app", app)
    record = {"s3": {"bucket": {"name": settings.s3_bucket}, "object": {"key": "enrol/Smoke_Biden/1.jpg"}}}
    event = {"Records": [record]}
    (result,) = lambda_handler.handler(event, None)["results"]
    assert result["status"] == "enrolled", result
    state["dropped"] = result["person_id"]
    clients.get("s3").put_object(Bucket=settings.s3_bucket, Key="enrol/Smoke_Biden/blank.jpg", Body=state["blank"])
    record["s3"]["object"]["key"] = "enrol/Smoke_Biden/blank.jpg"
    (refused,) = lambda_handler.handler(event, None)["results"]
    assert refused["status"] == "refused" and refused["kept_at"] == "failed/Smoke_Biden/blank.jpg"


def test_forget_leaves_no_trace_in_s3_rekognition_or_dynamodb(app, stack):
    settings, clients, _ = stack
    for person_id in (state["person"], state["dropped"]):
        assert _api(app, "DELETE", f"/api/v1/people/{person_id}").status_code == 204
    assert clients.get("rekognition").list_faces(CollectionId=settings.rekognition_collection)["Faces"] == []
    listed = clients.get("s3").list_objects_v2(Bucket=settings.s3_bucket, Prefix="people/")
    assert listed.get("KeyCount", 0) == 0
    listed = clients.get("s3").list_objects_v2(Bucket=settings.s3_bucket, Prefix="enrol/")
    assert listed.get("KeyCount", 0) == 0
    import boto3

    tables = boto3.resource("dynamodb", region_name=settings.aws_region)
    faces = tables.Table(settings.dynamodb_faces_table).scan(ConsistentRead=True)["Items"]
    assert faces == []
    for person_id in (state["person"], state["dropped"]):
        rows = tables.Table(settings.dynamodb_table).scan(
            ConsistentRead=True, FilterExpression=Attr("pk").eq(f"PERSON#{person_id}"))["Items"]
        assert rows == []


def test_tear_down_deletes_the_stack(stack):
    from botocore.exceptions import ClientError

    from smoke.conftest import tear_down

    settings, clients, _ = stack
    tear_down(settings, clients)
    with pytest.raises(ClientError):
        clients.get("s3").head_bucket(Bucket=settings.s3_bucket)
    with pytest.raises(ClientError):
        clients.get("rekognition").describe_collection(CollectionId=settings.rekognition_collection)
    for table in (settings.dynamodb_table, settings.dynamodb_faces_table):
        try:  # deleting takes DynamoDB a few seconds: gone, or on its way
            assert clients.get("dynamodb").describe_table(TableName=table)["Table"]["TableStatus"] == "DELETING"
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
