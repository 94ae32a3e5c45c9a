// mplex (/mplex/6.7.0) wire constants; the muxer itself is made by make_mplex() (muxer.hpp).
//
// mplex is deprecated in libp2p but is the only muxer older js-waku nodes offer. A frame is
// uvarint(stream_id << 3 | flag) uvarint(length) data. Each side numbers the streams it opens from
// 0, so the same number can name two streams; the flag says whether the sender opened the stream
// ("Initiator") or accepted it ("Receiver"). There is no flow control: messages are at most 1 MiB.
#pragma once

#include <cstddef>
#include <cstdint>

#include "waku/p2p/muxer.hpp"

namespace waku::p2p::mplex {

enum class Flag : std::uint8_t {
  kNewStream = 0,
  kMessageReceiver = 1,
  kMessageInitiator = 2,
  kCloseReceiver = 3,
  kCloseInitiator = 4,
  kResetReceiver = 5,
  kResetInitiator = 6,
};

// js-mplex's maxMsgSize: we never send a larger frame, and the default receive limit matches.
inline constexpr std::size_t kMaxMessageBytes = 1 << 20;

// Appends one frame header (the data follows it).
void append_header(Bytes& out, std::uint64_t stream_id, Flag flag, std::size_t length);

// Bytes on the wire for `payload_bytes` written to stream `stream_id`, split as we split it.
std::size_t data_wire_bytes(std::uint64_t stream_id, std::size_t payload_bytes);

}  // namespace waku::p2p::mplex
