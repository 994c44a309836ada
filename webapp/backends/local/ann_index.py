"""Approximate nearest-neighbour search for large collections (faiss), a derived cache of SQLite.

Two stages, both compressed: a 4-bit product-quantised scan ("fast scan", 32 bytes per
face, looked up in SIMD registers) ranks every face, then the best few hundred are
re-ranked with 8-bit scalar-quantised vectors (128 bytes per face); the caller re-scores
the final few exactly from SQLite, so the similarity it reports is exact and only the
candidate list is approximate. Positions in the index map to SQLite row keys through
`keys` (ascending, since keys only grow); removal compacts both stages and `keys` alike.

Why not HNSW: on faceprints (spread over nearly all of their 128 dimensions) HNSW needed
efSearch >= 1024 for recall@1 0.99 at 100k faces, reached only 0.71 at 1M within 5 ms,
and took 7.5 minutes to build 1M on 2 cores; this index builds 1M in ~2 s and keeps
recall@1 >= 0.99 at ~1 ms (bench/scale.py, docs/performance.md).
faiss is imported here, lazily, only when a collection is large enough to need it.
"""
from __future__ import annotations

import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PQ_SUBVECTORS = 64  # 4 bits each: 32 bytes of codes per face for the first pass
K_FACTOR = 50  # first-pass candidates per wanted result, re-ranked with the 8-bit vectors
TRAIN_SAMPLE = 100_000  # quantisers learn from at most this many faces (more adds time, not recall)
MIN_TRAIN = 1_024  # k-means wants ~40 points per centroid (16 per sub-quantiser)
FORMAT_VERSION = 2


def available() -> bool:
    """Whether faiss is installed (checked without importing it)."""
    return importlib.util.find_spec("faiss") is not None


def _faiss() -> Any:
    """The faiss module, imported on first need (it is big and only needed above the threshold)."""
    import faiss

    return faiss


@dataclass
class AnnIndex:
    """A two-stage quantised index plus the SQLite key of each position."""

    index: Any
    keys: np.ndarray  # int64, ascending: position -> SQLite key
    k_factor: int = K_FACTOR

    @classmethod
    def build(cls, keys: np.ndarray, matrix: np.ndarray) -> AnnIndex:
        """Train both quantisers on (a sample of) the vectors and insert them all."""
        faiss = _faiss()
        dim = matrix.shape[1]
        first = faiss.IndexPQFastScan(dim, PQ_SUBVECTORS, 4, faiss.METRIC_INNER_PRODUCT)
        second = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        index = faiss.IndexRefine(first, second)
        sample = np.ascontiguousarray(matrix[:TRAIN_SAMPLE], dtype=np.float32)
        if len(sample) < MIN_TRAIN:  # tiny collections (tests): repeat rows rather than under-train k-means
            sample = np.resize(sample, (MIN_TRAIN, dim))
        index.train(sample)
        ann = cls(index, np.zeros(0, dtype=np.int64))
        ann.add(keys, matrix)
        return ann

    @property
    def size(self) -> int:
        """How many vectors the index holds."""
        return len(self.keys)

    @property
    def max_key(self) -> int:
        """The largest key held (0 when empty)."""
        return int(self.keys[-1]) if len(self.keys) else 0

    def add(self, keys: np.ndarray, matrix: np.ndarray) -> None:
        """Insert vectors whose keys are all larger than max_key (keeps `keys` sorted)."""
        if not len(keys):
            return
        if len(self.keys) and int(keys[0]) <= self.max_key:
            raise ValueError("keys must grow: rebuild instead of re-adding")
        self.index.add(np.ascontiguousarray(matrix, dtype=np.float32))
        self.keys = np.concatenate([self.keys, np.asarray(keys, dtype=np.int64)])

    def remove(self, keys: list[int]) -> int:
        """Drop keys from both stages (unknown ones are ignored); returns how many were held."""
        positions = np.searchsorted(self.keys, keys)
        held = np.asarray(
            sorted({int(p) for k, p in zip(keys, positions, strict=True) if p < len(self.keys) and self.keys[p] == k}),
            dtype=np.int64,
        )
        if not len(held):
            return 0
        faiss = _faiss()
        # IndexRefine has no remove_ids of its own; both stages compact in the same order.
        for part in (self.index.base_index, self.index.refine_index):
            faiss.downcast_index(part).remove_ids(faiss.IDSelectorBatch(held))
        self.index.ntotal = faiss.downcast_index(self.index.base_index).ntotal
        self.keys = np.delete(self.keys, held)
        return len(held)

    def search(self, query: np.ndarray, k: int) -> list[int]:
        """Keys of up to k approximate nearest vectors, best first."""
        if not len(self.keys):
            return []
        params = _faiss().IndexRefineSearchParameters(k_factor=self.k_factor)
        _, found = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self.keys)), params=params)
        return [int(self.keys[p]) for p in found[0] if p >= 0]

    def save(self, path: Path, generation: int, origin: int) -> None:
        """Write a checkpoint atomically (temp file + rename), tagged with its database and generation."""
        blob = _faiss().serialize_index(self.index)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, version=FORMAT_VERSION, origin=origin, generation=generation, keys=self.keys, index=blob)
            os.replace(tmp, path)  # readers in other workers see the old file or the new one, never half
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, dim: int, origin: int) -> tuple[AnnIndex, int] | None:
        """(index, generation) from a checkpoint of database `origin`; None if absent, damaged or foreign."""
        try:
            with np.load(path) as data:
                if int(data["version"]) != FORMAT_VERSION or int(data["origin"]) != origin:
                    return None
                index = _faiss().deserialize_index(data["index"])
                keys, generation = data["keys"].astype(np.int64), int(data["generation"])
        except (OSError, ValueError, KeyError, RuntimeError):
            return None  # a missing or damaged cache is rebuilt from SQLite, never trusted
        if index.d != dim or index.ntotal != len(keys):
            return None
        return cls(index, keys), generation
