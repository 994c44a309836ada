"""Real gunicorn with the project's gunicorn.conf.py: workers that load their models early answer correctly."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.photos import photo_path

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _analyse(url: str, photo: bytes) -> tuple[int, dict]:
    """POST one photo to /api/v1/analyses; (status, JSON body)."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n").encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}/api/v1/analyses", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def _wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("gunicorn did not start")


@pytest.mark.parametrize("flags", [["--preload"], []], ids=["make-run", "no-preload"])
def test_workers_that_preload_their_models_answer_the_first_and_later_analyses(tmp_path, flags):
    """The first request (sent as soon as the port listens) and requests after the timed preload find the face."""
    port = _free_port()
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(tmp_path), "GLIMPSE_SECRET_KEY": "t", "GLIMPSE_MODEL_THREADS": "1"}
    cmd = [sys.executable, "-m", "gunicorn", "application:application", "--bind", f"127.0.0.1:{port}",
           "--workers", "2", "--threads", "2", "--timeout", "120", *flags]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    photo = photo_path("obama.jpg").read_bytes()
    try:
        _wait_listening(port, proc)
        first = _analyse(f"http://127.0.0.1:{port}", photo)
        time.sleep(1.5)  # past the idle worker's timed preload
        later = [_analyse(f"http://127.0.0.1:{port}", photo) for _ in range(4)]
    finally:
        proc.terminate()
        proc.wait(30)
    for status, body in [first, *later]:
        assert status == 201 and len(body["faces"]) == 1, body
