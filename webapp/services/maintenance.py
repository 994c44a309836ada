"""Consistency between the image store, the face collection and the directory: check and repair."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from webapp.backends.base import Backend
from webapp.errors import NotFound
from webapp.services.fixes import Fixes
from webapp.storage_keys import ANALYSIS_IMAGE, DOCTOR_NOTES, PERSON_IMAGE, person_prefix


@dataclass
class HealthReport:
    """What does not line up; every list is empty when all is well."""

    orphan_faceprints: list[str] = field(default_factory=list)  # in the collection, no row points to them
    missing_faceprints: list[str] = field(default_factory=list)  # rows whose faceprint is gone
    faceless_people: list[str] = field(default_factory=list)  # people left with no face (interrupted enrolment)
    orphan_images: list[str] = field(default_factory=list)  # stored images no row points to
    unfinished: list[str] = field(default_factory=list)  # journalled merges/moves/removals that stopped half-way
    orphan_unknown: list[str] = field(default_factory=list)  # unknown-face prints without a row, or rows without one
    waiting: int = 0  # inconsistencies first seen less than the grace period ago (maybe work in progress)

    @property
    def ok(self) -> bool:
        """True when nothing needs repair."""
        return not (self.orphan_faceprints or self.missing_faceprints or self.faceless_people or self.orphan_images
                    or self.unfinished or self.orphan_unknown)

    def lines(self) -> list[str]:
        """One human line per kind of problem."""
        kinds = [("half-done merge(s), move(s) or removal(s) of a face", self.unfinished),
                 ("faceprint(s) without a person", self.orphan_faceprints),
                 ("face row(s) whose faceprint is missing", self.missing_faceprints),
                 ("person(s) with no face", self.faceless_people),
                 ("stored image(s) nothing points to", self.orphan_images),
                 ("unknown-face print(s) or row(s) without the other", self.orphan_unknown)]
        lines = [f"{len(items)} {what}" for what, items in kinds if items]
        if self.waiting:
            lines.append(f"{self.waiting} more first seen less than the grace period ago (left alone for now)")
        return lines


class Doctor:
    """Finds and removes what an interrupted enrolment or forget left behind."""

    def __init__(self, backend: Backend, grace: timedelta = timedelta(minutes=10),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.backend = backend
        self.grace = grace  # work younger than this (an enrolment, an analysis) may still be running
        self.clock = clock

    def check(self) -> HealthReport:
        """List every inconsistency that is older than the grace period (see `_settle`)."""
        return self._settle(self._inconsistencies())

    def _inconsistencies(self) -> HealthReport:
        """Compare the three stores and list every inconsistency seen right now."""
        prints, rows = set(self.backend.faces.face_ids()), set(self.backend.people.all_face_ids())
        people = {p.id: p for p in self.backend.people.list_people()}
        cutoff = self.clock() - self.grace
        unknown_prints, unknown_rows = set(self.backend.unknown_prints.face_ids()), \
            set(self.backend.unknown.all_unknown_ids())
        report = HealthReport(
            unfinished=[op.id for op in self.backend.journal.pending() if op.started_at < cutoff],
            orphan_unknown=sorted(unknown_prints ^ unknown_rows),
            orphan_faceprints=sorted(prints - rows),
            missing_faceprints=sorted(rows - prints),
            faceless_people=sorted(pid for pid, p in people.items() if p.face_count == 0 and p.created_at < cutoff),
        )
        # judge images against what will survive a repair, so one pass is enough
        report.orphan_images = self._orphan_images(rows & prints)
        return report

    def _settle(self, report: HealthReport) -> HealthReport:
        """Keep only faceprints, rows and images that were already inconsistent `grace` ago.

        A faceprint, image or row in the middle of an enrolment or analysis looks exactly
        like a leftover, and neither Rekognition nor the stores say how old a faceprint is.
        So the doctor notes when it first saw each one (in the image store, DOCTOR_NOTES)
        and repairs it only once it has stayed inconsistent for the grace period — as a
        person without faces is left alone until they are older than the grace period.
        """
        if self.grace <= timedelta(0):
            return report
        now, seen = self.clock(), self._notes()
        found = {f"faceprint:{v}" for v in report.orphan_faceprints} | {f"row:{v}" for v in report.missing_faceprints} \
            | {f"image:{v}" for v in report.orphan_images} | {f"unknown:{v}" for v in report.orphan_unknown}
        first = {item: seen.get(item, now.isoformat()) for item in found}
        self.backend.store.put(DOCTOR_NOTES, json.dumps(first, sort_keys=True).encode(), "application/json")

        def settled(kind: str, values: list[str]) -> list[str]:
            return [v for v in values if now - datetime.fromisoformat(first[f"{kind}:{v}"]) >= self.grace]

        held = HealthReport(settled("faceprint", report.orphan_faceprints), settled("row", report.missing_faceprints),
                            report.faceless_people, settled("image", report.orphan_images), report.unfinished,
                            settled("unknown", report.orphan_unknown))
        held.waiting = len(found) - len(held.orphan_faceprints) - len(held.missing_faceprints) \
            - len(held.orphan_images) - len(held.orphan_unknown)
        return held

    def _notes(self) -> dict[str, str]:
        """When each inconsistency was first seen (empty when the doctor never ran or the notes are unreadable)."""
        try:
            notes = json.loads(self.backend.store.get(DOCTOR_NOTES))
        except (NotFound, ValueError):
            return {}
        return notes if isinstance(notes, dict) else {}

    def _orphan_images(self, rows: set[str]) -> list[str]:
        """Image keys whose face or analysis no longer exists.

        An enrolment image is judged by its face alone: after a merge or a move, a face keeps
        its images under the folder of the person it was enrolled as.
        """
        orphans, analyses = [], {}
        for key in self.backend.store.list():
            person = PERSON_IMAGE.match(key)
            if person:
                if person.group(2) not in rows:
                    orphans.append(key)
                continue
            analysis = ANALYSIS_IMAGE.match(key)
            if analysis:
                aid = analysis.group(1)
                if aid not in analyses:
                    analyses[aid] = self.backend.analyses.get_analysis(aid) is not None
                if not analyses[aid]:
                    orphans.append(key)
        return orphans

    def repair(self, report: HealthReport) -> None:
        """Finish half-done operations first (they explain other findings), then remove what is left over."""
        if report.unfinished:
            fixes, pending = Fixes(self.backend), {op.id: op for op in self.backend.journal.pending()}
            for op_id in report.unfinished:
                if op_id in pending:
                    fixes.resume(pending[op_id])
            report = self.check()
            report.unfinished = []
        self.backend.faces.delete(report.orphan_faceprints)
        self.backend.unknown_prints.delete(report.orphan_unknown)  # ids only one side knows: both sides drop them
        self.backend.unknown.delete_unknown(report.orphan_unknown)
        self.backend.people.delete_faces(report.missing_faceprints)
        for person_id in report.faceless_people:
            self.backend.people.delete_person(person_id)
            self.backend.store.delete_prefix(person_prefix(person_id))
        for key in report.orphan_images:
            self.backend.store.delete(key)
