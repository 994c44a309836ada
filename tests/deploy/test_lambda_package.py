"""The Lambda zip holds the handler and its packages, and the Lambda role's policies are scoped."""
from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lambda_zip_module():
    """deploy/lambda_zip.py (a script, not a package) loaded as a module."""
    spec = importlib.util.spec_from_file_location("lambda_zip", ROOT / "deploy" / "lambda_zip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_zip_holds_the_handler_and_packages_but_no_web_server_or_bytecode(tmp_path):
    packages = tmp_path / "packages"
    for name in ("PIL/__init__.py", "boto3/__init__.py", "gunicorn/app.py", "flask/__pycache__/x.cpython-312.pyc"):
        (packages / name).parent.mkdir(parents=True, exist_ok=True)
        (packages / name).write_text("#")
    zipped, unzipped = _lambda_zip_module().write_zip(packages, tmp_path / "out.zip")
    names = set(zipfile.ZipFile(tmp_path / "out.zip").namelist())
    assert {"PIL/__init__.py", "boto3/__init__.py", "webapp/lambda_handler.py", "webapp/__init__.py"} <= names
    assert not [n for n in names if n.startswith("gunicorn/") or "__pycache__" in n or n.startswith("tests/")]
    assert 0 < zipped < unzipped


def test_wheels_are_chosen_for_lambdas_linux_not_this_machine():
    module = _lambda_zip_module()
    assert module.PLATFORMS["x86_64"] == ["manylinux_2_17_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"]
    assert module.ARCHES["arm64"] == "aarch64"


def test_only_lambda_may_assume_the_function_role():
    (statement,) = json.loads((ROOT / "deploy" / "lambda-trust-policy.json").read_text())["Statement"]
    assert statement == {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                         "Action": "sts:AssumeRole"}


def test_the_function_may_write_only_its_own_log_group():
    statements = json.loads((ROOT / "deploy" / "lambda-logs-policy.json").read_text())["Statement"]
    actions = {a for st in statements for a in st["Action"]}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    for st in statements:
        assert st["Resource"].startswith("arn:aws:logs:${Region}:${AccountId}:log-group:/aws/lambda/${FunctionName}")
