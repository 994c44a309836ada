"""Object boxes, moderation labels and text behave the same on both backends, and survive storage."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import BLUE, RED
from tests.fakes import MAGENTA, make_photo
from webapp.errors import NotFound


def magenta_png() -> bytes:
    """The fakes' stand-in for an explicit photo."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), MAGENTA).save(out, format="PNG")
    return out.getvalue()


def test_analysis_keeps_boxed_instances_through_storage(subject):
    """Two squares -> Person with two boxes, as analysed and as read back from the store."""
    analysis = subject.services.recognizer.analyse(make_photo(RED, BLUE), "two.png")
    stored = subject.services.recognizer.get(analysis.id)
    for seen in (analysis, stored):
        person = next(label for label in seen.labels if label.name == "Person")
        assert len(person.instances) == 2
        assert all(0 < i.bounding_box.width < 1 and i.confidence > 50 for i in person.instances)
    assert [lb.to_dict() for lb in stored.labels] == [lb.to_dict() for lb in analysis.labels]


def test_ordinary_photo_is_not_flagged_and_an_unsafe_one_is(subject):
    """Moderation labels are stored with the analysis; only the unsafe stand-in gets them."""
    ordinary = subject.services.recognizer.analyse(make_photo(RED))
    unsafe = subject.services.recognizer.analyse(magenta_png())
    assert ordinary.moderation_labels == () and not ordinary.explicit
    stored = subject.services.recognizer.get(unsafe.id)
    assert {(m.name, m.parent_name) for m in stored.moderation_labels} == {
        ("Explicit", ""), ("Explicit Nudity", "Explicit")}
    assert stored.explicit


def test_text_is_read_on_request_once_and_stored(subject):
    """No text until asked; read_text reads and stores it; asking again returns the same text."""
    recognizer = subject.services.recognizer
    analysis = recognizer.analyse(make_photo(RED))
    assert analysis.text is None and recognizer.get(analysis.id).text is None
    read = recognizer.read_text(analysis.id)
    assert [(t.detected_text, t.type, t.parent_id) for t in read.text] == [
        ("HELLO WORLD", "LINE", None), ("HELLO", "WORD", 0), ("WORLD", "WORD", 0)]
    as_json = [t.to_dict() for t in read.text]
    assert [t.to_dict() for t in recognizer.get(analysis.id).text] == as_json
    assert [t.to_dict() for t in recognizer.read_text(analysis.id).text] == as_json


def test_photo_without_text_is_stored_as_read_and_empty(subject):
    """An empty reading is kept as 'read, none found', not 'not read'."""
    recognizer = subject.services.recognizer
    analysis = recognizer.analyse(make_photo())
    assert recognizer.read_text(analysis.id).text == ()
    assert recognizer.get(analysis.id).text == ()


def test_text_can_be_read_at_upload(subject):
    """analyse(read_text=True) stores the text with the analysis."""
    analysis = subject.services.recognizer.analyse(make_photo(RED), read_text=True)
    assert [t.detected_text for t in subject.services.recognizer.get(analysis.id).text][:1] == ["HELLO WORLD"]


def test_reading_text_of_a_missing_analysis_is_not_found(subject):
    """Unknown ids, and analyses deleted by retention, give NotFound and store nothing."""
    with pytest.raises(NotFound):
        subject.services.recognizer.read_text("0" * 32)
    with pytest.raises(NotFound):
        subject.backend.analyses.save_text("0" * 32, [])


def test_deleting_an_analysis_deletes_its_text_and_moderation(subject):
    """Nothing of an analysis stays behind once it is deleted."""
    recognizer = subject.services.recognizer
    analysis = recognizer.read_text(recognizer.analyse(magenta_png()).id)
    subject.backend.analyses.delete_analysis(analysis.id)
    assert subject.backend.analyses.get_analysis(analysis.id) is None
    with pytest.raises(NotFound):
        subject.backend.analyses.save_text(analysis.id, [])
