"""Security headers and the admin/token guards shared by the blueprints."""
from __future__ import annotations

from functools import wraps

from flask import Response, redirect, request, session, url_for

from webapp.errors import Unauthorized
from webapp.extensions import app_services

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """CSP without inline script, no sniffing, no framing, no referrer leaks."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def current_admin() -> str | None:
    """The logged-in admin's username, if any."""
    return session.get("admin")


def admin_required(view):
    """Send visitors who are not logged in to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_admin():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def token_required(view):
    """Require `Authorization: Bearer <token>` with a live API token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not app_services().accounts.token_is_valid(token.strip()):
            raise Unauthorized("This endpoint needs an admin API token: send 'Authorization: Bearer <token>'.")
        return view(*args, **kwargs)

    return wrapped
