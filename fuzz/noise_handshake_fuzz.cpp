// Fuzzes the Noise handshake and session framing with hostile bytes: the input (split into chunks
// by its first byte) goes to a fresh responder, to an initiator that has sent msg1, and to the
// session of a completed genuine handshake. None may crash, buffer more than one frame, or accept
// a handshake it cannot have authenticated.
#include <cstddef>
#include <cstdint>
#include <span>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/base/counting_entropy.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/p2p/noise.hpp"

namespace {

using waku::Bytes;
using waku::ByteView;
namespace crypto = waku::crypto;
namespace p2p = waku::p2p;
using waku::CountingEntropy;

const crypto::IdentityKey& ed25519_identity() {
  static const auto identity =
      crypto::IdentityKey::ed25519(crypto::Ed25519PrivateKey::from_seed(Bytes(32, 1)).value());
  return identity;
}
const crypto::IdentityKey& secp256k1_identity() {
  static const auto identity =
      crypto::IdentityKey::secp256k1(crypto::Secp256k1PrivateKey::from_bytes(Bytes(32, 2)).value());
  return identity;
}

// Feeds `input` in chunks of `chunk` bytes; stops at the first error (errors are final).
template <typename Sink>
bool feed(Sink& sink, ByteView input, std::size_t chunk) {
  while (!input.empty()) {
    const std::size_t take = std::min(chunk, input.size());
    if (!sink.handle_bytes(input.first(take)).has_value()) {
      // Final: the next call fails too.
      WAKU_ASSERT(!sink.handle_bytes(ByteView()).has_value());
      return false;
    }
    input = input.subspan(take);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] * std::size_t{257};
  const ByteView input(data + 1, size - 1);

  {
    CountingEntropy entropy(100);
    auto responder = p2p::NoiseHandshake::responder(ed25519_identity(), entropy);
    feed(responder, input, chunk);
    // msg3 cannot be forged: the responder never completes on arbitrary bytes.
    WAKU_ASSERT(!responder.is_complete());
    WAKU_ASSERT(responder.take_transmit().size() <= 2 + p2p::kNoiseMaxMessageBytes);
  }
  {
    CountingEntropy entropy(1);
    auto initiator = p2p::NoiseHandshake::initiator(secp256k1_identity(), entropy);
    WAKU_ASSERT(initiator.take_transmit().size() == 34);
    feed(initiator, input, chunk);
    WAKU_ASSERT(!initiator.is_complete());
  }
  {
    CountingEntropy entropy_i(1);
    CountingEntropy entropy_r(100);
    auto initiator = p2p::NoiseHandshake::initiator(secp256k1_identity(), entropy_i);
    auto responder = p2p::NoiseHandshake::responder(ed25519_identity(), entropy_r);
    WAKU_ASSERT(responder.handle_bytes(initiator.take_transmit()).has_value());
    WAKU_ASSERT(initiator.handle_bytes(responder.take_transmit()).has_value());
    WAKU_ASSERT(responder.handle_bytes(initiator.take_transmit()).has_value());
    auto session = std::move(responder).into_session();
    // Arbitrary frames cannot carry a valid tag: nothing may decrypt.
    feed(session, input, chunk);
    WAKU_ASSERT(session.take_plaintext().empty());
  }
  return 0;
}
