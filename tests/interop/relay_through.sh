#!/usr/bin/env bash
# Interop: messages relayed THROUGH a middle node X between a real js-waku relay node W and a
# js-libp2p Waku-relay peer M, both ways:
#     W (js-waku 0.0.27, --muxer-w)  <->  X (middle)  <->  M (js-libp2p 2.10, --muxer-m)
# M publishes 3 once W and M both have X in their mesh; W publishes 3 after its first receipt.
# W must receive exactly M's messages and M exactly W's, with equal message hashes (js-waku's own
# hash on W, the independent common/waku-message.mjs on M): X decoded nothing wrongly, forwarded
# both ways, and accepted/sent GRAFTs.
#
#   tests/interop/relay_through.sh [--middle js|cpp] [--middle-dials] [--muxer-w M] [--muxer-m M]
#   --middle js     X = js-libp2p relay-peer (default; proves the test itself)
#   --middle cpp    X = $WAKUNODE, the C++ node (see start_middle_cpp below)
#   --middle-dials  X dials W and M (default: W and M dial X)
#   --muxer-w/-m    yamux | mplex | both (defaults: mplex for W, as js-waku's default; yamux for M)
set -euo pipefail
# shellcheck source=lib.sh disable=SC2034  # INTEROP_FAILED is read by the EXIT trap
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

middle=js
middle_dials=0
muxer_w=mplex
muxer_m=yamux
while [ $# -gt 0 ]; do
  case $1 in
    --middle) middle=$2; shift 2 ;;
    --middle-dials) middle_dials=1; shift ;;
    --muxer-w) muxer_w=$2; shift 2 ;;
    --muxer-m) muxer_m=$2; shift 2 ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done

"$INTEROP_DIR/install.sh" > /dev/null
interop_init
peer=$INTEROP_DIR/js-libp2p/relay-peer.mjs
waku=$INTEROP_DIR/js-waku/relay-node.mjs
key_x=$(printf '11%.0s' {1..32})
id_x=16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3 # peer id of key_x (secp256k1)
topic=/waku/2/rs/16/32

# start_middle_cpp PORT DIAL_MA...: start wakunode as X with the secp256k1 node key $key_x (so its
# peer id is $id_x), relaying $topic, listening on 127.0.0.1:PORT, and dialling each DIAL_MA
# (static peers). Its DEBUG log is $WORK/X.err.
start_middle_cpp() {
  local port=$1
  shift
  local static=()
  for ma in "$@"; do static+=("--staticnode=$ma"); done
  wakunode_start X --nodekey="$key_x" --tcp-port="$port" "${static[@]}"
}

start_middle() { # PORT DIAL_MA...
  local port=$1
  shift
  if [ "$middle" = cpp ]; then
    start_middle_cpp "$port" "$@"
  else
    local dials=()
    for ma in "$@"; do dials+=(--dial "$ma"); done
    start_peer X node "$peer" --topic "$topic" --key-hex "$key_x" --listen "$port" --timeout 60 "${dials[@]}"
  fi
}

wait_port() { # PORT TIMEOUT_S
  local deadline=$((SECONDS + $2))
  until (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "relay_through: port $1 not open" >&2; return 1; }
    sleep 0.1
  done
}

w_args=(--topic "$topic" --tag W --muxer "$muxer_w" --publish 3 --expect 3 --publish-after-recv --timeout 45)
m_args=(--topic "$topic" --tag M --muxer "$muxer_m" --publish 3 --expect 3 --publish-after-signal --timeout 45
  --key-hex "$(printf '22%.0s' {1..32})" --key-type ed25519)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
if [ $middle_dials = 1 ]; then
  start_peer W node "$waku" --listen 0 "${w_args[@]}"
  start_peer M node "$peer" --listen 0 "${m_args[@]}"
  w_ma=$(wait_line W '^LISTEN ' 20 | cut -d' ' -f2)
  m_ma=$(wait_line M '^LISTEN ' 20 | cut -d' ' -f2)
  start_middle "$port" "$w_ma" "$m_ma"
else
  start_middle "$port"
  wait_port "$port" 20
  x_ma=/ip4/127.0.0.1/tcp/$port/p2p/$id_x
  start_peer W node "$waku" --dial "$x_ma" "${w_args[@]}"
  start_peer M node "$peer" --dial "$x_ma" "${m_args[@]}"
fi
# MESH 1 on W and M: each sent X a GRAFT (or accepted X's), so X has both in its mesh.
wait_line W '^MESH [1-9]' 20 > /dev/null
wait_line M '^MESH [1-9]' 20 > /dev/null
kill -USR2 "${INTEROP_PIDS[M]}"
wait_exits 50 W M
check_muxer() { # NAME MUXER
  local want
  case $2 in yamux) want=/yamux/1.0.0 ;; mplex) want=/mplex/6.7.0 ;; *) return 0 ;; esac
  grep -q "^CONN $id_x $want " "$WORK/$1.out" ||
    { echo "relay_through: $1 did not connect to X with $want" >&2; INTEROP_FAILED=1; exit 1; }
}
check_muxer W "$muxer_w"
check_muxer M "$muxer_m"
node "$INTEROP_DIR/check_exchange.mjs" --recv W=M --recv M=W W="$WORK/W.out" M="$WORK/M.out" ||
  { INTEROP_FAILED=1; exit 1; }
[ "$middle" != cpp ] || wakunode_stop X
echo "relay_through ($middle middle, $([ $middle_dials = 1 ] && echo 'middle dials' || echo 'peers dial'), W $muxer_w, M $muxer_m): ok"
