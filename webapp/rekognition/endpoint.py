"""`POST /` with X-Amz-Target: RekognitionService.<Operation> — Amazon Rekognition's JSON protocol.

Order of checks, as AWS's front end does them: signature (SigV4 against keys Glimpse
issued), operation, body (JSON checked against botocore's model), then the operation.
Every failure is answered in Rekognition's error shape, never as an HTML page.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from webapp.domain import AccessKey
from webapp.errors import GlimpseError
from webapp.extensions import app_services
from webapp.rekognition import collection_ops, detection_ops, model, sigv4, vision_ops
from webapp.rekognition.collection_ops import Call
from webapp.rekognition.errors import ACCESS_DENIED, UNRECOGNIZED_CLIENT, RekognitionError, from_glimpse

log = logging.getLogger(__name__)
bp = Blueprint("rekognition", __name__)
TARGET_PREFIX = "RekognitionService."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY = 16 * 1024 * 1024  # two 5 MB images in base64 (CompareFaces) and the JSON around them
OPERATIONS: dict[str, Callable[[Call], dict]] = {
    "CreateCollection": collection_ops.create_collection,
    "DeleteCollection": collection_ops.delete_collection,
    "DescribeCollection": collection_ops.describe_collection,
    "ListCollections": collection_ops.list_collections,
    "IndexFaces": collection_ops.index_faces,
    "ListFaces": collection_ops.list_faces,
    "DeleteFaces": collection_ops.delete_faces,
    "SearchFaces": collection_ops.search_faces,
    "SearchFacesByImage": collection_ops.search_faces_by_image,
    "DetectFaces": detection_ops.detect_faces,
    "CompareFaces": detection_ops.compare_faces,
    "DetectLabels": detection_ops.detect_labels,
    "DetectText": vision_ops.detect_text,
    "DetectModerationLabels": vision_ops.detect_moderation_labels,
}
INVALID_TOKEN = "The security token included in the request is invalid."


@bp.post("/")
def endpoint() -> Response:
    """Authenticate, find the operation, check the body against the model, run it, answer in JSON."""
    body = _body()
    credential = _authenticate(body)
    name = _operation_name()
    operation = model.operation(name)
    if operation is None:
        raise RekognitionError("UnknownOperationException", f"Rekognition has no operation named {name[:80]!r}.", 404)
    if name not in OPERATIONS:
        raise RekognitionError("UnsupportedOperationException",
                               f"Glimpse's local Rekognition endpoint does not implement {name}; "
                               "docs/rekognition-api.md lists the operations it answers.")
    params = model.parse_request(operation, _json(body))
    services = app_services()
    assert services.collections is not None  # init_app serves this blueprint only when the backend has them
    call = Call(params, credential.region, services.collections, services.backend, services.settings.max_pixels,
                services.settings.min_label_confidence)
    return _answer(200, OPERATIONS[name](call))


def _body() -> bytes:
    """The request body, refused unread when it is larger than any valid request."""
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise RekognitionError("ImageTooLargeException", f"The request is {length} bytes; images are limited to "
                               "5 MB of bytes each.")
    data = request.get_data(cache=True) if length is not None else request.stream.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise RekognitionError("ImageTooLargeException", "The request is larger than any valid request.")
    return data


def _authenticate(body: bytes) -> sigv4.Credential:
    """Check the signature against Glimpse's access keys; a revoked key is denied after its signature checks."""
    headers: dict[str, list[str]] = {}
    for header, value in request.headers.items():
        headers.setdefault(header.lower(), []).append(value)
    if "x-amz-security-token" in headers:  # Glimpse issues long-term keys only, never session tokens
        raise RekognitionError.of(UNRECOGNIZED_CLIENT, INVALID_TOKEN)
    signed = sigv4.SignedRequest(request.method, sigv4.raw_path_of(request.environ),
                                 request.query_string.decode("latin-1"), headers, body)
    credential = sigv4.verify(signed, _secret_of)
    key = _issued(credential.access_key_id)[0]
    if key.revoked_at is not None:
        raise RekognitionError.of(ACCESS_DENIED, f"The access key {key.id} was revoked on "
                                  f"{key.revoked_at:%Y-%m-%d}; create a new one with `flask admin keys create`.")
    return credential


def _secret_of(key_id: str) -> str:
    """The secret of a key Glimpse issued (revoked ones too: they are denied after the signature checks)."""
    return _issued(key_id)[1]


def _issued(key_id: str) -> tuple[AccessKey, str]:
    """A key Glimpse issued and its secret; an unknown id is the client's error."""
    keys = app_services().access_keys
    found = keys.lookup(key_id) if keys is not None else None
    if found is None:
        raise RekognitionError.of(UNRECOGNIZED_CLIENT, INVALID_TOKEN)
    return found


def _operation_name() -> str:
    """The operation named by X-Amz-Target."""
    target = request.headers.get("X-Amz-Target", "")
    if not target.startswith(TARGET_PREFIX):
        raise RekognitionError("UnknownOperationException", "The X-Amz-Target header must be "
                               f"'{TARGET_PREFIX}<Operation>', not {target[:80]!r}.", 404)
    return target[len(TARGET_PREFIX):]


def _json(body: bytes) -> Any:
    """The body as JSON (an empty body is an empty request)."""
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise model.serialization_error(f"The request body is not valid JSON: {exc}.") from exc


def _answer(status: int, payload: dict, code: str | None = None) -> Response:
    """A JSON 1.1 response with a request id (and the error type header for errors)."""
    response = Response(json.dumps(payload), status=status, content_type=CONTENT_TYPE)
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    if code:
        response.headers["x-amzn-ErrorType"] = code
    return response


def _rekognition_error(exc: RekognitionError) -> Response:
    """An error in Rekognition's shape."""
    return _answer(exc.status, {"__type": exc.code, "message": exc.message}, exc.code)


def _glimpse_error(exc: GlimpseError) -> Response:
    """A service error translated to the Rekognition error it stands for."""
    if exc.status >= 500:
        log.error("rekognition endpoint: backend error: %s", exc.message)
    return _rekognition_error(from_glimpse(exc))


def _too_large(exc: RequestEntityTooLarge) -> Response:
    """A body over the app's own limit."""
    return _rekognition_error(RekognitionError("ImageTooLargeException", "The request is larger than any valid "
                                               "request."))


def _http(exc: HTTPException) -> Response:
    """Werkzeug's errors (a broken request) in Rekognition's shape."""
    return _rekognition_error(RekognitionError("SerializationException", exc.description or exc.name,
                                               exc.code or 400))


def _unexpected(exc: Exception) -> Response:
    """Anything else: logged with its traceback, answered as Rekognition's InternalServerError."""
    log.exception("rekognition endpoint: unexpected error")
    return _rekognition_error(RekognitionError("InternalServerError",
                                               "Internal server error; the error has been logged.", 500))


for _kind, _handler in ((RekognitionError, _rekognition_error), (GlimpseError, _glimpse_error),
                        (RequestEntityTooLarge, _too_large), (HTTPException, _http), (Exception, _unexpected)):
    bp.register_error_handler(_kind, _handler)
