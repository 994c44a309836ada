"""Failures of AWS services: clear errors, 503 through the API, and no orphan faceprint after a partial enrolment."""
from __future__ import annotations

import io

import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from tests.backends.aws.fake_rekognition import client_error
from tests.conftest import RED
from tests.fakes import make_photo
from webapp import create_app
from webapp.backends.aws.clients import CLIENT_CONFIG, AwsClients
from webapp.errors import BackendUnavailable

REKOGNITION_DOWN = "Amazon Rekognition is unavailable right now; try again in a minute."


class Failing:
    """A client proxy whose chosen operations raise, the rest passing through to the real (moto) client."""

    def __init__(self, client, **errors: BaseException):
        self._client, self._errors = client, errors

    def __getattr__(self, name):
        if name in self._errors:
            def fail(**params):
                raise self._errors[name]
            return fail
        return getattr(self._client, name)


@pytest.fixture
def app(world, aws_backend):
    """An AWS-mode app over the world."""
    return create_app({**world.settings.__dict__}, backend=aws_backend)


def _enrol(app):
    return app.extensions["services"].people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")


def _nothing_stored(world, backend) -> bool:
    """No faceprint, face row, person or enrolment image remains."""
    return (world.rekognition.collections[world.settings.rekognition_collection] == {}
            and backend.people.all_face_ids() == [] and backend.people.list_people() == []
            and backend.store.list("people") == [])


def test_throttling_after_retries_is_a_503_through_the_api(world, app):
    world.rekognition.fail("DetectFaces", "ThrottlingException")
    response = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 503 and response.get_json() == {"error": REKOGNITION_DOWN}


def test_timeouts_and_unreachable_endpoints_are_backend_unavailable(world, app):
    world.rekognition.fail("DetectFaces", ReadTimeoutError(endpoint_url="https://rekognition.us-east-1.amazonaws.com"))
    with pytest.raises(BackendUnavailable, match="Rekognition is unavailable"):
        _enrol(app)
    world.rekognition.fail("DetectLabels", EndpointConnectionError(endpoint_url="https://rekognition"))
    with pytest.raises(BackendUnavailable):
        app.extensions["services"].recognizer.analyse(make_photo(RED))


@pytest.mark.parametrize("code", ["InternalServerError", "ProvisionedThroughputExceededException"])
def test_server_errors_are_backend_unavailable(world, app, code):
    world.rekognition.fail("SearchFacesByImage", client_error(code, "boom", "SearchFacesByImage", 500))
    _enrol(app)
    with pytest.raises(BackendUnavailable):
        app.extensions["services"].recognizer.analyse(make_photo(RED))


def test_dynamodb_failure_after_index_faces_leaves_no_orphan_faceprint(world, app, aws_backend):
    ddb = world.clients.get("dynamodb")
    throttled = client_error("ProvisionedThroughputExceededException", "slow down", "TransactWriteItems")
    world.clients._clients["dynamodb"] = Failing(ddb, transact_write_items=throttled)
    with pytest.raises(BackendUnavailable, match="DynamoDB is unavailable"):
        _enrol(app)
    assert "IndexFaces" in world.rekognition.calls and "DeleteFaces" in world.rekognition.calls
    assert _nothing_stored(world, aws_backend)


def test_s3_failure_after_index_faces_leaves_no_orphan_faceprint(world, app, aws_backend):
    s3 = world.clients.get("s3")
    world.clients._clients["s3"] = Failing(s3, put_object=EndpointConnectionError(endpoint_url="https://s3"))
    with pytest.raises(BackendUnavailable, match="S3 is unavailable"):
        _enrol(app)
    world.clients._clients["s3"] = s3
    assert _nothing_stored(world, aws_backend)


def test_second_face_failing_rolls_back_the_first(world, app, aws_backend):
    photos = [("a.png", make_photo(RED)), ("b.png", make_photo(RED))]
    calls = []
    real = aws_backend.faces.index

    def index_then_fail(photo, face, person_id):
        calls.append(1)
        if len(calls) == 2:
            raise BackendUnavailable(REKOGNITION_DOWN)
        return real(photo, face, person_id)

    aws_backend.faces.index = index_then_fail
    with pytest.raises(BackendUnavailable):
        app.extensions["services"].people.enrol("Ada", photos, consent=True, consent_by="t")
    assert _nothing_stored(world, aws_backend)


def test_clients_retry_in_standard_mode_with_timeouts(world):
    # botocore's max_attempts counts retries: 5 retries after the first try (total_max_attempts 6)
    assert CLIENT_CONFIG.retries["mode"] == "standard" and CLIENT_CONFIG.retries["total_max_attempts"] == 6
    client = AwsClients("eu-west-1").get("s3")
    assert client.meta.config.retries["mode"] == "standard" and client.meta.config.read_timeout == 30
    assert client.meta.region_name == "eu-west-1"
    assert AwsClients("eu-west-1").get("s3") is not client  # one per AwsClients (one per process in the app)


def test_a_conflicting_write_while_deleting_a_face_row_keeps_row_and_count(world, app, aws_backend):
    ada = _enrol(app)
    ddb = world.clients.get("dynamodb")
    conflict = client_error("TransactionCanceledException", "cancelled", "TransactWriteItems")
    conflict.response["CancellationReasons"] = [{"Code": "None"}, {"Code": "TransactionConflict"}]
    world.clients._clients["dynamodb"] = Failing(ddb, transact_write_items=conflict)
    with pytest.raises(BackendUnavailable, match="DynamoDB is unavailable"):
        aws_backend.people.delete_faces(ada.face_ids)
    world.clients._clients["dynamodb"] = ddb
    assert aws_backend.people.all_face_ids() == ada.face_ids
    assert aws_backend.people.get_person(ada.person.id).face_count == 1


def test_an_error_no_adapter_knows_is_a_503_with_a_sentence_and_its_cause_logged(world, app, caplog):
    world.rekognition.fail("DetectFaces", client_error("SomethingNewException", "odd", "DetectFaces", 400))
    response = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 503
    assert response.get_json()["error"].startswith("Amazon Rekognition refused the request (SomethingNewException)")
    causes = [r for r in caplog.records if "SomethingNewException" in r.getMessage() and r.name.endswith("clients")]
    assert len(causes) == 1


class ConflictOnce:
    """A DynamoDB client whose next `times` transactions are cancelled by a conflicting write."""

    def __init__(self, client, times: int):
        self._client, self.left = client, times

    def transact_write_items(self, **params):
        if self.left > 0:
            self.left -= 1
            conflict = client_error("TransactionCanceledException", "Transaction cancelled", "TransactWriteItems")
            conflict.response["CancellationReasons"] = [{"Code": "None"}, {"Code": "None"},
                                                        {"Code": "TransactionConflict"}]
            raise conflict
        return self._client.transact_write_items(**params)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_a_conflict_while_recording_a_face_is_retried(world, app, aws_backend):
    world.clients._clients["dynamodb"] = ConflictOnce(world.clients.get("dynamodb"), times=1)
    ada = _enrol(app)
    assert aws_backend.people.get_person(ada.person.id).face_count == 1


def test_a_lasting_conflict_is_reported_as_busy_not_as_a_missing_person(world, app, aws_backend):
    world.clients._clients["dynamodb"] = ConflictOnce(world.clients.get("dynamodb"), times=99)
    with pytest.raises(BackendUnavailable, match="DynamoDB is unavailable right now"):
        _enrol(app)
    assert _nothing_stored(world, aws_backend)  # and the enrolment was rolled back
