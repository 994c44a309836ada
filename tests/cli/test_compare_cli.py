"""`flask compare`: one pair or a pairs file, JSON or sentences, errors per pair."""
import json

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_two_images_json_prints_one_object_with_the_paths_as_given(runner, tmp_path, services):
    a, b = _write(tmp_path, "a.png", make_photo(RED)), _write(tmp_path, "b.png", make_photo(BLUE, RED))
    result = runner.invoke(args=["compare", a, b, "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["source"] == a and row["target"] == b and row["match"] is True
    assert len(row["matches"]) == 1 and len(row["unmatched"]) == 1 and row["source_face"]["confidence"] == 99.0
    assert services.recognizer.history(10) == [] and services.backend.store.list() == []


def test_two_images_without_json_print_a_sentence(runner, tmp_path):
    a, b = _write(tmp_path, "a.png", make_photo(RED)), _write(tmp_path, "b.png", make_photo(BLUE))
    result = runner.invoke(args=["compare", a, b])
    assert result.exit_code == 0 and result.stdout.strip() == f"{a}\t{b}\tDifferent people"


def test_threshold_option_is_used_and_checked(runner, tmp_path):
    a, b = _write(tmp_path, "a.png", make_photo(RED)), _write(tmp_path, "b.png", make_photo(BLUE))
    assert json.loads(runner.invoke(args=["compare", a, b, "--json", "--threshold", "0"]).stdout)["match"] is True
    assert runner.invoke(args=["compare", a, b, "--threshold", "101"]).exit_code == 2


def test_pairs_file_prints_one_line_per_pair_in_order_and_fails_for_bad_images(runner, tmp_path, services,
                                                                               monkeypatch):
    a, b = _write(tmp_path, "a.png", make_photo(RED)), _write(tmp_path, "b.png", make_photo(BLUE, RED))
    c, bad = _write(tmp_path, "c.png", make_photo(GREEN)), _write(tmp_path, "bad.jpg", b"nope")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"# source\ttarget\n{a}\t{b}\n\n{b}\t{c}\n{a}\t{bad}\n  # note\n{c}\t{a}\n{a}\t{b}\n")
    calls = []
    faceprints = services.backend.faceprints.faceprints
    monkeypatch.setattr(services.backend.faceprints, "faceprints", lambda photo, limit=None: calls.append(1)
                        or faceprints(photo, limit))
    result = runner.invoke(args=["compare", "--pairs", str(pairs), "--json"])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["source"], r["target"]) for r in rows] == [(a, b), (b, c), (a, bad), (c, a), (a, b)]
    assert [r.get("match") for r in rows] == [True, False, None, False, True]
    assert "not a JPEG" in rows[2]["error"] and "Comparing" in result.stderr
    assert len(calls) == 3  # a, b and c embedded once each; bad.jpg never got that far


def test_pairs_file_without_failures_exits_0_with_sentences(runner, tmp_path):
    a, b = _write(tmp_path, "a.png", make_photo(RED)), _write(tmp_path, "b.png", make_photo())
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(f"{a}\t{a}\n{b}\t{a}\n")
    result = runner.invoke(args=["compare", "--pairs", str(pairs)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{a}\t{a}\tSame person (similarity 100)",
                                          f"{b}\t{a}\tNo face found in the first photo"]


def test_missing_file_is_an_error_line(runner, tmp_path):
    a = _write(tmp_path, "a.png", make_photo(RED))
    result = runner.invoke(args=["compare", a, str(tmp_path / "gone.png")])
    assert result.exit_code == 1 and "error: Cannot read" in result.stdout


@pytest.mark.parametrize("args", [["compare"], ["compare", "one.png"], ["compare", "a", "b", "c"]])
def test_wrong_arguments_are_usage_errors(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "exactly two images" in result.output


def test_images_and_pairs_together_or_a_malformed_line_are_usage_errors(runner, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a.png b.png\n")
    assert runner.invoke(args=["compare", "a", "b", "--pairs", str(pairs)]).exit_code == 2
    result = runner.invoke(args=["compare", "--pairs", str(pairs)])
    assert result.exit_code == 2 and "Line 1 of the pairs file" in result.output
