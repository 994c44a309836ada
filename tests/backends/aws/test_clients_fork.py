"""AwsClients after a fork: a gunicorn worker under --preload never reuses the master's boto3 clients."""
from __future__ import annotations

import os

from webapp.backends.aws.clients import AwsClients


def _in_child(check) -> int:
    """Run check() in a forked child; its exit status (0 when check() returned True)."""
    pid = os.fork()
    if pid == 0:
        code = 2  # check() raised
        try:
            code = 0 if check() else 1
        finally:
            os._exit(code)  # never back into pytest in the child
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_forked_child_builds_its_own_clients_and_keeps_injected_ones():
    """The parent's S3 client (and its connection pool) is replaced in the child; overrides stay."""
    fake = object()
    clients = AwsClients("eu-west-1", overrides={"rekognition": fake})
    parents = clients.get("s3")

    def child_has_its_own() -> bool:
        mine = clients.get("s3")
        return mine is not parents and clients.get("s3") is mine and clients.get("rekognition") is fake

    assert _in_child(child_has_its_own) == 0
    assert clients.get("s3") is parents  # the parent keeps its client
