"""Analyses stored before boxes, moderation and text existed still read back, on both stores."""
from __future__ import annotations

import json
import sqlite3

from tests.backends.aws.env import aws_world, use_fake_credentials
from tests.conftest import RED
from tests.fakes import make_photo
from webapp.backends.aws.dynamo_items import to_item
from webapp.backends.local.sqlite_analyses import SqliteAnalyses

OLD_LABELS = [{"name": "Cat", "confidence": 91.5, "parents": ["Animal"]}]  # no "instances" yet


def test_sqlite_row_from_before_the_vision_table_reads_with_no_moderation_and_text_not_read(tmp_path):
    """An analyses row (old labels JSON, no analysis_vision row) reads back; its text can then be saved."""
    path = tmp_path / "glimpse.sqlite3"
    store = SqliteAnalyses(path)
    store.list_analyses(1)  # creates the schema, as a previous version would have
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO analyses VALUES (?,?,?,?,?,?,?,?)",
                   ("a" * 32, "2026-01-01T00:00:00+00:00", "k", "t", 10, 10, "old.jpg", json.dumps(OLD_LABELS)))
    old = store.get_analysis("a" * 32)
    assert [(lb.name, lb.parents, lb.instances) for lb in old.labels] == [("Cat", ("Animal",), ())]
    assert old.moderation_labels == () and old.text is None
    store.save_text("a" * 32, [])
    assert store.get_analysis("a" * 32).text == ()


def test_text_is_read_once_per_analysis(services):
    """Reading text twice runs the reader once: the second call returns what was stored."""
    analysis = services.recognizer.analyse(make_photo(RED))
    services.recognizer.read_text(analysis.id)
    services.recognizer.read_text(analysis.id)
    assert services.backend.text.reads == 1


def test_dynamodb_item_from_before_moderation_and_text_reads_back(tmp_path, monkeypatch):
    """An analysis item without the new attributes (and labels without instances) reads back."""
    use_fake_credentials(monkeypatch)
    with aws_world(tmp_path / "data") as world:
        backend = world.backend()
        item = {"pk": "ANALYSIS#" + "b" * 32, "sk": "ANALYSIS", "gsi1pk": "ANALYSES",
                "gsi1sk": "2026-01-01T00:00:00+00:00#" + "b" * 32, "id": "b" * 32,
                "created_at": "2026-01-01T00:00:00+00:00", "image_key": "k", "thumb_key": "t", "width": 10,
                "height": 10, "filename": "old.jpg", "faces": [], "labels": OLD_LABELS}
        world.clients.get("dynamodb").put_item(TableName=world.settings.dynamodb_table, Item=to_item(item))
        old = backend.analyses.get_analysis("b" * 32)
        assert [(lb.name, lb.confidence, lb.instances) for lb in old.labels] == [("Cat", 91.5, ())]
        assert old.moderation_labels == () and old.text is None
        backend.analyses.save_text("b" * 32, [])
        assert backend.analyses.get_analysis("b" * 32).text == ()
