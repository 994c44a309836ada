"""The Rekognition endpoint as a client sees it: index people, search other photos of them and strangers.

Starts a real Glimpse (gunicorn, local mode, real models) on a loopback port, then with boto3
as shipped: creates a collection, indexes one LFW photo of each of N people (ExternalImageId =
their name), searches with another photo of each (the right name should come back) and with a
photo of N people never indexed (nothing should come back). Prints the counts and the
latency of each call over HTTP. Needs ../shared/lfw-dev (skips with a message without it).

    .venv/bin/python bench/rekognition_holdout.py [--people 50]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LFW = ROOT.parent / "shared" / "lfw-dev" / "images"
if not LFW.is_dir():
    LFW = Path("/work/shared/lfw-dev/images")


def _people(count: int) -> tuple[list[tuple[str, list[Path]]], list[Path]]:
    """N people with two or more photos, and N other people's single photos (strangers)."""
    folders = sorted(p for p in LFW.iterdir() if p.is_dir())
    known = [(f.name, sorted(f.glob("*.jpg"))) for f in folders]
    enrolled = [(name, photos) for name, photos in known if len(photos) >= 2][:count]
    strangers = [photos[0] for _, photos in known if len(photos) == 1][:count]
    return enrolled, strangers


def _timed(call, timings: list[float]):
    start = time.perf_counter()
    result = call()
    timings.append(time.perf_counter() - start)
    return result


def _external(name: str) -> str:
    """A name as an ExternalImageId (the model allows [a-zA-Z0-9_.\\-:]+)."""
    return re.sub(r"[^a-zA-Z0-9_.\-:]", "_", name)


def _run(rek, enrolled, strangers) -> dict:
    """Index, search, and count what came back."""
    counts = {"unindexed": 0, "right": 0, "wrong": 0, "missed": 0, "strangers_matched": 0,
              "index_times": [], "search_times": []}
    rek.create_collection(CollectionId="holdout")
    for name, photos in enrolled:
        external = _external(name)
        answer = _timed(lambda p=photos[0], e=external: rek.index_faces(
            CollectionId="holdout", Image={"Bytes": p.read_bytes()}, ExternalImageId=e, MaxFaces=1),
            counts["index_times"])
        counts["unindexed"] += not answer["FaceRecords"]
    for name, photos in enrolled:
        top = _search(rek, photos[1], counts["search_times"])
        kind = "missed" if top is None else "right" if top == _external(name) else "wrong"
        counts[kind] += 1
    counts["strangers_matched"] = sum(_search(rek, p, counts["search_times"]) is not None for p in strangers)
    return counts


def main() -> None:
    """Run the hold-out check and print what came back."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    args = parser.parse_args()
    if not LFW.is_dir():
        print("skipped: ../shared/lfw-dev is not here (it is measuring data, never committed)")
        return
    import boto3

    from tests.rekognition.live import running_glimpse

    enrolled, strangers = _people(args.people)
    with tempfile.TemporaryDirectory() as tmp, running_glimpse(Path(tmp)) as live:
        rek = boto3.client("rekognition", endpoint_url=live.url, region_name="us-east-1",
                           aws_access_key_id=live.access_key_id, aws_secret_access_key=live.secret_access_key)
        c = _run(rek, enrolled, strangers)
    print(f"people: {len(enrolled)} ({c['unindexed']} photo(s) where IndexFaces indexed no face)")
    print(f"other photo of each: {c['right']} right, {c['wrong']} wrong person, {c['missed']} no match")
    print(f"strangers searched: {len(strangers)}; matched someone: {c['strangers_matched']}")
    for label, values in (("IndexFaces", c["index_times"]), ("SearchFacesByImage", c["search_times"])):
        print(f"{label}: median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms "
              f"over {len(values)} calls (HTTP, 250x250 JPEG)")


def _search(rek, photo: Path, timings: list[float]) -> str | None:
    """The ExternalImageId of the best match for the photo's largest face, or None."""
    answer = _timed(lambda: rek.search_faces_by_image(CollectionId="holdout", Image={"Bytes": photo.read_bytes()},
                                                      MaxFaces=1), timings)
    matches = answer["FaceMatches"]
    return matches[0]["Face"]["ExternalImageId"] if matches else None


if __name__ == "__main__":
    main()
