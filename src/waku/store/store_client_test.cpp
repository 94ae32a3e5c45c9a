#include "waku/store/store_client.hpp"

#include <gtest/gtest.h>

#include <set>
#include <variant>

#include "waku/archive/memory_archive.hpp"
#include "waku/codec/store_codec.hpp"
#include "waku/store/store_server.hpp"

namespace waku::store {
namespace {

constexpr std::string_view kShard = "/waku/2/rs/16/32";

StoreQueryRequest shard_query() {
  StoreQueryRequest request;
  request.pubsub_topic = std::string(kShard);
  request.content_topics = {"/app/1/a/proto"};
  return request;
}

TEST(StoreClient, AssignsFreshIdsAndValidates) {
  StoreClient client({}, Rng(7));
  auto a = client.start_query(Instant(), shard_query());
  auto b = client.start_query(Instant(), shard_query());
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->request_id.size(), 32U);
  EXPECT_NE(a->request_id, b->request_id);
  EXPECT_EQ(client.pending(), 2U);

  StoreQueryRequest mixed = shard_query();
  mixed.message_hashes = {Bytes32{}};
  EXPECT_EQ(client.start_query(Instant(), mixed).error().code, Errc::kInvalidArgument);
  StoreQueryRequest no_shard;
  no_shard.content_topics = {"/app/1/a/proto"};
  EXPECT_EQ(client.start_query(Instant(), no_shard).error().code, Errc::kInvalidArgument);
  StoreQueryRequest reversed = shard_query();
  reversed.time_start_ns = 10;
  reversed.time_end_ns = 9;
  EXPECT_EQ(client.start_query(Instant(), reversed).error().code, Errc::kInvalidArgument);
  StoreQueryRequest big_page = shard_query();
  big_page.pagination_limit = 101;
  EXPECT_EQ(client.start_query(Instant(), big_page).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(client.pending(), 2U);

  StoreClient small({.max_pending = 1}, Rng(7));
  EXPECT_TRUE(small.start_query(Instant(), shard_query()).has_value());
  EXPECT_EQ(small.start_query(Instant(), shard_query()).error().code, Errc::kLimitExceeded);
}

TEST(StoreClient, MatchesResponsesById) {
  StoreClient client({}, Rng(1));
  const auto request = client.start_query(Instant(), shard_query()).value();
  StoreQueryResponse response;
  response.request_id = "someone-else";
  response.status_code = 200;
  EXPECT_EQ(
      client.handle_response(Instant(), request.request_id, codec::encode_store_response(response))
          .error()
          .code,
      Errc::kInvalidMessage);
  EXPECT_EQ(client.pending(), 0U);
  EXPECT_EQ(
      client.handle_response(Instant(), request.request_id, codec::encode_store_response(response))
          .error()
          .code,
      Errc::kNotFound);

  // nwaku's anonymous error answers are accepted; anonymous successes are not.
  const auto second = client.start_query(Instant(), shard_query()).value();
  const auto rate_limited = client.handle_response(
      Instant(), second.request_id,
      codec::encode_store_response(error_response("N/A", StatusCode::kTooManyRequests, "limited")));
  ASSERT_TRUE(rate_limited.has_value());
  EXPECT_EQ(rate_limited->status_code, 429U);

  const auto third = client.start_query(Instant(), shard_query()).value();
  response.request_id = "";
  EXPECT_FALSE(
      client.handle_response(Instant(), third.request_id, codec::encode_store_response(response))
          .has_value());

  const auto fourth = client.start_query(Instant(), shard_query()).value();
  EXPECT_EQ(client.handle_response(Instant(), fourth.request_id, Bytes{0xff}).error().code,
            Errc::kDecode);
}

TEST(StoreClient, ExpiresUnansweredQueries) {
  StoreClient client({.request_timeout = 10s}, Rng(1));
  const auto a = client.start_query(Instant(), shard_query()).value();
  const auto b = client.start_query(Instant() + 1s, shard_query()).value();
  EXPECT_EQ(client.poll_timeout(), Instant() + 10s);
  client.handle_timeout(Instant() + 10s);
  EXPECT_EQ(client.poll_expired(), a.request_id);
  EXPECT_FALSE(client.poll_expired().has_value());
  EXPECT_EQ(client.poll_timeout(), Instant() + 11s);
  client.handle_stream_failed(b.request_id);
  EXPECT_EQ(client.pending(), 0U);
  EXPECT_EQ(client.poll_timeout(), Instant::max());
}

// Client and server cores over the wire encoding, paging forward through a hand-built archive.
TEST(StoreClient, PagesThroughAServerToTheEnd) {
  archive::MemoryArchive archive;
  std::vector<archive::ArchivedMessage> rows;
  for (std::uint8_t i = 0; i < 7; ++i) {
    archive::ArchivedMessage row;
    row.hash[0] = static_cast<std::uint8_t>(100 - i);  // hash order opposite to insertion
    row.pubsub_topic = std::string(kShard);
    row.message.content_topic = i % 3 == 2 ? "/app/1/other/proto" : "/app/1/a/proto";
    row.message.timestamp = 1000 + i / 2;  // pairs share a timestamp
    rows.push_back(row);
  }
  ASSERT_EQ(archive.put(rows).value(), 7U);

  StoreServer server(StoreServerConfig{.rate_limit = {.requests = 0}});
  StoreClient client({}, Rng(3));
  crypto::PeerId peer =
      crypto::PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();

  StoreQueryRequest query = shard_query();
  query.pagination_forward = true;
  query.pagination_limit = 2;
  std::vector<std::uint8_t> seen;
  int pages = 0;
  std::optional<StoreQueryRequest> next = query;
  while (next && pages < 10) {
    const auto request = client.start_query(Instant(), *next).value();
    auto outcome = server.handle_request(Instant(), peer, codec::encode_store_request(request));
    const auto& command = std::get<ArchiveQueryCommand>(outcome);
    const auto response =
        server.handle_archive_completion(command.ticket, archive.query(command.query));
    const auto received = client.handle_response(Instant(), request.request_id,
                                                 codec::encode_store_response(*response));
    ASSERT_TRUE(received.has_value()) << received.error().message();
    for (const auto& m : received->messages) seen.push_back(m.message_hash[0]);
    next = next_page(request, *received);
    ++pages;
  }
  // Matching rows are i = 0, 1, 3, 4, 6 (hash 100 - i); (ts, hash) order: ts 1000 {99, 100},
  // ts 1001 {97}, ts 1002 {96}, ts 1003 {94}.
  EXPECT_EQ(seen, (std::vector<std::uint8_t>{99, 100, 97, 96, 94}));
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace waku::store
