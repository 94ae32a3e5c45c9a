// WakuMessage protobuf codec and the deterministic message hash, written in plain JS with only
// node:crypto, so that interop tests check the C++ node against an implementation that shares no
// code with it (and no npm package either).
//
// WakuMessage (14/WAKU2-MESSAGE): payload=1 bytes, content_topic=2 string, version=3 uint32,
// timestamp=10 sint64 (zig-zag, ns), meta=11 bytes, rate_limit_proof=21 bytes, ephemeral=31 bool.
//
// Message hash (waku-wire.md §1, nwaku digest.nim computeMessageHash):
//   sha256(pubsub_topic || payload || content_topic || meta || timestamp as 8-byte big-endian)
// The timestamp is ALWAYS appended (nwaku/go-waku), even when 0. js-waku's @waku/message-hash
// omits it when the timestamp is 0/undefined; the two agree for every non-zero timestamp.

import { createHash } from 'node:crypto'

const te = new TextEncoder()
const td = new TextDecoder('utf-8', { fatal: true })

function pushVarint (out, v) {
  let x = BigInt.asUintN(64, BigInt(v))
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80)
    x >>= 7n
  }
  out.push(Number(x))
}

function pushBytesField (out, field, bytes) {
  pushVarint(out, (field << 3) | 2)
  pushVarint(out, bytes.length)
  for (const b of bytes) out.push(b)
}

const zigzag = (v) => BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
const unzigzag = (u) => BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n))

// msg: {payload: Uint8Array, contentTopic: string, version?: number, timestamp?: bigint (ns),
//       meta?: Uint8Array, ephemeral?: boolean}. Optional fields are emitted only when given.
export function encodeWakuMessage (msg) {
  const out = []
  pushBytesField(out, 1, msg.payload)
  pushBytesField(out, 2, te.encode(msg.contentTopic))
  if (msg.version !== undefined) {
    pushVarint(out, 3 << 3)
    pushVarint(out, msg.version)
  }
  if (msg.timestamp !== undefined) {
    pushVarint(out, 10 << 3)
    pushVarint(out, zigzag(BigInt(msg.timestamp)))
  }
  if (msg.meta !== undefined && msg.meta.length > 0) pushBytesField(out, 11, msg.meta)
  if (msg.ephemeral !== undefined) {
    pushVarint(out, 31 << 3)
    pushVarint(out, msg.ephemeral ? 1 : 0)
  }
  return Uint8Array.from(out)
}

// Throws on malformed input (the callers treat that as an invalid message).
export function decodeWakuMessage (buf) {
  let pos = 0
  const readVarint = () => {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Error('truncated varint')
      const b = buf[pos++]
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result)
    }
    throw new Error('varint too long')
  }
  const readBytes = () => {
    const len = Number(readVarint())
    if (len > buf.length - pos) throw new Error('truncated bytes field')
    const b = buf.subarray(pos, pos + len)
    pos += len
    return b
  }
  const msg = { payload: new Uint8Array(0), contentTopic: '', version: 0, timestamp: undefined }
  while (pos < buf.length) {
    const key = readVarint()
    const field = Number(key >> 3n)
    const wire = Number(key & 7n)
    if (field === 0) throw new Error('field number 0')
    if (wire === 0) {
      const v = readVarint()
      if (field === 3) msg.version = Number(BigInt.asUintN(32, v))
      else if (field === 10) msg.timestamp = unzigzag(v)
      else if (field === 31) msg.ephemeral = v !== 0n
    } else if (wire === 2) {
      const b = readBytes()
      if (field === 1) msg.payload = b
      else if (field === 2) msg.contentTopic = td.decode(b)
      else if (field === 11) msg.meta = b
      else if (field === 21) msg.rateLimitProof = b
    } else if (wire === 1) {
      if (pos + 8 > buf.length) throw new Error('truncated fixed64')
      pos += 8
    } else if (wire === 5) {
      if (pos + 4 > buf.length) throw new Error('truncated fixed32')
      pos += 4
    } else {
      throw new Error(`unsupported wire type ${wire}`)
    }
  }
  return msg
}

