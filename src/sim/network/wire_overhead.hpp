// Wire overhead: the bytes the real libp2p stack puts on the wire for one gossipsub RPC frame.
//
// The simulated network carries application frames (encoded gossipsub RPCs) between routers; the
// real node sends each of them as: an unsigned-varint length prefix (gossipsub framing), inside
// one or more yamux data frames (12-byte header each), encrypted as Noise transport messages
// (2-byte length + 16-byte ChaCha20-Poly1305 tag, at most 65,535 bytes each), cut into TCP
// segments of at most one MSS with IPv4 + TCP headers (20 + 20 + 12 bytes of timestamp option).
// The receiver's TCP acknowledges every second segment with a header-only segment. Sources:
// ../shared/reference/libp2p-wire.md (yamux, Noise) and RFC 7323 (timestamps). Not modelled:
// Ethernet framing, yamux window updates, TLS-less handshakes (paid once per connection).
#pragma once

#include <cstddef>
#include <cstdint>

namespace waku::sim {

struct WireStack {
  std::size_t yamux_header_bytes = 12;
  std::size_t yamux_max_frame_bytes =
      std::size_t{256} * 1024;                  // initial stream window (yamux spec)
  std::size_t noise_max_message_bytes = 65535;  // including the 16-byte tag
  std::size_t noise_tag_bytes = 16;
  std::size_t noise_length_bytes = 2;
  std::size_t mss_bytes = 1448;          // 1500-byte MTU minus IPv4, TCP and timestamps
  std::size_t tcp_ip_header_bytes = 52;  // IPv4 20 + TCP 20 + timestamp option 12
  std::size_t segments_per_ack = 2;      // delayed ACK (RFC 1122); 0 = do not count ACKs
};

struct WireCost {
  std::uint64_t sender_bytes{0};    // everything the sender transmits for the frame
  std::uint64_t receiver_bytes{0};  // the ACK segments the receiver sends back
  std::uint32_t segments{0};        // TCP data segments
};

// Wire cost of one application frame of `app_frame_bytes` (the RPC protobuf, without its length
// prefix). Pure arithmetic; cheap enough to call per simulated frame.
WireCost wire_cost(std::size_t app_frame_bytes, const WireStack& stack = {});

}  // namespace waku::sim
