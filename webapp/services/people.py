"""Enrol, list and forget people."""
from __future__ import annotations

import builtins
import hashlib
import logging
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from webapp.backends.base import Backend
from webapp.domain import AuditEntry, DetectedFace, EnrolmentResult, FaceRecord, Person
from webapp.errors import BackendUnavailable, Conflict, GlimpseError, InvalidImage, InvalidInput, NotFound
from webapp.images import Photo, crop_box, encode_jpeg
from webapp.services.face_choice import FaceChoice, choose_faces
from webapp.services.limits import Limits, clean_filename
from webapp.storage_keys import person_crop, person_photo, person_prefix

log = logging.getLogger(__name__)
CONSENT_TEXT = (
    "I confirm that this person has given explicit consent for their face to be stored "
    "and used by Glimpse to recognize them, and that they can ask for it to be deleted."
)
MAX_NAME = 100
STORED_SIDE = 1024


def clean_name(raw: str | None) -> str:
    """Normalise a full name, or raise InvalidInput with the reason."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise InvalidInput("Enter the person's full name.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name is too long (at most {MAX_NAME} characters).")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidInput("The name contains characters that cannot be shown.")
    return name


def dropped_person_id(name: str) -> str:
    """The id of the person a drop folder names: the same for every photo, retry and Lambda instance."""
    return hashlib.sha256(f"s3-enrol:{clean_name(name).casefold()}".encode()).hexdigest()[:32]


class DuplicateName(Conflict):
    """Someone with this name is enrolled already; the caller may add the photos to them instead."""

    def __init__(self, name: str, existing: list[Person]):
        who = "Someone named {} is" if len(existing) == 1 else f"{len(existing)} people named {{}} are"
        super().__init__(
            f"{who.format(name)} enrolled already. Add the photos to that person, "
            "or confirm that this is a different person with the same name."
        )
        self.existing = existing


def require_consent(consent: bool) -> None:
    """Refuse to store a face without the person's recorded consent."""
    if not consent:
        raise InvalidInput(
            "Consent is required: a face is stored only when the person agreed (tick the consent box, "
            "or send consent=true to the API)."
        )


