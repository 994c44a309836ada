"""Collection and face operations: params (already checked against the model) in, response dict out."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from webapp.backends.base import Backend
from webapp.rekognition import render
from webapp.rekognition.errors import RekognitionError
from webapp.rekognition.images import photo_of
from webapp.services.collections import WireCollections

DEFAULT_PAGE = 1000
DEFAULT_THRESHOLD = 80.0  # FaceMatchThreshold and SimilarityThreshold default to 80, as in Rekognition
DEFAULT_MAX_MATCHES = 80  # SearchFaces / SearchFacesByImage MaxFaces default


@dataclass(frozen=True)
class Call:
    """One request: its checked params, the signing region, and what operations need."""

    params: dict
    region: str
    collections: WireCollections
    backend: Backend
    max_pixels: int
    min_label_confidence: float


def _token(last: str) -> str:
    """An opaque NextToken that resumes after `last`."""
    return base64.urlsafe_b64encode(last.encode("utf-8")).decode("ascii")


def _after(token: str | None) -> str | None:
    """The key a NextToken resumes after, or InvalidPaginationTokenException."""
    if not token:
        return None
    try:
        return base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise RekognitionError("InvalidPaginationTokenException", "Invalid pagination token.") from exc


def _page(keys: Sequence[str], token: str | None, size: int | None) -> tuple[int, int, str | None]:
    """Start and end of the page after the token, and the next token (None on the last page)."""
    after = _after(token)
    size = size or DEFAULT_PAGE
    start = next((i for i, key in enumerate(keys) if key > after), len(keys)) if after is not None else 0
    end = min(start + size, len(keys))
    return start, end, _token(keys[end - 1]) if end < len(keys) else None


def create_collection(call: Call) -> dict:
    """CreateCollection."""
    info = call.collections.create(call.params["CollectionId"])
    return {"StatusCode": 200, "CollectionArn": render.collection_arn(info.name, call.region),
            "FaceModelVersion": render.FACE_MODEL_VERSION}


def delete_collection(call: Call) -> dict:
    """DeleteCollection."""
    call.collections.delete(call.params["CollectionId"])
    return {"StatusCode": 200}


def describe_collection(call: Call) -> dict:
    """DescribeCollection."""
    return render.collection(call.collections.describe(call.params["CollectionId"]), call.region)


def list_collections(call: Call) -> dict:
    """ListCollections, a page at a time by name."""
    names = [info.name for info in call.collections.list()]
    start, end, token = _page(names, call.params.get("NextToken"), call.params.get("MaxResults"))
    out = {"CollectionIds": names[start:end], "FaceModelVersions": [render.FACE_MODEL_VERSION] * (end - start)}
    return out | ({"NextToken": token} if token else {})


def index_faces(call: Call) -> dict:
    """IndexFaces: the largest faces that pass the quality filter, up to MaxFaces."""
    p = call.params
    photo = photo_of(p["Image"], call.max_pixels)
    result = call.collections.index(p["CollectionId"], photo, p.get("ExternalImageId"), p.get("MaxFaces"),
                                    p.get("QualityFilter", "AUTO"))
    return {
        "FaceRecords": [{"Face": render.stored_face(stored), "FaceDetail": render.face_detail(photo, face)}
                        for stored, face in result.indexed],
        "FaceModelVersion": render.FACE_MODEL_VERSION,
        "UnindexedFaces": [{"Reasons": reasons, "FaceDetail": render.face_detail(photo, face)}
                           for face, reasons in result.unindexed],
    }


def list_faces(call: Call) -> dict:
    """ListFaces, a page at a time by face id."""
    p = call.params
    ids = [render.glimpse_id(i) for i in p["FaceIds"]] if "FaceIds" in p else None
    faces = call.collections.faces(p["CollectionId"], ids, p.get("UserId"))
    wire_ids = [render.wire_id(f.face_id) for f in faces]
    start, end, token = _page(wire_ids, p.get("NextToken"), p.get("MaxResults"))
    out = {"Faces": [render.stored_face(f) for f in faces[start:end]], "FaceModelVersion": render.FACE_MODEL_VERSION}
    return out | ({"NextToken": token} if token else {})


def delete_faces(call: Call) -> dict:
    """DeleteFaces: wire-indexed faces go; enrolled faces and unknown ids are reported."""
    ids = [render.glimpse_id(i) for i in call.params["FaceIds"]]
    deleted, failed = call.collections.delete_faces(call.params["CollectionId"], ids)
    unsuccessful = []
    for face_id, user_id, reason in failed:
        item = {"FaceId": render.wire_id(face_id), "Reasons": [reason]}
        unsuccessful.append(item | ({"UserId": user_id} if user_id else {}))
    return {"DeletedFaces": [render.wire_id(i) for i in deleted], "UnsuccessfulFaceDeletions": unsuccessful}


def search_faces(call: Call) -> dict:
    """SearchFaces: faces of the collection like one of its faces."""
    p = call.params
    matches = call.collections.search_face(p["CollectionId"], render.glimpse_id(p["FaceId"]),
                                           p.get("FaceMatchThreshold", DEFAULT_THRESHOLD),
                                           p.get("MaxFaces", DEFAULT_MAX_MATCHES))
    return {"SearchedFaceId": p["FaceId"], "FaceMatches": [render.face_match(f, s) for f, s in matches],
            "FaceModelVersion": render.FACE_MODEL_VERSION}


def search_faces_by_image(call: Call) -> dict:
    """SearchFacesByImage: the largest face of the image against the collection."""
    p = call.params
    photo = photo_of(p["Image"], call.max_pixels)
    face, matches = call.collections.search_image(
        p["CollectionId"], photo, p.get("FaceMatchThreshold", DEFAULT_THRESHOLD),
        p.get("MaxFaces", DEFAULT_MAX_MATCHES), p.get("QualityFilter", "NONE"))
    return {"SearchedFaceBoundingBox": render.box(face.bounding_box),
            "SearchedFaceConfidence": render.percent(face.confidence),
            "FaceMatches": [render.face_match(f, s) for f, s in matches],
            "FaceModelVersion": render.FACE_MODEL_VERSION}
