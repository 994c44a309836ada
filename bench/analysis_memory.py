"""Peak memory of one local-mode analysis (`Recognizer.analyse`) in a warm process, by megapixels.

Run: python bench/analysis_memory.py [MEGAPIXELS ...]   (default 12 40)
Each size runs in a fresh interpreter: the app is built on an empty temp data dir, one 1 MP photo is
analysed first (every model loaded), then one photo of the given size (t1.jpg, 6 faces, resized);
it prints how far the peak resident set (VmHWM) rose above the warm process's peak.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

CHILD = r"""
import os, sys, tempfile
sys.path.insert(0, {here!r})
os.environ.update(GLIMPSE_DATA_DIR=tempfile.mkdtemp(), GLIMPSE_SECRET_KEY="bench")
from common import jpeg, resized, source_image
from webapp import create_app
from webapp.extensions import app_services

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

t1 = source_image("t1.jpg")
warm, photo = jpeg(resized(t1, 1.0)), jpeg(resized(t1, {mp}))
del t1
app = create_app()
with app.app_context():
    recognizer = app_services().recognizer
    recognizer.analyse(warm)
    base = hwm()
    recognizer.analyse(photo)
    print(f"{mp:g} MP analysis: peak RSS +{{hwm() - base:.0f}} MB over a warm process's {{base:.0f}} MB")
"""


def main() -> None:
    """One fresh interpreter per size."""
    sizes = [float(a) for a in sys.argv[1:]] or [12.0, 40.0]
    for mp in sizes:
        subprocess.run([sys.executable, "-c", CHILD.format(here=str(ROOT), mp=mp)], check=True)


if __name__ == "__main__":
    main()
