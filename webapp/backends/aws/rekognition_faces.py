"""FaceCollection on an Amazon Rekognition collection; boxes and scores are already Glimpse's scales."""
from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.backends.aws.rekognition_images import (
    face_crop,
    face_in_crop,
    image_bytes,
    is_same_face,
    masked_face_crop,
)
from webapp.domain import BoundingBox, DetectedFace, FaceComparison, FaceMatch
from webapp.errors import BackendUnavailable, InvalidImage
from webapp.images import Photo

log = logging.getLogger(__name__)

CALLS = frozenset({
    "rekognition:DetectFaces", "rekognition:IndexFaces", "rekognition:SearchFacesByImage",
    "rekognition:DeleteFaces", "rekognition:ListFaces", "rekognition:CompareFaces",
})
DELETE_BATCH = 4096  # DeleteFaces accepts at most 4,096 ids per request
LANDMARKS = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")
BAD_IMAGE_CODES = ("InvalidImageFormatException", "ImageTooLargeException")
# SearchFacesByImage (and IndexFaces on older models) refuse an image without a face with
# InvalidParameterException and this message; any other refusal is a request Glimpse got wrong.
NO_FACE_MESSAGES = ("There are no faces in the image",)


def _box(raw: dict) -> BoundingBox:
    """A BoundingBox from Rekognition's box (already ratios), clipped to the image.

    Rekognition boxes may poke outside the image (a negative left for a face cut by the
    edge); Glimpse keeps boxes inside so crops and drawings need no special case.
    """
    left, top = float(raw.get("Left", 0.0)), float(raw.get("Top", 0.0))
    right, bottom = min(1.0, left + float(raw.get("Width", 0.0))), min(1.0, top + float(raw.get("Height", 0.0)))
    left, top = max(0.0, left), max(0.0, top)
    return BoundingBox(left, top, max(0.0, right - left), max(0.0, bottom - top))


def _face(raw: dict) -> DetectedFace:
    """A DetectedFace from a FaceDetail; confidence is already 0-100, landmarks already ratios."""
    points = {lm["Type"]: (float(lm["X"]), float(lm["Y"])) for lm in raw.get("Landmarks", [])}
    landmarks = tuple(points[name] for name in LANDMARKS) if all(n in points for n in LANDMARKS) else ()
    return DetectedFace(_box(raw["BoundingBox"]), float(raw.get("Confidence", 0.0)), landmarks)


class _Refused(Exception):
    """Rekognition answered InvalidParameterException; the caller decides what it means (never escapes)."""

    def __init__(self, cause: ClientError):
        super().__init__(error_message(cause))
        self.cause = cause

    @property
    def no_face(self) -> bool:
        """Whether the refusal is the documented one for an image without a face."""
        return str(self).startswith(NO_FACE_MESSAGES)


def error_message(exc: ClientError) -> str:
    """The service's own message of a ClientError (not str(exc), which names the operation too)."""
    return str(exc.response.get("Error", {}).get("Message", ""))


def _unusable(refusal: _Refused) -> BackendUnavailable:
    """An InvalidParameterException that is not "no face": a request Glimpse got wrong, logged with its cause."""
    log.error("Amazon Rekognition refused a request: %s", refusal.cause)
    return BackendUnavailable("Amazon Rekognition refused the request (InvalidParameterException); "
                              "the cause is in the server log.")


