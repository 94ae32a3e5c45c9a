#include "waku/base/error.hpp"

namespace waku {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid-argument";
    case Errc::kOutOfRange: return "out-of-range";
    case Errc::kNotFound: return "not-found";
    case Errc::kAlreadyExists: return "already-exists";
    case Errc::kLimitExceeded: return "limit-exceeded";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kInternal: return "internal";
    case Errc::kDecode: return "decode";
    case Errc::kTruncated: return "truncated";
    case Errc::kMissingField: return "missing-field";
    case Errc::kTooLarge: return "too-large";
    case Errc::kBadEncoding: return "bad-encoding";
    case Errc::kBadKey: return "bad-key";
    case Errc::kBadSignature: return "bad-signature";
    case Errc::kCryptoFailure: return "crypto-failure";
    case Errc::kInvalidTopic: return "invalid-topic";
    case Errc::kInvalidMessage: return "invalid-message";
    case Errc::kNotSubscribed: return "not-subscribed";
    case Errc::kNoPeers: return "no-peers";
    case Errc::kDuplicate: return "duplicate";
    case Errc::kInvalidConfig: return "invalid-config";
    case Errc::kQueueFull: return "queue-full";
    case Errc::kIo: return "io";
  }
  return "unknown";
}

std::string Error::message() const {
  std::string text = context;
  if (!detail.empty()) {
    if (!text.empty()) text += ": ";
    text += detail;
  }
  if (text.empty()) text = std::string(errc_name(code));
  return text;
}

}  // namespace waku
