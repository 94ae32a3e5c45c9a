// Fuzzes the Noise handshake payload checks (NoiseHandshakePayload decoding, the identity key, the
// static-key signature, the extensions): a hand-driven responder with fixed keys sends the input as
// its msg2 payload to a real initiator. Whatever the bytes, the initiator must not crash, and if it
// accepts them the peer it reports must be the one the payload's key names. The seed corpus holds
// valid payloads for these fixed keys (see fuzz/corpus/noise_payload/).
#include <cstddef>
#include <cstdint>
#include <span>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/base/counting_entropy.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/crypto/x25519.hpp"
#include "waku/p2p/noise.hpp"

namespace {

using waku::Bytes;
using waku::ByteView;
namespace crypto = waku::crypto;
namespace p2p = waku::p2p;
using waku::CountingEntropy;

const crypto::IdentityKey& initiator_identity() {
  static const auto identity =
      crypto::IdentityKey::ed25519(crypto::Ed25519PrivateKey::from_seed(Bytes(32, 1)).value());
  return identity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView payload(data, size);
  // Room for e, the encrypted s and the tag in one 65535-byte message.
  if (payload.size() > p2p::kNoiseMaxMessageBytes - 32 - 48 - 16) return 0;

  CountingEntropy initiator_entropy(1);
  auto initiator = p2p::NoiseHandshake::initiator(initiator_identity(), initiator_entropy);
  CountingEntropy responder_entropy(50);  // the responder static key is bytes 50..81
  auto static_key = crypto::X25519PrivateKey::generate(responder_entropy);
  auto ephemeral_key = crypto::X25519PrivateKey::generate(responder_entropy);
  p2p::NoiseXXState responder(p2p::NoiseRole::kResponder, static_key, ephemeral_key);

  const Bytes msg1 = initiator.take_transmit();
  WAKU_ASSERT(msg1.size() == 34);
  Bytes ignored;
  WAKU_ASSERT(responder.read_message(ByteView(msg1).subspan(2), ignored).has_value());
  Bytes msg2{0, 0};
  WAKU_ASSERT(responder.write_message(payload, msg2).has_value());
  const std::size_t body = msg2.size() - 2;
  msg2[0] = static_cast<std::uint8_t>(body >> 8U);
  msg2[1] = static_cast<std::uint8_t>(body & 0xffU);

  const auto result = initiator.handle_bytes(msg2);
  WAKU_ASSERT(result.has_value() == initiator.is_complete());
  if (result.has_value()) {
    const auto session = std::move(initiator).into_session();
    const auto& key = session.remote_key();
    WAKU_ASSERT(key.type == crypto::KeyType::kEd25519 || key.type == crypto::KeyType::kSecp256k1);
    WAKU_ASSERT(session.remote_peer() == crypto::PeerId::from_public_key(key.type, key.data));
    WAKU_ASSERT(session.remote_stream_muxers().size() <= p2p::kNoiseMaxRemoteMuxers);
  }
  return 0;
}
