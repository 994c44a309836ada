"""The Glimpse services hung on the app, and the one accessor views and commands use."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from webapp.backends.base import Backend
from webapp.config import Settings, resolve_secret_key
from webapp.services.access_keys import AccessKeys
from webapp.services.accounts import Accounts
from webapp.services.collections import WireCollections
from webapp.services.comparison import Comparer
from webapp.services.fixes import Fixes
from webapp.services.importer import Importer
from webapp.services.limits import Limits
from webapp.services.maintenance import Doctor
from webapp.services.people import People
from webapp.services.recognition import Recognizer
from webapp.services.retention import Retention
from webapp.services.unknown import UnknownFaces


@dataclass
class AppServices:
    """Settings, the chosen backend and the services built on it."""

    settings: Settings
    backend: Backend
    recognizer: Recognizer
    comparer: Comparer
    people: People
    accounts: Accounts
    retention: Retention
    doctor: Doctor
    fixes: Fixes
    importer: Importer
    unknown: UnknownFaces
    collections: WireCollections | None = None  # the Rekognition endpoint's collections (local mode)
    access_keys: AccessKeys | None = None  # the Rekognition endpoint's access keys (local mode)

    @classmethod
    def build(cls, settings: Settings, backend: Backend) -> AppServices:
        """Build the services over a backend with limits from the settings."""
        limits = Limits.from_settings(settings)
        people = People(backend, limits)
        unknown = UnknownFaces(backend, people, settings.cluster_threshold, settings.remember_unknown_faces)
        collections = access_keys = None
        if backend.collections is not None:
            collections = WireCollections(backend, backend.collections, settings.rekognition_collection)
        if backend.access_keys is not None:
            access_keys = AccessKeys(backend.access_keys, resolve_secret_key(settings))
        return cls(
            settings, backend, Recognizer(backend, limits, unknown), Comparer(backend, limits), people,
            Accounts(backend.accounts),
            Retention(backend, settings.retention_days, on_delete=unknown.forget_analysis), Doctor(backend),
            Fixes(backend), Importer(backend, people), unknown, collections, access_keys,
        )


def app_services() -> AppServices:
    """The Glimpse services of the current app."""
    services: AppServices = current_app.extensions["services"]
    return services


def preload_models(app: Flask, faces_only: bool = False) -> bool:
    """Start loading the backend's models in a background thread (a gunicorn worker's boot, `flask recognize`).

    Returns at once; False when the backend loads no models of its own (AWS mode).
    """
    models = app.extensions["services"].backend.models
    if models is None:
        return False
    models.start(faces_only)
    return True
