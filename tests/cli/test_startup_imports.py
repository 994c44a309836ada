"""Commands that need no model start without importing any model runtime (start-up time is a feature)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# The model runtimes and what only AWS mode needs; each costs tens of ms to a second to import.
HEAVY = {"onnx", "onnxruntime", "cv2", "faiss", "boto3", "botocore", "ml_dtypes"}


def imported_modules(args: list[str], data_dir: Path) -> set[str]:
    """Top-level names of every module a fresh `flask --app application ARGS` process imported."""
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(data_dir), "GLIMPSE_BACKEND": "local"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "flask", "--app", "application", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    return {name.split(".")[0] for name in rows}


@pytest.mark.parametrize("args", [["--help"], ["people", "list"], ["doctor"]], ids=" ".join)
def test_commands_that_need_no_model_import_no_model_runtime(args, tmp_path):
    """--help, people list and doctor import none of onnx, onnxruntime, cv2, faiss or boto3."""
    modules = imported_modules(args, tmp_path / "data")
    assert "flask" in modules and "webapp" in modules  # the app really was built
    assert modules & HEAVY == set()
