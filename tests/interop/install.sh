#!/usr/bin/env bash
# Installs the pinned npm package sets used by the interop tests and the relay chain benchmark:
#   tests/interop/js-libp2p  (libp2p 2.10 + @chainsafe/libp2p-gossipsub 14.1.2, "set v2")
#   tests/interop/js-waku    (@waku/sdk 0.0.27 + @waku/relay 0.0.14, libp2p 1.9.4)
# Idempotent: a set whose package-lock.json (and Node major version) did not change since its last
# install is skipped. Uses `npm ci` (exactly the committed lock; `npm install` only if a lock is
# missing). Prints one line per set.
#
#   tests/interop/install.sh [--cache DIR] [--force] [SET...]     (SET: js-libp2p js-waku)
# The npm cache defaults to $WAKU_NPM_CACHE, else npm's own (~/.npm); cache it in CI.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${WAKU_NPM_CACHE:-}
force=0
sets=()
while [ $# -gt 0 ]; do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) sets+=("$1"); shift ;;
  esac
done
[ ${#sets[@]} -gt 0 ] || sets=(js-libp2p js-waku)

if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "install.sh: node and npm are required (Node >= 20; Debian: apt-get install nodejs npm," \
    "or NodeSource node 20)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install.sh: Node >= 20 required, found $(node --version)" >&2
  exit 1
fi

npm_args=(--no-audit --no-fund --loglevel=error --prefer-offline)
[ -z "$cache" ] || npm_args+=(--cache "$cache")

for set in "${sets[@]}"; do
  dir=$here/$set
  if [ ! -f "$dir/package.json" ]; then
    echo "install.sh: no such package set: $set" >&2
    exit 2
  fi
  lock=$dir/package-lock.json
  stamp=$dir/node_modules/.waku-install-stamp
  want="node$node_major $( (cat "$dir/package.json"; [ -f "$lock" ] && cat "$lock") | sha256sum | cut -c1-16)"
  if [ $force -eq 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "interop npm set $set: up to date"
    continue
  fi
  start=$SECONDS
  log=$(mktemp)
  if [ -f "$lock" ]; then cmd=ci; else cmd=install; fi
  if ! (cd "$dir" && npm "$cmd" "${npm_args[@]}") > "$log" 2>&1; then
    echo "install.sh: npm $cmd failed in $dir:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "$want" > "$stamp"
  count=$(node -p "Object.keys(require('$dir/node_modules/.package-lock.json').packages).length" \
    2> /dev/null || echo '?')
  echo "interop npm set $set: npm $cmd done in $((SECONDS - start)) s ($count packages)"
done
