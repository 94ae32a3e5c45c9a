#include "waku/relay/protected_shard_validator.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/sha256.hpp"
#include "waku/message/protected_shard.hpp"

namespace waku::relay {
namespace {

// Keys of the 57/STATUS-SIMPLE-SCALING test vector (waku-wire.md §10).
constexpr std::string_view kPrivateKey =
    "5526a8990317c9b7b58d07843d270f9cd1d9aaee129294c1c478abf7261dd9e6";
constexpr std::string_view kPublicKey =
    "049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02bab736cdcfc37f25095e7812750"
    "0da371947217a8cd5186ab890ea866211c3f6";
constexpr std::string_view kCompressedPublicKey =
    "029c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02";

constexpr std::int64_t kNowNs = 1'700'000'000'000'000'000;
const ValidationContext kContext{Instant::from_nanoseconds(42), UnixNanos{kNowNs}};

crypto::Secp256k1PrivateKey private_key() {
  return crypto::Secp256k1PrivateKey::from_hex(kPrivateKey).value();
}

message::WakuMessage make_message(std::int64_t timestamp) {
  message::WakuMessage message;
  message.payload = to_bytes("community control message");
  message.content_topic = "/status/1/control/proto";
  message.version = 0;
  message.timestamp = timestamp;
  message.ephemeral = false;
  return message;
}

message::WakuMessage signed_for(std::string_view topic, message::WakuMessage message) {
  const auto signature = message::sign_message(private_key(), topic, message);
  message.meta = Bytes(signature.begin(), signature.end());
  return message;
}

// As the router builds it: the wire bytes, their id and the decoded struct.
RelayMessage relay_message(std::string topic, const message::WakuMessage& message) {
  RelayMessage out;
  out.topic = std::move(topic);
  out.data = SharedBytes(codec::encode_waku_message(message));
  out.id.bytes = crypto::sha256(out.data.view());
  out.decoded = codec::decode_waku_message(out.data.view()).value();
  return out;
}

ProtectedShardValidator make_validator() {
  std::vector<ProtectedShard> shards;
  shards.push_back(
      parse_protected_shard(std::string("128:") + std::string(kPublicKey), 16).value());
  return ProtectedShardValidator(std::move(shards));
}

TEST(ParseProtectedShard, ShardNumberUsesTheNodesCluster) {
  const auto parsed = parse_protected_shard(std::string("128:") + std::string(kPublicKey), 16);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed->shard, (message::RelayShard{16, 128}));
  EXPECT_EQ(to_hex(parsed->public_key.uncompressed()), kPublicKey);
}

TEST(ParseProtectedShard, AcceptsPubsubTopicAndCompressedOr0xKeys) {
  const auto topic = parse_protected_shard(
      std::string("/waku/2/rs/16/32:") + std::string(kCompressedPublicKey), 16);
  ASSERT_TRUE(topic.has_value()) << topic.error().message();
  EXPECT_EQ(topic->shard, (message::RelayShard{16, 32}));
  EXPECT_EQ(to_hex(topic->public_key.uncompressed()), kPublicKey);

  const auto prefixed = parse_protected_shard(std::string("0:0x") + std::string(kPublicKey), 1);
  ASSERT_TRUE(prefixed.has_value()) << prefixed.error().message();
  EXPECT_EQ(prefixed->shard, (message::RelayShard{1, 0}));
}

TEST(ParseProtectedShard, RejectsMalformedInputWithAnExplanation) {
  const std::string key(kPublicKey);
  struct Case {
    std::string text;
    Errc code;
  };
  for (const Case& c : std::vector<Case>{
           {"128", Errc::kInvalidArgument},
           {"128" + key, Errc::kInvalidArgument},
           {"128:" + key + ":1", Errc::kInvalidArgument},
           {":" + key, Errc::kInvalidArgument},
           {"x:" + key, Errc::kInvalidArgument},
           {"-1:" + key, Errc::kInvalidArgument},
           {"0128:" + key, Errc::kInvalidArgument},
           {"1024:" + key, Errc::kOutOfRange},
           {"65536:" + key, Errc::kOutOfRange},
           {"/waku/2/rs/16:" + key, Errc::kInvalidTopic},
           {"/waku/2/rs/17/32:" + key, Errc::kInvalidArgument},  // wrong cluster
           {"128:", Errc::kBadKey},
           {"128:zz", Errc::kBadKey},
           {"128:" + key.substr(0, 64), Errc::kBadKey},
           {"128:05" + key.substr(2), Errc::kBadKey},
       }) {
    const auto parsed = parse_protected_shard(c.text, 16);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error().code, c.code) << c.text;
    EXPECT_FALSE(parsed.error().detail.empty()) << c.text;
  }
  EXPECT_EQ(parse_protected_shard("/waku/2/rs/17/32:" + key, 16).error().detail,
            "'/waku/2/rs/17/32' is in cluster 17, but this node is in cluster 16");
}

