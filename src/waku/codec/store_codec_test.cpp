#include "waku/codec/store_codec.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace waku::codec {
namespace {

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (const auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes32 filled(std::uint8_t value) {
  Bytes32 out{};
  out.fill(value);
  return out;
}

// Every field set, written by hand in field order: tags 0x0a (1), 0x10 (2), 0x52 (10), 0x5a
// (11), 0x60 (12, sint64 1000 -> zigzag 2000 = d0 0f), 0x68 (13, -1 -> zigzag 1), a2 01 (20),
// 9a 03 (51), a0 03 (52), a8 03 (53).
Bytes full_request_bytes() {
  return concat({Bytes{0x0a, 0x02}, as_bytes("r1"), Bytes{0x10, 0x01}, Bytes{0x52, 0x10},
                 as_bytes("/waku/2/rs/16/32"), Bytes{0x5a, 0x0c}, as_bytes("/a/1/b/proto"),
                 Bytes{0x5a, 0x02}, as_bytes("/c"), Bytes{0x60, 0xd0, 0x0f}, Bytes{0x68, 0x01},
                 Bytes{0xa2, 0x01, 0x20}, filled(0x11), Bytes{0x9a, 0x03, 0x20}, filled(0x22),
                 Bytes{0xa0, 0x03, 0x01}, Bytes{0xa8, 0x03, 0x32}});
}

store::StoreQueryRequest full_request() {
  store::StoreQueryRequest request;
  request.request_id = "r1";
  request.include_data = true;
  request.pubsub_topic = "/waku/2/rs/16/32";
  request.content_topics = {"/a/1/b/proto", "/c"};
  request.time_start_ns = 1000;
  request.time_end_ns = -1;
  request.message_hashes = {filled(0x11)};
  request.pagination_cursor = filled(0x22);
  request.pagination_forward = true;
  request.pagination_limit = 50;
  return request;
}

TEST(StoreCodec, DecodesHandWrittenRequest) {
  const auto decoded = decode_store_request(full_request_bytes());
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, full_request());
}

TEST(StoreCodec, EncodesRequestByteForByte) {
  EXPECT_EQ(encode_store_request(full_request()), full_request_bytes());
}

TEST(StoreCodec, MinimalRequestWritesNwakuRequiredFieldsAndDefaultsToBackwardHashesOnly) {
  store::StoreQueryRequest request;
  request.request_id = "x";
  // request_id, include_data=false, pagination_forward=false: nwaku's write3 writes all three.
  EXPECT_EQ(encode_store_request(request), (Bytes{0x0a, 0x01, 'x', 0x10, 0x00, 0xa0, 0x03, 0x00}));

  // A proto3 encoder (js-waku) omits the defaults: absent means hashes only, backward, no limit.
  const auto decoded = decode_store_request(Bytes{0x0a, 0x01, 'x'});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_FALSE(decoded->include_data);
  EXPECT_FALSE(decoded->pagination_forward);
  EXPECT_FALSE(decoded->pagination_limit.has_value());
  EXPECT_FALSE(decoded->pubsub_topic.has_value());
  EXPECT_FALSE(decoded->time_start_ns.has_value());

  const auto empty = decode_store_request(Bytes{});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->request_id, "");
}

TEST(StoreCodec, RejectsBadRequests) {
  EXPECT_EQ(decode_store_request(Bytes{0xff, 0xff, 0xff}).error().code, Errc::kDecode);
  EXPECT_EQ(decode_store_request(Bytes(kMaxStoreRequestBytes + 1, 0)).error().code,
            Errc::kTooLarge);

  // A 31-byte hash and a 33-byte cursor.
  const Bytes short_hash = concat({Bytes{0xa2, 0x01, 0x1f}, Bytes(31, 1)});
  EXPECT_EQ(decode_store_request(short_hash).error().code, Errc::kBadEncoding);
  const Bytes long_cursor = concat({Bytes{0x9a, 0x03, 0x21}, Bytes(33, 1)});
  EXPECT_EQ(decode_store_request(long_cursor).error().code, Errc::kBadEncoding);

  store::StoreQueryRequest many_hashes;
  many_hashes.message_hashes.assign(101, filled(1));
  EXPECT_EQ(decode_store_request(encode_store_request(many_hashes)).error().code,
            Errc::kLimitExceeded);
  many_hashes.message_hashes.resize(100);
  EXPECT_TRUE(decode_store_request(encode_store_request(many_hashes)).has_value());

  store::StoreQueryRequest many_topics;
  many_topics.content_topics.assign(101, "/t");
  EXPECT_EQ(decode_store_request(encode_store_request(many_topics)).error().code,
            Errc::kLimitExceeded);
}

