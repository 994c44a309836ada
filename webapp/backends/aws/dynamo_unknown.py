"""The UnknownFaceStore port on DynamoDB's main table.

    item           pk                 sk                       gsi1pk      gsi1sk
    unknown face   UFACE#<face id>    UFACE                    -           -        (cluster_id, member_sk, …)
    membership     UCLUSTER#<id>      FACE#<created>#<face id> -           -        (the face's fields)
    cluster head   UCLUSTER#<id>      CLUSTER                  UCLUSTERS   <id>     (size, latest)
    analysis link  ANALYSIS#<id>      UFACE#<face id>          -           -

What must be exact is read strongly consistently from a partition, never from the lagging
GSI: a cluster's faces (enrol, ignore, merge) from the cluster's own partition, a face's
cluster from its item, an analysis's unknown faces (retention) from the analysis partition.
Only "which clusters exist, biggest first" reads gsi1 (one head per cluster, not per face);
a cluster made a moment ago may be missing from that list for that moment.
"""
from __future__ import annotations

from datetime import datetime

from webapp.backends.aws.dynamo_items import key, sortable_time, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables
from webapp.domain import BoundingBox, UnknownCluster, UnknownFace


def _face(values: dict) -> UnknownFace:
    """An UnknownFace from its item or membership."""
    box = BoundingBox(*(float(values[k]) for k in ("left", "top", "width", "height")))
    return UnknownFace(values["face_id"], values["analysis_id"], int(values["position"]), box,
                       values["cluster_id"], datetime.fromisoformat(values["created_at"]))


def _fields(face: UnknownFace, cluster_id: str) -> dict:
    """The attributes a face item and its membership share."""
    b = face.bounding_box
    return {"face_id": face.face_id, "analysis_id": face.analysis_id, "position": face.position, "left": b.left,
            "top": b.top, "width": b.width, "height": b.height, "cluster_id": cluster_id,
            "created_at": sortable_time(face.created_at)}


class DynamoUnknown(DynamoTables):
    """Unknown faces, their clusters, and the link from each analysis to its unknown faces."""

    def _grow(self, cluster_id: str, by: int, latest: str | None = None) -> None:
        """Change a cluster head's size (creating the head on first use)."""
        update = "ADD #s :d SET gsi1pk = :p, gsi1sk = :c" + (", latest = :l" if latest else "")
        values = {":d": by, ":p": "UCLUSTERS", ":c": cluster_id, **({":l": latest} if latest else {})}
        self.db.call("update_item", TableName=self.table, Key=key(f"UCLUSTER#{cluster_id}", "CLUSTER"),
                     UpdateExpression=update, ExpressionAttributeNames={"#s": "size"},
                     ExpressionAttributeValues=to_item(values))

    def _join(self, face: UnknownFace, cluster_id: str) -> None:
        """Write the face's membership in a cluster and point its item at it."""
        fields = _fields(face, cluster_id)
        member = f"FACE#{fields['created_at']}#{face.face_id}"
        self._put({"pk": f"UCLUSTER#{cluster_id}", "sk": member, **fields})
        self._put({"pk": f"UFACE#{face.face_id}", "sk": "UFACE", "member_sk": member, **fields})

    def add_unknown(self, face: UnknownFace) -> None:
        """Membership and face item, the analysis link, then the cluster's size."""
        self._join(face, face.cluster_id)
        self._put({"pk": f"ANALYSIS#{face.analysis_id}", "sk": f"UFACE#{face.face_id}"})
        self._grow(face.cluster_id, 1, sortable_time(face.created_at))

    def _items(self, face_ids: list[str]) -> list[dict]:
        """The face items of these ids that exist (read consistently)."""
        keys = [key(f"UFACE#{fid}", "UFACE") for fid in dict.fromkeys(face_ids)]
        return self.db.batch_get(self.table, keys, ConsistentRead=True)

    def clusters_of(self, face_ids: list[str]) -> dict[str, str]:
        """Face id → cluster id."""
        return {v["face_id"]: v["cluster_id"] for v in self._items(face_ids)}

    def _members(self, cluster_id: str) -> list[dict]:
        """The membership items of one cluster, oldest first (its partition, read consistently)."""
        return self._partition(f"UCLUSTER#{cluster_id}", "FACE#")

    def merge_clusters(self, into: str, others: list[str]) -> None:
        """Move every face of the other clusters into `into` (new membership first), then drop their heads."""
        for other in others:
            members = self._members(other)
            for values in members:
                self._join(_face(values), into)
                self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))
            self._grow(into, len(members))
            self.db.call("delete_item", TableName=self.table, Key=key(f"UCLUSTER#{other}", "CLUSTER"))

    def list_clusters(self, limit: int, sample: int) -> list[UnknownCluster]:
        """The biggest clusters first (ties: the most recent), each with its newest faces."""
        heads = [h for h in self._index("UCLUSTERS") if int(h.get("size", 0)) > 0]
        heads.sort(key=lambda h: (int(h["size"]), h.get("latest", "")), reverse=True)
        clusters = []
        for head in heads[:limit]:
            members = self._members(head["gsi1sk"])
            if members:
                newest = tuple(_face(v) for v in reversed(members[-sample:]))
                clusters.append(UnknownCluster(head["gsi1sk"], len(members), newest))
        return clusters

    def unknown_in(self, cluster_id: str) -> list[UnknownFace]:
        """Every face of one cluster, oldest first."""
        return [_face(v) for v in self._members(cluster_id)]

    def unknown_of_analysis(self, analysis_id: str) -> list[UnknownFace]:
        """The unknown faces kept from one analysis (the links in its partition)."""
        links = self._partition(f"ANALYSIS#{analysis_id}", "UFACE#")
        faces = [_face(v) for v in self._items([link["sk"][len("UFACE#"):] for link in links])]
        return sorted(faces, key=lambda f: f.position)

    def delete_unknown(self, face_ids: list[str]) -> None:
        """Delete each face's link, membership and item, and shrink its cluster (the head goes at 0)."""
        found = self._items(face_ids)
        for values in found:
            for pk, sk in ((f"ANALYSIS#{values['analysis_id']}", f"UFACE#{values['face_id']}"),
                           (f"UCLUSTER#{values['cluster_id']}", values.get("member_sk", "")),
                           (values["pk"], values["sk"])):
                if sk:
                    self.db.call("delete_item", TableName=self.table, Key=key(pk, sk))
            self._grow(values["cluster_id"], -1)
        heads = [key(f"UCLUSTER#{c}", "CLUSTER") for c in sorted({v["cluster_id"] for v in found})]
        for head in self.db.batch_get(self.table, heads, ConsistentRead=True):
            if int(head.get("size", 0)) <= 0:
                self.db.call("delete_item", TableName=self.table, Key=key(head["pk"], head["sk"]))

    def all_unknown_ids(self) -> list[str]:
        """Every unknown face id with an item (a consistent scan: only for consistency checks)."""
        rows = self.db.scan(TableName=self.table, ProjectionExpression="face_id, pk", ConsistentRead=True,
                            FilterExpression="begins_with(pk, :u)", ExpressionAttributeValues=to_item({":u": "UFACE#"}))
        return sorted(r["face_id"] for r in rows)
