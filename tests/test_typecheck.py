"""`make typecheck`: mypy with pyproject.toml's settings, run by `make test` before pytest."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One bug per line that the settings are there to catch; the test asserts each line is reported.
SAMPLE = '''\
from __future__ import annotations
from typing import Any


def shout(name: str | None) -> str:
    return name.upper()


def count(words):
    return len(words)


def double(width: int = None) -> int:
    return width * 2


def first(values: Any) -> int:
    return values[0]


def greet(name: str) -> str:
    return "hello " + name


greet(None)
'''
EXPECTED = {
    "union-attr": "return name.upper()",  # strict_optional: attribute of a value that may be None
    "no-untyped-def": "def count(",  # disallow_untyped_defs: a function without annotations
    "assignment": "def double(",  # no_implicit_optional: a None default does not make `int` optional
    "no-any-return": "return values[0]",  # warn_return_any: an untyped value leaks out as an int
    "arg-type": "greet(None)",  # None passed where a str is required
}


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run mypy with the project's settings on the sample; error code → the source line it flagged."""
    sample = tmp_path_factory.mktemp("typecheck") / "sample.py"
    sample.write_text(SAMPLE)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", os.devnull,
         "--no-error-summary", str(sample)],
        capture_output=True, text=True, timeout=300,
    )
    lines = SAMPLE.splitlines()
    found = {}
    for match in re.finditer(r"sample\.py:(\d+): error: .*\[([a-z-]+)\]$", run.stdout, re.MULTILINE):
        found[match.group(2)] = lines[int(match.group(1)) - 1]
    return found


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_type_check_settings_report_the_bug(reported: dict[str, str], code: str) -> None:
    """Each setting in [tool.mypy] reports the bug it is there for, on the right line."""
    assert code in reported, f"mypy did not report [{code}]; it reported {reported}"
    assert EXPECTED[code] in reported[code]


def test_make_test_type_checks_webapp_before_the_tests() -> None:
    """`make test` runs mypy (through `make lint`) before pytest."""
    dry = subprocess.run([shutil.which("make") or "make", "-n", "--no-print-directory", "-C", str(ROOT), "test",
                          "VENV=/nonexistent-venv"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GLIMPSE_CHROMIUM": "/bin/sh"})
    out = dry.stdout
    assert "/nonexistent-venv/bin/mypy" in out
    assert out.index("/nonexistent-venv/bin/mypy") < out.index("-m pytest")
