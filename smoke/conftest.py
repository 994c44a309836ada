"""A throwaway AWS stack for the live smoke suite: created by `aws init`'s own code, deleted afterwards."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from uuid import uuid4

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIVE = os.environ.get("GLIMPSE_LIVE_AWS") == "1"


def pytest_collection_modifyitems(items):
    """Skip everything unless GLIMPSE_LIVE_AWS=1 (the suite creates billable resources)."""
    if LIVE:
        return
    skip = pytest.mark.skip(reason="live AWS smoke suite: set GLIMPSE_LIVE_AWS=1 (creates billable resources)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Settings and clients for a fresh stack with random names; everything is deleted at the end."""
    from webapp.backends.aws.clients import AwsClients
    from webapp.backends.aws.provision import init_resources
    from webapp.config import load_settings

    region = os.environ.get("GLIMPSE_AWS_REGION") or os.environ.get("AWS_REGION")
    assert region, "set GLIMPSE_AWS_REGION (a region with Rekognition face collections, e.g. us-east-1)"
    name = f"glimpse-smoke-{uuid4().hex[:12]}"
    settings = load_settings(environ={}, overrides={
        "backend": "aws", "aws_region": region, "s3_bucket": name, "rekognition_collection": name,
        "dynamodb_faces_table": f"{name}-faces", "dynamodb_table": name, "secret_key": uuid4().hex * 2,
        "data_dir": tmp_path_factory.mktemp("data"), "retention_days": 0,
    })
    clients = AwsClients(region)
    try:
        outcomes = init_resources(settings, clients)
        yield settings, clients, outcomes
    finally:
        tear_down(settings, clients)


def tear_down(settings, clients) -> None:
    """Delete the bucket (with every object), the collection and both tables; missing ones are fine."""
    from botocore.exceptions import ClientError

    s3, rek, ddb = clients.get("s3"), clients.get("rekognition"), clients.get("dynamodb")
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.s3_bucket):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=settings.s3_bucket, Delete={"Objects": keys})
        s3.delete_bucket(Bucket=settings.s3_bucket)
    except ClientError as exc:
        print(f"bucket: {exc}")
    for call in (lambda: rek.delete_collection(CollectionId=settings.rekognition_collection),
                 lambda: ddb.delete_table(TableName=settings.dynamodb_faces_table),
                 lambda: ddb.delete_table(TableName=settings.dynamodb_table)):
        try:
            call()
        except ClientError as exc:
            print(f"tear-down: {exc}")
