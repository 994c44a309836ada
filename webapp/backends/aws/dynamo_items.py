"""DynamoDB item layout of the Directory, and conversion between items and domain objects.

Faces table (GLIMPSE_DYNAMODB_FACES_TABLE): the classic AWS-tutorial design, so a table
made by that tutorial keeps working — hash key `RekognitionId` (the Rekognition FaceId)
and `FullName`, plus `PersonId`, `ImageKey`, `CropKey`, `Box*` and `CreatedAt`.
GSI `PersonId-index` (PersonId, CreatedAt) lists one person's faces in enrolment order.

Main table (GLIMPSE_DYNAMODB_TABLE), single-table design with keys `pk`/`sk` and one
overloaded GSI `gsi1` (`gsi1pk`/`gsi1sk`, all attributes projected):

    item            pk                  sk                  gsi1pk             gsi1sk
    person          PERSON#<id>         PROFILE             PEOPLE             <casefolded name>#<created>#<id>
    seen-in marker  PERSON#<id>         SEEN#<analysis id>  SEEN#<person id>   <created iso, UTC>#<analysis id>
    face marker     PERSON#<id>         FACE#<face id>      -                  -
    analysis        ANALYSIS#<id>       ANALYSIS            ANALYSES           <created iso, UTC>#<id>
    owner marker    ANALYSIS#<id>       OWNER               OWNER#<owner>      <created iso, UTC>#<id>
    label marker    ANALYSIS#<id>       LABEL#<label>       LABEL#<label>      <created iso, UTC>#<id>
    word marker     ANALYSIS#<id>       WORD#<word>         WORD#<word>        <created iso, UTC>#<id>
    admin           ADMIN#<username>    ADMIN               ADMINS             <username>
    admin marker    ADMINS              <username>          -                  -
    API token       TOKEN#<sha256>      TOKEN               TOKENID#<id>       TOKEN
    token by id     TOKENID#<id>        TOKEN               -                  -
    audit entry     AUDIT#<at>#<uuid>   AUDIT               AUDIT              <at iso, UTC>#<uuid>

A person's partition holds their profile, one marker per analysis that named them and one
per face (written in the same transaction as the faces-table row), so forgetting reads one
partition, strongly consistently, to find the analyses it must scrub and every face it must
delete; deleting an analysis finds its markers from the person ids the analysis names (no scan).

A GSI lags behind writes and cannot be read consistently, so nothing that must be exact
reads one: the admin markers (one partition) count admins, the token-by-id item finds a
token to revoke, and a list read from gsi1 is checked against the items themselves.

History listings do read gsi1 (a listing may show a new analysis a moment late): the
markers' gsi1 keys make each one Query, newest first — one owner's analyses (OWNER#), those
naming one person (SEEN#), those with one label (LABEL#, casefolded, parents included),
those whose text read has one word (WORD#, normalised by webapp.words), and the analyses
found are read back and checked against the filter. Word markers are written when the text
is read; deleting an analysis deletes every item of its partition, so they go with it. Markers written before
these keys existed carry none and are not listed; they are still deleted with their analysis.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from webapp.domain import (
    Analysis,
    AuditEntry,
    BoundingBox,
    FaceRecord,
    Label,
    ModerationLabel,
    Person,
    RecognizedFace,
    TextDetection,
)
from webapp.words import words_in

FACES_GSI = "PersonId-index"
MAIN_GSI = "gsi1"
PROFILE, ANALYSIS, SEEN, FACE, AUDIT, WORD = "PROFILE", "ANALYSIS", "SEEN#", "FACE#", "AUDIT", "WORD#"
ADMINS = "ADMINS"
_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


def _decimals(value: Any) -> Any:
    """Floats become Decimals (DynamoDB numbers refuse binary floats), recursively."""
    if isinstance(value, float):
        return Decimal(str(round(value, 6)))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def to_item(values: dict) -> dict:
    """A plain dict as a DynamoDB item (typed attribute values)."""
    return {k: _serializer.serialize(_decimals(v)) for k, v in values.items()}


def from_item(item: dict) -> dict:
    """A DynamoDB item as a plain dict (numbers stay Decimal until converted)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def key(pk: str, sk: str) -> dict:
    """A main-table key."""
    return to_item({"pk": pk, "sk": sk})


def person_pk(person_id: str) -> str:
    """The partition of one person."""
    return f"PERSON#{person_id}"


