// A js-waku light node (@waku/sdk 0.0.36, TCP transport injected, libp2p-wire.md §B6(a)) that
// dials one store node and runs store v3 queries through the SDK's own paginating client
// (Store.queryGenerator), printing what it got so that the test driver can compare it with the
// store node's REST answers and with `wakunode hash`. Run with the polyfill preloaded:
//   node --import ../../interop/common/polyfill.mjs store-query.mjs --peer MULTIADDR \
//     --content-topic CT --shard 32 --cluster 16 [--page-size 20] [--query NAME:SPEC]...
// SPEC is forward | backward | hashes=0xH1,0xH2 | range=START_NS,END_NS (forward).
// Output, per query: `PAGE <name> <i> <count> <hash>...` per page (js-waku's own hash of each
// decoded message, hex without 0x), `MSG <name> <hash> <timestamp ns> <payload hex>
// <content topic> <pubsub topic>` per message, then `DONE <name> <pages> <messages>`; on
// failure `ERROR <text>` and exit 1.
import { tcp } from '@libp2p/tcp'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLightNode } from '@waku/sdk'

function parseArgs (argv) {
  const args = { pageSize: 20, queries: [], cluster: 16, shard: 32, timeout: 30 }
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1]
    switch (argv[i]) {
      case '--peer': args.peer = value; i++; break
      case '--content-topic': args.contentTopic = value; i++; break
      case '--page-size': args.pageSize = Number(value); i++; break
      case '--cluster': args.cluster = Number(value); i++; break
      case '--shard': args.shard = Number(value); i++; break
      case '--timeout': args.timeout = Number(value); i++; break
      case '--query': args.queries.push(value); i++; break
      default: throw new Error(`unknown argument ${argv[i]}`)
    }
  }
  if (!args.peer || !args.contentTopic || args.queries.length === 0) {
    throw new Error('need --peer, --content-topic and at least one --query')
  }
  return args
}

function hexToBytes (hex) {
  const clean = hex.replace(/^0x/, '')
  return Uint8Array.from(clean.match(/../g).map((b) => parseInt(b, 16)))
}
const toHex = (bytes) => Buffer.from(bytes).toString('hex')

function queryOptions (spec, args, peerId) {
  const base = { peerId, paginationLimit: args.pageSize, includeData: true }
  if (spec === 'forward') return { ...base, paginationForward: true }
  if (spec === 'backward') return { ...base, paginationForward: false }
  if (spec.startsWith('hashes=')) {
    return {
      ...base,
      paginationForward: true,
      messageHashes: spec.slice(7).split(',').map(hexToBytes)
    }
  }
  if (spec.startsWith('range=')) {
    // The SDK takes Dates (milliseconds): START and END must be whole milliseconds.
    const [start, end] = spec.slice(6).split(',')
      .map((ns) => new Date(Number(BigInt(ns) / 1000000n)))
    return { ...base, paginationForward: true, timeStart: start, timeEnd: end }
  }
  throw new Error(`unknown query spec ${spec}`)
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const timer = setTimeout(() => {
    console.log(`ERROR timeout after ${args.timeout} s`)
    process.exit(1)
  }, args.timeout * 1000)
  const node = await createLightNode({
    defaultBootstrap: false,
    discovery: { dns: false, peerExchange: false, peerCache: false },
    networkConfig: { clusterId: args.cluster },
    libp2p: {
      transports: [tcp()],
      filterMultiaddrs: false,
      hideWebSocketInfo: true,
      streamMuxers: [yamux()]
    }
  })
  await node.start()
  const connection = await node.libp2p.dial(multiaddr(args.peer))
  const peerId = connection.remotePeer
  console.log(`CONN ${peerId.toString()} ${connection.multiplexer ?? '?'}`)
  const decoder = node.createDecoder({ contentTopic: args.contentTopic, shardId: args.shard })

  for (const query of args.queries) {
    const colon = query.indexOf(':')
    const name = query.slice(0, colon)
    const options = queryOptions(query.slice(colon + 1), args, peerId)
    let pages = 0
    let messages = 0
    for await (const page of node.store.queryGenerator([decoder], options)) {
      const decoded = await Promise.all(page)
      const hashes = decoded.map((m) => (m ? toHex(m.hash) : 'UNDECODED'))
      console.log(`PAGE ${name} ${pages} ${decoded.length} ${hashes.join(' ')}`)
      for (const m of decoded) {
        if (!m) continue
        console.log(`MSG ${name} ${toHex(m.hash)} ${m.proto.timestamp} ${toHex(m.payload)} ` +
          `${m.contentTopic} ${m.pubsubTopic}`)
      }
      pages++
      messages += decoded.length
      if (pages > 100) throw new Error('more than 100 pages')
    }
    console.log(`DONE ${name} ${pages} ${messages}`)
  }
  clearTimeout(timer)
  await node.stop()
}

main().then(() => process.exit(0), (error) => {
  console.log(`ERROR ${error?.stack ?? error}`)
  process.exit(1)
})