class RekognitionFaces:
    """Detect with DetectFaces; enrol and search face crops against one collection."""

    def __init__(self, clients: AwsClients, collection: str):
        self.clients = clients
        self.collection = collection

    def _call(self, operation: str, refusals: bool = False, **params: Any) -> dict:
        """Call one Rekognition operation with vendor errors translated.

        With `refusals`, an InvalidParameterException comes back as _Refused for the caller to
        judge; otherwise it is a BackendUnavailable like any other unexpected answer.
        """
        with vendor_errors("rekognition"):
            try:
                response: dict = getattr(self.clients.get("rekognition"), operation)(**params)
                return response
            except ClientError as exc:
                if error_code(exc) in BAD_IMAGE_CODES:
                    raise InvalidImage("Amazon Rekognition could not read this image.") from exc
                if refusals and error_code(exc) == "InvalidParameterException":
                    raise _Refused(exc) from exc
                raise

    def detect(self, photo: Photo) -> list[DetectedFace]:
        """Every face, largest first."""
        return self._detect_bytes(image_bytes(photo.image))

    def _detect_bytes(self, data: bytes) -> list[DetectedFace]:
        """Every face of ready-made JPEG bytes, largest first."""
        response = self._call("detect_faces", Image={"Bytes": data}, Attributes=["DEFAULT"])
        faces = [_face(raw) for raw in response.get("FaceDetails", [])]
        return sorted(faces, key=lambda f: -f.bounding_box.area)

    def index(self, photo: Photo, face: DetectedFace, person_id: str) -> str:
        """Index the cropped face; ExternalImageId is the person id (hex, never the name).

        IndexFaces with MaxFaces=1 keeps the largest face of the crop. If that is a neighbour
        (a tight group photo), its faceprint is deleted at once and the crop is sent again
        with everything but this face masked out.
        """
        expected = face_in_crop(photo.size, face.bounding_box)
        for crop in (face_crop(photo.image, face.bounding_box), masked_face_crop(photo.image, face.bounding_box)):
            record = self._index_crop(crop, person_id)
            if is_same_face(expected, _box(record["BoundingBox"])):
                return str(record["FaceId"])
            self.delete([record["FaceId"]])  # never keep a neighbour's faceprint under this person
            log.info("IndexFaces took a neighbouring face; indexing the masked crop")
        raise InvalidImage("Another face is too close to this one to enrol it; use a photo where it stands apart.")

    def _index_crop(self, crop: bytes, person_id: str) -> dict:
        """IndexFaces on one crop: the stored Face record, or InvalidImage when nothing was indexed."""
        try:
            response = self._call("index_faces", refusals=True, CollectionId=self.collection, Image={"Bytes": crop},
                                  ExternalImageId=person_id, MaxFaces=1, QualityFilter="AUTO", DetectionAttributes=[])
        except _Refused as refusal:
            if not refusal.no_face:
                raise _unusable(refusal) from refusal.cause
            response = {}
        records = response.get("FaceRecords", [])
        if not records:  # no face, or only UnindexedFaces: the quality filter turned the face down
            raise InvalidImage("The face is too small or blurred to enrol.")
        face: dict = records[0]["Face"]
        return face

    def search(self, photo: Photo, face: DetectedFace, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """Stored faces at least `threshold` similar to this face (searched as a crop), best first.

        SearchFacesByImage searches the largest face of the crop and says which one
        (SearchedFaceBoundingBox). If that is a neighbour, the crop is searched again with
        the rest masked out; a face that still cannot be isolated is reported as unknown.
        """
        expected = face_in_crop(photo.size, face.bounding_box)
        for crop in (face_crop(photo.image, face.bounding_box), masked_face_crop(photo.image, face.bounding_box)):
            response = self._search_crop(crop, threshold, limit)
            if response is None:  # Rekognition finds no face where the detector saw one
                return []
            searched = response.get("SearchedFaceBoundingBox")
            if searched is None or is_same_face(expected, _box(searched)):
                matches = [FaceMatch(m["Face"]["FaceId"], float(m["Similarity"]))
                           for m in response.get("FaceMatches", [])]
                return sorted(matches, key=lambda m: -m.similarity)[:limit]
            log.info("SearchFacesByImage searched a neighbouring face; searching the masked crop")
        log.warning("could not isolate a face from its neighbours; reporting it as unknown")
        return []

    def _search_crop(self, crop: bytes, threshold: float, limit: int) -> dict | None:
        """SearchFacesByImage on one crop; None when Rekognition finds no face in it."""
        try:
            return self._call("search_faces_by_image", refusals=True, CollectionId=self.collection,
                              Image={"Bytes": crop}, FaceMatchThreshold=float(threshold), MaxFaces=max(1, int(limit)))
        except _Refused as refusal:
            if refusal.no_face or not self._detect_bytes(crop):  # the message may change; the check does not
                return None
            raise _unusable(refusal) from refusal.cause

    def delete(self, face_ids: list[str]) -> None:
        """Forget faceprints in batches; ids Rekognition does not know are ignored."""
        ids = list(dict.fromkeys(face_ids))
        for start in range(0, len(ids), DELETE_BATCH):
            self._call("delete_faces", CollectionId=self.collection, FaceIds=ids[start:start + DELETE_BATCH])

    def face_ids(self) -> list[str]:
        """Every face id in the collection (ListFaces, page by page)."""
        ids: list[str] = []
        params: dict[str, Any] = {"CollectionId": self.collection, "MaxResults": 4096}
        while True:
            response = self._call("list_faces", **params)
            ids += [f["FaceId"] for f in response.get("Faces", [])]
            if not response.get("NextToken"):
                return sorted(ids)
            params["NextToken"] = response["NextToken"]

    def compare(self, source: Photo, target: Photo, threshold: float) -> FaceComparison:
        """The largest face of source against every face of target; nothing is stored.

        CompareFaces refuses with InvalidParameterException when EITHER photo has no face, and
        its message does not say which: DetectFaces on both tells, and if both have a face the
        refusal was something else, reported as a backend error.
        """
        try:
            response = self._call(
                "compare_faces", refusals=True, SourceImage={"Bytes": image_bytes(source.image)},
                TargetImage={"Bytes": image_bytes(target.image)}, SimilarityThreshold=float(threshold),
            )
        except _Refused as refusal:
            return self._faceless_comparison(source, target, refusal)
        matches = sorted(((_face(m["Face"]), float(m["Similarity"])) for m in response.get("FaceMatches", [])),
                         key=lambda pair: -pair[1])
        unmatched = tuple(_face(raw) for raw in response.get("UnmatchedFaces", []))
        source_face = response.get("SourceImageFace")
        return FaceComparison(
            source_face=DetectedFace(_box(source_face["BoundingBox"]), float(source_face.get("Confidence", 0)))
            if source_face else None,
            matches=tuple(matches), unmatched=unmatched, target_faces=len(matches) + len(unmatched),
        )

    def _faceless_comparison(self, source: Photo, target: Photo, refusal: _Refused) -> FaceComparison:
        """The verdict when CompareFaces refused: which photo has no face (or a backend error)."""
        source_faces = self.detect(source)
        if not source_faces:  # still say how many faces the second photo has
            target_faces = self.detect(target)
            return FaceComparison(source_face=None, unmatched=tuple(target_faces), target_faces=len(target_faces))
        if not self.detect(target):
            return FaceComparison(source_face=source_faces[0], target_faces=0)
        raise _unusable(refusal) from refusal.cause
