"""GLIMPSE_* settings: defaults, then the environment, then overrides — parsed strictly."""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from webapp.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "GLIMPSE_"
# "30/minute": a count and one period; the grammar is narrower than Flask-Limiter's on purpose
RATE = re.compile(r"^([1-9][0-9]{0,6})/(second|minute|hour|day)$")
# One request carries at most this many photos (an enrolment; a comparison takes two), each
# within GLIMPSE_MAX_UPLOAD_MB. The body limit and nginx's client_max_body_size follow from it.
PHOTOS_PER_REQUEST = 4
FORM_FIELDS = 3  # besides the photos: csrf_token, name and consent (the largest form, enrolment)
FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart headers and the small fields


@dataclass(frozen=True)
class Settings:
    """Every setting Glimpse reads; the environment name is GLIMPSE_ + the upper-cased field."""

    backend: str = "local"
    data_dir: Path = ROOT / "instance"
    secret_key: str = ""
    secret_key_parameter: str = ""
    admin_password: str = ""
    max_upload_mb: float = 15.0
    max_pixels: int = 60_000_000
    match_threshold: float = 80.0
    min_label_confidence: float = 55.0
    max_labels: int = 10
    history_size: int = 60
    retention_days: int = 30
    model_threads: int = 2
    cli_photos: int = 0
    secure_cookies: bool = False
    trusted_proxies: int = 0
    public_analysis: bool = True
    remember_unknown_faces: bool = True
    cluster_threshold: float = 95.0
    analysis_rate_limit: str = "30/minute"
    admin_rate_limit: str = "300/minute"
    token_rate_limit: str = "120/minute"
    testing: bool = False
    s3_bucket: str = ""
    rekognition_collection: str = "glimpse"
    dynamodb_faces_table: str = "glimpse-faces"
    dynamodb_table: str = "glimpse"
    aws_region: str = ""

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_request_bytes(self) -> int:
        """The body limit of one request: PHOTOS_PER_REQUEST photos at the upload limit, plus the form."""
        return PHOTOS_PER_REQUEST * self.max_upload_bytes + FORM_OVERHEAD_BYTES


def _parse(name: str, kind: type, raw: str) -> bool | int | float | Path | str:
    """Turn one raw string into the field's type, or raise ValueError with a reason."""
    raw = raw.strip()
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is Path:
        return Path(raw).expanduser()
    return raw


def _field_types() -> dict[str, type]:
    """Field name → its concrete type (the annotations are strings under __future__)."""
    names = {"str": str, "int": int, "float": float, "bool": bool, "Path": Path}
    return {f.name: names[str(f.type)] for f in fields(Settings)}


def load_settings(environ: Mapping[str, str] | None = None, overrides: dict | None = None) -> Settings:
    """Build Settings from defaults, GLIMPSE_* variables and overrides; fail listing all problems."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    problems: list[str] = []
    for name, kind in _field_types().items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        try:
            values[name] = _parse(ENV_PREFIX + name.upper(), kind, raw)
        except ValueError as exc:
            problems.append(f"{ENV_PREFIX}{name.upper()}: {exc}")
    values.update(overrides or {})
    if "data_dir" in values:
        values["data_dir"] = Path(values["data_dir"])
    settings = replace(Settings(), **values)
    problems += _validate(settings)
    if problems:
        raise ConfigError("Glimpse cannot start: " + "; ".join(problems))
    return settings


def _validate(s: Settings) -> list[str]:
    """Range and consistency checks; returns every problem found."""
    problems = []
    if s.backend not in ("local", "aws"):
        problems.append(f"GLIMPSE_BACKEND must be 'local' or 'aws', not {s.backend!r}")
    if not 0 < s.max_upload_mb <= 200:
        problems.append("GLIMPSE_MAX_UPLOAD_MB must be between 0 and 200")
    if not 10_000 <= s.max_pixels <= 400_000_000:
        problems.append("GLIMPSE_MAX_PIXELS must be between 10,000 and 400,000,000")
    if not 0 <= s.match_threshold <= 100:
        problems.append("GLIMPSE_MATCH_THRESHOLD must be between 0 and 100")
    if not 0 <= s.cluster_threshold <= 100:
        problems.append("GLIMPSE_CLUSTER_THRESHOLD must be between 0 and 100")
    if not 0 <= s.min_label_confidence <= 100:
        problems.append("GLIMPSE_MIN_LABEL_CONFIDENCE must be between 0 and 100")
    if not 0 <= s.trusted_proxies <= 5:
        problems.append("GLIMPSE_TRUSTED_PROXIES must be between 0 and 5")
    if not 0 <= s.retention_days <= 36500:
        problems.append("GLIMPSE_RETENTION_DAYS must be between 0 (keep forever) and 36500")
    if not 1 <= s.model_threads <= 64:
        problems.append("GLIMPSE_MODEL_THREADS must be between 1 and 64")
    if not 0 <= s.cli_photos <= 64:
        problems.append("GLIMPSE_CLI_PHOTOS must be between 0 (one per core) and 64")
    for name in ("analysis_rate_limit", "admin_rate_limit", "token_rate_limit"):
        if not RATE.match(getattr(s, name)):
            problems.append(f"GLIMPSE_{name.upper()} must look like 30/minute (a count, then second, minute, "
                            f"hour or day), not {getattr(s, name)!r}")
    if s.admin_password and len(s.admin_password) < 10:
        problems.append("GLIMPSE_ADMIN_PASSWORD must be at least 10 characters long")
    if s.backend == "aws":
        if not s.s3_bucket:
            problems.append("GLIMPSE_S3_BUCKET is required when GLIMPSE_BACKEND=aws")
        if not s.secret_key and not s.secret_key_parameter:
            problems.append("GLIMPSE_SECRET_KEY_PARAMETER (an SSM SecureString holding the key) or GLIMPSE_SECRET_KEY "
                            "is required when GLIMPSE_BACKEND=aws")
    return problems


def resolve_secret_key(settings: Settings) -> str:
    """The session secret: GLIMPSE_SECRET_KEY, the SSM parameter it names, or (local mode) one per install.

    In AWS mode GLIMPSE_SECRET_KEY_PARAMETER names an SSM SecureString read with the role.
    A random key kept in the data directory is not a default secret: every install gets
    its own, readable only by its owner, so `make run` needs no setup step.
    """
    if settings.secret_key:
        return settings.secret_key
    if settings.secret_key_parameter:
        from webapp.backends.aws.parameters import read_secret

        return read_secret(settings.secret_key_parameter, settings.aws_region)
    path = settings.data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
