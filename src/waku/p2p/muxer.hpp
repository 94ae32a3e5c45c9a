// Stream muxers: many logical streams over one secure channel, as sans-I/O cores.
//
// A libp2p connection carries every protocol (identify, ping, relay, store, ...) on its own stream
// over one Noise channel; the muxer splits the channel into those streams. The host feeds the
// decrypted bytes to handle_bytes(), drains poll_event() (new inbound streams, stream data, half
// closes, resets) and encrypts whatever take_transmit() produced. Two muxers are implemented:
// yamux (/yamux/1.0.0, what nwaku, go and js peers prefer; per-stream flow control) and mplex
// (/mplex/6.7.0, the default of older js-waku nodes; no flow control). Everything is bounded by
// MuxerLimits so that a hostile peer costs at most what it sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::p2p {

inline constexpr std::string_view kYamuxProtocol = "/yamux/1.0.0";
inline constexpr std::string_view kMplexProtocol = "/mplex/6.7.0";

// Who dialled the TCP connection (yamux: the dialer uses odd stream ids, the listener even ones).
enum class ConnectionRole : std::uint8_t { kDialer, kListener };

// A muxer-local stream handle. yamux: the wire stream id. mplex: (wire id << 1) | 1 if the peer
// opened the stream, since both sides number their streams from 0.
using StreamId = std::uint64_t;

struct MuxerLimits {
  std::size_t max_inbound_streams = 256;   // open at once; a further SYN/NewStream is reset
  std::size_t max_outbound_streams = 256;  // open_stream fails beyond
  std::size_t max_frame_bytes = 1 << 20;   // larger incoming frame = protocol error (mplex 1 MiB)
  // Written but not yet sent (yamux: waiting for the peer's window) per stream; write() beyond
  // fails with kQueueFull, so a stalled peer cannot grow our memory. mplex has no window: its
  // writes go straight to the transmit buffer, and write() fails once the untaken transmit buffer
  // would exceed this.
  std::size_t max_write_buffer_bytes = 4 << 20;
  // yamux accept backlog: inbound streams whose kInboundStream event was not polled yet (the ACK
  // goes out when it is). A further SYN is reset.
  std::size_t max_unacked_inbound = 256;
  // yamux: each stream's receive window starts at 256 KiB and doubles with every window update up
  // to this (js-yamux maxStreamWindowSize). 256 KiB keeps it fixed.
  std::size_t max_receive_window_bytes = 16 << 20;
};

enum class MuxerEventKind : std::uint8_t {
  kInboundStream,  // the peer opened `stream`
  kData,           // bytes on `stream`, in order; polling them counts as consuming them
  kRemoteClosed,   // the peer will send no more on `stream` (half-close); we may still write
  kReset,          // `stream` is gone (reset by the peer, or by our go_away() for mplex)
};

struct MuxerEvent {
  MuxerEventKind kind;
  StreamId stream;
  Bytes data;  // only for kData
};

class Muxer {
 public:
  virtual ~Muxer() = default;
  [[nodiscard]] virtual std::string_view protocol_id() const = 0;
  // Plaintext from the secure channel, any split. An error means the peer broke the protocol
  // (oversized frame, bad version, window exceeded, ...): the host flushes take_transmit() (yamux
  // queues a GoAway(protocol error)) and closes the connection. Errors are sticky.
  virtual Result<void> handle_bytes(ByteView bytes) = 0;
  virtual std::optional<MuxerEvent> poll_event() = 0;
  // Frames for all streams (data, window updates, pings, resets), appended to `out`.
  virtual void take_transmit(Bytes& out) = 0;
  virtual Result<StreamId> open_stream() = 0;  // kLimitExceeded (also once either side went away)
  // kNotFound (unknown or freed stream), kInvalidArgument (after close_write), kQueueFull. A failed
  // write sends nothing.
  virtual Result<void> write(StreamId stream, ByteView data) = 0;
  virtual void close_write(StreamId stream) = 0;  // half-close (yamux FIN, mplex Close)
  virtual void reset(StreamId stream) = 0;        // frees the stream; no event for it
  [[nodiscard]] virtual std::size_t pending_write_bytes(StreamId stream) const = 0;
  [[nodiscard]] virtual std::size_t stream_count() const = 0;
  virtual void go_away() = 0;  // yamux GoAway(0); mplex: resets all streams
  // The peer announced it is closing the session (yamux GoAway); new streams are refused.
  [[nodiscard]] virtual bool remote_going_away() const = 0;
};

std::unique_ptr<Muxer> make_yamux(ConnectionRole role, MuxerLimits limits = {});
std::unique_ptr<Muxer> make_mplex(ConnectionRole role, MuxerLimits limits = {});

}  // namespace waku::p2p
