"""flask recognize --json with boxes and moderation; flask text."""
import json

from tests.conftest import BLUE, RED
from tests.fakes import make_photo


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_recognize_json_prints_instances_and_moderation_labels(runner, tmp_path):
    result = runner.invoke(args=["recognize", "--json", _write(tmp_path, "p.png", make_photo(RED, BLUE))])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    person = next(lb for lb in row["labels"] if lb["name"] == "Person")
    assert len(person["instances"]) == 2 and row["moderation_labels"] == []


def test_recognize_text_line_counts_instances(runner, tmp_path):
    result = runner.invoke(args=["recognize", _write(tmp_path, "p.png", make_photo(RED, BLUE))])
    assert "Person x2" in result.stdout


def test_text_json_prints_lines_and_words_with_boxes(runner, tmp_path):
    result = runner.invoke(args=["text", "--json", _write(tmp_path, "p.png", make_photo(RED))])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert [(t["detected_text"], t["type"], t["parent_id"]) for t in row["text"]] == [
        ("HELLO WORLD", "LINE", None), ("HELLO", "WORD", 0), ("WORLD", "WORD", 0)]
    assert set(row["text"][0]["bounding_box"]) == {"left", "top", "width", "height"}


def test_text_lists_lines_and_fails_clearly_on_a_bad_file(runner, tmp_path):
    good = _write(tmp_path, "p.png", make_photo(RED))
    result = runner.invoke(args=["text", good, str(tmp_path / "missing.png")])
    assert result.exit_code == 1
    assert "p.png: 1 line(s)\n  HELLO WORLD" in result.stdout and "missing.png: error: Cannot read" in result.stdout
