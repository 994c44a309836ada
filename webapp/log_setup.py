"""Logging configured once per process, so the causes adapters log reach EB's and Lambda's logs."""
from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Give webapp's loggers a level and, if the process has no log handler yet, one on stderr.

    gunicorn configures only its own loggers, so without this Python drops webapp's INFO
    records and prints WARNINGs bare. Lambda's runtime and pytest install their own root
    handler: then only the level is set and records go to theirs. Safe to call again.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    logging.getLogger("webapp").setLevel(level)
