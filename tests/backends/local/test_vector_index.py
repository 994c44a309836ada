"""The vector index: exact below the threshold, approximate (faiss) above it, shared by several processes."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from webapp.backends.local import ann_index
from webapp.backends.local.vector_index import VectorIndex
from webapp.backends.local.vector_schema import LEGACY_ENGINE

needs_faiss = pytest.mark.skipif(not ann_index.available(), reason="faiss-cpu is not installed")
THRESHOLD = 400  # small, so the approximate path runs on a few thousand vectors in well under a second
ROOT = Path(__file__).resolve().parents[3]


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    """n random unit vectors."""
    vectors = np.random.default_rng(seed).normal(size=(n, 128)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _noisy(vector: np.ndarray, seed: int) -> np.ndarray:
    """Another 'photo' of the same face: the vector plus noise (cosine ~0.7)."""
    return vector + 0.08 * np.random.default_rng(seed).normal(size=128).astype(np.float32)


def _index(tmp_path: Path, threshold: int = THRESHOLD) -> VectorIndex:
    """An index over tmp_path/vectors.sqlite3 (a new instance stands for another worker)."""
    return VectorIndex(tmp_path / "vectors.sqlite3", ann_threshold=threshold)


def _fill(index: VectorIndex, vectors: np.ndarray, start: int = 0) -> None:
    """Enrol vectors as faces f<start>, f<start+1>, …"""
    index.add_many([(f"f{start + i}", v) for i, v in enumerate(vectors)])


def test_small_collection_searches_exactly_best_first(tmp_path):
    index, vectors = _index(tmp_path), _vectors(50)
    _fill(index, vectors)
    found = index.search(_noisy(vectors[7], 1), limit=3)
    assert found[0][0] == "f7" and [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert index.status()["mode"] == "exact" and not index.ann_path.exists()


@needs_faiss
def test_large_collection_goes_approximate_with_exact_similarities(tmp_path):
    index, vectors = _index(tmp_path), _vectors(2000)
    _fill(index, vectors)
    hits = [index.search(_noisy(vectors[i], i), limit=1)[0] for i in range(0, 2000, 40)]
    assert index.status()["mode"] == "approximate" and index.ann_path.exists()
    assert sum(fid == f"f{i}" for (fid, _), i in zip(hits, range(0, 2000, 40), strict=True)) >= 49
    exact = [float(_unit(_noisy(vectors[i], i)) @ vectors[i]) for i in range(0, 2000, 40)]
    assert np.allclose([s for _, s in hits], exact, atol=1e-5)  # re-scored, not quantised


def _unit(vector: np.ndarray) -> np.ndarray:
    """vector / |vector|."""
    return vector / np.linalg.norm(vector)


@needs_faiss
def test_new_worker_loads_the_checkpoint_instead_of_building(tmp_path, monkeypatch):
    vectors = _vectors(1500)
    _fill(_index(tmp_path), vectors)
    _index(tmp_path).search(vectors[0])  # the first worker builds and saves
    monkeypatch.setattr(ann_index.AnnIndex, "build", lambda *a, **k: pytest.fail("rebuilt instead of loading"))
    _fill(_index(tmp_path), vectors[:5] * -1, start=1500)  # changes after the checkpoint are replayed
    assert _index(tmp_path).search(-vectors[3])[0][0] == "f1503"


@needs_faiss
def test_removed_faces_leave_the_approximate_index(tmp_path):
    index, vectors = _index(tmp_path), _vectors(1000)
    _fill(index, vectors)
    assert index.search(vectors[10])[0][0] == "f10"
    index.remove(["f10", "f11"])
    assert {fid for fid, _ in index.search(vectors[10], limit=5)}.isdisjoint({"f10", "f11"})
    assert index._state.ann.size == 998 and index.search(vectors[12])[0][0] == "f12"


@needs_faiss
def test_forgetting_a_face_deletes_the_checkpoint_that_held_its_faceprint(tmp_path):
    index, vectors = _index(tmp_path), _vectors(800)
    _fill(index, vectors)
    index.search(vectors[0])
    assert index.ann_path.exists()
    index.remove(["f3"])
    assert not index.ann_path.exists()
    assert index.search(vectors[3])[0][0] != "f3" and _index(tmp_path).search(vectors[4])[0][0] == "f4"


@needs_faiss
def test_worker_catches_up_with_changes_made_by_another_process(tmp_path):
    worker, vectors = _index(tmp_path), _vectors(1200)
    _fill(worker, vectors[:1000])
    assert worker.search(vectors[5])[0][0] == "f5" and worker.status()["mode"] == "approximate"
    other = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from webapp.backends.local.vector_index import VectorIndex
        index = VectorIndex({str(tmp_path / "vectors.sqlite3")!r}, ann_threshold={THRESHOLD})
        index.add_many([("new", np.load({str(tmp_path / "q.npy")!r}))])
        index.remove(["f5"])
    """)
    np.save(tmp_path / "q.npy", vectors[1100])
    subprocess.run([sys.executable, "-c", other], check=True, timeout=60)
    assert worker.search(vectors[1100])[0][0] == "new"
    assert worker.search(vectors[5])[0][0] != "f5"


