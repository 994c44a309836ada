"""Which face of each enrolment photo to enrol — and which photos to refuse.

Each photo gives its largest face, as Rekognition's IndexFaces(MaxFaces=1) would. A group
photo is checked against the enrolment's single-face photos when there are any: the face
that matches them is taken (even if it is not the largest), and a group photo in which
nobody matches is refused — so one careless group photo cannot enrol a stranger.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from webapp.backends.base import FaceCollection
from webapp.domain import DetectedFace
from webapp.errors import InvalidImage
from webapp.images import Photo, decode_photo


@dataclass
class FaceChoice:
    """Accepted (photo, face) pairs, refused (filename, reason) and notes (filename, note)."""

    accepted: list[tuple[Photo, DetectedFace]] = field(default_factory=list)
    accepted_from: list[str] = field(default_factory=list)  # the label of each accepted photo, in order
    refused: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def choose_faces(faces: FaceCollection, photos: list[tuple[str, bytes]], max_bytes: int, max_pixels: int,
                 threshold: float) -> FaceChoice:
    """Decode and detect every photo, then pick one face per usable photo."""
    choice = FaceChoice()
    singles: list[tuple[Photo, DetectedFace]] = []
    single_labels: list[str] = []
    groups: list[tuple[str, Photo, list[DetectedFace]]] = []
    for label, data in photos:
        try:
            photo = decode_photo(data, max_bytes, max_pixels)
        except InvalidImage as exc:
            choice.refused.append((label, exc.message))
            continue
        found = faces.detect(photo)
        if not found:
            choice.refused.append((label, "No face was found in this photo."))
        elif len(found) == 1:
            singles.append((photo, found[0]))
            single_labels.append(label)
        else:
            groups.append((label, photo, found))
    choice.accepted.extend(singles)
    choice.accepted_from.extend(single_labels)
    for label, photo, found in groups:
        _choose_in_group(faces, choice, label, photo, found, singles[0][0] if singles else None, threshold)
    return choice


def _choose_in_group(faces: FaceCollection, choice: FaceChoice, label: str, photo: Photo,
                     found: list[DetectedFace], reference: Photo | None, threshold: float) -> None:
    """Take the face matching the single-face photos, or the largest when there is none to match."""
    largest = max(found, key=lambda f: f.bounding_box.area)
    if reference is None:
        choice.accepted.append((photo, largest))
        choice.accepted_from.append(label)
        choice.notes.append((label, f"{len(found)} faces were found; only the largest was enrolled."))
        return
    matches = faces.compare(reference, photo, threshold).matches
    if not matches:
        choice.refused.append((label, f"{len(found)} faces were found and none is the person in the other photos."))
        return
    best_box = matches[0][0].bounding_box
    picked = max(found, key=lambda f: f.bounding_box.iou(best_box))
    choice.accepted.append((photo, picked))
    choice.accepted_from.append(label)
    where = "the largest" if picked is largest else "not the largest"
    choice.notes.append((label, f"{len(found)} faces were found; the one matching the other photos ({where}) "
                                "was enrolled."))
