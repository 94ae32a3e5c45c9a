#!/usr/bin/env node
// Interop "peer" that is a running wakunode driven over its REST API, so that the C++ node takes
// part in a test session with the same options and stdout lines as the js peers
// (../common/session.mjs): SENT for each message posted at wakunode, RECV for each message read
// back from it, DONE. Only built-in Node modules: no npm set needed.
//
//   node rest-peer.mjs --rest http://127.0.0.1:8645 --wakunode BIN [session options...]
//
// Hashes: wakunode's own. SENT carries `wakunode hash` of exactly the fields posted (checked
// against the independent ../common computation before printing); RECV carries `wakunode hash`
// of the fields REST returned, plus "hashCheck", the independent computation (check_exchange.mjs
// fails if they differ). So a js sender's hash must equal wakunode's hash of what it received,
// and a js receiver's hash must equal wakunode's hash of what was posted.
//
// Timestamps are nanoseconds with sub-millisecond digits (a hash that truncates them to ms, as
// js-waku's DecodedMessage getter would, shows up as a mismatch). REST carries them as JSON
// numbers above 2^53, so they are handled as text/BigInt, never as JS numbers.
//
// Not available: --dial (wakunode dials its --staticnode peers), CONN lines (REST does not say
// which muxer a connection uses; the js side of each connection prints it).

import { execFileSync } from 'node:child_process'
import { USAGE, log, parseCli, runSession } from '../common/session.mjs'
import { messageHashHex, recvRecord } from '../common/waku-message.mjs'

const argv = process.argv.slice(2)
const takeOption = (name) => {
  const i = argv.indexOf(name)
  if (i < 0 || i + 1 >= argv.length) return undefined
  return argv.splice(i, 2)[1]
}
const rest = takeOption('--rest')
const wakunode = takeOption('--wakunode')
const usage = `  --rest URL           wakunode's REST base URL (required)
  --wakunode BIN       the wakunode binary, for \`wakunode hash\` (required)
${USAGE}`
let o
try {
  o = parseCli(argv)
  if (o.help) {
    console.log(usage)
    process.exit(0)
  }
  if (!rest || !wakunode) throw new Error('--rest URL and --wakunode BIN are required')
  if (o.dial.length > 0) throw new Error('--dial is not supported: use wakunode --staticnode')
  if (o.selfTest) throw new Error('--self-test: see ../js-libp2p/relay-peer.mjs')
} catch (e) {
  console.error(`${e.message}\n${usage}`)
  process.exit(2)
}

const topicPath = `${rest}/relay/v1/messages/${encodeURIComponent(o.topic)}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const hex = (u8) => Buffer.from(u8).toString('hex')

async function http (method, url, body) {
  const r = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(5000)
  })
  return { status: r.status, text: await r.text() }
}

// `wakunode hash` of a message (0x-prefixed, as the js peers print hashes).
function wakunodeHash (m) {
  const args = ['hash', '--pubsub-topic', o.topic, '--content-topic', m.contentTopic,
    '--payload-hex', hex(m.payload), '--timestamp', m.timestamp.toString()]
  if (m.meta !== undefined && m.meta.length > 0) args.push('--meta-hex', hex(m.meta))
  const h = execFileSync(wakunode, args, { encoding: 'utf8', timeout: 10000 }).trim()
  if (!/^[0-9a-f]{64}$/.test(h)) throw new Error(`wakunode hash printed ${JSON.stringify(h)}`)
  return '0x' + h
}

// JSON.parse would round the nanosecond timestamps; quote them first.
const parseMessages = (text) =>
  JSON.parse(text.replace(/"timestamp":\s*(-?\d+)/g, '"timestamp":"$1"'))

const info = JSON.parse((await http('GET', `${rest}/debug/v1/info`)).text)
const listen = info.listenAddresses ?? []
const peerId = (listen[0] ?? '').split('/p2p/')[1] ?? 'unknown'

let relayPeers = 0
const peerCallbacks = []
const messageCallbacks = []
const seenPeers = new Set()
let polling = true
let lastPollError = ''
// One poll loop for peers and messages: the session's counters are synchronous.
const poller = (async () => {
  while (polling) {
    try {
      const peers = JSON.parse((await http('GET', `${rest}/admin/v1/peers`)).text)
      const relay = peers.filter((p) => p.connected === 'Connected' &&
        (p.protocols ?? []).some((s) => s.startsWith('/vac/waku/relay/')))
      relayPeers = relay.length
      for (const p of relay) {
        const id = (p.multiaddr ?? '').split('/p2p/')[1]
        if (id && !seenPeers.has(id)) {
          seenPeers.add(id)
          for (const cb of peerCallbacks) cb(id)
        }
      }
      const got = await http('GET', topicPath)
      if (got.status !== 200) throw new Error(`GET messages: ${got.status} ${got.text}`)
      for (const r of parseMessages(got.text)) {
        const m = {
          payload: Buffer.from(r.payload ?? '', 'base64'),
          contentTopic: r.contentTopic,
          version: r.version ?? 0,
          timestamp: BigInt(r.timestamp ?? 0),
          meta: r.meta ? Buffer.from(r.meta, 'base64') : undefined,
          ephemeral: r.ephemeral
        }
        const record = recvRecord(o.topic, m, wakunodeHash(m),
          { hashCheck: messageHashHex(o.topic, m) })
        for (const cb of messageCallbacks) cb(record)
      }
      lastPollError = ''
    } catch (e) {
      const why = String(e.message ?? e)
      if (why !== lastPollError) log(`REST poll: ${why}`)
      lastPollError = why
    }
    await sleep(100)
  }
})()

await runSession(o, {
  peerId,
  listenAddrs: () => listen,
  dial: async () => { throw new Error('unsupported') },
  onPeer: (cb) => peerCallbacks.push(cb),
  onConnection: () => {},
  onMessage: (cb) => messageCallbacks.push(cb),
  topicPeerCount: () => relayPeers,
  meshPeerCount: () => relayPeers,
  publish: async (i) => {
    const m = {
      payload: new TextEncoder().encode(`${o.tag} #${i}`),
      contentTopic: o.contentTopic,
      timestamp: BigInt(Date.now()) * 1000000n + process.hrtime.bigint() % 1000000n
    }
    const body = `{"payload":"${Buffer.from(m.payload).toString('base64')}",` +
      `"contentTopic":${JSON.stringify(m.contentTopic)},"timestamp":${m.timestamp}}`
    const r = await http('POST', topicPath, body)
    if (r.status !== 200) {
      // wakunode refuses while no peer is subscribed; the session retries on this error name.
      if (/no peers/i.test(r.text)) throw new Error(`NoPeersSubscribedToTopic: ${r.text}`)
      throw new Error(`POST ${r.status}: ${r.text}`)
    }
    const h = wakunodeHash(m)
    const independent = messageHashHex(o.topic, m)
    if (h !== independent) throw new Error(`wakunode hash ${h} != independent hash ${independent}`)
    return h
  },
  stop: async () => {
    polling = false
    await poller
  }
})
