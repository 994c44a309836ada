"""The AnalysisStore port on DynamoDB: analysis items plus markers (people, owner, labels, words) to list them by."""
from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.clients import error_code
from webapp.backends.aws.dynamo_items import MAIN_GSI, key, person_pk, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables
from webapp.domain import Analysis, HistoryFilter, TextDetection
from webapp.errors import NotFound
from webapp.words import word_key

PAGE = 50  # analyses fetched per BatchGetItem while filling a filtered listing


class DynamoAnalyses(DynamoTables):
    """Analyses in the main table (gsi1 partition ANALYSES sorted by time)."""

    def save_analysis(self, analysis: Analysis) -> None:
        """Store the analysis and a marker in the partition of each person it names."""
        values = items.analysis_item(analysis)
        markers = items.history_markers(values)
        self.db.batch_write(self.table, [{"PutRequest": {"Item": to_item(v)}} for v in [values, *markers]])

    def save_text(self, analysis_id: str, text: list[TextDetection]) -> None:
        """Write the text's word markers, then set the text attribute; NotFound if the analysis was deleted.

        Markers go first so that a delete racing this call finds them in the partition (it sweeps
        the partition after removing the item); if the item is already gone, the markers are removed here.
        """
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        markers = items.word_markers({**values, "text": items.text_values(text)}) if values else []
        stale = {m["sk"] for m in items.word_markers(values or {})} - {m["sk"] for m in markers}
        self.db.batch_write(self.table, [{"PutRequest": {"Item": to_item(m)}} for m in markers])
        try:
            self.db.call(
                "update_item", passthrough=("ConditionalCheckFailedException",), TableName=self.table,
                Key=key(f"ANALYSIS#{analysis_id}", items.ANALYSIS), UpdateExpression="SET #t = :t",
                ConditionExpression="attribute_exists(pk)", ExpressionAttributeNames={"#t": "text"},
                ExpressionAttributeValues=to_item({":t": items.text_values(text)}),
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                self._delete_keys([key(m["pk"], m["sk"]) for m in markers])
                raise NotFound("There is no analysis with that id.") from exc
            raise
        self._delete_keys([key(f"ANALYSIS#{analysis_id}", sk) for sk in sorted(stale)])  # words of a text read before

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis with current names, or None."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        return self._analyses([values])[0] if values else None

    def list_analyses(self, limit: int, only: HistoryFilter | None = None) -> list[Analysis]:
        """The newest analyses first: all (gsi1 ANALYSES) or one owner's / person's / word's / label's (markers)."""
        if limit <= 0:
            return []
        only = only or HistoryFilter()
        if only == HistoryFilter():
            return self._analyses(self._index("ANALYSES", newest_first=True, limit=limit))
        if only.owner is not None:
            partition = f"OWNER#{only.owner}"
        elif only.person_id is not None:
            partition = f"{items.SEEN}{only.person_id}"
        elif only.word is not None:
            partition = f"{items.WORD}{word_key(only.word)}"
        else:
            assert only.label is not None  # the empty filter returned above
            partition = f"LABEL#{only.label.casefold()}"
        return self._filled(partition, only, limit)

    def _filled(self, partition: str, only: HistoryFilter, limit: int) -> list[Analysis]:
        """Walk one marker partition newest first, fetching analyses a page at a time, until `limit` pass."""
        markers = self.db.query(TableName=self.table, IndexName=MAIN_GSI, KeyConditionExpression="gsi1pk = :p",
                                ExpressionAttributeValues=to_item({":p": partition}), ScanIndexForward=False)
        found: list[Analysis] = []
        while len(found) < limit:
            ids = [m["analysis_id"] for _, m in zip(range(PAGE), markers, strict=False)]
            if not ids:
                break
            rows = {v["id"]: v for v in self.db.batch_get(self.table, [key(f"ANALYSIS#{a}", items.ANALYSIS)
                                                                        for a in dict.fromkeys(ids)])}
            page = self._analyses([rows[a] for a in dict.fromkeys(ids) if a in rows])
            found += [a for a in page if only.matches(a)]
        return found[:limit]

    def analyses_before(self, cutoff: datetime, limit: int) -> list[Analysis]:
        """Up to `limit` analyses created before cutoff, oldest first (gsi1 ANALYSES, gsi1sk < cutoff)."""
        if limit <= 0:
            return []
        rows = self.db.query(
            TableName=self.table, IndexName=MAIN_GSI, KeyConditionExpression="gsi1pk = :p AND gsi1sk < :c",
            ExpressionAttributeValues=to_item({":p": "ANALYSES", ":c": items.sortable_time(cutoff)}),
            ScanIndexForward=True, Limit=limit,
        )
        return self._analyses(list(rows))

    def relink(self, from_person_id: str, to_person_id: str | None, face_ids: list[str] | None = None) -> None:
        """Rename faces in the analyses from_person's SEEN# markers list; markers follow (new one first)."""
        markers = self.db.query(
            TableName=self.table, KeyConditionExpression="pk = :p AND begins_with(sk, :s)", ConsistentRead=True,
            ExpressionAttributeValues=to_item({":p": person_pk(from_person_id), ":s": items.SEEN}),
        )
        for marker in list(markers):
            self._relink_one(marker["sk"][len(items.SEEN):], from_person_id, to_person_id, face_ids)

    def _relink_one(self, analysis_id: str, from_id: str, to_id: str | None, face_ids: list[str] | None) -> None:
        """One analysis: its faces renamed, the new person's marker written, the old one's removed if unused."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            self.db.call("delete_item", TableName=self.table, Key=key(person_pk(from_id), f"{items.SEEN}{analysis_id}"))
            return
        faces = items.relinked(values.get("faces", []), from_id, to_id, face_ids)
        if to_id:
            self.db.call("put_item", TableName=self.table, Item=to_item(
                {"pk": person_pk(to_id), "sk": f"{items.SEEN}{analysis_id}", "gsi1pk": f"{items.SEEN}{to_id}",
                 "gsi1sk": values["gsi1sk"], "analysis_id": analysis_id}))
        self.db.call("update_item", TableName=self.table, Key=key(values["pk"], values["sk"]),
                     UpdateExpression="SET faces = :f", ExpressionAttributeValues=to_item({":f": faces}))
        if from_id not in items.person_ids_in({"faces": faces}):
            self.db.call("delete_item", TableName=self.table, Key=key(person_pk(from_id), f"{items.SEEN}{analysis_id}"))

    def name_face(self, analysis_id: str, position: int, person_id: str, face_id: str) -> None:
        """Name one face of a past analysis: the person's marker first, then the face in the item."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            return
        self.db.call("put_item", TableName=self.table, Item=to_item(
            {"pk": person_pk(person_id), "sk": f"{items.SEEN}{analysis_id}", "gsi1pk": f"{items.SEEN}{person_id}",
             "gsi1sk": values["gsi1sk"], "analysis_id": analysis_id}))
        faces = [dict(f) for f in values.get("faces", [])]
        faces[position] = {**faces[position], "person_id": person_id, "similarity": None, "face_id": face_id}
        self.db.call("update_item", TableName=self.table, Key=key(values["pk"], values["sk"]),
                     UpdateExpression="SET faces = :f", ExpressionAttributeValues=to_item({":f": faces}))

    def delete_analysis(self, analysis_id: str) -> None:
        """Delete the SEEN# markers of the people it names, then the analysis and its partition's markers.

        The partition is read again after the item is gone: word markers a racing save_text wrote
        before its update are removed too (no word of a deleted analysis stays findable).
        """
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            return
        self._delete_keys([key(m["pk"], m["sk"]) for m in items.history_markers(values)])
        self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))
        self._delete_keys([key(m["pk"], m["sk"]) for m in self._partition(values["pk"])])

    def _delete_keys(self, keys: list[dict]) -> None:
        """Delete these main-table items (absent ones are ignored)."""
        self.db.batch_write(self.table, [{"DeleteRequest": {"Key": k}} for k in keys])

    def _analyses(self, rows: list[dict]) -> list[Analysis]:
        """Analyses named with the people who exist now (a forgotten person is Unknown, unscored)."""
        people = self._people(set().union(*(items.person_ids_in(v) for v in rows)))
        return [items.analysis_from(v, people) for v in rows]
