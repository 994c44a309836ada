"""SigV4 checking against requests signed by botocore's own signer."""
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from webapp.rekognition import sigv4
from webapp.rekognition.errors import RekognitionError

KEY, SECRET = "GLMPTESTKEY000000001", "s3cr3t/abcdefghijklmnopqrstuvwxyz0123456"
BODY = b'{"CollectionId": "friends"}'


def _signed(region="eu-west-3", service="rekognition", url="http://127.0.0.1:8000/", body=BODY,
            when=None, secret=SECRET, headers=None) -> sigv4.SignedRequest:
    """A request signed by botocore, as the server would see it."""
    request = AWSRequest("POST", url, data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "RekognitionService.CreateCollection",
        **(headers or {})})
    signer = SigV4Auth(Credentials(KEY, secret), service, region)
    with patch("botocore.auth.get_current_datetime", return_value=(when or datetime.now(UTC)).replace(tzinfo=None)):
        signer.add_auth(request)
    host = url.split("/")[2]
    received = {"host": [host]} | {k.lower(): [v] for k, v in request.headers.items()}
    path, _, query = url.split(host, 1)[1].partition("?")
    return sigv4.SignedRequest("POST", path, query, received, body)


def _secret_of(key_id):
    if key_id != KEY:
        raise RekognitionError("UnrecognizedClientException", "unknown", 403)
    return SECRET


def _code(request, now=None) -> str:
    with pytest.raises(RekognitionError) as caught:
        sigv4.verify(request, _secret_of, now)
    return caught.value.code


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-2"])
def test_botocore_signature_verifies_in_any_region(region):
    credential = sigv4.verify(_signed(region=region), _secret_of)
    assert credential.access_key_id == KEY and credential.region == region


def test_signature_with_query_string_and_encoded_path_verifies():
    assert sigv4.verify(_signed(url="http://localhost/a%20b/./c?b=2&a=1&a=%2F"), _secret_of).access_key_id == KEY


def test_changed_body_fails_the_signature():
    request = _signed()
    tampered = sigv4.SignedRequest(request.method, request.raw_path, request.raw_query, request.headers,
                                   b'{"CollectionId": "enemies"}')
    assert _code(tampered) == "InvalidSignatureException"


def test_changed_target_header_fails_the_signature():
    request = _signed()
    request.headers["x-amz-target"] = ["RekognitionService.DeleteCollection"]
    assert _code(request) == "InvalidSignatureException"


def test_wrong_secret_fails_the_signature():
    assert _code(_signed(secret="not-the-secret")) == "InvalidSignatureException"


def test_unknown_key_is_reported_by_the_lookup():
    request = _signed()
    request.headers["authorization"] = [request.headers["authorization"][0].replace(KEY, "GLMPSOMEONEELSE00001")]
    assert _code(request) == "UnrecognizedClientException"


def test_signature_for_another_service_is_refused():
    assert _code(_signed(service="s3")) == "InvalidSignatureException"


def test_clock_skew_up_to_fifteen_minutes_is_accepted_and_beyond_is_refused():
    now = datetime.now(UTC).replace(microsecond=0)
    assert sigv4.verify(_signed(when=now - timedelta(minutes=14)), _secret_of, now)
    assert sigv4.verify(_signed(when=now + timedelta(minutes=14)), _secret_of, now)
    with pytest.raises(RekognitionError, match="Signature expired"):
        sigv4.verify(_signed(when=now - timedelta(minutes=16)), _secret_of, now)
    with pytest.raises(RekognitionError, match="Signature not yet current"):
        sigv4.verify(_signed(when=now + timedelta(minutes=16)), _secret_of, now)


def test_missing_authorization_is_missing_authentication_token():
    request = _signed()
    del request.headers["authorization"]
    assert _code(request) == "MissingAuthenticationTokenException"


def test_authorization_without_signature_is_incomplete():
    request = _signed()
    header = request.headers["authorization"][0]
    request.headers["authorization"] = [header.split(", Signature=")[0]]
    assert _code(request) == "IncompleteSignatureException"


def test_target_header_must_be_signed():
    request = _signed()
    header = request.headers["authorization"][0]
    request.headers["authorization"] = [header.replace(";x-amz-target", "")]
    with pytest.raises(RekognitionError, match="x-amz-target"):
        sigv4.verify(request, _secret_of)


def test_canonical_request_matches_botocores_for_the_same_request():
    request = AWSRequest("POST", "http://localhost:5000/x/y?z=1&a=b%20c", data=BODY,
                         headers={"X-Amz-Target": "RekognitionService.ListFaces", "X-Amz-Date": "20261201T120000Z",
                                  "Content-Type": "application/x-amz-json-1.1"})
    signer = SigV4Auth(Credentials(KEY, SECRET), "rekognition", "us-east-1")
    request.headers["host"] = "localhost:5000"
    expected = signer.canonical_request(request)
    names = tuple(sorted(k.lower() for k in request.headers))
    received = sigv4.SignedRequest("POST", "/x/y", "z=1&a=b%20c", {k.lower(): [v] for k, v in request.headers.items()},
                                   BODY)
    assert sigv4.canonical_request(received, names) == expected
