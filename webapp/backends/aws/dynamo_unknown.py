"""The UnknownFaceStore port on DynamoDB's main table.

    item           pk                 sk              gsi1pk              gsi1sk
    unknown face   UFACE#<face id>    UFACE           UCLUSTER#<cluster>  <created>#<face id>
    analysis link  ANALYSIS#<id>      UFACE#<face id> -                   -
    cluster head   UCLUSTER#<id>      CLUSTER         UCLUSTERS           <cluster id>   (size, latest)

A cluster's faces are one gsi1 Query; an analysis's unknown faces are in its own partition
(so retention finds them without a scan); "biggest first" reads the cluster heads (one item
per cluster, not per face) and sorts them by size.
"""
from __future__ import annotations

from datetime import datetime

from webapp.backends.aws.dynamo_items import key, sortable_time, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables
from webapp.domain import BoundingBox, UnknownCluster, UnknownFace


def _face(values: dict) -> UnknownFace:
    """An UnknownFace from its item."""
    box = BoundingBox(*(float(values[k]) for k in ("left", "top", "width", "height")))
    return UnknownFace(values["face_id"], values["analysis_id"], int(values["position"]), box,
                       values["cluster_id"], datetime.fromisoformat(values["created_at"]))


class DynamoUnknown(DynamoTables):
    """Unknown faces, their clusters, and the link from each analysis to its unknown faces."""

    def _grow(self, cluster_id: str, by: int, latest: str | None = None) -> None:
        """Change a cluster head's size (creating the head on first use)."""
        update = "ADD #s :d SET gsi1pk = :p, gsi1sk = :c" + (", latest = :l" if latest else "")
        values = {":d": by, ":p": "UCLUSTERS", ":c": cluster_id, **({":l": latest} if latest else {})}
        self.db.call("update_item", TableName=self.table, Key=key(f"UCLUSTER#{cluster_id}", "CLUSTER"),
                     UpdateExpression=update, ExpressionAttributeNames={"#s": "size"},
                     ExpressionAttributeValues=to_item(values))

    def add_unknown(self, face: UnknownFace) -> None:
        """The face item, the analysis link, then the cluster's size."""
        at, b = sortable_time(face.created_at), face.bounding_box
        self._put({"pk": f"UFACE#{face.face_id}", "sk": "UFACE", "gsi1pk": f"UCLUSTER#{face.cluster_id}",
                   "gsi1sk": f"{at}#{face.face_id}", "face_id": face.face_id, "analysis_id": face.analysis_id,
                   "position": face.position, "left": b.left, "top": b.top, "width": b.width, "height": b.height,
                   "cluster_id": face.cluster_id, "created_at": at})
        self._put({"pk": f"ANALYSIS#{face.analysis_id}", "sk": f"UFACE#{face.face_id}"})
        self._grow(face.cluster_id, 1, at)

    def _items(self, face_ids: list[str]) -> list[dict]:
        """The face items of these ids that exist."""
        keys = [key(f"UFACE#{fid}", "UFACE") for fid in dict.fromkeys(face_ids)]
        return self.db.batch_get(self.table, keys, ConsistentRead=True)

    def clusters_of(self, face_ids: list[str]) -> dict[str, str]:
        """Face id → cluster id."""
        return {v["face_id"]: v["cluster_id"] for v in self._items(face_ids)}

    def merge_clusters(self, into: str, others: list[str]) -> None:
        """Move every face of the other clusters into `into`, then drop their heads."""
        for other in others:
            faces = self._index(f"UCLUSTER#{other}")
            for values in faces:
                self.db.call("update_item", TableName=self.table, Key=key(values["pk"], values["sk"]),
                             UpdateExpression="SET cluster_id = :c, gsi1pk = :p",
                             ExpressionAttributeValues=to_item({":c": into, ":p": f"UCLUSTER#{into}"}))
            self._grow(into, len(faces))
            self.db.call("delete_item", TableName=self.table, Key=key(f"UCLUSTER#{other}", "CLUSTER"))

    def list_clusters(self, limit: int, sample: int) -> list[UnknownCluster]:
        """The biggest clusters first (ties: the most recent), each with its newest faces."""
        heads = [h for h in self._index("UCLUSTERS") if int(h.get("size", 0)) > 0]
        heads.sort(key=lambda h: (int(h["size"]), h.get("latest", "")), reverse=True)
        return [UnknownCluster(h["gsi1sk"], int(h["size"]), tuple(
            _face(v) for v in self._index(f"UCLUSTER#{h['gsi1sk']}", newest_first=True, limit=sample)))
            for h in heads[:limit]]

    def unknown_in(self, cluster_id: str) -> list[UnknownFace]:
        """Every face of one cluster, oldest first."""
        return [_face(v) for v in self._index(f"UCLUSTER#{cluster_id}")]

    def unknown_of_analysis(self, analysis_id: str) -> list[UnknownFace]:
        """The unknown faces kept from one analysis (the links in its partition)."""
        links = self.db.query(TableName=self.table, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                              ConsistentRead=True, ExpressionAttributeValues=to_item({":p": f"ANALYSIS#{analysis_id}",
                                                                                      ":s": "UFACE#"}))
        faces = [_face(v) for v in self._items([link["sk"][len("UFACE#"):] for link in links])]
        return sorted(faces, key=lambda f: f.position)

    def all_unknown_ids(self) -> list[str]:
        """Every unknown face id with an item (a scan: only for consistency checks)."""
        rows = self.db.scan(TableName=self.table, ProjectionExpression="face_id, pk",
                            FilterExpression="begins_with(pk, :u)", ExpressionAttributeValues=to_item({":u": "UFACE#"}))
        return sorted(r["face_id"] for r in rows)

    def delete_unknown(self, face_ids: list[str]) -> None:
        """Delete each face item and its analysis link, and shrink its cluster (the head goes at 0)."""
        found = self._items(face_ids)
        for values in found:
            self.db.call("delete_item", TableName=self.table, Key=key(f"ANALYSIS#{values['analysis_id']}",
                                                                      f"UFACE#{values['face_id']}"))
            self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))
            self._grow(values["cluster_id"], -1)
        heads = [key(f"UCLUSTER#{c}", "CLUSTER") for c in sorted({v["cluster_id"] for v in found})]
        for head in self.db.batch_get(self.table, heads, ConsistentRead=True):
            if int(head.get("size", 0)) <= 0:
                self.db.call("delete_item", TableName=self.table, Key=key(head["pk"], head["sk"]))
