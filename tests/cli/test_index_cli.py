"""flask index status · flask index rebuild."""
import pytest

from tests.conftest import RED
from tests.fakes import make_photo
from webapp.index_cli import index_cli


@pytest.fixture
def index_runner(app, runner):
    """The CLI runner with the index group registered (as create_app does)."""
    if "index" not in app.cli.commands:
        app.cli.add_command(index_cli)
    return runner


def test_status_reports_exact_search_for_a_small_collection(index_runner, glimpse):
    glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    result = index_runner.invoke(args=["index", "status"])
    assert result.exit_code == 0, result.output
    assert "1 vectors, exact search" in result.output and "checkpoint none" in result.output


def test_rebuild_keeps_every_face_searchable(index_runner, glimpse, backend):
    glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    result = index_runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rebuilt in ") and "1 vectors" in result.output
    faces, _ = glimpse.recognizer.recognise(glimpse.recognizer.decode(make_photo(RED)))
    assert faces[0].person_name == "Ada"


def test_index_commands_refuse_a_backend_without_a_local_index(index_runner, backend):
    backend.vector_index = None  # a backend that declares no vector index
    result = index_runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 1 and "local mode only" in result.output
