"""AWS Lambda entry point: enrol a person from a photo dropped at s3://<bucket>/enrol/<person>/<file>.

The folder is the person's full name (underscores read as spaces): `enrol/Ada_Lovelace/1.jpg`
enrols "Ada Lovelace". The folder's person is created by its first photo and every later
photo adds its face to them — safely under Lambda's retries and concurrent invocations: the
person's id comes from the name and is claimed with a conditional write, so photos of one
new person handled at the same time never make two people. A name enrolled another way
(admin page, CLI) is refused. Dropping a photo there asserts the person's consent, as
`flask people import` does.

An enrolled photo is deleted (Glimpse keeps its own copy under people/<id>/, so forgetting
the person leaves no trace). A refused one is moved under failed/ with the reason in its
metadata, where an admin can see it. On a transient AWS failure the object stays where it
is and the event fails, so Lambda retries it.
"""
from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import unquote_plus

from flask import Flask

from webapp import create_app
from webapp.errors import BackendUnavailable, GlimpseError, NotFound

log = logging.getLogger(__name__)
PREFIX = "enrol/"
_app: Flask | None = None  # one app per Lambda container, created on the first event
_lock = threading.Lock()


def _get_app() -> Flask:
    """The app of this container (create_app() once, lazily, not at import; it also sets up logging)."""
    global _app
    with _lock:
        if _app is None:
            _app = create_app()
        return _app


def person_name(key: str) -> str | None:
    """The person name a key `enrol/<folder>/<file>` stands for, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1].replace("_", " ")


def _enrol_one(app: Flask, bucket: str, key: str) -> dict:
    """Enrol from one dropped object, then delete it (enrolled) or set it aside (refused)."""
    name = person_name(key)
    if name is None:
        return {"key": key, "status": "ignored", "reason": f"not under {PREFIX}<person>/<file>"}
    services = app.extensions["services"]
    uploads = services.backend.uploads  # declared by the AWS backend, built with its clients
    try:
        data = uploads.read(bucket, key)
    except NotFound:  # a repeated event for an object already handled
        return {"key": key, "status": "gone", "reason": "the object was already handled"}
    try:
        result = services.people.enrol_dropped(name, key.rsplit("/", 1)[1], data, consent_by="s3 enrol")
    except BackendUnavailable:
        raise  # keep the object: the event fails and Lambda retries it
    except GlimpseError as exc:
        kept_at = uploads.set_aside(bucket, key, data, exc.message)
        return {"key": key, "status": "refused", "reason": exc.message, "kept_at": kept_at}
    uploads.delete(bucket, key)
    return {"key": key, "status": "enrolled", "person_id": result.person.id, "face_ids": result.face_ids}


def handler(event: dict, context: Any) -> dict:
    """Handle an S3 ObjectCreated event: one enrolment result per record."""
    app = _get_app()
    results = []
    for record in event.get("Records", []):
        s3 = record.get("s3", {})
        bucket, key = s3.get("bucket", {}).get("name", ""), unquote_plus(s3.get("object", {}).get("key", ""))
        result = _enrol_one(app, bucket, key)
        level = logging.WARNING if result["status"] == "refused" else logging.INFO
        log.log(level, "enrol %s: %s %s", key, result["status"], result.get("reason", ""))
        results.append(result)
    return {"results": results}
