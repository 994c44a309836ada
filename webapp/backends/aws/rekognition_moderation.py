"""Unsafe-content labels on Amazon Rekognition DetectModerationLabels."""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.backends.aws.rekognition_faces import BAD_IMAGE_CODES
from webapp.backends.aws.rekognition_images import image_bytes
from webapp.domain import ModerationLabel
from webapp.errors import InvalidImage
from webapp.images import Photo

CALLS = frozenset({"rekognition:DetectModerationLabels"})
MIN_CONFIDENCE = 50.0  # Rekognition's own default for DetectModerationLabels


class RekognitionModeration:
    """Moderation labels with their parents; confidence is already 0-100."""

    def __init__(self, clients: AwsClients, min_confidence: float = MIN_CONFIDENCE):
        self.clients = clients
        self.min_confidence = min_confidence

    def detect(self, photo: Photo) -> list[ModerationLabel]:
        """Every moderation label at or above the minimum confidence, most confident first."""
        with vendor_errors("rekognition"):
            try:
                response = self.clients.get("rekognition").detect_moderation_labels(
                    Image={"Bytes": image_bytes(photo.image)}, MinConfidence=float(self.min_confidence))
            except ClientError as exc:
                if error_code(exc) in BAD_IMAGE_CODES:
                    raise InvalidImage("Amazon Rekognition could not read this image.") from exc
                raise
        labels = [ModerationLabel(str(raw["Name"]), str(raw.get("ParentName", "")), float(raw["Confidence"]))
                  for raw in response.get("ModerationLabels", [])]
        return sorted(labels, key=lambda label: -label.confidence)
