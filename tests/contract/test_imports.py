"""The import ledger in every backend: one claim per folder, photos recorded once, gone with the person."""
from __future__ import annotations

from tests.conftest import BLUE, RED
from tests.contract.helpers import enrol
from tests.fakes import make_photo


def test_the_first_claim_wins_and_forgetting_the_person_removes_every_record(subject):
    imports = subject.backend.imports
    ada, bob = enrol(subject, "Ada", (RED,)).person, enrol(subject, "Bob", (BLUE,)).person
    assert imports.claim("k1", ada.id) == ada.id
    assert imports.claim("k1", bob.id) == ada.id and imports.person_for("k1") == ada.id
    imports.add_source(ada.id, "d1", "f1")
    imports.add_source(ada.id, "d1", "f1")  # recording twice is harmless
    assert imports.sources(ada.id) == {"d1"} and imports.sources(bob.id) == set()
    subject.services.people.forget(ada.id)
    assert imports.person_for("k1") is None and imports.sources(ada.id) == set()


def test_import_twice_makes_each_person_and_face_once(subject, tmp_path):
    for i, (rel, colour) in enumerate((("Ada/1.png", RED), ("Ada/2.png", RED), ("Bob/1.png", BLUE))):
        path = tmp_path / rel
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_photo(colour, size=(400 + 20 * i, 300)))
    importer = subject.services.importer
    for _ in range(2):
        for plan in importer.plan(tmp_path):
            importer.run(plan, "test")
    assert [(p.name, p.face_count) for p in subject.services.people.list()] == [("Ada", 2), ("Bob", 1)]
