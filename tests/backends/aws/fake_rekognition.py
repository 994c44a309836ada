"""A stateful fake Rekognition client over the synthetic test images (tests/fakes.py).

A "face" is a solid square of one colour on the grey background; its colour is the
identity. The JPEG bytes the adapter sends are decoded and segmented with a tolerance
(JPEG shifts colours a little and blurs edges), and similarity is 100 minus the distance
between colours. Every request is validated against botocore's own service model, and
errors are ClientErrors shaped like the real ones.
"""
from __future__ import annotations

import io
import re
import uuid

import numpy as np
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.session import get_session
from botocore.validate import validate_parameters
from PIL import Image

from tests.fakes import BACKGROUND

_MODEL = get_session().get_service_model("rekognition")
_OPERATIONS = {xform_name(name): name for name in _MODEL.operation_names}
_EXTERNAL_ID = re.compile(r"^[a-zA-Z0-9_.\-:]+$")
MIN_FACE = 10  # px: smaller blobs (JPEG edge noise, slivers of a neighbour) are not faces


def client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    """A ClientError as botocore raises it for an AWS error response."""
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       operation)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) runs of True values."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2], strict=True))


def find_squares(rgb: np.ndarray) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """(x0, y0, x1, y1) and median colour of each coloured block, by column then row projections."""
    foreground = np.abs(rgb.astype(int) - np.array(BACKGROUND)).max(axis=2) > 40
    found = []
    for x0, x1 in _runs(foreground.sum(axis=0) >= 3):
        for y0, y1 in _runs(foreground[:, x0:x1].sum(axis=1) >= 3):
            if min(x1 - x0, y1 - y0) < MIN_FACE:
                continue
            block = rgb[y0:y1, x0:x1][foreground[y0:y1, x0:x1]]
            found.append(((int(x0), int(y0), int(x1), int(y1)), np.median(block, axis=0)))
    return found


