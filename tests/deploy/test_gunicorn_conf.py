"""gunicorn.conf.py: a worker starts loading its models at its first request, or a second after boot."""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


class CountingPreloader:
    """A ModelPreloader that records start() calls."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.starts = 0
        self.faces_only: list[bool] = []

    def load(self, faces_only: bool = False) -> list[str]:
        return []

    def start(self, faces_only: bool = False) -> None:
        self.starts += 1
        self.faces_only.append(faces_only)
        self.started.set()


@pytest.fixture
def conf(monkeypatch):
    """The project's gunicorn.conf.py, loaded as gunicorn loads it (a plain Python file)."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def worker(app, backend):
    """A stand-in gunicorn worker serving the test app, whose backend has a counting preloader."""
    backend.models = CountingPreloader()
    return SimpleNamespace(wsgi=app)


def test_the_first_request_starts_loading_the_models(conf, worker):
    """pre_request starts the load; the call returns at once (the preloader loads in its own threads)."""
    conf.pre_request(worker, req=None)
    assert worker.wsgi.extensions["services"].backend.models.starts == 1


def test_a_worker_without_requests_starts_loading_after_the_delay(conf, worker, monkeypatch):
    """post_worker_init returns at once and the load starts PRELOAD_AFTER_SECONDS later."""
    monkeypatch.setattr(conf, "PRELOAD_AFTER_SECONDS", 0.2)
    models = worker.wsgi.extensions["services"].backend.models
    conf.post_worker_init(worker)
    assert models.starts == 0
    assert models.started.wait(5)


def test_a_backend_without_models_is_left_alone(conf, app, backend):
    """AWS mode (no ModelPreloader): the hooks do nothing and raise nothing."""
    assert backend.models is None
    conf.pre_request(SimpleNamespace(wsgi=app), req=None)


def test_recognize_starts_the_models_and_other_commands_do_not(runner, backend, tmp_path):
    """`flask recognize` loads the models while it reads the first file; `people list` and --help never do."""
    from tests.fakes import make_photo

    backend.models = CountingPreloader()
    assert runner.invoke(args=["people", "list"]).exit_code == 0
    assert runner.invoke(args=["--help"]).exit_code == 0
    assert backend.models.starts == 0
    photo = tmp_path / "p.png"
    photo.write_bytes(make_photo((220, 20, 20)))
    result = runner.invoke(args=["recognize", str(photo), "--json"])
    assert result.exit_code == 0, result.output
    assert backend.models.starts == 1
    # --faces-only asks for the face models alone
    assert runner.invoke(args=["recognize", "--faces-only", str(photo), "--json"]).exit_code == 0
    assert backend.models.faces_only == [False, True]
