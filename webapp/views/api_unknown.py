"""JSON API for "who is this?": GET /api/v1/unknown-clusters, enrol or ignore one (bearer token)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from webapp.extensions import app_services
from webapp.services.people import DuplicateName
from webapp.views.security import token_required

bp = Blueprint("unknown_api", __name__, url_prefix="/api/v1/unknown-clusters")


@bp.get("")
@token_required
def list_clusters():
    """Clusters of unknown faces, biggest first."""
    return jsonify(clusters=[c.to_dict() for c in app_services().unknown.clusters()])


def _field(name: str) -> str:
    """A field from a form or a JSON body."""
    body = request.get_json(silent=True) if request.is_json else None
    return str(body.get(name) or "") if isinstance(body, dict) else request.form.get(name, "")


@bp.post("/<cluster_id>/enrol")
@token_required
def enrol(cluster_id: str):
    """Enrol a cluster: `name` (a new person) or `person_id`, and `consent=true`; 201 with the person."""
    flag = {"true", "yes", "1", "on"}
    try:
        done = app_services().unknown.enrol(
            cluster_id, "api-token", consent=_field("consent").lower() in flag, name=_field("name"),
            person_id=_field("person_id"), allow_duplicate=_field("allow_duplicate").lower() in flag)
    except DuplicateName as exc:
        return jsonify(error=f"{exc.message} Send person_id, or allow_duplicate=true.",
                       existing=[p.to_dict() for p in exc.existing]), 409
    return jsonify(done.person.to_dict() | {"added": done.added, "skipped": done.skipped}), 201


@bp.post("/<cluster_id>/ignore")
@token_required
def ignore(cluster_id: str):
    """Delete a cluster's faceprints; 204."""
    app_services().unknown.ignore(cluster_id, "api-token")
    return "", 204
