"""The ports every backend implements, one job each; services depend only on these.

Required ports are attributes of `Backend`; a capability only some backends have is an
optional attribute typed with its Protocol (None when the backend lacks it), so callers
ask `backend.faceprints is not None` instead of sniffing adapters with hasattr/getattr.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from webapp.domain import (
    AccessKey,
    Analysis,
    AuditEntry,
    CollectionInfo,
    DetectedFace,
    FaceComparison,
    FaceMatch,
    FaceRecord,
    HistoryFilter,
    Label,
    ModerationLabel,
    Operation,
    Person,
    ResourceOutcome,
    StoredFace,
    TextDetection,
    UnknownCluster,
    UnknownFace,
)
from webapp.images import Photo

# A face with its faceprint. The vector is opaque to services (no numpy above the adapters):
# they only hand it back to FaceprintCache.compare_prints.
Faceprint = tuple[DetectedFace, Any]


class ImageStore(Protocol):
    """Image bytes by key (keys are ids made by Glimpse, never user filenames)."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under key, replacing what was there."""

    def get(self, key: str) -> bytes:
        """The bytes under key; raises NotFound if absent."""

    def delete(self, key: str) -> None:
        """Remove key; absent keys are not an error."""

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key under prefix; returns how many were removed."""

    def list(self, prefix: str = "") -> list[str]:
        """Every key under prefix, sorted."""


class FaceCollection(Protocol):
    """Detect faces, keep faceprints, and search them."""

    def detect(self, photo: Photo) -> list[DetectedFace]:
        """Every face in the photo, largest first."""

    def index(self, photo: Photo, face: DetectedFace, person_id: str) -> str:
        """Store the faceprint of one detected face; returns its new face id."""

    def search(self, photo: Photo, face: DetectedFace, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """Stored faces at least `threshold` similar to this face, best first."""

    def delete(self, face_ids: list[str]) -> None:
        """Forget these faceprints; unknown ids are ignored."""

    def face_ids(self) -> list[str]:
        """Every stored face id (for consistency checks)."""

    def compare(self, source: Photo, target: Photo, threshold: float) -> FaceComparison:
        """The largest face of source against every face of target (nothing is stored)."""


class LabelDetector(Protocol):
    """Objects and scenes in a photo; common objects come with boxed instances (Label.instances)."""

    def detect(self, photo: Photo, min_confidence: float, max_labels: int) -> list[Label]:
        """Labels at or above min_confidence, most confident first."""


class TextReader(Protocol):
    """Lines and words of text in a photo (Rekognition's DetectText)."""

    def read(self, photo: Photo) -> list[TextDetection]:
        """Every LINE, then every WORD (parent_id = its line), with ratio boxes and polygons."""


class ModerationDetector(Protocol):
    """Unsafe content in a photo (Rekognition's DetectModerationLabels)."""

    def detect(self, photo: Photo) -> list[ModerationLabel]:
        """Moderation labels with their parent names, most confident first; empty when nothing is flagged."""


class PeopleDirectory(Protocol):
    """People and the faceprint → person rows."""

    def add_person(self, name: str, consent_by: str, consent_text: str) -> Person:
        """Create a person and record who consented to what."""

    def claim_person(self, person_id: str, name: str, consent_by: str, consent_text: str) -> tuple[Person, bool]:
        """Create the person with this id unless it exists (atomically): (the person, created now?)."""

    def get_person(self, person_id: str) -> Person | None:
        """One person, or None."""

    def list_people(self) -> list[Person]:
        """Everyone, sorted by name."""

    def rename_person(self, person_id: str, name: str) -> None:
        """Give a person another name."""

    def move_faces(self, face_ids: list[str], person_id: str) -> None:
        """Point these face rows at another person (idempotent: rows already there stay)."""

    def delete_person(self, person_id: str) -> None:
        """Remove the person, every face row that points at them, and their name from past analyses."""

    def add_face(self, record: FaceRecord) -> None:
        """Record that a faceprint belongs to a person."""

    def delete_faces(self, face_ids: list[str]) -> None:
        """Remove face rows by faceprint id (used to repair rows whose faceprint is gone)."""

    def faces_of(self, person_id: str) -> list[FaceRecord]:
        """The face rows of one person."""

    def people_for_faces(self, face_ids: list[str]) -> dict[str, Person]:
        """Map face ids to their people; unknown ids are left out."""

    def all_face_ids(self) -> list[str]:
        """Every face id the directory knows (for consistency checks)."""


class AnalysisStore(Protocol):
    """The history of analyses (named with the people who exist now)."""

    def save_analysis(self, analysis: Analysis) -> None:
        """Keep one analysis for the history."""

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis, or None."""

    def list_analyses(self, limit: int, only: HistoryFilter | None = None) -> list[Analysis]:
        """The newest analyses first: all, or those of one owner / with one person / label / word in the text."""

    def analyses_before(self, cutoff: datetime, limit: int) -> list[Analysis]:
        """Up to `limit` analyses created before cutoff, oldest first (for retention)."""

    def delete_analysis(self, analysis_id: str) -> None:
        """Remove one analysis and its face rows; absent ids are not an error."""

    def save_text(self, analysis_id: str, text: list[TextDetection]) -> None:
        """Keep the text read later in an analysis's photo; NotFound if the analysis is gone."""

    def relink(self, from_person_id: str, to_person_id: str | None, face_ids: list[str] | None = None) -> None:
        """Past analyses naming from_person (through these faces, or any) name to_person (None: Unknown)."""

    def name_face(self, analysis_id: str, position: int, person_id: str, face_id: str) -> None:
        """Name one Unknown face of a past analysis (an admin enrolled it; no similarity)."""


class ImportLedger(Protocol):
    """What a bulk import made: folder key → person, and the photos (by digest) each person got."""

    def claim(self, folder_key: str, person_id: str) -> str:
        """Tie a folder to a person unless it is tied already; returns the person it is tied to."""

    def person_for(self, folder_key: str) -> str | None:
        """The person a folder was imported as, if any."""

    def release(self, folder_key: str) -> None:
        """Untie a folder whose person is gone."""

    def sources(self, person_id: str) -> set[str]:
        """Digests of the photos already imported for a person."""

    def add_source(self, person_id: str, digest: str, face_id: str) -> None:
        """Record that a photo became a face of the person."""


class UnknownFaceStore(Protocol):
    """Rows of the unknown faces kept for "who is this?": which analysis, which cluster."""

    def add_unknown(self, face: UnknownFace) -> None:
        """Keep one unknown face's row."""

    def clusters_of(self, face_ids: list[str]) -> dict[str, str]:
        """Face id → cluster id, for the ids known here."""

    def merge_clusters(self, into: str, others: list[str]) -> None:
        """Every face of the other clusters joins `into`."""

    def list_clusters(self, limit: int, sample: int) -> list[UnknownCluster]:
        """The biggest clusters first, each with up to `sample` faces (newest first)."""

    def unknown_in(self, cluster_id: str) -> list[UnknownFace]:
        """Every face of one cluster."""

    def unknown_of_analysis(self, analysis_id: str) -> list[UnknownFace]:
        """The unknown faces kept from one analysis."""

    def delete_unknown(self, face_ids: list[str]) -> None:
        """Forget these rows (their faceprints are the caller's to delete)."""

    def all_unknown_ids(self) -> list[str]:
        """Every unknown face id with a row (for consistency checks)."""


class Journal(Protocol):
    """Operations of several steps, recorded before their first step and forgotten after their last."""

    def begin(self, kind: str, args: dict, actor: str) -> Operation:
        """Record that an operation starts."""

    def pending(self) -> list[Operation]:
        """Operations started and not finished, oldest first."""

    def finish(self, operation_id: str) -> None:
        """Forget a finished operation."""


class AuditLog(Protocol):
    """Who enrolled, forgot, searched or repaired what, and when (ids only)."""

    def add_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit log."""

    def list_audit(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries first."""


class AccountStore(Protocol):
    """Admin accounts and API tokens (hashes only)."""

    def add_admin(self, username: str, password_hash: str) -> None:
        """Create or replace an admin account."""

    def admin_password_hash(self, username: str) -> str | None:
        """The stored hash of an admin's password, or None."""

    def count_admins(self) -> int:
        """How many admin accounts exist."""

    def add_token(self, token_id: str, token_hash: str, label: str) -> None:
        """Store an API token's hash."""

    def token_exists(self, token_hash: str) -> bool:
        """Whether a live token has this hash."""

    def revoke_token(self, token_id: str) -> bool:
        """Revoke a token; False if there was none."""


class FaceprintCache(Protocol):
    """Optional: faceprints a caller may keep and compare later without running the model again."""

    def faceprints(self, photo: Photo, limit: int | None = None) -> list[Faceprint]:
        """Faces (largest first, at most `limit`) with their faceprints."""

    def compare_prints(self, source: Faceprint | None, target: list[Faceprint], threshold: float) -> FaceComparison:
        """One kept faceprint against kept target faceprints (no model call)."""


class VectorIndexAdmin(Protocol):
    """Optional: a face vector index this backend runs itself (Rekognition keeps its own)."""

    def status(self) -> dict:
        """Size, search mode, generation and checkpoint of the index."""

    def rebuild(self) -> dict:
        """Rebuild the index from its source of truth; returns the new status."""

    def stale_ids(self) -> list[str]:
        """Face ids whose faceprints another engine made (not searched until re-embedded)."""

    def replace(self, face_id: str, vector: Any) -> bool:
        """Swap one face's faceprint for the running engine's, atomically; False if the face is gone."""


class CloudResources(Protocol):
    """Optional: cloud resources the backend can create and check (`flask aws init|status`)."""

    def init(self) -> list[ResourceOutcome]:
        """Create what is missing (safe to run again)."""

    def status(self) -> list[ResourceOutcome]:
        """Whether each resource exists and is usable by this identity."""


class DroppedUploads(Protocol):
    """Optional: objects people drop into a bucket for enrolment (read once, then deleted or set aside)."""

    def read(self, bucket: str, key: str) -> bytes:
        """The object's bytes, or NotFound."""

    def delete(self, bucket: str, key: str) -> None:
        """Remove the dropped object."""
class Collections(Protocol):
    """Named face collections served over the Rekognition protocol (a capability of local mode).

    The web app's own collection is one of them: its enrolled faces stay in the FaceCollection
    and the Directory; faces indexed over the wire live here, in an index of their own, so they
    never show up in the web app and `flask doctor` never sees them as orphans.
    """

    def create(self, name: str) -> CollectionInfo:
        """A new empty collection; raises Conflict if the name is taken."""

    def delete(self, name: str) -> None:
        """Remove a collection with every faceprint in it; raises NotFound."""

    def get(self, name: str) -> CollectionInfo | None:
        """One collection (face count of its own index), or None."""

    def list(self) -> list[CollectionInfo]:
        """Every collection, sorted by name."""

    def index(self, name: str, photo: Photo, faces: builtins.list[DetectedFace],
              external_image_id: str | None) -> builtins.list[StoredFace]:
        """Store faceprints of these faces of one photo (one image id for all); returns them."""

    def faces(self, name: str, face_ids: builtins.list[str] | None = None) -> builtins.list[StoredFace]:
        """The faces indexed into this collection (only these ids when given), sorted by face id."""

    def delete_faces(self, name: str, face_ids: builtins.list[str]) -> builtins.list[str]:
        """Forget these faces of the collection; returns the ids that existed."""

    def search(self, name: str, photo: Photo, face: DetectedFace, threshold: float,
               limit: int) -> builtins.list[FaceMatch]:
        """Faces of the collection (and, for the web app's collection, enrolled faces) like this one."""

    def search_face(self, name: str, face_id: str, threshold: float, limit: int) -> builtins.list[FaceMatch] | None:
        """Faces like a stored face (itself excluded); None when the face id is not in the collection."""


class AccessKeyStore(Protocol):
    """Access key ids for the Rekognition endpoint; secrets are derived, never stored."""

    def add(self, key_id: str, label: str) -> AccessKey:
        """Record a new key id."""

    def get(self, key_id: str) -> AccessKey | None:
        """One key (revoked ones too), or None."""

    def list(self) -> list[AccessKey]:
        """Every key, oldest first."""

    def revoke(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no live key with that id."""

    def set_aside(self, bucket: str, key: str, data: bytes, reason: str) -> str:
        """Move a refused object where an admin can see it, with the reason; returns where it went."""


class ModelPreloader(Protocol):
    """Optional: loads a backend's models ahead of the first request (local mode runs its own)."""

    def load(self, faces_only: bool = False) -> list[str]:
        """Load (building and caching where needed) every model, or only the face models; their names."""

    def start(self, faces_only: bool = False) -> None:
        """Start load() in a background thread and return at once; a failure is logged, not raised."""


@dataclass
class Backend:
    """The adapters the app was built with: one per port, plus the optional capabilities it declares."""

    name: str
    store: ImageStore
    faces: FaceCollection
    labels: LabelDetector
    text: TextReader
    moderation: ModerationDetector
    people: PeopleDirectory
    analyses: AnalysisStore
    audit: AuditLog
    accounts: AccountStore
    journal: Journal
    imports: ImportLedger
    unknown: UnknownFaceStore
    unknown_prints: FaceCollection  # faceprints of unknown faces, apart from the enrolled ones
    faceprints: FaceprintCache | None = None
    vector_index: VectorIndexAdmin | None = None
    resources: CloudResources | None = None
    uploads: DroppedUploads | None = None
    models: ModelPreloader | None = None
    collections: Collections | None = None  # the Rekognition endpoint's collections (local mode)
    access_keys: AccessKeyStore | None = None  # the Rekognition endpoint's access keys (local mode)
