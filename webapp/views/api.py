"""JSON API under /api/v1 (admin endpoints take a bearer token)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from webapp.domain import EnrolmentResult
from webapp.errors import InvalidImage, InvalidInput
from webapp.extensions import app_services
from webapp.services.people import DuplicateName
from webapp.views.security import analysis_allowed, current_owner, token_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/analyses")
@analysis_allowed
def create_analysis():
    """Analyse the multipart field `image` (and read its text if `text=true`); 201 with the analysis."""
    upload = request.files.get("image")
    if upload is None:
        raise InvalidImage("Send the photo in a multipart field named 'image'.")
    analysis = app_services().recognizer.analyse(upload.read(), upload.filename, current_owner(),
                                                 read_text=_flag("text"))
    location = url_for("api.get_analysis", analysis_id=analysis.id)
    return jsonify(analysis.to_dict()), 201, {"Location": location}


@bp.get("/analyses/<analysis_id>")
def get_analysis(analysis_id: str):
    """One past analysis."""
    return jsonify(app_services().recognizer.get(analysis_id).to_dict())


@bp.post("/analyses/<analysis_id>/text")
@analysis_allowed
def read_text(analysis_id: str):
    """Read the text in a past analysis's photo (once); 200 with the whole analysis."""
    return jsonify(app_services().recognizer.read_text(analysis_id).to_dict())


def _flag(field: str) -> bool:
    """A yes/no form field (true, yes, 1, on)."""
    return request.form.get(field, "").strip().lower() in ("true", "yes", "1", "on")


def _photos() -> list[tuple[str, bytes]]:
    """The uploaded photos from `images` (several) or `image` (one)."""
    uploads = request.files.getlist("images") or request.files.getlist("image")
    return [(f.filename or "", f.read()) for f in uploads]


def _enrolment(result: EnrolmentResult) -> dict:
    """JSON form of an enrolment: the person, the new face ids, refusals and notes."""
    return result.person.to_dict() | {
        "face_ids": result.face_ids,
        "refused": [{"filename": f, "error": why} for f, why in result.refused],
        "notes": [{"filename": f, "note": note} for f, note in result.notes],
    }


@bp.post("/people")
@token_required
def create_person():
    """Enrol from multipart `name`, `images`, `consent=true`; 409 with `existing` if the name is taken."""
    try:
        result = app_services().people.enrol(request.form.get("name", ""), _photos(), _flag("consent"), "api-token",
                                        allow_duplicate=_flag("allow_duplicate"))
    except DuplicateName as exc:
        hint = "POST the photos to /api/v1/people/<id>/faces, or resend with allow_duplicate=true."
        return jsonify(error=f"{exc.message} {hint}", existing=[p.to_dict() for p in exc.existing]), 409
    return jsonify(_enrolment(result)), 201


@bp.post("/people/<person_id>/faces")
@token_required
def add_faces(person_id: str):
    """Add photos (`images`, `consent=true`) to an enrolled person; 201 with the new face ids."""
    result = app_services().people.add_photos(person_id, _photos(), _flag("consent"), "api-token")
    return jsonify(_enrolment(result)), 201


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


def _field(name: str) -> str:
    """A field from a form or a JSON body."""
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        return str(body.get(name) or "")
    return request.form.get(name, "")


@bp.patch("/people/<person_id>")
@token_required
def rename_person(person_id: str):
    """Rename a person (`name`)."""
    return jsonify(app_services().fixes.rename(person_id, _field("name"), "api-token").to_dict())


@bp.post("/people/<person_id>/merge")
@token_required
def merge_person(person_id: str):
    """Merge this person into `into`; answers the person who remains."""
    into = _field("into")
    if not into:
        raise InvalidInput("Send the id of the person to merge into as 'into'.")
    return jsonify(app_services().fixes.merge(person_id, into, "api-token").to_dict())


@bp.post("/people/<person_id>/faces/<face_id>/move")
@token_required
def move_face(person_id: str, face_id: str):
    """Move one face to the person `to`; answers that person."""
    return jsonify(app_services().fixes.move_face(person_id, face_id, _field("to"), "api-token").to_dict())


@bp.delete("/people/<person_id>/faces/<face_id>")
@token_required
def remove_face(person_id: str, face_id: str):
    """Delete one face of a person (faceprint, row, images)."""
    app_services().fixes.remove_face(person_id, face_id, "api-token")
    return "", 204
