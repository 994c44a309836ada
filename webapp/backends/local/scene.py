"""Local DetectLabels: the ImageNet classifier's labels plus the object detector's boxed instances.

Rekognition gives one list where common objects carry ``Instances``; locally two models
make it. Instances join the classifier's label of the same name (Cat, Bus, Dog...) or
become a label of their own (Person, Car, Chair... which ImageNet lacks or rarely names).
"""
from __future__ import annotations

from typing import Any

from webapp.backends.local.objects import CANDIDATE_SCORE, LocalObjectDetector, min_score_for
from webapp.domain import Label


def merge_instances(classified: list[Label], detected: list[Label], min_confidence: float,
                    max_labels: int) -> list[Label]:
    """One list: detector instances attached to same-named labels, new labels added when confident enough.

    ``detected`` holds every candidate box (score >= CANDIDATE_SCORE). A box whose class the
    classifier also named is kept at that score (two models agree: the classifier's Cat 92 and a
    cat box at 0.5); a label only the detector saw keeps the boxes that pass the detector's own
    per-class threshold, and is listed when its best box reaches min_confidence, like any label.
    The classifier's confidence stays the label's: the detector's scores run lower (0.4-0.8).
    """
    by_name = {label.name: label for label in classified}
    merged = list(classified)
    for found in detected:
        same = by_name.get(found.name)
        if same is not None:
            merged[merged.index(same)] = Label(same.name, same.confidence, same.parents, found.instances)
            continue
        boxes = tuple(i for i in found.instances if i.confidence >= 100 * min_score_for(found.name))
        if boxes and max(i.confidence for i in boxes) >= min_confidence:
            merged.append(Label(found.name, max(i.confidence for i in boxes), found.parents, boxes))
    merged.sort(key=lambda label: -label.confidence)
    return merged[: max(max_labels, 0)]


class LocalSceneLabels:
    """The LabelDetector port in local mode: classifier labels with detector boxes."""

    def __init__(self, classifier: Any, objects: LocalObjectDetector) -> None:
        self.classifier = classifier
        self.objects = objects

    @property
    def loaded(self) -> bool:
        """Whether both models are loaded."""
        return self.classifier.loaded and self.objects.loaded

    def load(self) -> None:
        """Load both models now (each loads once, under its own lock)."""
        self.classifier.load()
        self.objects.load()

    def detect(self, photo: Any, min_confidence: float = 55.0, max_labels: int = 10) -> list[Label]:
        """Labels at or above min_confidence (fallback labels below it when none passes), most confident first."""
        classified = self.classifier.detect(photo, min_confidence, max_labels)
        detected = self.objects.detect(photo, min_score=CANDIDATE_SCORE)
        return merge_instances(classified, detected, min_confidence, max_labels)
