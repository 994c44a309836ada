"""Whole `flask recognize --json` processes over a folder, two or more checkouts alternating (A/B).

    python bench/whole_ab.py OLD_CHECKOUT NEW_CHECKOUT [--folder /tmp/peer-photos] [--rounds 7]

Set-up as bench/peer.py's whole-process comparison: one temp data dir with Barack Obama enrolled and
`flask models prepare` run (by the first checkout), shared by every run. Each round runs each checkout
once in a fresh process; it prints the median wall and CPU (user + system of the child) per checkout
and the load average before and after, since wall times on a shared machine move with it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from common import source_image, timed_child


def main() -> None:
    """Set up once, then alternate the checkouts."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", type=Path, nargs="+")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/peer-photos"))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    source_image("obama.jpg").save(work / "obama.jpg")
    env = {**os.environ, "GLIMPSE_DATA_DIR": str(work / "data"), "GLIMPSE_SECRET_KEY": "bench"}
    flask = [sys.executable, "-m", "flask", "--app", "application"]
    first = args.checkouts[0]
    timed_child([*flask, "people", "enroll", "Barack Obama", str(work / "obama.jpg")], env, first)
    timed_child([*flask, "models", "prepare"], env, first)
    photos = [str(p) for p in sorted(args.folder.glob("*.jpg"))]
    print(f"{len(photos)} photos; load average {os.getloadavg()[0]:.1f} at start")
    times: dict[Path, list[tuple[float, float]]] = {c: [] for c in args.checkouts}
    for _ in range(args.rounds):
        for checkout in args.checkouts:
            times[checkout].append(timed_child([*flask, "recognize", "--json", *photos], env, checkout))
    for checkout, runs in times.items():
        wall, cpu = (statistics.median(r[i] for r in runs) for i in (0, 1))
        print(f"{checkout}: wall {wall:.2f} s, CPU {cpu:.2f} s (median of {len(runs)}); "
              f"CPU runs {[round(r[1], 2) for r in runs]}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
