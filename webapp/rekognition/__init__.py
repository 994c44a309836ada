"""Amazon Rekognition's JSON wire protocol over Glimpse's local engine (an edge, like the views)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve the protocol on `POST /` when the backend can (local mode); it uses no cookies, so no CSRF."""
    services = app.extensions["services"]
    if services.collections is None or services.access_keys is None:
        return
    from webapp.rekognition.endpoint import bp

    app.register_blueprint(bp)
    app.extensions["csrf_protect"].exempt(bp)
