"""Helpers shared by the contract tests."""
from __future__ import annotations

from tests.fakes import make_photo
from webapp.domain import Analysis, EnrolmentResult
from webapp.images import Photo, decode_photo


def enrol(subject, name: str, *colour_sets: tuple) -> EnrolmentResult:
    """Enrol a person with one photo per colour tuple."""
    photos = [(f"{i}.png", make_photo(*colours)) for i, colours in enumerate(colour_sets)]
    return subject.services.people.enrol(name, photos, consent=True, consent_by="tester")


def names(analysis: Analysis) -> list[str | None]:
    """The person names of an analysis, face by face (None for Unknown)."""
    return [f.person_name for f in analysis.faces]


def traces(backend) -> dict[str, list[str]]:
    """Every stored trace: faceprints, face rows, people, enrolment images."""
    return {
        "faceprints": sorted(backend.faces.face_ids()),
        "face_rows": sorted(backend.people.all_face_ids()),
        "people": sorted(p.id for p in backend.people.list_people()),
        "people_images": backend.store.list("people"),
    }


def photo(*colours: tuple[int, int, int]) -> Photo:
    """A decoded synthetic photo with one face per colour."""
    return decode_photo(make_photo(*colours), 10**8, 10**8)