class People:
    """The people use cases."""

    def __init__(self, backend: Backend, limits: Limits):
        self.backend = backend
        self.limits = limits

    def list(self) -> list[Person]:
        """Everyone enrolled, by name."""
        return self.backend.people.list_people()

    def has_name(self, name: str) -> bool:
        """Whether someone with exactly this name (ignoring case and spacing) is enrolled already."""
        return bool(self.named(name))

    def named(self, name: str) -> builtins.list[Person]:
        """The people whose name is this one, ignoring case and spacing."""
        key = clean_name(name).casefold()
        return [p for p in self.list() if p.name.casefold() == key]

    def get(self, person_id: str) -> Person:
        """One person, or NotFound."""
        person = self.backend.people.get_person(person_id)
        if person is None:
            raise NotFound("There is no person with that id.")
        return person

    def faces(self, person_id: str) -> builtins.list[FaceRecord]:
        """The enrolled faces of one person."""
        return self.backend.people.faces_of(person_id)

    def enrol(self, name: str, photos: builtins.list[tuple[str, bytes]], consent: bool, consent_by: str,
              allow_duplicate: bool = False) -> EnrolmentResult:
        """Enrol a person from photos: each contributes its largest face; faceless photos are refused.

        A name already enrolled raises DuplicateName unless `allow_duplicate` says this is
        another person with the same name.
        """
        name = clean_name(name)
        require_consent(consent)
        existing = [] if allow_duplicate else self.named(name)
        if existing:
            raise DuplicateName(name, existing)
        choice = self.choose(photos)
        person = self.backend.people.add_person(name, consent_by, CONSENT_TEXT)
        return self._store_all(person, choice, consent_by, created=True)

    def create(self, name: str, consent_by: str, allow_duplicate: bool = False) -> Person:
        """A new person with no face yet (faces follow); DuplicateName unless allowed."""
        name = clean_name(name)
        existing = [] if allow_duplicate else self.named(name)
        if existing:
            raise DuplicateName(name, existing)
        return self.backend.people.add_person(name, consent_by, CONSENT_TEXT)

    def add_photos(self, person_id: str, photos: builtins.list[tuple[str, bytes]], consent: bool,
                   consent_by: str) -> EnrolmentResult:
        """Add faces to an enrolled person (on failure only this addition's faces are undone)."""
        person = self.get(person_id)
        require_consent(consent)
        return self._store_all(person, self.choose(photos), consent_by, created=False)

    def enrol_dropped(self, name: str, filename: str, data: bytes, consent_by: str) -> EnrolmentResult:
        """Enrol one photo dropped into a person's folder (the S3 drop): its face joins the folder's person.

        The folder's person has an id derived from the name and is created by a conditional
        write, so retries and photos of one new person handled at the same time never create
        two people. A name already enrolled another way (admin page, CLI) is refused.
        """
        name = clean_name(name)
        person_id = dropped_person_id(name)
        if self.backend.people.get_person(person_id) is None and self.has_name(name):
            raise InvalidInput("A person with this name was enrolled from the admin page or the CLI; "
                               "add this photo there.")
        choice = self.choose([(filename, data)])
        person, created = self.backend.people.claim_person(person_id, name, consent_by, CONSENT_TEXT)
        try:
            return self._store_all(person, choice, consent_by, created)
        except NotFound as exc:  # the folder's person was rolled back by another photo's failed enrolment
            raise BackendUnavailable("The person was being removed while this photo was enrolled; "
                                     "it will be tried again.") from exc

    def choose(self, photos: builtins.list[tuple[str, bytes]]) -> FaceChoice:
        """Decode the photos and pick one face each; InvalidImage when none can be used."""
        if not photos:
            raise InvalidInput("Add at least one photo of the person's face.")
        named = [(clean_filename(filename), data) for filename, data in photos]
        choice = choose_faces(self.backend.faces, named, self.limits.max_bytes, self.limits.max_pixels,
                              self.limits.match_threshold)
        if not choice.accepted:
            reasons = " ".join(f"{fname}: {why}" if fname else why for fname, why in choice.refused)
            raise InvalidImage(f"No photo could be used, so nothing was stored. {reasons}")
        return choice

    def _store_all(self, person: Person, choice: FaceChoice, consent_by: str, created: bool) -> EnrolmentResult:
        """Store every chosen face for the person; on failure undo this enrolment (and a person it created)."""
        result = EnrolmentResult(person=person, refused=choice.refused, notes=choice.notes)
        try:
            for photo, face in choice.accepted:
                result.face_ids.append(self.store_face(person.id, photo, face))
        except BaseException:
            log.exception("enrolment of %s failed; rolling back", person.id)
            if created:
                self._erase(person.id, result.face_ids)
            else:  # an existing person keeps what they had: only this enrolment's faces go
                self.backend.people.delete_faces(result.face_ids)
                self.backend.faces.delete(result.face_ids)
                for face_id in result.face_ids:
                    self.backend.store.delete(person_photo(person.id, face_id))
                    self.backend.store.delete(person_crop(person.id, face_id))
            raise
        result.person = self.get(person.id)
        self.audit(consent_by, "enrol", person.id, f"{len(result.face_ids)} face(s), consent recorded")
        return result

    def store_face(self, person_id: str, photo: Photo, face: DetectedFace) -> str:
        """Index one face, then keep its photo and crop, then record the mapping row."""
        face_id = self.backend.faces.index(photo, face, person_id)
        try:
            image_key, crop_key = person_photo(person_id, face_id), person_crop(person_id, face_id)
            self.backend.store.put(image_key, photo.jpeg(STORED_SIDE), "image/jpeg")
            crop = crop_box(photo.image, face.bounding_box, margin=0.3)
            self.backend.store.put(crop_key, encode_jpeg(crop, 256, 85), "image/jpeg")
            self.backend.people.add_face(FaceRecord(face_id, person_id, image_key, crop_key, face.bounding_box))
        except BaseException:
            try:
                self.backend.faces.delete([face_id])  # no orphan faceprint if storing failed
            except GlimpseError:  # keep the original error; the orphan is reported by logs
                log.exception("could not delete faceprint %s after a failed enrolment", face_id)
            raise
        return face_id

    def forget(self, person_id: str, actor: str = "") -> Person:
        """Delete a person with every faceprint, mapping row, enrolment image and crop."""
        person = self.get(person_id)
        faces = self.backend.people.faces_of(person_id)
        # a face merged or moved here keeps its images in the folder it was enrolled under
        self._erase(person_id, [f.face_id for f in faces], [k for f in faces for k in (f.image_key, f.crop_key)])
        self.audit(actor, "forget", person_id, f"{len(faces)} faceprint(s) deleted")
        return person

    def _erase(self, person_id: str, face_ids: builtins.list[str], image_keys: Sequence[str] = ()) -> None:
        """Rows first (one step that hides the person at once), then faceprints, then images.

        If the process dies part-way, what is left is only faceprints and images that no
        row points to: `flask doctor --repair` finds and removes exactly those.
        """
        self.backend.people.delete_person(person_id)
        self.backend.faces.delete(face_ids)
        self.backend.store.delete_prefix(person_prefix(person_id))
        for image_key in image_keys:
            self.backend.store.delete(image_key)

    def audit(self, actor: str, action: str, subject: str = "", detail: str = "") -> None:
        """Append an audit entry (ids and counts only: never a name or a face)."""
        entry = AuditEntry(datetime.now(UTC), actor or "unknown", action, subject, detail)
        self.backend.audit.add_audit(entry)

    def audit_log(self, limit: int = 200) -> builtins.list[AuditEntry]:
        """The newest audit entries."""
        return self.backend.audit.list_audit(limit)
