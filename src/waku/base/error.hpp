// Error codes for expected failures: bad input from a peer, a user or a file, and I/O errors.
//
// An Error is deliberately small (an enum plus a static context string) so that returning one on
// a hot path costs nothing. Dynamic text (database messages, config parsing) belongs at the edges,
// where `detail` may carry it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace waku {

// Grouped by domain; the numeric values are not part of any wire format.
enum class Errc : std::uint16_t {
  // generic
  kInvalidArgument = 1,
  kOutOfRange,
  kNotFound,
  kAlreadyExists,
  kLimitExceeded,
  kUnsupported,
  kInternal,
  // decoding of peer, user or file input
  kDecode = 100,
  kTruncated,
  kMissingField,
  kTooLarge,
  kBadEncoding,
  // crypto
  kBadKey = 200,
  kBadSignature,
  kCryptoFailure,
  // message model
  kInvalidTopic = 300,
  kInvalidMessage,
  // relay
  kNotSubscribed = 400,
  kNoPeers,
  kDuplicate,
  kInvalidConfig,
  kQueueFull,
  // I/O at the edges
  kIo = 500,
};

// A short stable name for the code ("decode", "bad-signature", ...), for logs and metrics.
std::string_view errc_name(Errc code) noexcept;

struct Error {
  Errc code{Errc::kInternal};
  // Always a string literal (static storage): what failed, e.g. "waku message: meta longer than
  // 64 bytes".
  const char* context{""};
  // Optional dynamic text, only at the edges (parsers of user input, databases).
  std::string detail{};

  // "<context>: <detail>" or just "<context>".
  [[nodiscard]] std::string message() const;

  friend bool operator==(const Error& a, const Error& b) noexcept { return a.code == b.code; }
};

inline Error make_error(Errc code, const char* context) { return Error{code, context, {}}; }
inline Error make_error(Errc code, const char* context, std::string detail) {
  return Error{code, context, std::move(detail)};
}

}  // namespace waku
