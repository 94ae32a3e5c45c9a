// Node 20 lacks Promise.withResolvers (Node 22+). it-queue (pulled in by mortice >= 3.2 and by
// libp2p 1.x/3.x stacks, e.g. @waku/sdk 0.0.27) calls it when libp2p starts, failing with
// "TypeError: Promise.withResolvers is not a function" (libp2p-wire.md §B1). Import this module
// first (or preload it: node --import ./polyfill.mjs).
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}
