#!/usr/bin/env bash
# Interop: wakunode (C++) <-> js-libp2p 2.10 + gossipsub 14.1.2 configured as Waku relay, either
# side dialling, yamux and mplex, messages both ways, in one session around one wakunode X:
#     DY  js dials X, yamux only          LY  js listens, X dials it (--staticnode), yamux only
#     DM  js dials X, mplex only          LM  js listens, X dials it (--staticnode), mplex only
#     Q   wakunode X itself over REST (cpp/rest-peer.mjs): posts 3, reads back what X received
# Once X lists all four as relay peers and each js peer has X in its mesh, every participant
# publishes 3 messages; every participant must receive exactly the 12 the others sent (the js
# peers' messages reach each other only through X), with equal message hashes on both ends (js:
# the independent common/waku-message.mjs; X: `wakunode hash`, see cpp/rest-peer.mjs).
#
#   tests/interop/cpp_js_libp2p.sh [WAKUNODE]     (or WAKUNODE in the environment; ~15 s)
set -euo pipefail
# shellcheck source=lib.sh disable=SC2034  # INTEROP_FAILED is read by the EXIT trap
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WAKUNODE=${1:-${WAKUNODE:-}}
[ -x "$WAKUNODE" ] || { echo "usage: $0 WAKUNODE (or set WAKUNODE)" >&2; exit 2; }
"$INTEROP_DIR/install.sh" js-libp2p > /dev/null
interop_init

peer=$INTEROP_DIR/js-libp2p/relay-peer.mjs
key_x=$(printf '11%.0s' {1..32})
id_x=16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3 # peer id of key_x (secp256k1)
common=(--publish 3 --expect 12 --publish-after-signal --timeout 60 --linger 1)

start_peer LY node "$peer" --listen 0 --muxer yamux --tag LY "${common[@]}"
start_peer LM node "$peer" --listen 0 --muxer mplex --tag LM --key-type ed25519 \
  --key-hex "$(printf '22%.0s' {1..32})" "${common[@]}"
ly_ma=$(wait_line LY '^LISTEN ' 30 | cut -d' ' -f2)
lm_ma=$(wait_line LM '^LISTEN ' 30 | cut -d' ' -f2)
wakunode_start X --nodekey="$key_x" --staticnode="$ly_ma" --staticnode="$lm_ma"
[ "${WAKU_MA[X]##*/}" = "$id_x" ] ||
  { echo "cpp_js_libp2p: X listens on ${WAKU_MA[X]}, not as $id_x" >&2; exit 1; }
start_peer DY node "$peer" --dial "${WAKU_MA[X]}" --muxer yamux --tag DY "${common[@]}"
start_peer DM node "$peer" --dial "${WAKU_MA[X]}" --muxer mplex --tag DM "${common[@]}"
start_peer Q node "$INTEROP_DIR/cpp/rest-peer.mjs" --rest "${WAKU_REST[X]}" --wakunode "$WAKUNODE" \
  --min-peers 4 --tag Q "${common[@]}"

wait_relay_peers X 4 30
for p in LY LM DY DM; do wait_line "$p" '^MESH [1-9]' 30 > /dev/null; done
for p in LY LM DY DM Q; do kill -USR2 "${INTEROP_PIDS[$p]}"; done
wait_exits 70 LY LM DY DM Q

check_conn() { # NAME MUXER
  grep -q "^CONN $id_x $2 " "$WORK/$1.out" ||
    { echo "cpp_js_libp2p: $1 has no $2 connection to X" >&2; INTEROP_FAILED=1; exit 1; }
}
check_conn LY /yamux/1.0.0
check_conn DY /yamux/1.0.0
check_conn LM /mplex/6.7.0
check_conn DM /mplex/6.7.0
node "$INTEROP_DIR/check_exchange.mjs" LY="$WORK/LY.out" LM="$WORK/LM.out" DY="$WORK/DY.out" \
  DM="$WORK/DM.out" Q="$WORK/Q.out" || { INTEROP_FAILED=1; exit 1; }
wakunode_stop X
echo "cpp_js_libp2p: ok"
