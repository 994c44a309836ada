"""onnxruntime's optimised graphs saved in the model cache: reused, bit-identical, remade when their source changes."""
from __future__ import annotations

import shutil

import numpy as np
import onnxruntime
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import ort_cache
from webapp.backends.local.objects import MODEL_FILE, LocalObjectDetector


class SessionSpy(LocalObjectDetector):
    """NanoDet-g recording how each session was made: from the saved graph, or optimised (and saved)."""

    made: list[str]

    def _new_session(self, source, optimized=False, save_to=None):
        self.made = [*getattr(self, "made", []), "saved graph" if optimized else "optimised"]
        return super()._new_session(source, optimized, save_to)


def saved_graphs(cache) -> list[str]:
    """Names of the optimised graphs (not their .sha256 files) in a cache folder."""
    return sorted(p.name for p in cache.glob(f"{ort_cache.FAMILY}*.onnx"))


@pytest.fixture
def model(tmp_path):
    """A copy of the committed NanoDet-g file that a test may change."""
    path = tmp_path / "nanodet-g.onnx"
    shutil.copy(MODEL_FILE, path)
    return path


def test_the_first_session_saves_its_graph_and_later_ones_load_it_unoptimised(model, tmp_path):
    """Named after the source's sha256, onnxruntime's version and this CPU; the next process reads it."""
    cache = tmp_path / "models"
    first = SessionSpy(model_path=model, cache_dir=cache)
    first.load()
    (name,) = saved_graphs(cache)
    assert f"-ort{onnxruntime.__version__}-{ort_cache.cpu_tag()}" in name
    later = SessionSpy(model_path=model, cache_dir=cache)
    later.load()
    assert first.made == ["optimised"] and later.made == ["saved graph"]


def test_without_a_cache_folder_nothing_is_saved(model, tmp_path):
    """Benches and tests that build a detector bare keep optimising in memory."""
    detector = SessionSpy(model_path=model)
    detector.load()
    assert detector.made == ["optimised"] and list(tmp_path.glob("**/ort-*")) == []


def test_another_model_file_or_runtime_version_makes_a_new_graph_and_drops_the_old(model, tmp_path, monkeypatch):
    """A changed source or onnxruntime never reuses a graph made from another; the stale one is deleted."""
    cache = tmp_path / "models"
    SessionSpy(model_path=model, cache_dir=cache).load()
    before = saved_graphs(cache)
    monkeypatch.setattr(onnxruntime, "__version__", "99.0.0")
    again = SessionSpy(model_path=model, cache_dir=cache)
    again.load()
    assert again.made == ["optimised"]
    after = saved_graphs(cache)
    assert after != before and len(after) == 1 and "-ort99.0.0-" in after[0]
    import onnx

    changed = onnx.load(str(model))
    changed.doc_string = "another build of the same network"
    onnx.save(changed, str(model))  # another file, so another digest
    other = SessionSpy(model_path=model, cache_dir=cache)
    other.load()
    assert other.made == ["optimised"] and len(saved_graphs(cache)) == 1 and saved_graphs(cache) != after


def test_a_damaged_saved_graph_is_never_loaded(model, tmp_path):
    """A graph whose bytes no longer match its digest is made again from the source."""
    cache = tmp_path / "models"
    SessionSpy(model_path=model, cache_dir=cache).load()
    (saved,) = cache.glob(f"{ort_cache.FAMILY}*.onnx")
    saved.write_bytes(saved.read_bytes()[:-100])
    again = SessionSpy(model_path=model, cache_dir=cache)
    again.load()
    assert again.made == ["optimised"]


def test_a_cache_onnxruntime_cannot_write_to_still_gives_a_working_session(model, tmp_path, monkeypatch):
    """onnxruntime fails the session when it cannot save the graph (say, a read-only cache): built without saving."""
    monkeypatch.setattr(ort_cache, "_temp_path", lambda path: tmp_path / "missing" / "graph.tmp")
    detector = SessionSpy(model_path=model, cache_dir=tmp_path / "models")
    detector.load()
    assert detector.made == ["optimised", "optimised"] and saved_graphs(tmp_path / "models") == []
    assert detector.loaded


@pytest.mark.model
def test_boxes_from_the_saved_graph_equal_those_of_a_fresh_session_bit_for_bit(model, tmp_path):
    """Optimised once and saved, or optimised in memory: the same numbers for a real photo."""
    rgb = np.asarray(Image.open(photo_path("t1.jpg")).convert("RGB"))
    cache = tmp_path / "models"
    LocalObjectDetector(model_path=model, cache_dir=cache).load()
    from_saved = LocalObjectDetector(model_path=model, cache_dir=cache).detections(rgb)
    fresh = LocalObjectDetector(model_path=model).detections(rgb)
    assert from_saved and from_saved == fresh
