"""AWS mode: S3, Rekognition and DynamoDB behind the four ports (the only package that imports boto3)."""
from __future__ import annotations

from typing import Any

from webapp.backends.base import Backend
from webapp.config import Settings


def build(settings: Settings, clients: Any = None) -> Backend:
    """Wire the AWS adapters; no client is created and no call is made until first use.

    `clients` (an AwsClients) lets tests inject fakes; by default one is made per backend,
    with the region from GLIMPSE_AWS_REGION or boto3's default chain.
    """
    from webapp.backends.aws.clients import AwsClients
    from webapp.backends.aws.dynamo_accounts import DynamoAccounts, DynamoAudit
    from webapp.backends.aws.dynamo_analyses import DynamoAnalyses
    from webapp.backends.aws.dynamo_directory import DynamoPeople
    from webapp.backends.aws.dynamo_imports import DynamoImports
    from webapp.backends.aws.dynamo_journal import DynamoJournal
    from webapp.backends.aws.dynamo_unknown import DynamoUnknown
    from webapp.backends.aws.provision import AwsResources, unknown_collection
    from webapp.backends.aws.rekognition_faces import RekognitionFaces
    from webapp.backends.aws.rekognition_labels import RekognitionLabels
    from webapp.backends.aws.rekognition_moderation import RekognitionModeration
    from webapp.backends.aws.rekognition_text import RekognitionText
    from webapp.backends.aws.s3_store import S3ImageStore
    from webapp.backends.aws.uploads import S3Uploads

    clients = clients or AwsClients(settings.aws_region)
    tables = (settings.dynamodb_faces_table, settings.dynamodb_table)
    return Backend(
        name="aws",
        store=S3ImageStore(clients, settings.s3_bucket),
        faces=RekognitionFaces(clients, settings.rekognition_collection),
        labels=RekognitionLabels(clients),
        text=RekognitionText(clients),
        moderation=RekognitionModeration(clients),
        people=DynamoPeople(clients, *tables), analyses=DynamoAnalyses(clients, *tables),
        audit=DynamoAudit(clients, *tables), accounts=DynamoAccounts(clients, *tables),
        journal=DynamoJournal(clients, *tables), imports=DynamoImports(clients, *tables),
        unknown=DynamoUnknown(clients, *tables),
        unknown_prints=RekognitionFaces(clients, unknown_collection(settings)),
        resources=AwsResources(settings, clients), uploads=S3Uploads(clients),
    )


def commands() -> list:
    """`flask aws init|status`: provision and check the AWS resources."""
    from webapp.cli.aws import aws_cli

    return [aws_cli]
