"""Backend registry: a name → the module that builds it; only the chosen one is imported."""
from __future__ import annotations

import importlib

from webapp.backends.base import Backend
from webapp.config import Settings

REGISTRY = {"local": "webapp.backends.local", "aws": "webapp.backends.aws"}


def build_backend(settings: Settings) -> Backend:
    """Import the configured backend package and let it build its adapters."""
    module = importlib.import_module(REGISTRY[settings.backend])
    backend: Backend = module.build(settings)
    return backend


def backend_commands(name: str) -> list:
    """The CLI command groups a backend brings with it (e.g. `index` locally, `aws` in AWS mode)."""
    commands: list = importlib.import_module(REGISTRY[name]).commands()
    return commands
