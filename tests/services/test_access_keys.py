"""Access keys: secrets derived from the app's secret key and the key id, never stored."""
import pytest

from webapp.backends.local.access_keys import SqliteAccessKeys
from webapp.errors import InvalidInput
from webapp.services.access_keys import AccessKeys


@pytest.fixture
def keys(tmp_path):
    return AccessKeys(SqliteAccessKeys(tmp_path / "rekognition.sqlite3"), "the app's secret key")


def test_secret_is_stable_per_key_and_differs_between_keys(keys):
    first, secret = keys.create("a")
    second, other = keys.create("b")
    assert keys.lookup(first.id)[1] == secret and keys.lookup(second.id)[1] == other and secret != other
    assert first.id.startswith("GLMP") and len(first.id) == 20 and len(secret) == 40


def test_unknown_key_has_no_secret(keys):
    assert keys.lookup("GLMPNEVERISSUED00000") is None and keys.lookup("clé") is None


def test_revoked_key_stays_listed_as_revoked(keys):
    key, _ = keys.create("old")
    assert keys.revoke(key.id) and not keys.revoke(key.id)
    assert [k.revoked_at is not None for k in keys.list()] == [True]
    assert keys.lookup(key.id)[0].revoked_at is not None


def test_label_is_normalised_and_bounded(keys):
    assert keys.create("  my   script ")[0].label == "my script"
    with pytest.raises(InvalidInput):
        keys.create("x" * 101)
