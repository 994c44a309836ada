"""Visitor pages: upload a photo, see the result, browse the history; serve stored images."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from webapp.errors import InvalidImage
from webapp.extensions import glimpse
from webapp.views.security import analysis_allowed, current_admin, visitor_id

bp = Blueprint("public", __name__)
_MEDIA_KEY = re.compile(r"^(analyses|people)/[0-9a-f]{32}/[0-9a-z-]+\.jpg$")


@bp.get("/")
@analysis_allowed
def index():
    """The upload page."""
    return render_template("public/index.html", max_mb=glimpse().settings.max_upload_mb)


@bp.post("/analyses")
@analysis_allowed
def analyse():
    """Analyse the uploaded photo and show its result page."""
    upload = request.files.get("image")
    try:
        if upload is None or not upload.filename:
            raise InvalidImage("Choose a photo to upload.")
        visitor_id(create=True)
        analysis = glimpse().recognizer.analyse(upload.read(), upload.filename)
        glimpse().retention.maybe_purge()
    except InvalidImage as exc:
        page = render_template("public/index.html", max_mb=glimpse().settings.max_upload_mb, error=exc.message)
        return page, exc.status
    if current_admin():  # searches made by admins are audited; visitors' are not tied to anyone
        glimpse().people.audit(current_admin(), "search", analysis.id, f"{len(analysis.faces)} face(s)")
    return redirect(url_for("public.result", analysis_id=analysis.id))


@bp.get("/analyses/<analysis_id>")
def result(analysis_id: str):
    """One analysis: the photo with boxes, names and labels."""
    analysis = glimpse().recognizer.get(analysis_id)
    threshold = glimpse().settings.match_threshold
    return render_template("public/result.html", analysis=analysis, threshold=threshold)


@bp.get("/history")
def history():
    """Past analyses, newest first."""
    analyses = glimpse().recognizer.history(glimpse().settings.history_size)
    return render_template("public/history.html", analyses=analyses)


@bp.get("/media/<path:key>")
def media(key: str):
    """A stored image: analyses for everyone, enrolment photos for admins only."""
    if not _MEDIA_KEY.match(key):
        abort(404)
    if key.startswith("people/") and not current_admin():
        abort(404)
    data = glimpse().backend.store.get(key)
    # Only re-encoded JPEGs are stored, so the type is fixed, never taken from the upload.
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
