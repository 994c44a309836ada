"""The session key comes from SSM Parameter Store at start-up (GLIMPSE_SECRET_KEY_PARAMETER)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from tests.backends.aws.env import FAKE_CREDENTIALS, use_fake_credentials
from webapp import create_app
from webapp.backends.aws.parameters import read_secret
from webapp.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 64
AWS = {"backend": "aws", "s3_bucket": "b", "aws_region": "us-east-1", "secret_key_parameter": "/glimpse/secret-key"}
POLICY = ROOT / "deploy" / "secret-policy.json"


@pytest.fixture
def ssm(monkeypatch):
    """A moto SSM client in us-east-1."""
    use_fake_credentials(monkeypatch)
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")


def test_app_takes_its_session_key_from_the_secure_string(ssm, tmp_path):
    ssm.put_parameter(Name="/glimpse/secret-key", Value=KEY, Type="SecureString")
    app = create_app({**AWS, "data_dir": tmp_path})
    assert app.config["SECRET_KEY"] == KEY
    assert not (tmp_path / "secret_key").exists()  # nothing generated or written in AWS mode


def test_a_missing_parameter_stops_start_up_with_the_command_that_creates_it(ssm, tmp_path):
    with pytest.raises(ConfigError) as err:
        create_app({**AWS, "data_dir": tmp_path})
    assert "/glimpse/secret-key does not exist" in err.value.message and "aws ssm put-parameter" in err.value.message


def test_a_short_value_is_refused(ssm):
    ssm.put_parameter(Name="/glimpse/short", Value="hunter2", Type="SecureString")
    with pytest.raises(ConfigError, match="fewer than 32 characters"):
        read_secret("/glimpse/short", "us-east-1")


def test_a_role_without_the_grant_is_told_which_policy_to_attach():
    client = boto3.session.Session(**{k.lower(): v for k, v in FAKE_CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"},
                                   region_name="us-east-1").client("ssm")
    with Stubber(client) as stub:
        stub.add_client_error("get_parameter", "AccessDeniedException", "not authorized", 400)
        with pytest.raises(ConfigError, match="deploy/secret-policy.json"):
            read_secret("/glimpse/secret-key", client=client)


def test_the_policy_grants_only_reading_that_one_parameter():
    (statement,) = json.loads(POLICY.read_text())["Statement"]
    assert statement["Action"] == ["ssm:GetParameter"] and statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:ssm:${Region}:${AccountId}:parameter${ParameterName}"


@pytest.fixture
def moto_server():
    """moto's HTTP server on a free loopback port (what a separate process can reach)."""
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _start(endpoint: str, parameter: str) -> subprocess.CompletedProcess:
    """Import application.py in a fresh process as gunicorn does on Elastic Beanstalk."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLIMPSE_", "AWS_"))}
    env.update(FAKE_CREDENTIALS, AWS_ENDPOINT_URL=endpoint, GLIMPSE_BACKEND="aws", GLIMPSE_S3_BUCKET="b",
               GLIMPSE_AWS_REGION="us-east-1", GLIMPSE_SECRET_KEY_PARAMETER=parameter)
    code = "import application; print(len(application.application.config['SECRET_KEY']))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_application_starts_with_the_key_read_over_http(moto_server):
    name = f"/glimpse-{uuid4().hex}/secret-key"
    client = boto3.client("ssm", region_name="us-east-1", endpoint_url=moto_server,
                          **{k.lower(): v for k, v in FAKE_CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"})
    client.put_parameter(Name=name, Value=KEY, Type="SecureString")
    started = _start(moto_server, name)
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.strip() == "64"


def test_application_without_its_parameter_exits_with_one_readable_line(moto_server):
    started = _start(moto_server, f"/glimpse-{uuid4().hex}/missing")
    assert started.returncode == 1
    assert "does not exist" in started.stderr and "Traceback" not in started.stderr
