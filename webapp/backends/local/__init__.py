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
    from webapp.backends.local.preload import LocalModels
    from webapp.backends.local.sqlite_directory import SqliteDirectory
    from webapp.backends.local.vector_index import VectorIndex

    data = settings.data_dir
    engine = FaceEngine(threads=settings.model_threads)
    # The label model is built from its weights once and cached with the data.
    labels = LocalLabelDetector(threads=settings.model_threads, cache_dir=data / "models")
    return Backend(
        name="local",
        store=DiskImageStore(data / "images"),
        faces=LocalFaceCollection(engine, VectorIndex(data / "vectors.sqlite3")),
        labels=labels,
        directory=SqliteDirectory(data / "glimpse.sqlite3"),
        models=LocalModels(engine, labels),
    )
