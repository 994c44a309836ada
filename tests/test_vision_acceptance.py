"""Acceptance for boxes, moderation and text with the real local models on real photos."""
import pytest

from tests.photos import photo_path
from webapp import create_app

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """An app on the real local backend, shared by the module so each model loads once."""
    app = create_app({"data_dir": tmp_path_factory.mktemp("vision-data"), "secret_key": "test", "testing": True})
    return app.extensions["services"]


def _labels(analysis) -> dict:
    return {label.name: label for label in analysis.labels}


def test_street_photo_analysis_boxes_four_people_and_the_bus_and_is_not_flagged(services):
    """bus.jpg through the whole service: Person x4 and a boxed Bus, no moderation label, text not read yet."""
    analysis = services.recognizer.analyse(photo_path("bus.jpg").read_bytes(), "bus.jpg")
    labels = _labels(analysis)
    assert len(labels["Person"].instances) == 4 and len(labels["Bus"].instances) == 1
    assert analysis.moderation_labels == () and analysis.text is None
    stored = services.recognizer.get(analysis.id)
    assert len(_labels(stored)["Person"].instances) == 4


def test_read_text_on_the_street_photo_finds_the_slogan_on_the_bus(services):
    """'Read text' on a stored analysis reads the stored copy: 'cero emisiones' comes back as words."""
    analysis = services.recognizer.analyse(photo_path("bus.jpg").read_bytes(), "bus.jpg")
    read = services.recognizer.read_text(analysis.id)
    words = {t.detected_text.lower() for t in read.text if t.type == "WORD"}
    assert {"cero", "emisiones"} <= words


@pytest.mark.parametrize("name", ["flower.jpg", "china.jpg", "zidane.jpg", "t1.jpg", "obama.jpg"])
def test_ordinary_photos_get_labels_and_no_moderation_label(services, name):
    """A dahlia, a temple, two men, a group at a table, a portrait: labels, and nothing flagged."""
    seen = services.recognizer.recognize(services.recognizer.decode(photo_path(name).read_bytes()))
    assert seen.labels and seen.moderation_labels == ()
