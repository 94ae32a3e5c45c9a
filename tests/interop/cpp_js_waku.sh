#!/usr/bin/env bash
# Interop: wakunode (C++) <-> real js-waku relay nodes (@waku/sdk 0.0.27 + @waku/relay 0.0.14 over
# TCP), either side dialling, messages both ways, in one session around one wakunode X:
#     WD  js-waku dials X, mplex only
#     WL  js-waku listens, X dials it (--staticnode), yamux only
#     Q   wakunode X itself over REST (cpp/rest-peer.mjs): posts 3, reads back what X received
# Once X lists both as relay peers and both have X in their mesh, every participant publishes 3
# messages and must receive exactly the 6 the others sent. Hash agreement, checked by
# check_exchange.mjs per message: a message posted at X is received by js-waku, whose own
# messageHash (@waku/message-hash) must equal `wakunode hash` of what was posted; a message
# published by js-waku is read back at X over REST, and `wakunode hash` of its fields must equal
# the hash js-waku computed when sending. Timestamps carry sub-millisecond digits both ways.
#
#   tests/interop/cpp_js_waku.sh [WAKUNODE]     (or WAKUNODE in the environment; ~15 s)
set -euo pipefail
# shellcheck source=lib.sh disable=SC2034  # INTEROP_FAILED is read by the EXIT trap
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WAKUNODE=${1:-${WAKUNODE:-}}
[ -x "$WAKUNODE" ] || { echo "usage: $0 WAKUNODE (or set WAKUNODE)" >&2; exit 2; }
"$INTEROP_DIR/install.sh" js-waku > /dev/null
interop_init

waku=$INTEROP_DIR/js-waku/relay-node.mjs
key_x=$(printf '11%.0s' {1..32})
id_x=16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3 # peer id of key_x (secp256k1)
common=(--publish 3 --expect 6 --publish-after-signal --timeout 60 --linger 1)

start_peer WL node "$waku" --listen 0 --muxer yamux --tag WL "${common[@]}"
wl_ma=$(wait_line WL '^LISTEN ' 30 | cut -d' ' -f2)
wakunode_start X --nodekey="$key_x" --staticnode="$wl_ma"
[ "${WAKU_MA[X]##*/}" = "$id_x" ] ||
  { echo "cpp_js_waku: X listens on ${WAKU_MA[X]}, not as $id_x" >&2; exit 1; }
start_peer WD node "$waku" --dial "${WAKU_MA[X]}" --muxer mplex --tag WD "${common[@]}"
start_peer Q node "$INTEROP_DIR/cpp/rest-peer.mjs" --rest "${WAKU_REST[X]}" --wakunode "$WAKUNODE" \
  --min-peers 2 --tag Q "${common[@]}"

wait_relay_peers X 2 30
for p in WL WD; do wait_line "$p" '^MESH [1-9]' 30 > /dev/null; done
for p in WL WD Q; do kill -USR2 "${INTEROP_PIDS[$p]}"; done
wait_exits 70 WL WD Q

check_conn() { # NAME MUXER
  grep -q "^CONN $id_x $2 " "$WORK/$1.out" ||
    { echo "cpp_js_waku: $1 has no $2 connection to X" >&2; INTEROP_FAILED=1; exit 1; }
}
check_conn WL /yamux/1.0.0
check_conn WD /mplex/6.7.0
node "$INTEROP_DIR/check_exchange.mjs" WL="$WORK/WL.out" WD="$WORK/WD.out" Q="$WORK/Q.out" ||
  { INTEROP_FAILED=1; exit 1; }
wakunode_stop X
echo "cpp_js_waku: ok"
