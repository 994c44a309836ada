"""Local DetectLabels: classifier labels and detector boxes merged into one Rekognition-style list."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local.labels import LocalLabelDetector
from webapp.backends.local.objects import LocalObjectDetector
from webapp.backends.local.scene import LocalSceneLabels, merge_instances
from webapp.domain import BoundingBox, Instance, Label

skimage_data = pytest.importorskip("skimage.data")
BOX = BoundingBox(0.1, 0.1, 0.2, 0.2)


def test_boxes_join_the_classifiers_label_of_the_same_name_keeping_its_confidence():
    """Cat 92 from the classifier + a cat box at 45 -> Cat 92 with that box (two models agree)."""
    merged = merge_instances([Label("Cat", 92.0, ("Animal",))], [Label("Cat", 45.0, ("Pet",), (Instance(BOX, 45.0),))],
                             55, 10)
    assert merged == [Label("Cat", 92.0, ("Animal",), (Instance(BOX, 45.0),))]


def test_detector_only_labels_need_their_class_threshold_and_the_minimum_confidence():
    """Person boxes at 73 and 38 -> Person 73 with both; a lone dog at 45 (< 50) is dropped."""
    people = Label("Person", 73.0, (), (Instance(BOX, 73.0), Instance(BOX, 38.0), Instance(BOX, 31.0)))
    dog = Label("Dog", 45.0, ("Animal",), (Instance(BOX, 45.0),))
    merged = merge_instances([Label("Vehicle", 93.0)], [people, dog], 55, 10)
    assert [(lb.name, lb.confidence, len(lb.instances)) for lb in merged] == [("Vehicle", 93.0, 0), ("Person", 73.0, 2)]


def test_merged_list_respects_max_labels_most_confident_first():
    """The limit applies after merging."""
    detected = [Label("Person", 90.0, (), (Instance(BOX, 90.0),))]
    merged = merge_instances([Label("A", 80.0), Label("B", 70.0)], detected, 55, 2)
    assert [lb.name for lb in merged] == ["Person", "A"]


@pytest.fixture(scope="module")
def scene():
    """Both real models."""
    return LocalSceneLabels(LocalLabelDetector(threads=1), LocalObjectDetector(threads=1))


@pytest.mark.model
def test_street_photo_lists_bus_and_four_people_with_boxes(scene):
    """bus.jpg: the classifier's Bus gets the detector's box; Person x4 comes from the detector."""
    labels = {lb.name: lb for lb in scene.detect(np.asarray(Image.open(photo_path("bus.jpg")).convert("RGB")))}
    assert len(labels["Bus"].instances) == 1 and labels["Bus"].confidence >= 55
    assert len(labels["Person"].instances) == 4


@pytest.mark.model
def test_cat_photo_boxes_the_cat_and_no_person(scene):
    """chelsea: Cat (classifier) with the detector's cat box; no Person label."""
    labels = {lb.name: lb for lb in scene.detect(skimage_data.chelsea())}
    assert len(labels["Cat"].instances) == 1 and "Person" not in labels
