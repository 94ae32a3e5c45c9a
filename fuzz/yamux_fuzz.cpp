// Fuzzes the yamux muxer (waku::p2p) with hostile peer bytes. The first input byte picks the role
// and small limits (a narrow receive window among them); the rest drives the host actions and
// checks of muxer_fuzz_driver.hpp.
#include <cstddef>
#include <cstdint>

#include "muxer_fuzz_driver.hpp"
#include "waku/p2p/muxer.hpp"
#include "waku/p2p/yamux.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace p2p = waku::p2p;
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
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
  waku::fuzz::drive_muxer(*mux, limits, waku::ByteView(data + 1, size - 1));
  return 0;
}
