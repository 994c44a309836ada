"""Read the session secret from SSM Parameter Store at start-up, with the instance (or Lambda) role.

The key never sits in Elastic Beanstalk's environment settings, where anyone allowed to
describe the environment could read it: only its parameter name does. A SecureString
encrypted with the account's default key (aws/ssm) needs only ssm:GetParameter.
"""
from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from webapp.backends.aws.clients import CLIENT_CONFIG, error_code
from webapp.errors import ConfigError

log = logging.getLogger(__name__)
CALLS = frozenset({"ssm:GetParameter"})


def read_secret(name: str, region: str = "", client: Any = None) -> str:
    """The decrypted value of one SSM parameter, or ConfigError saying what to fix."""
    if client is None:
        import boto3

        client = boto3.session.Session().client("ssm", region_name=region or None, config=CLIENT_CONFIG)
    try:
        value: str = client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ClientError as exc:
        log.error("reading SSM parameter %s failed: %s", name, exc)
        raise ConfigError(_explain(name, error_code(exc))) from exc
    except BotoCoreError as exc:  # no credentials, no network, no region
        log.error("reading SSM parameter %s failed: %s", name, exc)
        raise ConfigError(f"Glimpse cannot start: could not reach SSM Parameter Store to read {name} ({exc}).") \
            from exc
    if len(value.strip()) < 32:
        raise ConfigError(f"Glimpse cannot start: the SSM parameter {name} holds fewer than 32 characters; "
                          "store a long random key (docs/deploy-aws.md, step 2).")
    return value.strip()


def _explain(name: str, code: str) -> str:
    """A sentence for each way reading the parameter fails."""
    if code == "ParameterNotFound":
        return (f"Glimpse cannot start: the SSM parameter {name} does not exist in this region; create it with "
                f"`aws ssm put-parameter --type SecureString --name {name} --value …` (docs/deploy-aws.md, step 2).")
    if code in ("AccessDeniedException", "AccessDenied"):
        return (f"Glimpse cannot start: this role may not read the SSM parameter {name}; attach "
                "deploy/secret-policy.json to the instance (or Lambda) role.")
    return f"Glimpse cannot start: reading the SSM parameter {name} failed ({code or 'unknown error'})."
