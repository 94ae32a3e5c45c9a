#include "waku/message/protected_shard.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "waku/crypto/sha256.hpp"

namespace waku::message {
namespace {

Bytes hex(std::string_view text) {
  auto bytes = from_hex(text);
  WAKU_ASSERT(bytes.has_value());
  return std::move(bytes).value();
}

// The 57/STATUS-SIMPLE-SCALING vector (vacp2p/rfc 57; nwaku tests/test_waku_validators...,
// go-waku validators_test.go): waku-wire.md §10.
constexpr std::string_view kPrivateKey =
    "5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6";
constexpr std::string_view kPublicKey =
    "049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e7812750"
    "0da371947217a8cd5186ab890ea866211c3f6";
constexpr std::string_view kPubsubTopic = "pubsub-topic";
constexpr std::int64_t kTimestamp = 1683208172339052800;
constexpr std::string_view kExpectedHash =
    "662f8c20a335f170bd60abc1f02ad66f0c6a6ee285da2a53c95259e7937c0ae9";
constexpr std::string_view kExpectedMeta =
    "127fa211b2514f0e974a055392946dc1a14052182a6abefb8a6cd7c51da1bf2e40595d28ef1a9488797c297eed3aa"
    "c45430005fb3a7f037bdd9fc4bd99f59e63";

WakuMessage vector_message() {
  WakuMessage message;
  message.payload = hex(
      "1A12E077D0E89F9CAC11FBBB6A676C86120B5AD3E248B1F180E98F15EE43D2DFCF62F00C92737B2FF6F59B3ABA"
      "02773314B991C41DC19ADB0AD8C17C8E26757B");
  message.content_topic = "content-topic";
  message.version = 2;  // as in nwaku's test; not hashed
  message.timestamp = kTimestamp;
  message.ephemeral = true;
  return message;
}

crypto::Secp256k1PrivateKey private_key() {
  return crypto::Secp256k1PrivateKey::from_hex(kPrivateKey).value();
}
crypto::Secp256k1PublicKey public_key() {
  return crypto::Secp256k1PublicKey::from_hex(kPublicKey).value();
}

WakuMessage signed_vector_message() {
  WakuMessage message = vector_message();
  message.meta = hex(kExpectedMeta);
  return message;
}

constexpr UnixNanos kNow{kTimestamp + 1'000'000'000};  // one second after the timestamp

TEST(ProtectedShard, VectorAppMessageHash) {
  ASSERT_EQ(vector_message().payload.size(), 64U);
  EXPECT_EQ(to_hex(app_message_hash(kPubsubTopic, vector_message())), kExpectedHash);
}

TEST(ProtectedShard, VectorKeysMatch) {
  EXPECT_EQ(to_hex(private_key().public_key().uncompressed()), kPublicKey);
}

TEST(ProtectedShard, VectorSignatureIsReproduced) {
  const auto signature = sign_message(private_key(), kPubsubTopic, vector_message());
  EXPECT_EQ(to_hex(signature), kExpectedMeta);
}

TEST(ProtectedShard, VectorSignatureVerifies) {
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, signed_vector_message(), kNow),
            SignatureCheck::kValid);
  // Compressed form of the same key.
  const auto compressed = crypto::Secp256k1PublicKey::parse(public_key().compressed()).value();
  EXPECT_EQ(check_signed_message(compressed, kPubsubTopic, signed_vector_message(), kNow),
            SignatureCheck::kValid);
}

TEST(ProtectedShard, MetaIsNotHashedButEveryOtherHashedFieldIs) {
  WakuMessage message = signed_vector_message();
  const Bytes32 base = app_message_hash(kPubsubTopic, message);
  message.meta.reset();
  message.version = 0;
  message.rate_limit_proof = Bytes{1};
  EXPECT_EQ(app_message_hash(kPubsubTopic, message), base);

  WakuMessage other = vector_message();
  other.ephemeral = false;
  EXPECT_NE(app_message_hash(kPubsubTopic, other), base);
  other = vector_message();
  other.ephemeral.reset();  // absent means false
  WakuMessage explicit_false = vector_message();
  explicit_false.ephemeral = false;
  EXPECT_EQ(app_message_hash(kPubsubTopic, other), app_message_hash(kPubsubTopic, explicit_false));
  other = vector_message();
  other.timestamp = kTimestamp + 1;
  EXPECT_NE(app_message_hash(kPubsubTopic, other), base);
  other = vector_message();
  other.content_topic = "content-topix";
  EXPECT_NE(app_message_hash(kPubsubTopic, other), base);
  EXPECT_NE(app_message_hash("pubsub-topix", vector_message()), base);
}

TEST(ProtectedShard, TimestampIsHashedLittleEndian) {
  WakuMessage message;
  message.content_topic = "c";
  message.timestamp = 0x0102030405060708;
  Bytes expected_input = to_bytes("pc");
  for (const std::uint8_t b : {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00}) {
    expected_input.push_back(b);
  }
  EXPECT_EQ(app_message_hash("p", message), crypto::sha256(expected_input));
}

TEST(ProtectedShard, RejectsMissingTimestamp) {
  WakuMessage message = signed_vector_message();
  message.timestamp.reset();
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kMissingTimestamp);
  message.timestamp = 0;
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kMissingTimestamp);
}

