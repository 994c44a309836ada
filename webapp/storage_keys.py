"""Where each stored image lives: the one home of the image-store key formats.

Keys are made by Glimpse from ids (32 hex digits; face ids are hex locally and dashed UUIDs
in Rekognition), never from user file names. Both image stores accept exactly KEY_RULE.
"""
from __future__ import annotations

import re

# What any image store accepts (no "..", no absolute paths, no odd bytes).
KEY_RULE = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")
# What /media/ serves: only the images below, never an arbitrary key.
MEDIA_KEY = re.compile(r"^(analyses|people)/[0-9a-f]{32}/[0-9a-z-]+\.jpg$")
PERSON_IMAGE = re.compile(r"^people/([0-9a-f]{32})/([0-9a-f-]{32,36}?)(-face)?\.jpg$")
ANALYSIS_IMAGE = re.compile(r"^analyses/([0-9a-f]{32})/")
# When `flask doctor` first saw each inconsistency (ids and keys only), so repairs can wait out a grace period.
DOCTOR_NOTES = "doctor/first-seen.json"


def valid_key(key: str) -> bool:
    """Whether a key is one Glimpse could have made."""
    return bool(KEY_RULE.match(key)) and ".." not in key


def is_person_key(key: str) -> bool:
    """Whether a key belongs to an enrolled person (admins only), not to a visitor's analysis."""
    return key.startswith("people/")


def person_prefix(person_id: str) -> str:
    """The folder holding one person's enrolment photos and face crops."""
    return f"people/{person_id}"


def person_photo(person_id: str, face_id: str) -> str:
    """The enrolment photo a face was taken from."""
    return f"{person_prefix(person_id)}/{face_id}.jpg"


def person_crop(person_id: str, face_id: str) -> str:
    """The crop of one enrolled face."""
    return f"{person_prefix(person_id)}/{face_id}-face.jpg"


def analysis_prefix(analysis_id: str) -> str:
    """The folder holding one analysis's photo and thumbnail."""
    return f"analyses/{analysis_id}"


def analysis_photo(analysis_id: str) -> str:
    """The stored copy of an analysed photo."""
    return f"{analysis_prefix(analysis_id)}/photo.jpg"


def analysis_thumb(analysis_id: str) -> str:
    """The history thumbnail of an analysed photo."""
    return f"{analysis_prefix(analysis_id)}/thumb.jpg"
