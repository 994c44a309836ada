"""Disk and SQLite failures reach people as BackendUnavailable with a sentence, never a raw OSError."""
import errno
import io
import sqlite3

import pytest

from tests.conftest import RED
from tests.fakes import make_photo
from webapp.backends.local import disk_store
from webapp.backends.local.os_errors import storage_errors
from webapp.errors import BackendUnavailable


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_during_enrolment_says_so_and_leaves_no_trace(services, backend, monkeypatch):
    monkeypatch.setattr(disk_store.os, "replace", _disk_full)
    with pytest.raises(BackendUnavailable, match="disk holding .* is full"):
        services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    assert backend.faces.face_ids() == [] and backend.people.list_people() == []
    assert backend.store.list() == []


def test_full_disk_during_an_upload_is_a_503_with_the_sentence(client, monkeypatch):
    monkeypatch.setattr(disk_store.os, "replace", _disk_full)
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 503
    assert "is full" in response.get_json()["error"] and "Free some space" in response.get_json()["error"]


def test_a_locked_database_is_reported_as_busy_not_as_a_crash(tmp_path):
    path = tmp_path / "glimpse.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        writer = sqlite3.connect(path, timeout=0)
        with pytest.raises(BackendUnavailable, match="stayed locked by another process"):
            with storage_errors(path):
                writer.execute("INSERT INTO t VALUES (1)")
        writer.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_data_directory_names_the_fix(tmp_path):
    with pytest.raises(BackendUnavailable, match="write access to GLIMPSE_DATA_DIR"):
        with storage_errors(tmp_path / "x.sqlite3"):
            raise PermissionError(errno.EACCES, "Permission denied")
