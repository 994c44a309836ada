"""Plain dataclasses shared by services and every backend (no vendor types here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from webapp.words import word_key, words_in


@dataclass(frozen=True)
class BoundingBox:
    """A box as ratios of image width and height (Rekognition's convention)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def area(self) -> float:
        """Area as a fraction of the image."""
        return self.width * self.height

    def to_dict(self) -> dict[str, float]:
        """JSON-ready form with rounded ratios."""
        return {k: round(getattr(self, k), 4) for k in ("left", "top", "width", "height")}

    @classmethod
    def from_dict(cls, d: dict) -> BoundingBox:
        """The inverse of to_dict (values may be Decimals, as DynamoDB returns numbers)."""
        return cls(float(d["left"]), float(d["top"]), float(d["width"]), float(d["height"]))

    def iou(self, other: BoundingBox) -> float:
        """Intersection over union with another box in the same image (0-1)."""
        width = max(0.0, min(self.left + self.width, other.left + other.width) - max(self.left, other.left))
        height = max(0.0, min(self.top + self.height, other.top + other.height) - max(self.top, other.top))
        inter = width * height
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class DetectedFace:
    """One face found in a photo: box, detector confidence (0-100), landmarks as ratios.

    `orientation` is how many degrees counter-clockwise the photo is turned from this face's
    upright (0, 90, 180 or 270; Rekognition's OrientationCorrection). Box and landmarks are
    always ratios of the photo as given (after its EXIF orientation, if any, was applied).
    """

    bounding_box: BoundingBox
    confidence: float
    landmarks: tuple[tuple[float, float], ...] = ()
    orientation: int = 0


def orientation_correction(degrees: int) -> str:
    """Rekognition's name for an orientation: ROTATE_0, ROTATE_90, ROTATE_180 or ROTATE_270."""
    return f"ROTATE_{degrees % 360}"


@dataclass(frozen=True)
class FaceMatch:
    """A stored faceprint similar to a searched face; similarity is 0-100."""

    face_id: str
    similarity: float


@dataclass(frozen=True)
class Instance:
    """One boxed occurrence of a label (Rekognition's DetectLabels ``Instances``)."""

    bounding_box: BoundingBox
    confidence: float

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"bounding_box": self.bounding_box.to_dict(), "confidence": round(self.confidence, 1)}

    @classmethod
    def from_dict(cls, d: dict) -> Instance:
        """The inverse of to_dict."""
        return cls(BoundingBox.from_dict(d["bounding_box"]), float(d["confidence"]))


@dataclass(frozen=True)
class Label:
    """An object or scene label with confidence (0-100), its parent labels and boxed instances."""

    name: str
    confidence: float
    parents: tuple[str, ...] = ()
    instances: tuple[Instance, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"name": self.name, "confidence": round(self.confidence, 1), "parents": list(self.parents),
                "instances": [i.to_dict() for i in self.instances]}

    @classmethod
    def from_dict(cls, d: dict) -> Label:
        """The inverse of to_dict; labels stored before boxes existed have no "instances"."""
        return cls(str(d["name"]), float(d["confidence"]), tuple(d.get("parents", ())),
                   tuple(Instance.from_dict(i) for i in d.get("instances", ())))


@dataclass(frozen=True)
class TextDetection:
    """A line or word of text read in a photo (Rekognition's DetectText ``TextDetections``).

    ``polygon`` is the corner points as (x, y) ratios; a WORD's ``parent_id`` is its LINE's ``id``.
    """

    detected_text: str
    type: str  # "LINE" or "WORD"
    confidence: float
    bounding_box: BoundingBox
    polygon: tuple[tuple[float, float], ...]
    id: int
    parent_id: int | None = None

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"detected_text": self.detected_text, "type": self.type, "confidence": round(self.confidence, 1),
                "bounding_box": self.bounding_box.to_dict(),
                "polygon": [{"x": round(x, 4), "y": round(y, 4)} for x, y in self.polygon],
                "id": self.id, "parent_id": self.parent_id}

    @classmethod
    def from_dict(cls, d: dict) -> TextDetection:
        """The inverse of to_dict."""
        parent = d.get("parent_id")
        return cls(str(d["detected_text"]), str(d["type"]), float(d["confidence"]),
                   BoundingBox.from_dict(d["bounding_box"]),
                   tuple((float(p["x"]), float(p["y"])) for p in d.get("polygon", ())),
                   int(d["id"]), None if parent is None else int(parent))


