"""Bulk enrolment throughput and peak memory per worker (prints numbers; not a test).

Run: python bench/enrol_throughput.py [--people 50] [--clients 4]
Builds a folder of people (2 photos each, ~1 MP, made from the PyPI test photos with
flips, crops, rotations and exposure changes) and enrols it twice:
  1. `flask people import FOLDER`: one process, wall time including start-up and model load;
  2. through gunicorn as `make run` starts it (2 workers x 4 threads), `--clients` parallel
     POST /api/v1/people requests, after one warm-up analysis per worker thread.
Then prints each worker's peak RSS (VmHWM) and current RSS/PSS with all models loaded.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from common import (
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
    worker_pids,
)
from PIL import Image, ImageEnhance

# Photos with one clear face (t1.jpg's six faces are cropped out one by one below).
FACE_SOURCES = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg", "astronaut")


def sources() -> list[Image.Image]:
    """Single-face source photos, including crops of each face of t1.jpg."""
    from webapp.backends.local.face_engine import FaceEngine

    images = [source_image(name) for name in FACE_SOURCES]
    group = source_image("t1.jpg")
    for face in FaceEngine().detect(np.asarray(group)):
        box = face.bounding_box
        # Twice the face's size around it: a head-and-shoulders portrait.
        left, top = (box.left - box.width) * group.width, (box.top - box.height) * group.height
        right, bottom = (box.left + 2 * box.width) * group.width, (box.top + 2 * box.height) * group.height
        images.append(group.crop((max(0, int(left)), max(0, int(top)), int(right), int(bottom))))
    return images


def variant(image: Image.Image, k: int) -> Image.Image:
    """The k-th altered copy: ~1 MP, mirrored every other time, tilted and re-exposed a little."""
    out = resized(image, 1.0)
    if k % 2:
        out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out = out.rotate((k % 7 - 3) * 2.0, resample=Image.Resampling.BILINEAR, fillcolor=(128, 128, 128))
    return ImageEnhance.Brightness(out).enhance(0.8 + (k % 5) * 0.1)


def people_folder(folder: Path, people: int) -> int:
    """Write `people` sub-folders of 2 photos each; returns the number of photos."""
    base = sources()
    for p in range(people):
        person = folder / f"Person {p:03d}"
        person.mkdir(parents=True)
        for j in range(2):
            (person / f"{j}.jpg").write_bytes(jpeg(variant(base[(p + j) % len(base)], p * 2 + j)))
    return people * 2


def cli_import(folder: Path, photos: int) -> None:
    """Time `flask people import` in a fresh data dir."""
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        out = flask_cli(Path(data), "people", "import", str(folder))
        seconds = time.perf_counter() - start
    print(f"flask people import: {photos} photos in {seconds:.1f} s = {photos / seconds:.1f} photos/s "
          f"(one process, start-up and model load included); {out.strip().splitlines()[0]}")


def wait_ready(url: str, timeout: float = 120) -> None:
    """Poll until gunicorn answers anything at all."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


def http_enrol(folder: Path, photos: int, clients: int) -> None:
    """Enrol every person through the API of a running gunicorn; print photos/s and memory."""
    with tempfile.TemporaryDirectory() as data:
        token = flask_cli(Path(data), "admin", "token", "create", "--label", "bench").strip().splitlines()[-1]
        port = free_port()
        server = start_gunicorn(Path(data), port)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url)
            warm = jpeg(variant(sources()[0], 0))
            with ThreadPoolExecutor(8) as pool:  # load the models in every worker before timing
                list(pool.map(lambda _: post_multipart(url + "/api/v1/analyses", {}, [("image", "w.jpg", warm)]),
                              range(16)))
            people = sorted(d for d in folder.iterdir() if d.is_dir())
            auth = {"Authorization": f"Bearer {token}"}

            def enrol(person: Path) -> int:
                """POST one person's photos; returns the status code."""
                files = [("images", p.name, p.read_bytes()) for p in sorted(person.glob("*.jpg"))]
                return post_multipart(url + "/api/v1/people", {"name": person.name, "consent": "true"}, files, auth)[0]

            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                statuses = list(pool.map(enrol, people))
            seconds = time.perf_counter() - start
            print(f"HTTP enrolment, gunicorn 2 workers x 4 threads, {clients} clients: {photos} photos in "
                  f"{seconds:.1f} s = {photos / seconds:.1f} photos/s (status codes {sorted(set(statuses))})")
            memory(server.pid)
        finally:
            server.terminate()
            server.wait(30)


def memory(master: int) -> None:
    """Peak and current memory of each gunicorn worker."""
    for pid in worker_pids(master):
        rss, pss = rss_mb(pid)
        print(f"  worker {pid}: peak RSS {peak_rss_mb(pid):.0f} MB, now RSS {rss:.0f} MB, PSS {pss:.0f} MB")
    print(f"  master {master}: RSS {rss_mb(master)[0]:.0f} MB")


def main() -> None:
    """Build the people folder, then enrol it by CLI and by HTTP."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1, help="repeat both measurements")
    args = parser.parse_args()
    print(f"machine: {machine()}; goals: >= 8 photos/s, <= 700 MB RSS per worker")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "people"
        photos = people_folder(folder, args.people)
        for _ in range(args.repeat):
            cli_import(folder, photos)
            http_enrol(folder, photos, args.clients)


if __name__ == "__main__":
    main()