TEST(ProtectedShardValidator, AcceptsSignedMessagesOnTheProtectedShard) {
  auto validator = make_validator();
  const auto message = relay_message(
      "/waku/2/rs/16/128", signed_for("/waku/2/rs/16/128", make_message(kNowNs - 1'000'000)));
  EXPECT_EQ(validator.validate(kContext, message), Verdict::kAccept);
  EXPECT_EQ(validator.counters().accepted, 1U);
  EXPECT_EQ(validator.counters().rejected, 0U);
}

TEST(ProtectedShardValidator, RejectsEveryFailureOnTheProtectedShard) {
  auto validator = make_validator();
  const std::string topic = "/waku/2/rs/16/128";

  auto unsigned_message = make_message(kNowNs);
  EXPECT_EQ(validator.validate(kContext, relay_message(topic, unsigned_message)), Verdict::kReject);

  auto no_timestamp = signed_for(topic, make_message(0));
  EXPECT_EQ(validator.validate(kContext, relay_message(topic, no_timestamp)), Verdict::kReject);

  const std::int64_t window = message::kProtectedShardWindow.count();
  auto stale = signed_for(topic, make_message(kNowNs - window));
  EXPECT_EQ(validator.validate(kContext, relay_message(topic, stale)), Verdict::kReject);

  auto tampered = signed_for(topic, make_message(kNowNs));
  Bytes longer = tampered.payload.to_bytes();
  longer.push_back('!');
  tampered.payload = std::move(longer);
  EXPECT_EQ(validator.validate(kContext, relay_message(topic, tampered)), Verdict::kReject);

  // Signed for another shard, replayed here.
  auto replayed = signed_for("/waku/2/rs/16/129", make_message(kNowNs));
  EXPECT_EQ(validator.validate(kContext, relay_message(topic, replayed)), Verdict::kReject);

  // The router never hands over an undecodable message, but the validator must not accept one.
  RelayMessage undecoded = relay_message(topic, signed_for(topic, make_message(kNowNs)));
  undecoded.decoded.reset();
  EXPECT_EQ(validator.validate(kContext, undecoded), Verdict::kReject);

  EXPECT_EQ(validator.counters().accepted, 0U);
  EXPECT_EQ(validator.counters().rejected, 6U);
}

TEST(ProtectedShardValidator, PassesOtherTopicsWithoutCounting) {
  auto validator = make_validator();
  for (const std::string topic : {"/waku/2/rs/16/129", "/waku/2/rs/1/128", "/waku/2/rs/16/0128",
                                  "/waku/2/default-waku/proto"}) {
    EXPECT_EQ(validator.validate(kContext, relay_message(topic, make_message(0))), Verdict::kAccept)
        << topic;
  }
  EXPECT_EQ(validator.counters().accepted, 0U);
  EXPECT_EQ(validator.counters().rejected, 0U);
}

TEST(ProtectedShardValidator, FirstKeyForAShardWins) {
  const auto other_key = crypto::Secp256k1PrivateKey::from_hex(
                             "0000000000000000000000000000000000000000000000000000000000000002")
                             .value()
                             .public_key();
  std::vector<ProtectedShard> shards;
  shards.push_back(ProtectedShard{{16, 128}, other_key});
  shards.push_back(
      parse_protected_shard(std::string("128:") + std::string(kPublicKey), 16).value());
  ProtectedShardValidator validator(std::move(shards));
  const std::string topic = "/waku/2/rs/16/128";
  EXPECT_EQ(
      validator.validate(kContext, relay_message(topic, signed_for(topic, make_message(kNowNs)))),
      Verdict::kReject);
}

TEST(ProtectedShardValidator, SeveralShardsEachWithItsKey) {
  const auto other_private = crypto::Secp256k1PrivateKey::from_hex(
                                 "0000000000000000000000000000000000000000000000000000000000000002")
                                 .value();
  std::vector<ProtectedShard> shards;
  shards.push_back(ProtectedShard{{16, 129}, other_private.public_key()});
  shards.push_back(
      parse_protected_shard(std::string("128:") + std::string(kPublicKey), 16).value());
  ProtectedShardValidator validator(std::move(shards));

  const std::string topic128 = "/waku/2/rs/16/128";
  const std::string topic129 = "/waku/2/rs/16/129";
  EXPECT_EQ(validator.validate(kContext,
                               relay_message(topic128, signed_for(topic128, make_message(kNowNs)))),
            Verdict::kAccept);
  // Shard 129's key is a different one: the shard-128 signer cannot publish there.
  EXPECT_EQ(validator.validate(kContext,
                               relay_message(topic129, signed_for(topic129, make_message(kNowNs)))),
            Verdict::kReject);
  auto message = make_message(kNowNs);
  const auto signature = message::sign_message(other_private, topic129, message);
  message.meta = Bytes(signature.begin(), signature.end());
  EXPECT_EQ(validator.validate(kContext, relay_message(topic129, message)), Verdict::kAccept);
  EXPECT_EQ(validator.counters().accepted, 2U);
  EXPECT_EQ(validator.counters().rejected, 1U);
}

}  // namespace
}  // namespace waku::relay
