// A plain js-libp2p 2.x node configured exactly like js-waku's relay (libp2p-wire.md §B4):
// gossipsub on /vac/waku/relay/2.0.0 only, StrictNoSign, message id = sha256(data), no floodsub
// fallback, and js-waku's validator (data must decode as a WakuMessage with a non-empty payload
// and content topic). Used by relay-peer.mjs and by bench/relay_chain/chain-node.mjs.

import '../common/polyfill.mjs'
import { createHash } from 'node:crypto'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPairFromSeed, privateKeyFromRaw } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { mplex } from '@libp2p/mplex'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { decodeWakuMessage } from '../common/waku-message.mjs'

export const WAKU_RELAY_CODEC = '/vac/waku/relay/2.0.0'

export async function privateKeyFrom (keyHex, keyType) {
  if (keyHex === undefined) return undefined
  const raw = Buffer.from(keyHex, 'hex')
  return keyType === 'ed25519'
    ? generateKeyPairFromSeed('Ed25519', raw)
    : privateKeyFromRaw(raw) // 32 raw bytes = secp256k1 in @libp2p/crypto 5
}

export const peerIdOf = (privateKey) => peerIdFromPrivateKey(privateKey).toString()

// opts: {privateKey?, listen?: port, host, muxer: yamux|mplex|both, topic, gossipsub?: extra
// gossipsub options, libp2p?: extra libp2p options}. Note libp2p 2.x's connection monitor (on by
// default) pings every connection every 10 s and ABORTS it when the ping does not complete within
// an adaptive timeout (>= 5 s); an unsupported ping protocol is fine, a stalled muxer is not.
// Under saturation the ping queues behind megabytes of data, so the benchmark turns it off.
export async function createWakuRelayLibp2p (opts) {
  const muxers = { yamux: [yamux()], mplex: [mplex()], both: [yamux(), mplex()] }[opts.muxer]
  const relay = (components) => {
    const ps = gossipsub({
      globalSignaturePolicy: 'StrictNoSign',
      fallbackToFloodsub: false,
      emitSelf: false,
      msgIdFn: (msg) => new Uint8Array(createHash('sha256').update(msg.data).digest()),
      ...(opts.gossipsub ?? {})
    })(components)
    ps.multicodecs = [WAKU_RELAY_CODEC] // property name in @chainsafe/libp2p-gossipsub 14
    return ps
  }
  const node = await createLibp2p({
    ...(opts.privateKey ? { privateKey: opts.privateKey } : {}),
    addresses: { listen: opts.listen === undefined ? [] : [`/ip4/${opts.host}/tcp/${opts.listen}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: muxers,
    ...(opts.libp2p ?? {}),
    services: {
      identify: identify({ agentVersion: 'waku-cpp-interop/js-libp2p' }),
      ping: ping(),
      pubsub: relay
    }
  })
  const pubsub = node.services.pubsub
  pubsub.topicValidators.set(opts.topic, (_peer, msg) => {
    try {
      const m = decodeWakuMessage(msg.data)
      return m.payload.length > 0 && m.contentTopic !== '' ? 'accept' : 'reject'
    } catch {
      return 'reject'
    }
  })
  pubsub.subscribe(opts.topic)
  return node
}

export const listenAddrs = (node) =>
  node.getMultiaddrs().map((a) => a.toString())

export const dial = (node, ma) => node.dial(multiaddr(ma))