export function messageHash (pubsubTopic, msg) {
  const ts = Buffer.alloc(8)
  ts.writeBigUInt64BE(BigInt.asUintN(64, BigInt(msg.timestamp ?? 0n)))
  return createHash('sha256')
    .update(te.encode(pubsubTopic))
    .update(msg.payload)
    .update(te.encode(msg.contentTopic))
    .update(msg.meta ?? new Uint8Array(0))
    .update(ts)
    .digest()
}

export const messageHashHex = (pubsubTopic, msg) =>
  '0x' + messageHash(pubsubTopic, msg).toString('hex')

// Current time in ns, with sub-millisecond digits (so that a peer truncating to ms would show up
// as a hash mismatch).
export function nowNs () {
  const ms = BigInt(Date.now())
  const subMs = process.hrtime.bigint() % 1_000_000n
  return ms * 1_000_000n + subMs
}

// JSON record for a RECV line. timestamp is a decimal string: ns values exceed 2^53.
export function recvRecord (pubsubTopic, msg, hashHex, extra = {}) {
  const r = {
    payload: Buffer.from(msg.payload).toString('base64'),
    contentTopic: msg.contentTopic,
    timestamp: msg.timestamp === undefined ? null : msg.timestamp.toString(),
    version: msg.version ?? 0,
    hash: hashHex,
    pubsubTopic
  }
  if (msg.meta !== undefined && msg.meta.length > 0) r.meta = Buffer.from(msg.meta).toString('hex')
  if (msg.ephemeral !== undefined) r.ephemeral = msg.ephemeral
  return Object.assign(r, extra)
}

// The spec's test vectors (rfc-index 14/WAKU2-MESSAGE; recomputed with nwaku's algorithm, see
// waku-wire.md §1). Returns a list of failures (empty = pass).
export function selfTest () {
  const base = {
    payload: Buffer.from('010203045445535405060708', 'hex'),
    contentTopic: '/waku/2/default-content/proto',
    timestamp: 0x175789bfa23f8400n
  }
  const topic = '/waku/2/default-waku/proto'
  const vectors = [
    [{ ...base, meta: Buffer.from('73757065722d736563726574', 'hex') },
      '64cce733fed134e83da02b02c6f689814872b1a0ac97ea56b76095c3c72bfe05'],
    [{ ...base, meta: Uint8Array.from({ length: 64 }, (_, i) => i) },
      '7158b6498753313368b9af8f6e0a0a05104f68f972981da42a43bc53fb0c1b27'],
    [{ ...base }, 'a2554498b31f5bcdfcbf7fa58ad1c2d45f0254f3f8110a85588ec3cf10720fd8'],
    [{ ...base, payload: new Uint8Array(0), meta: Buffer.from('73757065722d736563726574', 'hex') },
      '483ea950cb63f9b9d6926b262bb36194d3f40a0463ce8446228350bd44e96de4']
  ]
  const failures = []
  for (const [m, want] of vectors) {
    // Round-trip through the codec too, so a codec bug fails the self-test.
    const rt = decodeWakuMessage(encodeWakuMessage(m))
    const got = messageHash(topic, rt).toString('hex')
    if (got !== want) failures.push(`hash ${got} != ${want}`)
  }
  // Bytes captured from js-libp2p (libp2p-wire.md §B4): payload "hello from B #0", explicit
  // version 0, timestamp in ns.
  const captured = '0a0f68656c6c6f2066726f6d204220233012152f696e7465726f702f312f746573742f70726f746f18005080c2e5dbcebae1ea31'
  const d = decodeWakuMessage(Buffer.from(captured, 'hex'))
  if (Buffer.from(d.payload).toString() !== 'hello from B #0') failures.push('captured payload')
  if (d.contentTopic !== '/interop/1/test/proto') failures.push('captured content topic')
  if (Buffer.from(encodeWakuMessage(d)).toString('hex') !== captured) failures.push('captured re-encode')
  return failures
}
