"""Face collections as Rekognition has them, over the Collections capability and the web app's faces.

The web app's own collection (GLIMPSE_REKOGNITION_COLLECTION) is shown over the wire with
the faces of enrolled people (ExternalImageId and UserId are the person's id) plus any
face indexed into it over the wire. Enrolled faces are read-only here: forgetting a
person is the web app's job (it removes every trace), so DeleteFaces reports them as
associated to an existing user, as Rekognition does for faces associated to a user.
"""
from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass, field

from webapp.backends.base import Backend, Collections
from webapp.domain import CollectionInfo, DetectedFace, FaceMatch, StoredFace
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.images import Photo
from webapp.services.face_quality import filter_reasons

MAX_FACES_PER_IMAGE = 100  # Rekognition indexes (and detects) at most the 100 largest faces
NO_FACE = "There are no faces in the image. Should be at least 1."
_IMAGE_NAMESPACE = uuid.UUID("6f1c5a56-5d0e-4c43-9b0c-8a3e0f0d6a11")  # ImageIds of enrolled faces


@dataclass
class IndexResult:
    """Faces stored (with what the detector saw) and faces left out with Rekognition's reasons."""

    indexed: list[tuple[StoredFace, DetectedFace]] = field(default_factory=list)
    unindexed: list[tuple[DetectedFace, list[str]]] = field(default_factory=list)


class WireCollections:
    """The collection use cases of the Rekognition endpoint."""

    def __init__(self, backend: Backend, collections: Collections, web_name: str):
        self.backend = backend
        self.port = collections
        self.web_name = web_name

    def create(self, name: str) -> CollectionInfo:
        """A new collection; Conflict if it exists (the web app's always does)."""
        if name == self.web_name:
            raise Conflict(f"The collection id: {name} already exists")
        return self.port.create(name)

    def delete(self, name: str) -> None:
        """Delete a collection and its faces; the web app's collection cannot be deleted from here."""
        if name == self.web_name:
            raise InvalidInput(f"The collection {name} holds the web app's enrolled people and cannot be deleted "
                               "over this API; forget people in the web app instead.")
        self.port.delete(name)

    def describe(self, name: str) -> CollectionInfo:
        """One collection with its face count (enrolled faces included for the web app's)."""
        info = self.port.get(name)
        if info is None:
            raise NotFound(f"The collection id: {name} does not exist")
        if name == self.web_name:
            enrolled = self._enrolled()
            users = len({f.user_id for f in enrolled})
            info = CollectionInfo(info.name, info.created_at, info.face_count + len(enrolled), users)
        return info

    def list(self) -> list[CollectionInfo]:
        """Every collection by name."""
        return [self.describe(info.name) if info.name == self.web_name else info for info in self.port.list()]

    def index(self, name: str, photo: Photo, external_image_id: str | None, max_faces: int | None,
              quality_filter: str) -> IndexResult:
        """Index up to max_faces of the largest faces that pass the quality filter."""
        if self.port.get(name) is None:
            raise NotFound(f"The collection id: {name} does not exist")
        result = IndexResult()
        kept: list[DetectedFace] = []
        for face in self.backend.faces.detect(photo)[:MAX_FACES_PER_IMAGE]:
            reasons = filter_reasons(photo, face, quality_filter)
            if not reasons and max_faces is not None and len(kept) >= max_faces:
                reasons = ["EXCEEDS_MAX_FACES"]
            if reasons:
                result.unindexed.append((face, reasons))
            else:
                kept.append(face)
        if kept:
            stored = self.port.index(name, photo, kept, external_image_id)
            result.indexed = list(zip(stored, kept, strict=True))
        return result

    def faces(self, name: str, face_ids: builtins.list[str] | None = None,
              user_id: str | None = None) -> builtins.list[StoredFace]:
        """The collection's faces sorted by face id, optionally only some ids or one user's."""
        found = self.port.faces(name, face_ids)
        if name == self.web_name:
            enrolled = self._enrolled()
            wanted = set(face_ids) if face_ids is not None else None
            found += [f for f in enrolled if wanted is None or f.face_id in wanted]
        if user_id is not None:
            found = [f for f in found if f.user_id == user_id]
        return sorted(found, key=lambda f: f.face_id)

    def delete_faces(
        self, name: str, face_ids: builtins.list[str]
    ) -> tuple[builtins.list[str], builtins.list[tuple[str, str | None, str]]]:
        """Delete wire-indexed faces; enrolled faces and unknown ids come back with the reason."""
        ids = list(dict.fromkeys(face_ids))
        deleted = set(self.port.delete_faces(name, ids))
        enrolled = {f.face_id: f for f in self._enrolled(ids)} if name == self.web_name else {}
        failed = []
        for face_id in ids:
            if face_id in enrolled:
                failed.append((face_id, enrolled[face_id].user_id, "ASSOCIATED_TO_AN_EXISTING_USER"))
            elif face_id not in deleted:
                failed.append((face_id, None, "FACE_NOT_FOUND"))
        return [i for i in ids if i in deleted], failed

    def search_image(self, name: str, photo: Photo, threshold: float, limit: int,
                     quality_filter: str) -> tuple[DetectedFace, builtins.list[tuple[StoredFace, float]]]:
        """Search the largest face of the photo; InvalidInput when there is none (or it is filtered out)."""
        if self.port.get(name) is None:
            raise NotFound(f"The collection id: {name} does not exist")
        faces = self.backend.faces.detect(photo)
        if not faces or filter_reasons(photo, faces[0], quality_filter):
            raise InvalidInput(NO_FACE)
        return faces[0], self._described(name, self.port.search(name, photo, faces[0], threshold, limit))

    def search_face(self, name: str, face_id: str, threshold: float,
                    limit: int) -> builtins.list[tuple[StoredFace, float]]:
        """Faces like one stored face of the collection."""
        if name == self.web_name and not self.port.faces(name, [face_id]) and not self._enrolled([face_id]):
            raise InvalidInput(f"The face id {face_id} is not in the collection {name}.")
        matches = self.port.search_face(name, face_id, threshold, limit)
        if matches is None:
            raise InvalidInput(f"The face id {face_id} is not in the collection {name}.")
        return self._described(name, matches)

    def _described(self, name: str, matches: builtins.list[FaceMatch]) -> builtins.list[tuple[StoredFace, float]]:
        """Attach each match's stored face; matches with no record (an interrupted write) are dropped."""
        ids = [m.face_id for m in matches]
        known = {f.face_id: f for f in self.port.faces(name, ids)}
        if name == self.web_name:
            known.update({f.face_id: f for f in self._enrolled(ids)})
        return [(known[m.face_id], m.similarity) for m in matches if m.face_id in known]

    def _enrolled(self, face_ids: builtins.list[str] | None = None) -> builtins.list[StoredFace]:
        """Faces of enrolled people (all, or those among face_ids) as stored faces of the web collection."""
        directory = self.backend.people
        if face_ids is None:
            people = [p.id for p in directory.list_people()]
        else:
            people = sorted({p.id for p in directory.people_for_faces(face_ids).values()})
        wanted = None if face_ids is None else set(face_ids)
        return [
            StoredFace(r.face_id, r.bounding_box, uuid.uuid5(_IMAGE_NAMESPACE, r.image_key).hex, None,
                       r.person_id, r.person_id)
            for person_id in people for r in directory.faces_of(person_id)
            if wanted is None or r.face_id in wanted
        ]
