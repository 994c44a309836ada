"""Who may analyse how often: Flask-Limiter over storage every worker shares.

Analysis and compare (pages and API) share one limit per caller. The caller is the logged-in
admin, else the API token, else the client address (`request.remote_addr`, which ProxyFix
has already taken from X-Forwarded-For when GLIMPSE_TRUSTED_PROXIES is set). Each kind has
its own limit (GLIMPSE_ANALYSIS_RATE_LIMIT, GLIMPSE_ADMIN_RATE_LIMIT, GLIMPSE_TOKEN_RATE_LIMIT).
"""
from __future__ import annotations

import importlib
import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded

from webapp.extensions import app_services
from webapp.views.security import bearer_token, current_admin, token_name

LIMITED_ENDPOINTS = ("public.analyse", "api.create_analysis", "compare.compare", "compare_api.create_comparison")
STORAGES = {"local": "webapp.backends.local.limit_storage", "aws": "webapp.backends.aws.limit_storage"}


def caller() -> tuple[str, str]:
    """(kind, key) of the caller: ("admin", name), ("token", hash prefix) or ("visitor", address)."""
    if "rate_caller" not in g:
        token = bearer_token()
        if current_admin():
            g.rate_caller = ("admin", current_admin())
        elif token and app_services().accounts.token_is_valid(token):
            g.rate_caller = ("token", token_name(token))
        else:
            g.rate_caller = ("visitor", request.remote_addr or "unknown")
    found: tuple[str, str] = g.rate_caller
    return found


def _caller_key() -> str:
    """The counter key of the caller."""
    kind, who = caller()
    return f"{kind}:{who}"


def _caller_limit() -> str:
    """The limit that applies to the caller's kind, e.g. "30/minute"."""
    settings = app_services().settings
    kind = caller()[0]
    return {"admin": settings.admin_rate_limit, "token": settings.token_rate_limit}.get(
        kind, settings.analysis_rate_limit)


def _retry_after() -> int:
    """Whole seconds until the caller's window ends (at least 1)."""
    limiter = current_app.extensions["glimpse_limiter"]
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else 60


def too_many(exc: RateLimitExceeded):
    """429 with Retry-After and a sentence saying when to come back."""
    from webapp.views.errors import render_error

    wait = _retry_after()
    limit = exc.limit.limit if exc.limit else None
    rate = f" (at most {limit.amount} per {limit.GRANULARITY.name})" if limit else ""
    body, status = render_error(429, f"Too many photos from you{rate}. Try again in {wait} seconds.")
    return body, status, {"Retry-After": str(wait)}


def init_app(app: Flask) -> None:
    """Build the limiter on the backend's shared storage and limit the analysis endpoints."""
    settings = app.extensions["services"].settings
    module = importlib.import_module(STORAGES[settings.backend])  # registers its storage scheme with `limits`
    uri, options = module.storage_for(settings, app.extensions["services"].backend)
    limiter = Limiter(_caller_key, storage_uri=uri, storage_options=options, strategy="fixed-window",
                      headers_enabled=True, key_prefix="glimpse")
    limiter.init_app(app)
    app.extensions["glimpse_limiter"] = limiter
    shared = limiter.shared_limit(_caller_limit, scope="analysis", methods=["POST"])
    for endpoint in LIMITED_ENDPOINTS:
        # flask-limiter's decorator types any view as possibly async; these are sync views
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])  # type: ignore[assignment]
    app.register_error_handler(RateLimitExceeded, too_many)
