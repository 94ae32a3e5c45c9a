# shellcheck shell=bash disable=SC2034  # variables are for the sourcing script
# Helpers for interop test drivers (source it): run peers in the background with their stdout and
# stderr in $WORK/<name>.out/.err, wait for a line or an exit with a bound, and kill every peer
# this shell started on exit; run wakunode as a peer and ask its REST API. Used by every driver.
#
#   source tests/interop/lib.sh; interop_init            # sets WORK, INTEROP_DIR, the EXIT trap
#   start_peer A node "$INTEROP_DIR/js-libp2p/relay-peer.mjs" --listen 0 ...
#   ma=$(wait_line A '^LISTEN ' 20 | cut -d' ' -f2)     # first matching stdout line (or fail)
#   wait_exit A 30                                       # fails unless A exits 0 within 30 s
#   wakunode_start X --nodekey=... [--staticnode=MA]...   # $WAKUNODE as peer X (see below)
# Set KEEP_WORK=1 to keep $WORK after the run (always kept and printed on failure; INTEROP_TAIL=N
# prints the last N lines of each peer's stderr then, default 20).

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -A INTEROP_PIDS=()

interop_init() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/waku-interop.XXXXXX")
  INTEROP_FAILED=0
  trap interop_cleanup EXIT
  trap 'exit 130' INT TERM
}

