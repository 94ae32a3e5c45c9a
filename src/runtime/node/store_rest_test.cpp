// GET /store/v3/messages: the query string -> StoreQueryRequest parser and the StoreQueryResponse
// -> nwaku JSON renderer, against requests and JSON texts written out by hand.
#include "runtime/node/store_rest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waku::runtime {
namespace {

// 0x00 0x01 ... 0x1f and 0xa0 ... 0xbf: two distinct, recognisable hashes.
Bytes32 counting_hash(std::uint8_t first) {
  Bytes32 hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) hash.at(i) = static_cast<std::uint8_t>(first + i);
  return hash;
}
constexpr const char* kHashA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kHashB = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
constexpr const char* kHashBUpper =
    "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF";

Result<store::StoreQueryRequest> parse(const std::string& query,
                                       std::optional<std::string>* peer = nullptr) {
  return store_request_from_query(query, peer);
}

TEST(StoreRequestFromQuery, EmptyQueryGivesTheRestDefaults) {
  std::optional<std::string> peer;
  auto request = parse("", &peer);
  ASSERT_TRUE(request.has_value()) << request.error().message();
  store::StoreQueryRequest want;
  want.include_data = false;       // nwaku's REST: hashes unless includeData=true
  want.pagination_forward = true;  // and oldest first unless ascending=false
  EXPECT_EQ(*request, want);
  EXPECT_FALSE(peer.has_value());
}

// nwaku reads "startTime=" as no startTime (its toOpt), so scripts that fill a template with
// empty values work against both.
TEST(StoreRequestFromQuery, EmptyValuesMeanAbsent) {
  std::optional<std::string> peer;
  auto request = parse(
      "startTime=&endTime=&pageSize=&ascending=&includeData=&hashes=&cursor=&pubsubTopic=&"
      "contentTopics=&peerAddr=",
      &peer);
  ASSERT_TRUE(request.has_value()) << request.error().message();
  EXPECT_EQ(*request, *parse(""));
  EXPECT_FALSE(peer.has_value());
  EXPECT_FALSE(parse("colour=").has_value());  // unknown, empty or not
}

TEST(StoreRequestFromQuery, EveryParameter) {
  std::optional<std::string> peer;
  const std::string query = std::string("pubsubTopic=%2Fwaku%2F2%2Frs%2F16%2F32") +
                            "&contentTopics=%2Fa%2F1%2Fx%2Fproto,%2Fb%2F1%2Fy%2Fproto" +
                            "&startTime=1712345678000000123&endTime=1712345679000000000" +
                            "&cursor=0x" + kHashA + "&ascending=true&pageSize=7" +
                            "&includeData=false" +
                            "&peerAddr=%2Fip4%2F127.0.0.1%2Ftcp%2F60000%2Fp2p%2F16Uiu2HAmX";
  auto request = parse(query, &peer);
  ASSERT_TRUE(request.has_value()) << request.error().message();
  store::StoreQueryRequest want;
  want.include_data = false;
  want.pubsub_topic = "/waku/2/rs/16/32";
  want.content_topics = {"/a/1/x/proto", "/b/1/y/proto"};
  want.time_start_ns = 1'712'345'678'000'000'123;
  want.time_end_ns = 1'712'345'679'000'000'000;
  want.pagination_cursor = counting_hash(0x00);
  want.pagination_forward = true;
  want.pagination_limit = 7;
  EXPECT_EQ(*request, want);
  EXPECT_EQ(peer, std::optional<std::string>("/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAmX"));
}

TEST(StoreRequestFromQuery, ContentTopicsSplitOnPlainAndEncodedCommasSkippingEmptyItems) {
  auto request = parse("contentTopics=%2Fa%2F1%2Fx%2Fproto%2C%2Fb%2F1%2Fy%2Fproto,,/c/1/z/proto,");
  ASSERT_TRUE(request.has_value()) << request.error().message();
  EXPECT_EQ(request->content_topics,
            (std::vector<std::string>{"/a/1/x/proto", "/b/1/y/proto", "/c/1/z/proto"}));
}

TEST(StoreRequestFromQuery, HashesWithOrWithoutPrefixInEitherCase) {
  auto request = parse(std::string("hashes=0x") + kHashA + "," + kHashBUpper + ",0X" + kHashB);
  ASSERT_TRUE(request.has_value()) << request.error().message();
  EXPECT_EQ(request->message_hashes,
            (std::vector<Bytes32>{counting_hash(0x00), counting_hash(0xa0), counting_hash(0xa0)}));
  EXPECT_FALSE(request->include_data);  // nwaku's default, for look-ups too
}

TEST(StoreRequestFromQuery, PageSizeZeroAndDescendingAreKept) {
  // 0 reaches the server, which reads it as the default page size (nwaku).
  auto request = parse("pageSize=0&ascending=false&startTime=-5");
  ASSERT_TRUE(request.has_value()) << request.error().message();
  EXPECT_EQ(request->pagination_limit, std::optional<std::uint64_t>(0));
  EXPECT_FALSE(request->pagination_forward);
  EXPECT_EQ(request->time_start_ns, std::optional<std::int64_t>(-5));
}

