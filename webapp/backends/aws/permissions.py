"""The AWS API calls Glimpse makes at run time, and the IAM actions they need.

deploy/iam-policy.json must grant exactly `required_actions()`; a test checks it both ways.
"""
from __future__ import annotations

from webapp.backends.aws import (
    dynamo_directory,
    limit_storage,
    rekognition_faces,
    rekognition_labels,
    rekognition_moderation,
    rekognition_text,
    s3_store,
    uploads,
)

# Read-only checks `flask aws status` makes, so the instance role can run it on the instance.
STATUS_CALLS = frozenset({"s3:HeadBucket", "rekognition:DescribeCollection", "dynamodb:DescribeTable",
                          "sts:GetCallerIdentity"})

# API operations whose IAM action has another name (or several, or none).
_ACTIONS = {
    "s3:ListObjectsV2": ("s3:ListBucket",),
    "s3:HeadBucket": ("s3:ListBucket",),
    "s3:DeleteObjects": ("s3:DeleteObject",),  # a batch delete is authorised per object
    # authorised per write inside it: Put and Update (add_face), Delete and Update (delete_faces)
    "dynamodb:TransactWriteItems": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "sts:GetCallerIdentity": (),  # needs no permission
}
# These Rekognition actions have no resource type in IAM: their statement must name "*".
UNSCOPED_ACTIONS = frozenset({"rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:CompareFaces",
                              "rekognition:DetectText", "rekognition:DetectModerationLabels"})


def runtime_calls() -> frozenset[str]:
    """Every API operation the adapters and `aws status` may call ("service:Operation")."""
    return (s3_store.CALLS | uploads.CALLS | rekognition_faces.CALLS | rekognition_labels.CALLS
            | rekognition_text.CALLS | rekognition_moderation.CALLS | dynamo_directory.CALLS | limit_storage.CALLS
            | STATUS_CALLS)


def iam_actions(calls: frozenset[str] | set[str]) -> set[str]:
    """The IAM actions that authorise these API operations."""
    return {action for call in calls for action in _ACTIONS.get(call, (call,))}


def required_actions() -> set[str]:
    """The IAM actions the instance role needs: nothing more, nothing less."""
    return iam_actions(runtime_calls())
