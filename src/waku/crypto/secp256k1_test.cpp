#include "waku/crypto/secp256k1.hpp"

#include <gtest/gtest.h>
#include <secp256k1.h>

#include <cstring>

#include "waku/base/counting_entropy.hpp"
#include "waku/crypto/sha256.hpp"

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

Bytes32 hex32(std::string_view text) {
  const Bytes bytes = hex(text);
  Bytes32 out{};
  EXPECT_EQ(bytes.size(), out.size());
  std::memcpy(out.data(), bytes.data(), std::min(bytes.size(), out.size()));
  return out;
}

// n - s over big-endian 32-byte integers: the high-S twin of a low-S signature.
std::array<std::uint8_t, 32> negate_mod_n(ByteView s) {
  const Bytes n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  std::array<std::uint8_t, 32> out{};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    int diff = n[idx] - s[idx] - borrow;
    borrow = diff < 0 ? 1 : 0;
    if (diff < 0) diff += 256;
    out[idx] = static_cast<std::uint8_t>(diff);
  }
  return out;
}

// waku-wire.md §10 (57/STATUS-SIMPLE-SCALING protected-shard test vector).
constexpr std::string_view kShardPrivateKey =
    "5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6";
constexpr std::string_view kShardPublicKey =
    "049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e78127"
    "500da371947217a8cd5186ab890ea866211c3f6";
constexpr std::string_view kAppMessageHash =
    "662F8C20A335F170BD60ABC1F02AD66F0C6A6EE285DA2A53C95259E7937C0AE9";
constexpr std::string_view kMeta =
    "127FA211B2514F0E974A055392946DC1A14052182A6ABEFB8A6CD7C51DA1BF2E40595D28EF1A9488797C297EED3AA"
    "C45430005FB3A7F037BDD9FC4BD99F59E63";

TEST(Secp256k1, ProtectedShardVectorPublicKey) {
  const auto key = Secp256k1PrivateKey::from_hex(kShardPrivateKey).value();
  EXPECT_EQ(key.public_key().uncompressed(), hex(kShardPublicKey));
  const auto parsed = Secp256k1PublicKey::from_hex(kShardPublicKey).value();
  EXPECT_EQ(parsed, key.public_key());
  // The compressed form describes the same key.
  const Bytes compressed = parsed.compressed();
  ASSERT_EQ(compressed.size(), 33U);
  EXPECT_EQ(compressed[0], 0x02);  // y of the vector key is even (...c3f6)
  const Bytes uncompressed = hex(kShardPublicKey);
  EXPECT_EQ(Bytes(compressed.begin() + 1, compressed.end()),
            Bytes(uncompressed.begin() + 1, uncompressed.begin() + 33));
  EXPECT_EQ(Secp256k1PublicKey::parse(compressed).value(), parsed);
  EXPECT_EQ(Secp256k1PublicKey::from_hex("0x" + to_hex(compressed)).value(), parsed);
}

TEST(Secp256k1, ProtectedShardVectorSignatureIsDeterministic) {
  const auto key = Secp256k1PrivateKey::from_hex(kShardPrivateKey).value();
  const Bytes32 digest = hex32(kAppMessageHash);
  const CompactSignature signature = sign_compact(key, digest);
  EXPECT_EQ(Bytes(signature.begin(), signature.end()), hex(kMeta));
  EXPECT_TRUE(verify_compact(key.public_key(), digest, hex(kMeta)));
}

