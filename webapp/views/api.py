"""JSON API under /api/v1 (admin endpoints take a bearer token)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from webapp.errors import InvalidImage
from webapp.extensions import app_services
from webapp.views.security import token_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/analyses")
def create_analysis():
    """Analyse the multipart field `image`; 201 with faces and labels."""
    upload = request.files.get("image")
    if upload is None:
        raise InvalidImage("Send the photo in a multipart field named 'image'.")
    analysis = app_services().recognizer.analyse(upload.read(), upload.filename)
    location = url_for("api.get_analysis", analysis_id=analysis.id)
    return jsonify(analysis.to_dict()), 201, {"Location": location}


@bp.get("/analyses/<analysis_id>")
def get_analysis(analysis_id: str):
    """One past analysis."""
    return jsonify(app_services().recognizer.get(analysis_id).to_dict())


@bp.post("/people")
@token_required
def create_person():
    """Enrol a person from multipart `name`, `images` and `consent=true` (the person agreed)."""
    uploads = request.files.getlist("images") or request.files.getlist("image")  # one photo may come as `image`
    photos = [(f.filename or "", f.read()) for f in uploads]
    consent = request.form.get("consent", "").strip().lower() in ("true", "yes", "1", "on")
    result = app_services().people.enrol(request.form.get("name", ""), photos, consent, "api-token")
    body = result.person.to_dict() | {
        "face_ids": result.face_ids,
        "refused": [{"filename": f, "error": why} for f, why in result.refused],
        "notes": [{"filename": f, "note": note} for f, note in result.notes],
    }
    return jsonify(body), 201


@bp.get("/people")
@token_required
def list_people():
    """Everyone enrolled."""
    return jsonify(people=[p.to_dict() for p in app_services().people.list()])


@bp.get("/people/<person_id>")
@token_required
def get_person(person_id: str):
    """One person."""
    return jsonify(app_services().people.get(person_id).to_dict())


@bp.delete("/people/<person_id>")
@token_required
def delete_person(person_id: str):
    """Forget a person and all their face data."""
    app_services().people.forget(person_id, actor="api-token")
    return "", 204
