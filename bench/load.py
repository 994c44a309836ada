"""Loopback load test: N concurrent uploads for T seconds against Glimpse started as `make run` does.

Run: .venv/bin/python bench/load.py [--concurrency 50] [--seconds 60] [--max-requests 20000]
Starts gunicorn (2 workers × 4 threads, as the Makefile) on a free 127.0.0.1 port with a
fresh data directory, or uses --url (which must be a loopback address). Bounded in time and
count; stops by itself. Prints requests/s, latency percentiles and the count of 5xx.
"""
from __future__ import annotations

import argparse
import http.client
import ipaddress
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.photos import photo_path  # noqa: E402


def _multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    """A multipart body with one `image` field."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data_dir: str) -> tuple[subprocess.Popen, str]:
    """gunicorn with the Makefile's settings; returns the process and its base URL."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = dict(os.environ, GLIMPSE_DATA_DIR=data_dir)
    proc = subprocess.Popen(
        [str(gunicorn), "application:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--timeout", "120"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _client(url: str, bodies, stop_at: float, budget: list[int], results: list, lock) -> None:
    """Send uploads until time or the request budget runs out."""
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    i = 0
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        body, ctype = bodies[i % len(bodies)]
        i += 1
        start = time.monotonic()
        try:
            conn.request("POST", "/api/v1/analyses", body=body, headers={"Content-Type": ctype})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            status, conn = 599, http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        with lock:
            results.append((status, time.monotonic() - start))


def _report(results: list, elapsed: float, concurrency: int) -> None:
    """Print throughput, latency percentiles and error counts."""
    latencies = sorted(lat for _, lat in results)
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * (len(latencies) - 1)))] * 1000  # noqa: E731
    codes: dict[int, int] = {}
    for status, _ in results:
        codes[status] = codes.get(status, 0) + 1
    print(f"{len(results)} uploads by {concurrency} clients in {elapsed:.1f} s: {len(results) / elapsed:.1f} req/s")
    print(f"latency p50 {pct(0.50):.0f} ms  p95 {pct(0.95):.0f} ms  p99 {pct(0.99):.0f} ms  "
          f"mean {statistics.mean(latencies) * 1000:.0f} ms")
    print(f"status codes: {dict(sorted(codes.items()))}; 5xx: {sum(n for c, n in codes.items() if c >= 500)}")


def main() -> None:
    """Run the load and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--url", help="an already running Glimpse on a loopback address")
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.url).hostname if args.url else None
    if host and not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise SystemExit("--url must point at a loopback address (127.0.0.0/8 or ::1)")
    names = ["obama2.jpg", "t1.jpg", "biden.jpg"]
    bodies = [_multipart(photo_path(n).read_bytes(), n) for n in names]
    with tempfile.TemporaryDirectory() as data_dir:
        proc, url = (None, args.url) if args.url else _start_server(data_dir)
        try:
            results, lock, budget = [], threading.Lock(), [args.max_requests]
            start = time.monotonic()
            threads = [threading.Thread(target=_client, args=(url, bodies, start + args.seconds, budget, results, lock))
                       for _ in range(args.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            _report(results, time.monotonic() - start, args.concurrency)
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
