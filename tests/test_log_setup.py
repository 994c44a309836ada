"""Logging is configured once per process: webapp's records reach stderr under gunicorn, or the runtime's handler."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_without_any_handler_webapp_info_goes_to_stderr_once():
    done = _run("import logging; from webapp.log_setup import configure_logging as c; c(); c(); "
                "logging.getLogger('webapp.backends.aws').info('cause: ThrottlingException')")
    assert done.stderr.count("INFO") == 1 and "webapp.backends.aws: cause: ThrottlingException" in done.stderr


def test_a_runtime_handler_is_kept_and_receives_webapp_info():
    done = _run("import logging, sys; h = logging.StreamHandler(sys.stdout); logging.getLogger().addHandler(h); "
                "logging.getLogger().setLevel(logging.WARNING); "  # as Lambda's runtime leaves it
                "from webapp.log_setup import configure_logging; configure_logging(); "
                "logging.getLogger('webapp.lambda_handler').info('enrol x: enrolled'); "
                "print(len(logging.getLogger().handlers))")
    assert done.stdout.splitlines() == ["enrol x: enrolled", "1"] and done.stderr == ""


def test_create_app_configures_logging(tmp_path):
    done = _run(f"import logging; from webapp import create_app; create_app({{'data_dir': {str(tmp_path)!r}}}); "
                "print(logging.getLogger('webapp').level == logging.INFO, bool(logging.getLogger().handlers))")
    assert done.stdout.strip() == "True True", done.stderr[-2000:]
