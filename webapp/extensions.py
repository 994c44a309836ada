"""The Glimpse services hung on the app, and the one accessor views and commands use."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from webapp.backends.base import Backend
from webapp.config import Settings, resolve_secret_key
from webapp.services.access_keys import AccessKeys
from webapp.services.accounts import Accounts
from webapp.services.collections import WireCollections
from webapp.services.maintenance import Doctor
from webapp.services.people import People
from webapp.services.recognition import Limits, Recognizer
from webapp.services.retention import Retention


@dataclass
class Glimpse:
    """Settings, the chosen backend and the services built on it."""

    settings: Settings
    backend: Backend
    recognizer: Recognizer
    people: People
    accounts: Accounts
    retention: Retention
    doctor: Doctor
    collections: WireCollections | None = None  # the Rekognition endpoint's collections (local mode)
    access_keys: AccessKeys | None = None  # the Rekognition endpoint's access keys (local mode)

    @classmethod
    def build(cls, settings: Settings, backend: Backend) -> Glimpse:
        """Build the services over a backend with limits from the settings."""
        limits = Limits(
            max_bytes=settings.max_upload_bytes, max_pixels=settings.max_pixels,
            match_threshold=settings.match_threshold, min_label_confidence=settings.min_label_confidence,
            max_labels=settings.max_labels,
        )
        collections = access_keys = None
        if backend.collections is not None:
            collections = WireCollections(backend, backend.collections, settings.rekognition_collection)
        if backend.access_keys is not None:
            access_keys = AccessKeys(backend.access_keys, resolve_secret_key(settings))
        return cls(
            settings, backend, Recognizer(backend, limits), People(backend, limits), Accounts(backend.directory),
            Retention(backend, settings.retention_days), Doctor(backend), collections, access_keys,
        )


def glimpse() -> Glimpse:
    """The Glimpse services of the current app."""
    return current_app.extensions["glimpse"]
