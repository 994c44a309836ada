"""flask index status · flask index rebuild: registered by the local backend only."""
from tests.backends.aws.env import aws_world, use_fake_credentials
from tests.conftest import RED
from tests.fakes import make_photo
from webapp import create_app


def test_status_reports_exact_search_for_a_small_collection(runner, services):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    result = runner.invoke(args=["index", "status"])
    assert result.exit_code == 0, result.output
    assert "1 vectors, exact search" in result.output and "checkpoint none" in result.output


def test_rebuild_keeps_every_face_searchable(runner, services, backend):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rebuilt in ") and "1 vectors" in result.output
    faces = services.recognizer.recognize(services.recognizer.decode(make_photo(RED))).faces
    assert faces[0].person_name == "Ada"


def test_index_commands_refuse_a_backend_that_declares_no_vector_index(runner, backend):
    backend.vector_index = None
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 1 and "local mode only" in result.output


def test_aws_mode_has_no_index_group_because_rekognition_keeps_its_own(tmp_path, monkeypatch):
    use_fake_credentials(monkeypatch)
    with aws_world(tmp_path / "data") as world:
        app = create_app({**world.settings.__dict__}, backend=world.backend())
        result = app.test_cli_runner().invoke(args=["index", "status"])
    assert result.exit_code == 2 and "No such command 'index'" in result.output
    assert "aws" in app.cli.commands and "index" not in app.cli.commands
