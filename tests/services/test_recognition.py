"""Recognition: every face searched, unknown faces kept as Unknown, analyses stored."""
from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo


def test_every_face_is_searched_not_only_the_largest(services):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    services.people.enrol("Bob", [("b.png", make_photo(BLUE))], True, "t")
    analysis = services.recognizer.analyse(make_photo(GREEN, RED, BLUE), "g.png")
    names = [f.person_name for f in analysis.faces]
    assert names == [None, "Ada", "Bob"]  # largest (unknown) first
    assert analysis.faces[1].similarity >= 80 and analysis.faces[0].similarity is None


def test_faces_add_person_and_face_labels(services):
    analysis = services.recognizer.analyse(make_photo(RED), "a.png")
    names = [label.name for label in analysis.labels]
    assert "Person" in names and "Face" in names and "Pattern" in names


def test_photo_without_faces_has_no_person_label(services):
    analysis = services.recognizer.analyse(make_photo(), "a.png")
    assert analysis.faces == ()
    assert "Person" not in [label.name for label in analysis.labels]


def test_analysis_is_saved_with_photo_and_thumbnail(services, backend):
    analysis = services.recognizer.analyse(make_photo(RED), "../../etc/passwd.png")
    assert services.recognizer.get(analysis.id).faces == analysis.faces
    assert backend.store.list(f"analyses/{analysis.id}") == [analysis.image_key, analysis.thumb_key]
    assert analysis.filename == "passwd.png"


def test_history_is_newest_first(services):
    first = services.recognizer.analyse(make_photo(RED), "1.png")
    second = services.recognizer.analyse(make_photo(BLUE), "2.png")
    assert [a.id for a in services.recognizer.history(10)] == [second.id, first.id]
