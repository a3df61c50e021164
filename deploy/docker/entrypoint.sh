#!/bin/sh
# Container entrypoint, run by tini (PID 1) so that SIGTERM reaches node and the service drains.
#
# Job: size the V8 old-space heap from the container's memory limit, then exec the command.
# Why: V8's default heap limit is a heuristic (a fraction of the memory it sees, capped at a
# few GiB); whether it sees the cgroup limit depends on the Node/libuv version. An explicit size
# makes it predictable: big enough to use the limit, small enough that V8 collects (or fails
# with a clear heap error) before the kernel OOM-kills the pod. Only a share of the limit goes
# to the V8 heap: tensors (onnxruntime, tfjs/wasm), window buffers (ArrayBuffers) and Kafka
# buffers live outside it.
#
# Contract (tested in test/unit/deploy/entrypoint.test.ts):
#   CONTAINER_HEAP_PERCENT  share of the limit for --max-old-space-size (default 60, 0 disables)
#   CONTAINER_HEAP_MIN_MB   floor for the computed size (default 96)
#   CONTAINER_CGROUP_ROOT   where cgroup files are read (default /sys/fs/cgroup; tests point it elsewhere)
#   cgroup v2: $root/memory.max ("max" = unlimited); cgroup v1: $root/memory/memory.limit_in_bytes.
#   (Not TICKCAST_*: the config loader rejects TICKCAST_ variables it does not know.)
#   A limit above 1 TiB is treated as unlimited (v1 reports ~2^63 when no limit is set).
#   An explicit --max-old-space-size already in NODE_OPTIONS wins; nothing is changed then.
set -eu

root="${CONTAINER_CGROUP_ROOT:-/sys/fs/cgroup}"
percent="${CONTAINER_HEAP_PERCENT:-60}"
min_mb="${CONTAINER_HEAP_MIN_MB:-96}"

limit=""
if [ -r "$root/memory.max" ]; then
  limit="$(cat "$root/memory.max")"
elif [ -r "$root/memory/memory.limit_in_bytes" ]; then
  limit="$(cat "$root/memory/memory.limit_in_bytes")"
fi

case "$percent" in ''|*[!0-9]*) echo "tickcast-entrypoint: CONTAINER_HEAP_PERCENT must be an integer 0-100; got \"$percent\"" >&2; exit 78 ;; esac
case "$min_mb" in ''|*[!0-9]*) echo "tickcast-entrypoint: CONTAINER_HEAP_MIN_MB must be an integer; got \"$min_mb\"" >&2; exit 78 ;; esac
if [ "$percent" -gt 100 ]; then
  echo "tickcast-entrypoint: CONTAINER_HEAP_PERCENT must be an integer 0-100; got \"$percent\"" >&2
  exit 78
fi

case "$limit" in
  ''|max|*[!0-9]*) limit="" ;;   # no limit, or unreadable
esac

case " ${NODE_OPTIONS:-} " in
  *" --max-old-space-size="*|*" --max_old_space_size="*) limit="" ;;   # the operator decided
esac

if [ -n "$limit" ] && [ "$percent" -gt 0 ] && [ "$limit" -le 1099511627776 ]; then
  limit_mb=$((limit / 1048576))
  heap_mb=$((limit_mb * percent / 100))
  if [ "$heap_mb" -lt "$min_mb" ]; then heap_mb="$min_mb"; fi
  NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$heap_mb"
  export NODE_OPTIONS
fi

exec "$@"
