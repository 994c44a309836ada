"""Cold start: a whole CLI process, and gunicorn from launch to its first answer (prints numbers).

Run: python bench/cold_start.py [--repeat 5] [--variants default,preload,first-start] [--cli-repeat 7]
CLI: fresh `flask --app application ...` processes (--help, people list, doctor, and
recognize of one 1 MP photo with one face --json) over a data dir prepared as `make run`
leaves it (`flask models prepare` has cached the label model); wall and CPU seconds,
median of --cli-repeat interleaved rounds.
gunicorn starts as `make run` does (2 workers x 4 threads) on a free 127.0.0.1 port over
a fresh data dir, after `flask models prepare` as `make run` runs it (untimed), except in
the first-start variant (no cached label model: a worker builds it); the clock runs from
Popen until POST /api/v1/analyses (the same photo) returns 201. "listening" is when the
socket first accepts a connection. Afterwards both workers get work, so their memory with
every model loaded is printed (PSS counts pages shared between processes once, so it
shows what --preload shares).
After `models prepare` each run waits SETTLE_S (untimed), as a later `make run` finds its model
files settled (digest_memo); the first-start variant has no such wait.
Models (--model-repeat): in fresh processes over the prepared data dir, each model's load
one after another (CPU and wall), then all of them through the preloader's two chains.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (
    ROOT,
    flask_cli,
    free_port,
    jpeg,
    machine,
    peak_rss_mb,
    post_multipart,
    resized,
    rss_mb,
    source_image,
    start_gunicorn,
    timed_child,
    worker_pids,
)

# name -> (extra gunicorn flags, whether `flask models prepare` ran first as in `make run`)
VARIANTS = {"default": ((), True), "preload": (("--preload",), True), "first-start": ((), False)}
# Model files younger than digest_memo.SETTLE_NS are hashed again at load; every start after the
# first `make run` finds them older, so the timed starts wait that long after `models prepare`.
SETTLE_S = 2.1
CLI_COMMANDS = {"--help": ["--help"], "people list": ["people", "list"], "doctor": ["doctor"],
                "recognize 1 photo": ["recognize", "PHOTO", "--json"]}


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def one_start(
    extra: tuple[str, ...], prepared: bool, photo: bytes
) -> tuple[float, float, list[tuple[float, float, float]], float]:
    """(listening s, first analysis s, [(peak RSS, RSS, PSS) per worker], master's PSS) for one fresh server."""
    with tempfile.TemporaryDirectory() as data:
        if prepared:
            flask_cli(Path(data), "models", "prepare")
            time.sleep(SETTLE_S)
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
            master = rss_mb(server.pid)[1]  # --preload imports the app here, shared with the workers
        finally:
            server.terminate()
            server.wait(30)
    return t_listen, t_first, memory, master


MODEL_LOADS = """
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
import application
models = application.application.extensions["services"].backend.models
if sys.argv[1] == "each":
    steps = {"runtimes (import onnxruntime, cv2)": lambda: (__import__("onnxruntime"), __import__("cv2")),
             "YuNet (OpenCV) + SFace": models.faces.faces.load, "dlib ResNet": models.faces.dlib.load,
             "EfficientNet-Lite0": models.labels.classifier.load, "NanoDet-g": models.labels.objects.load,
             "open_nsfw": models.moderation.load}
else:
    steps = {"all, preloader's two chains": models.load}
out = {}
for name, step in steps.items():
    c, t = cpu(), time.perf_counter()
    step()
    out[name] = (time.perf_counter() - t, cpu() - c)
print(json.dumps(out))
"""


def model_loads(repeat: int) -> None:
    """Each model's load time in fresh processes (median of repeat), over a data dir `make run` prepared."""
    import json

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        flask_cli(data, "models", "prepare")
        time.sleep(SETTLE_S)
        env = {**os.environ, "GLIMPSE_DATA_DIR": str(data), "GLIMPSE_SECRET_KEY": "bench"}
        runs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(repeat):
            for mode in ("each", "all"):
                out = subprocess.run([sys.executable, "-c", MODEL_LOADS, mode], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout
                for name, sample in json.loads(out.splitlines()[-1]).items():
                    runs.setdefault(name, []).append(sample)
    print(f"\nmodel loads in a fresh process, models prepared, median of {repeat}:")
    for name, samples in runs.items():
        wall, cpu = statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
        print(f"  {name:<36} wall {wall * 1000:6.0f} ms  CPU {cpu * 1000:6.0f} ms")


def cli_processes(photo: bytes, repeat: int) -> None:
    """Wall and CPU time of whole `flask` processes over a data dir prepared as `make run` leaves it."""
    with tempfile.TemporaryDirectory() as tmp:
        data, path = Path(tmp) / "data", Path(tmp) / "one.jpg"
        path.write_bytes(photo)
        flask_cli(data, "models", "prepare")
        time.sleep(SETTLE_S)
        env = {**os.environ, "GLIMPSE_DATA_DIR": str(data), "GLIMPSE_SECRET_KEY": "bench"}
        flask = [sys.executable, "-m", "flask", "--app", "application"]
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in CLI_COMMANDS}
        for _ in range(repeat):
            for name, args in CLI_COMMANDS.items():  # interleaved
                runs[name].append(timed_child([*flask, *(str(path) if a == "PHOTO" else a for a in args)], env))
    print(f"\nwhole `flask --app application ...` processes, median of {repeat} (goal: recognize <= 1.0 s):")
    for name, samples in runs.items():
        wall, cpu = statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
        print(f"  {name:<18} wall {wall:.2f} s  CPU {cpu:.2f} s  (walls {[round(s[0], 2) for s in samples]})")


def main() -> None:
    """Time the CLI processes, then start each server variant --repeat times, interleaved; print medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--variants", default="default,preload,first-start")
    parser.add_argument("--cli-repeat", type=int, default=7)
    parser.add_argument("--model-repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}; goals: first answer <= 0.5 s, <= 700 MB RSS per worker")
    photo = jpeg(resized(source_image("obama2.jpg"), 1.0))
    if args.model_repeat:
        model_loads(args.model_repeat)
    if args.cli_repeat:
        cli_processes(photo, args.cli_repeat)
    names = [name for name in args.variants.split(",") if name] if args.repeat else []
    runs: dict[str, list] = {name: [] for name in names}
    for _ in range(args.repeat):
        for name in names:  # interleaved, so drift in the machine's load hits every variant alike
            runs[name].append(one_start(*VARIANTS[name], photo))
    for name, samples in runs.items():
        listen = [s[0] for s in samples]
        first = [s[1] for s in samples]
        workers = [w for s in samples for w in s[2]]
        flags, prepared = VARIANTS[name]
        how = f"{' '.join(flags) or 'no --preload'}, {'models prepared' if prepared else 'no cached label model'}"
        print(f"\n{name} ({how}), {len(samples)} starts:")
        print(f"  listening after   median {statistics.median(listen):.2f} s  (runs {[round(x, 2) for x in listen]})")
        print(f"  first analysis at median {statistics.median(first):.2f} s  (runs {[round(x, 2) for x in first]})")
        print(f"  per worker, models loaded: peak RSS median {statistics.median(w[0] for w in workers):.0f} MB "
              f"(max {max(w[0] for w in workers):.0f}), RSS {statistics.median(w[1] for w in workers):.0f} MB, "
              f"PSS {statistics.median(w[2] for w in workers):.0f} MB; master PSS "
              f"{statistics.median(s[3] for s in samples):.0f} MB")


if __name__ == "__main__":
    main()
