"""What the second faceprint costs: dlib per face, and a 1 MP analysis with 6 faces, fused vs SFace only.

Run from the repo root: ``python bench/fusion_cost.py [--repeat 15]``. One process, real models, the
variants interleaved run by run (the machine is shared: wall times are noisy, CPU times less so).
"recognise" is the real service call (detect, embed and search every face, labels) on a 1 MP JPEG
made from insightface's t1.jpg (6 faces), with one person enrolled.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import jpeg, make_app, resized, source_image

from webapp.backends.local.face_collection import LocalFaceCollection
from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.vector_index import VectorIndex


def _time(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _report(label: str, samples: list[tuple[float, float]]) -> None:
    """Median wall and CPU milliseconds."""
    walls, cpus = zip(*samples, strict=True)
    wall, cpu = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
    print(f"  {label:38s} wall {wall:6.1f} ms   CPU {cpu:6.1f} ms")


def main() -> None:
    """Time dlib alone per face count, then the whole analysis fused vs SFace only."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    data = jpeg(resized(source_image("t1.jpg"), 1.0))
    enrol = jpeg(source_image("obama.jpg"))
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "fused")
        services = app.extensions["services"]
        services.people.enrol("Obama", [("obama.jpg", enrol)], True, "bench")
        fused = services.backend.faces
        # The same photo through SFace only: its own index (128-d faceprints), same detector settings.
        sface_only = LocalFaceCollection(FaceEngine(threads=services.settings.model_threads),
                                         VectorIndex(Path(tmp) / "sface.sqlite3", engine=FaceEngine.TAG))
        photo = services.recognizer.decode(data)
        rgb = np.asarray(photo.image, dtype=np.uint8)
        faces = fused.engine.detect(rgb)
        enrol_photo = services.recognizer.decode(enrol)
        sface_only.index(enrol_photo, sface_only.detect(enrol_photo)[0], "p")
        print(f"1 MP photo ({photo.size[0]}x{photo.size[1]}), {len(faces)} faces, median of {args.repeat} runs")
        dlib = fused.engine.dlib
        samples: dict[str, list] = {k: [] for k in ("dlib, one face", "dlib, 6 faces one by one",
                                                     "dlib, 6 faces in one batch", "recognise, fused",
                                                     "recognise, SFace only")}
        landmarks = [tuple((x * rgb.shape[1], y * rgb.shape[0]) for x, y in f.landmarks) for f in faces]
        recognizer = services.recognizer
        for run in range(args.repeat + 1):
            timings = {
                "dlib, one face": _time(lambda: dlib.embed_many(rgb, landmarks[:1])),
                "dlib, 6 faces one by one": _time(lambda: [dlib.embed_many(rgb, [p]) for p in landmarks]),
                "dlib, 6 faces in one batch": _time(lambda: dlib.embed_many(rgb, landmarks)),
                "recognise, fused": _time(lambda: recognizer.recognize(photo)),
            }
            recognizer.backend.faces = sface_only  # the same service over the SFace-only collection
            timings["recognise, SFace only"] = _time(lambda: recognizer.recognize(photo))
            recognizer.backend.faces = fused
            if run:  # the first run warms up
                for key, value in timings.items():
                    samples[key].append(value)
        for label, values in samples.items():
            _report(label, values)


if __name__ == "__main__":
    sys.exit(main())
