#!/usr/bin/env bash
# `npm run kafka:stop`: stops the broker started by `npm run kafka:start` (SIGTERM, then SIGKILL
# after 5 s). Its topics and offsets are gone afterwards: the mock keeps everything in memory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pid_file="$root/.cache/broker.pid"
boot_file="$root/.cache/broker.bootstrap"

if [[ ! -f "$pid_file" ]]; then
  echo "no local broker is running (no $pid_file)"
  exit 0
fi
pid="$(cat "$pid_file")"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null \
  || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'mock-broker'; then
  echo "local broker was not running (stale pid file removed)"
  rm -f "$pid_file" "$boot_file"
  exit 0
fi

kill -TERM "$pid"
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "broker did not exit within 5 s of SIGTERM; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$pid_file" "$boot_file"
echo "local broker stopped (pid $pid)"
