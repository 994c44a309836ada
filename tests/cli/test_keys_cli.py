"""flask admin keys create / list / revoke, and what the database keeps of a key."""
import json
import sqlite3

from tests.rekognition.conftest import signed_post


def test_create_json_prints_a_key_that_signs_requests(runner, client):
    result = runner.invoke(args=["admin", "keys", "create", "--label", "ci script", "--json"])
    assert result.exit_code == 0, result.output
    key = json.loads(result.output)
    assert set(key) == {"access_key_id", "secret_access_key"} and len(key["secret_access_key"]) == 40
    response = signed_post(client, "ListCollections", "{}", key["access_key_id"], key["secret_access_key"])
    assert response.status_code == 200


def test_list_shows_labels_and_state_never_secrets(runner):
    key = json.loads(runner.invoke(args=["admin", "keys", "create", "--label", "nightly", "--json"]).output)
    listed = json.loads(runner.invoke(args=["admin", "keys", "list", "--json"]).output)
    assert listed == [{"access_key_id": key["access_key_id"], "label": "nightly",
                       "created_at": listed[0]["created_at"], "revoked_at": None}]
    assert key["secret_access_key"] not in runner.invoke(args=["admin", "keys", "list"]).output


def test_revoke_denies_the_key_and_unknown_ids_fail(runner, client):
    key = json.loads(runner.invoke(args=["admin", "keys", "create", "--json"]).output)
    assert runner.invoke(args=["admin", "keys", "revoke", key["access_key_id"]]).exit_code == 0
    response = signed_post(client, "ListCollections", "{}", key["access_key_id"], key["secret_access_key"])
    assert json.loads(response.data)["__type"] == "AccessDeniedException"
    again = runner.invoke(args=["admin", "keys", "revoke", key["access_key_id"]])
    assert again.exit_code == 1 and "no active access key" in again.output


def test_database_holds_no_secret_and_another_secret_key_derives_other_secrets(runner, data_dir, app):
    key = json.loads(runner.invoke(args=["admin", "keys", "create", "--json"]).output)
    dump = b"".join(path.read_bytes() for path in data_dir.rglob("*.sqlite3*"))
    assert key["access_key_id"].encode() in dump and key["secret_access_key"].encode() not in dump
    with sqlite3.connect(data_dir / "rekognition.sqlite3") as db:
        assert [r[0] for r in db.execute("SELECT name FROM pragma_table_info('access_keys')")] == [
            "id", "label", "created_at", "revoked_at"]
    from webapp.services.access_keys import AccessKeys

    other = AccessKeys(app.extensions["services"].backend.access_keys, "another secret key")
    assert other.lookup(key["access_key_id"])[1] != key["secret_access_key"]
