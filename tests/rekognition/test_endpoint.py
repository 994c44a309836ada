"""The protocol edge: signatures against issued keys, error shapes, and POST / beside the upload page."""
import json

import pytest
from botocore.exceptions import ClientError

from tests.rekognition.conftest import routed_client, signed_post


def _error(response) -> tuple[int, str, str]:
    body = json.loads(response.data)
    assert set(body) == {"__type", "message"} and body["message"]
    assert response.headers["x-amzn-ErrorType"] == body["__type"]
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    return response.status_code, body["__type"], body["message"]


def test_signed_request_is_answered_in_json_with_a_request_id(post):
    response = post("ListCollections", "{}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-RequestId"]
    assert json.loads(response.data) == {"CollectionIds": ["glimpse"], "FaceModelVersions": ["1.0"]}


def test_get_slash_is_still_the_upload_page(client):
    response = client.get("/")
    assert response.status_code == 200 and b"<form" in response.data


def test_endpoint_needs_no_csrf_token_but_a_signature(client):
    status, code, _ = _error(client.post("/", data="{}", headers={"X-Amz-Target": "RekognitionService.ListCollections",
                                                                  "Content-Type": "application/x-amz-json-1.1"}))
    assert (status, code) == (403, "MissingAuthenticationTokenException")


def test_unknown_access_key_is_unrecognized_client(client):
    response = signed_post(client, "ListCollections", "{}", "GLMPNOSUCHKEY0000000", "x" * 40)
    assert _error(response)[:2] == (403, "UnrecognizedClientException")


def test_wrong_secret_is_invalid_signature(client, access_key):
    response = signed_post(client, "ListCollections", "{}", access_key[0], "wrong" * 8)
    assert _error(response)[:2] == (403, "InvalidSignatureException")


def test_revoked_key_is_access_denied(client, services, access_key):
    assert services.access_keys.revoke(access_key[0])
    status, code, message = _error(signed_post(client, "ListCollections", "{}", *access_key))
    assert (status, code) == (403, "AccessDeniedException") and "revoked" in message


def test_session_tokens_are_not_accepted(client, access_key):
    response = signed_post(client, "ListCollections", "{}", *access_key, headers={"X-Amz-Security-Token": "t"})
    assert _error(response)[:2] == (403, "UnrecognizedClientException")


def test_boto3_raises_the_modelled_exception_class(rek):
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.describe_collection(CollectionId="nobody-made-this")


def test_boto3_with_a_bad_secret_gets_invalid_signature(client, access_key):
    bad = routed_client(client, access_key[0], "not-the-secret-at-all-0000000000000000000")
    with pytest.raises(ClientError) as caught:
        bad.list_collections()
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unimplemented_operation_is_a_rekognition_error_not_a_500(post):
    status, code, message = _error(post("StartFaceSearch", "{}"))
    assert (status, code) == (400, "UnsupportedOperationException") and "StartFaceSearch" in message


def test_operation_rekognition_does_not_have_is_unknown(post):
    assert _error(post("MakeCoffee", "{}"))[:2] == (404, "UnknownOperationException")


def test_body_that_is_not_json_is_a_serialization_error(post):
    assert _error(post("ListCollections", "{not json"))[:2] == (400, "SerializationException")


def test_invalid_member_is_a_validation_error(post):
    status, code, message = _error(post("CreateCollection", '{"CollectionId": "no spaces"}'))
    assert (status, code) == (400, "ValidationException") and "collectionId" in message


def test_unexpected_failure_is_an_internal_server_error_in_rekognitions_shape(post, services, monkeypatch):
    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.collections, "list", broken)
    assert _error(post("ListCollections", "{}"))[:2] == (500, "InternalServerError")
