"""Visitor pages: upload a photo, see the result, browse the history; serve stored images."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from webapp.domain import HistoryFilter
from webapp.errors import InvalidImage
from webapp.extensions import app_services
from webapp.storage_keys import MEDIA_KEY, is_person_key
from webapp.views.security import analysis_allowed, current_admin, current_owner

bp = Blueprint("public", __name__)


@bp.get("/")
@analysis_allowed
def index():
    """The upload page."""
    return render_template("public/index.html", max_mb=app_services().settings.max_upload_mb)


@bp.post("/analyses")
@analysis_allowed
def analyse():
    """Analyse the uploaded photo and show its result page."""
    upload = request.files.get("image")
    try:
        if upload is None or not upload.filename:
            raise InvalidImage("Choose a photo to upload.")
        owner = current_owner(create=True)
        analysis = app_services().recognizer.analyse(upload.read(), upload.filename, owner)
    except InvalidImage as exc:
        page = render_template("public/index.html", max_mb=app_services().settings.max_upload_mb, error=exc.message)
        return page, exc.status
    admin = current_admin()
    if admin:  # searches made by admins are audited; visitors' are not tied to anyone
        app_services().people.audit(admin, "search", analysis.id, f"{len(analysis.faces)} face(s)")
    return redirect(url_for("public.result", analysis_id=analysis.id))


@bp.get("/analyses/<analysis_id>")
def result(analysis_id: str):
    """One analysis: the photo with boxes, names and labels."""
    analysis = app_services().recognizer.get(analysis_id)
    threshold = app_services().settings.match_threshold
    return render_template("public/result.html", analysis=analysis, threshold=threshold)


@bp.post("/analyses/<analysis_id>/text")
@analysis_allowed
def read_text(analysis_id: str):
    """Read the text in an analysed photo (on request: it takes a second or two), then show the result."""
    app_services().recognizer.read_text(analysis_id)
    return redirect(url_for("public.result", analysis_id=analysis_id))


@bp.get("/history")
def history():
    """The caller's own analyses, newest first; admins see everyone's, filtered by person, label and word."""
    services, size = app_services(), app_services().settings.history_size
    if not current_admin():
        owner = current_owner()
        analyses = services.recognizer.history(size, HistoryFilter(owner=owner)) if owner else []
        return render_template("public/history.html", analyses=analyses)
    person, label, word = (request.args.get(name, "").strip() for name in ("person", "label", "word"))
    only = HistoryFilter(person_id=person or None, label=label or None, word=word or None)
    return render_template("public/history.html", analyses=services.recognizer.history(size, only),
                           people=services.people.list(), person=person, label=label, word=word)


@bp.get("/media/<path:key>")
def media(key: str):
    """A stored image: analyses for everyone, enrolment photos for admins only."""
    if not MEDIA_KEY.match(key):
        abort(404)
    if is_person_key(key) and not current_admin():
        abort(404)
    data = app_services().backend.store.get(key)
    # Only re-encoded JPEGs are stored, so the type is fixed, never taken from the upload.
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
