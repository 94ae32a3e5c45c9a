#include "waku/codec/waku_message_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace waku::codec {
namespace {

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (const auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A message exactly as js-waku 0.0.27 sent it (libp2p-wire.md §A9): explicit version=0 and
// ephemeral=false, timestamp 1795461736565000000 ns as a zig-zag varint.
Bytes js_waku_example() {
  return concat({Bytes{0x0a, 0x15}, as_bytes("hello from js-waku #0"), Bytes{0x12, 0x15},
                 as_bytes("/interop/1/test/proto"), Bytes{0x18, 0x00},
                 Bytes{0x50, 0x80, 0x9d, 0x9a, 0xfc, 0xf8, 0xbb, 0xe1, 0xea, 0x31},
                 Bytes{0xf8, 0x01, 0x00}});
}

TEST(WakuMessageCodec, DecodesJsWakuExampleWithPresence) {
  const auto decoded = decode_waku_message(js_waku_example());
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(decoded->payload, to_bytes("hello from js-waku #0"));
  EXPECT_EQ(decoded->content_topic, "/interop/1/test/proto");
  ASSERT_TRUE(decoded->version.has_value());
  EXPECT_EQ(*decoded->version, 0U);
  ASSERT_TRUE(decoded->timestamp.has_value());
  EXPECT_EQ(*decoded->timestamp, 1795461736565000000);
  ASSERT_TRUE(decoded->ephemeral.has_value());
  EXPECT_FALSE(*decoded->ephemeral);
  EXPECT_FALSE(decoded->meta.has_value());
  EXPECT_FALSE(decoded->rate_limit_proof.has_value());
}

TEST(WakuMessageCodec, ReencodesJsWakuExampleByteForByte) {
  const Bytes wire = js_waku_example();
  const auto decoded = decode_waku_message(wire);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(encode_waku_message(*decoded), wire);
}

TEST(WakuMessageCodec, EmitsEmptyPayloadAndTopicAndOnlyPresentOptionals) {
  const message::WakuMessage empty;
  EXPECT_EQ(encode_waku_message(empty), (Bytes{0x0a, 0x00, 0x12, 0x00}));

  message::WakuMessage full;
  full.payload = Bytes{0x01};
  full.content_topic = "t";
  full.version = 2;
  full.timestamp = -1;  // zig-zag: 1
  full.meta = Bytes{};  // present but empty: still emitted
  full.rate_limit_proof = Bytes{0xaa, 0xbb};
  full.ephemeral = true;
  EXPECT_EQ(encode_waku_message(full),
            (Bytes{0x0a, 0x01, 0x01, 0x12, 0x01, 't',  0x18, 0x02, 0x50, 0x01,
                   0x5a, 0x00, 0xaa, 0x01, 0x02, 0xaa, 0xbb, 0xf8, 0x01, 0x01}));
  const auto round_trip = decode_waku_message(encode_waku_message(full));
  ASSERT_TRUE(round_trip.has_value());
  EXPECT_EQ(*round_trip, full);
}

TEST(WakuMessageCodec, SkipsUnknownFields) {
  // Field 5 varint and field 12 bytes, neither in 14/WAKU2-MESSAGE.
  const Bytes wire{0x28, 0x07, 0x0a, 0x01, 0x42, 0x62, 0x02, 0x00, 0x00, 0x12, 0x01, 'x'};
  const auto decoded = decode_waku_message(wire);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->payload, (Bytes{0x42}));
  EXPECT_EQ(decoded->content_topic, "x");
  EXPECT_EQ(encode_waku_message(*decoded), (Bytes{0x0a, 0x01, 0x42, 0x12, 0x01, 'x'}));
}

// From shared bytes the payload is a slice of them, not a copy, and the message is the same as
// the copying decoder's: with unknown fields of every wire type, with the payload field twice
// (the last one counts), and with an unknown group, which the slicing walk leaves to the copy.
TEST(WakuMessageCodec, DecodesSharedBytesWithThePayloadInPlace) {
  const Bytes unknown_fields{0x28, 0x07,                            // 5: varint
                             0x31, 1,    2,    3,   4, 5, 6, 7, 8,  // 6: fixed64
                             0x3d, 1,    2,    3,   4,              // 7: fixed32
                             0x62, 0x02, 0x00, 0x00};               // 12: bytes
  const Bytes group{0x43, 0x48, 0x01, 0x44};  // 8: a group holding 9: varint 1
  const std::vector<Bytes> cases = {
      js_waku_example(), concat({unknown_fields, Bytes{0x0a, 0x01, 0x42, 0x12, 0x01, 'x'}}),
      Bytes{0x0a, 0x02, 'a', 'b', 0x12, 0x01, 'x', 0x0a, 0x03, 'c', 'd', 'e'},
      concat({group, Bytes{0x0a, 0x01, 0x42, 0x12, 0x01, 'x'}})};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SharedBytes shared(cases[i]);
    const auto copied = decode_waku_message(ByteView(cases[i]));
    const auto sliced = decode_waku_message(shared);
    ASSERT_TRUE(copied.has_value()) << i;
    ASSERT_TRUE(sliced.has_value()) << i;
    EXPECT_EQ(*sliced, *copied) << i;
    const bool inside =
        sliced->payload.data() >= shared.data() &&
        sliced->payload.data() + sliced->payload.size() <= shared.data() + shared.size();
    EXPECT_EQ(inside, i != 3) << i;  // the group case is copied
  }
  EXPECT_EQ(decode_waku_message(SharedBytes(cases[2]))->payload, to_bytes("cde"));
}

