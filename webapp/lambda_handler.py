"""AWS Lambda entry point: enrol a person from a photo dropped at s3://<bucket>/enrol/<person>/<file>.

The folder is the person's full name (underscores read as spaces): `enrol/Ada_Lovelace/1.jpg`
enrols "Ada Lovelace". Each photo creates a new person unless someone with exactly that
name is already enrolled, in which case the photo is skipped (add photos to an existing
person from the admin page). Dropping a photo there asserts the person's consent, as
`flask people import` does. The dropped object is always deleted afterwards: Glimpse keeps
its own copy under people/<id>/, so forgetting the person leaves no trace behind.
"""
from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import unquote_plus

from flask import Flask

from webapp import create_app
from webapp.errors import BackendUnavailable, GlimpseError

log = logging.getLogger(__name__)
PREFIX = "enrol/"
_app: Flask | None = None  # one app per Lambda container, created on the first event
_lock = threading.Lock()


def _get_app() -> Flask:
    """The app of this container (create_app() once, lazily, not at import)."""
    global _app
    with _lock:
        if _app is None:
            _configure_logging()
            _app = create_app()
        return _app


def _configure_logging() -> None:
    """Lambda's runtime installs a root handler; only the level is Glimpse's to set (once per container)."""
    logging.getLogger("webapp").setLevel(logging.INFO)


def person_name(key: str) -> str | None:
    """The person name a key `enrol/<folder>/<file>` stands for, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1].replace("_", " ")


def _enrol_one(app: Flask, bucket: str, key: str) -> dict:
    """Enrol from one dropped object and delete it; returns what happened."""
    name = person_name(key)
    if name is None:
        return {"key": key, "status": "ignored", "reason": f"not under {PREFIX}<person>/<file>"}
    services = app.extensions["services"]
    uploads = services.backend.uploads  # declared by the AWS backend, built with its clients
    if services.people.has_name(name):
        outcome = {"key": key, "status": "skipped", "reason": "a person with this name is already enrolled"}
    else:
        try:
            data = uploads.read(bucket, key)
            photo = [(key.rsplit("/", 1)[1], data)]
            result = services.people.enrol(name, photo, consent=True, consent_by="s3 enrol")
            outcome = {"key": key, "status": "enrolled", "person_id": result.person.id, "face_ids": result.face_ids}
        except BackendUnavailable:
            raise  # keep the object: Lambda retries the event, and a retry may succeed
        except GlimpseError as exc:
            outcome = {"key": key, "status": "refused", "reason": exc.message}
    uploads.delete(bucket, key)
    return outcome


def handler(event: dict, context: Any) -> dict:
    """Handle an S3 ObjectCreated event: one enrolment result per record."""
    app = _get_app()
    results = []
    for record in event.get("Records", []):
        s3 = record.get("s3", {})
        bucket, key = s3.get("bucket", {}).get("name", ""), unquote_plus(s3.get("object", {}).get("key", ""))
        result = _enrol_one(app, bucket, key)
        log.info("enrol %s: %s", key, result["status"])
        results.append(result)
    return {"results": results}
