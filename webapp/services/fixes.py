"""Fixing people: rename, merge two people, move a face to another person, remove one face.

Merge, move and remove take several steps over the directory, the analyses, the face
collection and the image store, which no single transaction spans (DynamoDB's hold 100
items). So each is written to the journal before its first step and taken off it after
its last, and every step can run again with the same result. An interrupted operation stays
on the journal; `flask doctor --repair` runs it again from the start (`resume`), rolling it
forward: every step only moves things towards the end state.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from webapp.backends.base import Backend
from webapp.domain import AuditEntry, FaceRecord, Operation, Person
from webapp.errors import InvalidInput, NotFound
from webapp.services.people import clean_name


def _merge(backend: Backend, args: dict) -> str:
    """Every face of `from` to `into`, every analysis naming `from` to `into`, then `from` goes."""
    source, into = args["from"], args["into"]
    face_ids = [f.face_id for f in backend.people.faces_of(source)]
    backend.people.move_faces(face_ids, into)
    backend.analyses.relink(source, into)
    backend.people.delete_person(source)
    return f"merged {source} into it: {len(face_ids)} face(s) moved"


def _move_face(backend: Backend, args: dict) -> str:
    """The face row to `to`, then the analyses matched through that face."""
    backend.people.move_faces([args["face"]], args["to"])
    backend.analyses.relink(args["from"], args["to"], [args["face"]])
    return f"face {args['face']} moved from {args['from']}"


def _remove_face(backend: Backend, args: dict) -> str:
    """Analyses matched through the face become Unknown; then its row, faceprint and images go."""
    face = args["face"]
    backend.analyses.relink(args["person"], None, [face])
    backend.people.delete_faces([face])
    backend.faces.delete([face])
    for image_key in args["images"]:
        backend.store.delete(image_key)
    return f"face {face} removed"


STEPS: dict[str, Callable[[Backend, dict], str]] = {"merge": _merge, "move-face": _move_face,
                                                    "remove-face": _remove_face}
SUBJECT = {"merge": "into", "move-face": "to", "remove-face": "person"}


class Fixes:
    """Rename, merge, move a face, remove a face: each leaves collection, rows and analyses consistent."""

    def __init__(self, backend: Backend):
        self.backend = backend

    def _person(self, person_id: str) -> Person:
        """One person, or NotFound."""
        person = self.backend.people.get_person(person_id)
        if person is None:
            raise NotFound("There is no person with that id.")
        return person

    def _face(self, person_id: str, face_id: str) -> FaceRecord:
        """One face row of a person, or NotFound."""
        for face in self.backend.people.faces_of(person_id):
            if face.face_id == face_id:
                return face
        raise NotFound("That person has no face with that id.")

    def rename(self, person_id: str, name: str, actor: str) -> Person:
        """Give a person another name; past analyses show the new one."""
        self._person(person_id)
        self.backend.people.rename_person(person_id, clean_name(name))
        self._audit(actor, "rename", person_id, "renamed")
        return self._person(person_id)

    def merge(self, source_id: str, into_id: str, actor: str) -> Person:
        """Merge `source` into `into`: all faces kept, one person (into's id and name) left."""
        if source_id == into_id:
            raise InvalidInput("Choose two different people to merge.")
        self._person(source_id), self._person(into_id)
        return self._run("merge", {"from": source_id, "into": into_id}, actor)

    def move_face(self, person_id: str, face_id: str, to_id: str, actor: str) -> Person:
        """Move one enrolled face from a person to another; analyses matched through it follow."""
        self._face(person_id, face_id)
        if to_id == person_id:
            raise InvalidInput("The face belongs to that person already.")
        self._person(to_id)
        return self._run("move-face", {"face": face_id, "from": person_id, "to": to_id}, actor)

    def remove_face(self, person_id: str, face_id: str, actor: str) -> Person:
        """Delete one enrolled face (faceprint, row, images); the person keeps the others."""
        face = self._face(person_id, face_id)
        if self._person(person_id).face_count <= 1:
            raise InvalidInput("This is the person's only face: delete the person instead.")
        return self._run("remove-face", {"face": face_id, "person": person_id,
                                         "images": [face.image_key, face.crop_key]}, actor)

    def _run(self, kind: str, args: dict, actor: str) -> Person:
        """Journal the operation, run its steps, audit it, take it off the journal."""
        op = self.backend.journal.begin(kind, args, actor)
        self.resume(op)
        return self._person(args[SUBJECT[kind]])

    def resume(self, op: Operation) -> None:
        """Run (again) every step of a journalled operation, then finish it."""
        detail = STEPS[op.kind](self.backend, op.args)
        self._audit(op.actor, op.kind, op.args[SUBJECT[op.kind]], detail)
        self.backend.journal.finish(op.id)

    def _audit(self, actor: str, action: str, subject: str, detail: str) -> None:
        """One audit entry (ids and counts only)."""
        self.backend.audit.add_audit(AuditEntry(datetime.now(UTC), actor or "unknown", action, subject, detail))
