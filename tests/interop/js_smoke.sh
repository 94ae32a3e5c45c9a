#!/usr/bin/env bash
# js <-> js smoke test of the interop peers themselves (no C++ involved): proves that the pinned
# npm sets install and that relay-peer.mjs and relay-node.mjs interoperate.
#
#   A  js-libp2p relay-peer  listens (fixed secp256k1 key), yamux or mplex, relays between W and M
#   W  js-waku relay-node    dials A (yamux preferred), publishes 3 after its first RECV
#   M  js-libp2p relay-peer  dials A with mplex only (ed25519 key), publishes 3 after its first RECV
# A publishes 3 once both are subscribed and in its mesh. Every peer must receive the 6 messages
# the other two sent (W <-> M through A), with the sender's and the receiver's message hashes equal
# (js-waku's own @waku/message-hash on W, the independent common/waku-message.mjs elsewhere).
#
#   tests/interop/js_smoke.sh          (runs install.sh first; ~10 s once installed)
set -euo pipefail
# shellcheck source=lib.sh disable=SC2034  # INTEROP_FAILED is read by the EXIT trap
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$INTEROP_DIR/install.sh"
interop_init

peer=$INTEROP_DIR/js-libp2p/relay-peer.mjs
waku=$INTEROP_DIR/js-waku/relay-node.mjs
key_a=$(printf '11%.0s' {1..32}) # 16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3
key_m=$(printf '22%.0s' {1..32}) # ed25519 seed: 12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns
common=(--publish 3 --expect 6 --timeout 40 --linger 1)

node "$peer" --self-test > /dev/null

start_peer A node "$peer" --listen 0 --key-hex "$key_a" --tag A --min-peers 2 "${common[@]}"
ma=$(wait_line A '^LISTEN ' 20 | cut -d' ' -f2)
[ "${ma##*/}" = 16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3 ] ||
  { echo "js_smoke: unexpected peer id in $ma" >&2; exit 1; }
start_peer W node "$waku" --dial "$ma" --tag W --publish-after-recv "${common[@]}"
start_peer M node "$peer" --dial "$ma" --key-hex "$key_m" --key-type ed25519 --muxer mplex \
  --tag M --publish-after-recv "${common[@]}"

wait_exits 45 A W M
grep -q '^CONN 12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns /mplex/6.7.0 ' "$WORK/A.out" ||
  { echo "js_smoke: M did not connect to A with mplex" >&2; INTEROP_FAILED=1; exit 1; }
grep -q '^CONN [^ ]* /yamux/1.0.0 ' "$WORK/W.out" ||
  { echo "js_smoke: W did not connect to A with yamux" >&2; INTEROP_FAILED=1; exit 1; }
node "$INTEROP_DIR/check_exchange.mjs" A="$WORK/A.out" W="$WORK/W.out" M="$WORK/M.out" ||
  { INTEROP_FAILED=1; exit 1; }
echo "js_smoke: ok"
