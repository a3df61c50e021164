#!/usr/bin/env bash
# Builds (once per package version + Node ABI) the native addon of @confluentinc/kafka-javascript,
# tickcast's Kafka client (librdkafka), and installs it into the package directory. See
# docs/kafka-client.md.
#
#   bash scripts/kafka-client/build.sh [PACKAGE_DIR]     (default: node_modules/@confluentinc/kafka-javascript)
#
# Runs from `npm ci` / `npm install` (the package's own install script reaches it through the
# node-gyp shim named in .npmrc, and the root postinstall re-checks), or by hand: `npm run kafka:client`.
#
# Why: the package's prebuilt binary comes from GitHub (unreachable from many build machines) and
# its default source build downloads zlib/OpenSSL/zstd sources. Linked dynamically against
# Debian's -dev packages (CKJS_LINKING=dynamic) it builds offline in ~2-4 min, with every codec
# (gzip, snappy, lz4, zstd) and security mode (SSL, SASL PLAIN/SCRAM/OAUTHBEARER, OIDC).
#
# Cache, outside the clone (like scripts/broker/build.sh):
#   $TICKCAST_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/tickcast)/
#     kafka-javascript-<ver>-<os>-<arch>-node-abi<N>/{confluent-kafka-javascript.node,librdkafka.so.1,librdkafka++.so.1}
# A warm cache installs in well under a second; the result is load-tested before it counts.
# Concurrent runs are serialised with flock.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pkg_dir="$(cd "${1:-$root/node_modules/@confluentinc/kafka-javascript}" 2>/dev/null && pwd)" \
  || { printf 'kafka-client: ERROR: %s not found; run npm ci first\n' "${1:-node_modules/@confluentinc/kafka-javascript}" >&2; exit 1; }
cache_root="${TICKCAST_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?set HOME or TICKCAST_CACHE_DIR}/.cache}/tickcast}"
log() { printf 'kafka-client: %s\n' "$*" >&2; }
die() { printf 'kafka-client: ERROR: %s\n' "$*" >&2; exit 1; }

# Features tickcast needs from librdkafka (docs/kafka-client.md): refuse a build without them.
REQUIRED_FEATURES="gzip snappy lz4 zstd ssl sasl_plain sasl_scram sasl_oauthbearer oidc"
# Debian packages: headers to build, and what they provide.
DEV_PACKAGES="zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev"
HEADERS="zlib.h openssl/ssl.h zstd.h lz4frame.h sasl/sasl.h curl/curl.h"

version="$(node -p "require('$pkg_dir/package.json').version")"
key="kafka-javascript-$version-$(node -p 'process.platform + "-" + process.arch + "-node-abi" + process.versions.modules')"
cache_dir="$cache_root/$key"
addon_dir="$pkg_dir/build/Release"
deps_dir="$pkg_dir/build/deps"

# Loads the addon in a fresh node and checks the features; prints "librdkafka <ver>: <features>".
check() {
  node -e '
    const k = require(process.argv[1]);
    const missing = process.argv[2].split(" ").filter((f) => !k.features.includes(f));
    if (missing.length) { console.error("missing librdkafka features: " + missing.join(", ")); process.exit(3); }
    console.log("librdkafka " + k.librdkafkaVersion + ": " + k.features.join(","));
  ' "$pkg_dir" "$REQUIRED_FEATURES"
}

install_from_cache() {
  [[ -f "$cache_dir/confluent-kafka-javascript.node" && -f "$cache_dir/librdkafka.so.1" && -f "$cache_dir/librdkafka++.so.1" ]] || return 1
  mkdir -p "$addon_dir" "$deps_dir"
  cp -f "$cache_dir/confluent-kafka-javascript.node" "$addon_dir/"
  cp -f "$cache_dir/librdkafka.so.1" "$cache_dir/librdkafka++.so.1" "$deps_dir/"
  ln -sf librdkafka.so.1 "$deps_dir/librdkafka.so"
  ln -sf librdkafka++.so.1 "$deps_dir/librdkafka++.so"
  local out
  if out="$(check 2>&1)"; then log "installed from cache $cache_dir ($out)"; return 0; fi
  log "cached build in $cache_dir does not load here ($out); rebuilding"
  rm -rf "$cache_dir" "$addon_dir/confluent-kafka-javascript.node"
  return 1
}

