"""Real test photos fetched once from PyPI packages into a local cache (never committed)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Source:
    """A PyPI distribution whose archive ships some photos under one folder."""

    key: str
    pip_args: tuple[str, ...]
    folder: str
    names: tuple[str, ...]


_SOURCES = (
    _Source(
        key="face_recognition-1.3.0",
        pip_args=("--no-binary", ":all:", "face_recognition==1.3.0"),
        folder="face_recognition-1.3.0/tests/test_images/",
        names=(
            "obama.jpg",
            "obama2.jpg",
            "obama3.jpg",
            "biden.jpg",
            "obama_partial_face.jpg",
            "obama_partial_face2.jpg",
            "32bit.png",
        ),
    ),
    _Source(
        key="insightface-2.1",
        pip_args=("insightface==2.1",),
        folder="insightface/data/images/",
        names=(
            "t1.jpg",
            "Tom_Hanks_54745.png",
            "mask_black.jpg",
            "mask_blue.jpg",
            "mask_green.jpg",
            "mask_white.jpg",
        ),
    ),
    # A street with four people and a bus (signs on the bus), and two men: the detector's and
    # text reader's real photos. Only the two JPEGs are taken out of the wheel.
    _Source(
        key="ultralytics-8.4.190",
        pip_args=("ultralytics==8.4.190",),
        folder="ultralytics/assets/",
        names=("bus.jpg", "zidane.jpg"),
    ),
    # A dahlia (ImageNet has no dahlia class: its votes split) and a Chinese temple.
    _Source(
        key="scikit-learn-1.9.1",
        pip_args=("scikit-learn==1.9.1",),
        folder="sklearn/datasets/images/",
        names=("flower.jpg", "china.jpg"),
    ),
)

PHOTO_NAMES: tuple[str, ...] = tuple(n for s in _SOURCES for n in s.names)


def cache_dir() -> Path:
    """Folder holding the downloaded photos (env GLIMPSE_TEST_PHOTOS overrides)."""
    env = os.environ.get("GLIMPSE_TEST_PHOTOS")
    return Path(env) if env else Path.home() / ".cache" / "glimpse" / "test-photos"


def photo_path(name: str) -> Path:
    """Path of a named test photo, downloading its source package on first use."""
    source = next((s for s in _SOURCES if name in s.names), None)
    if source is None:
        raise KeyError(f"unknown test photo {name!r}; known: {', '.join(PHOTO_NAMES)}")
    target = cache_dir() / source.key
    if not (target / name).is_file():
        _ensure_source(source, target)
    return target / name


def _ensure_source(source: _Source, target: Path) -> None:
    """Download and extract one source under an exclusive lock, publishing it by rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{source.key}.lock"
    with open(lock_path, "w") as lock:
        # Parallel test workers wait here; the loser finds the folder already in place.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all((target / n).is_file() for n in source.names):
            return
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{source.key}-") as tmp:
            archive = _download(source, Path(tmp) / "dl")
            staging = Path(tmp) / "out"
            staging.mkdir()
            _extract(archive, source, staging)
            if target.exists():
                shutil.rmtree(target)
            os.rename(staging, target)


def _download(source: _Source, dest: Path) -> Path:
    """Fetch the package archive with pip; raise RuntimeError with pip's output if it fails."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(dest),
        *source.pip_args,
    ]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"could not download test photos ({source.key}): {exc}") from exc
    archives = sorted(dest.glob("*")) if dest.is_dir() else []
    if proc.returncode != 0 or not archives:
        raise RuntimeError(
            f"could not download test photos ({source.key}) with {' '.join(cmd)}:\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return archives[0]


def _extract(archive: Path, source: _Source, staging: Path) -> None:
    """Copy only the wanted image files out of a wheel/zip or tar.gz sdist."""
    wanted = {source.folder + n: n for n in source.names}
    try:
        _copy_members(archive, wanted, staging)
    except (KeyError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise RuntimeError(f"could not extract test photos from {archive.name}: {exc}") from exc
    missing = [n for n in source.names if not (staging / n).is_file()]
    if missing:
        raise RuntimeError(f"{archive.name} lacks test photos: {missing}")


def _copy_members(archive: Path, wanted: dict[str, str], staging: Path) -> None:
    """Write each wanted archive member into staging under its short name."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for member, name in wanted.items():
                (staging / name).write_bytes(zf.read(member))
    else:
        with tarfile.open(archive) as tf:
            for member, name in wanted.items():
                fileobj = tf.extractfile(member)
                if fileobj is None:
                    raise RuntimeError(f"{member} is not a file in {archive.name}")
                (staging / name).write_bytes(fileobj.read())
