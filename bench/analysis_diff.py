"""What a change to the analysis path does to its results: dump every photo's raw outputs, diff two dumps.

    python bench/analysis_diff.py --dump after.json [FOLDER]        # in this checkout
    python bench/analysis_diff.py --dump before.json [FOLDER]       # the same script in the old checkout
    python bench/analysis_diff.py --diff before.json after.json     # largest changes, per model

Per photo it keeps the faces (box, confidence, orientation, the best match's similarity), the labels
(confidence, instance boxes), every NanoDet box above the candidate score and open_nsfw's raw score,
so a change that moves a score without changing what is reported still shows. FOLDER defaults to the
30 photos of the peer bench (/tmp/peer-photos, made by bench/peer.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout this script lives in


def _box(box) -> list[float]:
    """A ratio BoundingBox as [left, top, width, height]."""
    return [box.left, box.top, box.width, box.height]


def dump(folder: Path) -> dict:
    """Raw outputs of the local analysis for every photo in the folder, one person (Obama) enrolled."""
    from common import source_image

    work = Path(tempfile.mkdtemp())
    os.environ.update(GLIMPSE_DATA_DIR=str(work / "data"), GLIMPSE_SECRET_KEY="bench")
    from webapp import create_app
    from webapp.extensions import app_services

    app = create_app()
    out: dict = {}
    with app.app_context():
        services = app_services()
        known = work / "obama.jpg"
        source_image("obama.jpg").save(known)
        services.people.enrol("Barack Obama", [("obama.jpg", known.read_bytes())], True, "bench")
        recognizer, backend = services.recognizer, services.backend
        for path in sorted(folder.glob("*.jpg")):
            photo = recognizer.decode(path.read_bytes())
            seen = recognizer.recognize(photo)
            out[path.name] = {
                "faces": [[*_box(f.bounding_box), f.confidence, f.orientation, f.similarity or 0.0]
                          for f in seen.faces],
                "labels": {lb.name: [lb.confidence, [_box(i.bounding_box) for i in lb.instances]]
                           for lb in seen.labels},
                "objects": [[d.class_index, d.score] for d in backend.labels.objects.detections(photo)],
                "nsfw": backend.moderation.score(photo),
            }
    return out


def diff(before: dict, after: dict) -> None:
    """Print the largest change of each kind and every photo whose reported faces or labels changed."""
    worst = {"face box": 0.0, "face confidence": 0.0, "similarity": 0.0, "label confidence": 0.0,
             "object score": 0.0, "nsfw": 0.0}
    for name, old in before.items():
        new = after[name]
        if len(old["faces"]) != len(new["faces"]):
            print(f"{name}: faces {len(old['faces'])} -> {len(new['faces'])}")
        for a, b in zip(old["faces"], new["faces"], strict=False):
            worst["face box"] = max(worst["face box"], *(abs(x - y) for x, y in zip(a[:4], b[:4], strict=True)))
            worst["face confidence"] = max(worst["face confidence"], abs(a[4] - b[4]))
            worst["similarity"] = max(worst["similarity"], abs(a[6] - b[6]))
            if a[5] != b[5]:
                print(f"{name}: a face's orientation {a[5]} -> {b[5]}")
        if set(old["labels"]) != set(new["labels"]):
            print(f"{name}: labels -{sorted(set(old['labels']) - set(new['labels']))} "
                  f"+{sorted(set(new['labels']) - set(old['labels']))}")
        for label in set(old["labels"]) & set(new["labels"]):
            worst["label confidence"] = max(worst["label confidence"],
                                            abs(old["labels"][label][0] - new["labels"][label][0]))
            if len(old["labels"][label][1]) != len(new["labels"][label][1]):
                print(f"{name}: {label} boxes {len(old['labels'][label][1])} -> {len(new['labels'][label][1])}")
        old_objects, new_objects = sorted(old["objects"]), sorted(new["objects"])
        if [c for c, _ in old_objects] != [c for c, _ in new_objects]:
            print(f"{name}: object classes {[c for c, _ in old_objects]} -> {[c for c, _ in new_objects]}")
        else:
            worst["object score"] = max([worst["object score"]] + [abs(a[1] - b[1]) for a, b in
                                                                   zip(old_objects, new_objects, strict=True)])
        worst["nsfw"] = max(worst["nsfw"], abs(old["nsfw"] - new["nsfw"]))
    print(f"{len(before)} photos; largest changes: " + ", ".join(f"{k} {v:.4f}" for k, v in worst.items()))
    print("(face box in ratios of the photo; confidences and similarity 0-100; object and nsfw scores 0-1)")


def main() -> None:
    """Dump or diff."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--diff", type=Path, nargs=2)
    parser.add_argument("folder", type=Path, nargs="?", default=Path("/tmp/peer-photos"))
    args = parser.parse_args()
    if args.diff:
        diff(*(json.loads(p.read_text()) for p in args.diff))
    elif args.dump:
        args.dump.write_text(json.dumps(dump(args.folder)))
        print(f"wrote {args.dump}")
    else:
        parser.error("give --dump FILE or --diff BEFORE AFTER")


if __name__ == "__main__":
    main()
