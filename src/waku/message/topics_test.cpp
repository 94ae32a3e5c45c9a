#include "waku/message/topics.hpp"

#include <gtest/gtest.h>

#include <string>

#include "waku/crypto/sha256.hpp"

namespace waku::message {
namespace {

TEST(ContentTopic, ParsesFourAndFivePartForms) {
  const auto four = ContentTopic::parse("/toychat/2/huilong/proto");
  ASSERT_TRUE(four.has_value()) << four.error().message();
  EXPECT_EQ(four->generation, 0U);
  EXPECT_EQ(four->application, "toychat");
  EXPECT_EQ(four->version, "2");
  EXPECT_EQ(four->name, "huilong");
  EXPECT_EQ(four->encoding, "proto");
  EXPECT_EQ(four->to_string(), "/toychat/2/huilong/proto");

  const auto five = ContentTopic::parse("/0/toychat/2/huilong/proto");
  ASSERT_TRUE(five.has_value());
  EXPECT_EQ(*five, *four);
}

TEST(ContentTopic, RejectsMalformedTopics) {
  for (const std::string_view bad :
       {"", "toychat/2/huilong/proto", "/toychat/2/huilong", "/toychat//huilong/proto",
        "/toychat/2/huilong/proto/", "//toychat/2/huilong/proto", "/a/b/c/d/e/f", "/x/a/b/c/d",
        "/-0/a/b/c/d", "/", "////"}) {
    const auto parsed = ContentTopic::parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidTopic) << bad;
  }
}

TEST(ContentTopic, RejectsLaterGenerations) {
  for (const std::string_view later :
       {"/1/toychat/2/huilong/proto", "/2/a/b/c/d", "/99999999999999999999999/a/b/c/d"}) {
    const auto parsed = ContentTopic::parse(later);
    ASSERT_FALSE(parsed.has_value()) << later;
    EXPECT_EQ(parsed.error().code, Errc::kUnsupported) << later;
  }
}

TEST(RelayShard, FormatsAndParsesPubsubTopics) {
  EXPECT_EQ((RelayShard{16, 18}).pubsub_topic(), "/waku/2/rs/16/18");
  EXPECT_EQ((RelayShard{0, 0}).pubsub_topic(), "/waku/2/rs/0/0");
  const auto parsed = parse_pubsub_topic("/waku/2/rs/16/18");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (RelayShard{16, 18}));
  EXPECT_EQ(parse_pubsub_topic("/waku/2/rs/65535/1023").value(), (RelayShard{65535, 1023}));
  EXPECT_EQ(parse_pubsub_topic("/waku/2/rs/0/0").value(), (RelayShard{0, 0}));
  EXPECT_LT((RelayShard{1, 7}), (RelayShard{2, 0}));
  EXPECT_LT((RelayShard{1, 6}), (RelayShard{1, 7}));
}

TEST(RelayShard, RejectsNonCanonicalPubsubTopics) {
  for (const std::string_view bad : {"",
                                     "/waku/2/default-waku/proto",
                                     "/waku/2/rs/",
                                     "/waku/2/rs/16",
                                     "/waku/2/rs/16/",
                                     "/waku/2/rs//18",
                                     "/waku/2/rs/016/18",
                                     "/waku/2/rs/16/018",
                                     "/waku/2/rs/16/18/",
                                     "/waku/2/rs/16/18/1",
                                     "/waku/2/rs/+16/18",
                                     "/waku/2/rs/-1/18",
                                     "/waku/2/rs/65536/0",
                                     "/waku/2/rs/16/1024",
                                     "/waku/2/rs/16/65535",
                                     "/waku/2/rs/16/ 18",
                                     "/waku/2/rs/16/18 ",
                                     "/waku/2/rs/1a/2",
                                     "/waku/3/rs/16/18",
                                     "waku/2/rs/16/18",
                                     "/waku/2/rs/99999999999/1"}) {
    const auto parsed = parse_pubsub_topic(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidTopic) << bad;
  }
}

// vacp2p/rfc 51 vectors, 8 shards (waku-wire.md §3).
TEST(Autosharding, SpecVectors) {
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 8).value(), (RelayShard{1, 3}));
  EXPECT_EQ(shard_for_content_topic("/0/toychat/2/huilong/proto", 1, 8).value(),
            (RelayShard{1, 3}));
  EXPECT_EQ(shard_for_content_topic("/statusim/1/community/cbor", 1, 8).value(),
            (RelayShard{1, 4}));
  EXPECT_EQ(shard_for_content_topic("/0/statusim/1/community/cbor", 1, 8).value(),
            (RelayShard{1, 4}));
  EXPECT_EQ(shard_for_content_topic("/myapp/1/chat/proto", 16, 8).value(), (RelayShard{16, 0}));
  const auto later = shard_for_content_topic("/1/toychat/2/huilong/proto", 1, 8);
  ASSERT_FALSE(later.has_value());
  EXPECT_EQ(later.error().code, Errc::kUnsupported);
}

TEST(Autosharding, HashesApplicationAndVersionOnly) {
  const Bytes32 digest = crypto::sha256(as_bytes("myapp1"));
  EXPECT_EQ(to_hex(ByteView(digest).first(4)), "8e541178");
  EXPECT_EQ(to_hex(ByteView(digest).last(4)), "802d4928");
  // Name and encoding do not move the shard.
  EXPECT_EQ(shard_for_content_topic("/myapp/1/other/json", 16, 8).value(), (RelayShard{16, 0}));
}

TEST(Autosharding, UsesTheLastEightBytesForNonPowersOfTwo) {
  // With N = 1024 the result is the low 10 bits of the digest, for any rule; N = 1000 tells the
  // last-8-bytes rule apart from "whole hash mod N".
  const Bytes32 digest = crypto::sha256(as_bytes("toychat2"));
  const std::uint64_t tail = load_u64_be(ByteView(digest).subspan(24));
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 1000).value().shard_id,
            tail % 1000);
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 1024).value().shard_id,
            tail % 1024);
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 1).value().shard_id, 0);
}

TEST(Autosharding, RejectsBadShardCountsAndTopics) {
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 0).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong/proto", 1, 1025).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(shard_for_content_topic("/toychat/2/huilong", 1, 8).error().code, Errc::kInvalidTopic);
}

}  // namespace
}  // namespace waku::message
