// The command line and the test session shared by js-libp2p/relay-peer.mjs and
// js-waku/relay-node.mjs, so that both peers take the same options and print the same lines.
//
// stdout carries only machine-readable lines (one event per line, first word = kind):
//   ID <peer id>
//   LISTEN <multiaddr ending in /p2p/<peer id>>      (one per listen address)
//   PEER <peer id>                                  (on each new connection)
//   CONN <peer id> <muxer> <encryption>             (each connection opened, e.g. /mplex/6.7.0)
//   MESH <n>                                        (mesh size on the topic, when it changes)
//   SENT <0x message hash>                          (after each successful publish)
//   RECV <json>                                     (each WakuMessage delivered on the topic)
//   DONE sent=<n> recv=<n>                          (success; exit code 0)
// Diagnostics go to stderr. Exit codes: 0 success, 1 timeout or failure, 2 usage error.

import { parseArgs } from 'node:util'

export const USAGE = `options:
  --key-hex HEX        fixed identity: 32-byte private key (secp256k1) or seed (ed25519)
  --key-type T         secp256k1 (default) | ed25519
  --listen PORT        listen on TCP PORT (0 = any free port); omit to not listen
  --host IP            listen address (default 127.0.0.1)
  --dial MULTIADDR     dial this peer (repeatable); retried until --timeout
  --muxer M            yamux | mplex | both (default both; order = preference)
  --topic T            pubsub topic (default /waku/2/rs/16/32)
  --content-topic T    content topic for published messages (default /interop/1/test/proto)
  --publish N          publish N WakuMessages with payload "<tag> #i" once a relay peer is known
  --tag S              payload prefix for --publish (default js)
  --interval MS        pause between publishes (default 20)
  --min-peers N        before publishing, wait for N peers subscribed to the topic (and up to 3 s
                       for N mesh peers); default 1
  --publish-after-recv before publishing, wait for the first received message (lets a driver
                       order publishers without sleeps)
  --publish-after-signal  before publishing, wait for SIGUSR2 from the driver
  --expect N           succeed once N messages were received
  --timeout S          give up after S seconds, exit 1 (default 30); with neither --publish nor
                       --expect the peer serves until then (or SIGTERM) and exits 0
  --linger S           stay up S seconds after success so in-flight messages drain (default 1)
  --self-test          check the message codec/hash against the spec vectors and exit`

