#!/usr/bin/env bash
# Builds (once) the local mock Kafka broker used by tests, benchmarks and `npm run kafka:start`,
# and prints the binary's absolute path as the LAST line of stdout. See docs/local-broker.md.
#
# Idempotent and cached outside the clone:
#   $TICKCAST_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/tickcast)/
#     librdkafka-<ver>-<sha of patch>/prefix/   librdkafka built from the tree vendored in
#                                              @confluentinc/kafka-javascript, with our patch
#                                              (patch-librdkafka.mjs) applied (static lib + headers)
#     broker-<ver>-<sha of mock-broker.c + patch>/mock-broker
# A warm cache answers in milliseconds. Editing mock-broker.c only recompiles our program (~1 s);
# librdkafka itself (~2.5 min on 2 cores) is rebuilt only when its version changes or it is missing.
# Concurrent runs are serialised with flock, so parallel CI jobs or test files cannot collide.
#
# Needs: bash, node/npm (registry reachable), tar, gcc, make, sha256sum, flock. zlib headers are
# installed with apt-get when missing and we are root; without them librdkafka is built without zlib.
set -euo pipefail

KJS_PACKAGE="@confluentinc/kafka-javascript"
KJS_VERSION="1.10.1"
# The librdkafka version vendored in $KJS_PACKAGE@$KJS_VERSION (checked against rdkafka.h below).
RDK_VERSION="2.15.1"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src_c="$here/mock-broker.c"
patch_js="$here/patch-librdkafka.mjs"
cache_root="${TICKCAST_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?set HOME or TICKCAST_CACHE_DIR}/.cache}/tickcast}"
log() { printf 'broker-build: %s\n' "$*" >&2; }
die() { printf 'broker-build: ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$src_c" && -f "$patch_js" ]] || die "missing $src_c or $patch_js"
# Only what the mock needs. lz4 stays builtin (an installed liblz4-dev would otherwise be picked up
# and change what must be linked); zlib is decided below.
CONFIGURE_FLAGS=(--disable-ssl --disable-gssapi --disable-curl --disable-zstd --disable-lz4-ext)
patch_hash="$({ cat "$patch_js"; echo "${CONFIGURE_FLAGS[*]}"; } | sha256sum | cut -c1-8)"
src_hash="$({ cat "$src_c" "$patch_js"; echo "${CONFIGURE_FLAGS[*]}"; } | sha256sum | cut -c1-12)"
rdk_dir="$cache_root/librdkafka-$RDK_VERSION-$patch_hash"
prefix="$rdk_dir/prefix"
bin_dir="$cache_root/broker-$RDK_VERSION-$src_hash"
bin="$bin_dir/mock-broker"

# Fast path: nothing to do.
if [[ -x "$bin" ]]; then
  printf '%s\n' "$bin"
  exit 0
fi

for tool in gcc make tar node npm sha256sum flock; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required to build the local broker; install it (Debian: apt-get install -y build-essential util-linux) and rerun"
done

mkdir -p "$cache_root"
exec 9>"$cache_root/build.lock"
if ! flock -n 9; then
  log "another build holds $cache_root/build.lock; waiting (up to 15 min)"
  flock -w 900 9 || die "timed out waiting for $cache_root/build.lock"
fi
# Someone else may have finished the build while we waited.
if [[ -x "$bin" ]]; then
  printf '%s\n' "$bin"
  exit 0
fi

have_zlib() { printf '#include <zlib.h>\n' | gcc -E -x c - >/dev/null 2>&1; }
if ! have_zlib; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "zlib headers missing; installing zlib1g-dev with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev; } >&2 \
      || log "apt-get could not install zlib1g-dev; building without zlib"
  else
    log "zlib headers missing and cannot apt-get (not root); building without zlib (gzip-compressed batches unsupported)"
  fi
fi
zlib_flags=(--disable-zlib); link_zlib=()
if have_zlib; then zlib_flags=(); link_zlib=(-lz); fi

jobs="$(nproc 2>/dev/null || echo 2)"
started=$SECONDS

if [[ ! -f "$prefix/lib/librdkafka-static.a" && ! -f "$prefix/lib/librdkafka.a" ]]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/tickcast-rdk.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "building librdkafka $RDK_VERSION (from $KJS_PACKAGE@$KJS_VERSION) into $prefix; takes a few minutes once"
  (cd "$work" && npm pack --silent "$KJS_PACKAGE@$KJS_VERSION" >/dev/null) \
    || die "npm pack $KJS_PACKAGE@$KJS_VERSION failed; is the npm registry reachable?"
  tar -xzf "$work"/*.tgz -C "$work" package/deps/librdkafka \
    || die "the $KJS_PACKAGE tarball has no deps/librdkafka"
  rdk_src="$work/package/deps/librdkafka"
  ver_hex="$(sed -n 's/^#define RD_KAFKA_VERSION *0x\([0-9a-fA-F]*\).*/\1/p' "$rdk_src/src/rdkafka.h")"
  got="$((16#${ver_hex:0:2})).$((16#${ver_hex:2:2})).$((16#${ver_hex:4:2}))"
  [[ "$got" == "$RDK_VERSION" ]] \
    || die "$KJS_PACKAGE@$KJS_VERSION vendors librdkafka $got, expected $RDK_VERSION; update RDK_VERSION in $0"
  node "$patch_js" "$rdk_src" || die "patching librdkafka failed (see above)"
  rm -rf "$rdk_dir"
  mkdir -p "$rdk_dir"
  (
    cd "$rdk_src"
    # Only the C library is needed (not src-cpp). Output goes to a log; its tail is shown on failure.
    ./configure --prefix="$prefix" "${CONFIGURE_FLAGS[@]}" "${zlib_flags[@]}" \
      && make -j"$jobs" -C src lib \
      && make -C src install
  ) >"$rdk_dir/build.log" 2>&1 || { tail -n 40 "$rdk_dir/build.log" >&2; die "librdkafka build failed; full log: $rdk_dir/build.log"; }
  log "librdkafka built in $((SECONDS - started)) s"
fi

static_lib="$prefix/lib/librdkafka-static.a"
[[ -f "$static_lib" ]] || static_lib="$prefix/lib/librdkafka.a"
[[ -f "$static_lib" ]] || die "no static librdkafka under $prefix/lib; remove $rdk_dir and rerun"

mkdir -p "$bin_dir"
tmp_bin="$bin_dir/mock-broker.tmp.$$"
gcc -O2 -Wall -Wextra -Wno-unused-parameter -o "$tmp_bin" "$src_c" -isystem "$prefix/include" "$static_lib" \
  "${link_zlib[@]}" -lpthread -lm -ldl -lrt \
  || { rm -f "$tmp_bin"; die "compiling $src_c failed"; }
mv -f "$tmp_bin" "$bin"
log "mock broker ready in $((SECONDS - started)) s: $bin"
printf '%s\n' "$bin"
