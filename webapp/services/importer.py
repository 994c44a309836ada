"""Bulk import, resumable: one person per folder, each photo imported once, whatever was interrupted.

A folder's key is the SHA-256 of its casefolded NFC name — the same on every run, machine
and mount point. The person made from a folder is tied to that key by one write that only
the first claimant wins (no name lookup that two imports could race), and each photo's
SHA-256 is recorded once it became a face. Re-running adds only the photos not recorded yet.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from webapp.backends.base import Backend
from webapp.domain import Person
from webapp.errors import InvalidInput
from webapp.services.people import CONSENT_TEXT, People, clean_name

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def folder_key(name: str) -> str:
    """The stable key of a folder: its name, normalised, hashed."""
    return hashlib.sha256(unicodedata.normalize("NFC", name).casefold().encode()).hexdigest()


@dataclass
class FolderPlan:
    """What an import would do with one folder."""

    name: str
    key: str
    person: Person | None  # the person made from this folder by an earlier run
    new: list[tuple[str, bytes, str]] = field(default_factory=list)  # (file name, bytes, digest) to import
    skipped: list[str] = field(default_factory=list)  # file names imported before

    def describe(self) -> str:
        """One line for --dry-run."""
        if not self.new:
            return f"{self.name}: nothing to add ({len(self.skipped)} photo(s) imported before)"
        if self.person is None:
            return f"{self.name}: create with {len(self.new)} photo(s)"
        return f"{self.name}: add {len(self.new)} photo(s) ({len(self.skipped)} imported before)"


@dataclass
class FolderOutcome:
    """What an import did with one folder."""

    plan: FolderPlan
    person: Person | None = None
    added: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)


class Importer:
    """Plans and runs imports over the people service and the import ledger."""

    def __init__(self, backend: Backend, people: People):
        self.backend = backend
        self.people = people

    def plan(self, folder: Path) -> list[FolderPlan]:
        """For each sub-folder: its person (if made before) and the photos still to import. Writes nothing."""
        plans = []
        for sub in sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")):
            key = folder_key(sub.name)
            person = self._person_for(key)
            done = set(self.backend.imports.sources(person.id)) if person else set()
            plan = FolderPlan(sub.name, key, person)
            for path in sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                if digest in done:
                    plan.skipped.append(path.name)
                else:
                    plan.new.append((path.name, data, digest))
                    done.add(digest)  # the same photo twice in a folder is imported once
            plans.append(plan)
        return plans

    def _person_for(self, key: str) -> Person | None:
        """The living person a folder key is tied to (a tie to someone forgotten is undone)."""
        person_id = self.backend.imports.person_for(key)
        person = self.backend.people.get_person(person_id) if person_id else None
        if person_id and person is None:
            self.backend.imports.release(key)
        return person

    def run(self, plan: FolderPlan, consent_by: str) -> FolderOutcome:
        """Import what the plan lists: make the person if needed, then add each new photo's face."""
        outcome = FolderOutcome(plan, plan.person)
        if not plan.new:
            return outcome
        choice = self.people.choose([(name, data) for name, data, _ in plan.new])  # InvalidImage if none usable
        outcome.refused = choice.refused
        person = plan.person or self._claim(plan, consent_by)
        digests = {name: digest for name, _, digest in plan.new}
        done = self.backend.imports.sources(person.id)  # another run may have added some since the plan
        for (photo, face), name in zip(choice.accepted, choice.accepted_from, strict=True):
            if digests[name] in done:
                plan.skipped.append(name)
                continue
            face_id = self.people.store_face(person.id, photo, face)
            self.backend.imports.add_source(person.id, digests[name], face_id)
            outcome.added += 1
        outcome.person = self.people.get(person.id)
        self.people.audit(consent_by, "import", person.id, f"{outcome.added} face(s), consent recorded")
        return outcome

    def _claim(self, plan: FolderPlan, consent_by: str) -> Person:
        """Make the folder's person and tie it to the folder; if another import tied it first, use theirs."""
        existing = self._person_for(plan.key)
        if existing:
            return existing
        name = clean_name(plan.name)
        if self.people.named(name):
            raise InvalidInput(f"{name} is enrolled already (not by an import of this folder); "
                               "add the photos to that person on their page instead.")
        person = self.backend.people.add_person(name, consent_by, CONSENT_TEXT)
        owner = self.backend.imports.claim(plan.key, person.id)
        if owner != person.id:  # lost the race: ours has no face yet, so it can simply go
            self.backend.people.delete_person(person.id)
            return self.people.get(owner)
        return person
