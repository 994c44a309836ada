"""The analysis limit holds across gunicorn worker processes (real gunicorn, real HTTP, real models)."""
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.fakes import make_photo

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str) -> int:
    """POST one photo to /api/v1/analyses on a new connection; the HTTP status."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\n'
               f"Content-Type: image/png\r\n\r\n".encode())
    body.write(make_photo())
    body.write(f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(f"{url}/api/v1/analyses", data=body.getvalue(), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url + "/", timeout=10).close()
            return
        except OSError:  # not listening yet, or still starting
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def test_workers_that_restart_after_every_request_still_share_one_count(tmp_path):
    # --max-requests 1 replaces the worker after each request: a per-process (memory) count would
    # start at zero every time and never refuse anything.
    port = _free_port()
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(tmp_path), "GLIMPSE_SECRET_KEY": "t",
           "GLIMPSE_ANALYSIS_RATE_LIMIT": "3/minute", "GLIMPSE_MODEL_THREADS": "1"}
    gunicorn = [sys.executable, "-m", "gunicorn", "application:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--max-requests", "1"]
    proc = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(url, proc)
        assert [_post(url) for _ in range(5)] == [201, 201, 201, 429, 429]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
