"""Admin page "Unknown faces": clusters biggest first; enrol one as a new or existing person, or ignore it."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from webapp.errors import InvalidInput, NotFound
from webapp.extensions import app_services
from webapp.services.people import CONSENT_TEXT, DuplicateName
from webapp.views.security import admin_name, admin_required

bp = Blueprint("unknown", __name__, url_prefix="/admin/unknown")


@bp.get("/")
@admin_required
def clusters():
    """Groups of faces nobody enrolled matched, biggest first, with their thumbnails."""
    services = app_services()
    return render_template("admin/unknown.html", clusters=services.unknown.clusters(), people=services.people.list(),
                           consent_text=CONSENT_TEXT, enabled=services.unknown.enabled,
                           retention_days=services.settings.retention_days)


@bp.get("/faces/<face_id>.jpg")
@admin_required
def thumbnail(face_id: str):
    """One unknown face, cut from its photo."""
    response = Response(app_services().unknown.thumbnail(face_id), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=600"
    return response


@bp.post("/<cluster_id>/enrol")
@admin_required
def enrol(cluster_id: str):
    """Enrol the cluster as the person named in the form, or into the person chosen."""
    form = request.form
    try:
        done = app_services().unknown.enrol(
            cluster_id, admin_name(), consent=form.get("consent") == "yes", name=form.get("name", "").strip(),
            person_id=form.get("person_id", ""), allow_duplicate=form.get("allow_duplicate") == "yes")
    except DuplicateName as exc:
        flash(f"{exc.message} Choose them under 'Add to', or tick 'a different person'.", "warning")
        return redirect(url_for("unknown.clusters"))
    except (InvalidInput, NotFound) as exc:
        flash(exc.message, "error")
        return redirect(url_for("unknown.clusters"))
    flash(f"{done.person.name} now has {done.person.face_count} face(s); past photos name them.", "success")
    return redirect(url_for("admin.person", person_id=done.person.id))


@bp.post("/<cluster_id>/ignore")
@admin_required
def ignore(cluster_id: str):
    """Delete the cluster's faceprints now."""
    try:
        count = app_services().unknown.ignore(cluster_id, admin_name())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for("unknown.clusters"))
    flash(f"Ignored: {count} unknown faceprint(s) deleted.", "success")
    return redirect(url_for("unknown.clusters"))
