"""Helpers shared by the performance benches: the photo set, timing, machine facts, plots.

Photos come only from PyPI packages (tests/photos.py: face_recognition's and insightface's
test images) and scikit-image's sample data; sizes the packages lack are made by resizing.
"""
from __future__ import annotations

import io
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

MEGAPIXELS = (0.3, 1.0, 3.0, 12.0)
# Source per face count: coffee (scikit-image) has none, obama3.jpg one, t1.jpg six.
SOURCES = {0: "coffee", 1: "obama3.jpg", 6: "t1.jpg"}


@dataclass(frozen=True)
class BenchPhoto:
    """One JPEG of the bench set with what it should contain."""

    name: str
    megapixels: float
    faces: int
    data: bytes


def source_image(name: str) -> Image.Image:
    """An RGB source photo: a tests/photos.py name or a scikit-image sample name."""
    if "." not in name:
        from skimage import data as skdata

        return Image.fromarray(getattr(skdata, name)())
    from tests.photos import photo_path

    return Image.open(photo_path(name)).convert("RGB")


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    """JPEG bytes of an image."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def resized(image: Image.Image, megapixels: float) -> Image.Image:
    """The image scaled (up or down, aspect kept) to about `megapixels` million pixels."""
    scale = (megapixels * 1e6 / (image.width * image.height)) ** 0.5
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def photo_grid() -> list[BenchPhoto]:
    """The 12 photos of the latency grid: 0.3/1/3/12 MP x 0/1/6 faces."""
    photos = []
    for faces, source in SOURCES.items():
        image = source_image(source)
        for mp in MEGAPIXELS:
            photos.append(BenchPhoto(f"{mp:g}MP-{faces}faces", mp, faces, jpeg(resized(image, mp))))
    return photos


def folder_photos(folder: Path) -> list[Path]:
    """Write ~30 photos (the grid, the PyPI originals, scikit-image samples, two mirrors) to folder."""
    from tests.photos import PHOTO_NAMES

    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{p.name}.jpg": p.data for p in photo_grid()}
    for name in (*PHOTO_NAMES, "chelsea", "astronaut", "coffee"):
        files[f"orig-{name.split('.')[0]}.jpg"] = jpeg(source_image(name))
    for name in ("t1.jpg", "obama2.jpg"):
        files[f"mirror-{name}"] = jpeg(source_image(name).transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return sorted(folder.glob("*.jpg"))


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def timed_child(cmd: list[str], env: dict, cwd: Path | None = None, check: bool = True) -> tuple[float, float]:
    """(wall s, CPU s: user + system of the process and all its threads) of one child run to completion."""
    import resource

    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(cmd, cwd=cwd or ROOT, env=env, check=check, capture_output=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def p95(samples: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def ms(samples: list[float]) -> str:
    """'median / p95' in milliseconds."""
    return f"{statistics.median(samples) * 1000:7.1f} / {p95(samples) * 1000:7.1f}"


def machine() -> str:
    """CPU model and core count (from lscpu when available), for the report."""
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    load = os.getloadavg()[0]
    return f"{model}, {os.cpu_count()} cores, load average {load:.1f} at start, Python {platform.python_version()}"


def make_app(data_dir: Path, **overrides):
    """A local-mode app over data_dir (real models, loaded lazily)."""
    from webapp import create_app

    return create_app({"data_dir": data_dir, "secret_key": "bench", **overrides})


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB; PSS splits pages shared with other processes fairly."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_faces(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n unit vectors spread like real faceprints: the real mean plus isotropic noise.

    The noise scale is chosen so two synthetic people have the median cosine of two
    different real people (about 0.13 for SFace), i.e. a crowd as dense as a real one.
    """
    mean = real.mean(axis=0)
    pairs = real @ real.T
    target = float(np.median(pairs[np.triu_indices(len(real), 1)]))
    # E[cos] ~ |m|^2 / (|m|^2 + d s^2)  =>  s^2 = |m|^2 (1 - t) / (t d)
    m2 = float(mean @ mean)
    scale = (m2 * (1 - target) / (max(target, 1e-3) * real.shape[1])) ** 0.5
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):  # in chunks: 1M x 128 float64 noise would be 1 GB at once
        chunk = mean + scale * rng.standard_normal((min(100_000, n - start), real.shape[1]))
        out[start:start + len(chunk)] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def bar_plot(
    path: Path, title: str, groups: list[str], series: dict[str, list[float]], ylabel: str, log: bool = False
) -> None:
    """A grouped bar chart saved as PNG (matplotlib, from bench/requirements.txt)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(min(14, max(6, len(groups) * 0.9)), 4.5))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(np.arange(len(groups)) + i * width, values, width, label=name)
    ax.set_xticks(np.arange(len(groups)) + width * (len(series) - 1) / 2, groups, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def post_multipart(url: str, fields: dict[str, str], files: list[tuple[str, str, bytes]],
                   headers: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, bytes]:
    """POST a multipart form with the stdlib; files are (field, filename, bytes). Returns (status, body)."""
    import urllib.error
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for field, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start_gunicorn(data_dir: Path, port: int, extra: tuple[str, ...] = (), env: dict | None = None):
    """gunicorn as `make run` starts it (2 workers x 4 threads) on 127.0.0.1:port; returns the Popen."""
    cmd = [sys.executable, "-m", "gunicorn", "application:application", "--bind", f"127.0.0.1:{port}",
           "--workers", "2", "--threads", "4", "--timeout", "120", *extra]
    full_env = {**os.environ, "GLIMPSE_DATA_DIR": str(data_dir), "GLIMPSE_SECRET_KEY": "bench", **(env or {})}
    return subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def worker_pids(master: int) -> list[int]:
    """Child processes of a gunicorn master (its workers)."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{master}\n" in text:
            pids.append(int(status.parent.name))
    return sorted(pids)


def flask_cli(data_dir: Path, *args: str) -> str:
    """Run `flask <args>` on the app over data_dir; returns stdout."""
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(data_dir), "GLIMPSE_SECRET_KEY": "bench"}
    cmd = [sys.executable, "-m", "flask", "--app", "application", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