def _float(value: Any) -> float | None:
    """A Decimal (or None) as float."""
    return None if value is None else float(value)


def person_item(person: Person, consent_text: str) -> dict:
    """The profile item of a new person."""
    created = person.created_at.isoformat()
    return {
        "pk": person_pk(person.id), "sk": PROFILE, "gsi1pk": "PEOPLE",
        "gsi1sk": f"{person.name.casefold()}#{created}#{person.id}",
        "id": person.id, "name": person.name, "created_at": created, "consent_by": person.consent_by,
        "consent_text": consent_text, "face_count": person.face_count,
    }


def person_from(values: dict) -> Person:
    """A Person from a profile item."""
    return Person(
        id=values["id"], name=values["name"], created_at=datetime.fromisoformat(values["created_at"]),
        face_count=int(values.get("face_count", 0)), consent_by=values.get("consent_by", ""),
        consent_text=values.get("consent_text", ""),
    )


def face_item(record: FaceRecord, full_name: str, created_at: str) -> dict:
    """A faces-table row in the classic RekognitionId / FullName design."""
    b = record.bounding_box
    return {
        "RekognitionId": record.face_id, "FullName": full_name, "PersonId": record.person_id,
        "ImageKey": record.image_key, "CropKey": record.crop_key, "CreatedAt": created_at,
        "BoxLeft": b.left, "BoxTop": b.top, "BoxWidth": b.width, "BoxHeight": b.height,
    }


def face_from(values: dict) -> FaceRecord:
    """A FaceRecord from a faces-table row."""
    box = BoundingBox(*(float(values.get(f"Box{k}", 0)) for k in ("Left", "Top", "Width", "Height")))
    return FaceRecord(values["RekognitionId"], values["PersonId"], values.get("ImageKey", ""),
                      values.get("CropKey", ""), box)


def face_marker_item(record: FaceRecord, created_at: str) -> dict:
    """The marker of one face in its person's partition (what forget reads, consistently)."""
    b = record.bounding_box
    return {"pk": person_pk(record.person_id), "sk": f"{FACE}{record.face_id}", "face_id": record.face_id,
            "image_key": record.image_key, "crop_key": record.crop_key, "created_at": created_at,
            "box": [b.left, b.top, b.width, b.height]}


def face_from_marker(values: dict) -> FaceRecord:
    """A FaceRecord from a face marker."""
    person_id = values["pk"].removeprefix("PERSON#")
    box = BoundingBox(*(float(v) for v in values.get("box", (0, 0, 0, 0))))
    return FaceRecord(values["face_id"], person_id, values.get("image_key", ""), values.get("crop_key", ""), box)


def analysis_item(analysis: Analysis) -> dict:
    """The item of one analysis; faces keep the person id, names are resolved on reading."""
    created = analysis.created_at.isoformat()
    faces = [
        {**asdict(f.bounding_box), "confidence": f.confidence, "person_id": f.person_id, "similarity": f.similarity,
         "orientation": f.orientation, "face_id": f.face_id}
        for f in analysis.faces
    ]
    return {
        "pk": f"ANALYSIS#{analysis.id}", "sk": ANALYSIS, "gsi1pk": "ANALYSES",
        "gsi1sk": f"{sortable_time(analysis.created_at)}#{analysis.id}",
        "id": analysis.id, "created_at": created, "image_key": analysis.image_key, "thumb_key": analysis.thumb_key,
        "width": analysis.width, "height": analysis.height, "filename": analysis.filename, "faces": faces,
        "owner": analysis.owner,
        "labels": [lb.to_dict() for lb in analysis.labels],
        "moderation_labels": [m.to_dict() for m in analysis.moderation_labels],
        "text": text_values(analysis.text),
    }


def text_values(text: Sequence[TextDetection] | None) -> list[dict] | None:
    """Text detections as plain values for an item, or None when the text was not read."""
    return None if text is None else [t.to_dict() for t in text]


def label_keys_in(values: dict) -> set[str]:
    """The casefolded labels (and their parents) of an analysis item."""
    return {n.casefold() for lb in values.get("labels", []) for n in (lb["name"], *lb.get("parents", []))}


