// Connection: one libp2p connection over a reliable byte stream, as a sans-I/O core.
//
// It runs the whole upgrade the way nwaku, go-libp2p and js-libp2p do it on TCP: multistream-select
// for the security protocol (/noise), the Noise XX handshake, multistream-select for the muxer
// inside the secure channel (yamux preferred, mplex for older js-waku peers), and then one
// multistream-select per muxed stream for its application protocol. The host feeds the bytes it
// reads from the socket (handle_bytes), writes what take_transmit gives it, and reacts to events.
// It never sees Noise frames, muxer frames or protocol negotiation; the protocol handlers above it
// see negotiated streams and their bytes.
//
// Everything a peer controls is bounded: bytes buffered before the handshake completes, streams
// open or negotiating at once, bytes written to a stream before its negotiation completes. Any
// protocol violation is final: handle_bytes returns the error, the host flushes take_transmit()
// and closes the socket. Handshake time is the host's business (it owns the clock).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/entropy.hpp"
#include "waku/base/fifo_queue.hpp"
#include "waku/base/flat_map.hpp"
#include "waku/base/result.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/p2p/multistream.hpp"
#include "waku/p2p/muxer.hpp"
#include "waku/p2p/noise.hpp"

namespace waku::p2p {

struct ConnectionOptions {
  ConnectionRole role{ConnectionRole::kDialer};
  // The peer we dialled (/p2p/<id> of the address), checked by the handshake.
  std::optional<crypto::PeerId> expected_peer;
  // Muxers in our order of preference; the listener accepts any of them.
  std::vector<std::string> muxers{std::string{kYamuxProtocol}, std::string{kMplexProtocol}};
  // Application protocols accepted on inbound streams.
  std::vector<std::string> protocols;
  MuxerLimits muxer_limits{};
  // Streams in protocol negotiation at once (inbound and outbound); more inbound ones are reset.
  std::size_t max_negotiating_streams = 32;
  // Bytes written to an outbound stream before its protocol is agreed (then flushed).
  std::size_t max_early_write_bytes = std::size_t{64} * 1024;
};

enum class StreamDirection : std::uint8_t { kInbound, kOutbound };

// The secure channel and the muxer are up: the peer is authenticated.
struct ConnectionEstablished {
  crypto::PeerId peer;
  crypto::PublicKeyInfo key;
  std::string muxer;
};
// A stream's protocol is agreed (inbound: one we support; outbound: the one we asked for).
struct StreamOpened {
  StreamId stream;
  std::string protocol;
  StreamDirection direction;
};
// An outbound stream whose protocol the peer refused, or that the peer reset during negotiation.
struct StreamFailed {
  StreamId stream;
  std::string protocol;
};
struct StreamData {
  StreamId stream;
  Bytes data;
};
// The peer finished writing (half-close).
struct StreamClosed {
  StreamId stream;
};
struct StreamReset {
  StreamId stream;
};

using ConnectionEvent = std::variant<ConnectionEstablished, StreamOpened, StreamFailed, StreamData,
                                     StreamClosed, StreamReset>;

class Connection {
 public:
  // `identity` and `entropy` must outlive the connection.
  Connection(ConnectionOptions options, const crypto::IdentityKey& identity, Entropy& entropy);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Bytes read from the socket, any split. An error is final (see the header comment).
  Result<void> handle_bytes(ByteView bytes);
  // Bytes to write to the socket, appended to `out`: everything written so far, sealed. If the
  // secure channel can seal no more, nothing is appended and sealing_failure() is set.
  void take_transmit(Bytes& out);
  // Set once sealing failed (the Noise nonces ran out after kNoiseMaxNonce frames): the
  // connection cannot send again, and the host must close it.
  [[nodiscard]] const std::optional<Error>& sealing_failure() const;
  // The next frame sealed uses this nonce (tests of the nonce limit).
  void set_send_nonce_for_testing(std::uint64_t nonce);
  // Collects what the streams wrote without sealing it yet. A host whose socket is still busy
  // holds, and the next take_transmit seals everything held in as few Noise frames as fit (one
  // AEAD operation per ~64 KiB instead of one per write: a relay under load writes one frame per
  // message). Keeps the muxer's own transmit buffer empty, as take_transmit does.
  void hold_transmit();
  // Held, or produced by handle_bytes, and not taken yet.
  [[nodiscard]] std::size_t untaken_transmit_bytes() const {
    return plaintext_.size() + transmit_.size();
  }
  std::optional<ConnectionEvent> poll_event();

  [[nodiscard]] bool is_established() const;
  // Set once established.
  [[nodiscard]] const std::optional<crypto::PeerId>& remote_peer() const;
  [[nodiscard]] ConnectionRole role() const;

  // Opens a stream and negotiates `protocol` on it: StreamOpened or StreamFailed follows. Writes
  // before StreamOpened are held (up to max_early_write_bytes). kUnsupported before established.
  Result<StreamId> open_stream(std::string protocol);
  Result<void> write(StreamId stream, ByteView data);
  void close_write(StreamId stream);
  void reset(StreamId stream);
  // Bytes written and not yet handed to the secure channel (backpressure for the host).
  [[nodiscard]] std::size_t pending_write_bytes(StreamId stream) const;
  // Polite close: yamux GoAway, mplex resets.
  void go_away();

 private:
  struct Negotiating;
  Result<void> handle_plaintext(ByteView bytes);
  Result<void> drain_muxer();
  Result<void> start_muxer(const std::string& muxer);
  void handle_stream_bytes(StreamId stream, Bytes data);
  void finish_negotiation(StreamId stream, Negotiating& negotiating);

  enum class Stage : std::uint8_t { kSecurityNegotiation, kHandshake, kMuxerNegotiation, kOpen };

  ConnectionOptions options_;
  const crypto::IdentityKey* identity_;
  Entropy* entropy_;
  Stage stage_{Stage::kSecurityNegotiation};
  std::optional<MultistreamNegotiator> negotiator_;  // security, then muxer
  std::optional<NoiseHandshake> handshake_;
  std::optional<NoiseSession> session_;
  std::unique_ptr<Muxer> muxer_;
  std::optional<crypto::PeerId> remote_peer_;
  Bytes transmit_;   // wire bytes for the socket
  Bytes plaintext_;  // bytes for the secure channel, sealed on take_transmit
  std::optional<Error> sealing_failure_;
  FifoQueue<ConnectionEvent> events_;

  // Streams whose protocol is not agreed yet.
  struct Negotiating {
    MultistreamNegotiator negotiator;
    StreamDirection direction;
    std::string protocol;  // outbound: the one asked for
    Bytes early_writes;
    bool close_after_open{false};
  };
  FlatMap<StreamId, Negotiating> negotiating_;
};

}  // namespace waku::p2p
