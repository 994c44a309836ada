"""The hostile corpus through the web form, the JSON API and the CLI: a result or a clear 4xx,
never a 500, and nothing stored changes on refusal."""
import io
import json

import pytest

from tests.conftest import RED, csrf_token
from tests.fakes import make_photo
from tests.hostile.corpus import cases

CASES = cases()
IDS = [c.name for c in CASES]


def _state(backend):
    """Everything stored: people, faces, vectors, analyses, image keys."""
    return (
        [p.id for p in backend.people.list_people()], backend.people.all_face_ids(),
        backend.faces.face_ids(), [a.id for a in backend.analyses.list_analyses(1000)], backend.store.list(),
    )


@pytest.fixture
def seeded(services):
    """One enrolled person and one past analysis that must survive every bad upload."""
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    services.recognizer.analyse(make_photo(RED), "first.png")
    return services


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_api_gives_result_or_clear_4xx(client, seeded, backend, case):
    before = _state(backend)
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(case.data), case.filename)})
    body = response.get_json()
    if case.status == 200:
        assert response.status_code == 201, body
        assert body["faces"] and (body["faces"][0]["person"] or {}).get("name") == case.person
        assert len(_state(backend)[3]) == len(before[3]) + 1
    else:
        assert response.status_code == case.status, body
        assert case.says in body["error"] and body["error"].endswith(".")
        assert _state(backend) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.status != 200], ids=[c.name for c in CASES if c.status != 200])
def test_web_form_refuses_with_a_sentence_and_keeps_data(client, seeded, backend, case):
    before = _state(backend)
    response = client.post("/analyses", data={"image": (io.BytesIO(case.data), case.filename or "x"),
                                              "csrf_token": csrf_token(client, "/")},
                           content_type="multipart/form-data")
    assert response.status_code == case.status
    assert case.says in response.get_data(as_text=True)
    assert _state(backend) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli_recognize_reports_each_file(runner, seeded, tmp_path, case):
    path = tmp_path / "upload.bin"
    path.write_bytes(case.data)
    result = runner.invoke(args=["recognize", str(path), "--json"])
    row = json.loads(result.stdout)
    if case.status == 200:
        assert result.exit_code == 0 and (row["faces"][0]["person"] or {}).get("name") == case.person
    else:
        assert result.exit_code == 1 and case.says in row["error"]


def test_exif_rotated_boxes_match_the_rotated_image(client, seeded):
    rotated = next(c for c in CASES if c.name == "exif_rotated")
    body = client.post("/api/v1/analyses", data={"image": (io.BytesIO(rotated.data), "r.jpg")}).get_json()
    assert (body["width"], body["height"]) == (300, 400)  # 400x300 turned upright
    box = body["faces"][0]["bounding_box"]
    # the square sat top-left (x 10-70, y 20-80 of 400x300); rotated 90° clockwise it is top-right
    assert box["left"] == pytest.approx((300 - 80) / 300, abs=0.02)
    assert box["top"] == pytest.approx(10 / 400, abs=0.02)


def test_multipart_without_the_field_is_a_400(client, seeded, backend):
    before = _state(backend)
    response = client.post("/api/v1/analyses", data={"other": (io.BytesIO(b"x"), "x.jpg")})
    assert response.status_code == 400 and "'image'" in response.get_json()["error"]
    assert _state(backend) == before


def test_a_thousand_files_in_a_second_field_is_refused(client, seeded, backend):
    before = _state(backend)
    files = [(io.BytesIO(b"x"), f"{i}.jpg") for i in range(1000)]
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png"), "junk": files})
    assert response.status_code == 413 and "too many parts" in response.get_json()["error"]
    assert _state(backend) == before


def test_enrolment_refuses_hostile_photos_and_stores_nothing(services, backend):
    bad = [(c.filename, c.data) for c in CASES if c.status != 200]
    before = _state(backend)
    with pytest.raises(Exception) as err:
        services.people.enrol("Mallory", bad, True, "t")
    assert "nothing was stored" in str(err.value)
    assert _state(backend) == before
