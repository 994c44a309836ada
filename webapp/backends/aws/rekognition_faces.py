"""FaceCollection on an Amazon Rekognition collection; boxes and scores are already Glimpse's scales."""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.backends.aws.rekognition_images import face_crop, image_bytes
from webapp.domain import BoundingBox, DetectedFace, FaceComparison, FaceMatch
from webapp.errors import InvalidImage
from webapp.images import Photo

CALLS = frozenset({
    "rekognition:DetectFaces", "rekognition:IndexFaces", "rekognition:SearchFacesByImage",
    "rekognition:DeleteFaces", "rekognition:ListFaces", "rekognition:CompareFaces",
})
DELETE_BATCH = 4096  # DeleteFaces accepts at most 4,096 ids per request
LANDMARKS = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")
BAD_IMAGE_CODES = ("InvalidImageFormatException", "ImageTooLargeException")


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


class _NoFace(InvalidImage):
    """Rekognition found no face where one was expected (a normal outcome the callers handle)."""

    def __init__(self) -> None:
        super().__init__("Amazon Rekognition found no face in this image.")


def _no_face(exc: ClientError) -> bool:
    """Whether Rekognition refused because the image holds no face."""
    return error_code(exc) == "InvalidParameterException" and "face" in str(exc).lower()


class RekognitionFaces:
    """Detect with DetectFaces; enrol and search face crops against one collection."""

    def __init__(self, clients: AwsClients, collection: str):
        self.clients = clients
        self.collection = collection

    def _call(self, operation: str, **params) -> dict:
        """Call one Rekognition operation with vendor errors translated."""
        with vendor_errors("rekognition"):
            try:
                return getattr(self.clients.get("rekognition"), operation)(**params)
            except ClientError as exc:
                if error_code(exc) in BAD_IMAGE_CODES:
                    raise InvalidImage("Amazon Rekognition could not read this image.") from exc
                if _no_face(exc):
                    raise _NoFace from exc
                raise

    def detect(self, photo: Photo) -> list[DetectedFace]:
        """Every face, largest first."""
        response = self._call("detect_faces", Image={"Bytes": image_bytes(photo.image)}, Attributes=["DEFAULT"])
        faces = [_face(raw) for raw in response.get("FaceDetails", [])]
        return sorted(faces, key=lambda f: -f.bounding_box.area)

    def index(self, photo: Photo, face: DetectedFace, person_id: str) -> str:
        """Index the cropped face; ExternalImageId is the person id (hex, never the name)."""
        try:
            response = self._call(
                "index_faces", CollectionId=self.collection, Image={"Bytes": face_crop(photo.image, face.bounding_box)},
                ExternalImageId=person_id, MaxFaces=1, QualityFilter="AUTO", DetectionAttributes=[],
            )
        except _NoFace:
            response = {}
        records = response.get("FaceRecords", [])
        if not records:  # only UnindexedFaces: the quality filter turned the face down
            raise InvalidImage("The face is too small or blurred to enrol.")
        return records[0]["Face"]["FaceId"]

    def search(self, photo: Photo, face: DetectedFace, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """Stored faces at least `threshold` similar to this face (searched as a crop), best first."""
        try:
            response = self._call(
                "search_faces_by_image", CollectionId=self.collection,
                Image={"Bytes": face_crop(photo.image, face.bounding_box)},
                FaceMatchThreshold=float(threshold), MaxFaces=max(1, int(limit)),
            )
        except _NoFace:  # Rekognition did not find this detector's face in the crop
            return []
        matches = [FaceMatch(m["Face"]["FaceId"], float(m["Similarity"])) for m in response.get("FaceMatches", [])]
        return sorted(matches, key=lambda m: -m.similarity)[:limit]

    def delete(self, face_ids: list[str]) -> None:
        """Forget faceprints in batches; ids Rekognition does not know are ignored."""
        ids = list(dict.fromkeys(face_ids))
        for start in range(0, len(ids), DELETE_BATCH):
            self._call("delete_faces", CollectionId=self.collection, FaceIds=ids[start:start + DELETE_BATCH])

    def face_ids(self) -> list[str]:
        """Every face id in the collection (ListFaces, page by page)."""
        ids: list[str] = []
        params = {"CollectionId": self.collection, "MaxResults": 4096}
        while True:
            response = self._call("list_faces", **params)
            ids += [f["FaceId"] for f in response.get("Faces", [])]
            if not response.get("NextToken"):
                return sorted(ids)
            params["NextToken"] = response["NextToken"]

    def compare(self, source: Photo, target: Photo, threshold: float) -> FaceComparison:
        """The largest face of source against every face of target; nothing is stored."""
        try:
            response = self._call(
                "compare_faces", SourceImage={"Bytes": image_bytes(source.image)},
                TargetImage={"Bytes": image_bytes(target.image)}, SimilarityThreshold=float(threshold),
            )
        except _NoFace:
            faces = self.detect(target)  # no face in source: still say how many the target has
            return FaceComparison(source_face=None, unmatched=tuple(faces), target_faces=len(faces))
        matches = sorted(((_face(m["Face"]), float(m["Similarity"])) for m in response.get("FaceMatches", [])),
                         key=lambda pair: -pair[1])
        unmatched = tuple(_face(raw) for raw in response.get("UnmatchedFaces", []))
        source_face = response.get("SourceImageFace")
        return FaceComparison(
            source_face=DetectedFace(_box(source_face["BoundingBox"]), float(source_face.get("Confidence", 0)))
            if source_face else None,
            matches=tuple(matches), unmatched=unmatched, target_faces=len(matches) + len(unmatched),
        )
