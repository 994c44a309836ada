"""Glimpse's domain objects in Rekognition's response shapes (see botocore's rekognition model).

Boxes are ratios of the image's width and height, as Rekognition's are. The local detector
clips them to the image (0-1), so unlike Rekognition's they never poke outside it;
landmarks are not clipped (an eye may be just outside a cut-off face, as with Rekognition).
Ids are 32 hex digits inside Glimpse and dashed UUIDs on the wire.
"""
from __future__ import annotations

import uuid
from typing import Any

from webapp.domain import BoundingBox, CollectionInfo, DetectedFace, StoredFace
from webapp.images import Photo
from webapp.services.face_quality import pose, quality

FACE_MODEL_VERSION = "1.0"  # Glimpse's local face model (YuNet + SFace); Rekognition's are "6.0", "7.0"
LABEL_MODEL_VERSION = "1.0"  # Glimpse's local label model (EfficientNet-Lite0 and its taxonomy)
ACCOUNT = "000000000000"  # collections have ARNs; a local endpoint has no AWS account
LANDMARKS = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")  # the detector's five points, in order


def wire_id(hex_id: str) -> str:
    """A Glimpse id (32 hex digits) as Rekognition spells ids (a dashed UUID)."""
    return str(uuid.UUID(hex=hex_id))


def glimpse_id(wire: str) -> str:
    """A wire id (already checked against the model's UUID pattern) as Glimpse stores it."""
    return uuid.UUID(wire).hex


def collection_arn(name: str, region: str) -> str:
    """The ARN of a collection, as CreateCollection and DescribeCollection show it."""
    return f"aws:rekognition:{region}:{ACCOUNT}:collection/{name}"


def box(value: BoundingBox) -> dict:
    """A BoundingBox shape."""
    return {"Width": value.width, "Height": value.height, "Left": value.left, "Top": value.top}


def face_detail(photo: Photo, face: DetectedFace) -> dict:
    """A FaceDetail with the DEFAULT attributes the local engine can give."""
    detail: dict[str, Any] = {"BoundingBox": box(face.bounding_box)}
    if len(face.landmarks) == len(LANDMARKS):
        detail["Landmarks"] = [{"Type": name, "X": x, "Y": y} for name, (x, y) in zip(LANDMARKS, face.landmarks,
                                                                                   strict=True)]
    found = pose(photo, face)
    if found is not None:
        detail["Pose"] = {"Roll": found.roll, "Yaw": found.yaw, "Pitch": found.pitch}
    measured = quality(photo, face)
    detail["Quality"] = {"Brightness": measured.brightness, "Sharpness": measured.sharpness}
    detail["Confidence"] = percent(face.confidence)
    return detail


def compared_face(photo: Photo, face: DetectedFace) -> dict:
    """A ComparedFace: the FaceDetail members CompareFaces returns."""
    detail = face_detail(photo, face)
    return {k: detail[k] for k in ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality") if k in detail}


def stored_face(face: StoredFace) -> dict:
    """A Face shape (what a collection keeps about a face)."""
    out: dict[str, Any] = {"FaceId": wire_id(face.face_id), "BoundingBox": box(face.bounding_box),
                           "ImageId": wire_id(face.image_id)}
    if face.external_image_id:
        out["ExternalImageId"] = face.external_image_id
    if face.confidence is not None:
        out["Confidence"] = percent(face.confidence)
    out["IndexFacesModelVersion"] = FACE_MODEL_VERSION
    if face.user_id:
        out["UserId"] = face.user_id
    return out


def face_match(face: StoredFace, similarity: float) -> dict:
    """A FaceMatch shape."""
    return {"Similarity": percent(similarity), "Face": stored_face(face)}


def collection(info: CollectionInfo, region: str) -> dict:
    """A DescribeCollection response."""
    return {
        "FaceCount": info.face_count, "FaceModelVersion": FACE_MODEL_VERSION,
        "CollectionARN": collection_arn(info.name, region), "CreationTimestamp": info.created_at.timestamp(),
        "UserCount": info.user_count,
    }


def percent(value: float) -> float:
    """A 0-100 score, kept inside the range the model allows."""
    return min(100.0, max(0.0, float(value)))
