// The archive driver conformance suite: one set of tests, run against every ArchiveDriver (the
// in-memory reference, SQLite on a temporary file, and PostgreSQL when WAKU_TEST_POSTGRES_URL
// names a throwaway database; scripts/with-postgres.sh provides one). Each test starts from an
// empty archive. Expected answers come from hand-built archives with a known order, and from an
// oracle (sort by (timestamp, hash), filter with archive::matches) for seeded random archives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "archive/postgres/postgres_driver.hpp"
#include "archive/sqlite/sqlite_driver.hpp"
#include "waku/archive/archive.hpp"
#include "waku/archive/memory_archive.hpp"
#include "waku/base/rng.hpp"

namespace waku::archive {
namespace {

std::string postgres_url() {
  // Read once, before any test thread starts. NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* url = std::getenv("WAKU_TEST_POSTGRES_URL");
  return url != nullptr ? std::string(url) : std::string();
}

struct DriverKind {
  std::string name;
};

std::vector<DriverKind> driver_kinds() {
  std::vector<DriverKind> kinds = {{"memory"}, {"sqlite"}};
  if (!postgres_url().empty()) kinds.push_back({"postgres"});
  return kinds;
}

constexpr std::string_view kShardA = "/waku/2/rs/16/32";
constexpr std::string_view kShardB = "/waku/2/rs/16/64";

MessageHash hash_of(std::uint8_t first, std::uint8_t second = 0) {
  MessageHash hash{};
  hash[0] = first;
  hash[1] = second;
  hash[31] = 0x5a;
  return hash;
}

ArchivedMessage row(std::int64_t ts, MessageHash hash, std::string_view shard = kShardA,
                    std::string content = "/app/1/a/proto") {
  ArchivedMessage m;
  m.hash = hash;
  m.pubsub_topic = std::string(shard);
  m.message.payload = Bytes{static_cast<std::uint8_t>(ts), hash[0]};
  m.message.content_topic = std::move(content);
  m.message.timestamp = ts;
  return m;
}

std::vector<MessageHash> hashes(const std::vector<ArchivedMessage>& messages) {
  std::vector<MessageHash> out;
  for (const auto& m : messages) out.push_back(m.hash);
  return out;
}

bool store_order(const ArchivedMessage& a, const ArchivedMessage& b) {
  const auto ta = a.message.timestamp_or_zero();
  const auto tb = b.message.timestamp_or_zero();
  return ta != tb ? ta < tb : a.hash < b.hash;
}

class ArchiveDriverTest : public ::testing::TestWithParam<DriverKind> {
 protected:
  void SetUp() override {
    const auto& kind = GetParam().name;
    if (kind == "memory") {
      driver_ = std::make_unique<MemoryArchive>();
    } else if (kind == "sqlite") {
      static std::atomic<int> counter{0};
      path_ = std::filesystem::path(::testing::TempDir()) /
              ("waku_archive_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
               ".sqlite3");
      remove_files();
      auto opened = sqlite::open_sqlite_archive(path_.string());
      ASSERT_TRUE(opened.has_value()) << opened.error().message();
      driver_ = std::move(*opened);
    } else {
      const std::string url = postgres_url();
      auto reset = postgres::reset_postgres_archive(url);
      ASSERT_TRUE(reset.has_value()) << reset.error().message();
      auto opened = postgres::open_postgres_archive(url);
      ASSERT_TRUE(opened.has_value()) << opened.error().message();
      driver_ = std::move(*opened);
    }
  }
  void TearDown() override {
    driver_.reset();
    if (!path_.empty()) remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }

  void put_all(const std::vector<ArchivedMessage>& rows) {
    auto added = driver_->put(rows);
    ASSERT_TRUE(added.has_value()) << added.error().message();
  }

  ArchivePage must_query(const ArchiveQuery& query) {
    auto page = driver_->query(query);
    EXPECT_TRUE(page.has_value()) << page.error().message();
    return page.has_value() ? *page : ArchivePage{};
  }

