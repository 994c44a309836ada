"""Per-photo latency split into decode, detect, embed, search and labels (prints numbers; not a test).

Run: python bench/latency.py [--repeat 15] [--threads 2] [--plot docs/latency.png]
     python bench/latency.py --ab [--rounds 3]   # labels sequential/parallel x onnxruntime spinning on/off
One process (one worker) on the machine's cores; real models; photos of 0.3/1/3/12 MP
with 0, 1 and 6 faces built from PyPI-shipped photos (bench/common.py). Stages are timed
one after another; "recognize" is the real service call (labels overlap the faces there)
plus decode, i.e. what one API request spends on analysis.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import DOCS, bar_plot, jpeg, machine, make_app, ms, p95, photo_grid, source_image, timed
from PIL import Image

# labels = the classifier and the object detector (boxes); moderation = open_nsfw.
STAGES = ("decode", "detect", "embed", "search", "labels", "moderation", "sum", "recognize")


def measure(services, data: bytes, repeat: int) -> tuple[dict[str, list[float]], int]:
    """Stage timings over `repeat` runs (after one warm-up) and the number of faces found."""
    recognizer, faces = services.recognizer, services.backend.faces
    engine, index, labels = faces.engine, services.backend.vector_index, services.backend.labels
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for run in range(repeat + 1):
        t_decode, photo = timed(recognizer.decode, data)
        t_detect, found = timed(faces.detect, photo)
        pixels = np.asarray(photo.image, dtype=np.uint8)
        t_embed, vectors = timed(lambda: [engine.embed(pixels, f) for f in found])  # noqa: B023
        t_search, _ = timed(lambda: [index.search(v, 1) for v in vectors])  # noqa: B023
        t_labels, _ = timed(labels.detect, photo, 55.0, 10)
        t_moderation, _ = timed(services.backend.moderation.detect, photo)
        t_service, _ = timed(recognizer.recognize, photo)
        if run == 0:
            continue  # warm-up: first-call allocations and lazy model loads
        parts = (t_decode, t_detect, t_embed, t_search, t_labels, t_moderation)
        for stage, value in zip(STAGES, (*parts, sum(parts), t_decode + t_service), strict=True):
            times[stage].append(value)
    return times, len(found)


def parallel_recognize(services, photo):
    """The alternative measured by --ab: labels in a second thread while the faces are done."""
    from concurrent.futures import ThreadPoolExecutor

    backend = services.backend
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(backend.labels.detect, photo, 55.0, 10)
        faces = [backend.faces.search(photo, f, 80.0) for f in backend.faces.detect(photo)]
        return faces, pending.result()


def ab_parallel(services, repeat: int) -> dict[str, dict[str, float]]:
    """Interleaved median ms of the service's sequential recognize and the parallel variant, per photo."""
    recognizer = services.recognizer
    variants = {"sequential": recognizer.recognize, "parallel": lambda p: parallel_recognize(services, p)}
    result = {}
    for photo in photo_grid():
        if photo.megapixels not in (1.0, 3.0):
            continue
        times: dict[str, list[float]] = {name: [] for name in variants}
        for run in range(repeat + 1):
            for name, fn in variants.items():
                seconds, _ = timed(lambda fn=fn, data=photo.data: fn(recognizer.decode(data)))
                if run:
                    times[name].append(seconds)
        result[photo.name] = {name: statistics.median(t) * 1000 for name, t in times.items()}
    return result


