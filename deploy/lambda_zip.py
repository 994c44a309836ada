"""Build the S3-drop enrolment Lambda as a .zip: requirements.txt for Lambda's platform + the webapp package.

Run: python deploy/lambda_zip.py [--python 3.12] [--arch x86_64|arm64] [--out build/glimpse-lambda.zip]
(`make lambda-zip` runs it). Wheels are fetched for Lambda's Linux and Python, not this
machine's, so Pillow's native code matches the runtime. The handler is
`webapp.lambda_handler.handler`. Templates, static files and tests are left out.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lambda's python3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34): any manylinux wheel up to 2_34 fits.
PLATFORMS = {arch: [f"manylinux_2_{v}_{arch}" for v in (17, 28, 34)] for arch in ("x86_64", "aarch64")}
ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}
SKIP_DIRS = {"__pycache__", "tests"}
SKIP_PACKAGES = ("gunicorn",)  # the web server is not used inside Lambda
LIMIT_UNZIPPED = 250 * 1024 * 1024  # Lambda's limit for a function and its layers, unzipped


def install_requirements(target: Path, python: str, arch: str) -> None:
    """pip-install requirements.txt into `target` as wheels built for Lambda's platform."""
    platforms = [flag for tag in PLATFORMS[ARCHES[arch]] for flag in ("--platform", tag)]
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target),
                    *platforms, "--implementation", "cp", "--python-version", python,
                    "--only-binary=:all:", "-r", str(ROOT / "requirements.txt")], check=True)


def _files(base: Path):
    """Every file under base that belongs in the zip, as (path, name in the zip)."""
    for path in sorted(base.rglob("*")):
        parts = path.relative_to(base).parts
        if path.is_dir() or SKIP_DIRS & set(parts) or path.suffix == ".pyc":
            continue
        if parts[0].startswith(SKIP_PACKAGES):
            continue
        yield path, "/".join(parts)


def write_zip(packages: Path, out: Path) -> tuple[int, int]:
    """Zip the installed packages and the webapp package; returns (zipped, unzipped) sizes in bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    unzipped = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path, name in _files(packages):
            zf.write(path, name)
            unzipped += path.stat().st_size
        for path, name in _files(ROOT / "webapp"):
            zf.write(path, f"webapp/{name}")
            unzipped += path.stat().st_size
    return out.stat().st_size, unzipped


def main() -> None:
    """Install, zip and report the sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="3.12", help="Lambda runtime version (python3.12 → 3.12)")
    parser.add_argument("--arch", default="x86_64", choices=sorted(ARCHES))
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "glimpse-lambda.zip")
    args = parser.parse_args()
    packages = args.out.parent / "lambda-packages"
    shutil.rmtree(packages, ignore_errors=True)
    install_requirements(packages, args.python, args.arch)
    zipped, unzipped = write_zip(packages, args.out)
    print(f"{args.out}: {zipped / 1048576:.1f} MB zipped, {unzipped / 1048576:.1f} MB unzipped "
          f"(python{args.python}, {args.arch}; handler webapp.lambda_handler.handler)")
    if unzipped > LIMIT_UNZIPPED:
        sys.exit("The package is over Lambda's 250 MB unzipped limit.")


if __name__ == "__main__":
    main()
