"""S3ImageStore under moto: encryption on every put, NotFound, folder semantics, batched deletes."""
from __future__ import annotations

import pytest

from webapp.backends.aws import s3_store
from webapp.errors import NotFound


def test_put_encrypts_and_keeps_the_content_type(world, aws_backend):
    aws_backend.store.put("people/ab/cd.jpg", b"\xff\xd8\xffdata", "image/jpeg")
    head = world.clients.get("s3").head_object(Bucket=world.settings.s3_bucket, Key="people/ab/cd.jpg")
    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "image/jpeg"
    assert aws_backend.store.get("people/ab/cd.jpg") == b"\xff\xd8\xffdata"


def test_missing_key_is_not_found(aws_backend):
    with pytest.raises(NotFound):
        aws_backend.store.get("people/nobody/none.jpg")
    aws_backend.store.delete("people/nobody/none.jpg")  # deleting what is absent is fine


def test_keys_glimpse_would_never_make_are_refused(aws_backend):
    for key in ("../etc/passwd", "/abs", "People/X.jpg", "a/../b"):
        with pytest.raises(ValueError):
            aws_backend.store.put(key, b"x", "image/jpeg")


def test_list_and_delete_prefix_treat_the_prefix_as_a_folder(aws_backend):
    for key in ("people/ab/1.jpg", "people/ab/2.jpg", "people/abc/1.jpg", "analyses/x/photo.jpg"):
        aws_backend.store.put(key, b"x", "image/jpeg")
    assert aws_backend.store.list("people/ab") == ["people/ab/1.jpg", "people/ab/2.jpg"]
    assert aws_backend.store.list("people/ab/") == ["people/ab/1.jpg", "people/ab/2.jpg"]
    assert len(aws_backend.store.list()) == 4
    assert aws_backend.store.delete_prefix("people/ab") == 2
    assert aws_backend.store.list("people") == ["people/abc/1.jpg"]
    assert aws_backend.store.delete_prefix("people/none") == 0


def test_delete_prefix_deletes_in_batches(world, aws_backend, monkeypatch):
    monkeypatch.setattr(s3_store, "DELETE_BATCH", 2)
    calls = []
    world.clients.get("s3").meta.events.register("before-call.s3.DeleteObjects", lambda **kw: calls.append(1))
    for i in range(5):
        aws_backend.store.put(f"people/ab/{i}.jpg", b"x", "image/jpeg")
    assert aws_backend.store.delete_prefix("people/ab") == 5
    assert len(calls) == 3 and aws_backend.store.list("people") == []