TEST(WakuMessageCodec, EncodingCanShareItsBufferWithThePayload) {
  // Payload lengths whose length varint takes one, two and three bytes, and an empty payload.
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{5}, std::size_t{300}, std::size_t{20000}}) {
    message::WakuMessage message;
    message.payload = Bytes(size, 0x5a);
    message.content_topic = "/app/1/topic/proto";
    message.timestamp = 7;
    const Bytes expected = encode_waku_message(message);
    const SharedBytes shared = encode_waku_message_sharing_payload(message);
    EXPECT_EQ(shared.view().size(), expected.size()) << size;
    EXPECT_TRUE(std::ranges::equal(shared.view(), expected)) << size;
    EXPECT_EQ(message.payload, Bytes(size, 0x5a)) << size;
    if (size == 0) continue;
    EXPECT_GE(message.payload.data(), shared.data()) << size;
    EXPECT_LE(message.payload.data() + size, shared.data() + shared.size()) << size;
  }
}

TEST(WakuMessageCodec, RejectsAbsentPayloadOrContentTopic) {
  const auto no_payload = decode_waku_message(Bytes{0x12, 0x01, 'x'});
  ASSERT_FALSE(no_payload.has_value());
  EXPECT_EQ(no_payload.error().code, Errc::kMissingField);

  const auto no_topic = decode_waku_message(Bytes{0x0a, 0x01, 0x42});
  ASSERT_FALSE(no_topic.has_value());
  EXPECT_EQ(no_topic.error().code, Errc::kMissingField);

  const auto nothing = decode_waku_message(Bytes{});
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().code, Errc::kMissingField);
}

TEST(WakuMessageCodec, MetaOf64BytesAcceptedAnd65Rejected) {
  message::WakuMessage message;
  message.content_topic = "/a/1/b/proto";
  message.meta = Bytes(64, 0x11);
  const auto ok64 = decode_waku_message(encode_waku_message(message));
  ASSERT_TRUE(ok64.has_value());
  EXPECT_EQ(ok64->meta, Bytes(64, 0x11));

  message.meta = Bytes(65, 0x11);
  const auto too_long = decode_waku_message(encode_waku_message(message));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, Errc::kTooLarge);
}

// The decoder's own bound is the largest --max-msg-size (64 MiB); the configured size is the
// relay's to enforce (gossipsub_codec_test, node_relay_test).
TEST(WakuMessageCodec, RejectsInputOverTheSizeLimit) {
  constexpr std::size_t kLimit = kMaxMessageSizeLimitBytes;
  message::WakuMessage message;
  message.content_topic = "/a/1/b/proto";
  // Find the payload size that lands exactly on the limit (the payload's length prefix grows
  // from 1 to 4 bytes on the way), then one byte more.
  const std::size_t without_payload = encode_waku_message(message).size();
  message.payload = Bytes(kLimit - without_payload, 0x00);
  const std::size_t prefix_growth = encode_waku_message(message).size() - kLimit;
  message.payload = Bytes(kLimit - without_payload - prefix_growth, 0x00);
  const Bytes at_limit = encode_waku_message(message);
  ASSERT_EQ(at_limit.size(), kLimit);
  EXPECT_TRUE(decode_waku_message(at_limit).has_value());

  Bytes longer = message.payload.to_bytes();
  longer.push_back(0x00);
  message.payload = std::move(longer);
  const auto over = decode_waku_message(encode_waku_message(message));
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, Errc::kTooLarge);
}

TEST(WakuMessageCodec, RejectsGarbage) {
  for (const Bytes& garbage : {
           Bytes{0xff, 0xff, 0xff},              // field 0 / bad tag
           Bytes{0x0a, 0x05, 0x01},              // truncated length-delimited field
           Bytes{0x0a, 0x00, 0x12, 0x00, 0x50},  // varint tag without value
           Bytes{0x0a, 0x00, 0x12, 0x00, 0x0f},  // wire type 7 does not exist
           Bytes{0x0a, 0x00, 0x12, 0x00, 0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                 0xff, 0xff},  // varint longer than 10 bytes
       }) {
    const auto decoded = decode_waku_message(garbage);
    ASSERT_FALSE(decoded.has_value()) << to_hex(garbage);
    EXPECT_EQ(decoded.error().code, Errc::kDecode) << to_hex(garbage);
  }
}

}  // namespace
}  // namespace waku::codec
