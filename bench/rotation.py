"""Faces in turned photos: how many are found and named, what the turned passes cost, which false faces they add.

Run from the repo root: ``python bench/rotation.py [--probes 300]``.
1. LFW-dev (needs ../shared/lfw-dev): the first photo of each person with several is enrolled (largest face,
   upright); other photos are turned 90/180/270 degrees (no EXIF) and searched like an analysis does (every
   face; named if the best enrolled face reaches similarity 80; the shipped fused faceprint). Also run with the
   upright pass only (before).
2. Photos with no face (scikit-image samples and insightface's mask pictures), each turned four ways: faces
   found with and without the turned passes.
3. Cost: detection time with and without the turned passes, on 1 MP photos with 0, 1 and 6 faces.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from common import jpeg, source_image
from lfw import data_dir, load_rgb, person_of, read_pairs
from PIL import Image

from webapp.backends.local.dlib_faceprint import DlibFaceprint
from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.fused_engine import FusedEngine

NEGATIVES = ("coffee", "rocket", "chelsea", "hubble_deep_field", "immunohistochemistry", "brick", "grass", "gravel",
             "moon", "page", "text", "colorwheel", "logo", "retina", "cell", "coins", "clock", "checkerboard",
             "microaneurysms", "mask_black.jpg", "mask_blue.jpg", "mask_green.jpg", "mask_white.jpg")


def _upright_only(engine: FaceEngine, rgb: np.ndarray):
    """Detection as it was before turned passes existed (one upright pass, refined)."""
    faces = engine._detect_scaled(rgb)
    if max(rgb.shape[:2]) > engine.detect_max_side:
        faces = [engine._refine(rgb, f) for f in faces]
    return faces


def lfw_turned(engine: FusedEngine, probes: int) -> None:
    """Enrol one upright photo per person; search turned photos of the same people with and without turns."""
    folder = data_dir()
    names = sorted({p.img1 for p in read_pairs(folder)} | {p.img2 for p in read_pairs(folder)})
    by_person: dict[str, list[str]] = {}
    for name in names:
        by_person.setdefault(person_of(name), []).append(name)
    several = {p: n for p, n in by_person.items() if len(n) > 1}
    gallery_people, gallery = [], []
    for person, images in several.items():
        rgb = load_rgb(folder, images[0])
        faces = engine.detect(rgb)  # the shipped engine: detection at any turn, fused faceprints
        if faces:
            gallery_people.append(person)
            gallery.append(engine.embed(rgb, faces[0]))
    matrix, people = np.stack(gallery), np.array(gallery_people)
    chosen = [(p, n) for p, images in several.items() for n in images[1:]][:probes]
    print(f"LFW-dev: {len(gallery)} people enrolled upright; {len(chosen)} other photos of them, each turned")
    for quarters in (0, 1, 2, 3):
        for label, detect in (("with turned passes", engine.detect), ("upright pass only", None)):
            if quarters == 0 and detect is None:
                continue  # the same as above for an upright photo, bar the skipped passes
            counts = {"named right": 0, "named wrong": 0, "unknown": 0, "no face": 0, "another face named": 0}
            for person, name in chosen:
                rgb = np.ascontiguousarray(np.rot90(load_rgb(folder, name), quarters))
                faces = detect(rgb) if detect else _upright_only(engine.faces, rgb)
                outcome, others = _outcome(engine, rgb, faces, matrix, people, person)
                counts[outcome] += 1
                counts["another face named"] += others
            print(f"  turned {quarters * 90:3d} degrees ccw, {label:18s}: " +
                  ", ".join(f"{k} {v}" for k, v in counts.items()))


def _outcome(engine, rgb, faces, matrix, people, person) -> tuple[str, bool]:
    """What an analysis says about the labelled person (the face nearest the centre: named right, named wrong,
    unknown, no face), and whether another face of the photo was named (LFW photos have bystanders)."""
    if not faces:
        return "no face", False
    named = []
    for face in faces:
        scores = matrix @ engine.embed(rgb, face)
        best = int(np.argmax(scores))
        hit = engine.similarity(float(scores[best])) >= 80.0
        named.append(people[best] if hit else None)
    centre = min(range(len(faces)), key=lambda i: _off_centre(faces[i]))
    others = any(n is not None for i, n in enumerate(named) if i != centre)
    if named[centre] is None:
        return "unknown", others
    return ("named right" if named[centre] == person else "named wrong"), others


def _off_centre(face) -> float:
    """Distance of a face's box centre from the photo's centre (ratios)."""
    box = face.bounding_box
    return abs(box.left + box.width / 2 - 0.5) + abs(box.top + box.height / 2 - 0.5)


def _negative(name: str) -> np.ndarray:
    """A face-free photo as RGB."""
    return np.asarray(source_image(name).convert("RGB"))


def false_faces(engine: FaceEngine) -> None:
    """Faces found on face-free photos turned four ways, with and without the turned passes."""
    with_turns = without = 0
    which = []
    for name in NEGATIVES:
        rgb = _negative(name)
        for quarters in range(4):
            turned = np.ascontiguousarray(np.rot90(rgb, quarters))
            found, before = engine.detect(turned), _upright_only(engine, turned)
            with_turns, without = with_turns + len(found), without + len(before)
            which += [f"{name}@{quarters * 90}" for _ in found]
    print(f"\nface-free photos: {len(NEGATIVES)} photos x 4 turns = {4 * len(NEGATIVES)} images; faces found: "
          f"{with_turns} with turned passes ({', '.join(which) or '-'}), {without} with the upright pass only")


def cost(engine: FaceEngine, repeat: int) -> None:
    """Median detection time per 1 MP photo with and without the turned passes (interleaved runs)."""
    print(f"\ndetection time, 1 MP photos, median of {repeat} interleaved runs (CPU time in brackets; noisy machine)")
    for name, faces in (("coffee", 0), ("obama3.jpg", 1), ("t1.jpg", 6), ("chelsea", 0)):
        image = source_image(name).convert("RGB")
        scale = (1e6 / (image.width * image.height)) ** 0.5
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        rgb = np.asarray(Image.open(__import__("io").BytesIO(jpeg(image))).convert("RGB"))
        times = {"turned passes": [], "upright only": []}
        cpu = {"turned passes": [], "upright only": []}
        for _ in range(repeat):
            for label, fn in (("turned passes", engine.detect), ("upright only", lambda im: _upright_only(engine, im))):
                wall, proc = time.perf_counter(), time.process_time()
                fn(rgb)
                times[label].append(time.perf_counter() - wall)
                cpu[label].append(time.process_time() - proc)
        print(f"  {name:12s} ({faces} faces) " + "  ".join(
            f"{label}: {statistics.median(times[label]) * 1000:5.1f} ms ({statistics.median(cpu[label]) * 1000:5.1f})"
            for label in times))


def main() -> None:
    """Run the three measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=300, help="LFW photos searched per turn")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    engine = FusedEngine(FaceEngine(threads=2), DlibFaceprint(threads=2))
    engine.load()
    lfw_turned(engine, args.probes)
    false_faces(engine.faces)
    cost(engine.faces, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
