#!/usr/bin/env node
// Interop peer: js-libp2p 2.10 + gossipsub 14.1.2 configured as Waku relay (see
// waku-relay-libp2p.mjs). Options and output lines: ../common/session.mjs (or --help).
// Hashes are computed by ../common/waku-message.mjs (nwaku's rule), independent of the C++ code.
//
//   node relay-peer.mjs --listen 0 --expect 5 --publish 5
//   node relay-peer.mjs --dial /ip4/127.0.0.1/tcp/60000/p2p/16U... --muxer mplex --publish 5

import '../common/polyfill.mjs'
import { USAGE, log, parseCli, runSession } from '../common/session.mjs'
import { encodeWakuMessage, decodeWakuMessage, messageHashHex, nowNs, recvRecord, selfTest } from '../common/waku-message.mjs'
import { createWakuRelayLibp2p, dial, listenAddrs, privateKeyFrom } from './waku-relay-libp2p.mjs'

let o
try {
  o = parseCli(process.argv.slice(2))
} catch (e) {
  console.error(`${e.message}\n${USAGE}`)
  process.exit(2)
}
if (o.help) {
  console.log(USAGE)
  process.exit(0)
}
if (o.selfTest) {
  const failures = selfTest()
  for (const f of failures) console.error(`self-test: ${f}`)
  console.log(failures.length === 0 ? 'SELFTEST ok' : 'SELFTEST failed')
  process.exit(failures.length === 0 ? 0 : 1)
}

const node = await createWakuRelayLibp2p({
  privateKey: await privateKeyFrom(o.keyHex, o.keyType),
  listen: o.listen,
  host: o.host,
  muxer: o.muxer,
  topic: o.topic
})
const pubsub = node.services.pubsub

await runSession(o, {
  peerId: node.peerId.toString(),
  listenAddrs: () => listenAddrs(node),
  dial: (ma) => dial(node, ma),
  onPeer: (cb) => node.addEventListener('peer:connect', (e) => cb(e.detail.toString())),
  onConnection: (cb) => node.addEventListener('connection:open', (e) =>
    cb(e.detail.remotePeer.toString(), e.detail.multiplexer, e.detail.encryption)),
  onMessage: (cb) => pubsub.addEventListener('gossipsub:message', (e) => {
    const { msg, propagationSource } = e.detail
    if (msg.topic !== o.topic) return
    try {
      const m = decodeWakuMessage(msg.data)
      cb(recvRecord(msg.topic, m, messageHashHex(msg.topic, m), { from: propagationSource.toString() }))
    } catch (err) {
      log(`undecodable message from ${propagationSource}: ${err.message}`)
    }
  }),
  topicPeerCount: () => pubsub.getSubscribers(o.topic).length,
  meshPeerCount: () => pubsub.getMeshPeers(o.topic).length,
  publish: async (i) => {
    const m = {
      payload: new TextEncoder().encode(`${o.tag} #${i}`),
      contentTopic: o.contentTopic,
      version: 0,
      timestamp: nowNs()
    }
    await pubsub.publish(o.topic, encodeWakuMessage(m))
    return messageHashHex(o.topic, m)
  },
  stop: () => node.stop()
})
