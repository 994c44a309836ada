"""flask aws init / status under moto, on an AWS-mode app whose backend uses the fake Rekognition."""
from __future__ import annotations

import pytest

from tests.backends.aws.env import aws_world, use_fake_credentials
from webapp import create_app


@pytest.fixture
def world(tmp_path, monkeypatch):
    """An AWS world where nothing has been created yet."""
    use_fake_credentials(monkeypatch)
    with aws_world(tmp_path / "data", provision=False) as w:
        yield w


@pytest.fixture
def runner(world, tmp_path):
    """A CLI runner on an AWS-mode app built over the world's clients (the backend registers `flask aws`)."""
    app = create_app({**world.settings.__dict__}, backend=world.backend())
    return app.test_cli_runner()


def test_init_creates_everything_then_finds_it(world, runner):
    first = runner.invoke(args=["aws", "init"])
    assert first.exit_code == 0, first.output
    assert first.stdout.count("created") == 5 and "found" not in first.stdout  # bucket, 2 collections, 2 tables
    assert "glimpse-unknown" in first.stdout
    s3 = world.clients.get("s3")
    bucket = world.settings.s3_bucket
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    table = world.clients.get("dynamodb").describe_table(TableName="glimpse-faces")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "RekognitionId", "KeyType": "HASH"}]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "PersonId-index"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    second = runner.invoke(args=["aws", "init"])
    assert second.exit_code == 0 and second.stdout.count("found") == 5 and "created" not in second.stdout
    assert "0 created, 5 found" in second.output


def test_status_reports_missing_resources_then_ok(world, runner):
    before = runner.invoke(args=["aws", "status"])
    assert before.exit_code == 1 and "missing" in before.output and "run `flask aws init`" in before.output
    runner.invoke(args=["aws", "init"])
    after = runner.invoke(args=["aws", "status"])
    assert after.exit_code == 0, after.output
    assert "arn:aws:" in after.output and "0 faces" in after.output and after.output.count("ok") == 6


def test_status_reports_denied_access(world, runner):
    from tests.backends.aws.fake_rekognition import client_error

    runner.invoke(args=["aws", "init"])
    world.rekognition.fail("DescribeCollection", client_error("AccessDeniedException", "no", "DescribeCollection"))
    result = runner.invoke(args=["aws", "status"])
    assert result.exit_code == 1 and "denied" in result.output