TEST(ProtectedShard, WindowIsStrictOnBothSides) {
  const WakuMessage message = signed_vector_message();
  const std::int64_t window = kProtectedShardWindow.count();
  const auto at = [](std::int64_t ns) { return UnixNanos{ns}; };
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, at(kTimestamp + window - 1)),
            SignatureCheck::kValid);
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, at(kTimestamp + window)),
            SignatureCheck::kOutsideWindow);
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, at(kTimestamp - window + 1)),
            SignatureCheck::kValid);
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, at(kTimestamp - window)),
            SignatureCheck::kOutsideWindow);
}

TEST(ProtectedShard, ExtremeTimestampsDoNotOverflow) {
  WakuMessage message = signed_vector_message();
  message.timestamp = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message,
                                 UnixNanos{std::numeric_limits<std::int64_t>::max()}),
            SignatureCheck::kOutsideWindow);
  message.timestamp = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message,
                                 UnixNanos{std::numeric_limits<std::int64_t>::min()}),
            SignatureCheck::kOutsideWindow);
}

TEST(ProtectedShard, RejectsBadMetaLength) {
  WakuMessage message = signed_vector_message();
  message.meta.reset();
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kBadMetaLength);
  message.meta = hex(kExpectedMeta);
  message.meta->pop_back();
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kBadMetaLength);
  message.meta = hex(kExpectedMeta);
  message.meta->push_back(0x00);  // nwaku's fromRaw would read the first 64; we require exactly 64
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kBadMetaLength);
}

TEST(ProtectedShard, RejectsBadSignatures) {
  // Tampered payload.
  WakuMessage message = signed_vector_message();
  Bytes tampered = message.payload.to_bytes();
  tampered[0] ^= 0x01;
  message.payload = std::move(tampered);
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kBadSignature);
  // Another topic.
  EXPECT_EQ(check_signed_message(public_key(), "other-topic", signed_vector_message(), kNow),
            SignatureCheck::kBadSignature);
  // Another key.
  const auto other_key = crypto::Secp256k1PrivateKey::from_hex(
                             "0000000000000000000000000000000000000000000000000000000000000001")
                             .value();
  EXPECT_EQ(
      check_signed_message(other_key.public_key(), kPubsubTopic, signed_vector_message(), kNow),
      SignatureCheck::kBadSignature);
  // The high-S twin of a valid signature: s' = n - s. Valid ECDSA, but refused (as libsecp256k1
  // in nwaku and go-ethereum in go-waku refuse it).
  const Bytes order = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  message = signed_vector_message();
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const auto index = static_cast<std::size_t>(i);
    const int diff = int{order[index]} - int{(*message.meta)[32 + index]} - borrow;
    borrow = diff < 0 ? 1 : 0;
    (*message.meta)[32 + index] = static_cast<std::uint8_t>(diff + 256 * borrow);
  }
  EXPECT_EQ(check_signed_message(public_key(), kPubsubTopic, message, kNow),
            SignatureCheck::kBadSignature);
}

TEST(ProtectedShard, SignThenCheckRoundTrips) {
  WakuMessage message;
  message.payload = to_bytes("community description");
  message.content_topic = "/status/1/control/proto";
  message.timestamp = kNow.value;
  message.meta = Bytes{};
  const auto signature = sign_message(private_key(), "/waku/2/rs/16/128", message);
  message.meta = Bytes(signature.begin(), signature.end());
  EXPECT_EQ(check_signed_message(public_key(), "/waku/2/rs/16/128", message, kNow),
            SignatureCheck::kValid);
}

}  // namespace
}  // namespace waku::message
