#!/usr/bin/env bash
# Before `make test`: the browser tests drive Debian's Chromium. Install it when this user can
# (root with apt-get, as on CI); otherwise stop with one line saying how, before any test runs.
# GLIMPSE_CHROMIUM names the executable (default /usr/bin/chromium), as the browser tests read it.
set -euo pipefail

chromium="${GLIMPSE_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0

how="install it with 'sudo apt-get install chromium' (Debian/Ubuntu) or set GLIMPSE_CHROMIUM to a Chromium executable"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "make test: the browser tests need Chromium at $chromium, which is missing: $how, then run make test again." >&2
  exit 1
fi

echo "make test: Chromium is missing at $chromium; installing Debian's chromium with apt-get (a minute or two)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq chromium; } >/dev/null; then
  echo "make test: apt-get could not install chromium (see the messages above): $how, then run make test again." >&2
  exit 1
fi
if [ ! -x "$chromium" ]; then
  echo "make test: apt-get installed chromium but $chromium is still missing: set GLIMPSE_CHROMIUM to its executable." >&2
  exit 1
fi
