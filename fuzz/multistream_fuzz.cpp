// Fuzzes the multistream-select negotiator as a listener and as a dialer fed hostile bytes: the
// same input delivered whole and in chunks must give the same outcome (agreement, error,
// replies, leftover bytes), an error must be final, an agreement must name a local protocol, and
// what the negotiator writes stays bounded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/p2p/multistream.hpp"

namespace {

using waku::Bytes;
using waku::ByteView;
using waku::p2p::MultistreamNegotiator;

struct Outcome {
  bool failed{false};
  std::optional<std::string> selected;
  Bytes transmit;
  Bytes remaining;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome drive(MultistreamNegotiator negotiator, ByteView input, std::size_t chunk) {
  Outcome outcome;
  bool failed = false;
  for (std::size_t offset = 0; offset < input.size(); offset += chunk) {
    const auto result =
        negotiator.handle_bytes(input.subspan(offset, std::min(chunk, input.size() - offset)));
    if (failed) WAKU_ASSERT(!result.has_value());  // errors are final
    failed = failed || !result.has_value();
    WAKU_ASSERT(negotiator.failed() == failed);
    const Bytes transmit = negotiator.take_transmit();
    outcome.transmit.insert(outcome.transmit.end(), transmit.begin(), transmit.end());
    const Bytes remaining = negotiator.take_remaining();
    outcome.remaining.insert(outcome.remaining.end(), remaining.begin(), remaining.end());
  }
  outcome.failed = failed;
  outcome.selected = negotiator.selected();
  WAKU_ASSERT(!(outcome.failed && outcome.selected.has_value()));
  return outcome;
}

const std::vector<std::string> kSupported = {"/noise", "/yamux/1.0.0", "/vac/waku/relay/2.0.0"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 16U;
  const ByteView input(data + 1, size - 1);

  const auto listener = [] { return MultistreamNegotiator::listener(kSupported); };
  const Outcome whole = drive(listener(), input, input.size() + 1);
  const Outcome split = drive(listener(), input, chunk);
  WAKU_ASSERT(whole == split);
  if (whole.selected) {
    WAKU_ASSERT(std::find(kSupported.begin(), kSupported.end(), *whole.selected) !=
                kSupported.end());
  }
  // Header, at most 16 refusals (na or the ls list) and one echo.
  WAKU_ASSERT(whole.transmit.size() <= 20 + 17 * 64);

  const auto dialer = [] {
    return MultistreamNegotiator::dialer({"/yamux/1.0.0", "/mplex/6.7.0", "/noise"});
  };
  const Outcome dialed = drive(dialer(), input, input.size() + 1);
  WAKU_ASSERT(dialed == drive(dialer(), input, chunk));
  WAKU_ASSERT(dialed.transmit.size() <= 64);
  return 0;
}
