#!/usr/bin/env node
// One js-libp2p Waku-relay node of the relay-chain benchmark (A -> B -> C), with the same relay
// settings as the interop peer (tests/interop/js-libp2p/waku-relay-libp2p.mjs). Driven by
// run_chain.sh; the line protocol below is the contract a C++ node must follow to take a role.
//
//   --role relay      (B) listen, relay; prints LISTEN <multiaddr>
//   --role counter    (C) dial B, count load messages; prints PROBE when the first probe message
//                     arrives, COUNT <n> every 500 ms, and RESULT <json> on SIGTERM
//   --role publisher  (A) dial B, publish a probe message every 200 ms until SIGUSR2, then
//                     publish --size byte payloads for --duration s as fast as B takes them
//                     (publishing pauses while more than --window bytes wait in the outbound
//                     stream to B), then prints LOADDONE <json> once the stream has drained
//   --peer-id         print the peer id of --key-hex (secp256k1) and exit
//   --free-port       print a free TCP port on 127.0.0.1 and exit
//
// Load message: WakuMessage{payload, content_topic /bench/1/load/proto, version 0, timestamp}
// with payload = "LOAD" | seq u64 BE | send time u64 BE (CLOCK_MONOTONIC ns, comparable across
// processes on one host) | filler to --size bytes. Probes use content topic /bench/1/probe/proto.

import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import {
  decodeWakuMessage, encodeWakuMessage, nowNs
} from '../../tests/interop/common/waku-message.mjs'
import {
  createWakuRelayLibp2p, dial, listenAddrs, peerIdOf, privateKeyFrom
} from '../../tests/interop/js-libp2p/waku-relay-libp2p.mjs'

const { values: a } = parseArgs({
  options: {
    role: { type: 'string' },
    'key-hex': { type: 'string' },
    listen: { type: 'string', default: '0' },
    dial: { type: 'string' },
    muxer: { type: 'string', default: 'yamux' },
    topic: { type: 'string', default: '/waku/2/rs/16/32' },
    size: { type: 'string', default: '2048' },
    duration: { type: 'string', default: '10' },
    window: { type: 'string', default: String(256 * 1024) },
    'peer-id': { type: 'boolean', default: false },
    'free-port': { type: 'boolean', default: false }
  }
})
const out = (l) => process.stdout.write(l + '\n')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const LOAD_TOPIC = '/bench/1/load/proto'
const PROBE_TOPIC = '/bench/1/probe/proto'
const MAGIC = Buffer.from('LOAD')

if (a['free-port']) {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    out(String(srv.address().port))
    srv.close()
  })
} else if (a['peer-id']) {
  out(peerIdOf(await privateKeyFrom(a['key-hex'], 'secp256k1')))
} else {
  await run()
}

async function run () {
  const role = a.role
  if (!['relay', 'counter', 'publisher'].includes(role)) {
    console.error('--role relay|counter|publisher')
    process.exit(2)
  }
  const node = await createWakuRelayLibp2p({
    privateKey: await privateKeyFrom(a['key-hex'], 'secp256k1'),
    listen: role === 'relay' ? Number(a.listen) : undefined,
    host: '127.0.0.1',
    muxer: a.muxer,
    topic: a.topic,
    // Pings queued behind a saturated link time out and abort the connection (losing messages).
    libp2p: { connectionMonitor: { enabled: false } }
  })
  const pubsub = node.services.pubsub
  process.on('SIGTERM', () => finish(0))
  process.on('SIGINT', () => finish(130))
  let onFinish = () => {}
  async function finish (code) {
    onFinish()
    await Promise.race([node.stop(), sleep(1000)]).catch(() => {})
    process.exit(code)
  }

  if (role === 'relay') {
    for (const ma of listenAddrs(node)) out(`LISTEN ${ma}`)
    let last = -1
    setInterval(() => {
      const n = pubsub.getMeshPeers(a.topic).length
      if (n !== last) out(`MESH ${n}`)
      last = n
    }, 200)
    return
  }

  for (;;) {
    try {
      await dial(node, a.dial)
      break
    } catch (e) {
      await sleep(200) // B may still be starting; the driver bounds the total wait
    }
  }

  if (role === 'counter') {
    const seen = new Set()
    const lat = []
    let dup = 0
    let bytes = 0
    let first = 0n
    let last = 0n
    let probed = false
    pubsub.addEventListener('gossipsub:message', (e) => {
      const now = process.hrtime.bigint()
      const m = decodeWakuMessage(e.detail.msg.data)
      if (m.contentTopic === PROBE_TOPIC) {
        if (!probed) out('PROBE')
        probed = true
        return
      }
      if (m.contentTopic !== LOAD_TOPIC || m.payload.length < 20) return
      const p = Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.length)
      const seq = p.readBigUInt64BE(4)
      if (seen.has(seq)) {
        dup++
        return
      }
      seen.add(seq)
      if (first === 0n) first = now
      last = now
      bytes += p.length
      if (lat.length < 2_000_000) lat.push(Number(now - p.readBigUInt64BE(12)) / 1e6)
    })
    setInterval(() => out(`COUNT ${seen.size}`), 500)
    onFinish = () => {
      lat.sort((x, y) => x - y)
      const q = (f) => lat.length === 0 ? null : +lat[Math.min(lat.length - 1, Math.floor(f * lat.length))].toFixed(2)
      const seconds = Number(last - first) / 1e9
      out('RESULT ' + JSON.stringify({
        received: seen.size,
        duplicates: dup,
        payloadBytes: bytes,
        seconds,
        latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) }
      }))
    }
    return
  }

  // publisher
  const size = Number(a.size)
  const filler = Buffer.alloc(Math.max(0, size - 20), 0x5a)
  const bId = () => pubsub.getSubscribers(a.topic)[0]?.toString()
  const outbound = () => pubsub.streamsOutbound.get(bId())?.pushable
  let go = false
  process.on('SIGUSR2', () => { go = true })
  for (let i = 0; !go; i++) {
    if (pubsub.getSubscribers(a.topic).length > 0) {
      const m = { payload: Buffer.from(`probe #${i}`), contentTopic: PROBE_TOPIC, version: 0, timestamp: nowNs() }
      await pubsub.publish(a.topic, encodeWakuMessage(m)).catch(() => {})
    }
    await sleep(200)
  }
  const window = Number(a.window)
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(Number(a.duration) * 1e9))
  let seq = 0n
  let waits = 0
  for (;;) {
    const now = process.hrtime.bigint()
    if (now >= end) break
    const q = outbound()
    if (q && q.readableLength > window) {
      waits++
      await sleep(1)
      continue
    }
    const hdr = Buffer.alloc(20)
    MAGIC.copy(hdr, 0)
    hdr.writeBigUInt64BE(seq, 4)
    hdr.writeBigUInt64BE(now, 12)
    const m = { payload: Buffer.concat([hdr, filler]), contentTopic: LOAD_TOPIC, version: 0, timestamp: nowNs() }
    try {
      await pubsub.publish(a.topic, encodeWakuMessage(m))
      seq++
    } catch (e) {
      console.error(`publish: ${e.message}`)
      await sleep(10)
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  for (let i = 0; i < 3000 && (outbound()?.readableLength ?? 0) > 0; i++) await sleep(10)
  out('LOADDONE ' + JSON.stringify({ sent: Number(seq), seconds, size, windowWaits: waits }))
}