def ab_rounds(rounds: int, repeat: int) -> None:
    """Fresh processes, spinning on and off in turn, `rounds` times; medians across rounds."""
    runs: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(rounds):
        for spin in ("spin", "no-spin"):
            cmd = [sys.executable, __file__, "--ab-child", "--repeat", str(repeat)]
            out = subprocess.run(cmd + (["--ort-no-spin"] if spin == "no-spin" else []), check=True,
                                 capture_output=True, text=True).stdout
            for photo, variants in json.loads(out.splitlines()[-1]).items():
                for variant, value in variants.items():
                    runs.setdefault((photo, spin, variant), []).append(value)
    print(f"median ms of {rounds} rounds (each a median of {repeat} runs); onnxruntime spinning on / off")
    for photo in dict.fromkeys(key[0] for key in runs):
        cells = [f"{spin} {variant} {statistics.median(runs[(photo, spin, variant)]):6.1f}"
                 for spin in ("spin", "no-spin") for variant in ("sequential", "parallel")]
        print(f"{photo:<14}" + " | ".join(cells))


def no_spinning() -> None:
    """Make every onnxruntime session created from now on sleep instead of spin between runs."""
    import onnxruntime as ort

    original = ort.SessionOptions

    def options() -> ort.SessionOptions:
        """SessionOptions with spinning off."""
        made = original()
        made.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return made

    ort.SessionOptions = options


def grid(services, repeat: int, plot: Path) -> None:
    """Print the stage table for every photo of the grid and draw the plot."""
    print(f"\n{'photo':<16}{'px':>11} found  " + "".join(f"{s:>18}" for s in STAGES))
    print(f"{'':<16}{'':>11}        " + "".join(f"{'median / p95 ms':>18}" for _ in STAGES))
    medians: dict[str, list[float]] = {s: [] for s in ("detect", "embed", "labels", "recognize")}
    names = []
    for photo in photo_grid():
        times, found = measure(services, photo.data, repeat)
        width, height = source_size(photo.data)
        print(f"{photo.name:<16}{f'{width}x{height}':>11} {found:>2}/{photo.faces}  "
              + "".join(f"{ms(times[s]):>18}" for s in STAGES))
        names.append(photo.name)
        for stage in medians:
            medians[stage].append(statistics.median(times[stage]) * 1000)
        if photo.megapixels in (1.0, 3.0) and photo.faces:
            rec = times["recognize"]
            print(f"{'':<28}goal <= 400 ms median at 1-2 MP: recognize median "
                  f"{statistics.median(rec) * 1000:.0f} ms, p95 {p95(rec) * 1000:.0f}")
    bar_plot(plot, f"Per-photo latency, {repeat} runs, median", names, medians, "ms")
    print(f"\nplot: {plot}")


def main() -> None:
    """Load the models once, enrol one person, then time every photo of the grid."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2, help="GLIMPSE_MODEL_THREADS for both models")
    parser.add_argument("--plot", type=Path, default=DOCS / "latency.png")
    parser.add_argument("--ab", action="store_true", help="only compare sequential/parallel labels, spin on/off")
    parser.add_argument("--rounds", type=int, default=3, help="--ab: fresh processes per variant")
    parser.add_argument("--ab-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ort-no-spin", action="store_true", help="onnxruntime threads sleep when idle")
    args = parser.parse_args()
    if args.ab:
        print(f"machine: {machine()}")
        ab_rounds(args.rounds, args.repeat)
        return
    if args.ort_no_spin:
        no_spinning()
    if not args.ab_child:
        print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        services = make_app(Path(tmp), model_threads=args.threads).extensions["services"]
        load_faces, _ = timed(services.backend.faces.engine.load)
        load_labels, _ = timed(services.backend.labels.load)
        load_labels += timed(services.backend.moderation.load)[0]
        services.people.enrol("Barack Obama", [("o.jpg", jpeg(source_image("obama.jpg")))], True, "bench")
        if args.ab_child:
            print(json.dumps(ab_parallel(services, args.repeat)))
            return
        print(f"model load: faces {load_faces:.2f} s, labels + boxes + moderation {load_labels:.2f} s; "
              f"model threads {args.threads}")
        grid(services, args.repeat, args.plot)


def source_size(data: bytes) -> tuple[int, int]:
    """(width, height) of JPEG bytes."""
    return Image.open(io.BytesIO(data)).size


if __name__ == "__main__":
    main()
