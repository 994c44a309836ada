"""A real Glimpse process for end-to-end tests: gunicorn on an ephemeral loopback port, real models."""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


@dataclass(frozen=True)
class LiveGlimpse:
    """A running Glimpse: its base URL, an access key and the environment it runs with."""

    url: str
    access_key_id: str
    secret_access_key: str
    env: dict

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run `flask --app application ARGS` against the same data directory."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "application", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)


def glimpse_env(data_dir: Path, **extra: str) -> dict:
    """The environment of a local-mode Glimpse over data_dir (no AWS credentials of the machine leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLIMPSE_"))}
    return env | {"GLIMPSE_DATA_DIR": str(data_dir), "GLIMPSE_SECRET_KEY": secrets.token_hex(16),
                  "GLIMPSE_MODEL_THREADS": "2", "PYTHONUNBUFFERED": "1"} | extra


def _wait_for_url(log: Path, proc: subprocess.Popen, timeout: float = 60) -> str:
    """The URL gunicorn reports once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _LISTENING.search(log.read_text(errors="replace")) if log.exists() else None
        if found:
            return found.group(1)
        if proc.poll() is not None:
            raise RuntimeError(f"Glimpse exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    raise RuntimeError(f"Glimpse did not start within {timeout} s:\n{log.read_text(errors='replace')}")


@contextmanager
def running_glimpse(data_dir: Path, access_key: bool = True, **extra_env: str):
    """Start gunicorn on port 0 (after making an access key with the CLI, in local mode); yield a LiveGlimpse."""
    env = glimpse_env(data_dir, **extra_env)
    key = {"access_key_id": "", "secret_access_key": ""}
    if access_key:
        created = subprocess.run([sys.executable, "-m", "flask", "--app", "application", "admin", "keys", "create",
                                  "--label", "e2e", "--json"], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=120, check=True)
        key = json.loads(created.stdout)
    log = data_dir / "gunicorn.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "application:application", "--bind", "127.0.0.1:0",
                                 "--workers", "1", "--threads", "4", "--timeout", "120"],
                                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = _wait_for_url(log, proc)
        yield LiveGlimpse(url, key["access_key_id"], key["secret_access_key"], env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