def history_markers(values: dict) -> list[dict]:
    """The marker items of an analysis item: one per person it names, its owner, one per label."""
    aid, when = values["id"], values["gsi1sk"]
    markers = [{"pk": person_pk(pid), "sk": f"{SEEN}{aid}", "gsi1pk": f"{SEEN}{pid}"}
               for pid in sorted(person_ids_in(values))]
    if values.get("owner"):
        markers.append({"pk": values["pk"], "sk": "OWNER", "gsi1pk": f"OWNER#{values['owner']}"})
    markers += [{"pk": values["pk"], "sk": f"LABEL#{name}", "gsi1pk": f"LABEL#{name}"}
                for name in sorted(label_keys_in(values))]
    return [{**m, "gsi1sk": when, "analysis_id": aid} for m in markers] + word_markers(values)


def word_markers(values: dict) -> list[dict]:
    """The marker items of the words in an analysis item's text (none while the text is not read)."""
    words = words_in(t["detected_text"] for t in values.get("text") or [])
    return [{"pk": values["pk"], "sk": f"{WORD}{w}", "gsi1pk": f"{WORD}{w}", "gsi1sk": values["gsi1sk"],
             "analysis_id": values["id"]} for w in words]


def person_ids_in(values: dict) -> set[str]:
    """The person ids an analysis item names."""
    return {f["person_id"] for f in values.get("faces", []) if f.get("person_id")}


def _recognized(face: dict, people: dict[str, Person]) -> RecognizedFace:
    """One analysed face with the person's current name; a forgotten person shows as Unknown."""
    box = BoundingBox(*(float(face[k]) for k in ("left", "top", "width", "height")))
    person = people.get(face.get("person_id") or "")
    orientation = int(face.get("orientation", 0))  # items written before orientations existed have none
    if person is None:
        return RecognizedFace(box, float(face["confidence"]), orientation=orientation)
    return RecognizedFace(box, float(face["confidence"]), person.id, person.name, _float(face.get("similarity")),
                          orientation, face.get("face_id"))


def analysis_from(values: dict, people: dict[str, Person]) -> Analysis:
    """An Analysis from its item, naming faces from `people` (the people who still exist)."""
    return Analysis(
        id=values["id"], created_at=datetime.fromisoformat(values["created_at"]),
        image_key=values["image_key"], thumb_key=values["thumb_key"],
        width=int(values["width"]), height=int(values["height"]), filename=values.get("filename", ""),
        owner=values.get("owner") or "", faces=tuple(_recognized(f, people) for f in values.get("faces", [])),
        labels=tuple(Label.from_dict(lb) for lb in values.get("labels", [])),
        # items written before moderation and text existed have neither attribute
        moderation_labels=tuple(ModerationLabel.from_dict(m) for m in values.get("moderation_labels") or []),
        text=None if values.get("text") is None else tuple(TextDetection.from_dict(t) for t in values["text"]),
    )


def scrubbed(faces: list[dict], person_id: str) -> list[dict]:
    """Analysis faces with one person's id, similarity and matched face removed."""
    return relinked(faces, person_id, None)


def relinked(faces: list[dict], from_id: str, to_id: str | None, face_ids: list[str] | None = None) -> list[dict]:
    """Analysis faces naming from_id (through these face ids, or any) naming to_id instead (None: Unknown)."""
    def moves(face: dict) -> bool:
        return face.get("person_id") == from_id and (face_ids is None or face.get("face_id") in face_ids)

    gone = {"person_id": None, "similarity": None, "face_id": None}
    return [({**f, "person_id": to_id} if to_id else {**f, **gone}) if moves(f) else f for f in faces]


def sortable_time(moment: datetime) -> str:
    """ISO text in UTC, so stored times sort as strings (naive times are taken as UTC)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def audit_item(entry: AuditEntry, unique: str) -> dict:
    """The item of one audit entry; `unique` breaks ties between entries made at the same instant."""
    at = sortable_time(entry.at)
    return {"pk": f"{AUDIT}#{at}#{unique}", "sk": AUDIT, "gsi1pk": AUDIT, "gsi1sk": f"{at}#{unique}",
            "at": at, "actor": entry.actor, "action": entry.action, "subject": entry.subject, "detail": entry.detail}


def audit_from(values: dict) -> AuditEntry:
    """An AuditEntry from its item."""
    return AuditEntry(datetime.fromisoformat(values["at"]), values.get("actor", ""), values.get("action", ""),
                      values.get("subject", ""), values.get("detail", ""))
