""""Who is this?": unknown faces kept while their analysis is, grouped as they arrive, enrolled by an admin.

Clustering is incremental leader clustering over a threshold graph (docs/people-management.md):
a new unknown face is searched among the kept unknown faces (k nearest at or above the match
threshold). No neighbour: it starts a cluster. Otherwise it joins its best neighbour's cluster,
and another cluster is merged in only when two or more of its faces are among the neighbours,
so one in-between face does not chain two strangers together. Cluster ids never change under
an admin's feet except by such a merge.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from uuid import uuid4

from webapp.backends.base import Backend
from webapp.domain import Analysis, DetectedFace, Person, UnknownCluster, UnknownFace
from webapp.errors import GlimpseError, InvalidInput, NotFound
from webapp.images import Photo, crop_box, decode_photo, encode_jpeg
from webapp.services.people import People, require_consent

log = logging.getLogger(__name__)
NEIGHBOURS = 10
MERGE_LINKS = 2


@dataclass
class ClusterEnrolment:
    """What enrolling a cluster did: the person, how many faces they got, how many could not be used."""

    person: Person
    added: int
    skipped: int


class UnknownFaces:
    """Remember unknown faces, list their clusters, enrol or ignore a cluster."""

    def __init__(self, backend: Backend, people: People, threshold: float, enabled: bool = True):
        self.backend = backend
        self.people = people
        self.threshold = threshold
        self.enabled = enabled

    def remember(self, analysis: Analysis, photo: Photo, detected: list[DetectedFace]) -> None:
        """Keep the faceprint of every face of a saved analysis that nobody enrolled matched."""
        if not self.enabled:
            return
        try:
            for position, (face, found) in enumerate(zip(analysis.faces, detected, strict=True)):
                if face.person_id is None:
                    self._place(analysis, position, photo, found)
        except GlimpseError:  # the analysis is saved and shown; only the suggestion is lost
            log.exception("could not keep the unknown faces of analysis %s", analysis.id)

    def _place(self, analysis: Analysis, position: int, photo: Photo, face: DetectedFace) -> None:
        """Put one face in the cluster of its neighbours (merging clusters it links), or a new one."""
        prints, store = self.backend.unknown_prints, self.backend.unknown
        matches = prints.search(photo, face, self.threshold, limit=NEIGHBOURS)
        clusters = store.clusters_of([m.face_id for m in matches])
        linked = [clusters[m.face_id] for m in matches if m.face_id in clusters]  # best match first
        cluster_id = linked[0] if linked else uuid4().hex
        others = [c for c, links in Counter(linked).items() if c != cluster_id and links >= MERGE_LINKS]
        store.merge_clusters(cluster_id, others)
        face_id = prints.index(photo, face, cluster_id)
        store.add_unknown(UnknownFace(face_id, analysis.id, position, face.bounding_box, cluster_id,
                                      analysis.created_at))

    def clusters(self, limit: int = 50, sample: int = 6) -> list[UnknownCluster]:
        """The biggest clusters first, each with a few faces."""
        return self.backend.unknown.list_clusters(limit, sample)

    def cluster(self, cluster_id: str) -> list[UnknownFace]:
        """The faces of one cluster, or NotFound."""
        faces = self.backend.unknown.unknown_in(cluster_id)
        if not faces:
            raise NotFound("There is no such group of unknown faces (it was enrolled, ignored or has expired).")
        return faces

    def face(self, face_id: str) -> UnknownFace:
        """One kept unknown face, or NotFound."""
        cluster = self.backend.unknown.clusters_of([face_id]).get(face_id)
        for face in self.backend.unknown.unknown_in(cluster) if cluster else []:
            if face.face_id == face_id:
                return face
        raise NotFound("There is no such unknown face.")

    def thumbnail(self, face_id: str) -> bytes:
        """A small JPEG of one kept unknown face, cut from its analysis photo (for admins)."""
        face = self.face(face_id)
        analysis = self.backend.analyses.get_analysis(face.analysis_id)
        if analysis is None:
            raise NotFound("The photo of this face is gone.")
        photo = decode_photo(self.backend.store.get(analysis.image_key), 50 * 1024 * 1024, 400_000_000)
        return encode_jpeg(crop_box(photo.image, face.bounding_box, margin=0.3), 160, 85)

    def forget_analysis(self, analysis_id: str) -> None:
        """Delete the unknown faces of an analysis that goes (retention): prints first, then rows."""
        ids = [f.face_id for f in self.backend.unknown.unknown_of_analysis(analysis_id)]
        self.backend.unknown_prints.delete(ids)
        self.backend.unknown.delete_unknown(ids)

    def ignore(self, cluster_id: str, actor: str) -> int:
        """Not a face, or nobody to name: delete the cluster's faceprints and rows now."""
        ids = [f.face_id for f in self.cluster(cluster_id)]
        self.backend.unknown_prints.delete(ids)
        self.backend.unknown.delete_unknown(ids)
        self.people.audit(actor, "ignore-unknown", cluster_id, f"{len(ids)} unknown faceprint(s) deleted")
        return len(ids)

    def enrol(self, cluster_id: str, actor: str, consent: bool, name: str = "", person_id: str = "",
              allow_duplicate: bool = False) -> ClusterEnrolment:
        """Enrol a cluster as a new person (name) or into an existing one (person_id); past analyses name them."""
        faces = self.cluster(cluster_id)
        require_consent(consent)
        if person_id:
            person = self.people.get(person_id)
        elif name:
            person = self.people.create(name, actor, allow_duplicate)
        else:
            raise InvalidInput("Enter the person's full name, or choose an enrolled person.")
        added = sum(self._enrol_face(person, face) for face in faces)
        if added == 0 and not person_id:
            self.people.forget(person.id, actor)
            raise InvalidInput("None of these faces could be enrolled (their photos are gone or unclear).")
        self.people.audit(actor, "enrol-unknown", person.id, f"{added} face(s) from an unknown group, consent recorded")
        return ClusterEnrolment(self.people.get(person.id), added, len(faces) - added)

    def _enrol_face(self, person: Person, face: UnknownFace) -> bool:
        """Enrol one unknown face from its analysis photo, name it there, and drop its unknown print."""
        analysis = self.backend.analyses.get_analysis(face.analysis_id)
        found = self._detect_again(analysis.image_key, face) if analysis else None
        if found is not None:
            photo, detected = found
            face_id = self.people.store_face(person.id, photo, detected)
            self.backend.analyses.name_face(face.analysis_id, face.position, person.id, face_id)
        # done (or unusable) either way: a second run of the same enrolment must not add it again
        self.backend.unknown_prints.delete([face.face_id])
        self.backend.unknown.delete_unknown([face.face_id])
        return found is not None

    def _detect_again(self, image_key: str, face: UnknownFace) -> tuple[Photo, DetectedFace] | None:
        """The stored photo and the detected face at the kept box (landmarks are needed to enrol)."""
        photo = decode_photo(self.backend.store.get(image_key), 50 * 1024 * 1024, 400_000_000)
        found = self.backend.faces.detect(photo)
        best = max(found, key=lambda f: f.bounding_box.iou(face.bounding_box), default=None)
        if best is None or best.bounding_box.iou(face.bounding_box) < 0.3:
            return None
        return photo, best