// {payload "hi", content_topic "/c"} as a WakuMessage: 0a 02 'h' 'i' 12 02 '/' 'c'.
Bytes small_message_bytes() { return Bytes{0x0a, 0x02, 'h', 'i', 0x12, 0x02, '/', 'c'}; }

Bytes full_response_bytes() {
  // Entry 1: hash only (0a 20 <32>) = 34 bytes. Entry 2: hash, message (12 08 <8>), pubsub
  // topic (1a 02 "/p") = 34 + 10 + 4 = 48 bytes.
  return concat({Bytes{0x0a, 0x02}, as_bytes("r1"), Bytes{0x50, 0xc8, 0x01}, Bytes{0x5a, 0x02},
                 as_bytes("OK"), Bytes{0xa2, 0x01, 0x22, 0x0a, 0x20}, filled(0x33),
                 Bytes{0xa2, 0x01, 0x30, 0x0a, 0x20}, filled(0x44), Bytes{0x12, 0x08},
                 small_message_bytes(), Bytes{0x1a, 0x02}, as_bytes("/p"), Bytes{0x9a, 0x03, 0x20},
                 filled(0x44)});
}

store::StoreQueryResponse full_response() {
  store::StoreQueryResponse response;
  response.request_id = "r1";
  response.status_code = 200;
  response.status_desc = "OK";
  response.messages.push_back({filled(0x33), std::nullopt, std::nullopt});
  message::WakuMessage message;
  message.payload = to_bytes("hi");
  message.content_topic = "/c";
  response.messages.push_back({filled(0x44), message, "/p"});
  response.pagination_cursor = filled(0x44);
  return response;
}

TEST(StoreCodec, DecodesAndEncodesHandWrittenResponse) {
  const auto decoded = decode_store_response(full_response_bytes());
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, full_response());
  EXPECT_TRUE(decoded->is_success());
  EXPECT_EQ(encode_store_response(full_response()), full_response_bytes());
}

TEST(StoreCodec, ErrorResponseAlwaysCarriesCodeAndDescription) {
  store::StoreQueryResponse response;  // empty id, code 0, empty desc: still all three written
  EXPECT_EQ(encode_store_response(response), (Bytes{0x0a, 0x00, 0x50, 0x00, 0x5a, 0x00}));
  const auto decoded = decode_store_response(Bytes{});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->status_code, 0U);
  EXPECT_FALSE(decoded->is_success());
}

TEST(StoreCodec, RejectsBadResponses) {
  // Entry without hash: a2 01 04 1a 02 "/p".
  EXPECT_EQ(decode_store_response(concat({Bytes{0xa2, 0x01, 0x04, 0x1a, 0x02}, as_bytes("/p")}))
                .error()
                .code,
            Errc::kMissingField);
  // Message without pubsub topic.
  const Bytes no_topic = concat(
      {Bytes{0xa2, 0x01, 0x2c, 0x0a, 0x20}, filled(1), Bytes{0x12, 0x08}, small_message_bytes()});
  EXPECT_EQ(decode_store_response(no_topic).error().code, Errc::kInvalidMessage);
  // Nested message without content_topic (nwaku's required field 2): 12 04 0a 02 'h' 'i'.
  const Bytes bad_message =
      concat({Bytes{0xa2, 0x01, 0x2c, 0x0a, 0x20}, filled(1),
              Bytes{0x12, 0x04, 0x0a, 0x02, 'h', 'i', 0x1a, 0x02}, as_bytes("/p")});
  EXPECT_EQ(decode_store_response(bad_message).error().code, Errc::kMissingField);
  // Cursor of 3 bytes.
  EXPECT_EQ(decode_store_response(Bytes{0x9a, 0x03, 0x03, 1, 2, 3}).error().code,
            Errc::kBadEncoding);
  // 101 entries.
  store::StoreQueryResponse big;
  big.messages.assign(101, {filled(1), std::nullopt, std::nullopt});
  EXPECT_EQ(decode_store_response(encode_store_response(big)).error().code, Errc::kLimitExceeded);
  big.messages.resize(100);
  EXPECT_TRUE(decode_store_response(encode_store_response(big)).has_value());
  EXPECT_EQ(decode_store_response(Bytes(kMaxStoreResponseBytes + 1, 0)).error().code,
            Errc::kTooLarge);
}

}  // namespace
}  // namespace waku::codec
