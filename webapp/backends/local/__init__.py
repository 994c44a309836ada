"""Local mode: images on disk, SQLite, and models on the CPU."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from webapp.backends.base import Backend
from webapp.config import Settings

if TYPE_CHECKING:
    from webapp.backends.local.face_collection import LocalFaceCollection


def directory_ports(path: Path) -> dict:
    """The directory ports (people, analyses, audit, accounts, journal) over one SQLite file."""
    from webapp.backends.local.sqlite_accounts import SqliteAccounts, SqliteAudit
    from webapp.backends.local.sqlite_analyses import SqliteAnalyses
    from webapp.backends.local.sqlite_directory import SqlitePeople
    from webapp.backends.local.sqlite_imports import SqliteImports
    from webapp.backends.local.sqlite_journal import SqliteJournal
    from webapp.backends.local.sqlite_unknown import SqliteUnknown

    return {"people": SqlitePeople(path), "analyses": SqliteAnalyses(path), "audit": SqliteAudit(path),
            "accounts": SqliteAccounts(path), "journal": SqliteJournal(path),
            "imports": SqliteImports(path), "unknown": SqliteUnknown(path)}


def build(settings: Settings) -> Backend:
    """Wire the local adapters; nothing is loaded until first used."""
    from webapp.backends.local.disk_store import DiskImageStore
    from webapp.backends.local.dlib_faceprint import DlibFaceprint
    from webapp.backends.local.face_collection import LocalFaceCollection
    from webapp.backends.local.face_engine import FaceEngine
    from webapp.backends.local.fused_engine import FusedEngine
    from webapp.backends.local.labels import LocalLabelDetector
    from webapp.backends.local.moderation import LocalModerationDetector
    from webapp.backends.local.objects import LocalObjectDetector
    from webapp.backends.local.preload import LocalModels
    from webapp.backends.local.scene import LocalSceneLabels
    from webapp.backends.local.text import LocalTextReader
    from webapp.backends.local.vector_index import VectorIndex

    data = settings.data_dir
    threads = settings.model_threads
    # The face models and the label model are built from their weights once and cached with the data.
    engine = FusedEngine(FaceEngine(threads=threads, cache_dir=data / "models"),
                         DlibFaceprint(threads=threads, cache_dir=data / "models"))
    index = VectorIndex(data / "vectors.sqlite3", dim=FusedEngine.DIM, engine=FusedEngine.TAG)
    faces = LocalFaceCollection(engine, index)
    classifier = LocalLabelDetector(threads=threads, cache_dir=data / "models")
    labels = LocalSceneLabels(classifier, LocalObjectDetector(threads=threads, cache_dir=data / "models"))
    moderation = LocalModerationDetector(threads=threads, cache_dir=data / "models")
    return Backend(
        name="local", store=DiskImageStore(data / "images"), faces=faces, labels=labels,
        # OCR runs on request; one thread per PP-OCR model measured faster than two (bench/vision_speed.py).
        text=LocalTextReader(threads=1), moderation=moderation,
        **directory_ports(data / "glimpse.sqlite3"),
        faceprints=faces, vector_index=index, models=LocalModels(engine, labels, moderation),
        # unknown faces live in an index of their own: recognition never matches a stranger's print
        unknown_prints=LocalFaceCollection(
            engine, VectorIndex(data / "unknown.sqlite3", dim=FusedEngine.DIM, engine=FusedEngine.TAG)),
        **wire_capabilities(settings, faces),
    )


def wire_capabilities(settings: Settings, faces: LocalFaceCollection) -> dict:
    """The Rekognition endpoint's collections and access keys, stored beside the other local data."""
    from webapp.backends.local.access_keys import SqliteAccessKeys
    from webapp.backends.local.collections import SqliteCollections

    data = settings.data_dir
    return {
        "collections": SqliteCollections(data / "rekognition.sqlite3", data / "collections", faces,
                                         settings.rekognition_collection),
        "access_keys": SqliteAccessKeys(data / "rekognition.sqlite3"),
    }


def commands() -> list:
    """`flask index` (with `flask index reembed`) and `flask models`: what only local mode runs itself."""
    from webapp.cli.index import index_cli
    from webapp.cli.models import models_cli
    from webapp.cli.reembed import reembed

    index_cli.add_command(reembed)
    return [index_cli, models_cli]
