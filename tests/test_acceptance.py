"""Acceptance with the real models on real photos from PyPI packages (local mode end to end)."""
import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from tests.photos import photo_path
from webapp import create_app

pytestmark = pytest.mark.model


def _png(array) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """An app on the real local backend, shared by this module so models load once."""
    data_dir = tmp_path_factory.mktemp("real-data")
    app = create_app({"data_dir": data_dir, "secret_key": "test", "testing": True})
    services = app.extensions["services"]
    obama = services.people.enrol("Barack Obama", [("obama.jpg", photo_path("obama.jpg").read_bytes())], True, "t")
    biden = services.people.enrol("Joe Biden", [("biden.jpg", photo_path("biden.jpg").read_bytes())], True, "t")
    return app, services, obama.person, biden.person


def _names(analysis):
    return [f.person_name for f in analysis.faces]


def test_obama2_is_one_face_named_obama(real):
    _, services, obama, _ = real
    analysis = services.recognizer.analyse(photo_path("obama2.jpg").read_bytes(), "obama2.jpg")
    assert _names(analysis) == ["Barack Obama"]
    assert analysis.faces[0].person_id == obama.id and analysis.faces[0].similarity >= 80
    assert "Person" in [label.name for label in analysis.labels]


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_turned_photo_without_exif_is_found_and_named(real, quarters):
    _, services, obama, _ = real
    turned = np.rot90(np.asarray(Image.open(photo_path("obama2.jpg")).convert("RGB")), quarters)
    analysis = services.recognizer.analyse(_png(np.ascontiguousarray(turned)), "turned.png")
    assert _names(analysis) == ["Barack Obama"]
    # np.rot90 turns counter-clockwise; Rekognition's value is the photo's turn, counter-clockwise.
    assert analysis.to_dict()["orientation_correction"] == f"ROTATE_{quarters * 90}"
    assert analysis.to_dict()["faces"][0]["orientation_correction"] == f"ROTATE_{quarters * 90}"
    # The history shows the same as the fresh result.
    assert services.recognizer.get(analysis.id).to_dict() == analysis.to_dict()


def test_upright_photo_reports_no_orientation_correction(real):
    _, services, _, _ = real
    analysis = services.recognizer.analyse(photo_path("obama3.jpg").read_bytes(), "obama3.jpg")
    assert analysis.to_dict()["orientation_correction"] == "ROTATE_0"


def test_group_photo_has_six_unknown_faces(real):
    _, services, _, _ = real
    analysis = services.recognizer.analyse(photo_path("t1.jpg").read_bytes(), "t1.jpg")
    assert _names(analysis) == [None] * 6


def test_biden_is_not_obama_and_obama_is_not_biden(real):
    _, services, obama, biden = real
    faces = services.recognizer.recognize(services.recognizer.decode(photo_path("obama3.jpg").read_bytes())).faces
    assert [f.person_id for f in faces] == [obama.id]
    faces = services.recognizer.recognize(services.recognizer.decode(photo_path("biden.jpg").read_bytes())).faces
    assert [f.person_id for f in faces] == [biden.id]


def test_cat_photo_gets_cat_label_with_animal_parent_and_no_faces(real):
    _, services, _, _ = real
    analysis = services.recognizer.analyse(_png(skdata.chelsea()), "chelsea.png")
    assert analysis.faces == ()
    cat = next(label for label in analysis.labels if label.name == "Cat")
    assert cat.confidence >= 55 and "Animal" in cat.parents


@pytest.mark.parametrize("name", ["coffee", "rocket"])
def test_photos_without_people_have_no_faces(real, name):
    _, services, _, _ = real
    seen = services.recognizer.recognize(services.recognizer.decode(_png(getattr(skdata, name)())))
    faces, labels = seen.faces, seen.labels
    assert faces == () and labels and "Person" not in [label.name for label in labels]


def test_models_load_once_per_worker(real):
    _, services, _, _ = real
    engine = services.backend.faces.engine  # the fused engine: YuNet + SFace, and dlib's ResNet
    detector, sface, dlib = engine.faces._yunet._session, engine.faces._sface._session, engine.dlib._session
    services.recognizer.recognize(services.recognizer.decode(photo_path("obama.jpg").read_bytes()))
    assert engine.faces._yunet._session is detector is not None
    assert engine.faces._sface._session is sface is not None
    assert engine.dlib._session is dlib is not None


def test_api_upload_over_http_names_obama(real):
    app, _, _, _ = real
    client = app.test_client()
    with photo_path("obama2.jpg").open("rb") as fh:
        response = client.post("/api/v1/analyses", data={"image": (fh, "obama2.jpg")})
    assert response.status_code == 201
    (face,) = response.get_json()["faces"]
    assert face["person"]["name"] == "Barack Obama"


def test_a_group_photo_of_strangers_is_refused_beside_a_portrait(real):
    _, services, _, _ = real
    photos = [(n, photo_path(n).read_bytes()) for n in ("biden.jpg", "t1.jpg")]
    result = services.people.enrol("Joe Biden (again)", photos, True, "t")
    assert [name for name, _ in result.refused] == ["t1.jpg"] and len(result.face_ids) == 1
    services.people.forget(result.person.id)


def test_forgetting_obama_leaves_no_trace_and_he_becomes_unknown(real):
    _, services, obama, biden = real
    backend = services.backend
    obama_faces = [f.face_id for f in backend.people.faces_of(obama.id)]
    services.people.forget(obama.id)
    assert not set(obama_faces) & set(backend.faces.face_ids())
    assert backend.people.faces_of(obama.id) == [] and backend.people.get_person(obama.id) is None
    assert backend.store.list(f"people/{obama.id}") == []
    faces = services.recognizer.recognize(services.recognizer.decode(photo_path("obama2.jpg").read_bytes())).faces
    assert [f.person_id for f in faces] == [None]
    assert [p.id for p in services.people.list()] == [biden.id]
