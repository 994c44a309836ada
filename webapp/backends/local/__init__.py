"""Local mode: images on disk, SQLite, and models on the CPU."""
from __future__ import annotations

from webapp.backends.base import Backend
from webapp.config import Settings


def build(settings: Settings) -> Backend:
    """Wire the four local adapters; nothing is loaded until first used."""
    from webapp.backends.local.disk_store import DiskImageStore
    from webapp.backends.local.face_collection import LocalFaceCollection
    from webapp.backends.local.face_engine import FaceEngine
    from webapp.backends.local.labels import LocalLabelDetector
    from webapp.backends.local.sqlite_directory import SqliteDirectory
    from webapp.backends.local.vector_index import VectorIndex

    data = settings.data_dir
    faces = LocalFaceCollection(FaceEngine(threads=settings.model_threads), VectorIndex(data / "vectors.sqlite3"))
    return Backend(
        name="local",
        store=DiskImageStore(data / "images"),
        faces=faces,
        labels=LocalLabelDetector(threads=settings.model_threads),
        directory=SqliteDirectory(data / "glimpse.sqlite3"),
        **wire_capabilities(settings, faces),
    )


def wire_capabilities(settings: Settings, faces) -> dict:
    """The Rekognition endpoint's collections and access keys, stored beside the other local data."""
    from webapp.backends.local.access_keys import SqliteAccessKeys
    from webapp.backends.local.collections import SqliteCollections

    data = settings.data_dir
    return {
        "collections": SqliteCollections(data / "rekognition.sqlite3", data / "collections", faces,
                                         settings.rekognition_collection),
        "access_keys": SqliteAccessKeys(data / "rekognition.sqlite3"),
    }