class FakeRekognition:
    """Collections of faces (colour vectors) plus the stateless detection calls."""

    def __init__(self):
        self.collections: dict[str, dict[str, dict]] = {}
        self.calls: list[str] = []
        self.faults: dict[str, list[BaseException]] = {}
        self.quality_floor = 0  # faces (in the crop) smaller than this many px are "unindexed"
        self.page_size = 4096  # ListFaces page size, lowered by tests to exercise NextToken

    def fail(self, operation: str, error: BaseException | str, times: int = 1) -> None:
        """Make the next `times` calls of an operation (e.g. "IndexFaces") raise; a str is an error code."""
        if isinstance(error, str):
            error = client_error(error, f"Rate exceeded ({error})", operation, 400)
        self.faults.setdefault(operation, []).extend([error] * times)

    def __getattr__(self, name: str):
        """Any Rekognition operation: validate the request against the service model, then run it."""
        if name not in _OPERATIONS:
            raise AttributeError(name)
        operation = _OPERATIONS[name]

        def call(**params):
            validate_parameters(params, _MODEL.operation_model(operation).input_shape)
            self.calls.append(operation)
            if self.faults.get(operation):
                raise self.faults[operation].pop(0)
            handler = getattr(self, f"_{name}", None)
            if handler is None:
                raise NotImplementedError(f"the fake does not implement {operation}")
            return handler(**params)

        return call

    # --- helpers -------------------------------------------------------------------------------
    def _image(self, image: dict, operation: str) -> np.ndarray:
        """Decode image bytes, enforcing Rekognition's format and size limits."""
        data = image["Bytes"]
        if len(data) > 5 * 1024 * 1024:
            raise client_error("ImageTooLargeException", "Image size is too large.", operation)
        try:
            decoded = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]).convert("RGB")
        except Exception as exc:  # noqa: BLE001 — anything PIL cannot read is an invalid format
            raise client_error("InvalidImageFormatException", "Request has invalid image format", operation) from exc
        if min(decoded.size) < 80:
            raise client_error("InvalidParameterException", "Minimum image dimensions are 80 pixels.", operation)
        return np.asarray(decoded)

    def _faces(self, image: dict, operation: str) -> list[dict]:
        """FaceDetail-like dicts (plus the colour) for every square, largest first."""
        rgb = self._image(image, operation)
        height, width = rgb.shape[:2]
        faces = []
        for (x0, y0, x1, y1), colour in find_squares(rgb):
            box = {"Width": (x1 - x0) / width, "Height": (y1 - y0) / height, "Left": x0 / width, "Top": y0 / height}
            cx, cy = (x0 + x1) / 2 / width, (y0 + y1) / 2 / height
            marks = [{"Type": t, "X": cx + dx * box["Width"], "Y": cy + dy * box["Height"]} for t, dx, dy in (
                ("eyeLeft", -0.2, -0.15), ("eyeRight", 0.2, -0.15), ("nose", 0, 0),
                ("mouthLeft", -0.15, 0.2), ("mouthRight", 0.15, 0.2))]
            faces.append({"BoundingBox": box, "Confidence": 99.9, "Landmarks": marks, "colour": colour,
                          "pixels": min(x1 - x0, y1 - y0)})
        return sorted(faces, key=lambda f: -f["BoundingBox"]["Width"] * f["BoundingBox"]["Height"])

    def _largest(self, image: dict, operation: str) -> dict:
        """The largest face, or the InvalidParameterException Rekognition gives for none."""
        faces = self._faces(image, operation)
        if not faces:
            raise client_error("InvalidParameterException", "There are no faces in the image. Should be at least 1.",
                               operation)
        return faces[0]

    def _collection(self, collection_id: str, operation: str) -> dict[str, dict]:
        """The faces of a collection, or ResourceNotFoundException."""
        if collection_id not in self.collections:
            raise client_error("ResourceNotFoundException", f"The collection id: {collection_id} does not exist",
                               operation)
        return self.collections[collection_id]

    @staticmethod
    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        """100 for the same colour, falling with the distance between colours."""
        return float(max(0.0, 100.0 - np.linalg.norm(np.asarray(a, float) - np.asarray(b, float))))

    @staticmethod
    def _public(face: dict) -> dict:
        """A face without the fake's private fields."""
        return {k: v for k, v in face.items() if k not in ("colour", "pixels")}

    # --- operations ----------------------------------------------------------------------------
    def _create_collection(self, CollectionId):
        if CollectionId in self.collections:
            raise client_error("ResourceAlreadyExistsException", "The collection already exists", "CreateCollection")
        self.collections[CollectionId] = {}
        return {"StatusCode": 200, "CollectionArn": f"aws:rekognition:us-east-1:123456789012:collection/{CollectionId}",
                "FaceModelVersion": "7.0"}

    def _delete_collection(self, CollectionId):
        self._collection(CollectionId, "DeleteCollection")
        del self.collections[CollectionId]
        return {"StatusCode": 200}

    def _describe_collection(self, CollectionId):
        faces = self._collection(CollectionId, "DescribeCollection")
        return {"FaceCount": len(faces), "FaceModelVersion": "7.0", "CollectionARN": f"collection/{CollectionId}"}

    def _detect_faces(self, Image, Attributes=()):
        return {"FaceDetails": [self._public(f) for f in self._faces(Image, "DetectFaces")]}

    def _index_faces(self, CollectionId, Image, ExternalImageId=None, MaxFaces=None, QualityFilter=None,
                     DetectionAttributes=()):
        faces = self._collection(CollectionId, "IndexFaces")
        if ExternalImageId is not None and not _EXTERNAL_ID.match(ExternalImageId):
            raise client_error("InvalidParameterException", "ExternalImageId is invalid", "IndexFaces")
        found = self._faces(Image, "IndexFaces")
        keep = found[:MaxFaces] if MaxFaces else found
        unindexed = found[len(keep):]
        if QualityFilter != "NONE":
            unindexed += [f for f in keep if f["pixels"] < self.quality_floor]
            keep = [f for f in keep if f["pixels"] >= self.quality_floor]
        records = []
        for face in keep:
            face_id = str(uuid.uuid4())
            faces[face_id] = {"colour": face["colour"], "ExternalImageId": ExternalImageId}
            stored = {"FaceId": face_id, "BoundingBox": face["BoundingBox"], "ImageId": str(uuid.uuid4()),
                      "ExternalImageId": ExternalImageId, "Confidence": face["Confidence"]}
            records.append({"Face": stored, "FaceDetail": self._public(face)})
        return {"FaceRecords": records, "UnindexedFaces": [
            {"Reasons": ["LOW_QUALITY"], "FaceDetail": self._public(f)} for f in unindexed]}

    def _search_faces_by_image(self, CollectionId, Image, MaxFaces=80, FaceMatchThreshold=80.0,
                               QualityFilter=None):
        faces = self._collection(CollectionId, "SearchFacesByImage")
        probe = self._largest(Image, "SearchFacesByImage")
        scored = [(self.similarity(probe["colour"], f["colour"]), fid, f) for fid, f in faces.items()]
        matches = sorted((s for s in scored if s[0] >= FaceMatchThreshold), key=lambda s: -s[0])[:MaxFaces]
        return {"SearchedFaceBoundingBox": probe["BoundingBox"], "SearchedFaceConfidence": probe["Confidence"],
                "FaceMatches": [{"Similarity": s, "Face": {"FaceId": fid, "ExternalImageId": f["ExternalImageId"]}}
                                for s, fid, f in matches]}

    def _delete_faces(self, CollectionId, FaceIds):
        faces = self._collection(CollectionId, "DeleteFaces")
        deleted = [fid for fid in FaceIds if faces.pop(fid, None) is not None]
        return {"DeletedFaces": deleted}

    def _list_faces(self, CollectionId, NextToken=None, MaxResults=1000):
        ids = sorted(self._collection(CollectionId, "ListFaces"))
        start = int(NextToken or 0)
        size = min(MaxResults, self.page_size)
        page = ids[start:start + size]
        more = start + size < len(ids)
        return {"Faces": [{"FaceId": fid} for fid in page], **({"NextToken": str(start + size)} if more else {})}

    def _compare_faces(self, SourceImage, TargetImage, SimilarityThreshold=80.0, QualityFilter=None):
        # Like the service: no face in EITHER image is an InvalidParameterException, and its
        # message does not say which image (or even that a face is missing).
        sources, targets = self._faces(SourceImage, "CompareFaces"), self._faces(TargetImage, "CompareFaces")
        if not sources or not targets:
            raise client_error("InvalidParameterException", "Request has Invalid Parameters", "CompareFaces")
        source = sources[0]
        matches, unmatched = [], []
        for face in targets:
            similarity = self.similarity(source["colour"], face["colour"])
            if similarity >= SimilarityThreshold:
                matches.append({"Similarity": similarity, "Face": self._public(face)})
            else:
                unmatched.append(self._public(face))
        return {"SourceImageFace": {"BoundingBox": source["BoundingBox"], "Confidence": source["Confidence"]},
                "FaceMatches": matches, "UnmatchedFaces": unmatched}

    def _detect_labels(self, Image, MaxLabels=None, MinConfidence=55.0, **_):
        faces = self._faces(Image, "DetectLabels")
        labels = [{"Name": "Pattern", "Confidence": 90.0, "Parents": [{"Name": "Design"}], "Instances": []},
                  {"Name": "Design", "Confidence": 90.0, "Parents": [], "Instances": []},
                  {"Name": "Blur", "Confidence": 40.0, "Parents": [], "Instances": []}]
        if faces:  # each coloured square is also a boxed person, as DetectLabels' Instances give them
            labels.insert(0, {"Name": "Person", "Confidence": 98.0, "Parents": [], "Instances": [
                {"BoundingBox": f["BoundingBox"], "Confidence": 97.0} for f in faces]})
        labels = [lb for lb in labels if lb["Confidence"] >= MinConfidence]
        return {"Labels": labels[:MaxLabels] if MaxLabels else labels, "LabelModelVersion": "3.0"}

    def _detect_text(self, Image, Filters=None):
        """One LINE of two WORDs under the largest square (the fake's "sign"), none without a square."""
        faces = self._faces(Image, "DetectText")
        if not faces:
            return {"TextDetections": [], "TextModelVersion": "3.0"}
        box = faces[0]["BoundingBox"]
        line = {"Left": box["Left"], "Top": min(0.95, box["Top"] + box["Height"]), "Width": box["Width"],
                "Height": 0.04}

        def geometry(left, width):
            corners = [(left, line["Top"]), (left + width, line["Top"]), (left + width, line["Top"] + 0.04),
                       (left, line["Top"] + 0.04)]
            return {"BoundingBox": {**line, "Left": left, "Width": width},
                    "Polygon": [{"X": x, "Y": y} for x, y in corners]}

        half = line["Width"] / 2
        return {"TextModelVersion": "3.0", "TextDetections": [
            {"DetectedText": "HELLO WORLD", "Type": "LINE", "Id": 0, "Confidence": 99.1,
             "Geometry": geometry(line["Left"], line["Width"])},
            {"DetectedText": "HELLO", "Type": "WORD", "Id": 1, "ParentId": 0, "Confidence": 99.3,
             "Geometry": geometry(line["Left"], half)},
            {"DetectedText": "WORLD", "Type": "WORD", "Id": 2, "ParentId": 0, "Confidence": 98.9,
             "Geometry": geometry(line["Left"] + half, half)}]}

    def _detect_moderation_labels(self, Image, MinConfidence=50.0, **_):
        """Explicit when most of the image is pure magenta (the tests' stand-in for an unsafe photo)."""
        rgb = self._image(Image, "DetectModerationLabels").astype(int)
        magenta = float((np.abs(rgb - np.array([255, 0, 255])).max(axis=2) < 40).mean())
        labels = []
        if magenta > 0.5:
            labels = [{"Name": "Explicit Nudity", "ParentName": "Explicit", "Confidence": 96.0, "TaxonomyLevel": 2},
                      {"Name": "Explicit", "ParentName": "", "Confidence": 96.0, "TaxonomyLevel": 1}]
        return {"ModerationLabels": [lb for lb in labels if lb["Confidence"] >= MinConfidence],
                "ModerationModelVersion": "7.0"}
