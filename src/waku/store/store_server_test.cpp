#include "waku/store/store_server.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "waku/archive/memory_archive.hpp"
#include "waku/codec/store_codec.hpp"

namespace waku::store {
namespace {

constexpr std::string_view kShard = "/waku/2/rs/16/32";

Bytes32 hash_of(std::uint8_t first, std::uint8_t last = 0) {
  Bytes32 out{};
  out[0] = first;
  out[31] = last;
  return out;
}

archive::ArchivedMessage make(std::int64_t ts, Bytes32 hash,
                              std::string content = "/app/1/a/proto") {
  archive::ArchivedMessage m;
  m.hash = hash;
  m.pubsub_topic = std::string(kShard);
  m.message.payload = Bytes{static_cast<std::uint8_t>(ts)};
  m.message.content_topic = std::move(content);
  m.message.timestamp = ts;
  return m;
}

crypto::PeerId peer(std::uint8_t n) {
  Bytes multihash{0x12, 0x20};
  multihash.resize(34, n);
  return crypto::PeerId::from_bytes(multihash).value();
}

// Order by (timestamp, hash): a(10) < b(20, 0x02) < c(20, 0x05) < d(30) < e(40).
class StoreServerWithArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<archive::ArchivedMessage> all = {
        make(40, hash_of(0x01)), make(20, hash_of(0x05)), make(10, hash_of(0x09)),
        make(30, hash_of(0x03), "/app/1/b/proto"), make(20, hash_of(0x02))};
    ASSERT_EQ(archive_.put(all).value(), 5U);
  }

  // Runs a request through the server and the archive, like a host would.
  StoreQueryResponse ask(const StoreQueryRequest& request) { return ask(server_, request); }
  StoreQueryResponse ask(StoreServer& server, const StoreQueryRequest& request) {
    auto outcome = server.handle_request(now_, peer(1), codec::encode_store_request(request));
    if (auto* response = std::get_if<StoreQueryResponse>(&outcome)) return *response;
    const auto& command = std::get<ArchiveQueryCommand>(outcome);
    auto response = server.handle_archive_completion(command.ticket, archive_.query(command.query));
    EXPECT_TRUE(response.has_value());
    last_encoded_bytes_ = codec::encode_store_response(*response).size();
    // Through the wire and back, as the client would see it.
    return codec::decode_store_response(codec::encode_store_response(*response)).value();
  }

  static std::vector<std::int64_t> timestamps(const StoreQueryResponse& response) {
    std::vector<std::int64_t> out;
    for (const auto& m : response.messages) out.push_back(m.message ? *m.message->timestamp : -1);
    return out;
  }

