"""Search latency and recall@1 at 1k, 10k, 100k and 1M enrolled faces (prints numbers; not a test).

Run: python bench/scale.py [--sizes 1000,10000,100000,1000000] [--queries 300]
Enrolled faces are synthetic vectors spread like real SFace faceprints (bench/common.py
synthetic_faces, fitted on the faces of the PyPI test photos). Two kinds of query:
"returning" people (an enrolled face plus noise, cosine ~0.65 to it, like a new photo of
an enrolled person) and "strangers" (fresh synthetic faces, nobody enrolled). Recall@1 is
against exact search over the same vectors. Every search goes through VectorIndex, i.e.
SQLite + (above the threshold) the HNSW graph + exact re-scoring, as in the app.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import DOCS, machine, p95, source_image, synthetic_faces, timed

from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.vector_index import VectorIndex

SAME_PERSON_COSINE = 0.65


def real_faceprints() -> np.ndarray:
    """SFace faceprints of every face in the PyPI and scikit-image photos."""
    from tests.photos import PHOTO_NAMES

    engine, vectors = FaceEngine(), []
    for name in (*PHOTO_NAMES, "astronaut"):
        rgb = np.asarray(source_image(name))
        vectors += [engine.embed(rgb, face) for face in engine.detect(rgb)]
    return np.stack(vectors)


def returning(enrolled: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(queries, which enrolled row each came from): new photos of enrolled people."""
    rows = rng.choice(len(enrolled), n, replace=False)
    # |noise| = tan(arccos(c)) puts the query at cosine c from its source vector.
    spread = np.tan(np.arccos(SAME_PERSON_COSINE)) / np.sqrt(enrolled.shape[1])
    queries = enrolled[rows] + spread * rng.standard_normal((n, enrolled.shape[1])).astype(np.float32)
    return (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32), rows


def fill(path: Path, vectors: np.ndarray) -> float:
    """Enrol the vectors into a fresh SQLite index in chunks; returns seconds."""
    index = VectorIndex(path)
    start = time.perf_counter()
    for lo in range(0, len(vectors), 50_000):
        index.add_many([(f"f{lo + i}", v) for i, v in enumerate(vectors[lo:lo + 50_000])])
    return time.perf_counter() - start


def run_queries(index: VectorIndex, queries: np.ndarray, truth: np.ndarray) -> tuple[list[float], float]:
    """(per-search seconds, recall@1) of top-1 searches against exact answers."""
    times, hits = [], 0
    for query, want in zip(queries, truth, strict=True):
        seconds, found = timed(index.search, query, 1)
        times.append(seconds)
        hits += bool(found) and found[0][0] == f"f{want}"
    return times, hits / len(queries)


