#include "waku/p2p/multistream.hpp"

#include <algorithm>
#include <utility>

#include "waku/base/varint.hpp"

namespace waku::p2p {
namespace {

constexpr std::string_view kNa = "na";
constexpr std::string_view kLs = "ls";
// uvarint(1024) takes two bytes; js's listener reads at most two length bytes too.
constexpr std::size_t kMaxLengthBytes = 2;

bool valid_protocol_id(std::string_view id) {
  return !id.empty() && id.size() + 1 <= kMaxProtocolIdBytes &&
         id.find('\n') == std::string_view::npos;
}

}  // namespace

void append_multistream_message(Bytes& out, std::string_view id) {
  append_uvarint(out, id.size() + 1);
  const ByteView bytes = as_bytes(id);
  out.insert(out.end(), bytes.begin(), bytes.end());
  out.push_back('\n');
}

MultistreamNegotiator::MultistreamNegotiator(Role role, std::vector<std::string> protocols)
    : role_(role), protocols_(std::move(protocols)) {
  const bool all_valid = std::all_of(protocols_.begin(), protocols_.end(),
                                     [](const std::string& id) { return valid_protocol_id(id); });
  if (!all_valid) {
    (void)fail(make_error(Errc::kInvalidArgument,
                          "multistream: protocol id empty, too long or containing a newline"));
    return;
  }
  if (role_ == Role::kDialer && protocols_.empty()) {
    (void)fail(make_error(Errc::kInvalidArgument, "multistream: dialer without a proposal"));
    return;
  }
  append_multistream_message(transmit_, kMultistreamProtocol);
  // The dialer sends its first proposal with the header (one packet, as the spec recommends and
  // js does); the listener only its header, then waits.
  if (role_ == Role::kDialer) append_multistream_message(transmit_, protocols_.front());
}

MultistreamNegotiator MultistreamNegotiator::dialer(std::vector<std::string> protocols) {
  return {Role::kDialer, std::move(protocols)};
}

MultistreamNegotiator MultistreamNegotiator::listener(std::vector<std::string> supported) {
  return {Role::kListener, std::move(supported)};
}

Result<void> MultistreamNegotiator::fail(Error error) {
  state_ = State::kFailed;
  error_ = error;
  inbound_.clear();
  inbound_.shrink_to_fit();
  return error;
}

Result<void> MultistreamNegotiator::handle_bytes(ByteView bytes) {
  if (error_) return *error_;
  if (state_ == State::kSelected) {
    remaining_.insert(remaining_.end(), bytes.begin(), bytes.end());
    return ok();
  }
  inbound_.insert(inbound_.end(), bytes.begin(), bytes.end());

  std::size_t offset = 0;  // start of the first unprocessed byte in inbound_
  while (state_ == State::kAwaitHeader || state_ == State::kAwaitMessage) {
    const ByteView rest = ByteView(inbound_).subspan(offset);
    if (rest.empty()) break;
    const auto length = decode_uvarint(rest);
    if (!length) {
      if (length.error().code != Errc::kTruncated) {
        return fail(make_error(Errc::kBadEncoding, "multistream: malformed length prefix"));
      }
      // Two continuation bytes already announce a length of at least 2^14.
      if (rest.size() < kMaxLengthBytes) break;
      return fail(make_error(Errc::kTooLarge, "multistream: message longer than 1024 bytes"));
    }
    if (length->value > kMaxProtocolIdBytes) {
      return fail(make_error(Errc::kTooLarge, "multistream: message longer than 1024 bytes"));
    }
    if (length->value == 0) {
      return fail(make_error(Errc::kDecode, "multistream: empty message (missing newline)"));
    }
    const auto body_size = static_cast<std::size_t>(length->value);
    if (rest.size() - length->length < body_size) break;  // wait for the rest of the message
    const ByteView body = rest.subspan(length->length, body_size);
    if (body.back() != '\n') {
      return fail(make_error(Errc::kDecode, "multistream: missing newline"));
    }
    offset += length->length + body_size;
    WAKU_TRY_VOID(handle_message(as_chars(body.first(body_size - 1))));
  }

  if (state_ == State::kSelected) {
    remaining_.insert(remaining_.end(), inbound_.begin() + static_cast<std::ptrdiff_t>(offset),
                      inbound_.end());
    inbound_.clear();
    inbound_.shrink_to_fit();
  } else {
    inbound_.erase(inbound_.begin(), inbound_.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  return ok();
}

Result<void> MultistreamNegotiator::handle_message(std::string_view message) {
  if (state_ == State::kAwaitHeader) {
    if (message != kMultistreamProtocol) {
      return fail(make_error(Errc::kUnsupported, "multistream: first message is not the header"));
    }
    state_ = State::kAwaitMessage;
    return ok();
  }
  return role_ == Role::kDialer ? handle_dialer_message(message) : handle_listener_message(message);
}

Result<void> MultistreamNegotiator::handle_dialer_message(std::string_view message) {
  const std::string& proposed = protocols_[next_proposal_];
  if (message == proposed) {
    selected_ = proposed;
    state_ = State::kSelected;
    return ok();
  }
  if (message != kNa) {
    return fail(make_error(Errc::kDecode, "multistream: reply is neither the proposal nor na"));
  }
  ++next_proposal_;
  if (next_proposal_ == protocols_.size()) {
    return fail(make_error(Errc::kUnsupported, "multistream: every proposal refused"));
  }
  append_multistream_message(transmit_, protocols_[next_proposal_]);
  return ok();
}

Result<void> MultistreamNegotiator::handle_listener_message(std::string_view message) {
  const auto match = std::find(protocols_.begin(), protocols_.end(), message);
  if (match != protocols_.end()) {
    append_multistream_message(transmit_, *match);
    selected_ = *match;
    state_ = State::kSelected;
    return ok();
  }
  if (refusals_ == kMaxNegotiationAttempts) {
    return fail(make_error(Errc::kLimitExceeded, "multistream: too many proposals refused"));
  }
  ++refusals_;
  if (message == kLs) {
    // One message whose body lists every supported id as its own message, then the final
    // newline that append_multistream_message adds (js: 09 07 "/noise\n" "\n").
    Bytes list;
    for (const auto& id : protocols_) append_multistream_message(list, id);
    append_multistream_message(transmit_, as_chars(list));
    return ok();
  }
  append_multistream_message(transmit_, kNa);
  return ok();
}

Bytes MultistreamNegotiator::take_transmit() { return std::exchange(transmit_, Bytes{}); }

Bytes MultistreamNegotiator::take_remaining() { return std::exchange(remaining_, Bytes{}); }

}  // namespace waku::p2p
