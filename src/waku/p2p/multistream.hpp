// multistream-select 1.0: agreeing on the protocol that a fresh byte stream will carry.
//
// libp2p runs it three times per connection (the security protocol on raw TCP, the muxer over
// the secure channel unless inlined in Noise, and the application protocol on every muxed
// stream), so it is one small sans-I/O negotiator that the host feeds with whatever bytes
// arrive and drains for what to write. Every message is uvarint(len) || id || '\n' with len
// counting the newline (libp2p-wire.md §A3). The negotiator bounds everything a peer controls:
// a message is at most kMaxProtocolIdBytes, a listener refuses at most
// kMaxNegotiationAttempts proposals, and any protocol violation is a final error (the host
// resets the stream). Bytes that follow the agreement in the same chunk (an optimistic dialer's
// first application data) are kept for the selected protocol, not lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::p2p {

inline constexpr std::string_view kMultistreamProtocol = "/multistream/1.0.0";
// js-libp2p's MAX_PROTOCOL_LENGTH: the longest message (length prefix value, newline included).
inline constexpr std::size_t kMaxProtocolIdBytes = 1024;
// A listener answers at most this many proposals (or "ls") with a refusal before giving up, so a
// peer cannot keep a stream busy with guesses.
inline constexpr std::size_t kMaxNegotiationAttempts = 16;

// Appends one multistream message: uvarint(id.size() + 1) || id || '\n'.
void append_multistream_message(Bytes& out, std::string_view id);

class MultistreamNegotiator {
 public:
  // Proposes `protocols` in order: header + first proposal in one write, the next after "na".
  // An empty list, or an id that is empty, contains '\n' or is too long, fails at the first
  // handle_bytes (nothing is written for it).
  static MultistreamNegotiator dialer(std::vector<std::string> protocols);
  // Accepts the first proposal in `supported`, answers "na" to others (at most
  // kMaxNegotiationAttempts refusals), answers "ls". Sends its header right away (js dialers
  // accept that; the js listener instead waits for the dialer's header).
  static MultistreamNegotiator listener(std::vector<std::string> supported);

  // Any split; an error (not the header first, message > kMaxProtocolIdBytes, missing newline,
  // every proposal refused, too many attempts, an unexpected reply) is final and returned again
  // by every later call. After the agreement, further bytes are appended to the remaining bytes.
  Result<void> handle_bytes(ByteView bytes);
  // What to write to the peer, moved out (empty when there is nothing).
  Bytes take_transmit();
  [[nodiscard]] const std::optional<std::string>& selected() const { return selected_; }
  // Bytes that arrived after the agreement (they belong to the selected protocol), moved out.
  Bytes take_remaining();

  [[nodiscard]] bool failed() const { return error_.has_value(); }
  // Agreement reached or failed: the negotiator will not write anything more.
  [[nodiscard]] bool finished() const { return failed() || selected_.has_value(); }

 private:
  enum class Role : std::uint8_t { kDialer, kListener };
  enum class State : std::uint8_t { kAwaitHeader, kAwaitMessage, kSelected, kFailed };

  MultistreamNegotiator(Role role, std::vector<std::string> protocols);

  // Handles one complete message (without its newline).
  Result<void> handle_message(std::string_view message);
  Result<void> handle_dialer_message(std::string_view message);
  Result<void> handle_listener_message(std::string_view message);
  Result<void> fail(Error error);

  Role role_;
  State state_{State::kAwaitHeader};
  std::vector<std::string> protocols_;  // dialer: proposals in order; listener: supported ids
  std::size_t next_proposal_{0};        // dialer: index of the proposal awaiting an answer
  std::size_t refusals_{0};             // listener: "na" and "ls" answers given
  Bytes inbound_;                       // an incomplete message, at most 2 + 1024 bytes
  Bytes transmit_;
  Bytes remaining_;
  std::optional<std::string> selected_;
  std::optional<Error> error_;
};

}  // namespace waku::p2p
