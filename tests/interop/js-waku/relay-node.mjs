#!/usr/bin/env node
// Interop peer: a real js-waku relay node (@waku/sdk 0.0.27 createRelayNode + @waku/relay 0.0.14,
// libp2p 1.9.4) over TCP (libp2p-wire.md §B6(b)). Same options and output lines as
// ../js-libp2p/relay-peer.mjs (see ../common/session.mjs or --help), with these js-waku specifics:
//  * the pubsub topic must be a static shard /waku/2/rs/<cluster>/<shard> (networkConfig);
//  * only messages on --content-topic are reported (js-waku delivers per content-topic decoder);
//  * published messages are built by js-waku's Encoder: timestamp = ms * 10^6, version 0,
//    ephemeral false always present (js-waku's wire format, not ours);
//  * SENT/RECV hashes come from js-waku's own messageHash (@waku/message-hash 0.1.19), applied to
//    the protobuf object (bigint ns timestamp). Applying it to a DecodedMessage instead would use
//    the millisecond Date getter and truncate sub-ms digits: do not. As a cross-check each RECV
//    also carries "hashCheck": the independent ../common computation, which must be equal.
//  * dialing uses WakuNode.dial, which (like real js-waku) also opens a relay stream at once.

import '../common/polyfill.mjs'
import { yamux } from '@chainsafe/libp2p-yamux'
import { keys } from '@libp2p/crypto'
import { mplex } from '@libp2p/mplex'
import { createFromPrivKey } from '@libp2p/peer-id-factory'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { messageHash } from '@waku/message-hash'
import { Protocols, createDecoder, createEncoder, waitForRemotePeer } from '@waku/sdk'
import { createRelayNode } from '@waku/sdk/relay'
import { USAGE, log, parseCli, runSession } from '../common/session.mjs'
import { messageHashHex, recvRecord } from '../common/waku-message.mjs'

let o
try {
  o = parseCli(process.argv.slice(2))
} catch (e) {
  console.error(`${e.message}\n${USAGE}`)
  process.exit(2)
}
if (o.help || o.selfTest) {
  console.log(USAGE)
  process.exit(0)
}
const shard = /^\/waku\/2\/rs\/(\d+)\/(\d+)$/.exec(o.topic)
if (!shard) {
  console.error('--topic must be /waku/2/rs/<cluster>/<shard> for js-waku')
  process.exit(2)
}

let peerId
if (o.keyHex !== undefined) {
  const raw = Buffer.from(o.keyHex, 'hex')
  const priv = o.keyType === 'ed25519'
    ? await keys.generateKeyPairFromSeed('Ed25519', raw)
    : keys.supportedKeys.secp256k1.unmarshalSecp256k1PrivateKey(raw)
  peerId = await createFromPrivKey(priv)
}

const muxers = { yamux: [yamux()], mplex: [mplex()], both: [yamux(), mplex()] }[o.muxer]
const node = await createRelayNode({
  networkConfig: { clusterId: Number(shard[1]), shards: [Number(shard[2])] },
  defaultBootstrap: false,
  libp2p: {
    ...(peerId ? { peerId } : {}),
    addresses: { listen: o.listen === undefined ? [] : [`/ip4/${o.host}/tcp/${o.listen}`] },
    transports: [tcp()],
    streamMuxers: muxers,
    filterMultiaddrs: false,
    hideWebSocketInfo: true
  }
})
await node.start()

const hex = (u8) => '0x' + Buffer.from(u8).toString('hex')
const encoder = createEncoder({ contentTopic: o.contentTopic, pubsubTopic: o.topic })
const decoder = createDecoder(o.contentTopic, o.topic)
const gossipSub = node.relay.gossipSub

await runSession(o, {
  peerId: node.libp2p.peerId.toString(),
  listenAddrs: () => node.libp2p.getMultiaddrs().map((a) => a.toString()),
  dial: (ma) => node.dial(multiaddr(ma)),
  onPeer: (cb) => node.libp2p.addEventListener('peer:connect', (e) => cb(e.detail.toString())),
  onConnection: (cb) => node.libp2p.addEventListener('connection:open', (e) =>
    cb(e.detail.remotePeer.toString(), e.detail.multiplexer, e.detail.encryption)),
  onMessage: (cb) => node.relay.subscribe([decoder], (msg) => {
    const p = msg.proto
    const m = {
      payload: p.payload,
      contentTopic: p.contentTopic,
      version: p.version ?? 0,
      timestamp: p.timestamp ?? undefined,
      meta: p.meta ?? undefined,
      ephemeral: p.ephemeral ?? undefined
    }
    cb(recvRecord(msg.pubsubTopic, m, hex(messageHash(msg.pubsubTopic, p)),
      { hashCheck: messageHashHex(msg.pubsubTopic, m) }))
  }),
  topicPeerCount: () => gossipSub.getSubscribers(o.topic).length,
  meshPeerCount: () => node.relay.getMeshPeers(o.topic).length,
  waitReady: (ms) => waitForRemotePeer(node, [Protocols.Relay], ms),
  publish: async (i) => {
    const message = { payload: new TextEncoder().encode(`${o.tag} #${i}`), timestamp: new Date() }
    const proto = await encoder.toProtoObj(message) // exactly what relay.send puts on the wire
    const r = await node.relay.send(encoder, message)
    if (r.failures.length > 0) {
      throw new Error(`js-waku relay.send: ${r.failures.map((f) => f.error).join(',')}`)
    }
    // gossipsub itself throws PublishError.NoPeersSubscribedToTopic (retried by the session).
    if (r.successes.length === 0) log(`message #${i}: no recipients`)
    return hex(messageHash(o.topic, proto))
  },
  stop: () => node.stop()
})
