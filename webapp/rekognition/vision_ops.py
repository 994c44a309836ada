"""DetectText and DetectModerationLabels over the TextReader and ModerationDetector ports."""
from __future__ import annotations

from webapp.domain import TextDetection
from webapp.rekognition import render
from webapp.rekognition.collection_ops import Call
from webapp.rekognition.images import photo_of

TEXT_MODEL_VERSION = "1.0"
MODERATION_MODEL_VERSION = "1.0"
DEFAULT_MODERATION_CONFIDENCE = 50.0  # DetectModerationLabels' MinConfidence default


def _kept(found: TextDetection, word_filter: dict) -> bool:
    """Whether a detection passes the WordFilter (it applies to words only, as Rekognition's does)."""
    if found.type != "WORD":
        return True
    box = found.bounding_box
    return bool(found.confidence >= word_filter.get("MinConfidence", 0.0)
            and box.height >= word_filter.get("MinBoundingBoxHeight", 0.0)
            and box.width >= word_filter.get("MinBoundingBoxWidth", 0.0))


def detect_text(call: Call) -> dict:
    """DetectText: lines, then words with their line as parent."""
    photo = photo_of(call.params["Image"], call.max_pixels)
    word_filter = call.params.get("Filters", {}).get("WordFilter", {})
    detections = []
    for found in call.backend.text.read(photo):
        if not _kept(found, word_filter):
            continue
        item = {"DetectedText": found.detected_text, "Type": found.type, "Id": found.id,
                "Confidence": render.percent(found.confidence),
                "Geometry": {"BoundingBox": render.box(found.bounding_box),
                             "Polygon": [{"X": x, "Y": y} for x, y in found.polygon]}}
        if found.parent_id is not None:
            item["ParentId"] = found.parent_id
        detections.append(item)
    return {"TextDetections": detections, "TextModelVersion": TEXT_MODEL_VERSION}


def detect_moderation_labels(call: Call) -> dict:
    """DetectModerationLabels: labels at or above MinConfidence (default 50) with their parents."""
    photo = photo_of(call.params["Image"], call.max_pixels)
    minimum = call.params.get("MinConfidence", DEFAULT_MODERATION_CONFIDENCE)
    labels = [label for label in call.backend.moderation.detect(photo) if label.confidence >= minimum]
    return {
        "ModerationLabels": [{"Confidence": render.percent(label.confidence), "Name": label.name,
                              "ParentName": label.parent_name, "TaxonomyLevel": 2 if label.parent_name else 1}
                             for label in labels],
        "ModerationModelVersion": MODERATION_MODEL_VERSION,
    }
