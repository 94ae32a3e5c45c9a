#include "waku/crypto/x25519.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "waku/base/counting_entropy.hpp"

namespace waku::crypto {
namespace {

Bytes32 hex32(std::string_view text) {
  const Bytes bytes = waku::from_hex(text).value();
  Bytes32 out{};
  EXPECT_EQ(bytes.size(), out.size());
  std::memcpy(out.data(), bytes.data(), std::min(bytes.size(), out.size()));
  return out;
}

// RFC 7748 §5.2.
TEST(X25519, Rfc7748ScalarMultiplicationVectors) {
  EXPECT_EQ(to_hex(x25519(hex32("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                          hex32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
                       .value()),
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  EXPECT_EQ(to_hex(x25519(hex32("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                          hex32("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))
                       .value()),
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

// RFC 7748 §5.2: the iterated test, after one iteration (k = u = 9).
TEST(X25519, Rfc7748OneIteration) {
  Bytes32 nine{};
  nine[0] = 9;
  EXPECT_EQ(to_hex(x25519(nine, nine).value()),
            "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
}

// RFC 7748 §6.1 Diffie-Hellman.
TEST(X25519, Rfc7748DiffieHellman) {
  const auto alice = X25519PrivateKey::from_bytes(
      hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const auto bob = X25519PrivateKey::from_bytes(
      hex32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  EXPECT_EQ(to_hex(alice.public_key()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob.public_key()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const auto shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  EXPECT_EQ(to_hex(alice.diffie_hellman(bob.public_key()).value()), shared);
  EXPECT_EQ(to_hex(bob.diffie_hellman(alice.public_key()).value()), shared);
}

TEST(X25519, SmallOrderPointsAreRefused) {
  const auto key = X25519PrivateKey::from_bytes(
      hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const X25519PublicKey zero{};
  X25519PublicKey one{};
  one[0] = 1;
  for (const auto& point : {zero, one}) {
    const auto shared = key.diffie_hellman(point);
    ASSERT_FALSE(shared.has_value());
    EXPECT_EQ(shared.error().code, Errc::kBadKey);
  }
}

TEST(X25519, GenerateUsesTheEntropySource) {
  CountingEntropy entropy;
  const auto key = X25519PrivateKey::generate(entropy);
  Bytes32 expected{};
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(key.bytes(), expected);
  EXPECT_EQ(key.public_key(), X25519PrivateKey::from_bytes(expected).public_key());
}

}  // namespace
}  // namespace waku::crypto
