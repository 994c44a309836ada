"""Compare two photos: the visitor page at /compare and POST /api/v1/comparisons. Nothing is stored."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from werkzeug.datastructures import FileStorage

from webapp.errors import InvalidImage, InvalidInput
from webapp.extensions import app_services
from webapp.services.comparison import Comparer, comparison_dict, parse_threshold, preview_uri, sentence
from webapp.views.security import analysis_allowed

bp = Blueprint("compare", __name__)
api_bp = Blueprint("compare_api", __name__, url_prefix="/api/v1")


def _comparer() -> Comparer:
    """The app's compare use case."""
    return app_services().comparer


def _page(status: int = 200, **context):
    """The compare page, with the form and whatever result or error there is."""
    return render_template("public/compare.html", max_mb=app_services().settings.max_upload_mb, **context), status


@bp.get("/compare")
@analysis_allowed
def page():
    """The form: two photos side by side."""
    return _page()


@bp.post("/compare")
@analysis_allowed
def compare():
    """Compare the two uploaded photos and show both with boxes and a plain verdict."""
    comparer = _comparer()
    try:
        source = comparer.decode(_upload("source", "Choose the first photo.").read(), "First photo")
        target = comparer.decode(_upload("target", "Choose the second photo.").read(), "Second photo")
    except InvalidImage as exc:
        return _page(exc.status, error=exc.message)
    comparison = comparer.compare(source, target)
    return _page(
        comparison=comparison, verdict=sentence(comparison), threshold=comparer.limits.match_threshold,
        source_uri=preview_uri(source), target_uri=preview_uri(target),
    )


def _upload(field: str, missing: str) -> FileStorage:
    """One chosen file from the form, or InvalidImage with the sentence to show."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InvalidImage(missing)
    return upload


@api_bp.post("/comparisons")
@analysis_allowed
def create_comparison():
    """Compare multipart `source` (its largest face) with every face of `target`; 201 with the result."""
    missing = [name for name in ("source", "target") if name not in request.files]
    if missing:
        fields = " and ".join(f"'{name}'" for name in missing)
        raise InvalidInput(f"Send the photos in multipart fields named 'source' and 'target' ({fields} missing).")
    comparer = _comparer()
    threshold = parse_threshold(request.form.get("threshold"), comparer.limits.match_threshold)
    source = comparer.decode(request.files["source"].read(), "source")
    target = comparer.decode(request.files["target"].read(), "target")
    return jsonify(comparison_dict(comparer.compare(source, target, threshold))), 201