def exact_top1(enrolled: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Ground truth rows and the time of a plain exact scan (numpy einsum) per query."""
    truth, times = [], []
    for query in queries:
        seconds, scores = timed(np.einsum, "ij,j->i", enrolled, query)  # as the exact path does
        times.append(seconds)
        truth.append(int(np.argmax(scores)))
    return np.asarray(truth), times


def bench_size(n: int, real: np.ndarray, n_queries: int, tmp: Path) -> dict:
    """Fill, build or load, then search an index of n faces; print one block, return its numbers."""
    rng = np.random.default_rng(n)
    enrolled = synthetic_faces(real, n, seed=n)
    queries = {"returning": returning(enrolled, n_queries, rng)[0],
               "strangers": synthetic_faces(real, n_queries, seed=n + 1)}
    path = tmp / f"n{n}" / "vectors.sqlite3"
    fill_s = fill(path, enrolled)
    first_s, _ = timed(VectorIndex(path).search, queries["returning"][0])  # builds the graph above the threshold
    index = VectorIndex(path)
    load_s, _ = timed(index.search, queries["returning"][0])  # another worker: checkpoint load
    mode = index.status()["mode"]
    print(f"\n{n:>9,} faces ({mode}): enrol {fill_s:.1f} s ({n / fill_s:,.0f}/s); first search (build, if any) "
          f"{first_s:.2f} s; new worker's first search (load) {load_s:.2f} s")
    result = {"n": n, "mode": mode, "build_s": first_s, "load_s": load_s}
    for kind, qs in queries.items():
        truth, exact_times = exact_top1(enrolled, qs)
        times, recall = run_queries(index, qs, truth)
        print(f"  {kind:<9} VectorIndex.search median {statistics.median(times) * 1e3:6.2f} ms, "
              f"p95 {p95(times) * 1e3:6.2f} ms, recall@1 {recall:.3f}   "
              f"(exact scan: median {statistics.median(exact_times) * 1e3:6.2f} ms)")
        result[kind] = (statistics.median(times) * 1e3, p95(times) * 1e3, recall, statistics.median(exact_times) * 1e3)
    result["update_ms"] = update_cost(index, enrolled, rng)
    if mode == "approximate":
        size_mb = index.ann_path.stat().st_size / 1e6
        print(f"  checkpoint {size_mb:.0f} MB (about the index's memory in each worker)")
        k_factor_sweep(index, queries, enrolled)
    return result


def update_cost(index: VectorIndex, enrolled: np.ndarray, rng: np.random.Generator) -> float:
    """Milliseconds of one enrolment plus the next search (which replays it into this worker's copy)."""
    vector = enrolled[0] + 0.01 * rng.standard_normal(enrolled.shape[1]).astype(np.float32)
    start = time.perf_counter()
    index.add("new-face", vector)
    found = index.search(vector, 1)
    seconds = time.perf_counter() - start
    assert found[0][0] == "new-face", found
    print(f"  one enrolment + the search that catches up with it: {seconds * 1e3:.1f} ms")
    return seconds * 1e3


def k_factor_sweep(index: VectorIndex, queries: dict[str, np.ndarray], enrolled: np.ndarray) -> None:
    """Recall/latency at several first-pass candidate counts (k_factor x 10 candidates), both query kinds."""
    ann = index._state.ann  # bench only: change the live index's candidate count
    default, truths = ann.k_factor, {kind: exact_top1(enrolled, qs)[0] for kind, qs in queries.items()}
    for k_factor in (5, 10, 25, 50, 100):
        ann.k_factor = k_factor
        cells = []
        for kind, qs in queries.items():
            times, recall = run_queries(index, qs, truths[kind])
            cells.append(f"{kind} median {statistics.median(times) * 1e3:5.2f} ms recall@1 {recall:.3f}")
        print(f"  k_factor {k_factor:>3}: " + "; ".join(cells))
    ann.k_factor = default


def plot(results: list[dict], path: Path) -> None:
    """Search latency against collection size, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["n"] for r in results]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(sizes, [r["returning"][0] for r in results], "o-", label="Glimpse search (median)")
    ax.loglog(sizes, [r["returning"][1] for r in results], "o--", label="Glimpse search (p95)")
    ax.loglog(sizes, [r["returning"][3] for r in results], "s:", label="exact scan, numpy einsum (median)")
    ax.axhline(5, color="grey", lw=0.8)
    ax.set_xlabel("enrolled faces")
    ax.set_ylabel("ms per top-1 search")
    ax.set_title("Face search latency vs collection size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Run every size and print a summary table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--plot", type=Path, default=DOCS / "scale.png")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    real = real_faceprints()
    print(f"{len(real)} real faceprints fitted; goal: 1M faces top-1 <= 5 ms at recall@1 >= 0.99")
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench_size(int(n), real, args.queries, Path(tmp)) for n in args.sizes.split(",")]
    print("\n| faces | mode | search median / p95 (returning) | recall@1 returning / strangers | exact scan |")
    for r in results:
        ret, strange = r["returning"], r["strangers"]
        print(f"| {r['n']:,} | {r['mode']} | {ret[0]:.2f} / {ret[1]:.2f} ms | {ret[2]:.3f} / {strange[2]:.3f} "
              f"| {ret[3]:.2f} ms |")
    plot(results, args.plot)
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
