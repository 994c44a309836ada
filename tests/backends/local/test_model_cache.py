"""Built model files cached on disk: read when intact, rebuilt when missing or damaged, written atomically."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from webapp.backends.local import labels as labels_module
from webapp.backends.local import model_cache
from webapp.backends.local.model_cache import cached_build, read_cached

ROOT = Path(__file__).resolve().parents[3]


class CountingBuild:
    """A build function that counts its calls."""

    def __init__(self, payload: bytes = b"model bytes") -> None:
        self.payload, self.calls = payload, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.payload


def test_first_call_builds_and_later_calls_read_the_file(tmp_path):
    """Built once; the second call (a later start) reads the same bytes back without building."""
    build = CountingBuild()
    path = tmp_path / "cache" / "m.onnx"
    assert cached_build(path, build) == b"model bytes"
    assert cached_build(path, build) == b"model bytes"
    assert build.calls == 1
    assert [p.name for p in path.parent.iterdir()] == ["m.onnx"]  # no temp file left behind


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_cache_file_is_rebuilt_and_rewritten(tmp_path, damage):
    """A truncated, altered or empty file is never returned: the model is built again and the file fixed."""
    build = CountingBuild()
    path = tmp_path / "m.onnx"
    cached_build(path, build)
    data = path.read_bytes()
    broken = {"truncate": data[:-3], "flip": data[:-1] + bytes([data[-1] ^ 1]), "empty": b""}[damage]
    path.write_bytes(broken)
    assert cached_build(path, build) == b"model bytes"
    assert build.calls == 2
    assert read_cached(path) == b"model bytes"


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """A crash mid-write (here: fsync fails) leaves neither a half file nor a temp file; the bytes still serve."""

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_cache.os, "fsync", failing_fsync)
    path = tmp_path / "m.onnx"
    assert cached_build(path, CountingBuild()) == b"model bytes"
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_still_gives_the_model(tmp_path):
    """A cache folder that cannot be created is not fatal: the built bytes are returned."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cached_build(blocker / "m.onnx", CountingBuild()) == b"model bytes"


def test_new_build_removes_stale_files_of_the_same_family(tmp_path):
    """Files built from other weights are deleted once the new one is written; others are left alone."""
    (tmp_path / "net-old.onnx").write_bytes(b"old")
    (tmp_path / "other.onnx").write_bytes(b"keep")
    cached_build(tmp_path / "net-new.onnx", CountingBuild(), family="net-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-new.onnx", "other.onnx"]


def test_label_model_cache_is_keyed_by_the_weights_sha256(tmp_path, monkeypatch):
    """Other weights give another file (and a new build); the same weights reuse it."""
    monkeypatch.setattr(labels_module, "load_state_dict", lambda path: Path(path).read_bytes())
    monkeypatch.setattr(labels_module, "build_model_bytes", lambda state: b"built from " + state)
    weights_a, weights_b = tmp_path / "a.pth", tmp_path / "b.pth"
    weights_a.write_bytes(b"weights A")
    weights_b.write_bytes(b"weights B")
    cache = tmp_path / "models"
    assert labels_module.model_bytes(weights_a, cache) == b"built from weights A"
    name = f"efficientnet-lite0-{hashlib.sha256(b'weights A').hexdigest()}-g{labels_module.GRAPH_VERSION}.onnx"
    assert [p.name for p in cache.iterdir()] == [name]
    assert labels_module.model_bytes(weights_b, cache) == b"built from weights B"
    weights_a.write_bytes(b"weights B")  # same content as b: the cached file is reused, not rebuilt
    monkeypatch.setattr(labels_module, "build_model_bytes", lambda state: pytest.fail("rebuilt"))
    assert labels_module.model_bytes(weights_a, cache) == b"built from weights B"


LOAD_AND_CLASSIFY = """
import sys
import numpy as np
from pathlib import Path
from webapp.backends.local.labels import LocalLabelDetector
detector = LocalLabelDetector(threads=1, cache_dir=Path(sys.argv[1]))
probs = detector.classify(np.full((240, 320, 3), 128, dtype=np.uint8))
print("onnx" in sys.modules, round(float(probs.sum()), 3), int(probs.argmax()))
"""


@pytest.mark.model
def test_a_later_start_loads_the_cached_label_model_without_importing_onnx(tmp_path):
    """The first process builds the graph (with onnx); a second one only reads the file and agrees."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run() -> list[str]:
        out = subprocess.run([sys.executable, "-c", LOAD_AND_CLASSIFY, str(tmp_path / "models")], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
        return out.split()

    first, later = run(), run()
    assert first[0] == "True"  # built: onnx was needed
    assert later[0] == "False"  # cached: onnx never imported
    assert first[1:] == later[1:] and later[1] == "1.0"
