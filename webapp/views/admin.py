"""Admin pages: people list, enrol, person page, delete with confirmation."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from webapp.domain import HistoryFilter
from webapp.errors import InvalidImage, InvalidInput
from webapp.extensions import app_services
from webapp.services.people import CONSENT_TEXT, DuplicateName
from webapp.views.security import admin_name, admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def people():
    """Everyone enrolled, with a face thumbnail each."""
    service = app_services().people
    everyone = service.list()
    thumbs = {p.id: next(iter(service.faces(p.id)), None) for p in everyone}
    return render_template("admin/people.html", people=everyone, thumbs=thumbs)


@bp.get("/people/new")
@admin_required
def new_person():
    """The enrolment form."""
    max_mb = app_services().settings.max_upload_mb
    return render_template("admin/enrol.html", consent_text=CONSENT_TEXT, name="", max_mb=max_mb)


def _enrol_page(name: str, status: int, existing=()):
    """The enrol form again, keeping the name (and offering the people who already have it)."""
    page = render_template("admin/enrol.html", consent_text=CONSENT_TEXT, name=name, existing=existing,
                           max_mb=app_services().settings.max_upload_mb)
    return page, status


@bp.post("/people")
@admin_required
def enrol():
    """Enrol a person from the form, or add the photos to the existing person the admin chose."""
    name, target = request.form.get("name", ""), request.form.get("existing", "")
    photos = [(f.filename or "", f.read()) for f in request.files.getlist("images") if f and f.filename]
    consent, service = request.form.get("consent") == "yes", app_services().people
    try:
        if target and target != "new":
            result = service.add_photos(target, photos, consent, admin_name())
        else:
            result = service.enrol(name, photos, consent, admin_name(), allow_duplicate=target == "new")
    except DuplicateName as exc:
        flash(exc.message, "warning")
        return _enrol_page(name, exc.status, exc.existing)
    except (InvalidInput, InvalidImage) as exc:
        flash(exc.message, "error")
        return _enrol_page(name, exc.status)
    flash(f"Enrolled {result.person.name} with {len(result.face_ids)} face(s).", "success")
    for filename, reason in result.refused:
        flash(f"Refused {filename or 'a photo'}: {reason}", "warning")
    for filename, note in result.notes:
        flash(f"{filename or 'A photo'}: {note}", "info")
    return redirect(url_for("admin.person", person_id=result.person.id))


@bp.get("/people/<person_id>")
@admin_required
def person(person_id: str):
    """One person: their enrolled faces, the fixes, and the photos they were found in (newest first)."""
    services = app_services()
    person = services.people.get(person_id)
    photos = services.recognizer.history(services.settings.history_size, HistoryFilter(person_id=person_id))
    others = [p for p in services.people.list() if p.id != person_id]
    return render_template("admin/person.html", person=person, faces=services.people.faces(person_id),
                           others=others, photos=photos)


@bp.route("/people/<person_id>/delete", methods=["GET", "POST"])
@admin_required
def delete(person_id: str):
    """Ask for confirmation, then forget the person and all their face data."""
    service = app_services().people
    if request.method == "GET":
        return render_template("admin/delete.html", person=service.get(person_id))
    forgotten = service.forget(person_id, actor=admin_name())
    flash(f"{forgotten.name} and all their face data were deleted.", "success")
    return redirect(url_for("admin.people"))


@bp.get("/audit")
@admin_required
def audit():
    """The audit log: enrolments, forgets, admin searches and repairs (ids only)."""
    entries = app_services().people.audit_log(500)
    names = {p.id: p.name for p in app_services().people.list()}
    return render_template("admin/audit.html", entries=entries, names=names)
