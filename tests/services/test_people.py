"""Enrol and forget with the real store, SQLite directory and vector index (fake engine)."""
import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo
from webapp.errors import BackendUnavailable, InvalidImage, InvalidInput


def _enrol(services, name, *photos):
    return services.people.enrol(name, list(photos), consent=True, consent_by="tester")


def _everything(backend):
    """Every stored trace: vectors, face rows, people, image keys."""
    return {
        "vectors": backend.faces.face_ids(),
        "face_rows": backend.people.all_face_ids(),
        "people": [p.id for p in backend.people.list_people()],
        "people_images": backend.store.list("people"),
    }


def test_each_photo_contributes_its_largest_face(services, backend):
    result = _enrol(services, "Ada Lovelace", ("a.png", make_photo(RED, GREEN)), ("b.png", make_photo(RED)))
    assert result.person.face_count == 2 and len(result.face_ids) == 2
    assert result.notes == [("a.png", "2 faces were found; the one matching the other photos (the largest) "
                                      "was enrolled.")]
    faces = backend.people.faces_of(result.person.id)
    assert all(f.bounding_box.width == pytest.approx(60 / 400) for f in faces)
    assert len(backend.store.list(f"people/{result.person.id}")) == 4  # photo + crop per face


def test_photo_without_face_is_refused_and_nothing_is_stored_for_it(services, backend):
    result = _enrol(services, "Ada", ("face.png", make_photo(RED)), ("empty.png", make_photo()))
    assert result.refused == [("empty.png", "No face was found in this photo.")]
    assert result.person.face_count == 1
    assert len(backend.faces.face_ids()) == 1


def test_enrolment_with_no_usable_photo_stores_nothing(services, backend):
    with pytest.raises(InvalidImage, match="nothing was stored"):
        _enrol(services, "Nobody", ("empty.png", make_photo()), ("bad.jpg", b"not an image"))
    assert _everything(backend) == {"vectors": [], "face_rows": [], "people": [], "people_images": []}


def test_enrolment_requires_consent_and_a_name(services):
    with pytest.raises(InvalidInput, match="consent"):
        services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=False, consent_by="x")
    with pytest.raises(InvalidInput, match="full name"):
        _enrol(services, "   ", ("a.png", make_photo(RED)))


def test_name_is_normalised(services):
    assert _enrol(services, "  Ada \t  Lovelace ", ("a.png", make_photo(RED))).person.name == "Ada Lovelace"


def test_forget_person_removes_every_faceprint_row_and_image(services, backend):
    ada = _enrol(services, "Ada", ("a.png", make_photo(RED)), ("b.png", make_photo(RED)))
    bob = _enrol(services, "Bob", ("c.png", make_photo(BLUE)))
    services.recognizer.analyse(make_photo(RED, BLUE), "group.png")
    services.people.forget(ada.person.id)
    left = _everything(backend)
    assert left["people"] == [bob.person.id]
    assert sorted(left["vectors"]) == sorted(left["face_rows"]) == sorted(bob.face_ids)
    assert all(ada.person.id not in key for key in left["people_images"])
    assert backend.people.get_person(ada.person.id) is None
    # past analyses no longer name or score the forgotten person
    (analysis,) = services.recognizer.history(10)
    assert {f.person_name for f in analysis.faces} == {"Bob", None}
    assert [f.similarity for f in analysis.faces if f.person_name is None] == [None]


def test_failure_after_indexing_leaves_no_orphan_faceprint(services, backend, monkeypatch):
    def broken(record):
        raise BackendUnavailable("The database is unavailable.")

    monkeypatch.setattr(backend.people, "add_face", broken)
    with pytest.raises(BackendUnavailable):
        _enrol(services, "Ada", ("a.png", make_photo(RED)))
    assert _everything(backend) == {"vectors": [], "face_rows": [], "people": [], "people_images": []}


def test_forget_unknown_person_is_not_found(services):
    from webapp.errors import NotFound

    with pytest.raises(NotFound):
        services.people.forget("0" * 32)


def test_group_photo_gives_the_face_matching_the_other_photos_even_if_smaller(services, backend):
    result = _enrol(services, "Ada", ("group.png", make_photo(GREEN, RED)), ("solo.png", make_photo(RED)))
    assert len(result.face_ids) == 2 and "(not the largest)" in result.notes[0][1]
    stored = sorted(round(f.bounding_box.width * 400) for f in backend.people.faces_of(result.person.id))
    assert stored == [50, 60]  # RED in the group (50 px, not its largest face) and RED alone (60 px)


def test_group_photo_where_nobody_matches_is_refused(services, backend):
    result = _enrol(services, "Ada", ("strangers.png", make_photo(GREEN, BLUE)), ("solo.png", make_photo(RED)))
    assert result.refused == [("strangers.png", "2 faces were found and none is the person in the other photos.")]
    assert len(result.face_ids) == 1 and len(backend.faces.face_ids()) == 1


def test_group_photo_alone_gives_its_largest_face_with_a_note(services):
    result = _enrol(services, "Ada", ("group.png", make_photo(GREEN, RED)))
    assert result.notes == [("group.png", "2 faces were found; only the largest was enrolled.")]
