"""Operations on images alone (nothing is stored): DetectFaces, CompareFaces, DetectLabels."""
from __future__ import annotations

from webapp.domain import DetectedFace, Label
from webapp.images import Photo
from webapp.rekognition import render
from webapp.rekognition.collection_ops import DEFAULT_THRESHOLD, Call
from webapp.rekognition.errors import RekognitionError
from webapp.rekognition.images import photo_of
from webapp.services.collections import MAX_FACES_PER_IMAGE, NO_FACE
from webapp.services.face_quality import filter_reasons
from webapp.services.recognition import with_person_labels

MAX_LABELS = 1000  # DetectLabels returns every label over MinConfidence unless MaxLabels says fewer


def detect_faces(call: Call) -> dict:
    """DetectFaces: the 100 largest faces with the DEFAULT attributes (ALL gives the same here)."""
    photo = photo_of(call.params["Image"], call.max_pixels)
    faces = call.backend.faces.detect(photo)[:MAX_FACES_PER_IMAGE]
    return {"FaceDetails": [render.face_detail(photo, face) for face in faces]}


def _kept(photo: Photo, faces: tuple[DetectedFace, ...], level: str) -> list[DetectedFace]:
    """The faces that pass a QualityFilter level."""
    return [face for face in faces if not filter_reasons(photo, face, level)]


def compare_faces(call: Call) -> dict:
    """CompareFaces: the largest face of the source against the 100 largest of the target."""
    p = call.params
    source, target = photo_of(p["SourceImage"], call.max_pixels), photo_of(p["TargetImage"], call.max_pixels)
    level = p.get("QualityFilter", "NONE")
    comparison = call.backend.faces.compare(source, target, p.get("SimilarityThreshold", DEFAULT_THRESHOLD))
    # As AWS documents: no face in the source or in the target is an InvalidParameterException
    # (which of the two is not said).
    if comparison.source_face is None or filter_reasons(source, comparison.source_face, level) \
            or comparison.target_faces == 0:
        raise RekognitionError("InvalidParameterException", NO_FACE)
    allowed = {id(f) for f in _kept(target, (*(f for f, _ in comparison.matches), *comparison.unmatched), level)}
    matches = [(f, s) for f, s in comparison.matches if id(f) in allowed][:MAX_FACES_PER_IMAGE]
    unmatched = [f for f in comparison.unmatched if id(f) in allowed][:MAX_FACES_PER_IMAGE - len(matches)]
    return {
        "SourceImageFace": {"BoundingBox": render.box(comparison.source_face.bounding_box),
                            "Confidence": render.percent(comparison.source_face.confidence)},
        "FaceMatches": [{"Similarity": render.percent(s), "Face": render.compared_face(target, f)}
                        for f, s in matches],
        "UnmatchedFaces": [render.compared_face(target, f) for f in unmatched],
    }


def _wanted(label: Label, settings: dict) -> bool:
    """Whether a label passes the GeneralLabels inclusion and exclusion filters."""
    general = settings.get("GeneralLabels", {})
    include, exclude = general.get("LabelInclusionFilters"), general.get("LabelExclusionFilters", [])
    return (not include or label.name in include) and label.name not in exclude


def _label(label: Label) -> dict:
    """A Label shape: name, confidence, boxed instances and parents (no aliases or categories here)."""
    instances = [{"BoundingBox": render.box(i.bounding_box), "Confidence": render.percent(i.confidence)}
                 for i in label.instances]
    return {"Name": label.name, "Confidence": render.percent(label.confidence), "Instances": instances,
            "Parents": [{"Name": parent} for parent in label.parents], "Aliases": [], "Categories": []}


def detect_labels(call: Call) -> dict:
    """DetectLabels: the label model's labels plus Person and Face when faces are found."""
    p = call.params
    photo = photo_of(p["Image"], call.max_pixels)
    min_confidence = p.get("MinConfidence", call.min_label_confidence)
    max_labels = p.get("MaxLabels") or MAX_LABELS
    labels = call.backend.labels.detect(photo, min_confidence, max_labels)
    labels = with_person_labels(labels, call.backend.faces.detect(photo))
    labels = [label for label in labels if label.confidence >= min_confidence and _wanted(label, p.get("Settings", {}))]
    return {
        "Labels": [_label(label) for label in labels[:max_labels]],
        "LabelModelVersion": render.LABEL_MODEL_VERSION,
    }