export function parseCli (argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'key-hex': { type: 'string' },
      'key-type': { type: 'string', default: 'secp256k1' },
      listen: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      dial: { type: 'string', multiple: true, default: [] },
      muxer: { type: 'string', default: 'both' },
      topic: { type: 'string', default: '/waku/2/rs/16/32' },
      'content-topic': { type: 'string', default: '/interop/1/test/proto' },
      publish: { type: 'string', default: '0' },
      tag: { type: 'string', default: 'js' },
      interval: { type: 'string', default: '20' },
      'min-peers': { type: 'string', default: '1' },
      'publish-after-recv': { type: 'boolean', default: false },
      'publish-after-signal': { type: 'boolean', default: false },
      expect: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '30' },
      linger: { type: 'string', default: '1' },
      'self-test': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  const num = (name) => {
    const v = Number(values[name])
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`)
    return v
  }
  const o = {
    keyHex: values['key-hex'],
    keyType: values['key-type'],
    listen: values.listen === undefined ? undefined : num('listen'),
    host: values.host,
    dial: values.dial,
    muxer: values.muxer,
    topic: values.topic,
    contentTopic: values['content-topic'],
    publish: num('publish'),
    tag: values.tag,
    intervalMs: num('interval'),
    minPeers: Math.max(1, num('min-peers')),
    publishAfterRecv: values['publish-after-recv'],
    publishAfterSignal: values['publish-after-signal'],
    expect: num('expect'),
    timeoutS: num('timeout'),
    lingerS: num('linger'),
    selfTest: values['self-test'],
    help: values.help
  }
  if (!['yamux', 'mplex', 'both'].includes(o.muxer)) throw new Error('--muxer: yamux|mplex|both')
  if (!['secp256k1', 'ed25519'].includes(o.keyType)) throw new Error('--key-type: secp256k1|ed25519')
  if (o.keyHex !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(o.keyHex)) {
    throw new Error('--key-hex must be 32 bytes of hex')
  }
  if (o.keyHex !== undefined) o.keyHex = o.keyHex.replace(/^0x/, '')
  return o
}

export const out = (line) => process.stdout.write(line + '\n')
export const log = (...a) => console.error(`[${process.argv[1]?.split('/').pop()}]`, ...a)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// adapter: {
//   peerId: string, listenAddrs(): string[], dial(ma: string): Promise,
//   onPeer(cb(id)), onConnection(cb(id, muxer, encryption)), onMessage(cb(recvRecord)),
//   topicPeerCount(): number, meshPeerCount(): number, waitReady?(ms): Promise (optional:
//   the implementation's own "relay peer ready" wait, bounded by ms),
//   publish(i: number): Promise<string hash>  (throws 'NoPeersSubscribedToTopic' errors while
//                                             nobody is subscribed), stop(): Promise }
export async function runSession (o, adapter) {
  const deadline = Date.now() + o.timeoutS * 1000
  const left = () => deadline - Date.now()
  let recv = 0
  let sent = 0
  let recvWaiter = null
  let firstRecv = null
  const firstRecvSeen = new Promise((resolve) => { firstRecv = resolve })
  const fail = async (why) => {
    log(`FAIL: ${why} (sent=${sent} recv=${recv})`)
    await stopQuietly(adapter)
    process.exit(1)
  }
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, async () => {
      await stopQuietly(adapter)
      process.exit(o.publish === 0 && o.expect === 0 ? 0 : 1)
    })
  }

  adapter.onPeer((id) => out(`PEER ${id}`))
  adapter.onConnection((id, muxer, encryption) => out(`CONN ${id} ${muxer} ${encryption}`))
  adapter.onMessage((record) => {
    recv++
    out(`RECV ${JSON.stringify(record)}`)
    firstRecv()
    if (recvWaiter && recv >= o.expect) recvWaiter()
  })
  let signalled = null
  const signalSeen = new Promise((resolve) => { signalled = resolve })
  process.on('SIGUSR2', () => signalled())
  let mesh = 0
  setInterval(() => {
    const n = adapter.meshPeerCount()
    if (n !== mesh) out(`MESH ${n}`)
    mesh = n
  }, 100).unref()
  out(`ID ${adapter.peerId}`)
  for (const a of adapter.listenAddrs()) out(`LISTEN ${a}`)

  // The remote may still be starting: retry each dial until it succeeds or time runs out.
  await Promise.all(o.dial.map(async (ma) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await adapter.dial(ma)
        return
      } catch (e) {
        if (left() < 500) await fail(`dial ${ma}: ${e.message ?? e}`)
        if (attempt === 1 || attempt % 10 === 0) log(`dial ${ma} failed (${e.message ?? e}), retrying`)
        await sleep(300)
      }
    }
  }))

  if (o.publish === 0 && o.expect === 0) {
    await sleep(Math.max(0, left()))
    await stopQuietly(adapter)
    process.exit(0)
  }

  const timer = setTimeout(() => fail('timeout'), Math.max(0, left()))
  const received = o.expect > 0
    ? new Promise((resolve) => {
      recvWaiter = resolve
      if (recv >= o.expect) resolve()
    })
    : Promise.resolve()

  if (o.publish > 0) {
    if (o.publishAfterRecv) await firstRecvSeen
    if (o.publishAfterSignal) await signalSeen
    while (adapter.topicPeerCount() < o.minPeers) await sleep(100)
    // The mesh forms at the first heartbeat after subscriptions are exchanged (~1 s). Publishing
    // works before that (flood publish) but waiting keeps the tests close to real usage; a remote
    // that never grafts shows up in the log, not as a failure here.
    const meshWaitMs = Math.min(3000, Math.max(0, left() - 1000))
    const meshDeadline = Date.now() + meshWaitMs
    if (adapter.waitReady) {
      await adapter.waitReady(meshWaitMs).catch((e) => log(`waitReady: ${e.message ?? e}`))
    }
    while (adapter.meshPeerCount() < o.minPeers && Date.now() < meshDeadline) await sleep(100)
    if (adapter.meshPeerCount() < o.minPeers) {
      log(`only ${adapter.meshPeerCount()} mesh peers, publishing anyway`)
    }
    for (let i = 0; i < o.publish; i++) {
      for (;;) {
        try {
          out(`SENT ${await adapter.publish(i)}`)
          sent++
          break
        } catch (e) {
          if (!String(e.message ?? e).includes('NoPeersSubscribedToTopic')) {
            await fail(`publish: ${e.stack ?? e}`)
          }
          await sleep(200)
        }
      }
      if (o.intervalMs > 0) await sleep(o.intervalMs)
    }
  }
  await received
  clearTimeout(timer)
  await sleep(o.lingerS * 1000)
  out(`DONE sent=${sent} recv=${recv}`)
  await stopQuietly(adapter)
  process.exit(0)
}

async function stopQuietly (adapter) {
  try {
    await Promise.race([adapter.stop(), sleep(2000)])
  } catch (e) {
    log(`stop: ${e.message ?? e}`)
  }
}