interop_cleanup() {
  local rc=$?
  local name pid
  for name in "${!INTEROP_PIDS[@]}"; do
    pid=${INTEROP_PIDS[$name]}
    kill "$pid" 2> /dev/null || true
  done
  for name in "${!INTEROP_PIDS[@]}"; do
    pid=${INTEROP_PIDS[$name]}
    # Bounded: a peer that ignores SIGTERM for 3 s gets SIGKILL.
    for _ in 1 2 3 4 5 6; do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2> /dev/null || true
  done
  if [ $rc -ne 0 ] || [ "$INTEROP_FAILED" -ne 0 ]; then
    echo "interop: FAILED; logs kept in $WORK" >&2
    for f in "$WORK"/*.err; do
      [ -s "$f" ] || continue
      echo "--- tail of $f" >&2
      tail -n "${INTEROP_TAIL:-20}" "$f" >&2
    done
  elif [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "interop: logs in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}

# start_peer NAME CMD [ARGS...]
start_peer() {
  local name=$1
  shift
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  INTEROP_PIDS[$name]=$!
}

# wait_line NAME REGEX TIMEOUT_S: prints the first stdout line of NAME matching REGEX.
wait_line() { wait_line_in out "$@"; }

# wait_line_in out|err NAME REGEX TIMEOUT_S: the same on NAME's stdout or stderr.
wait_line_in() {
  local stream=$1 name=$2 re=$3 timeout=$4 line
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    line=$(grep -m1 -E "$re" "$WORK/$name.$stream" 2> /dev/null || true)
    if [ -n "$line" ]; then
      echo "$line"
      return 0
    fi
    if ! kill -0 "${INTEROP_PIDS[$name]}" 2> /dev/null; then
      echo "interop: $name exited before printing /$re/" >&2
      INTEROP_FAILED=1
      return 1
    fi
    sleep 0.1
  done
  echo "interop: timeout ($timeout s) waiting for /$re/ from $name" >&2
  INTEROP_FAILED=1
  return 1
}

# wait_exit NAME TIMEOUT_S: waits for NAME to exit; fails unless it exits 0 in time.
wait_exit() {
  local name=$1 timeout=$2 rc
  local pid=${INTEROP_PIDS[$name]}
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2> /dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "interop: $name still running after $timeout s" >&2
      INTEROP_FAILED=1
      return 1
    fi
    sleep 0.1
  done
  rc=0
  wait "$pid" || rc=$?
  unset "INTEROP_PIDS[$name]"
  if [ $rc -ne 0 ]; then
    echo "interop: $name exited with $rc" >&2
    INTEROP_FAILED=1
    return 1
  fi
}

# wait_exits TIMEOUT_S NAME...: waits for all NAMEs to exit 0 within TIMEOUT_S; fails as soon as
# one exits non-zero (the others would only run into their own timeouts).
wait_exits() {
  local timeout=$1 name rc
  shift
  local left=("$@")
  local deadline=$((SECONDS + timeout))
  while [ ${#left[@]} -gt 0 ]; do
    local still=()
    for name in "${left[@]}"; do
      if kill -0 "${INTEROP_PIDS[$name]}" 2> /dev/null; then
        still+=("$name")
        continue
      fi
      rc=0
      wait "${INTEROP_PIDS[$name]}" || rc=$?
      unset "INTEROP_PIDS[$name]"
      if [ $rc -ne 0 ]; then
        echo "interop: $name exited with $rc" >&2
        INTEROP_FAILED=1
        return 1
      fi
    done
    left=("${still[@]}")
    [ ${#left[@]} -gt 0 ] || break
    if [ $SECONDS -ge $deadline ]; then
      echo "interop: still running after $timeout s: ${left[*]}" >&2
      INTEROP_FAILED=1
      return 1
    fi
    sleep 0.1
  done
}

# ---- wakunode (the C++ node) as a test peer -----------------------------------------------------
declare -A WAKU_MA=() WAKU_REST=()

# wakunode_start NAME [OPTION...]: starts $WAKUNODE as peer NAME (its log, at DEBUG, in
# $WORK/NAME.err) on cluster 16 shard 32 (topic /waku/2/rs/16/32), listening on 127.0.0.1, TCP
# port 0 unless an OPTION gives --tcp-port=, REST with the admin routes on a free port. Waits (20 s)
# for its start lines, then sets WAKU_MA[NAME] (listen multiaddr with /p2p/<id>) and
# WAKU_REST[NAME] (REST base URL).
wakunode_start() {
  local name=$1 line
  shift
  : "${WAKUNODE:?set WAKUNODE to the wakunode binary}"
  local args=(--cluster-id=16 --shard=32 --listen-address=127.0.0.1 --rest=true
    --rest-address=127.0.0.1 --rest-port=0 --rest-admin=true --log-level=DEBUG)
  case " $* " in *" --tcp-port"*) ;; *) args+=(--tcp-port=0) ;; esac
  start_peer "$name" "$WAKUNODE" "${args[@]}" "$@"
  line=$(wait_line_in err "$name" 'listening on /' 20) || return 1
  line=${line##*listening on }
  WAKU_MA[$name]=${line%%[ ,]*}
  line=$(wait_line_in err "$name" 'REST API on http' 20) || return 1
  WAKU_REST[$name]=${line##*REST API on }
}

# wakunode_relay_peers NAME: how many connected peers wakunode NAME lists with the relay protocol.
wakunode_relay_peers() {
  curl -sS --max-time 5 "${WAKU_REST[$1]}/admin/v1/peers" 2> /dev/null |
    jq '[.[] | select(.connected == "Connected") |
         select(any(.protocols[]; startswith("/vac/waku/relay/")))] | length' 2> /dev/null ||
    echo 0
}

# wait_relay_peers NAME N TIMEOUT_S: waits until wakunode NAME has N relay peers connected.
wait_relay_peers() {
  local name=$1 n=$2 timeout=$3
  local deadline=$((SECONDS + timeout))
  until [ "$(wakunode_relay_peers "$name")" -ge "$n" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "interop: $name has $(wakunode_relay_peers "$name") relay peers, not $n, after" \
        "$timeout s" >&2
      INTEROP_FAILED=1
      return 1
    fi
    sleep 0.2
  done
}

# wakunode_stop NAME: stops wakunode NAME with SIGTERM and fails unless it exits 0 within 15 s
# with no sanitizer report in its log (the debug build runs with ASan + UBSan): a crash or a
# memory error anywhere during the test fails it even when every message arrived.
wakunode_stop() {
  local name=$1
  kill -TERM "${INTEROP_PIDS[$name]}" 2> /dev/null || true
  wait_exit "$name" 15 || return 1
  if grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.err"; then
    echo "interop: sanitizer report in $WORK/$name.err:" >&2
    grep -m5 -E -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORK/$name.err" >&2
    INTEROP_FAILED=1
    return 1
  fi
}
