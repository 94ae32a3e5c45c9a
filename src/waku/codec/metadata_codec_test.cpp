#include "waku/codec/metadata_codec.hpp"

#include <gtest/gtest.h>

namespace waku::codec {
namespace {

Bytes hex(std::string_view text) { return from_hex(text).value(); }

// Expected bytes as nwaku's minprotobuf writes them (waku/waku_metadata/rpc.nim): 08 cluster,
// 10 <shard> per shard (unpacked field 2), 1a <len> <shards> (packed field 3, even when empty).
TEST(MetadataCodec, EncodesLikeNwaku) {
  EXPECT_EQ(to_hex(encode_metadata({16, {32, 64}})),
            "0810"
            "1020"
            "1040"
            "1a022040");
  EXPECT_EQ(to_hex(encode_metadata({1, {}})),
            "0801"
            "1a00");
  EXPECT_EQ(to_hex(encode_metadata({0, {128}})),
            "0800"
            "108001"
            "1a028001");
  EXPECT_EQ(to_hex(encode_metadata({std::nullopt, {}})), "1a00");
  EXPECT_EQ(to_hex(encode_metadata({4294967295U, {}})),
            "08ffffffff0f"
            "1a00");
}

TEST(MetadataCodec, RoundTrip) {
  for (const WakuMetadata& metadata :
       {WakuMetadata{16, {32, 64}}, WakuMetadata{1, {}}, WakuMetadata{std::nullopt, {7}},
        WakuMetadata{0, {1023, 0, 5, 5}}}) {
    const auto decoded = decode_metadata(encode_metadata(metadata));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, metadata);
  }
}

TEST(MetadataCodec, DecodesEveryShardEncoding) {
  // proto3 encoders (js-waku, the spec schema): field 2 packed.
  EXPECT_EQ(decode_metadata(hex("0810"
                                "12022040"))
                .value(),
            (WakuMetadata{16, {32, 64}}));
  // Field 2 unpacked only (nwaku before 2024-03).
  EXPECT_EQ(decode_metadata(hex("0801"
                                "1000"
                                "1007"))
                .value(),
            (WakuMetadata{1, {0, 7}}));
  // Field 3 only (go-waku), packed or unpacked.
  EXPECT_EQ(decode_metadata(hex("0801"
                                "1a020102"))
                .value(),
            (WakuMetadata{1, {1, 2}}));
  EXPECT_EQ(decode_metadata(hex("0801"
                                "1803"))
                .value(),
            (WakuMetadata{1, {3}}));
  // Field 3 wins when it holds shards; an empty field 3 falls back to field 2.
  EXPECT_EQ(decode_metadata(hex("0801"
                                "1005"
                                "1a0106"))
                .value(),
            (WakuMetadata{1, {6}}));
  EXPECT_EQ(decode_metadata(hex("0801"
                                "1005"
                                "1a00"))
                .value(),
            (WakuMetadata{1, {5}}));
  // Nothing: no cluster (nwaku disconnects such a peer; the caller decides).
  EXPECT_EQ(decode_metadata({}).value(), (WakuMetadata{std::nullopt, {}}));
  // Unknown fields are skipped.
  EXPECT_EQ(decode_metadata(hex("0802"
                                "2a03616263"))
                .value(),
            (WakuMetadata{2, {}}));
}

TEST(MetadataCodec, Bounds) {
  EXPECT_EQ(decode_metadata(hex("ff")).error().code, Errc::kDecode);
  EXPECT_EQ(decode_metadata(hex("1a0501")).error().code, Errc::kDecode);  // truncated packed list
  EXPECT_EQ(decode_metadata(Bytes(kMaxMetadataBytes + 1, 0)).error().code, Errc::kTooLarge);

  Bytes unpacked;
  for (std::size_t i = 0; i <= kMaxMetadataShards; ++i) {
    unpacked.push_back(0x10);
    unpacked.push_back(0x01);
  }
  EXPECT_EQ(decode_metadata(unpacked).error().code, Errc::kLimitExceeded);
  unpacked.resize(unpacked.size() - 2);
  EXPECT_EQ(decode_metadata(unpacked).value().shards.size(), kMaxMetadataShards);

  Bytes packed = hex("1a8108");  // field 3, 1025 one-byte shards
  packed.resize(packed.size() + kMaxMetadataShards + 1, 0x02);
  EXPECT_EQ(decode_metadata(packed).error().code, Errc::kLimitExceeded);
}

}  // namespace
}  // namespace waku::codec
