// What the yamux and mplex tests share: a muxer with what it has been told about each stream,
// and a pump that moves bytes between two of them cut at random points.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/rng.hpp"
#include "waku/p2p/muxer.hpp"

namespace waku::p2p::muxer_test {

inline Bytes hex(std::string_view text) { return from_hex(text).value(); }

inline Bytes take(Muxer& mux) {
  Bytes out;
  mux.take_transmit(out);
  return out;
}

inline std::vector<MuxerEvent> drain(Muxer& mux) {
  std::vector<MuxerEvent> events;
  while (auto event = mux.poll_event()) events.push_back(std::move(*event));
  return events;
}

inline Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7 + i / 251);
  return out;
}

// A muxer with what it has been told about each stream.
struct Peer {
  explicit Peer(std::unique_ptr<Muxer> muxer) : mux(std::move(muxer)) {}
  std::unique_ptr<Muxer> mux;
  std::map<StreamId, Bytes> received;
  std::set<StreamId> inbound;
  std::set<StreamId> remote_closed;
  std::set<StreamId> resets;

  void poll() {
    while (auto event = mux->poll_event()) {
      switch (event->kind) {
        case MuxerEventKind::kInboundStream: inbound.insert(event->stream); break;
        case MuxerEventKind::kData: {
          auto& bytes = received[event->stream];
          bytes.insert(bytes.end(), event->data.begin(), event->data.end());
          break;
        }
        case MuxerEventKind::kRemoteClosed: remote_closed.insert(event->stream); break;
        case MuxerEventKind::kReset: resets.insert(event->stream); break;
      }
    }
  }
};

// Moves `from`'s transmit buffer into `to`, cut at random points; false if there was nothing.
inline bool deliver(Peer& from, Peer& to, Rng& rng) {
  const Bytes wire = take(*from.mux);
  std::size_t pos = 0;
  while (pos < wire.size()) {
    const std::size_t n = std::min<std::size_t>(wire.size() - pos, 1 + rng.uniform(3000));
    EXPECT_TRUE(to.mux->handle_bytes(ByteView(wire).subspan(pos, n)).has_value());
    pos += n;
  }
  return !wire.empty();
}

// Runs both directions until nothing moves, polling events as they arrive.
inline void pump(Peer& a, Peer& b, Rng& rng) {
  for (int round = 0; round < 10000; ++round) {
    const bool moved_ab = deliver(a, b, rng);
    b.poll();
    const bool moved_ba = deliver(b, a, rng);
    a.poll();
    if (!moved_ab && !moved_ba) return;
  }
  FAIL() << "no quiescence";
}

}  // namespace waku::p2p::muxer_test
