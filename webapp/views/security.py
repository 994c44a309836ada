"""Security headers and the admin/token guards shared by the blueprints."""
from __future__ import annotations

import hashlib
import secrets
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


def bearer_token() -> str:
    """The token of an `Authorization: Bearer <token>` header ("" when there is none)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def has_valid_token() -> bool:
    """Whether the request carries a live API token."""
    token = bearer_token()
    return bool(token) and app_services().accounts.token_is_valid(token)


def visitor_id(create: bool = False) -> str | None:
    """The random id of this browser's visitor, kept in the signed session cookie.

    Made on the first analysis (`create=True`): a visitor who clears cookies starts afresh,
    and the id says nothing about who they are.
    """
    if create and "visitor" not in session:
        session["visitor"] = secrets.token_hex(16)
    return session.get("visitor")


def token_name(token: str) -> str:
    """A short, stable name for a token (a prefix of its hash): never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def current_owner(create: bool = False) -> str:
    """Who the analyses of this request belong to: the admin, the API token, the visitor, or nobody ("").

    `create` gives a browser without one its visitor id (on its first analysis).
    """
    if current_admin():
        return f"admin:{current_admin()}"
    if has_valid_token():
        return f"token:{token_name(bearer_token())}"
    visitor = visitor_id(create)
    return f"visitor:{visitor}" if visitor else ""


def analysis_allowed(view):
    """With GLIMPSE_PUBLIC_ANALYSIS=false, analysis and compare need an admin session or an API token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if app_services().settings.public_analysis or current_admin() or has_valid_token():
            return view(*args, **kwargs)
        if request.path.startswith("/api/"):
            raise Unauthorized("Analysis needs an API token on this server: send 'Authorization: Bearer <token>'.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    return wrapped


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
        if not has_valid_token():
            raise Unauthorized("This endpoint needs an admin API token: send 'Authorization: Bearer <token>'.")
        return view(*args, **kwargs)

    return wrapped


def admin_name() -> str:
    """The logged-in admin's username, in a view behind admin_required."""
    name = current_admin()
    if not name:  # admin_required lets no one through without it
        raise Unauthorized("Log in as an admin first.")
    return name