@needs_faiss
def test_shrinking_below_half_the_threshold_goes_back_to_exact(tmp_path):
    index, vectors = _index(tmp_path), _vectors(500)
    _fill(index, vectors)
    index.search(vectors[0])
    index.remove([f"f{i}" for i in range(400)])
    assert index.status()["mode"] == "exact" and index.search(vectors[450])[0][0] == "f450"


@needs_faiss
@pytest.mark.parametrize("damage", ["garbage", "foreign"])
def test_damaged_or_foreign_checkpoint_is_ignored_and_rebuilt(tmp_path, damage):
    vectors = _vectors(800)
    _fill(_index(tmp_path), vectors)
    if damage == "garbage":
        _index(tmp_path).ann_path.write_bytes(b"not an index")
    else:  # a checkpoint left over from another database must not be trusted
        other = _index(tmp_path / "other")
        _fill(other, _vectors(800, seed=9))
        other.search(vectors[0])
        other.ann_path.replace(_index(tmp_path).ann_path)
    assert _index(tmp_path).search(vectors[42])[0][0] == "f42"


@needs_faiss
def test_rebuild_prunes_tombstones_and_stale_workers_reload(tmp_path):
    index, vectors = _index(tmp_path), _vectors(1000)
    _fill(index, vectors)
    stale = _index(tmp_path)
    stale.search(vectors[0])
    index.remove(["f1"])
    result = index.rebuild()
    assert result["mode"] == "approximate" and result["vectors"] == 999
    with sqlite3.connect(index.path) as db:
        assert db.execute("SELECT COUNT(*) FROM removed").fetchone()[0] == 0
    _fill(index, vectors[1:2] * -1, start=1000)
    assert stale.search(vectors[1])[0][0] != "f1" and stale.search(-vectors[1])[0][0] == "f1000"


def test_without_faiss_a_large_collection_is_searched_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(ann_index, "available", lambda: False)
    index, vectors = _index(tmp_path), _vectors(600)
    _fill(index, vectors)
    assert index.search(vectors[9])[0][0] == "f9" and index.status()["mode"] == "exact"


def test_database_from_before_keys_is_migrated(tmp_path):
    path, vector = tmp_path / "vectors.sqlite3", _vectors(1)[0]
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE vectors (face_id TEXT PRIMARY KEY, vector BLOB NOT NULL);"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
            "INSERT INTO meta VALUES ('generation', 3);"
        )
        db.execute("INSERT INTO vectors VALUES ('old', ?)", (vector.tobytes(),))
    index = _index(tmp_path)
    assert index.search(vector)[0][0] == "old"
    index.add("new", -vector)
    assert index.ids() == ["new", "old"]


def test_rows_from_before_engine_tags_are_the_legacy_engines_and_stay_searchable(tmp_path):
    path, vector = tmp_path / "vectors.sqlite3", _vectors(1)[0]
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE vectors (key INTEGER PRIMARY KEY AUTOINCREMENT, face_id TEXT NOT NULL UNIQUE,"
            " vector BLOB NOT NULL);"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
            "INSERT INTO meta VALUES ('generation', 5);"
        )
        db.execute("INSERT INTO vectors (face_id, vector) VALUES ('old', ?)", (vector.tobytes(),))
    legacy = VectorIndex(path, engine=LEGACY_ENGINE)
    assert legacy.search(vector)[0][0] == "old" and legacy.stale_ids() == []
    newer = VectorIndex(path, engine="another-engine")
    assert newer.search(vector) == [] and newer.stale_ids() == ["old"]
    assert newer.status()["stale"] == 1 and newer.status()["vectors"] == 0


def test_replace_swaps_a_stale_vector_for_the_engines_own_and_other_workers_see_it(tmp_path):
    old, new = _vectors(2)
    VectorIndex(tmp_path / "v.sqlite3", engine="engine-1").add("face", old)
    worker_a = VectorIndex(tmp_path / "v.sqlite3", engine="engine-2")
    worker_b = VectorIndex(tmp_path / "v.sqlite3", engine="engine-2")
    assert worker_b.search(new) == []  # worker b has loaded its (empty) copy before the swap
    assert worker_a.replace("face", new) is True
    assert worker_b.search(new)[0] == ("face", pytest.approx(1.0))
    assert worker_a.stale_ids() == [] and worker_a.ids() == ["face"]
    assert worker_a.replace("forgotten", new) is False
