"""flask models prepare: loads the models before the first request (make run calls it)."""
from __future__ import annotations

from webapp import create_app
from webapp.backends.local import build
from webapp.config import load_settings


class CountingModels:
    """A ModelPreloader that counts its loads."""

    def __init__(self) -> None:
        self.loads = 0

    def load(self, faces_only: bool = False) -> list[str]:
        self.loads += 1
        return ["faces (fake)", "labels (fake)"]


def test_prepare_loads_every_model_and_names_them(app, backend):
    """The backend's preloader runs once and the command says which models are ready."""
    backend.models = CountingModels()
    result = app.test_cli_runner().invoke(args=["models", "prepare"])
    assert result.exit_code == 0, result.output
    assert backend.models.loads == 1
    assert "Preparing the models" in result.output
    assert "models ready in" in result.output and "faces (fake), labels (fake)" in result.output


def test_prepare_with_a_backend_without_local_models_says_there_is_nothing_to_do(runner, backend):
    """A backend without a preloader: a clear sentence and success, so scripts need no special case."""
    assert backend.models is None
    result = runner.invoke(args=["models", "prepare"])
    assert result.exit_code == 0 and "nothing to prepare" in result.output


def test_local_backend_preloads_the_engine_and_labels_it_runs(tmp_path):
    """Local mode's preloader holds the very face engine and label detector the app uses (nothing loaded yet)."""
    backend = build(load_settings(overrides={"data_dir": tmp_path, "secret_key": "t"}))
    assert backend.models.faces is backend.faces.engine
    assert backend.models.labels is backend.labels
    assert not backend.labels.loaded
    app = create_app({"data_dir": tmp_path, "secret_key": "t"}, backend=backend)
    assert app.extensions["services"].backend.models is backend.models
