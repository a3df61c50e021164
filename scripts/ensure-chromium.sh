#!/usr/bin/env bash
# Makes Debian's Chromium available for the dashboard browser test (test/browser). Idempotent:
# exits at once when /usr/bin/chromium exists. Installs with apt-get when run as root; otherwise
# prints how to install it and exits 0 (the browser test then skips with that message).
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not installed and cannot install it here (needs root + apt-get): sudo apt-get install -y chromium" >&2
  exit 0
fi
echo "chromium: installing Debian's chromium (one time, ~1-3 min)..."
export DEBIAN_FRONTEND=noninteractive
if timeout 900 bash -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null'; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  echo "chromium: install failed; the browser test will skip" >&2
fi
exit 0
