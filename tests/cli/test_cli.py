"""CLI commands over the same services and data directory."""
import json

from tests.conftest import BLUE, RED
from tests.fakes import make_photo


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def test_enroll_prints_id_and_list_shows_the_person(runner, tmp_path):
    result = runner.invoke(args=["people", "enroll", "Ada Lovelace", _write(tmp_path, "a.png", make_photo(RED))])
    assert result.exit_code == 0, result.output
    person_id = result.stdout.strip()
    listed = json.loads(runner.invoke(args=["people", "list", "--json"]).stdout)
    assert listed == [{"id": person_id, "name": "Ada Lovelace", "faces": 1, "created_at": listed[0]["created_at"]}]


def test_enroll_with_only_faceless_photos_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["people", "enroll", "Nobody", _write(tmp_path, "e.png", make_photo())])
    assert result.exit_code == 1 and "No face was found" in result.output


def test_delete_forgets(runner, tmp_path, backend):
    person_id = runner.invoke(args=["people", "enroll", "Ada", _write(tmp_path, "a.png", make_photo(RED))]).stdout
    result = runner.invoke(args=["people", "delete", person_id.strip()])
    assert result.exit_code == 0 and "deleted" in result.output
    assert backend.faces.face_ids() == [] and backend.people.list_people() == []
    assert runner.invoke(args=["people", "delete", person_id.strip()]).exit_code == 1


def test_import_enrols_one_person_per_folder_and_reports_refusals(runner, tmp_path, services):
    _write(tmp_path, "set/Ada Lovelace/1.png", make_photo(RED))
    _write(tmp_path, "set/Ada Lovelace/2.png", make_photo())
    _write(tmp_path, "set/Bob Byte/1.png", make_photo(BLUE))
    _write(tmp_path, "set/Bob Byte/notes.txt", b"ignored")
    result = runner.invoke(args=["people", "import", str(tmp_path / "set")])
    assert result.exit_code == 0, result.output
    assert "2 folder(s): added 2 face(s); refused 1" in result.output
    assert "Ada Lovelace/2.png" in result.output
    assert sorted(p.name for p in services.people.list()) == ["Ada Lovelace", "Bob Byte"]


def test_recognize_json_prints_one_line_per_image_and_fails_for_bad_ones(runner, tmp_path, services):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    good = _write(tmp_path, "g.png", make_photo(RED, BLUE))
    bad = _write(tmp_path, "b.jpg", b"nope")
    result = runner.invoke(args=["recognize", good, bad, str(tmp_path / "missing.png"), "--json"])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["image"] for r in rows] == [good, bad, str(tmp_path / "missing.png")]
    assert [f["person"]["name"] if f["person"] else None for f in rows[0]["faces"]] == ["Ada", None]
    assert "not a JPEG" in rows[1]["error"] and "Cannot read" in rows[2]["error"]
    assert services.recognizer.history(10) == []  # the CLI stores nothing


def test_recognize_faces_only_names_the_faces_without_running_the_scene_models(runner, tmp_path, services,
                                                                              backend, monkeypatch):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")

    def never(*args, **kwargs):
        raise AssertionError("a scene model ran")

    monkeypatch.setattr(backend.labels, "detect", never)
    monkeypatch.setattr(backend.moderation, "detect", never)
    photo = _write(tmp_path, "g.png", make_photo(RED, BLUE))
    result = runner.invoke(args=["recognize", "--faces-only", "--json", photo])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [sorted(r) for r in rows] == [["faces", "image"]]
    assert [f["person"]["name"] if f["person"] else None for f in rows[0]["faces"]] == ["Ada", None]
    human = runner.invoke(args=["recognize", "--faces-only", photo])
    assert human.exit_code == 0 and human.stdout.strip() == f"{photo}: 2 face(s) ['Ada', 'Unknown']"


def test_admin_create_and_token_lifecycle(runner, services):
    result = runner.invoke(args=["admin", "create", "root", "--password", "a long enough pass"])
    assert result.exit_code == 0 and services.accounts.check_login("root", "a long enough pass")
    short = runner.invoke(args=["admin", "create", "root2", "--password", "short"])
    assert short.exit_code == 1 and "at least 10" in short.output
    created = runner.invoke(args=["admin", "token", "create", "--label", "ci"])
    token = created.stdout.strip()
    assert services.accounts.token_is_valid(token)
    token_id = token.split("_")[1]
    assert runner.invoke(args=["admin", "token", "revoke", token_id]).exit_code == 0
    assert not services.accounts.token_is_valid(token)
