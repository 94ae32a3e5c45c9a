#include "sim/network/wire_overhead.hpp"

#include <algorithm>

#include "waku/base/varint.hpp"

namespace waku::sim {

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  // Most frames are small: one Noise message, one segment, one ACK. Skipping the division there
  // matters at billions of frames per simulated hour.
  if (a <= b) return a == 0 ? 0 : 1;
  return (a + b - 1) / b;
}

// Noise bytes for one yamux frame of `plain` bytes (header included). Each yamux frame is handed
// to the Noise session in one write (go-yamux and nim-yamux write header and body together), and
// the session cuts a write into transport messages of at most `max_plain` plaintext bytes.
std::uint64_t noise_bytes(std::uint64_t plain, std::uint64_t max_plain, const WireStack& stack) {
  const std::uint64_t messages =
      max_plain == 0 ? 1 : std::max<std::uint64_t>(1, ceil_div(plain, max_plain));
  return plain + messages * (stack.noise_tag_bytes + stack.noise_length_bytes);
}

}  // namespace

WireCost wire_cost(std::size_t app_frame_bytes, const WireStack& stack) {
  // The gossipsub writer puts the varint length and the RPC into one stream write.
  const std::uint64_t stream_bytes = uvarint_size(app_frame_bytes) + app_frame_bytes;

  // A zero limit means "no limit" rather than a division by zero, so a what-if stack (no yamux
  // split, no Noise split) stays expressible.
  const std::uint64_t max_plain = stack.noise_max_message_bytes > stack.noise_tag_bytes
                                      ? stack.noise_max_message_bytes - stack.noise_tag_bytes
                                      : 0;
  std::uint64_t noise_total = 0;
  if (stack.yamux_max_frame_bytes == 0 || stream_bytes <= stack.yamux_max_frame_bytes) {
    noise_total = noise_bytes(stream_bytes + stack.yamux_header_bytes, max_plain, stack);
  } else {
    const std::uint64_t full_frames = stream_bytes / stack.yamux_max_frame_bytes;
    const std::uint64_t rest = stream_bytes % stack.yamux_max_frame_bytes;
    noise_total = full_frames * noise_bytes(stack.yamux_max_frame_bytes + stack.yamux_header_bytes,
                                            max_plain, stack);
    if (rest > 0) noise_total += noise_bytes(rest + stack.yamux_header_bytes, max_plain, stack);
  }

  // TCP coalesces the Noise messages of one frame: they are written back to back, so every
  // segment but the last is a full MSS.
  const std::uint64_t segments =
      stack.mss_bytes == 0 ? 1 : std::max<std::uint64_t>(1, ceil_div(noise_total, stack.mss_bytes));
  WireCost cost;
  cost.segments = static_cast<std::uint32_t>(segments);
  cost.sender_bytes = noise_total + segments * stack.tcp_ip_header_bytes;
  cost.receiver_bytes = stack.segments_per_ack == 0 ? 0
                                                    : ceil_div(segments, stack.segments_per_ack) *
                                                          stack.tcp_ip_header_bytes;
  return cost;
}

}  // namespace waku::sim
