// yamux (/yamux/1.0.0) wire constants; the muxer itself is made by make_yamux() (muxer.hpp).
//
// Every frame is a 12-byte big-endian header (version, type, flags, stream id, length) followed,
// for Data frames only, by `length` payload bytes. Streams are opened with a Window Update
// carrying SYN (as js-yamux does), accepted with ACK, half-closed with FIN and aborted with RST.
// Each direction of each stream has a receive window (256 KiB at first) that the receiver raises
// with Window Updates as the application consumes data; receiving beyond it is a protocol error.
#pragma once

#include <cstddef>
#include <cstdint>

#include "waku/p2p/muxer.hpp"

namespace waku::p2p::yamux {

inline constexpr std::size_t kHeaderBytes = 12;
inline constexpr std::uint8_t kVersion = 0;
inline constexpr std::uint32_t kInitialWindow = std::uint32_t{256} * 1024;
// js-yamux writes frames of at most maxMessageSize = 64 KiB, header included; we do the same so
// that no peer sees a frame larger than what js itself sends.
inline constexpr std::size_t kMaxDataPayload = std::size_t{64} * 1024 - kHeaderBytes;

enum class FrameType : std::uint8_t { kData = 0, kWindowUpdate = 1, kPing = 2, kGoAway = 3 };

// Flag bits (u16 on the wire).
inline constexpr std::uint16_t kFlagSyn = 0x1;
inline constexpr std::uint16_t kFlagAck = 0x2;
inline constexpr std::uint16_t kFlagFin = 0x4;
inline constexpr std::uint16_t kFlagRst = 0x8;

// GoAway codes.
inline constexpr std::uint32_t kGoAwayNormal = 0;
inline constexpr std::uint32_t kGoAwayProtocolError = 1;
inline constexpr std::uint32_t kGoAwayInternalError = 2;

// Appends one 12-byte header.
void append_header(Bytes& out, FrameType type, std::uint16_t flags, std::uint32_t stream_id,
                   std::uint32_t length);

// Bytes on the wire for `payload_bytes` of stream data, split as we split it (for the simulator's
// byte accounting).
std::size_t data_wire_bytes(std::size_t payload_bytes);

}  // namespace waku::p2p::yamux
