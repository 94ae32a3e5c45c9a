// The shared body of the muxer fuzz targets (yamux_fuzz.cpp, mplex_fuzz.cpp): hostile peer bytes
// fed in chunks whose sizes come from the input, interleaved with host actions (open, write,
// close, reset, go away) that the input also drives. The muxer must never crash and must keep its
// bounds: streams within the limits, each stream's unsent bytes within max_write_buffer_bytes
// (yamux holds them back for the peer's window; mplex has no window and reports none).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/p2p/muxer.hpp"

namespace waku::fuzz {

inline void drive_muxer(p2p::Muxer& mux, const p2p::MuxerLimits& limits, ByteView input) {
  std::vector<p2p::StreamId> known;
  Bytes out;
  const Bytes payload(700, 0x5a);
  std::size_t step = 0;
  while (!input.empty()) {
    const std::uint8_t op = input[0];
    input = input.subspan(1);
    const std::size_t chunk = std::min<std::size_t>(input.size(), 1U + op % 61U);
    if (!mux.handle_bytes(input.first(chunk))) {
      mux.take_transmit(out);
      break;  // the host closes the connection
    }
    input = input.subspan(chunk);
    while (auto event = mux.poll_event()) {
      if (event->kind == p2p::MuxerEventKind::kInboundStream) known.push_back(event->stream);
    }
    ++step;
    const p2p::StreamId target = known.empty() ? 0 : known[(op >> 2U) % known.size()];
    switch ((op >> 5U) & 7U) {
      case 0:
        if (auto id = mux.open_stream()) known.push_back(*id);
        break;
      case 1: (void)mux.write(target, ByteView(payload).first(op * 3U % payload.size())); break;
      case 2: mux.close_write(target); break;
      case 3: mux.reset(target); break;
      case 4:
        if (step % 7 == 0) mux.go_away();
        break;
      default: break;
    }
    for (const auto id : known) {
      WAKU_ASSERT(mux.pending_write_bytes(id) <= limits.max_write_buffer_bytes);
    }
    WAKU_ASSERT(mux.stream_count() <= limits.max_inbound_streams + limits.max_outbound_streams);
    mux.take_transmit(out);
    if (out.size() > (1U << 20U)) out.clear();
  }
  while (mux.poll_event()) {
  }
}

}  // namespace waku::fuzz
