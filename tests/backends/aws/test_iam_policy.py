"""deploy/iam-policy.json grants exactly what the adapters call: nothing extra, nothing missing."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp import create_app
from webapp.backends.aws import permissions
from webapp.backends.aws.provision import resource_status
from webapp.images import decode_photo
from webapp.services.maintenance import Doctor
from webapp.services.retention import Retention

POLICY = Path(__file__).resolve().parents[3] / "deploy" / "iam-policy.json"


def _statements() -> list[dict]:
    """The policy's statements, with Action and Resource as lists."""
    doc = json.loads(POLICY.read_text())
    assert doc["Version"] == "2012-10-17"
    return [{**st, "Action": _list(st["Action"]), "Resource": _list(st["Resource"])} for st in doc["Statement"]]


def _list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_policy_grants_exactly_the_required_actions():
    granted = {a for st in _statements() for a in st["Action"]}
    assert granted == permissions.required_actions()
    assert all(st["Effect"] == "Allow" and "NotAction" not in st and "NotResource" not in st for st in _statements())


def test_no_wildcard_actions_and_star_resources_only_where_iam_has_no_resource_type():
    for st in _statements():
        assert not any("*" in action for action in st["Action"])
        if "*" in st["Resource"]:
            assert st["Resource"] == ["*"] and set(st["Action"]) <= permissions.UNSCOPED_ACTIONS
        else:
            assert not any(r.endswith(":*") or r == "*" for r in st["Resource"])


def test_resources_name_only_the_bucket_collection_and_tables():
    resources = {r for st in _statements() for r in st["Resource"]} - {"*"}
    allowed = ("arn:aws:s3:::${BucketName}", "arn:aws:rekognition:${Region}:${AccountId}:collection/${CollectionId}",
               "arn:aws:dynamodb:${Region}:${AccountId}:table/${FacesTable}",
               "arn:aws:dynamodb:${Region}:${AccountId}:table/${Table}")
    assert all(r.startswith(allowed) for r in resources)


def _record(world) -> set[str]:
    """Record every S3/DynamoDB/STS operation the moto clients make, as "service:Operation"."""
    calls: set[str] = set()
    for service in ("s3", "dynamodb", "sts"):
        world.clients.get(service).meta.events.register(
            "before-call", lambda model, _s=service, **kw: calls.add(f"{_s}:{model.name}"))
    return calls


def test_the_adapters_call_exactly_the_declared_operations(world, aws_backend):
    calls = _record(world)
    world.rekognition.calls.clear()
    app = create_app({**world.settings.__dict__, "admin_password": "correct horse battery"}, backend=aws_backend)
    services = app.extensions["services"]
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    analysis = services.recognizer.analyse(make_photo(RED, BLUE))
    services.recognizer.get(analysis.id), services.recognizer.history(5), services.people.list()
    services.recognizer.read_text(analysis.id)
    aws_backend.store.get(analysis.image_key)
    aws_backend.store.delete(analysis.thumb_key)
    token_id, token = services.accounts.create_token("x")
    services.accounts.token_is_valid(token), services.accounts.revoke_token(token_id)
    services.accounts.check_login("admin", "x")
    aws_backend.faces.compare(*(decode_photo(make_photo(RED), 10**8, 10**8),) * 2, 80)
    aws_backend.faces.face_ids(), aws_backend.people.all_face_ids()
    services.people.forget(ada.person.id)
    bob = services.people.enrol("Bob", [("b.png", make_photo(BLUE))], consent=True, consent_by="t")
    aws_backend.faces.delete(bob.face_ids)  # so the doctor has a row to repair
    doctor = Doctor(aws_backend, grace=timedelta(0))
    doctor.repair(doctor.check())
    Retention(aws_backend, 1).purge(now=datetime.now(UTC) + timedelta(days=2))
    services.people.audit_log()
    resource_status(world.settings, world.clients)
    made = calls | {f"rekognition:{op}" for op in world.rekognition.calls}
    assert made == permissions.runtime_calls()