TEST(Secp256k1, ProtectedShardVectorRejectsTampering) {
  const auto public_key = Secp256k1PublicKey::from_hex(kShardPublicKey).value();
  const Bytes32 digest = hex32(kAppMessageHash);
  const Bytes meta = hex(kMeta);

  for (std::size_t bit : {0U, 7U, 255U, 256U, 511U}) {
    Bytes flipped = meta;
    flipped[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(verify_compact(public_key, digest, flipped)) << "bit " << bit;
  }
  Bytes32 other_digest = digest;
  other_digest[31] ^= 0x01;
  EXPECT_FALSE(verify_compact(public_key, other_digest, meta));

  // The high-S twin (r, n - s) is mathematically valid ECDSA but must be refused.
  Bytes high_s(meta.begin(), meta.begin() + 32);
  const auto twin_s = negate_mod_n(ByteView(meta).subspan(32));
  high_s.insert(high_s.end(), twin_s.begin(), twin_s.end());
  EXPECT_NE(high_s, meta);
  EXPECT_FALSE(verify_compact(public_key, digest, high_s));

  // Wrong lengths (nwaku's fromRaw would read the first 64 of 65; we require exactly 64).
  Bytes longer = meta;
  longer.push_back(0x00);
  EXPECT_FALSE(verify_compact(public_key, digest, longer));
  EXPECT_FALSE(verify_compact(public_key, digest, ByteView(meta).first(63)));
  EXPECT_FALSE(verify_compact(public_key, digest, ByteView{}));

  // r = n (out of range) is refused by the parser.
  Bytes overflow = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  overflow.insert(overflow.end(), meta.begin() + 32, meta.end());
  EXPECT_FALSE(verify_compact(public_key, digest, overflow));

  // Another key does not verify it.
  const auto other = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value().public_key();
  EXPECT_FALSE(verify_compact(other, digest, meta));
}

TEST(Secp256k1, PrivateKeyValidation) {
  EXPECT_EQ(Secp256k1PrivateKey::from_bytes(Bytes(32, 0x00)).error().code, Errc::kBadKey);
  EXPECT_EQ(Secp256k1PrivateKey::from_bytes(Bytes(31, 0x11)).error().code, Errc::kBadKey);
  EXPECT_EQ(Secp256k1PrivateKey::from_bytes(Bytes(33, 0x11)).error().code, Errc::kBadKey);
  // The group order itself and n+1 are not valid scalars; n-1 is.
  EXPECT_FALSE(Secp256k1PrivateKey::from_hex(
                   "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                   .has_value());
  EXPECT_FALSE(Secp256k1PrivateKey::from_hex(
                   "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142")
                   .has_value());
  EXPECT_TRUE(Secp256k1PrivateKey::from_hex(
                  "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")
                  .has_value());
  EXPECT_FALSE(Secp256k1PrivateKey::from_hex("zz").has_value());
  EXPECT_FALSE(Secp256k1PrivateKey::from_hex(std::string(1000, 'a')).has_value());
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  EXPECT_EQ(key.bytes(), hex32("1111111111111111111111111111111111111111111111111111111111111111"));
}

TEST(Secp256k1, SpecKeyDerivesSpecPublicKey) {
  // libp2p peer-ids.md test vectors: secp256k1 private key -> public key protobuf data.
  const auto key = Secp256k1PrivateKey::from_hex(
                       "53DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB")
                       .value();
  EXPECT_EQ(to_hex(key.public_key().compressed()),
            "037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99");
}

TEST(Secp256k1, PublicKeyParsing) {
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value().public_key();
  const Bytes compressed = key.compressed();
  const Bytes uncompressed = key.uncompressed();
  EXPECT_EQ(to_hex(compressed),
            "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
  ASSERT_EQ(uncompressed.size(), 65U);
  EXPECT_EQ(uncompressed[0], 0x04);
  EXPECT_EQ(Secp256k1PublicKey::parse(uncompressed).value(), key);

  // Hybrid form (0x06/0x07 + x + y) is refused.
  Bytes hybrid = uncompressed;
  hybrid[0] = 0x07;
  EXPECT_EQ(Secp256k1PublicKey::parse(hybrid).error().code, Errc::kBadKey);
  // Wrong prefix, wrong length, off-curve.
  Bytes bad_prefix = compressed;
  bad_prefix[0] = 0x04;
  EXPECT_FALSE(Secp256k1PublicKey::parse(bad_prefix).has_value());
  EXPECT_FALSE(Secp256k1PublicKey::parse(ByteView(compressed).first(32)).has_value());
  EXPECT_FALSE(Secp256k1PublicKey::parse(ByteView{}).has_value());
  Bytes off_curve = uncompressed;
  off_curve[64] ^= 0x01;
  EXPECT_FALSE(Secp256k1PublicKey::parse(off_curve).has_value());
  // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
  Bytes no_point(33, 0x00);
  no_point[0] = 0x02;
  no_point[32] = 0x05;
  EXPECT_FALSE(Secp256k1PublicKey::parse(no_point).has_value());
  EXPECT_FALSE(Secp256k1PublicKey::from_hex("0x02").has_value());
  EXPECT_FALSE(Secp256k1PublicKey::from_hex(std::string(200, '0')).has_value());
}

TEST(Secp256k1, GenerateUsesTheEntropySource) {
  CountingEntropy entropy_a(1);
  CountingEntropy entropy_b(1);
  const auto a = Secp256k1PrivateKey::generate(entropy_a);
  const auto b = Secp256k1PrivateKey::generate(entropy_b);
  EXPECT_EQ(a.bytes(), b.bytes());
  EXPECT_EQ(a.bytes()[0], 1);
  EXPECT_EQ(a.bytes()[31], 32);
  const auto c = Secp256k1PrivateKey::generate(entropy_a);
  EXPECT_NE(a.bytes(), c.bytes());
}

// An Entropy that yields all-zero bytes 3 times, then 0x42: exercises the rejection loop.
class ZeroThenValid final : public Entropy {
 public:
  void fill(std::span<std::uint8_t> out) override {
    const std::uint8_t value = calls_++ < 3 ? 0x00 : 0x42;
    for (auto& byte : out) byte = value;
  }
  int calls_{0};
};

TEST(Secp256k1, GenerateRetriesInvalidScalars) {
  ZeroThenValid entropy;
  const auto key = Secp256k1PrivateKey::generate(entropy);
  EXPECT_EQ(entropy.calls_, 4);
  EXPECT_EQ(key.bytes(), hex32("4242424242424242424242424242424242424242424242424242424242424242"));
}

TEST(Secp256k1, DerRoundTrip) {
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  const auto message = as_bytes("libp2p-record payload");
  const Bytes signature = sign_der(key, message);
  ASSERT_GE(signature.size(), 8U);
  ASSERT_LE(signature.size(), 72U);
  EXPECT_EQ(signature[0], 0x30);
  EXPECT_EQ(signature[1], signature.size() - 2);
  EXPECT_EQ(sign_der(key, message), signature);  // RFC 6979: deterministic
  EXPECT_TRUE(verify_der(key.public_key(), message, signature));
  EXPECT_FALSE(verify_der(key.public_key(), as_bytes("another payload"), signature));
  const auto other = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x22)).value().public_key();
  EXPECT_FALSE(verify_der(other, message, signature));

  // The DER signature is of sha256(message): the compact form over that digest agrees.
  const CompactSignature compact = sign_compact(key, sha256(message));
  EXPECT_TRUE(verify_compact(key.public_key(), sha256(message), compact));

  // Malformed DER: empty, truncated, trailing byte, garbage.
  EXPECT_FALSE(verify_der(key.public_key(), message, ByteView{}));
  EXPECT_FALSE(
      verify_der(key.public_key(), message, ByteView(signature).first(signature.size() - 1)));
  Bytes trailing = signature;
  trailing.push_back(0x00);
  EXPECT_FALSE(verify_der(key.public_key(), message, trailing));
  EXPECT_FALSE(verify_der(key.public_key(), message, Bytes(200, 0x30)));
}

TEST(Secp256k1, DerRejectsHighS) {
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  const auto message = as_bytes("high-s");
  const Bytes32 digest = sha256(message);
  const CompactSignature low = sign_compact(key, digest);

  std::array<std::uint8_t, 64> high{};
  std::copy(low.begin(), low.begin() + 32, high.begin());
  const auto twin_s = negate_mod_n(ByteView(low).subspan(32));
  std::copy(twin_s.begin(), twin_s.end(), high.begin() + 32);

  // Build the DER form of (r, n - s) with libsecp256k1 itself.
  const secp256k1_context* ctx = secp256k1_context_static;
  secp256k1_ecdsa_signature parsed;
  ASSERT_EQ(secp256k1_ecdsa_signature_parse_compact(ctx, &parsed, high.data()), 1);
  Bytes der(72);
  std::size_t length = der.size();
  ASSERT_EQ(secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &length, &parsed), 1);
  der.resize(length);
  // Normalising the twin gives back the low-S signature: it is the same signature otherwise.
  secp256k1_ecdsa_signature normalized;
  EXPECT_EQ(secp256k1_ecdsa_signature_normalize(ctx, &normalized, &parsed), 1);
  std::array<std::uint8_t, 64> normalized_compact{};
  ASSERT_EQ(
      secp256k1_ecdsa_signature_serialize_compact(ctx, normalized_compact.data(), &normalized), 1);
  EXPECT_EQ(normalized_compact, low);

  EXPECT_TRUE(verify_der(key.public_key(), message, sign_der(key, message)));
  EXPECT_FALSE(verify_der(key.public_key(), message, der));
  EXPECT_FALSE(verify_compact(key.public_key(), digest, high));
}

}  // namespace
}  // namespace waku::crypto
