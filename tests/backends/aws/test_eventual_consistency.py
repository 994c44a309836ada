"""AWS mode stays exact while DynamoDB's GSIs lag behind writes (real DynamoDB's do; moto's never do).

Each test freezes what the indexes see (tests/backends/aws/lagging.py), then acts: anything
that read a GSI to decide would now miss a new item or see a deleted one.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.backends.aws.lagging import lag_indexes
from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp import create_app


@pytest.fixture
def services(world, aws_backend):
    """The services over the AWS backend."""
    return create_app({**world.settings.__dict__}, backend=aws_backend).extensions["services"]


@pytest.fixture
def lagging(world):
    """Both tables' indexes, frozen by the test when it chooses."""
    lag = lag_indexes(world)
    tables = (world.settings.dynamodb_table, world.settings.dynamodb_faces_table)
    return lambda: lag.freeze(*tables)


def _faces_rows(world) -> list:
    return world.clients.get("dynamodb").scan(TableName=world.settings.dynamodb_faces_table)["Items"]


def test_forget_right_after_enrolment_removes_every_faceprint_and_row(world, services, aws_backend, lagging):
    lagging()  # the PersonId-index will not have seen the enrolment
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED)), ("b.png", make_photo(RED))], True, "t")
    assert [f.face_id for f in services.people.faces(ada.person.id)] == ada.face_ids
    services.people.forget(ada.person.id)
    assert aws_backend.faces.face_ids() == [] and _faces_rows(world) == []
    assert aws_backend.store.list("people") == []


def test_faces_recorded_before_face_markers_existed_are_still_found_and_forgotten(world, services, aws_backend):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    ddb, table = world.clients.get("dynamodb"), world.settings.dynamodb_table
    marker = {"pk": {"S": f"PERSON#{ada.person.id}"}, "sk": {"S": f"FACE#{ada.face_ids[0]}"}}
    ddb.delete_item(TableName=table, Key=marker)
    assert [f.face_id for f in services.people.faces(ada.person.id)] == ada.face_ids  # through the GSI
    services.people.forget(ada.person.id)
    assert aws_backend.faces.face_ids() == [] and _faces_rows(world) == []


def test_someone_forgotten_a_moment_ago_is_not_listed_and_counts_are_current(services, lagging):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    bob = services.people.enrol("Bob", [("b.png", make_photo(BLUE))], True, "t")
    lagging()
    services.people.forget(ada.person.id)
    assert [(p.name, p.face_count) for p in services.people.list()] == [("Bob", 1)]
    assert services.people.get(bob.person.id).face_count == 1


def test_an_admin_created_a_moment_ago_is_counted(services, lagging):
    lagging()  # gsi1 will not see bob
    before = services.accounts.store.count_admins()
    services.accounts.create_admin("bob", "a long passphrase")
    assert services.accounts.store.count_admins() == before + 1


def test_the_first_admin_is_not_created_again_over_one_made_a_moment_ago(world, aws_backend, lagging):
    lagging()
    app = create_app({**world.settings.__dict__}, backend=aws_backend)
    app.extensions["services"].accounts.create_admin("admin", "the one they chose")
    again = create_app({**world.settings.__dict__, "admin_password": "the start-up one"}, backend=aws_backend)
    assert again.extensions["services"].accounts.check_login("admin", "the one they chose")


def test_a_token_created_a_moment_ago_can_be_revoked_for_real(services, lagging):
    lagging()
    token_id, token = services.accounts.create_token("ci")
    assert services.accounts.token_is_valid(token)
    assert services.accounts.revoke_token(token_id) is True
    assert not services.accounts.token_is_valid(token)


def test_a_token_made_before_by_id_items_existed_is_revoked_through_the_index(world, services):
    token_id, token = services.accounts.create_token("old")
    world.clients.get("dynamodb").delete_item(TableName=world.settings.dynamodb_table,
                                              Key={"pk": {"S": f"TOKENID#{token_id}"}, "sk": {"S": "TOKEN"}})
    assert services.accounts.revoke_token(token_id) is True and not services.accounts.token_is_valid(token)


def test_the_lagging_helper_really_lags(world, services, lagging):
    lagging()
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    page = world.clients.get("dynamodb").query(
        TableName=world.settings.dynamodb_table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": "PEOPLE"}})
    assert page["Items"] == []  # what a GSI-only read would have seen
    with pytest.raises(ClientError):  # and a GSI cannot be read consistently at all
        world.clients.get("dynamodb").query(
            TableName=world.settings.dynamodb_table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": "PEOPLE"}}, ConsistentRead=True)
