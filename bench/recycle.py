"""A recycled gunicorn worker: seconds from its fork to its first answer, with and without --preload (prints numbers).

Run: python bench/recycle.py [--rounds 5] [--recycles 3] [--max-requests 4]
gunicorn starts with `make run`'s flags but one worker (so every request reaches the worker
being timed) and --max-requests N, over a data dir `flask models prepare` has prepared (as
`make run` leaves it). The worker exits after N analyses and the master forks a new one; the
clock runs from that fork (the child's start time in /proc/<pid>/stat, clock ticks of 10 ms
since boot) until POST /api/v1/analyses (1 MP, one face), sent as soon as the new pid exists,
returns 201. Each server's first start (Popen -> first answer, as bench/cold_start.py times it)
is printed beside it. Before its last request each worker's PSS (every model loaded) and the
master's are read: --preload moves the imported app into the master, shared by its workers.
Variants alternate within each round (fresh servers), so the machine's load hits both alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from cold_start import SETTLE_S, listening
from common import (
    flask_cli,
    free_port,
    jpeg,
    machine,
    post_multipart,
    resized,
    rss_mb,
    source_image,
    start_gunicorn,
    worker_pids,
)

VARIANTS = {"without --preload": (), "--preload (make run, Procfile)": ("--preload",)}
TICKS = os.sysconf("SC_CLK_TCK")


def forked_at(pid: int) -> float:
    """When a process was forked, in CLOCK_BOOTTIME seconds (field 22 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / TICKS


def new_worker(master: int, seen: set[int], timeout: float = 60) -> int:
    """The pid of a child of the master not seen before (the worker it forked last)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [pid for pid in worker_pids(master) if pid not in seen]
        if fresh:
            return fresh[0]
        time.sleep(0.002)
    raise RuntimeError("the master forked no new worker")


def analyse(url: str, photo: bytes) -> None:
    """POST one photo; raise unless the answer is 201."""
    status, body = post_multipart(url, {}, [("image", "p.jpg", photo)])
    if status != 201:
        raise RuntimeError(f"analysis answered {status}: {body[:200]!r}")


def one_server(data: Path, flags: tuple[str, ...], photo: bytes, recycles: int, max_requests: int) -> dict:
    """Popen -> first answer, then fork -> first answer of `recycles` recycled workers, and memory."""
    port = free_port()
    start = time.perf_counter()
    server = start_gunicorn(data, port, ("--workers", "1", "--max-requests", str(max_requests), *flags),
                            env={"GLIMPSE_ANALYSIS_RATE_LIMIT": "10000/minute"})  # many analyses, one caller
    url = f"http://127.0.0.1:{port}/api/v1/analyses"
    out: dict = {"recycled": [], "worker_pss": [], "master_pss": []}
    try:
        while not listening(port):
            if server.poll() is not None or time.perf_counter() - start > 120:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.01)
        seen: set[int] = set()
        for turn in range(recycles + 1):
            worker = new_worker(server.pid, seen)
            seen.add(worker)
            analyse(url, photo)
            if turn:
                out["recycled"].append(time.clock_gettime(time.CLOCK_BOOTTIME) - forked_at(worker))
            else:
                out["popen"] = time.perf_counter() - start
            for _ in range(max_requests - 2):
                analyse(url, photo)
            time.sleep(0.3)  # the preloader's two chains have finished by now
            out["worker_pss"].append(rss_mb(worker)[1])
            out["master_pss"].append(rss_mb(server.pid)[1])
            analyse(url, photo)  # the Nth: the worker exits and the master forks the next one
    finally:
        server.terminate()
        server.wait(30)
    return out


def main() -> None:
    """Alternate the variants for --rounds fresh servers each; print medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--recycles", type=int, default=3)
    parser.add_argument("--max-requests", type=int, default=4)
    args = parser.parse_args()
    print(f"machine: {machine()}; goal: a worker's first answer <= 0.5 s")
    photo = jpeg(resized(source_image("obama2.jpg"), 1.0))
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        flask_cli(Path(tmp), "models", "prepare")
        time.sleep(SETTLE_S)
        for _ in range(args.rounds):
            for name, flags in VARIANTS.items():  # interleaved
                runs[name].append(one_server(Path(tmp), flags, photo, args.recycles, args.max_requests))
    print(f"\n1 worker x 4 threads, --max-requests {args.max_requests}, models prepared; "
          f"{args.rounds} servers x {args.recycles} recycles per variant:")
    for name, samples in runs.items():
        popen = [s["popen"] for s in samples]
        fork = [x for s in samples for x in s["recycled"]]
        worker = [x for s in samples for x in s["worker_pss"]]
        master = [x for s in samples for x in s["master_pss"]]
        print(f"  {name}:")
        print(f"    Popen -> first answer       median {statistics.median(popen):.2f} s "
              f"(runs {[round(x, 2) for x in popen]})")
        print(f"    recycled worker fork -> 201 median {statistics.median(fork):.2f} s "
              f"(runs {[round(x, 2) for x in fork]})")
        print(f"    PSS with models: worker median {statistics.median(worker):.0f} MB, "
              f"master {statistics.median(master):.0f} MB, "
              f"sum {statistics.median(w + m for w, m in zip(worker, master, strict=True)):.0f} MB")


if __name__ == "__main__":
    main()
