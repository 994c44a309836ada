"""Admin forms that fix people: rename, merge into another person, move or remove one face."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from webapp.errors import InvalidInput, NotFound
from webapp.extensions import app_services
from webapp.views.security import admin_name, admin_required

bp = Blueprint("fixes", __name__, url_prefix="/admin/people/<person_id>")


def _back(person_id: str):
    """Back to the person page."""
    return redirect(url_for("admin.person", person_id=person_id))


@bp.post("/rename")
@admin_required
def rename(person_id: str):
    """Give the person the name in the form."""
    try:
        person = app_services().fixes.rename(person_id, request.form.get("name", ""), admin_name())
    except InvalidInput as exc:
        flash(exc.message, "error")
        return _back(person_id)
    flash(f"Renamed to {person.name}.", "success")
    return _back(person_id)


@bp.post("/merge")
@admin_required
def merge(person_id: str):
    """Merge this person into the one chosen in the form; their faces and past analyses go with them."""
    into = request.form.get("into", "")
    try:
        merged = app_services().fixes.merge(person_id, into, admin_name())
    except (InvalidInput, NotFound) as exc:
        flash(exc.message, "error")
        return _back(person_id)
    flash(f"Merged: {merged.name} now has {merged.face_count} face(s).", "success")
    return _back(merged.id)


@bp.post("/faces/<face_id>/move")
@admin_required
def move_face(person_id: str, face_id: str):
    """Move one face to the person chosen in the form."""
    try:
        target = app_services().fixes.move_face(person_id, face_id, request.form.get("to", ""), admin_name())
    except (InvalidInput, NotFound) as exc:
        flash(exc.message, "error")
        return _back(person_id)
    flash(f"The face now belongs to {target.name}.", "success")
    return _back(person_id)


@bp.post("/faces/<face_id>/remove")
@admin_required
def remove_face(person_id: str, face_id: str):
    """Delete one face (its faceprint, row and images)."""
    try:
        app_services().fixes.remove_face(person_id, face_id, admin_name())
    except InvalidInput as exc:
        flash(exc.message, "error")
        return _back(person_id)
    flash("The face was removed; its faceprint and images are deleted.", "success")
    return _back(person_id)
