"""The clustering rule itself: join the best neighbour's cluster; merge another only on two links."""
from datetime import UTC, datetime
from types import SimpleNamespace

from webapp.domain import BoundingBox, FaceMatch
from webapp.services.unknown import UnknownFaces


class Prints:
    """Neighbours fixed by the test; indexing hands out ids."""

    def __init__(self, matches):
        self.matches = matches

    def search(self, photo, face, threshold, limit=1):
        return [m for m in self.matches if m.similarity >= threshold][:limit]

    def index(self, photo, face, cluster_id):
        return "new"


class Store:
    """Known clusters of the neighbours; records merges and additions."""

    def __init__(self, clusters):
        self.clusters, self.merged, self.added = clusters, [], []

    def clusters_of(self, ids):
        return {i: self.clusters[i] for i in ids if i in self.clusters}

    def merge_clusters(self, into, others):
        self.merged.append((into, sorted(others)))

    def add_unknown(self, face):
        self.added.append(face)


def _place(matches, clusters):
    store = Store(clusters)
    service = UnknownFaces(SimpleNamespace(unknown_prints=Prints(matches), unknown=store), None, 95.0)
    analysis = SimpleNamespace(id="a" * 32, created_at=datetime.now(UTC))
    service._place(analysis, 0, None, SimpleNamespace(bounding_box=BoundingBox(0, 0, 0.1, 0.1)))
    return store


def test_a_face_with_no_neighbour_starts_a_cluster():
    store = _place([FaceMatch("x", 90.0)], {"x": "c1"})  # 90 is below the clustering threshold
    (face,) = store.added
    assert face.cluster_id != "c1" and len(face.cluster_id) == 32 and store.merged == [(face.cluster_id, [])]


def test_a_face_joins_its_best_neighbours_cluster_without_chaining_on_one_link():
    store = _place([FaceMatch("a", 99.0), FaceMatch("b", 97.0)], {"a": "c1", "b": "c2"})
    assert store.added[0].cluster_id == "c1" and store.merged == [("c1", [])]


def test_two_links_to_another_cluster_merge_it_in():
    matches = [FaceMatch("a", 99.0), FaceMatch("b", 98.0), FaceMatch("c", 97.0)]
    store = _place(matches, {"a": "c1", "b": "c2", "c": "c2"})
    assert store.added[0].cluster_id == "c1" and store.merged == [("c1", ["c2"])]
