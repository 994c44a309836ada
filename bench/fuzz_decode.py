"""Fuzz the image decoding path for a bounded time (prints what it ran and any crash).

Run: .venv/bin/python bench/fuzz_decode.py [--seconds 120]
Uses hypothesis (installed by `make test`) in rounds of 500 inputs until the time is up:
every input must decode to an RGB photo within the limits or raise InvalidImage.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hostile.test_decode_properties import SEEDS, _decode_or_refuse  # noqa: E402


def main() -> None:
    """Run mutation fuzzing until the time budget is spent; exit 1 on the first crash."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds
    runs = 0

    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=32),
           st.integers(1, 10**6), st.binary(max_size=256))
    def fuzz(seed, flips, cut, tail):
        nonlocal runs
        data = bytearray(seed)
        for position, value in flips:
            data[position % len(data)] = value
        _decode_or_refuse(bytes(data[: max(1, cut % (len(data) + 1))]) + tail)
        runs += 1

    start = time.monotonic()
    try:
        while time.monotonic() < deadline:
            fuzz()
    except Exception as exc:  # noqa: BLE001 — report any crash the property found
        print(f"CRASH after {runs} inputs: {exc!r}")
        sys.exit(1)
    print(f"fuzzed the decoder with {runs} inputs in {time.monotonic() - start:.0f} s: no crash")


if __name__ == "__main__":
    main()
