"""Cost and quality of placing a new unknown face among 10k and 100k kept ones (prints numbers; not a test).

Run: python bench/unknown_clusters.py [--sizes 10000,100000] [--arrivals 300] [--thresholds 80,90]
Kept unknown faces are synthetic strangers spread like real SFace faceprints (bench/common.py
synthetic_faces), each seen three times; two sightings of one person are at cosine ~0.65, the
typical same-person SFace pair (README: 0.589 for degraded copies, 0.689 and up otherwise).
They are stored already clustered by person. Arrivals are half new sightings of kept
strangers, half new strangers. Each arrival goes through the app's own placement
(UnknownFaces._place: k = 10 search in a VectorIndex, SqliteUnknown clusters_of, merge, add)
with the vector handed in, i.e. without the faceprint computation (~15-30 ms per face with
SFace, docs/performance.md). Also timed: listing the 50 biggest clusters.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from common import machine, p95, synthetic_faces
from scale import real_faceprints

from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.sqlite_unknown import SqliteUnknown
from webapp.backends.local.vector_index import VectorIndex
from webapp.domain import BoundingBox, FaceMatch
from webapp.services.unknown import UnknownFaces

SIGHTINGS = 3
PAIR_COSINE = 0.65  # between two sightings of one person; each is at sqrt(0.65) from the person
BOX = BoundingBox(0.1, 0.1, 0.2, 0.2)


class VectorPrints:
    """The unknown-face collection with the faceprint handed in as the "photo" (no model call)."""

    def __init__(self, vectors: VectorIndex):
        self.vectors = vectors
        self.count = 0

    def search(self, photo, face, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """As LocalFaceCollection.search, on a ready vector."""
        found = (FaceMatch(fid, FaceEngine.similarity(cos)) for fid, cos in self.vectors.search(photo, limit))
        return [m for m in found if m.similarity >= threshold]

    def index(self, photo, face, person_id: str) -> str:
        """As LocalFaceCollection.index, on a ready vector."""
        self.count += 1
        self.vectors.add(f"new{self.count}", photo)
        return f"new{self.count}"


def sightings(people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One new sighting (photo) of each person: the person plus noise at cosine sqrt(PAIR_COSINE)."""
    spread = np.tan(np.arccos(np.sqrt(PAIR_COSINE))) / np.sqrt(people.shape[1])
    seen = people + spread * rng.standard_normal(people.shape).astype(np.float32)
    return (seen / np.linalg.norm(seen, axis=1, keepdims=True)).astype(np.float32)


def fill(tmp: Path, people: np.ndarray) -> tuple[VectorIndex, SqliteUnknown]:
    """SIGHTINGS kept faces per person, clustered by person; returns the index and the rows."""
    index, rows = VectorIndex(tmp / "unknown.sqlite3"), SqliteUnknown(tmp / "glimpse.sqlite3")
    now, box = datetime.now(UTC).isoformat(), (BOX.left, BOX.top, BOX.width, BOX.height)
    for s in range(SIGHTINGS):
        seen = sightings(people, np.random.default_rng(s + 10))
        index.add_many([(f"p{i}s{s}", v) for i, v in enumerate(seen)])
        with rows._db(write=True) as db:  # bulk insert: the bench fills, the app adds one at a time
            db.executemany("INSERT INTO unknown_faces VALUES (?,?,?,?,?,?,?,?,?)",
                           [(f"p{i}s{s}", f"a{i}s{s}", 0, *box, f"c{i}", now) for i in range(len(people))])
    return index, rows


def bench_size(n: int, real: np.ndarray, arrivals: int, tmp: Path, threshold: float) -> dict:
    """Fill n kept faces, then place `arrivals` new ones; times and where they landed."""
    people = synthetic_faces(real, n // SIGHTINGS + arrivals // 2, seed=n)
    kept, strangers = people[: n // SIGHTINGS], people[n // SIGHTINGS:]
    index, rows = fill(tmp, kept)
    service = UnknownFaces(SimpleNamespace(unknown_prints=VectorPrints(index), unknown=rows), None, threshold)
    which = np.random.default_rng(99).choice(len(kept), arrivals // 2, replace=False)
    again = sightings(kept[which], np.random.default_rng(98))
    times, joined, alone = [], 0, 0
    for k, vector in enumerate([*again, *strangers]):
        analysis = SimpleNamespace(id=f"arrival{k}", created_at=datetime.now(UTC))
        start = time.perf_counter()
        service._place(analysis, 0, vector, SimpleNamespace(bounding_box=BOX))
        times.append(time.perf_counter() - start)
        (cluster,) = rows.clusters_of([f"new{k + 1}"]).values()
        if k < len(again):
            joined += cluster == f"c{which[k]}"
        else:
            alone += not cluster.startswith("c")
    start = time.perf_counter()
    rows.list_clusters(50, 6)
    return {"n": n, "threshold": threshold, "mode": index.status().get("mode", "?"),
            "median": statistics.median(times) * 1000, "p95": p95(times) * 1000, "joined": joined / len(again),
            "alone": alone / len(strangers), "list_ms": (time.perf_counter() - start) * 1000}


def main() -> None:
    """Run every size and threshold and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--arrivals", type=int, default=300)
    parser.add_argument("--thresholds", default="80,90", help="similarity needed to join a cluster")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    real = real_faceprints()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes.split(","):
            for threshold in args.thresholds.split(","):
                folder = Path(tmp) / f"{n}-{threshold}"
                folder.mkdir()
                results.append(bench_size(int(n), real, args.arrivals, folder, float(threshold)))
    print("\n| kept unknown faces | threshold | index | place one face: median / p95 | returning joined their "
          "cluster | new strangers started one | 50 biggest clusters listed |")
    for r in results:
        print(f"| {r['n']:,} | {r['threshold']:.0f} | {r['mode']} | {r['median']:.2f} / {r['p95']:.2f} ms "
              f"| {r['joined']:.1%} | {r['alone']:.1%} | {r['list_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
