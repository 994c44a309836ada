"""LabelDetector on Amazon Rekognition DetectLabels."""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.backends.aws.rekognition_faces import _box
from webapp.backends.aws.rekognition_images import image_bytes
from webapp.domain import Instance, Label
from webapp.errors import InvalidImage
from webapp.images import Photo

CALLS = frozenset({"rekognition:DetectLabels"})


class RekognitionLabels:
    """Objects and scenes; Rekognition's confidence is already on Glimpse's 0-100 scale."""

    def __init__(self, clients: AwsClients):
        self.clients = clients

    def detect(self, photo: Photo, min_confidence: float, max_labels: int) -> list[Label]:
        """Labels at or above min_confidence, most confident first, with their parent names."""
        with vendor_errors("rekognition"):
            try:
                response = self.clients.get("rekognition").detect_labels(
                    Image={"Bytes": image_bytes(photo.image)},
                    MinConfidence=float(min_confidence), MaxLabels=int(max_labels),
                )
            except ClientError as exc:
                if error_code(exc) in ("InvalidImageFormatException", "ImageTooLargeException"):
                    raise InvalidImage("Amazon Rekognition could not read this image.") from exc
                raise
        labels = [_label(raw) for raw in response.get("Labels", [])]
        return sorted(labels, key=lambda label: -label.confidence)[:max_labels]


def _label(raw: dict) -> Label:
    """A Label with its parents and boxed Instances (Rekognition gives boxes for common objects)."""
    instances = tuple(Instance(_box(i["BoundingBox"]), float(i.get("Confidence", raw["Confidence"])))
                      for i in raw.get("Instances", []) if "BoundingBox" in i)
    return Label(raw["Name"], float(raw["Confidence"]), tuple(p["Name"] for p in raw.get("Parents", [])), instances)
