"""ImageNet class probabilities -> Rekognition-style labels with parents.

Every class maps to one label; a label's confidence is the summed probability of
all classes under it, and each ancestor (``Animal``, ``Vehicle``...) gets the sum
of everything beneath it, so split votes (tabby / tiger cat / Egyptian cat)
add up instead of cancelling out.

Sums favour big families: ``Animal`` holds 40% of ImageNet's classes, so a blank grey
frame (every class ~0.1%) already sums to Animal 40. A label therefore also has to beat
its chance share (its fraction of the 1000 classes) by CHANCE_LIFT. And when no label
reaches min_confidence -- a dahlia spread over daisy / bee / sea anemone, Plant 41 --
the labels at FALLBACK_MIN or more that beat chance FALLBACK_LIFT-fold come through
instead, so an ordinary photo does not end up with no label at all. On 84 noise, flat,
blurred and blocky images (``bench/vision_speed.py --scores``) the highest label at 6x
chance scored 27.5 and the highest at 30 or more was 1.3x chance: noise stays unlabelled.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from webapp.domain import Label

DATA_DIR = Path(__file__).resolve().parent / "data"
CLASSES_FILE = DATA_DIR / "imagenet_classes.txt"
TAXONOMY_FILE = DATA_DIR / "imagenet_taxonomy.json"
CHANCE_LIFT = 1.5
FALLBACK_MIN = 30.0
FALLBACK_LIFT = 6.0


@dataclass(frozen=True)
class Taxonomy:
    """Label names, their ancestors, and a label x class membership matrix for roll-up."""

    names: tuple[str, ...]
    parents: dict[str, tuple[str, ...]]
    membership: np.ndarray  # float32 [labels, classes]; 1 where the class rolls up into the label

    @property
    def chance(self) -> np.ndarray:
        """Each label's score (0-100) if every class were equally likely: its share of the classes."""
        shares: np.ndarray = self.membership.sum(axis=1) * (100.0 / self.membership.shape[1])
        return shares

    def roll_up(self, probs: np.ndarray) -> np.ndarray:
        """Confidence (0-100, capped) of every label for one probability vector."""
        # einsum, not `@`: BLAS's threaded matrix-vector product took 15-30 ms here on a busy
        # 2-core machine (its threads contend with the models'); einsum takes ~0.2 ms.
        sums: np.ndarray = np.einsum("lc,c->l", self.membership, probs.astype(np.float32))
        return np.minimum(sums * 100.0, 100.0)


@lru_cache(maxsize=1)
def class_names() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in model output order."""
    names = tuple(CLASSES_FILE.read_text(encoding="utf-8").splitlines())
    if len(names) != 1000:
        raise ValueError(f"{CLASSES_FILE} has {len(names)} classes, expected 1000")
    return names


def build_taxonomy(doc: dict) -> Taxonomy:
    """Build a Taxonomy from the JSON document (``labels`` ancestors + per-class ``classes``)."""
    parents = {name: tuple(p) for name, p in doc["labels"].items()}
    names = tuple(sorted(parents))
    row = {name: i for i, name in enumerate(names)}
    classes = doc["classes"]
    membership = np.zeros((len(names), len(classes)), dtype=np.float32)
    for index, (label, _) in enumerate(classes):
        # A class counts once for its label and once for each distinct ancestor.
        for name in {label, *parents[label]}:
            membership[row[name], index] = 1.0
    return Taxonomy(names, parents, membership)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The bundled ImageNet taxonomy, read on first use."""
    return build_taxonomy(json.loads(TAXONOMY_FILE.read_text(encoding="utf-8")))


def labels_from_probabilities(
    probs: np.ndarray, min_confidence: float = 55.0, max_labels: int = 10
) -> list[Label]:
    """Labels whose rolled-up confidence >= min_confidence, highest first, at most max_labels.

    When none qualifies, the well-supported labels under min_confidence (see the module
    docstring) are returned with their own, lower confidence.
    """
    taxonomy = load_taxonomy()
    vector = np.asarray(probs, dtype=np.float32).reshape(-1)
    if vector.shape[0] != taxonomy.membership.shape[1]:
        raise ValueError(f"expected {taxonomy.membership.shape[1]} probabilities, got {vector.shape[0]}")
    scores = taxonomy.roll_up(vector)
    chance = taxonomy.chance
    keep = list(np.flatnonzero((scores >= min_confidence) & (scores >= CHANCE_LIFT * chance)))
    if not keep and min_confidence > FALLBACK_MIN:
        keep = list(np.flatnonzero((scores >= FALLBACK_MIN) & (scores >= FALLBACK_LIFT * chance)))
    # Ties (a label and the parents it shares its whole score with) list the most
    # specific label first — "Coffee" before "Beverage" — then by name for stability.
    keep.sort(key=lambda i: (-round(float(scores[i]), 4), -len(taxonomy.parents[taxonomy.names[i]]),
                             taxonomy.names[i]))
    return [
        Label(taxonomy.names[i], float(scores[i]), taxonomy.parents[taxonomy.names[i]])
        for i in keep[: max(max_labels, 0)]
    ]