# Fast paths: already built in place, or cached.
if [[ -f "$addon_dir/confluent-kafka-javascript.node" ]] && out="$(check 2>/dev/null)"; then
  log "already built ($out)"; exit 0
fi
install_from_cache && exit 0

mkdir -p "$cache_root"
exec 9>"$cache_root/build.lock"
if ! flock -n 9; then
  log "another build holds $cache_root/build.lock; waiting (up to 15 min)"
  flock -w 900 9 || die "timed out waiting for $cache_root/build.lock"
fi
install_from_cache && exit 0

have_header() { printf '#include <%s>\n' "$1" | gcc -E -x c - >/dev/null 2>&1; }
missing_headers() { local h m=(); for h in $HEADERS; do have_header "$h" || m+=("$h"); done; echo "${m[*]:-}"; }
need_tools=()
for tool in gcc g++ make python3; do command -v "$tool" >/dev/null 2>&1 || need_tools+=("$tool"); done
if [[ ${#need_tools[@]} -gt 0 || -n "$(command -v gcc >/dev/null 2>&1 && missing_headers || echo all)" ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing build prerequisites with apt-get: build-essential python3 $DEV_PACKAGES"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        build-essential python3 $DEV_PACKAGES; } >&2 || die "apt-get could not install the build prerequisites"
  fi
fi
for tool in gcc g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required to build the Kafka client; Debian: apt-get install -y build-essential python3 $DEV_PACKAGES"
done
m="$(missing_headers)"
[[ -z "$m" ]] || die "missing headers ($m); Debian: apt-get install -y $DEV_PACKAGES (then rerun: npm run kafka:client)"

# node-gyp ships with npm; npm_config_node_gyp may point at our shim, so find the real one.
gyp="${TICKCAST_REAL_NODE_GYP:-}"
if [[ -z "$gyp" && -n "${npm_execpath:-}" ]]; then gyp="$(dirname "$npm_execpath")/../node_modules/node-gyp/bin/node-gyp.js"; fi
if [[ -z "$gyp" || ! -f "$gyp" ]]; then gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"; fi
[[ -f "$gyp" ]] || die "cannot find node-gyp (looked next to npm); set TICKCAST_REAL_NODE_GYP"

build_log="$cache_root/$key.build.log"
started=$SECONDS
log "building @confluentinc/kafka-javascript $version against system libraries (once per version and Node ABI; 2-5 min); log: $build_log"
(
  cd "$pkg_dir"
  # No JOBS=N: the generated Makefile does not order the configure action before its users (make -j races).
  export CKJS_LINKING=dynamic
  unset npm_config_node_gyp
  node "$gyp" rebuild
) >"$build_log" 2>&1 || { tail -n 40 "$build_log" >&2; die "native build failed; full log: $build_log"; }
out="$(check 2>&1)" || die "the build does not load or lacks features: $out"

tmp="$(mktemp -d "$cache_root/.$key.XXXXXX")"
cp "$addon_dir/confluent-kafka-javascript.node" "$tmp/"
cp -L "$deps_dir/librdkafka.so.1" "$deps_dir/librdkafka++.so.1" "$tmp/"
rm -rf "$cache_dir" && mv "$tmp" "$cache_dir"
# Sources and objects are not needed at run time (~100 MB).
rm -rf "$pkg_dir/build/Release/obj.target"
find "$pkg_dir/deps/librdkafka" "$pkg_dir/build/deps" \( -name '*.o' -o -name '*.a' \) -delete 2>/dev/null || true
log "built in $((SECONDS - started)) s and cached in $cache_dir ($out)"
