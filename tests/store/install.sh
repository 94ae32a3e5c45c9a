#!/usr/bin/env bash
# Installs the pinned npm package set of the store interop test (tests/store/js-light: @waku/sdk
# 0.0.36 light node over TCP) with `npm ci` (exactly the committed package-lock.json). Idempotent:
# skipped while package.json, the lock and the Node major version are unchanged since the last
# install. (tests/interop/install.sh takes only its own set names, hence this small twin.)
#   tests/store/install.sh [--cache DIR] [--force]   (cache default: $WAKU_NPM_CACHE, else ~/.npm)
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/js-light
cache=${WAKU_NPM_CACHE:-}
force=0
while [ $# -gt 0 ]; do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --force) force=1; shift ;;
    *) echo "usage: $0 [--cache DIR] [--force]" >&2; exit 2 ;;
  esac
done
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "store install.sh: node (>= 20) and npm are required" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "store install.sh: Node >= 20 required" >&2; exit 1; }

stamp=$dir/node_modules/.waku-install-stamp
want="node$node_major $(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)"
if [ $force -eq 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "store npm set js-light: up to date"
  exit 0
fi
npm_args=(--no-audit --no-fund --loglevel=error --prefer-offline)
[ -z "$cache" ] || npm_args+=(--cache "$cache")
start=$SECONDS
log=$(mktemp)
# @waku/* 0.0.36 declare node >= 22 (EBADENGINE warnings only): Node 20 works with the polyfill.
if ! (cd "$dir" && npm ci "${npm_args[@]}") > "$log" 2>&1; then
  echo "store install.sh: npm ci failed in $dir:" >&2
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "$want" > "$stamp"
echo "store npm set js-light: npm ci done in $((SECONDS - start)) s"
