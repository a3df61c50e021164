#!/usr/bin/env bash
# `npm run kafka:start`: runs the local mock Kafka broker in the background for development.
# Pre-creates tickcast's default topics; extra arguments go to the broker, e.g.
#   npm run kafka:start -- --brokers 3 --topic my-topic:12
# The listener port is chosen by the kernel (the mock API cannot pin it), so the bootstrap address
# is written to .cache/broker.bootstrap:
#   KAFKA_BROKERS="$(cat .cache/broker.bootstrap)" npm start
# Stop it with `npm run kafka:stop`. Nothing survives a stop: the broker keeps data in memory only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$root/.cache"
pid_file="$state/broker.pid"
boot_file="$state/broker.bootstrap"
log_file="$state/broker.log"
mkdir -p "$state"

is_ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q 'mock-broker'; }

if [[ -f "$pid_file" ]]; then
  pid="$(cat "$pid_file")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then
    echo "local broker already running (pid $pid) at $(cat "$boot_file" 2>/dev/null || echo '?')"
    echo "stop it with: npm run kafka:stop"
    exit 0
  fi
  rm -f "$pid_file" "$boot_file"
fi

bin="$(bash "$root/scripts/broker/build.sh" | tail -n 1)"
[[ -x "$bin" ]] || { echo "kafka:start: build.sh did not produce a broker binary" >&2; exit 1; }

rm -f "$boot_file"
# setsid: the broker must not die with this shell or get the terminal's SIGINT/SIGHUP.
setsid "$bin" --bootstrap-file "$boot_file" \
  --topic ticks:6 --topic forecasts:6 --topic anomalies:6 --topic ticks.dlq:1 "$@" \
  </dev/null >"$log_file" 2>&1 &
pid=$!
echo "$pid" >"$pid_file"

for _ in $(seq 1 100); do
  [[ -s "$boot_file" ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    echo "kafka:start: the broker exited at start; its log ($log_file):" >&2
    cat "$log_file" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -s "$boot_file" ]] || { echo "kafka:start: no bootstrap address after 10 s; see $log_file" >&2; kill "$pid" 2>/dev/null || true; rm -f "$pid_file"; exit 1; }

bootstrap="$(cat "$boot_file")"
echo "local broker running (pid $pid) at $bootstrap"
echo "topics: ticks(6) forecasts(6) anomalies(6) ticks.dlq(1); unknown topics are auto-created with 4 partitions"
echo "use it:  KAFKA_BROKERS=$bootstrap npm start      (address also in .cache/broker.bootstrap)"
echo "outage:  kill -USR1 $pid (all down), kill -USR2 $pid (all up);  stop: npm run kafka:stop"
