"""One place that turns errors into pages (or JSON under /api/)."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from webapp.config import PHOTOS_PER_REQUEST
from webapp.errors import GlimpseError

log = logging.getLogger(__name__)


def render_error(status: int, message: str):
    """JSON {"error": ...} for the API, an error page for people."""
    if request.path.startswith("/api/"):
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def _glimpse_error(exc: GlimpseError):
    """Service errors carry their own status and sentence."""
    if exc.status >= 500:
        log.error("backend error: %s", exc.message)
    return render_error(exc.status, exc.message)


def _too_large(exc: RequestEntityTooLarge):
    """The request body was over the byte limit, or had too many parts, before any file was read."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
    if request.content_length is not None and request.content_length <= limit:
        return render_error(413, f"The upload has too many parts: send at most {PHOTOS_PER_REQUEST} photos at once.")
    return render_error(413, f"The upload is too large: send at most {PHOTOS_PER_REQUEST} photos at once, each "
                             "at most the size shown on the form.")


def _csrf(exc: CSRFError):
    """A form without a valid CSRF token (an expired page or a forged request)."""
    return render_error(400, "The form expired or did not come from this site. Reload the page and try again.")


def _http(exc: HTTPException):
    """Werkzeug's own errors (404, 405, 400 …) with a readable sentence."""
    messages = {404: "There is nothing at this address.", 405: "This address does not accept that method."}
    return render_error(exc.code or 500, messages.get(exc.code or 500, exc.description or exc.name))


def _unexpected(exc: Exception):
    """Anything else is logged with its traceback and shown as a generic 500."""
    log.exception("unexpected error on %s", request.path)
    return render_error(500, "Something went wrong on our side. The error has been logged.")


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(GlimpseError, _glimpse_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