  // Every page of `query` from the start, in the order the pages come.
  std::vector<ArchivePage> all_pages(ArchiveQuery query) {
    std::vector<ArchivePage> pages;
    for (int i = 0; i < 1000; ++i) {
      auto page = must_query(query);
      pages.push_back(page);
      if (!page.next_cursor) break;
      query.cursor = page.next_cursor;
    }
    return pages;
  }

  std::unique_ptr<ArchiveDriver> driver_;
  std::filesystem::path path_;
};

// Nine rows inserted out of order; store order is by timestamp, then hash bytes:
// t10 {h(0x30)}, t20 {h(0x01), h(0x02,0x01), h(0x02,0x02)}, t30 {h(0x10)}, t40 {h(0x05)},
// t50 {h(0x40)}, t60 {h(0x20), h(0x21)}.
std::vector<ArchivedMessage> known_rows() {
  return {row(60, hash_of(0x21)), row(20, hash_of(0x02, 0x02)), row(10, hash_of(0x30)),
          row(40, hash_of(0x05)), row(20, hash_of(0x01)),       row(50, hash_of(0x40)),
          row(30, hash_of(0x10)), row(60, hash_of(0x20)),       row(20, hash_of(0x02, 0x01))};
}
std::vector<MessageHash> known_order() {
  return {hash_of(0x30), hash_of(0x01), hash_of(0x02, 0x01), hash_of(0x02, 0x02), hash_of(0x10),
          hash_of(0x05), hash_of(0x40), hash_of(0x20),       hash_of(0x21)};
}

TEST_P(ArchiveDriverTest, EmptyArchive) {
  EXPECT_EQ(driver_->message_count().value(), 0U);
  EXPECT_FALSE(driver_->oldest_timestamp_ns().value().has_value());
  const auto page = must_query(ArchiveQuery{});
  EXPECT_TRUE(page.messages.empty());
  EXPECT_FALSE(page.next_cursor.has_value());
  EXPECT_EQ(driver_->delete_oldest(5).value(), 0U);
  EXPECT_EQ(driver_->delete_older_than(1000).value(), 0U);
}

TEST_P(ArchiveDriverTest, OrdersByTimestampThenHash) {
  put_all(known_rows());
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.limit = 100;
  EXPECT_EQ(hashes(must_query(query).messages), known_order());
  query.direction = PageDirection::kBackward;
  EXPECT_EQ(hashes(must_query(query).messages), known_order());  // pages are always ascending
}

TEST_P(ArchiveDriverTest, ForwardPagesWithCursors) {
  put_all(known_rows());
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.limit = 4;
  const auto pages = all_pages(query);
  ASSERT_EQ(pages.size(), 3U);
  const auto order = known_order();
  EXPECT_EQ(hashes(pages[0].messages), std::vector<MessageHash>(order.begin(), order.begin() + 4));
  EXPECT_EQ(pages[0].next_cursor, order[3]);  // the last entry
  EXPECT_EQ(hashes(pages[1].messages),
            std::vector<MessageHash>(order.begin() + 4, order.begin() + 8));
  EXPECT_EQ(pages[1].next_cursor, order[7]);
  EXPECT_EQ(hashes(pages[2].messages), std::vector<MessageHash>(order.begin() + 8, order.end()));
  EXPECT_FALSE(pages[2].next_cursor.has_value());
}

TEST_P(ArchiveDriverTest, BackwardPagesWithCursors) {
  put_all(known_rows());
  ArchiveQuery query;
  query.direction = PageDirection::kBackward;
  query.limit = 4;
  const auto pages = all_pages(query);
  ASSERT_EQ(pages.size(), 3U);
  const auto order = known_order();
  // Newest four first, each page ascending, the cursor the first entry.
  EXPECT_EQ(hashes(pages[0].messages), std::vector<MessageHash>(order.begin() + 5, order.end()));
  EXPECT_EQ(pages[0].next_cursor, order[5]);
  EXPECT_EQ(hashes(pages[1].messages),
            std::vector<MessageHash>(order.begin() + 1, order.begin() + 5));
  EXPECT_EQ(pages[1].next_cursor, order[1]);
  EXPECT_EQ(hashes(pages[2].messages), std::vector<MessageHash>(order.begin(), order.begin() + 1));
  EXPECT_FALSE(pages[2].next_cursor.has_value());
}

TEST_P(ArchiveDriverTest, ExactlyFullLastPageHasNoCursor) {
  put_all(known_rows());
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.limit = 9;
  const auto page = must_query(query);
  EXPECT_EQ(page.messages.size(), 9U);
  EXPECT_FALSE(page.next_cursor.has_value());
  query.limit = 8;
  EXPECT_EQ(must_query(query).next_cursor, known_order()[7]);
}

TEST_P(ArchiveDriverTest, TimeBoundsAreInclusive) {
  put_all(known_rows());
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.limit = 100;
  query.start_time_ns = 20;
  query.end_time_ns = 40;
  const auto order = known_order();
  EXPECT_EQ(hashes(must_query(query).messages),
            std::vector<MessageHash>(order.begin() + 1, order.begin() + 6));
  query.start_time_ns = 41;
  query.end_time_ns = 49;
  EXPECT_TRUE(must_query(query).messages.empty());
  query.start_time_ns = 60;
  query.end_time_ns = std::nullopt;
  EXPECT_EQ(hashes(must_query(query).messages),
            (std::vector<MessageHash>{hash_of(0x20), hash_of(0x21)}));
}

TEST_P(ArchiveDriverTest, FiltersByPubsubAndContentTopicSets) {
  put_all({row(1, hash_of(1), kShardA, "/a"), row(2, hash_of(2), kShardA, "/b"),
           row(3, hash_of(3), kShardA, "/c"), row(4, hash_of(4), kShardB, "/a"),
           row(5, hash_of(5), kShardA, "/a"), row(6, hash_of(6), kShardB, "/c")});
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.pubsub_topic = std::string(kShardA);
  query.content_topics = {"/a", "/c"};
  EXPECT_EQ(hashes(must_query(query).messages),
            (std::vector<MessageHash>{hash_of(1), hash_of(3), hash_of(5)}));
  query.pubsub_topic.reset();
  EXPECT_EQ(hashes(must_query(query).messages),
            (std::vector<MessageHash>{hash_of(1), hash_of(3), hash_of(4), hash_of(5), hash_of(6)}));
  query.pubsub_topic = std::string(kShardB);
  query.content_topics.clear();
  EXPECT_EQ(hashes(must_query(query).messages), (std::vector<MessageHash>{hash_of(4), hash_of(6)}));
  query.content_topics = {"/nothing"};
  EXPECT_TRUE(must_query(query).messages.empty());
}

TEST_P(ArchiveDriverTest, HashLookupsAndHashesOnly) {
  put_all(known_rows());
  ArchiveQuery query;
  query.hashes = {hash_of(0x40), hash_of(0x77), hash_of(0x30)};
  query.include_data = IncludeData::kHashesOnly;
  const auto page = must_query(query);
  ASSERT_EQ(page.messages.size(), 2U);
  ArchivedMessage hash_only;
  hash_only.hash = hash_of(0x30);
  EXPECT_EQ(page.messages[0], hash_only);
  hash_only.hash = hash_of(0x40);
  EXPECT_EQ(page.messages[1], hash_only);
  query.include_data = IncludeData::kFull;
  const auto full = must_query(query);
  ASSERT_EQ(full.messages.size(), 2U);
  EXPECT_EQ(full.messages[0], row(10, hash_of(0x30)));
}

TEST_P(ArchiveDriverTest, UnknownCursorIsNotFound) {
  put_all(known_rows());
  ArchiveQuery query;
  query.cursor = hash_of(0x99);
  const auto page = driver_->query(query);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Errc::kNotFound);
}

TEST_P(ArchiveDriverTest, CursorNeedNotMatchTheCriteria) {
  put_all({row(1, hash_of(1), kShardA, "/a"), row(2, hash_of(2), kShardB, "/b"),
           row(3, hash_of(3), kShardA, "/a")});
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  query.pubsub_topic = std::string(kShardA);
  query.cursor = hash_of(2);
  EXPECT_EQ(hashes(must_query(query).messages), (std::vector<MessageHash>{hash_of(3)}));
}

TEST_P(ArchiveDriverTest, DuplicatesAreStoredOnce) {
  const auto rows = known_rows();
  EXPECT_EQ(driver_->put(rows).value(), 9U);
  EXPECT_EQ(driver_->put(rows).value(), 0U);
  // A later copy with other content but the same hash leaves the first untouched.
  auto changed = row(10, hash_of(0x30));
  changed.message.payload = to_bytes("changed");
  const std::vector<ArchivedMessage> batch = {row(70, hash_of(0x70)), changed,
                                              row(70, hash_of(0x70))};
  EXPECT_EQ(driver_->put(batch).value(), 1U);
  EXPECT_EQ(driver_->message_count().value(), 10U);
  ArchiveQuery query;
  query.hashes = {hash_of(0x30)};
  EXPECT_EQ(must_query(query).messages.at(0), row(10, hash_of(0x30)));
  EXPECT_EQ(driver_->put(std::span<const ArchivedMessage>()).value(), 0U);
}

TEST_P(ArchiveDriverTest, KeepsEveryFieldAndItsPresence) {
  ArchivedMessage all = row(5, hash_of(1));
  all.message.payload = Bytes{};  // present but empty
  all.message.version = 0;        // present with the default value
  all.message.meta = Bytes{};     // present but empty
  all.message.rate_limit_proof = Bytes{0xde, 0xad};
  all.message.ephemeral = false;
  ArchivedMessage none = row(6, hash_of(2));
  none.message.payload = Bytes(150 * 1024, 0xab);
  ArchivedMessage some = row(7, hash_of(3), kShardA, "");
  some.message.version = 4'000'000'000U;
  some.message.meta = Bytes(64, 0x01);
  put_all({all, none, some});
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  const auto page = must_query(query);
  ASSERT_EQ(page.messages.size(), 3U);
  EXPECT_EQ(page.messages[0], all);
  EXPECT_EQ(page.messages[1], none);
  EXPECT_EQ(page.messages[2], some);
}

TEST_P(ArchiveDriverTest, RetentionOperations) {
  put_all(known_rows());
  EXPECT_EQ(driver_->message_count().value(), 9U);
  EXPECT_EQ(driver_->oldest_timestamp_ns().value(), 10);
  EXPECT_GT(driver_->size_bytes().value(), 0U);

  EXPECT_EQ(driver_->delete_older_than(20).value(), 1U);  // strictly older
  EXPECT_EQ(driver_->oldest_timestamp_ns().value(), 20);
  EXPECT_EQ(driver_->delete_oldest(2).value(), 2U);  // h(0x01), h(0x02,0x01)
  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  const auto order = known_order();
  EXPECT_EQ(hashes(must_query(query).messages),
            std::vector<MessageHash>(order.begin() + 3, order.end()));
  EXPECT_EQ(driver_->delete_older_than(55).value(), 4U);
  EXPECT_EQ(driver_->message_count().value(), 2U);
  EXPECT_EQ(driver_->delete_oldest(100).value(), 2U);
  EXPECT_EQ(driver_->message_count().value(), 0U);
  EXPECT_FALSE(driver_->oldest_timestamp_ns().value().has_value());
}

// Seeded random archives against the oracle: every page of many queries, both directions.
TEST_P(ArchiveDriverTest, AgreesWithTheOracleOnRandomArchives) {
  Rng rng(20240501);
  const std::vector<std::string> shards = {std::string(kShardA), std::string(kShardB)};
  const std::vector<std::string> topics = {"/a", "/b", "/c", "/d"};
  std::vector<ArchivedMessage> rows;
  for (int i = 0; i < 150; ++i) {
    MessageHash hash{};
    for (auto& byte : hash) byte = static_cast<std::uint8_t>(rng.uniform(256));
    rows.push_back(row(static_cast<std::int64_t>(rng.uniform(40)), hash, shards[rng.uniform(2)],
                       topics[rng.uniform(4)]));
  }
  put_all(rows);
  std::sort(rows.begin(), rows.end(), store_order);

  for (int q = 0; q < 40; ++q) {
    ArchiveQuery query;
    if (rng.bernoulli(0.7)) query.pubsub_topic = shards[rng.uniform(2)];
    for (const auto& topic : topics) {
      if (rng.bernoulli(0.4)) query.content_topics.push_back(topic);
    }
    if (rng.bernoulli(0.5)) query.start_time_ns = rng.uniform_between(0, 30);
    if (rng.bernoulli(0.5)) query.end_time_ns = rng.uniform_between(10, 40);
    if (rng.bernoulli(0.2)) {
      for (int h = 0; h < 10; ++h) query.hashes.push_back(rows[rng.uniform(rows.size())].hash);
    }
    query.direction = rng.bernoulli(0.5) ? PageDirection::kForward : PageDirection::kBackward;
    query.limit = 1 + rng.uniform(12);
    query.include_data = rng.bernoulli(0.5) ? IncludeData::kFull : IncludeData::kHashesOnly;

    std::vector<MessageHash> expected;
    for (const auto& m : rows) {
      if (matches(query, m)) expected.push_back(m.hash);
    }
    std::vector<MessageHash> got;
    const auto pages = all_pages(query);
    for (auto it = pages.begin(); it != pages.end(); ++it) {
      const auto page_hashes = hashes(it->messages);
      EXPECT_LE(page_hashes.size(), query.limit);
      if (query.direction == PageDirection::kForward) {
        got.insert(got.end(), page_hashes.begin(), page_hashes.end());
      } else {
        got.insert(got.begin(), page_hashes.begin(), page_hashes.end());
      }
      if (query.include_data == IncludeData::kFull) {
        for (const auto& m : it->messages) EXPECT_FALSE(m.pubsub_topic.empty());
      }
    }
    EXPECT_EQ(got, expected) << "query " << q;
  }
}

TEST_P(ArchiveDriverTest, ConcurrentPutAndQuery) {
  constexpr int kBatches = 40;
  constexpr int kPerBatch = 10;
  std::atomic<bool> done{false};
  std::atomic<int> query_errors{0};
  std::atomic<int> order_errors{0};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<ArchivedMessage> batch;
      for (int i = 0; i < kPerBatch; ++i) {
        const int n = b * kPerBatch + i;
        batch.push_back(row(1000 - n, hash_of(static_cast<std::uint8_t>(n % 256),
                                              static_cast<std::uint8_t>(n / 256))));
      }
      if (!driver_->put(batch).has_value()) query_errors++;
    }
    done = true;
  });
  std::thread reader([&] {
    while (!done) {
      ArchiveQuery query;
      query.limit = 25;
      auto page = driver_->query(query);
      if (!page.has_value()) {
        query_errors++;
        continue;
      }
      if (!std::is_sorted(page->messages.begin(), page->messages.end(), store_order))
        order_errors++;
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(query_errors.load(), 0);
  EXPECT_EQ(order_errors.load(), 0);
  EXPECT_EQ(driver_->message_count().value(), static_cast<std::uint64_t>(kBatches * kPerBatch));
}

INSTANTIATE_TEST_SUITE_P(Drivers, ArchiveDriverTest, ::testing::ValuesIn(driver_kinds()),
                         [](const ::testing::TestParamInfo<DriverKind>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace waku::archive
