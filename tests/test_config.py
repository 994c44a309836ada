"""Settings are parsed strictly and fail with every problem listed."""
import os
import stat

import pytest

from webapp.config import load_settings, resolve_secret_key
from webapp.errors import ConfigError


def test_defaults_give_local_mode_with_rekognition_thresholds():
    settings = load_settings(environ={})
    assert settings.backend == "local"
    assert settings.match_threshold == 80.0
    assert settings.min_label_confidence == 55.0
    assert settings.max_upload_bytes == 15 * 1024 * 1024


def test_environment_values_are_parsed_to_their_types(tmp_path):
    env = {"GLIMPSE_MAX_UPLOAD_MB": "5", "GLIMPSE_DATA_DIR": str(tmp_path), "GLIMPSE_SECURE_COOKIES": "yes"}
    settings = load_settings(environ=env)
    assert settings.max_upload_mb == 5.0
    assert settings.data_dir == tmp_path
    assert settings.secure_cookies is True


def test_every_problem_is_listed_in_one_error():
    env = {"GLIMPSE_MAX_UPLOAD_MB": "lots", "GLIMPSE_SECURE_COOKIES": "maybe", "GLIMPSE_MATCH_THRESHOLD": "140"}
    with pytest.raises(ConfigError) as err:
        load_settings(environ=env)
    message = str(err.value)
    for name in ("GLIMPSE_MAX_UPLOAD_MB", "GLIMPSE_SECURE_COOKIES", "GLIMPSE_MATCH_THRESHOLD"):
        assert name in message


def test_aws_mode_refuses_to_start_without_bucket_and_secret():
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"GLIMPSE_BACKEND": "aws"})
    assert "GLIMPSE_S3_BUCKET" in str(err.value) and "GLIMPSE_SECRET_KEY" in str(err.value)


def test_unknown_backend_is_refused():
    with pytest.raises(ConfigError, match="GLIMPSE_BACKEND"):
        load_settings(environ={"GLIMPSE_BACKEND": "gcp"})


def test_local_secret_is_generated_once_and_private(tmp_path):
    settings = load_settings(environ={"GLIMPSE_DATA_DIR": str(tmp_path / "d")})
    first = resolve_secret_key(settings)
    assert len(first) == 64
    assert resolve_secret_key(settings) == first
    mode = os.stat(tmp_path / "d" / "secret_key").st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_short_admin_password_is_refused_at_start():
    with pytest.raises(ConfigError, match="GLIMPSE_ADMIN_PASSWORD must be at least 10"):
        load_settings(environ={"GLIMPSE_ADMIN_PASSWORD": "short"})


def test_application_module_exits_with_one_readable_line(tmp_path):
    import subprocess
    import sys

    env = {"PATH": os.environ["PATH"], "GLIMPSE_BACKEND": "aws", "GLIMPSE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "import application"], env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Glimpse cannot start: GLIMPSE_S3_BUCKET is required")
    assert "Traceback" not in done.stderr


def test_rate_limits_are_parsed_strictly():
    settings = load_settings(environ={"GLIMPSE_ANALYSIS_RATE_LIMIT": "10/hour", "GLIMPSE_PUBLIC_ANALYSIS": "false"})
    assert settings.analysis_rate_limit == "10/hour" and settings.public_analysis is False
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"GLIMPSE_ANALYSIS_RATE_LIMIT": "30 per minute", "GLIMPSE_TOKEN_RATE_LIMIT": "0/minute",
                               "GLIMPSE_ADMIN_RATE_LIMIT": "5/fortnight"})
    message = str(err.value)
    for name in ("GLIMPSE_ANALYSIS_RATE_LIMIT", "GLIMPSE_TOKEN_RATE_LIMIT", "GLIMPSE_ADMIN_RATE_LIMIT"):
        assert name in message


def test_cluster_threshold_is_a_similarity():
    assert load_settings(environ={"GLIMPSE_CLUSTER_THRESHOLD": "92.5"}).cluster_threshold == 92.5
    with pytest.raises(ConfigError, match="GLIMPSE_CLUSTER_THRESHOLD"):
        load_settings(environ={"GLIMPSE_CLUSTER_THRESHOLD": "120"})


def test_cli_photos_is_a_small_count_or_zero_for_one_per_core():
    assert load_settings(environ={}).cli_photos == 0
    assert load_settings(environ={"GLIMPSE_CLI_PHOTOS": "3"}).cli_photos == 3
    for bad in ("-1", "65", "two"):
        with pytest.raises(ConfigError, match="GLIMPSE_CLI_PHOTOS"):
            load_settings(environ={"GLIMPSE_CLI_PHOTOS": bad})
