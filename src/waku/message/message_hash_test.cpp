#include "waku/message/message_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace waku::message {
namespace {

Bytes hex(std::string_view text) {
  auto bytes = from_hex(text);
  WAKU_ASSERT(bytes.has_value());
  return std::move(bytes).value();
}

constexpr std::string_view kPubsubTopic = "/waku/2/default-waku/proto";

// The common message of the 14/WAKU2-MESSAGE test vectors (waku-wire.md §1).
WakuMessage vector_message() {
  WakuMessage message;
  message.payload = hex("010203045445535405060708");
  message.content_topic = "/waku/2/default-content/proto";
  message.timestamp = 0x175789bfa23f8400;  // 1681964442000000000 ns
  return message;
}

TEST(DeterministicMessageHash, SpecVectorMeta12Bytes) {
  WakuMessage message = vector_message();
  message.meta = hex("73757065722d736563726574");
  EXPECT_EQ(message_hash_hex(deterministic_message_hash(kPubsubTopic, message)),
            "0x64cce733fed134e83da02b02c6f689814872b1a0ac97ea56b76095c3c72bfe05");
}

TEST(DeterministicMessageHash, SpecVectorMeta64Bytes) {
  WakuMessage message = vector_message();
  Bytes meta(64);
  for (std::size_t i = 0; i < meta.size(); ++i) meta[i] = static_cast<std::uint8_t>(i);
  message.meta = meta;
  EXPECT_EQ(message_hash_hex(deterministic_message_hash(kPubsubTopic, message)),
            "0x7158b6498753313368b9af8f6e0a0a05104f68f972981da42a43bc53fb0c1b27");
}

TEST(DeterministicMessageHash, SpecVectorMetaAbsent) {
  const WakuMessage message = vector_message();
  EXPECT_EQ(message_hash_hex(deterministic_message_hash(kPubsubTopic, message)),
            "0xa2554498b31f5bcdfcbf7fa58ad1c2d45f0254f3f8110a85588ec3cf10720fd8");
}

TEST(DeterministicMessageHash, SpecVectorPayloadEmpty) {
  WakuMessage message = vector_message();
  message.payload = Bytes{};
  message.meta = hex("73757065722d736563726574");
  EXPECT_EQ(message_hash_hex(deterministic_message_hash(kPubsubTopic, message)),
            "0x483ea950cb63f9b9d6926b262bb36194d3f40a0463ce8446228350bd44e96de4");
}

TEST(DeterministicMessageHash, EmptyMetaHashesLikeAbsentMeta) {
  WakuMessage message = vector_message();
  const Bytes32 absent = deterministic_message_hash(kPubsubTopic, message);
  message.meta = Bytes{};
  EXPECT_EQ(deterministic_message_hash(kPubsubTopic, message), absent);
}

TEST(DeterministicMessageHash, AbsentTimestampStillAppendsEightZeroBytes) {
  // nwaku/go-waku append the 8 bytes even for 0; js-waku would not (and would differ here).
  WakuMessage message = vector_message();
  message.timestamp.reset();
  const Bytes32 absent = deterministic_message_hash(kPubsubTopic, message);
  message.timestamp = 0;
  EXPECT_EQ(deterministic_message_hash(kPubsubTopic, message), absent);
  EXPECT_NE(absent, deterministic_message_hash(kPubsubTopic, vector_message()));
}

TEST(DeterministicMessageHash, FieldsOutsideTheHashDoNotChangeIt) {
  WakuMessage message = vector_message();
  const Bytes32 base = deterministic_message_hash(kPubsubTopic, message);
  message.version = 1;
  message.ephemeral = true;
  message.rate_limit_proof = Bytes{1, 2, 3};
  EXPECT_EQ(deterministic_message_hash(kPubsubTopic, message), base);
  EXPECT_NE(deterministic_message_hash("/waku/2/rs/0/0", message), base);
}

}  // namespace
}  // namespace waku::message