TEST(StoreRequestFromQuery, PeerAddrWithoutAnOutputIsIgnored) {
  auto request = parse("peerAddr=%2Fip4%2F127.0.0.1%2Ftcp%2F1");
  ASSERT_TRUE(request.has_value()) << request.error().message();
}

class StoreRequestRejects : public testing::TestWithParam<const char*> {};

TEST_P(StoreRequestRejects, WithInvalidArgumentNamingTheProblem) {
  auto request = parse(GetParam());
  ASSERT_FALSE(request.has_value()) << GetParam();
  EXPECT_EQ(request.error().code, Errc::kInvalidArgument);
  EXPECT_FALSE(request.error().message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    BadQueries, StoreRequestRejects,
    testing::Values("startTime=abc", "endTime=1.5", "startTime=12abc",
                    "endTime=99999999999999999999",  // beyond int64
                    "pageSize=-1", "pageSize=x", "ascending=sometimes", "includeData=maybe",
                    "hashes=0x1234",
                    // 63 digits: odd length
                    "hashes=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
                    // 33 bytes
                    "hashes=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
                    "hashes=zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                    "cursor=0x1234", "cursor=0xnothex", "colour=blue", "pageSize=5&colour=blue",
                    "pubsubTopic=%zz", "contentTopics=%2", "peerAddr=%G0"));

store::WakuMessageKeyValue full_entry() {
  store::WakuMessageKeyValue entry;
  entry.message_hash = counting_hash(0x00);
  message::WakuMessage message;
  message.payload = Bytes{'h', 'e', 'l', 'l', 'o'};
  message.content_topic = "/a/1/x/proto";
  message.version = 1;
  message.timestamp = 1'712'345'678'000'000'123;  // more digits than a double holds
  message.meta = Bytes{0xde, 0xad};
  message.rate_limit_proof = Bytes{0x01};
  message.ephemeral = true;
  entry.message = message;
  entry.pubsub_topic = "/waku/2/rs/16/32";
  return entry;
}

TEST(StoreResponseToJson, FullMessageAndCursorAsNwaku) {
  store::StoreQueryResponse response;
  response.request_id = "rest-1";
  response.status_code = 200;
  response.status_desc = "OK";
  response.messages.push_back(full_entry());
  response.pagination_cursor = counting_hash(0xa0);
  EXPECT_EQ(
      store_response_to_json(response),
      std::string(R"({"requestId":"rest-1","statusCode":200,"statusDesc":"OK","messages":[)") +
          R"({"messageHash":"0x)" + kHashA + R"(","message":{"payload":"aGVsbG8=",)" +
          R"("contentTopic":"/a/1/x/proto","version":1,"timestamp":1712345678000000123,)" +
          R"("meta":"3q0=","ephemeral":true,"proof":"AQ=="},)" +
          R"("pubsubTopic":"/waku/2/rs/16/32"}],"paginationCursor":"0x)" + kHashB + R"("})");
}

TEST(StoreResponseToJson, AbsentFieldsTakeTheirDefaults) {
  store::WakuMessageKeyValue entry;
  entry.message_hash = counting_hash(0xa0);
  message::WakuMessage message;
  message.payload = Bytes{0x00};
  message.content_topic = "/b/1/y/proto";
  message.timestamp = 5;
  entry.message = message;
  entry.pubsub_topic = "/waku/2/rs/16/33";
  store::StoreQueryResponse response;
  response.request_id = "r";
  response.status_code = 200;
  response.status_desc = "OK";
  response.messages.push_back(entry);
  EXPECT_EQ(store_response_to_json(response),
            std::string(R"({"requestId":"r","statusCode":200,"statusDesc":"OK","messages":[)") +
                R"({"messageHash":"0x)" + kHashB + R"(","message":{"payload":"AA==",)" +
                R"("contentTopic":"/b/1/y/proto","version":0,"timestamp":5,"ephemeral":false,)" +
                R"("proof":""},"pubsubTopic":"/waku/2/rs/16/33"}]})");
}

TEST(StoreResponseToJson, HashesOnlyEntriesHaveNoMessageOrTopic) {
  store::StoreQueryResponse response;
  response.request_id = "r2";
  response.status_code = 200;
  response.status_desc = "OK";
  store::WakuMessageKeyValue a;
  a.message_hash = counting_hash(0x00);
  store::WakuMessageKeyValue b;
  b.message_hash = counting_hash(0xa0);
  response.messages = {a, b};
  EXPECT_EQ(store_response_to_json(response),
            std::string(R"({"requestId":"r2","statusCode":200,"statusDesc":"OK","messages":[)") +
                R"({"messageHash":"0x)" + kHashA + R"("},{"messageHash":"0x)" + kHashB + R"("}]})");
}

TEST(StoreResponseToJson, ErrorStatusWithNoMessages) {
  store::StoreQueryResponse response;
  response.request_id = "r3";
  response.status_code = 400;
  response.status_desc = "bad request: \"quoted\"";
  EXPECT_EQ(store_response_to_json(response),
            R"({"requestId":"r3","statusCode":400,"statusDesc":"bad request: \"quoted\"",)"
            R"("messages":[]})");
}

}  // namespace
}  // namespace waku::runtime
