#include "waku/crypto/identity.hpp"

#include <gtest/gtest.h>

#include "waku/crypto/sha256.hpp"

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

// libp2p-wire.md §A1 computed vectors.
TEST(IdentityKey, Secp256k1KeyProtobufAndPeerId) {
  const auto identity =
      IdentityKey::secp256k1(Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value());
  EXPECT_EQ(identity.type(), KeyType::kSecp256k1);
  EXPECT_EQ(to_hex(identity.public_key_protobuf()),
            "08021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
  EXPECT_EQ(identity.peer_id().to_string(),
            "16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3");
  EXPECT_EQ(identity.public_key().data.size(), 33U);
}

TEST(IdentityKey, Ed25519KeyProtobufAndPeerId) {
  const auto identity = IdentityKey::ed25519(Ed25519PrivateKey::from_seed(Bytes(32, 0x22)).value());
  EXPECT_EQ(identity.type(), KeyType::kEd25519);
  EXPECT_EQ(to_hex(identity.public_key_protobuf()),
            "08011220a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0");
  EXPECT_EQ(identity.peer_id().to_string(), "12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns");
}

// RFC 8032 §7.1 TEST 1 (empty message): Ed25519 signs the raw bytes.
TEST(IdentityKey, Ed25519SignsRawBytes) {
  const auto identity = IdentityKey::ed25519(
      Ed25519PrivateKey::from_seed(
          hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
          .value());
  EXPECT_EQ(to_hex(identity.sign({})),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
            "701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  const Bytes message = to_bytes("noise-libp2p-static-key:0123456789abcdef0123456789abcdef");
  const Bytes signature = identity.sign(message);
  EXPECT_TRUE(verify_libp2p_signature(identity.public_key(), message, signature));
  Bytes other = message;
  other.back() ^= 1U;
  EXPECT_FALSE(verify_libp2p_signature(identity.public_key(), other, signature));
}

// secp256k1: ECDSA over sha256(message), DER, low-S; checked with the compact-signature verifier
// over the digest, an independent path through libsecp256k1.
TEST(IdentityKey, Secp256k1SignsSha256InDer) {
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  const auto identity = IdentityKey::secp256k1(key);
  const Bytes message = to_bytes("noise-libp2p-static-key:0123456789abcdef0123456789abcdef");
  const Bytes signature = identity.sign(message);
  ASSERT_GE(signature.size(), 8U);
  ASSERT_LE(signature.size(), 72U);
  EXPECT_EQ(signature[0], 0x30);  // DER SEQUENCE
  EXPECT_EQ(signature[1], signature.size() - 2);
  EXPECT_EQ(signature, sign_der(key, message));
  EXPECT_TRUE(verify_der(key.public_key(), message, signature));
  EXPECT_TRUE(verify_libp2p_signature(identity.public_key(), message, signature));
  // Deterministic (RFC 6979) and equal to the compact signature over the digest.
  const CompactSignature compact = sign_compact(key, sha256(message));
  EXPECT_TRUE(verify_compact(key.public_key(), sha256(message), compact));
  // r and s of the DER form equal the compact r||s (INTEGERs may carry a leading zero).
  std::size_t pos = 2;
  Bytes components;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(signature[pos], 0x02);
    const std::size_t length = signature[pos + 1];
    Bytes integer(signature.begin() + static_cast<std::ptrdiff_t>(pos + 2),
                  signature.begin() + static_cast<std::ptrdiff_t>(pos + 2 + length));
    while (integer.size() > 32 && integer.front() == 0) integer.erase(integer.begin());
    ASSERT_LE(integer.size(), 32U);
    components.insert(components.end(), 32 - integer.size(), 0);
    components.insert(components.end(), integer.begin(), integer.end());
    pos += 2 + length;
  }
  EXPECT_EQ(pos, signature.size());
  EXPECT_EQ(components, Bytes(compact.begin(), compact.end()));
}

}  // namespace
}  // namespace waku::crypto
