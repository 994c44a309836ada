"""Local mode: images on disk, SQLite, and models on the CPU."""
from __future__ import annotations

from pathlib import Path

from webapp.backends.base import Backend
from webapp.config import Settings


def directory_ports(path: Path) -> dict:
    """The four directory ports, each its own adapter over one SQLite file (the same schema as ever)."""
    from webapp.backends.local.sqlite_accounts import SqliteAccounts, SqliteAudit
    from webapp.backends.local.sqlite_analyses import SqliteAnalyses
    from webapp.backends.local.sqlite_directory import SqlitePeople

    return {"people": SqlitePeople(path), "analyses": SqliteAnalyses(path), "audit": SqliteAudit(path),
            "accounts": SqliteAccounts(path)}


def build(settings: Settings) -> Backend:
    """Wire the local adapters; nothing is loaded until first used."""
    from webapp.backends.local.disk_store import DiskImageStore
    from webapp.backends.local.face_collection import LocalFaceCollection
    from webapp.backends.local.face_engine import FaceEngine
    from webapp.backends.local.labels import LocalLabelDetector
    from webapp.backends.local.moderation import LocalModerationDetector
    from webapp.backends.local.objects import LocalObjectDetector
    from webapp.backends.local.preload import LocalModels
    from webapp.backends.local.scene import LocalSceneLabels
    from webapp.backends.local.text import LocalTextReader
    from webapp.backends.local.vector_index import VectorIndex

    data, threads = settings.data_dir, settings.model_threads
    index = VectorIndex(data / "vectors.sqlite3")
    engine = FaceEngine(threads=threads)
    faces = LocalFaceCollection(engine, index)
    # The label model is built from its weights once and cached with the data.
    classifier = LocalLabelDetector(threads=threads, cache_dir=data / "models")
    labels = LocalSceneLabels(classifier, LocalObjectDetector(threads=threads))
    moderation = LocalModerationDetector(threads=threads)
    return Backend(
        name="local", store=DiskImageStore(data / "images"), faces=faces, labels=labels,
        # OCR runs on request; one thread per PP-OCR model measured faster than two (bench/vision_speed.py).
        text=LocalTextReader(threads=1), moderation=moderation,
        **directory_ports(data / "glimpse.sqlite3"), faceprints=faces, vector_index=index,
        models=LocalModels(engine, labels, moderation),
    )


def commands() -> list:
    """`flask index` and `flask models`: the vector index and the models only local mode runs itself."""
    from webapp.cli.index import index_cli
    from webapp.cli.models import models_cli

    return [index_cli, models_cli]
