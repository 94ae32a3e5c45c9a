#!/usr/bin/env node
// Checks the stdout logs of interop peers (relay-peer.mjs / relay-node.mjs lines, see
// common/session.mjs) after a test: every peer finished (DONE), received exactly the messages the
// others SENT (by message hash, so the hash each sender computed must equal the hash each receiver
// computed independently), no duplicates, and js-waku's own hash equals the independent one
// (hashCheck).
//
//   check_exchange.mjs [--allow-extra] [--recv NAME=SRC1,SRC2]... NAME=LOGFILE...
//   --recv NAME=SRCS   NAME must receive what SRCS sent (default: what all other peers sent)
//   --allow-extra      tolerate received messages nobody in the list sent (e.g. from a C++ node)
// Exit 0 if all checks pass, 1 otherwise; prints one line per peer.

import { readFileSync } from 'node:fs'

const peers = new Map()
const recvFrom = new Map()
let allowExtra = false
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--allow-extra') allowExtra = true
  else if (a === '--recv') {
    const [name, srcs] = args[++i].split('=')
    recvFrom.set(name, srcs.split(',').filter(Boolean))
  } else if (a.includes('=')) {
    const [name, file] = a.split(/=(.*)/s)
    peers.set(name, parseLog(readFileSync(file, 'utf8')))
  } else {
    console.error(`usage: ${process.argv[1]} [--allow-extra] [--recv NAME=SRCS] NAME=LOGFILE...`)
    process.exit(2)
  }
}

function parseLog (text) {
  const p = { sent: [], recv: [], done: false, problems: [] }
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ')
    const kind = sp < 0 ? line : line.slice(0, sp)
    const rest = sp < 0 ? '' : line.slice(sp + 1)
    if (kind === 'SENT') p.sent.push(rest.trim())
    else if (kind === 'DONE') p.done = true
    else if (kind === 'RECV') {
      try {
        p.recv.push(JSON.parse(rest))
      } catch {
        p.problems.push(`bad RECV line: ${rest.slice(0, 80)}`)
      }
    }
  }
  return p
}

let ok = true
for (const [name, p] of peers) {
  const problems = [...p.problems]
  if (!p.done) problems.push('no DONE line (peer failed or timed out)')
  const srcs = recvFrom.get(name) ?? [...peers.keys()].filter((n) => n !== name)
  const expected = new Set()
  for (const s of srcs) {
    if (!peers.has(s)) problems.push(`unknown source ${s}`)
    else for (const h of peers.get(s).sent) expected.add(h)
  }
  const allSent = new Set([...peers.values()].flatMap((q) => q.sent))
  const got = new Map()
  for (const r of p.recv) {
    if (!/^0x[0-9a-f]{64}$/.test(r.hash ?? '')) problems.push(`malformed hash ${r.hash}`)
    if (r.hashCheck !== undefined && r.hashCheck !== r.hash) {
      problems.push(`js-waku hash ${r.hash} != independent hash ${r.hashCheck}`)
    }
    if (got.has(r.hash)) problems.push(`duplicate delivery ${r.hash}`)
    got.set(r.hash, r)
  }
  const missing = [...expected].filter((h) => !got.has(h))
  if (missing.length > 0) problems.push(`missing ${missing.length}: ${missing.join(' ')}`)
  for (const [h, r] of got) {
    if (expected.has(h)) continue
    if (p.sent.includes(h)) problems.push(`received own message ${h}`)
    else if (allSent.has(h) && recvFrom.has(name)) continue // from a peer not asked about
    else if (!allowExtra) {
      problems.push(`unexpected ${h} (payload ${Buffer.from(r.payload, 'base64').toString()})` +
        ' - if this is a hash mismatch, sender and receiver disagree on the message hash')
    }
  }
  const line = `${name}: sent ${p.sent.length}, received ${got.size}, expected ${expected.size}`
  if (problems.length === 0) console.log(`${line}: ok`)
  else {
    ok = false
    console.log(`${line}: FAIL\n  ${problems.join('\n  ')}`)
  }
}
process.exit(ok ? 0 : 1)