@dataclass(frozen=True)
class ModerationLabel:
    """An unsafe-content label (Rekognition's DetectModerationLabels); top-level ones have parent_name ""."""

    name: str
    parent_name: str
    confidence: float

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"name": self.name, "parent_name": self.parent_name, "confidence": round(self.confidence, 1)}

    @classmethod
    def from_dict(cls, d: dict) -> ModerationLabel:
        """The inverse of to_dict."""
        return cls(str(d["name"]), str(d.get("parent_name", "")), float(d["confidence"]))


@dataclass(frozen=True)
class Person:
    """An enrolled person."""

    id: str
    name: str
    created_at: datetime
    face_count: int = 0
    user_count: int = 0
    consent_by: str = ""
    consent_text: str = ""

    def to_dict(self) -> dict:
        """JSON form of a person (the API's)."""
        return {"id": self.id, "name": self.name, "created_at": self.created_at.isoformat(),
                "face_count": self.face_count}

    def to_cli_dict(self) -> dict:
        """The same facts as `flask people list --json` has always printed them (a public contract)."""
        return {"id": self.id, "name": self.name, "faces": self.face_count, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class FaceRecord:
    """One enrolled faceprint: which person, and where its photo and crop are stored."""

    face_id: str
    person_id: str
    image_key: str
    crop_key: str
    bounding_box: BoundingBox


@dataclass(frozen=True)
class RecognizedFace:
    """A face in an analysed photo, with the person it matched (or None for Unknown)."""

    bounding_box: BoundingBox
    confidence: float
    person_id: str | None = None
    person_name: str | None = None
    similarity: float | None = None
    orientation: int = 0  # degrees counter-clockwise the photo is turned from this face's upright
    face_id: str | None = None  # the enrolled faceprint it matched, so moving that face renames it

    def to_dict(self) -> dict:
        """JSON-ready form matching the public API."""
        person = {"id": self.person_id, "name": self.person_name} if self.person_id else None
        return {
            "bounding_box": self.bounding_box.to_dict(),
            "confidence": round(self.confidence, 1),
            "person": person,
            "similarity": None if self.similarity is None else round(self.similarity, 1),
            "orientation_correction": orientation_correction(self.orientation),
        }


@dataclass(frozen=True)
class Recognition:
    """What one photo shows, before anything is stored: named faces, labels, moderation labels."""

    faces: tuple[RecognizedFace, ...] = ()
    labels: tuple[Label, ...] = ()
    moderation_labels: tuple[ModerationLabel, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready form (the analysis JSON without the stored fields)."""
        return {"faces": [f.to_dict() for f in self.faces], "labels": [lb.to_dict() for lb in self.labels],
                "moderation_labels": [m.to_dict() for m in self.moderation_labels]}


@dataclass(frozen=True)
class Analysis:
    """The result of analysing one photo: faces, labels (with boxes), moderation labels and text.

    ``text`` is None until text has been read (it runs on request: it is the slow engine);
    an empty tuple means it was read and none was found.
    """

    id: str
    created_at: datetime
    image_key: str
    thumb_key: str
    width: int
    height: int
    faces: tuple[RecognizedFace, ...] = ()
    labels: tuple[Label, ...] = ()
    filename: str = ""
    owner: str = ""  # "visitor:<id>", "admin:<name>", "token:<id>", or "" (reachable by its id only)
    moderation_labels: tuple[ModerationLabel, ...] = ()
    text: tuple[TextDetection, ...] | None = None

    @property
    def explicit(self) -> bool:
        """Whether a moderation label says the photo is likely explicit (the page blurs it)."""
        return any("Explicit" in (m.name, m.parent_name) for m in self.moderation_labels)

    def label_keys(self) -> set[str]:
        """The casefolded label names and their parents, as the history filter matches them."""
        return {name.casefold() for label in self.labels for name in (label.name, *label.parents)}

    def word_keys(self) -> list[str]:
        """The normalised words of the text read (none if not read), as the history filter matches them."""
        return words_in(t.detected_text for t in self.text or ())

    def to_dict(self) -> dict:
        """JSON-ready form matching the public API (the owner is not shown)."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "width": self.width,
            "height": self.height,
            "orientation_correction": orientation_correction(self.orientation),
            "faces": [f.to_dict() for f in self.faces],
            "labels": [label.to_dict() for label in self.labels],
            "moderation_labels": [m.to_dict() for m in self.moderation_labels],
            "text": None if self.text is None else [t.to_dict() for t in self.text],
        }

    @property
    def orientation(self) -> int:
        """The photo's orientation as its largest face shows it (0 without faces), like Rekognition's one value."""
        if not self.faces:
            return 0
        return max(self.faces, key=lambda f: f.bounding_box.area).orientation


@dataclass(frozen=True)
class UnknownFace:
    """A face nobody enrolled matched, kept (as a faceprint) only while its analysis is kept."""

    face_id: str  # its faceprint in the unknown-face collection
    analysis_id: str
    position: int  # which face of the analysis
    bounding_box: BoundingBox
    cluster_id: str
    created_at: datetime


@dataclass(frozen=True)
class UnknownCluster:
    """Unknown faces that look like one person, biggest clusters first; `faces` is a sample."""

    id: str
    size: int
    faces: tuple[UnknownFace, ...] = ()

    def to_dict(self) -> dict:
        """JSON form for the API and `flask people suggest --json`."""
        return {"id": self.id, "size": self.size,
                "faces": [{"face_id": f.face_id, "analysis_id": f.analysis_id,
                           "bounding_box": f.bounding_box.to_dict()} for f in self.faces]}


@dataclass(frozen=True)
class Operation:
    """A change made of several steps (merge, move or remove a face), journalled until it finishes."""

    id: str
    kind: str
    args: dict
    actor: str
    started_at: datetime


@dataclass(frozen=True)
class HistoryFilter:
    """Which analyses a listing shows: all, or one owner's, one person's, one label's, one word's (all must hold)."""

    owner: str | None = None
    person_id: str | None = None
    label: str | None = None
    word: str | None = None  # a word in the text read, matched as webapp.words.word_key normalises it

    def matches(self, analysis: Analysis) -> bool:
        """Whether an analysis passes every condition given."""
        return ((self.owner is None or analysis.owner == self.owner)
                and (self.person_id is None or any(f.person_id == self.person_id for f in analysis.faces))
                and (self.label is None or self.label.casefold() in analysis.label_keys())
                and (self.word is None or word_key(self.word) in analysis.word_keys()))


@dataclass
class EnrolmentResult:
    """What an enrolment stored, which photos it refused (with the reason) and notes on the rest."""

    person: Person
    face_ids: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FaceComparison:
    """The largest face of a source photo compared with every face of a target photo.

    Like Rekognition's CompareFaces: `matches` are target faces at or above the threshold
    with their similarity (0-100, best first); `unmatched` are the other target faces.
    `source_face` is None when the source photo has no face.
    """

    source_face: DetectedFace | None
    matches: tuple[tuple[DetectedFace, float], ...] = ()
    unmatched: tuple[DetectedFace, ...] = ()
    target_faces: int = 0

    @property
    def similarity(self) -> float | None:
        """The best similarity among the matches, or None."""
        return self.matches[0][1] if self.matches else None


@dataclass(frozen=True)
class AuditEntry:
    """One audited action: who did what to which subject (ids only, never names or faces)."""

    at: datetime
    actor: str
    action: str
    subject: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ResourceOutcome:
    """One cloud resource and what happened to it (created / found / ok / missing / denied / error)."""

    kind: str
    name: str
    state: str
    detail: str = ""


@dataclass(frozen=True)
class CollectionInfo:
    """A named face collection of the Rekognition endpoint."""

    name: str
    created_at: datetime
    face_count: int = 0
    user_count: int = 0


@dataclass(frozen=True)
class StoredFace:
    """A face kept in a collection, as Rekognition describes it (ids are 32 hex digits here)."""

    face_id: str
    bounding_box: BoundingBox
    image_id: str
    confidence: float | None = None
    external_image_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class AccessKey:
    """An access key id for the Rekognition endpoint (its secret is derived, never stored)."""

    id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None
