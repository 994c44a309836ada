"""The Elastic Beanstalk files agree with the app: body limits, instance profile, sizing."""
from __future__ import annotations

import io
import re
from pathlib import Path

import yaml

from tests.conftest import ADMIN_PASSWORD, AuthActions, csrf_token
from tests.fakes import make_photo
from webapp import create_app
from webapp.config import PHOTOS_PER_REQUEST, load_settings

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / ".platform" / "nginx" / "conf.d" / "glimpse.conf"


def _eb_environment() -> dict[str, str]:
    """The environment variables .ebextensions sets."""
    config = yaml.safe_load((ROOT / ".ebextensions" / "01-glimpse.config").read_text())
    return config["option_settings"]["aws:elasticbeanstalk:application:environment"]


def _nginx_limit_bytes() -> int:
    """client_max_body_size of the nginx fragment, in bytes."""
    value = re.search(r"^client_max_body_size\s+(\d+)([kKmM]?);", NGINX.read_text(), re.M)
    assert value, "no client_max_body_size in the nginx fragment"
    return int(value.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[value.group(2).lower()]


def test_nginx_accepts_exactly_the_body_the_app_accepts_on_elastic_beanstalk():
    settings = load_settings(environ={f: str(v) for f, v in _eb_environment().items()
                                      if f in ("GLIMPSE_MAX_UPLOAD_MB", "GLIMPSE_MAX_PIXELS")})
    assert _nginx_limit_bytes() == settings.max_request_bytes


def test_ebextensions_leave_the_instance_profile_and_topology_to_eb_create():
    text = (ROOT / ".ebextensions" / "01-glimpse.config").read_text()
    assert "IamInstanceProfile:" not in text.replace("# ", "")  # the EB CLI's own setting would win anyway
    env = _eb_environment()
    assert "GLIMPSE_TRUSTED_PROXIES" not in env and "GLIMPSE_SECRET_KEY" not in env
    assert env["GLIMPSE_BACKEND"] == "aws"


def test_procfile_runs_gunicorn_with_the_documented_workers_and_threads():
    procfile = (ROOT / "Procfile").read_text()
    assert re.search(r"^web: gunicorn application:application --bind :8000 --workers 2 --threads 3 ", procfile, re.M)
    assert "--workers 2 × --threads 3" in (ROOT / "docs" / "deploy-aws.md").read_text().replace("**", "")


def test_procfile_and_make_run_import_the_app_once_in_the_master():
    """--preload: a worker forked at start, after --max-requests or a crash skips the app's import."""
    procfile = (ROOT / "Procfile").read_text()
    make_run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"^web: gunicorn .* --preload( |$)", procfile, re.M)
    assert re.search(r"gunicorn application:application [^\n]*\\\n[^\n]* --preload ", make_run)


def _enrol(app, count: int):
    """Post the enrolment form with `count` photos."""
    client = app.test_client()
    AuthActions(client).login()
    images = [(io.BytesIO(make_photo((200, 30 + i, 30))), f"{i}.png") for i in range(count)]
    return client.post("/admin/people", data={"name": "Ada", "consent": "yes", "images": images,
                                              "csrf_token": csrf_token(client, "/admin/people/new")})


def test_enrolment_takes_as_many_photos_as_one_request_may_carry(data_dir, backend):
    app = create_app({"data_dir": data_dir, "secret_key": "t", "admin_password": ADMIN_PASSWORD}, backend=backend)
    assert _enrol(app, PHOTOS_PER_REQUEST).status_code == 302


def test_one_photo_more_is_refused_before_any_is_decoded(data_dir, backend):
    app = create_app({"data_dir": data_dir, "secret_key": "t", "admin_password": ADMIN_PASSWORD}, backend=backend)
    response = _enrol(app, PHOTOS_PER_REQUEST + 1)
    assert response.status_code == 413 and f"at most {PHOTOS_PER_REQUEST} photos" in response.get_data(as_text=True)
    assert backend.people.list_people() == []


def test_a_body_over_the_limit_is_refused_with_the_same_sentence(data_dir, backend):
    app = create_app({"data_dir": data_dir, "secret_key": "t", "max_upload_mb": 0.01}, backend=backend)
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b"x" * (limit + 1)
    response = app.test_client().post("/analyses", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_the_live_smoke_suite_is_outside_what_make_test_collects():
    import tomllib

    pytest_options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert pytest_options["testpaths"] == ["tests"]
    assert (ROOT / "smoke" / "test_live_aws.py").exists() and not list((ROOT / "tests").rglob("test_live_*.py"))
    assert "$(BIN)/python -m pytest -p no:cacheprovider -v smoke" in (ROOT / "Makefile").read_text()


def _documented_eb_creates() -> list[str]:
    """Every `eb create …` command in the guide, with its continuation lines joined."""
    text = (ROOT / "docs" / "deploy-aws.md").read_text().replace("\\\n", " ")
    return [line for line in text.splitlines() if line.startswith("eb create ")]


def test_each_documented_eb_create_names_the_profile_the_secret_and_its_proxy_hops():
    commands = _documented_eb_creates()
    assert len(commands) == 2
    for command in commands:
        assert "--instance_profile glimpse-instance-profile" in command
        assert "GLIMPSE_SECRET_KEY_PARAMETER=" in command and "GLIMPSE_S3_BUCKET=" in command
        hops = "1" if " --single " in command else "2"  # nginx alone, or ALB + nginx
        assert f"GLIMPSE_TRUSTED_PROXIES={hops}" in command
