"""Create (idempotently) and check the AWS resources Glimpse uses; `flask aws` calls these."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, http_status, vendor_errors
from webapp.backends.aws.dynamo_items import FACES_GSI, MAIN_GSI
from webapp.config import Settings
from webapp.domain import ResourceOutcome as Outcome

_ALL = {"Projection": {"ProjectionType": "ALL"}}


class AwsResources:
    """The CloudResources capability: create and check this backend's bucket, collection and tables."""

    def __init__(self, settings: Settings, clients: AwsClients):
        self.settings = settings
        self.clients = clients

    def init(self) -> list[Outcome]:
        """Create what is missing (safe to run again)."""
        return init_resources(self.settings, self.clients)

    def status(self) -> list[Outcome]:
        """The calling identity and whether each resource exists and is usable."""
        return resource_status(self.settings, self.clients)


def _missing(exc: ClientError) -> bool:
    """Whether an error means "this resource does not exist"."""
    return error_code(exc) in ("ResourceNotFoundException", "NoSuchBucket", "404", "NotFound") \
        or http_status(exc) == 404


def faces_table_spec(name: str) -> dict:
    """The classic RekognitionId table plus the PersonId GSI (enrolment order by CreatedAt)."""
    return {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "RekognitionId", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
                                 for n in ("RekognitionId", "PersonId", "CreatedAt")],
        "GlobalSecondaryIndexes": [{"IndexName": FACES_GSI, **_ALL, "KeySchema": [
            {"AttributeName": "PersonId", "KeyType": "HASH"}, {"AttributeName": "CreatedAt", "KeyType": "RANGE"}]}],
    }


def main_table_spec(name: str) -> dict:
    """The single table (pk/sk) with its overloaded gsi1 (see dynamo_items for the layout)."""
    return {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gsi1pk", "gsi1sk")],
        "GlobalSecondaryIndexes": [{"IndexName": MAIN_GSI, **_ALL, "KeySchema": [
            {"AttributeName": "gsi1pk", "KeyType": "HASH"}, {"AttributeName": "gsi1sk", "KeyType": "RANGE"}]}],
    }


def _ensure(kind: str, name: str, exists: Callable[[], object], create: Callable[[], object]) -> Outcome:
    """Create a resource unless `exists()` finds it."""
    try:
        exists()
        return Outcome(kind, name, "found")
    except ClientError as exc:
        if not _missing(exc):
            raise
    create()
    return Outcome(kind, name, "created")


def _create_bucket(s3: Any, name: str, region: str) -> None:
    """A bucket with default SSE-S3 encryption and every public access blocked."""
    # us-east-1 is the one region that refuses a LocationConstraint.
    extra = {} if region in ("", "us-east-1") else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **extra)


def _secure_bucket(s3: Any, name: str) -> None:
    """Default encryption and the public access block (applied again on found buckets: idempotent)."""
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})


def _create_table(dynamodb: Any, spec: dict) -> None:
    """Create a table and wait until it is active."""
    dynamodb.create_table(**spec)
    dynamodb.get_waiter("table_exists").wait(TableName=spec["TableName"], WaiterConfig={"Delay": 2})


def unknown_collection(settings: Settings) -> str:
    """The second collection: faceprints of unknown faces, kept apart from the enrolled ones."""
    return f"{settings.rekognition_collection}-unknown"


def init_resources(settings: Settings, clients: AwsClients) -> list[Outcome]:
    """Create whatever is missing: bucket, collection, both tables. Safe to run again."""
    s3, rek, ddb = clients.get("s3"), clients.get("rekognition"), clients.get("dynamodb")
    bucket, collection = settings.s3_bucket, settings.rekognition_collection
    region = settings.aws_region or s3.meta.region_name or ""
    outcomes = []
    with vendor_errors("s3"):
        outcomes.append(_ensure("S3 bucket", bucket, lambda: s3.head_bucket(Bucket=bucket),
                                lambda: _create_bucket(s3, bucket, region)))
        _secure_bucket(s3, bucket)
    with vendor_errors("rekognition"):
        for name in (collection, unknown_collection(settings)):
            outcomes.append(_ensure("Rekognition collection", name,
                                    partial(rek.describe_collection, CollectionId=name),
                                    partial(rek.create_collection, CollectionId=name)))
    with vendor_errors("dynamodb"):
        for spec in (faces_table_spec(settings.dynamodb_faces_table), main_table_spec(settings.dynamodb_table)):
            outcomes.append(_ensure("DynamoDB table", spec["TableName"],
                                    partial(ddb.describe_table, TableName=spec["TableName"]),
                                    partial(_create_table, ddb, spec)))
    return outcomes


def _check(kind: str, name: str, call: Callable[[], str]) -> Outcome:
    """Run one read-only check and say whether this identity can use the resource."""
    try:
        return Outcome(kind, name, "ok", call())
    except ClientError as exc:
        code = error_code(exc)
        if _missing(exc):
            return Outcome(kind, name, "missing", "run `flask aws init`")
        if code in ("AccessDenied", "AccessDeniedException", "403") or http_status(exc) == 403:
            return Outcome(kind, name, "denied", "this identity may not use it; check the IAM policy")
        return Outcome(kind, name, "error", code)


def _reachable(_response: object) -> str:
    """What a check whose call returned (rather than raised) reports."""
    return "reachable"


def _face_count(rek: Any, collection: str) -> str:
    """How many faces a Rekognition collection holds, as a check's detail."""
    return "{} faces".format(rek.describe_collection(CollectionId=collection).get("FaceCount", 0))


def resource_status(settings: Settings, clients: AwsClients) -> list[Outcome]:
    """Who is calling, and whether each resource exists and is usable by that identity."""
    s3, rek, ddb = clients.get("s3"), clients.get("rekognition"), clients.get("dynamodb")
    sts = clients.get("sts")
    bucket, collection = settings.s3_bucket, settings.rekognition_collection

    def table(name: str) -> str:
        info = ddb.describe_table(TableName=name)["Table"]
        return f"{info.get('TableStatus', '?')}, {info.get('ItemCount', 0)} items"

    with vendor_errors("sts"):
        outcomes = [_check("identity", "caller", lambda: sts.get_caller_identity()["Arn"])]
        outcomes.append(_check("S3 bucket", bucket, lambda: _reachable(s3.head_bucket(Bucket=bucket))))
        for name in (collection, unknown_collection(settings)):
            outcomes.append(_check("Rekognition collection", name, partial(_face_count, rek, name)))
        for name in (settings.dynamodb_faces_table, settings.dynamodb_table):
            outcomes.append(_check("DynamoDB table", name, partial(table, name)))
    return outcomes
