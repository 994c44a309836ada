"""Text reading on Amazon Rekognition DetectText; boxes and polygons are already ratios."""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.backends.aws.rekognition_faces import BAD_IMAGE_CODES, _box
from webapp.backends.aws.rekognition_images import image_bytes
from webapp.domain import TextDetection
from webapp.errors import InvalidImage
from webapp.images import Photo

CALLS = frozenset({"rekognition:DetectText"})


def text_detection(raw: dict) -> TextDetection:
    """A TextDetection from one of Rekognition's TextDetections (LINE or WORD)."""
    geometry = raw.get("Geometry", {})
    polygon = tuple((float(p["X"]), float(p["Y"])) for p in geometry.get("Polygon", []))
    parent = raw.get("ParentId")
    return TextDetection(
        detected_text=str(raw.get("DetectedText", "")), type=str(raw.get("Type", "LINE")),
        confidence=float(raw.get("Confidence", 0.0)), bounding_box=_box(geometry.get("BoundingBox", {})),
        polygon=polygon, id=int(raw.get("Id", 0)), parent_id=None if parent is None else int(parent),
    )


class RekognitionText:
    """Lines and words of text (Rekognition reads at most 100 words of an image)."""

    def __init__(self, clients: AwsClients):
        self.clients = clients

    def read(self, photo: Photo) -> list[TextDetection]:
        """Every LINE and WORD Rekognition found, in its order (lines first, then words)."""
        with vendor_errors("rekognition"):
            try:
                response = self.clients.get("rekognition").detect_text(Image={"Bytes": image_bytes(photo.image)})
            except ClientError as exc:
                if error_code(exc) in BAD_IMAGE_CODES:
                    raise InvalidImage("Amazon Rekognition could not read this image.") from exc
                raise
        found = [text_detection(raw) for raw in response.get("TextDetections", [])]
        return sorted(found, key=lambda d: (d.type != "LINE", d.id))
