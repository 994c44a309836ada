"""Model checksums remembered between starts: an unchanged file is hashed once, a changed one again."""
from __future__ import annotations

import hashlib
import os
import time

import pytest

from webapp.backends.local import digest_memo
from webapp.backends.local.digest_memo import MEMO_NAME, file_sha256


@pytest.fixture
def hashes(monkeypatch):
    """Counts full hashes; files count as settled at once; each test starts as a fresh process would."""
    calls = []
    real = hashlib.file_digest

    def counting(f, name):
        calls.append(name)
        return real(f, name)

    monkeypatch.setattr(digest_memo.hashlib, "file_digest", counting)
    monkeypatch.setattr(digest_memo, "SETTLE_NS", 0)
    monkeypatch.setattr(digest_memo, "_memos", {})
    return calls


def new_process(monkeypatch) -> None:
    """Forget what this process read from memo files, as a new worker starts without it."""
    monkeypatch.setattr(digest_memo, "_memos", {})


def test_an_unchanged_file_is_hashed_once_across_starts(tmp_path, hashes, monkeypatch):
    """The second start reads the digest from .digests.json instead of hashing the file."""
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"weights")
    expected = hashlib.sha256(b"weights").hexdigest()
    assert file_sha256(weights, tmp_path / "models") == expected
    new_process(monkeypatch)
    assert file_sha256(weights, tmp_path / "models") == expected
    assert len(hashes) == 1 and (tmp_path / "models" / MEMO_NAME).exists()


@pytest.mark.parametrize("change", ["same size", "truncated", "replaced"])
def test_a_changed_file_is_hashed_again(tmp_path, hashes, monkeypatch, change):
    """Edited in place (even to the same size and mtime), truncated or replaced: the new digest, never the old."""
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"weights")
    file_sha256(weights, tmp_path)
    before = weights.stat()
    time.sleep(0.05)  # past the file system's time tick (1-10 ms), as any later edit would be
    if change == "same size":
        weights.write_bytes(b"WEIGHTS")
        os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))  # a forged mtime still moves ctime
    elif change == "truncated":
        weights.write_bytes(b"weig")
    else:
        (tmp_path / "new.bin").write_bytes(b"WEIGHTS")
        os.replace(tmp_path / "new.bin", weights)
    new_process(monkeypatch)
    content = weights.read_bytes()
    assert file_sha256(weights, tmp_path) == hashlib.sha256(content).hexdigest()
    assert len(hashes) == 2


def test_a_file_changed_moments_ago_is_not_remembered(tmp_path, hashes, monkeypatch):
    """File times tick coarsely: a just-written file is hashed again next start, not trusted on its stamp."""
    monkeypatch.setattr(digest_memo, "SETTLE_NS", 60_000_000_000)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"weights")
    file_sha256(weights, tmp_path)
    new_process(monkeypatch)
    file_sha256(weights, tmp_path)
    assert len(hashes) == 2 and not (tmp_path / MEMO_NAME).exists()


def test_an_unwritable_or_damaged_memo_only_costs_a_hash(tmp_path, hashes, monkeypatch):
    """A memo folder that is a file, or a memo that is not JSON, never fails a load."""
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"weights")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    assert file_sha256(weights, blocker / "models") == hashlib.sha256(b"weights").hexdigest()
    (tmp_path / "memo").mkdir()
    (tmp_path / "memo" / MEMO_NAME).write_text("{not json")
    assert file_sha256(weights, tmp_path / "memo") == hashlib.sha256(b"weights").hexdigest()
    assert len(hashes) == 2
    assert [p.name for p in (tmp_path / "memo").iterdir()] == [MEMO_NAME]  # rewritten whole, no temp file left
