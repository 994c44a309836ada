"""Local mode's preloader: every model loaded once, two chains at a time, in the background when asked."""
from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

import pytest

from webapp.backends.local.preload import LocalModels


class Part:
    """One model's load(): records its name, optionally waits for a gate or fails."""

    def __init__(self, name: str, log: list[str], gate: threading.Event | None = None, error: bool = False) -> None:
        self.name, self.log, self.gate, self.error = name, log, gate, error

    def load(self) -> None:
        if self.gate is not None:
            assert self.gate.wait(10), "never released"
        if self.error:
            raise RuntimeError(f"{self.name} is broken")
        self.log.append(self.name)


def local_models(log: list[str], gate: threading.Event | None = None, broken: str = "") -> LocalModels:
    """LocalModels over stand-ins shaped like the fused engine, the scene labels and moderation."""
    def part(name: str) -> Part:
        return Part(name, log, gate if name == "sface" else None, error=name == broken)

    faces = SimpleNamespace(faces=part("sface"), dlib=part("dlib"))
    labels = SimpleNamespace(classifier=part("efficientnet"), objects=part("nanodet"))
    return LocalModels(faces, labels, part("nsfw"))  # type: ignore[arg-type]


def test_load_loads_every_model_once_each_chain_in_the_order_an_analysis_needs_them():
    """Faces then dlib in one chain, labels then boxes then moderation in the other."""
    log: list[str] = []
    names = local_models(log).load()
    assert sorted(log) == ["dlib", "efficientnet", "nanodet", "nsfw", "sface"]
    assert log.index("sface") < log.index("dlib")
    assert log.index("efficientnet") < log.index("nanodet") < log.index("nsfw")
    assert len(names) == 4


def test_a_faces_only_load_loads_the_face_models_and_nothing_else():
    """`flask recognize --faces-only` never runs the scene models, so it does not load them."""
    log: list[str] = []
    models = local_models(log)
    models.start(faces_only=True)
    models.join(10)
    assert sorted(log) == ["dlib", "sface"]


def test_the_two_chains_overlap():
    """The scene models finish while the face model is still loading: they do not wait for it."""
    log: list[str] = []
    gate = threading.Event()
    models = local_models(log, gate)
    models.start()
    for _ in range(200):
        if len(log) == 3:
            break
        threading.Event().wait(0.01)
    assert log == ["efficientnet", "nanodet", "nsfw"]  # sface is still held at the gate
    gate.set()
    models.join(10)
    assert log[3:] == ["sface", "dlib"]


def test_start_returns_at_once_and_loads_only_once_per_process():
    """A second start (the next request) neither waits nor loads again."""
    log: list[str] = []
    gate = threading.Event()
    models = local_models(log, gate)
    models.start()
    models.start()
    assert "sface" not in log  # start did not wait for the load
    gate.set()
    models.join(10)
    models.start()
    models.join(10)
    assert sorted(log) == ["dlib", "efficientnet", "nanodet", "nsfw", "sface"]


def test_a_failing_load_is_raised_by_load_and_logged_by_start(caplog):
    """In the foreground (flask models prepare) the error stops the command; in the background it is logged."""
    with pytest.raises(RuntimeError, match="nanodet is broken"):
        local_models([], broken="nanodet").load()
    models = local_models([], broken="nanodet")
    with caplog.at_level(logging.ERROR, logger="webapp.backends.local.preload"):
        models.start()
        models.join(10)
    assert "load on first use instead" in caplog.text and "nanodet is broken" in caplog.text
