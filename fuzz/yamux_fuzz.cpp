// Fuzzes the yamux muxer (waku::p2p) with hostile peer bytes. The first input byte picks the role
// and small limits; the rest is fed in chunks whose sizes come from the input, interleaved with
// host actions (open, write, close, reset) that the input also drives. The muxer must never crash
// and must keep its bounds: streams within the limits, write buffers within max_write_buffer_bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/p2p/yamux.hpp"

namespace {

using waku::Bytes;
using waku::ByteView;
namespace p2p = waku::p2p;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  ByteView input(data + 1, size - 1);
  p2p::MuxerLimits limits;
  limits.max_inbound_streams = 1U + (control & 3U);
  limits.max_outbound_streams = 2;
  limits.max_unacked_inbound = 1U + ((control >> 2U) & 3U);
  limits.max_write_buffer_bytes = 4096;
  limits.max_frame_bytes = (control & 0x10U) != 0 ? 1U << 20U : 300U;
  if ((control & 0x20U) != 0) limits.max_receive_window_bytes = p2p::yamux::kInitialWindow;
  const auto role =
      (control & 0x80U) != 0 ? p2p::ConnectionRole::kDialer : p2p::ConnectionRole::kListener;
  auto mux = p2p::make_yamux(role, limits);

  std::vector<p2p::StreamId> known;
  Bytes out;
  const Bytes payload(700, 0x5a);
  std::size_t step = 0;
  while (!input.empty()) {
    const std::uint8_t op = input[0];
    input = input.subspan(1);
    const std::size_t chunk = std::min<std::size_t>(input.size(), 1U + op % 61U);
    if (!mux->handle_bytes(input.first(chunk))) {
      mux->take_transmit(out);
      break;  // the host closes the connection
    }
    input = input.subspan(chunk);
    while (auto event = mux->poll_event()) {
      if (event->kind == p2p::MuxerEventKind::kInboundStream) known.push_back(event->stream);
    }
    ++step;
    const p2p::StreamId target = known.empty() ? 0 : known[(op >> 2U) % known.size()];
    switch ((op >> 5U) & 7U) {
      case 0:
        if (auto id = mux->open_stream()) known.push_back(*id);
        break;
      case 1: (void)mux->write(target, ByteView(payload).first(op * 3U % payload.size())); break;
      case 2: mux->close_write(target); break;
      case 3: mux->reset(target); break;
      case 4:
        if (step % 7 == 0) mux->go_away();
        break;
      default: break;
    }
    for (const auto id : known) {
      WAKU_ASSERT(mux->pending_write_bytes(id) <= limits.max_write_buffer_bytes);
    }
    WAKU_ASSERT(mux->stream_count() <= limits.max_inbound_streams + limits.max_outbound_streams);
    mux->take_transmit(out);
    if (out.size() > (1U << 20U)) out.clear();
  }
  while (mux->poll_event()) {
  }
  return 0;
}
