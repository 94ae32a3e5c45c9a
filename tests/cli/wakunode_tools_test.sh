#!/usr/bin/env bash
# Runs the wakunode tools with the spec's test vectors and checks outputs and exit statuses.
set -uo pipefail
wakunode=$1
failures=0

expect_output() {  # expect_output NAME EXPECTED -- ARGS...
  local name=$1 expected=$2; shift 3
  local actual
  actual=$("$wakunode" "$@" 2>&1)
  local status=$?
  if [ $status -ne 0 ] || [ "$actual" != "$expected" ]; then
    echo "FAIL $name: status $status, got '$actual', expected '$expected'"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect_failure() {  # expect_failure NAME PATTERN -- ARGS...
  local name=$1 pattern=$2; shift 3
  local actual
  actual=$("$wakunode" "$@" 2>&1)
  local status=$?
  if [ $status -eq 0 ] || ! grep -qE "$pattern" <<<"$actual"; then
    echo "FAIL $name: status $status, output '$actual' does not match /$pattern/"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# 14/WAKU2-MESSAGE deterministic hash vectors (waku-wire.md §1)
common=(--pubsub-topic /waku/2/default-waku/proto --content-topic /waku/2/default-content/proto
        --timestamp 1681964442000000000)
expect_output hash-meta 64cce733fed134e83da02b02c6f689814872b1a0ac97ea56b76095c3c72bfe05 -- \
  hash "${common[@]}" --payload-hex 0x010203045445535405060708 --meta-hex 0x73757065722d736563726574
expect_output hash-no-meta a2554498b31f5bcdfcbf7fa58ad1c2d45f0254f3f8110a85588ec3cf10720fd8 -- \
  hash "${common[@]}" --payload-hex 010203045445535405060708
expect_output hash-empty-payload 483ea950cb63f9b9d6926b262bb36194d3f40a0463ce8446228350bd44e96de4 -- \
  hash "${common[@]}" --payload-hex "" --meta-hex 73757065722d736563726574
expect_output hash-json '{"message_hash": "a2554498b31f5bcdfcbf7fa58ad1c2d45f0254f3f8110a85588ec3cf10720fd8"}' -- \
  hash "${common[@]}" --payload-hex 010203045445535405060708 --json

# Autosharding vectors (relay-sharding, N=8)
expect_output shard-toychat /waku/2/rs/0/3 -- shard --content-topic /toychat/2/huilong/proto --num-shards 8
expect_output shard-statusim /waku/2/rs/16/4 -- \
  shard --content-topic /0/statusim/1/community/cbor --num-shards 8 --cluster-id 16
expect_failure shard-generation-1 "generation|Generation" -- \
  shard --content-topic /1/toychat/2/huilong/proto --num-shards 8
expect_failure shard-missing-option "num-shards" -- shard --content-topic /toychat/2/huilong/proto

# Protected-shard signature vector (RFC 57 / nwaku validator tests; waku-wire.md §10)
expect_output sign-vector 127fa211b2514f0e974a055392946dc1a14052182a6abefb8a6cd7c51da1bf2e40595d28ef1a9488797c297eed3aac45430005fb3a7f037bdd9fc4bd99f59e63 -- \
  sign --private-key 5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6 \
  --pubsub-topic pubsub-topic --content-topic content-topic --timestamp 1683208172339052800 --ephemeral \
  --payload-hex 1A12E077D0E89F9CAC11FBBB6A676C86120B5AD3E248B1F180E98F15EE43D2DFCF62F00C92737B2FF6F59B3ABA02773314B991C41DC19ADB0AD8C17C8E26757B

# keygen: a private key that sign accepts, and a peer id in secp256k1 form
keys=$("$wakunode" keygen --json) || { echo "FAIL keygen"; failures=$((failures + 1)); }
private_key=$(sed -E 's/.*"private_key": "([0-9a-f]{64})".*/\1/' <<<"$keys")
if [[ ! $private_key =~ ^[0-9a-f]{64}$ ]] || [[ ! $keys =~ \"peer_id\":\ \"16Uiu2 ]]; then
  echo "FAIL keygen-json: $keys"; failures=$((failures + 1))
else
  echo "ok   keygen-json"
fi
signed=$("$wakunode" sign --private-key "$private_key" --pubsub-topic /waku/2/rs/16/32 \
  --content-topic /app/1/chat/proto --payload-hex 00ff --timestamp 1700000000000000000)
if [[ $signed =~ ^[0-9a-f]{128}$ ]]; then echo "ok   sign-with-generated-key"; else
  echo "FAIL sign-with-generated-key: $signed"; failures=$((failures + 1)); fi

# errors: clear message, non-zero status
expect_failure bad-payload-hex "payload-hex" -- hash "${common[@]}" --payload-hex xyz
expect_failure bad-timestamp "timestamp" -- hash --pubsub-topic t --content-topic c --payload-hex 00 --timestamp soon
expect_failure bad-private-key "private-key" -- sign --private-key 1234 --pubsub-topic t \
  --content-topic c --payload-hex 00 --timestamp 1
expect_failure unknown-command "unknown|Extra|not expected|The following" -- frobnicate
expect_failure bad-nodekey "nodekey" -- --nodekey nothex

[ $failures -eq 0 ] && echo "all wakunode tool checks passed"
exit $failures
