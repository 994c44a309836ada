"""`make test` on a machine without Chromium: installs it as root with apt-get, else stops with one line."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure_chromium.sh"


def _stub(path: Path, body: str) -> None:
    """An executable shell script at path."""
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A PATH holding only bash and a stub `id`; Chromium pointed at a file that does not exist."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to(shutil.which("bash"))
    env = {"PATH": str(bin_dir), "GLIMPSE_CHROMIUM": str(tmp_path / "no" / "chromium"), "HOME": str(tmp_path)}
    return bin_dir, env


def _as_user(bin_dir: Path, uid: int) -> None:
    """Make `id -u` answer uid."""
    _stub(bin_dir / "id", f"echo {uid}")


def _fake_apt(bin_dir: Path, log: Path, creates: str | None) -> None:
    """An apt-get that logs its arguments and, on install, creates the Chromium executable."""
    # PATH holds only the stubs, so the tools the fake install uses are named in full.
    mkdir, chmod = shutil.which("mkdir"), shutil.which("chmod")
    make = f'[ "$1" = install ] && {mkdir} -p {Path(creates).parent} && printf "#!/bin/sh\\n" > {creates} ' \
           f'&& {chmod} +x {creates}' if creates else ":"
    _stub(bin_dir / "apt-get", f'echo "$@" >> {log}\n{make}\nexit 0')


def _fake_venv(tmp_path: Path, marker: Path) -> Path:
    """A venv whose python records that it ran (it would run pytest), with install stamps up to date."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    _stub(venv / "bin" / "python", f"touch {marker}")
    _stub(venv / "bin" / "ruff", "exit 0")
    for stamp in (".runtime", ".dev"):
        (venv / stamp).touch()
    return venv


@pytest.mark.parametrize(("uid", "has_apt"), [(1000, True), (1000, False), (0, False)],
                         ids=["not-root", "not-root-no-apt", "root-no-apt"])
def test_make_test_stops_with_one_line_before_any_test_when_chromium_cannot_be_installed(
    machine, tmp_path, uid, has_apt
):
    """No Chromium and no way to install it: one line says what to install and how; pytest never starts."""
    bin_dir, env = machine
    _as_user(bin_dir, uid)
    apt_log = tmp_path / "apt.log"
    if has_apt:
        _fake_apt(bin_dir, apt_log, creates=None)
    marker = tmp_path / "pytest-ran"
    venv = _fake_venv(tmp_path, marker)
    make = shutil.which("make")
    assert make, "make is needed to run `make test`"
    result = subprocess.run([make, "--no-print-directory", "-C", str(ROOT), "test", f"VENV={venv}"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("make test:")]
    assert len(ours) == 1, result.stderr
    assert env["GLIMPSE_CHROMIUM"] in ours[0]
    assert "apt-get install chromium" in ours[0] and "GLIMPSE_CHROMIUM" in ours[0]
    assert not marker.exists(), "pytest ran although Chromium is missing"
    assert not apt_log.exists(), "apt-get was called without root"


def test_root_with_apt_get_installs_debian_chromium_after_an_update(machine, tmp_path):
    """As root with apt-get (CI), the check updates the package lists, installs chromium and passes."""
    bin_dir, env = machine
    _as_user(bin_dir, 0)
    apt_log = tmp_path / "apt.log"
    _fake_apt(bin_dir, apt_log, creates=env["GLIMPSE_CHROMIUM"])
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = apt_log.read_text().splitlines()
    assert calls[0].startswith("update")
    assert calls[1].startswith("install") and "chromium" in calls[1].split()
    assert Path(env["GLIMPSE_CHROMIUM"]).exists()


def test_failed_apt_install_stops_with_one_line(machine, tmp_path):
    """apt-get failing (no network, no such package) is reported in one line, not ignored."""
    bin_dir, env = machine
    _as_user(bin_dir, 0)
    _stub(bin_dir / "apt-get", "exit 100")
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert [line for line in result.stderr.splitlines() if line.startswith("make test:")][-1].count(
        "could not install chromium") == 1


def test_present_chromium_passes_without_touching_apt(machine, tmp_path):
    """Chromium already there: nothing is installed and nothing is printed."""
    bin_dir, env = machine
    _as_user(bin_dir, 0)
    apt_log = tmp_path / "apt.log"
    _fake_apt(bin_dir, apt_log, creates=None)
    chromium = Path(env["GLIMPSE_CHROMIUM"])
    chromium.parent.mkdir(parents=True)
    _stub(chromium, "exit 0")
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert not apt_log.exists()


def test_ci_runs_exactly_make_test():
    """.ci/run does what a developer does: `make test`, nothing besides cd and strict mode."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "make test"]


def test_make_test_runs_lint_before_the_tests():
    """The `test` recipe runs `make lint` (ruff) and then pytest."""
    dry = subprocess.run([shutil.which("make"), "-n", "--no-print-directory", "-C", str(ROOT), "test",
                          "VENV=/nonexistent-venv"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GLIMPSE_CHROMIUM": "/bin/sh"})
    out = dry.stdout
    assert "ensure_chromium.sh" in out
    assert out.index("ensure_chromium.sh") < out.index("ruff check") < out.index("-m pytest")
