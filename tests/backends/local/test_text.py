"""Local text reader: rapidocr's PP-OCR models on real photos, Rekognition-shaped lines and words."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.photos import photo_path
from webapp.backends.local.text import LocalTextReader, split_line

skimage_data = pytest.importorskip("skimage.data")


def test_split_line_cuts_words_in_proportion_to_their_characters():
    """'ab cdef' on a 0..0.7 wide line: 'ab' spans 0..0.2, 'cdef' 0.3..0.7, top and bottom alike."""
    polygon = ((0.0, 0.1), (0.7, 0.1), (0.7, 0.2), (0.0, 0.2))
    (first, p1), (second, p2) = split_line("ab cdef", polygon)
    assert (first, second) == ("ab", "cdef")
    np.testing.assert_allclose(p1, ((0.0, 0.1), (0.2, 0.1), (0.2, 0.2), (0.0, 0.2)), atol=1e-9)
    np.testing.assert_allclose(p2, ((0.3, 0.1), (0.7, 0.1), (0.7, 0.2), (0.3, 0.2)), atol=1e-9)


@pytest.fixture(scope="module")
def reader():
    """One reader for the module (its three models load on first use)."""
    return LocalTextReader(threads=1)


def _sign_on_photo() -> np.ndarray:
    """A cream sign with two lines of print pasted on skimage's astronaut photo."""
    photo = Image.fromarray(skimage_data.astronaut()).resize((1024, 1024))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((80, 600, 900, 800), fill=(245, 245, 235))
    draw.text((110, 620), "GRAND CENTRAL", fill=(20, 20, 20), font=ImageFont.load_default(size=56))
    draw.text((110, 720), "Platform 7 - trains to Boston", fill=(150, 20, 20), font=ImageFont.load_default(size=30))
    return np.asarray(photo)


@pytest.mark.model
def test_sign_is_read_as_lines_and_words_with_boxes_inside_their_line(reader):
    """Both lines read exactly; each word has the line as parent and sits inside the line's box."""
    found = reader.read(_sign_on_photo())
    lines = {d.detected_text: d for d in found if d.type == "LINE"}
    assert {"GRAND CENTRAL", "Platform 7 - trains to Boston"} <= set(lines)
    words = [d for d in found if d.type == "WORD" and d.parent_id == lines["GRAND CENTRAL"].id]
    assert [w.detected_text for w in words] == ["GRAND", "CENTRAL"]
    line_box = lines["GRAND CENTRAL"].bounding_box
    for word in words:
        b = word.bounding_box
        assert b.left >= line_box.left - 0.01 and b.left + b.width <= line_box.left + line_box.width + 0.01
        assert 90 <= word.confidence <= 100
    # the sign spans x 110..~580 of 1024 at y 620..680: ratios, as Rekognition gives them
    assert line_box.left == pytest.approx(110 / 1024, abs=0.03) and line_box.top == pytest.approx(620 / 1024, abs=0.03)
    assert len(lines["GRAND CENTRAL"].polygon) == 4
    assert all(0 <= x <= 1 and 0 <= y <= 1 for d in found for x, y in d.polygon)


@pytest.mark.model
def test_ids_number_lines_first_then_words(reader):
    """LINE ids are 0..n-1; WORD ids follow and each names an existing line as parent."""
    found = reader.read(_sign_on_photo())
    lines = [d for d in found if d.type == "LINE"]
    words = [d for d in found if d.type == "WORD"]
    assert [d.id for d in found] == list(range(len(found)))
    assert [d.id for d in lines] == list(range(len(lines)))
    assert {w.parent_id for w in words} <= {line.id for line in lines}
    assert all(line.parent_id is None for line in lines)


@pytest.mark.model
def test_street_photo_text_on_the_bus_is_read(reader):
    """ultralytics' bus.jpg: the slogan 'cero emisiones' on the bus's side is read word for word."""
    words = {d.detected_text.lower() for d in reader.read(Image.open(photo_path("bus.jpg")).convert("RGB"))
             if d.type == "WORD"}
    assert {"cero", "emisiones"} <= words


@pytest.mark.model
def test_small_scanned_page_is_read_in_full(reader):
    """skimage's 384x191 page: a full line of print comes back exactly (small images are enlarged first)."""
    lines = {d.detected_text for d in reader.read(skimage_data.page()) if d.type == "LINE"}
    assert "Let us first determine markers of the coins and the" in lines


@pytest.mark.model
def test_photo_without_text_gives_no_words(reader):
    """A cat photo gives no word of three or more letters."""
    words = [d.detected_text for d in reader.read(skimage_data.chelsea()) if d.type == "WORD"]
    assert not [w for w in words if sum(c.isalpha() for c in w) >= 3]
