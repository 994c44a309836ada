"""Disk store, SQLite directory and vector index: the local persistence adapters."""
import numpy as np
import pytest

from webapp.backends.local.disk_store import DiskImageStore
from webapp.backends.local.vector_index import VectorIndex
from webapp.errors import NotFound


def test_disk_store_round_trip_and_prefix_delete(tmp_path):
    store = DiskImageStore(tmp_path)
    store.put("people/abc/1.jpg", b"one", "image/jpeg")
    store.put("people/abc/2.jpg", b"two", "image/jpeg")
    store.put("analyses/x/photo.jpg", b"three", "image/jpeg")
    assert store.get("people/abc/1.jpg") == b"one"
    assert store.delete_prefix("people/abc") == 2
    assert store.list() == ["analyses/x/photo.jpg"]
    with pytest.raises(NotFound):
        store.get("people/abc/1.jpg")


@pytest.mark.parametrize("key", ["../x.jpg", "/etc/passwd", "a/../../b", "A/B.jpg", "a//b", ""])
def test_disk_store_refuses_keys_that_could_escape(tmp_path, key):
    with pytest.raises(ValueError):
        DiskImageStore(tmp_path).put(key, b"x", "image/jpeg")


def test_vector_index_finds_the_nearest_and_forgets(tmp_path):
    rng = np.random.default_rng(0)
    index = VectorIndex(tmp_path / "v.sqlite3")
    vectors = {f"f{i}": rng.normal(size=128) for i in range(50)}
    for face_id, vec in vectors.items():
        index.add(face_id, vec)
    query = vectors["f7"] + rng.normal(scale=0.05, size=128)
    (best, cosine), *_ = index.search(query, limit=3)
    assert best == "f7" and cosine > 0.99
    index.remove(["f7"])
    assert index.search(query, limit=1)[0][0] != "f7"
    assert "f7" not in index.ids() and len(index.ids()) == 49


def test_vector_index_sees_changes_made_by_another_process(tmp_path):
    mine, theirs = VectorIndex(tmp_path / "v.sqlite3"), VectorIndex(tmp_path / "v.sqlite3")
    mine.add("a", np.ones(128))
    assert mine.search(np.ones(128))[0][0] == "a"
    theirs.add("b", -np.ones(128))
    theirs.remove(["a"])
    assert [fid for fid, _ in mine.search(np.ones(128), limit=5)] == ["b"]
