// The validation pipeline's pluggable parts: verdicts, the validator interface, tickets.
//
// Order of a received message's checks in the Router: the codec's shape checks (StrictNoSign
// fields absent, WakuMessage decodes, size) → the synchronous validators of its topic in the order
// added (the first non-accept verdict wins) → if async validation is enabled for the topic, a
// ValidationRequested event and a later handle_validation_result. Reject penalises the sender (P4);
// Ignore does not (gossipsub v1.1 §Extended Validators).
#pragma once

#include <cstdint>

#include "waku/base/strong_id.hpp"
#include "waku/base/time.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::relay {

enum class Verdict : std::uint8_t { kAccept, kReject, kIgnore };

using ValidationTicket = StrongId<struct ValidationTicketTag, std::uint64_t>;

struct ValidationContext {
  Instant now;
  UnixNanos unix_now;  // config.unix_time_at_origin + (now - origin)
};

class Validator {
 public:
  virtual ~Validator() = default;
  // Must not call back into the Router. `message.decoded` is always set here.
  virtual Verdict validate(const ValidationContext& context, const RelayMessage& message) = 0;
};

}  // namespace waku::relay
