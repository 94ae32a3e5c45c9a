// Fuzzes the multiaddr parsers with one input read as binary and as text. Whatever decodes must
// print, parse back to the same bytes, and survive the peer-id and TCP-endpoint accessors: the
// binary form is canonical, so every valid address has exactly one byte spelling.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/p2p/multiaddr.hpp"

namespace {

using waku::p2p::Multiaddr;

void check(const Multiaddr& address) {
  WAKU_ASSERT(!address.empty());
  WAKU_ASSERT(address.bytes().size() <= waku::p2p::kMaxMultiaddrBytes);
  const std::string text = address.to_string();
  const auto reparsed = Multiaddr::parse(text);
  WAKU_ASSERT(reparsed.has_value());
  WAKU_ASSERT(*reparsed == address);
  WAKU_ASSERT(reparsed->to_string() == text);
  const auto decoded = Multiaddr::from_bytes(address.bytes());
  WAKU_ASSERT(decoded.has_value() && *decoded == address);

  // A bare address loses exactly its final /p2p/ component (an address may hold two in a row,
  // so the rest can still end with one).
  const Multiaddr bare = address.without_peer_id();
  const auto& all = address.bytes();
  if (const auto id = address.peer_id()) {
    WAKU_ASSERT(bare.bytes().size() < all.size());
    WAKU_ASSERT(std::equal(bare.bytes().begin(), bare.bytes().end(), all.begin()));
    WAKU_ASSERT(address.with_peer_id(*id) == address);
    if (!bare.peer_id()) WAKU_ASSERT(bare.with_peer_id(*id) == address);
  } else {
    WAKU_ASSERT(bare == address);
  }
  if (const auto endpoint = address.tcp_endpoint()) {
    const Multiaddr rebuilt = Multiaddr::from_tcp(*endpoint);
    WAKU_ASSERT(rebuilt == bare);
    WAKU_ASSERT(rebuilt.tcp_endpoint() == endpoint);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const waku::ByteView input(data, size);
  if (const auto address = Multiaddr::from_bytes(input)) {
    WAKU_ASSERT(
        std::equal(input.begin(), input.end(), address->bytes().begin(), address->bytes().end()));
    check(*address);
  }
  if (const auto address = Multiaddr::parse(waku::as_chars(input))) check(*address);
  return 0;
}
