"""Cold start: seconds from launching gunicorn to the first answered analysis (prints numbers).

Run: python bench/cold_start.py [--repeat 5] [--variants default,preload]
gunicorn starts as `make run` does (2 workers x 4 threads) on a free 127.0.0.1 port over
a fresh data dir; the clock runs from Popen until POST /api/v1/analyses (a 1 MP photo
with one face) returns 201. "listening" is when the socket first accepts a connection.
Afterwards both workers get work, so their memory with every model loaded is printed
(PSS counts pages shared between processes once, so it shows what --preload shares).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (
    free_port,
    jpeg,
    machine,
    peak_rss_mb,
    post_multipart,
    resized,
    rss_mb,
    source_image,
    start_gunicorn,
    worker_pids,
)

VARIANTS = {"default": (), "preload": ("--preload",)}


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def one_start(extra: tuple[str, ...], photo: bytes) -> tuple[float, float, list[tuple[float, float, float]]]:
    """(listening s, first analysis s, [(peak RSS, RSS, PSS) per worker]) for one fresh server."""
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        start = time.perf_counter()
        server = start_gunicorn(Path(data), port, extra)
        try:
            while not listening(port):
                if server.poll() is not None or time.perf_counter() - start > 120:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.01)
            t_listen = time.perf_counter() - start
            url = f"http://127.0.0.1:{port}/api/v1/analyses"
            status, body = post_multipart(url, {}, [("image", "p.jpg", photo)])
            t_first = time.perf_counter() - start
            if status != 201:
                raise RuntimeError(f"first analysis answered {status}: {body[:200]!r}")
            with ThreadPoolExecutor(8) as pool:  # make sure both workers have loaded every model
                list(pool.map(lambda _: post_multipart(url, {}, [("image", "p.jpg", photo)]), range(16)))
            memory = [(peak_rss_mb(pid), *rss_mb(pid)) for pid in worker_pids(server.pid)]
        finally:
            server.terminate()
            server.wait(30)
    return t_listen, t_first, memory


def main() -> None:
    """Start each variant --repeat times, interleaved, and print medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--variants", default="default,preload")
    args = parser.parse_args()
    print(f"machine: {machine()}; goals: first answer <= 3 s, <= 700 MB RSS per worker")
    photo = jpeg(resized(source_image("obama2.jpg"), 1.0))
    names = args.variants.split(",")
    runs: dict[str, list] = {name: [] for name in names}
    for _ in range(args.repeat):
        for name in names:  # interleaved, so drift in the machine's load hits every variant alike
            runs[name].append(one_start(VARIANTS[name], photo))
    for name, samples in runs.items():
        listen = [s[0] for s in samples]
        first = [s[1] for s in samples]
        workers = [w for s in samples for w in s[2]]
        print(f"\n{name} ({' '.join(VARIANTS[name]) or 'make run flags'}), {len(samples)} starts:")
        print(f"  listening after   median {statistics.median(listen):.2f} s  (runs {[round(x, 2) for x in listen]})")
        print(f"  first analysis at median {statistics.median(first):.2f} s  (runs {[round(x, 2) for x in first]})")
        print(f"  per worker, models loaded: peak RSS median {statistics.median(w[0] for w in workers):.0f} MB "
              f"(max {max(w[0] for w in workers):.0f}), RSS {statistics.median(w[1] for w in workers):.0f} MB, "
              f"PSS {statistics.median(w[2] for w in workers):.0f} MB")


if __name__ == "__main__":
    main()
