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
            _app = create_app()
        return _app


def person_name(key: str) -> str | None:
    """The person name a key `enrol/<folder>/<file>` stands for, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1].replace("_", " ")


def _uploads(app: Flask):
    """The S3 reader for dropped objects (kept on the app so it is built once)."""
    if "aws_uploads" not in app.extensions:
        from webapp.backends.aws.clients import AwsClients
        from webapp.backends.aws.uploads import S3Uploads

        clients = app.extensions.get("aws_clients") or AwsClients(app.extensions["glimpse"].settings.aws_region)
        app.extensions["aws_uploads"] = S3Uploads(clients)
    return app.extensions["aws_uploads"]


def _enrol_one(app: Flask, bucket: str, key: str) -> dict:
    """Enrol from one dropped object and delete it; returns what happened."""
    name = person_name(key)
    if name is None:
        return {"key": key, "status": "ignored", "reason": f"not under {PREFIX}<person>/<file>"}
    services, uploads = app.extensions["glimpse"], _uploads(app)
    wanted = " ".join(name.split()).casefold()
    if any(p.name.casefold() == wanted for p in services.people.list()):
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
