"""Start-up of two or more checkouts alternating (A/B): a whole `flask recognize` and gunicorn's first answer.

    python bench/startup_ab.py OLD_CHECKOUT NEW_CHECKOUT [--rounds 6] [--gunicorn-flags "--preload"]

Each checkout gets its own temp data dir, prepared by its own `flask models prepare` and left to
settle (bench/cold_start.py's SETTLE_S). Each round runs, per checkout in turn: `flask recognize
one.jpg --json` (1 MP, one face) in a fresh process (wall and CPU), then gunicorn as `make run`
starts it from that checkout (so its gunicorn.conf.py applies) until POST /api/v1/analyses returns
201: the wall time from Popen, and the CPU time gunicorn's master and workers had used by then.
Medians are printed with the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cold_start import SETTLE_S, listening
from common import free_port, jpeg, post_multipart, resized, source_image, timed_child, worker_pids

TICK = os.sysconf("SC_CLK_TCK")


def env_for(data: Path) -> dict:
    """The environment of every child: the data dir and a secret."""
    return {**os.environ, "GLIMPSE_DATA_DIR": str(data), "GLIMPSE_SECRET_KEY": "bench"}


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a live process has used (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def cli(checkout: Path, data: Path, photo: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one whole `flask recognize` process."""
    return timed_child([sys.executable, "-m", "flask", "--app", "application", "recognize", str(photo), "--json"],
                       env_for(data), cwd=checkout)


def first_answer(checkout: Path, data: Path, photo: bytes, flags: list[str]) -> tuple[float, float]:
    """(s from Popen to the first 201, CPU s of master + workers at that moment) for one fresh gunicorn."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "application:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "120", *flags],
                              cwd=checkout, env=env_for(data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not listening(port):
            if server.poll() is not None or time.perf_counter() - start > 120:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.01)
        status, body = post_multipart(f"http://127.0.0.1:{port}/api/v1/analyses", {}, [("image", "p.jpg", photo)])
        wall = time.perf_counter() - start
        if status != 201:
            raise RuntimeError(f"first analysis answered {status}: {body[:200]!r}")
        cpu = process_cpu(server.pid) + sum(process_cpu(pid) for pid in worker_pids(server.pid))
    finally:
        server.terminate()
        server.wait(30)
    return wall, cpu


def main() -> None:
    """Prepare each checkout's data dir, then alternate the checkouts for --rounds rounds."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--gunicorn-flags", default="")
    args = parser.parse_args()
    photo = jpeg(resized(source_image("obama2.jpg"), 1.0))
    runs: dict[Path, dict[str, list[tuple[float, float]]]] = {c: {"recognize": [], "first answer": []}
                                                             for c in args.checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "one.jpg").write_bytes(photo)
        for i, checkout in enumerate(args.checkouts):
            subprocess.run([sys.executable, "-m", "flask", "--app", "application", "models", "prepare"],
                           cwd=checkout, env=env_for(Path(tmp) / str(i)), check=True, capture_output=True)
        time.sleep(SETTLE_S)
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for _ in range(args.rounds):
            for i, checkout in enumerate(args.checkouts):
                data = Path(tmp) / str(i)
                runs[checkout]["recognize"].append(cli(checkout, data, Path(tmp) / "one.jpg"))
                runs[checkout]["first answer"].append(
                    first_answer(checkout, data, photo, shlex.split(args.gunicorn_flags)))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    for checkout, kinds in runs.items():
        for kind, samples in kinds.items():
            wall, cpu = statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
            print(f"{checkout}  {kind:<13} wall {wall:.2f} s  CPU {cpu:.2f} s  "
                  f"(walls {[round(s[0], 2) for s in samples]})")


if __name__ == "__main__":
    main()