  archive::MemoryArchive archive_;
  StoreServer server_{StoreServerConfig{.rate_limit = {.requests = 0}}};
  std::size_t last_encoded_bytes_{0};
  Instant now_ = Instant::from_nanoseconds(1'000'000'000);
};

TEST_F(StoreServerWithArchive, BackwardPagesAreAscendingAndCursorIsFirstEntry) {
  StoreQueryRequest request;
  request.request_id = "q1";
  request.include_data = true;
  request.pubsub_topic = std::string(kShard);
  request.pagination_limit = 2;

  auto page = ask(request);
  EXPECT_EQ(page.request_id, "q1");
  EXPECT_EQ(page.status_code, 200U);
  EXPECT_EQ(page.status_desc, "OK");
  EXPECT_EQ(timestamps(page), (std::vector<std::int64_t>{30, 40}));
  EXPECT_EQ(page.pagination_cursor, hash_of(0x03));

  request.pagination_cursor = page.pagination_cursor;
  page = ask(request);
  EXPECT_EQ(timestamps(page), (std::vector<std::int64_t>{20, 20}));
  EXPECT_EQ(page.messages[0].message_hash, hash_of(0x02));
  EXPECT_EQ(page.messages[1].message_hash, hash_of(0x05));
  EXPECT_EQ(page.pagination_cursor, hash_of(0x02));

  request.pagination_cursor = page.pagination_cursor;
  page = ask(request);
  EXPECT_EQ(timestamps(page), (std::vector<std::int64_t>{10}));
  EXPECT_FALSE(page.pagination_cursor.has_value());
  EXPECT_EQ(page.messages[0].pubsub_topic, std::string(kShard));
}

TEST_F(StoreServerWithArchive, ForwardHashesOnlyWithTopicAndTimeFilter) {
  StoreQueryRequest request;
  request.request_id = "q2";
  request.pubsub_topic = std::string(kShard);
  request.content_topics = {"/app/1/a/proto"};
  request.time_start_ns = 20;
  request.time_end_ns = 40;  // inclusive
  request.pagination_forward = true;
  const auto page = ask(request);
  ASSERT_EQ(page.messages.size(), 3U);
  EXPECT_EQ(page.messages[0].message_hash, hash_of(0x02));
  EXPECT_EQ(page.messages[1].message_hash, hash_of(0x05));
  EXPECT_EQ(page.messages[2].message_hash, hash_of(0x01));
  for (const auto& m : page.messages) {
    EXPECT_FALSE(m.message.has_value());
    EXPECT_FALSE(m.pubsub_topic.has_value());
  }
  EXPECT_FALSE(page.pagination_cursor.has_value());
}

TEST_F(StoreServerWithArchive, HashLookupAndPresence) {
  StoreQueryRequest request;
  request.request_id = "q3";
  request.message_hashes = {hash_of(0x03), hash_of(0x77), hash_of(0x09)};
  const auto page = ask(request);
  ASSERT_EQ(page.messages.size(), 2U);
  EXPECT_EQ(page.messages[0].message_hash, hash_of(0x09));  // ts 10 first
  EXPECT_EQ(page.messages[1].message_hash, hash_of(0x03));
}

TEST_F(StoreServerWithArchive, UnknownCursorIsArchiveError300) {
  StoreQueryRequest request;
  request.request_id = "q4";
  request.pagination_cursor = hash_of(0x42);
  const auto page = ask(request);
  EXPECT_EQ(page.request_id, "q4");
  EXPECT_EQ(page.status_code, 300U);
  EXPECT_EQ(page.status_desc, "archive error: archive: cursor not found");
  EXPECT_EQ(server_.stats().archive_errors, 1U);
}

TEST(StoreServer, BuildsArchiveQueryWithNwakuPageSizes) {
  StoreServer server(StoreServerConfig{.rate_limit = {.requests = 0}});
  StoreQueryRequest request;
  request.request_id = "x";
  const auto limit_of = [&](std::optional<std::uint64_t> limit) {
    request.pagination_limit = limit;
    auto outcome = server.handle_request(Instant(), peer(1), request);
    const auto& command = std::get<ArchiveQueryCommand>(outcome);
    EXPECT_EQ(command.query.direction, archive::PageDirection::kBackward);
    EXPECT_EQ(command.query.include_data, archive::IncludeData::kHashesOnly);
    return command.query.limit;
  };
  EXPECT_EQ(limit_of(std::nullopt), 20U);
  EXPECT_EQ(limit_of(0), 20U);
  EXPECT_EQ(limit_of(7), 7U);
  EXPECT_EQ(limit_of(100), 100U);
  EXPECT_EQ(limit_of(101), 100U);
  EXPECT_EQ(limit_of(~std::uint64_t{0}), 100U);
}

TEST(StoreServer, RefusesBadRequestsWith400) {
  StoreServer server(StoreServerConfig{.rate_limit = {.requests = 0}});
  StoreQueryRequest mixed;
  mixed.request_id = "m";
  mixed.content_topics = {"/app/1/chat/proto"};
  mixed.message_hashes = {hash_of(1)};
  auto outcome = server.handle_request(Instant(), peer(1), mixed);
  auto response = std::get<StoreQueryResponse>(outcome);
  EXPECT_EQ(response.request_id, "m");
  EXPECT_EQ(response.status_code, 400U);
  EXPECT_EQ(response.status_desc,
            "bad request: message hashes cannot be combined with content topics or a time range");

  // A pubsub topic with hashes is a hash look-up within that topic (js-waku sends it so).
  StoreQueryRequest hashes_in_topic;
  hashes_in_topic.pubsub_topic = std::string(kShard);
  hashes_in_topic.message_hashes = {hash_of(1)};
  StoreServer other_server(StoreServerConfig{.rate_limit = {.requests = 0}});
  const auto lookup = other_server.handle_request(Instant(), peer(1), hashes_in_topic);
  ASSERT_TRUE(std::holds_alternative<ArchiveQueryCommand>(lookup));
  EXPECT_EQ(std::get<ArchiveQueryCommand>(lookup).query.pubsub_topic, std::string(kShard));

  StoreQueryRequest zero_cursor;
  zero_cursor.request_id = "z";
  zero_cursor.pagination_cursor = Bytes32{};
  response = std::get<StoreQueryResponse>(server.handle_request(Instant(), peer(1), zero_cursor));
  EXPECT_EQ(response.status_code, 400U);
  EXPECT_EQ(response.status_desc, "bad request: invalid cursor: all zeros");

  response = std::get<StoreQueryResponse>(server.handle_request(Instant(), peer(1), Bytes{0xff}));
  EXPECT_EQ(response.request_id, "");
  EXPECT_EQ(response.status_code, 400U);
  EXPECT_EQ(response.status_desc.rfind("decoding rpc failed: ", 0), 0U) << response.status_desc;
  EXPECT_EQ(server.stats().bad_requests, 3U);
  EXPECT_EQ(server.queries_in_flight(), 0U);

  // Pubsub topic alone and content topics alone are accepted (nwaku).
  StoreQueryRequest shard_only;
  shard_only.pubsub_topic = std::string(kShard);
  EXPECT_TRUE(std::holds_alternative<ArchiveQueryCommand>(
      server.handle_request(Instant(), peer(1), shard_only)));
  StoreQueryRequest topics_only;
  topics_only.content_topics = {"/a/1/b/c"};
  EXPECT_TRUE(std::holds_alternative<ArchiveQueryCommand>(
      server.handle_request(Instant(), peer(1), topics_only)));
}

TEST(StoreServer, RateLimitsPerPeerWithTokenBucket) {
  // 2 requests per second, burst 2: a request costs 500 ms of credit.
  StoreServer server(StoreServerConfig{.rate_limit = {.requests = 2, .period = 1s, .burst = 2}});
  StoreQueryRequest request;
  request.request_id = "r";
  const auto code = [&](Instant at, std::uint8_t who) {
    auto outcome = server.handle_request(at, peer(who), request);
    if (auto* command = std::get_if<ArchiveQueryCommand>(&outcome)) {
      (void)server.handle_archive_completion(command->ticket, archive::ArchivePage{});
      return 200U;
    }
    const auto& response = std::get<StoreQueryResponse>(outcome);
    EXPECT_EQ(response.request_id, "r");
    return response.status_code;
  };
  const Instant t0 = Instant::from_nanoseconds(5'000'000'000);
  EXPECT_EQ(code(t0, 1), 200U);
  EXPECT_EQ(code(t0, 1), 200U);
  EXPECT_EQ(code(t0, 1), 429U);
  EXPECT_EQ(code(t0, 2), 200U);  // another peer has its own bucket
  EXPECT_EQ(code(t0 + 499ms, 1), 429U);
  EXPECT_EQ(code(t0 + 500ms, 1), 200U);
  EXPECT_EQ(code(t0 + 500ms, 1), 429U);
  EXPECT_EQ(code(t0 + 10s, 1), 200U);  // refills to the burst, not beyond
  EXPECT_EQ(code(t0 + 10s, 1), 200U);
  EXPECT_EQ(code(t0 + 10s, 1), 429U);
  EXPECT_EQ(server.stats().rate_limited, 4U);
}

TEST(StoreServer, RateLimiterTableIsBounded) {
  RateLimiter limiter({.requests = 1, .period = 1s, .burst = 1, .max_peers = 3});
  const Instant t0;
  for (std::uint8_t i = 1; i <= 3; ++i)
    EXPECT_TRUE(limiter.try_acquire(t0 + std::chrono::milliseconds(i), peer(i)));
  EXPECT_EQ(limiter.tracked_peers(), 3U);
  // All three are busy: the least recently seen (peer 1) is forgotten for peer 4.
  EXPECT_TRUE(limiter.try_acquire(t0 + 10ms, peer(4)));
  EXPECT_EQ(limiter.tracked_peers(), 3U);
  EXPECT_FALSE(limiter.try_acquire(t0 + 11ms, peer(2)));
  EXPECT_TRUE(limiter.try_acquire(t0 + 11ms, peer(1)));  // forgotten, so a fresh bucket
}

TEST(StoreServer, BoundsQueriesInFlightWith503) {
  StoreServer server(StoreServerConfig{.rate_limit = {.requests = 0}, .max_queries_in_flight = 2});
  StoreQueryRequest request;
  request.request_id = "f";
  auto a = std::get<ArchiveQueryCommand>(server.handle_request(Instant(), peer(1), request));
  auto b = std::get<ArchiveQueryCommand>(server.handle_request(Instant(), peer(1), request));
  EXPECT_NE(a.ticket, b.ticket);
  auto refused = std::get<StoreQueryResponse>(server.handle_request(Instant(), peer(1), request));
  EXPECT_EQ(refused.status_code, 503U);
  EXPECT_EQ(server.queries_in_flight(), 2U);

  auto answered = server.handle_archive_completion(a.ticket, archive::ArchivePage{});
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status_code, 200U);
  EXPECT_FALSE(server.handle_archive_completion(a.ticket, archive::ArchivePage{}).has_value());
  EXPECT_TRUE(std::holds_alternative<ArchiveQueryCommand>(
      server.handle_request(Instant(), peer(1), request)));

  auto failed = server.handle_archive_completion(
      b.ticket, Result<archive::ArchivePage>(unexpected(Errc::kIo, "sqlite: disk I/O error")));
  EXPECT_EQ(failed->status_code, 300U);
  EXPECT_EQ(failed->status_desc, "archive error: sqlite: disk I/O error");
}

// A server whose answers must fit fewer bytes than a page takes cuts pages short; following the
// cursors still visits every message once, in order, in both directions.
TEST_F(StoreServerWithArchive, PagesCutToTheResponseLimitStillVisitEveryMessageOnce) {
  StoreQueryRequest request;
  request.include_data = true;
  request.pubsub_topic = std::string(kShard);
  request.pagination_limit = 2;
  (void)ask(request);
  const std::size_t two_messages = last_encoded_bytes_;  // a page of two, uncut

  for (const bool forward : {true, false}) {
    StoreServer server{
        StoreServerConfig{.rate_limit = {.requests = 0}, .max_response_bytes = two_messages}};
    request.pagination_limit = 5;  // the whole archive: more than fits
    request.pagination_forward = forward;
    request.pagination_cursor.reset();
    std::vector<std::int64_t> seen;
    for (int pages = 0; pages < 10; ++pages) {
      const auto page = ask(server, request);
      ASSERT_EQ(page.status_code, 200U);
      EXPECT_LE(last_encoded_bytes_, two_messages);
      ASSERT_FALSE(page.messages.empty());
      // Pages run in the query's direction; each page is ascending.
      std::vector<std::int64_t> stamps = timestamps(page);
      if (!forward) seen.insert(seen.begin(), stamps.begin(), stamps.end());
      if (forward) seen.insert(seen.end(), stamps.begin(), stamps.end());
      if (!page.pagination_cursor) break;
      request.pagination_cursor = page.pagination_cursor;
    }
    EXPECT_EQ(seen, (std::vector<std::int64_t>{10, 20, 20, 30, 40})) << "forward " << forward;
    EXPECT_GT(server.stats().pages_cut, 0U);
    EXPECT_EQ(server.stats().messages_returned, 5U);
  }
}

TEST(StoreServer, FitResponseKeepsAtLeastOneMessageAndLeavesAFittingPageAlone) {
  StoreQueryResponse response;
  response.status_code = 200;
  for (std::uint8_t i = 1; i <= 3; ++i) {
    WakuMessageKeyValue entry;
    entry.message_hash = hash_of(i);
    entry.message = message::WakuMessage{};
    entry.message->payload = Bytes(1000, i);
    entry.message->content_topic = "/app/1/a/proto";
    entry.pubsub_topic = std::string(kShard);
    response.messages.push_back(entry);
  }
  StoreQueryResponse fits = response;
  EXPECT_FALSE(fit_response(fits, true, codec::encode_store_response(response).size()));
  EXPECT_EQ(fits, response);

  StoreQueryResponse forward = response;
  EXPECT_TRUE(fit_response(forward, true, 100));
  ASSERT_EQ(forward.messages.size(), 1U);
  EXPECT_EQ(forward.messages[0].message_hash, hash_of(1));
  EXPECT_EQ(forward.pagination_cursor, hash_of(1));

  StoreQueryResponse backward = response;
  EXPECT_TRUE(fit_response(backward, false, 2500));
  ASSERT_EQ(backward.messages.size(), 2U);  // two of ~1,060 bytes fit in 2,500
  EXPECT_EQ(backward.messages[0].message_hash, hash_of(2));
  EXPECT_EQ(backward.pagination_cursor, hash_of(2));
  EXPECT_LE(codec::encode_store_response(backward).size(), 2500U);
}

}  // namespace
}  // namespace waku::store
