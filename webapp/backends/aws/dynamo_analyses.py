"""The AnalysisStore port on DynamoDB: analysis items plus a SEEN# marker per person they name."""
from __future__ import annotations

from datetime import datetime

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.dynamo_items import MAIN_GSI, SEEN, key, person_pk, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables
from webapp.domain import Analysis


class DynamoAnalyses(DynamoTables):
    """Analyses in the main table (gsi1 partition ANALYSES sorted by time)."""

    def save_analysis(self, analysis: Analysis) -> None:
        """Store the analysis and a marker in the partition of each person it names."""
        values = items.analysis_item(analysis)
        markers = [{"pk": person_pk(pid), "sk": f"{SEEN}{analysis.id}"} for pid in sorted(items.person_ids_in(values))]
        self.db.batch_write(self.table, [{"PutRequest": {"Item": to_item(v)}} for v in [values, *markers]])

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis with current names, or None."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        return self._analyses([values])[0] if values else None

    def list_analyses(self, limit: int) -> list[Analysis]:
        """The newest analyses first (gsi1 partition ANALYSES, sorted by time)."""
        return self._analyses(self._index("ANALYSES", newest_first=True, limit=limit)) if limit > 0 else []

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

    def delete_analysis(self, analysis_id: str) -> None:
        """Delete the SEEN# markers of the people it names, then the analysis; absent ids are ignored."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            return
        markers = [key(person_pk(pid), f"{SEEN}{analysis_id}") for pid in sorted(items.person_ids_in(values))]
        self.db.batch_write(self.table, [{"DeleteRequest": {"Key": k}} for k in markers])
        self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))

    def _analyses(self, rows: list[dict]) -> list[Analysis]:
        """Analyses named with the people who exist now (a forgotten person is Unknown, unscored)."""
        people = self._people(set().union(*(items.person_ids_in(v) for v in rows)))
        return [items.analysis_from(v, people) for v in rows]
