"""Glimpse: recognize people and things in photos. `create_app` builds everything."""
from __future__ import annotations

import logging

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from webapp.backends.base import Backend
from webapp.config import FORM_FIELDS, PHOTOS_PER_REQUEST, ROOT, Settings, load_settings, resolve_secret_key
from webapp.log_setup import configure_logging
from webapp.proxies import trust_proxies

log = logging.getLogger(__name__)


def create_app(overrides: dict | None = None, backend: Backend | None = None) -> Flask:
    """The application factory: settings → backend → blueprints → errors → CLI."""
    configure_logging()
    settings = load_settings(overrides=overrides)
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    _configure(app, settings)
    _register_backend(app, settings, backend)
    _register_security(app)
    _register_blueprints(app)
    _register_rate_limits(app)
    _register_errors(app)
    _register_cli(app)
    _register_housekeeping(app, settings)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    """Flask settings derived from Glimpse's own."""
    app.config.update(
        SECRET_KEY=resolve_secret_key(settings),
        TESTING=settings.testing,
        # Up to PHOTOS_PER_REQUEST photos per request (each checked on its own too); nginx's
        # client_max_body_size (.platform/nginx/conf.d/) is the same number. The part limit
        # bounds how many photos one request can make a worker decode and hold at once.
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_PARTS=PHOTOS_PER_REQUEST + FORM_FIELDS,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    # Behind nginx (and a load balancer) the login throttle must count real clients, not proxies.
    trust_proxies(app, settings.trusted_proxies)


def _register_backend(app: Flask, settings: Settings, backend: Backend | None) -> None:
    """Build the chosen backend and services; create the first admin if asked to."""
    from webapp.backends import build_backend
    from webapp.extensions import AppServices

    services = AppServices.build(settings, backend or build_backend(settings))
    app.extensions["services"] = services
    if services.accounts.ensure_first_admin(settings.admin_password):
        log.warning("Created the first admin 'admin' from GLIMPSE_ADMIN_PASSWORD.")


def _register_security(app: Flask) -> None:
    """CSRF on every form, a login throttle, and security headers on every response."""
    from webapp.services.throttle import LoginThrottle
    from webapp.views.security import add_security_headers

    app.extensions["login_throttle"] = LoginThrottle()
    csrf = CSRFProtect(app)
    app.extensions["csrf_protect"] = csrf
    app.after_request(add_security_headers)


def _register_blueprints(app: Flask) -> None:
    """One blueprint per area; the token-authenticated API is exempt from CSRF."""
    from webapp import rekognition
    from webapp.views import admin, admin_fixes, admin_unknown, api, api_unknown, auth, compare, public

    for blueprint in (public.bp, auth.bp, admin.bp, admin_fixes.bp, admin_unknown.bp, api.bp, api_unknown.bp,
                      compare.bp, compare.api_bp):
        app.register_blueprint(blueprint)
    for token_api in (api.bp, api_unknown.bp, compare.api_bp):  # JSON APIs use no cookies: no CSRF token
        app.extensions["csrf_protect"].exempt(token_api)
    rekognition.init_app(app)


def _register_rate_limits(app: Flask) -> None:
    """Per-caller limits on analysis and compare, counted in storage every worker shares."""
    from webapp.views.rate_limits import init_app

    init_app(app)


def _register_errors(app: Flask) -> None:
    """Map errors to pages or JSON in one place."""
    from webapp.views.errors import init_app

    init_app(app)


def _register_cli(app: Flask) -> None:
    """The flask commands, with the groups the chosen backend brings."""
    from webapp.cli import init_app

    init_app(app, app.extensions["services"].backend.name)


def _register_housekeeping(app: Flask, settings: Settings) -> None:
    """Purge expired analyses in a thread of each serving process, started by its first request.

    Not at start-up: CLI commands and the Lambda build the app too and must not purge; and
    not inside a request: a visitor's upload never waits for it (or fails because of it).
    """
    if settings.testing or settings.retention_days <= 0:
        return
    retention = app.extensions["services"].retention

    @app.before_request
    def _start_retention() -> None:  # returns None, so the request goes on
        retention.start_background()
