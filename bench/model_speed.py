"""Model load time and time per photo for the local engine (prints numbers; not a test).

Run: .venv/bin/python bench/model_speed.py [--repeat 20]
Photos come from PyPI packages (tests/photos.py) and scikit-image; nothing is stored.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402
from skimage import data as skdata  # noqa: E402

from tests.photos import photo_path  # noqa: E402
from webapp import create_app  # noqa: E402


def _png(array) -> bytes:
    """PNG bytes of an RGB array."""
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def _timed(fn, *args):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def _summary(samples: list[float]) -> str:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def _search_all(faces, photo, found) -> list:
    """Embed and search every detected face."""
    return [faces.search(photo, face, 80.0) for face in found]


def main() -> None:
    """Time model loading, then each stage of recognition on a few real photos."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    photos = {
        "obama2.jpg (1 face)": photo_path("obama2.jpg").read_bytes(),
        "t1.jpg (6 faces)": photo_path("t1.jpg").read_bytes(),
        "chelsea (cat, 0 faces)": _png(skdata.chelsea()),
    }
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"data_dir": Path(tmp), "secret_key": "bench"})
        services = app.extensions["services"]
        faces, labels = services.backend.faces, services.backend.labels
        load_faces, _ = _timed(faces.engine.load)
        load_labels, _ = _timed(labels.load)
        # a later start: the label model read from the cache the first load wrote (no onnx import)
        from webapp.backends.local.labels import LocalLabelDetector

        cached = LocalLabelDetector(threads=services.settings.model_threads, cache_dir=Path(tmp) / "models")
        load_cached, _ = _timed(cached.load)
        print(f"model load: faces {load_faces:.2f} s, labels {load_labels:.2f} s (built; "
              f"from the cache: {load_cached:.2f} s)")
        services.people.enrol("Barack Obama", [("obama.jpg", photo_path("obama.jpg").read_bytes())], True, "bench")
        for name, data in photos.items():
            stages: dict[str, list[float]] = {"decode": [], "detect": [], "search": [], "labels": [], "total": []}
            for _ in range(args.repeat):
                t_decode, photo = _timed(services.recognizer.decode, data)
                t_detect, found = _timed(faces.detect, photo)
                t_search, _ = _timed(_search_all, faces, photo, found)
                t_labels, _ = _timed(labels.detect, photo, 55.0, 10)
                for key, value in zip(stages, (t_decode, t_detect, t_search, t_labels), strict=False):
                    stages[key].append(value)
                stages["total"].append(t_decode + t_detect + t_search + t_labels)
            width, height = Image.open(io.BytesIO(data)).size
            print(f"\n{name}  {width}x{height}, {len(found)} face(s), {args.repeat} runs")
            for key, samples in stages.items():
                print(f"  {key:<7} {_summary(samples)}")


if __name__ == "__main__":
    main()
