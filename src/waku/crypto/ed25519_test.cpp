#include "waku/crypto/ed25519.hpp"

#include <gtest/gtest.h>

#include "waku/base/counting_entropy.hpp"

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

template <std::size_t N>
Bytes to_vec(const std::array<std::uint8_t, N>& array) {
  return Bytes(array.begin(), array.end());
}

struct Rfc8032Vector {
  std::string_view seed;
  std::string_view public_key;
  std::string_view message;
  std::string_view signature;
};

// RFC 8032 §7.1, TEST 1 and TEST 2.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
     "b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519, Rfc8032Vectors) {
  for (const auto& vector : kVectors) {
    const auto key = Ed25519PrivateKey::from_seed(hex(vector.seed)).value();
    EXPECT_EQ(to_vec(key.public_key().bytes()), hex(vector.public_key));
    EXPECT_EQ(to_vec(key.seed()), hex(vector.seed));
    const Bytes message = hex(vector.message);
    EXPECT_EQ(to_vec(key.sign(message)), hex(vector.signature));
    const auto public_key = Ed25519PublicKey::parse(hex(vector.public_key)).value();
    EXPECT_EQ(public_key, key.public_key());
    EXPECT_TRUE(verify_ed25519(public_key, message, hex(vector.signature)));
  }
}

TEST(Ed25519, SpecKeyDerivesSpecPublicKey) {
  // libp2p peer-ids.md test vector: PrivateKey.Data = seed || public key.
  const auto key = Ed25519PrivateKey::from_seed(
                       hex("7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"))
                       .value();
  EXPECT_EQ(to_hex(key.public_key().bytes()),
            "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
}

TEST(Ed25519, RejectsBadSignaturesAndKeys) {
  const auto key = Ed25519PrivateKey::from_seed(Bytes(32, 0x22)).value();
  const auto message = as_bytes("noise-libp2p-static-key:");
  const auto signature = key.sign(message);
  EXPECT_TRUE(verify_ed25519(key.public_key(), message, signature));
  EXPECT_FALSE(verify_ed25519(key.public_key(), as_bytes("noise-libp2p-static-key;"), signature));
  for (std::size_t bit : {0U, 100U, 255U, 256U, 511U}) {
    auto flipped = signature;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(verify_ed25519(key.public_key(), message, flipped)) << "bit " << bit;
  }
  EXPECT_FALSE(verify_ed25519(key.public_key(), message, ByteView(signature).first(63)));
  EXPECT_FALSE(verify_ed25519(key.public_key(), message, ByteView{}));
  Bytes longer(signature.begin(), signature.end());
  longer.push_back(0);
  EXPECT_FALSE(verify_ed25519(key.public_key(), message, longer));

  const auto other = Ed25519PrivateKey::from_seed(Bytes(32, 0x23)).value();
  EXPECT_FALSE(verify_ed25519(other.public_key(), message, signature));

  EXPECT_EQ(Ed25519PublicKey::parse(Bytes(31, 1)).error().code, Errc::kBadKey);
  EXPECT_EQ(Ed25519PublicKey::parse(Bytes(33, 1)).error().code, Errc::kBadKey);
  EXPECT_EQ(Ed25519PrivateKey::from_seed(Bytes(64, 1)).error().code, Errc::kBadKey);
  // 32 bytes that are not a point (y = 2 has no x on edwards25519) verify nothing.
  Bytes not_a_point(32, 0x00);
  not_a_point[0] = 0x02;
  const auto bogus = Ed25519PublicKey::parse(not_a_point).value();
  EXPECT_FALSE(verify_ed25519(bogus, message, signature));
}

TEST(Ed25519, GenerateUsesTheEntropySource) {
  CountingEntropy entropy;
  const auto key = Ed25519PrivateKey::generate(entropy);
  EXPECT_EQ(key.seed()[0], 0);
  EXPECT_EQ(key.seed()[31], 31);
  const auto again = Ed25519PrivateKey::from_seed(key.seed()).value();
  EXPECT_EQ(again.public_key(), key.public_key());
  EXPECT_TRUE(verify_ed25519(key.public_key(), as_bytes("x"), key.sign(as_bytes("x"))));
}

}  // namespace
}  // namespace waku::crypto
