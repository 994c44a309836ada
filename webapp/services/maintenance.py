"""Consistency between the image store, the face collection and the directory: check and repair."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from webapp.backends.base import Backend
from webapp.storage_keys import ANALYSIS_IMAGE, PERSON_IMAGE, person_prefix


@dataclass
class HealthReport:
    """What does not line up; every list is empty when all is well."""

    orphan_faceprints: list[str] = field(default_factory=list)  # in the collection, no row points to them
    missing_faceprints: list[str] = field(default_factory=list)  # rows whose faceprint is gone
    faceless_people: list[str] = field(default_factory=list)  # people left with no face (interrupted enrolment)
    orphan_images: list[str] = field(default_factory=list)  # stored images no row points to

    @property
    def ok(self) -> bool:
        """True when nothing needs repair."""
        return not (self.orphan_faceprints or self.missing_faceprints or self.faceless_people or self.orphan_images)

    def lines(self) -> list[str]:
        """One human line per kind of problem."""
        kinds = [("faceprint(s) without a person", self.orphan_faceprints),
                 ("face row(s) whose faceprint is missing", self.missing_faceprints),
                 ("person(s) with no face", self.faceless_people),
                 ("stored image(s) nothing points to", self.orphan_images)]
        return [f"{len(items)} {what}" for what, items in kinds if items]


class Doctor:
    """Finds and removes what an interrupted enrolment or forget left behind."""

    def __init__(self, backend: Backend, grace: timedelta = timedelta(minutes=10)):
        self.backend = backend
        self.grace = grace  # an enrolment younger than this may still be running

    def check(self) -> HealthReport:
        """Compare the three stores and list every inconsistency."""
        prints, rows = set(self.backend.faces.face_ids()), set(self.backend.people.all_face_ids())
        people = {p.id: p for p in self.backend.people.list_people()}
        cutoff = datetime.now(UTC) - self.grace
        report = HealthReport(
            orphan_faceprints=sorted(prints - rows),
            missing_faceprints=sorted(rows - prints),
            faceless_people=sorted(pid for pid, p in people.items() if p.face_count == 0 and p.created_at < cutoff),
        )
        # judge images against what will survive a repair, so one pass is enough
        report.orphan_images = self._orphan_images(set(people) - set(report.faceless_people), rows & prints)
        return report

    def _orphan_images(self, live_people: set[str], rows: set[str]) -> list[str]:
        """Image keys whose person, face or analysis no longer exists."""
        orphans, analyses = [], {}
        for key in self.backend.store.list():
            person = PERSON_IMAGE.match(key)
            if person:
                if person.group(1) not in live_people or person.group(2) not in rows:
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
        """Remove what the report lists: faceprints, rows, faceless people, then images."""
        self.backend.faces.delete(report.orphan_faceprints)
        self.backend.people.delete_faces(report.missing_faceprints)
        for person_id in report.faceless_people:
            self.backend.people.delete_person(person_id)
            self.backend.store.delete_prefix(person_prefix(person_id))
        for key in report.orphan_images:
            self.backend.store.delete(key)
