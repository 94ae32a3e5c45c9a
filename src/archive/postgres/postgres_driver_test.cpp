// PostgreSQL-only behaviour of the archive driver: what the shared conformance suite
// (src/archive/archive_driver_test.cpp) cannot express for SQLite. Needs a server: run under
// scripts/with-postgres.sh, which sets WAKU_TEST_POSTGRES_URL; without it the tests skip.
#include "archive/postgres/postgres_driver.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "archive/postgres/pg_connection.hpp"
#include "archive/postgres/postgres_schema.hpp"
#include "waku/message/message_hash.hpp"

namespace waku::archive::postgres {
namespace {

std::string test_url() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once per test, before any thread starts.
  const char* url = std::getenv("WAKU_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

ArchivedMessage make_message(std::string pubsub, std::string content, std::int64_t ts,
                             std::uint8_t seed) {
  ArchivedMessage archived;
  archived.pubsub_topic = std::move(pubsub);
  archived.message.content_topic = std::move(content);
  archived.message.timestamp = ts;
  archived.message.payload = Bytes(100, seed);
  archived.message.version = 0;
  archived.hash = message::deterministic_message_hash(archived.pubsub_topic, archived.message);
  return archived;
}

class PostgresDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = test_url();
    if (url_.empty()) GTEST_SKIP() << "WAKU_TEST_POSTGRES_URL not set (scripts/with-postgres.sh)";
    ASSERT_TRUE(reset_postgres_archive(url_).has_value());
  }

  std::unique_ptr<ArchiveDriver> open(PostgresOptions options = {}) {
    auto driver = open_postgres_archive(url_, options);
    EXPECT_TRUE(driver.has_value()) << (driver ? "" : driver.error().detail);
    return driver ? std::move(driver).value() : nullptr;
  }

  // Runs SQL on a connection of its own, outside the driver.
  void sql(const char* text) {
    auto conn = connect_to(url_);
    ASSERT_TRUE(conn.has_value());
    auto result = exec_simple(conn->get(), text, "test");
    ASSERT_TRUE(result.has_value()) << result.error().detail;
  }

  std::string url_;
};

TEST_F(PostgresDriverTest, OptionalFieldsAndArbitraryTopicBytesRoundTrip) {
  auto driver = open();
  // Topics that PostgreSQL's text type would refuse (invalid UTF-8, NUL) must not break a batch.
  auto odd =
      make_message(std::string("/waku/2/\xff\x00x", 11), std::string("ct\x00\xc3", 4), kT0, 1);
  odd.message.version.reset();
  auto full = make_message("/waku/2/rs/16/32", "/app/1/chat/proto", kT0 + 1, 2);
  full.message.version = 0xFFFF'FFFFU;  // above int4's range: stored bit for bit
  full.message.meta = Bytes{};          // present but empty differs from absent
  full.message.rate_limit_proof = Bytes{9, 8, 7};
  full.message.ephemeral = false;
  full.message.payload = Bytes{};
  const std::vector<ArchivedMessage> batch{odd, full};
  auto put = driver->put(batch);
  ASSERT_TRUE(put.has_value()) << put.error().detail;
  EXPECT_EQ(*put, 2U);

  ArchiveQuery query;
  query.direction = PageDirection::kForward;
  auto page = driver->query(query);
  ASSERT_TRUE(page.has_value()) << page.error().detail;
  ASSERT_EQ(page->messages.size(), 2U);
  EXPECT_EQ(page->messages[0], odd);
  EXPECT_EQ(page->messages[1], full);
  EXPECT_FALSE(page->next_cursor.has_value());
}

TEST_F(PostgresDriverTest, TwoDriversOnOneDatabaseStoreEachMessageOnce) {
  auto a = open();
  auto b = open();
  std::vector<ArchivedMessage> messages;
  messages.reserve(200);
  for (int i = 0; i < 200; ++i) {
    messages.push_back(make_message("/waku/2/rs/16/32", "/app/1/t" + std::to_string(i % 7) + "/p",
                                    kT0 + i * kSecond, static_cast<std::uint8_t>(i)));
  }
  // Both nodes receive every message through relay and archive it at the same time, in batches
  // that overlap differently.
  std::atomic<std::size_t> inserted{0};
  std::atomic<int> failures{0};
  auto ingest = [&](ArchiveDriver* driver, std::size_t batch) {
    for (std::size_t begin = 0; begin < messages.size(); begin += batch) {
      const auto count = std::min(batch, messages.size() - begin);
      auto result = driver->put(std::span(messages).subspan(begin, count));
      if (result) {
        inserted += *result;
      } else {
        ++failures;
      }
    }
  };
  std::thread ta(ingest, a.get(), 7);
  std::thread tb(ingest, b.get(), 13);
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(inserted.load(), messages.size());
  EXPECT_EQ(a->message_count().value(), messages.size());
  EXPECT_EQ(b->message_count().value(), messages.size());
  // A repeat stores nothing.
  EXPECT_EQ(b->put(messages).value(), 0U);
}

TEST_F(PostgresDriverTest, DuplicatesInsideOneBatchCountOnce) {
  auto driver = open();
  const auto m = make_message("/waku/2/rs/16/32", "/a/1/b/c", kT0, 1);
  const std::vector<ArchivedMessage> batch{m, m, m};
  EXPECT_EQ(driver->put(batch).value(), 1U);
  EXPECT_EQ(driver->message_count().value(), 1U);
}

TEST_F(PostgresDriverTest, MigrationsAreIdempotentAndSafeWhenNodesStartTogether) {
  // Several nodes start on an empty database at once: exactly one creates the schema, the others
  // wait on the advisory lock and find it done.
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (open_postgres_archive(url_).has_value()) ++opened;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(opened.load(), 4);

  auto driver = open();
  ASSERT_TRUE(driver->put(std::vector{make_message("/p", "/c", kT0, 1)}).has_value());
  auto again = open();  // re-running migrations on a current schema keeps the data
  EXPECT_EQ(again->message_count().value(), 1U);

  auto conn = connect_to(url_);
  ASSERT_TRUE(conn.has_value());
  auto version = exec_simple(conn->get(), "SELECT version FROM waku_archive.schema_version", "t");
  ASSERT_TRUE(version.has_value());
  ASSERT_EQ(PQntuples(version->get()), 1);
  EXPECT_EQ(std::string(PQgetvalue(version->get(), 0, 0)), std::to_string(kSchemaVersion));
}

TEST_F(PostgresDriverTest, AVersionOneArchiveIsUpgradedKeepingItsMessages) {
  {
    auto driver = open();
    ASSERT_TRUE(driver->put(std::vector{make_message("/p", "/c", kT0, 1)}).has_value());
  }
  // What a version-1 node left behind: the table without step 2's autovacuum settings.
  sql("ALTER TABLE waku_archive.messages RESET (autovacuum_vacuum_insert_threshold,"
      " autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)");
  sql("UPDATE waku_archive.schema_version SET version = 1");
  auto reloptions = [&] {
    auto conn = connect_to(url_);
    auto result = exec_simple(conn->get(),
                              "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class"
                              " WHERE oid = 'waku_archive.messages'::regclass",
                              "t");
    return std::string(PQgetvalue(result->get(), 0, 0));
  };
  EXPECT_EQ(reloptions().find("autovacuum_vacuum_insert_threshold"), std::string::npos);

  auto driver = open();
  EXPECT_EQ(driver->message_count().value(), 1U);
  EXPECT_NE(reloptions().find("autovacuum_vacuum_insert_threshold=10000"), std::string::npos);
  auto conn = connect_to(url_);
  auto version = exec_simple(conn->get(), "SELECT version FROM waku_archive.schema_version", "t");
  EXPECT_EQ(std::string(PQgetvalue(version->get(), 0, 0)), std::to_string(kSchemaVersion));
}

TEST_F(PostgresDriverTest, NewerSchemaIsRefused) {
  { auto driver = open(); }
  sql("UPDATE waku_archive.schema_version SET version = 999");
  auto driver = open_postgres_archive(url_);
  ASSERT_FALSE(driver.has_value());
  EXPECT_EQ(driver.error().code, Errc::kUnsupported);
}

TEST_F(PostgresDriverTest, UnreachableServerIsAnIoError) {
  auto driver =
      open_postgres_archive("postgresql://nobody:wrong@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(driver.has_value());
  EXPECT_EQ(driver.error().code, Errc::kIo);
  EXPECT_FALSE(driver.error().detail.empty());
}

TEST_F(PostgresDriverTest, PoolServesMoreThreadsThanConnections) {
  PostgresOptions options;
  options.connections = 2;
  auto driver = open(options);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto m =
            make_message("/waku/2/rs/16/" + std::to_string(t), "/a/1/b/c",
                         kT0 + (t * kPerThread + i) * kSecond, static_cast<std::uint8_t>(i));
        if (!driver->put(std::vector{m}).has_value()) ++failures;
        ArchiveQuery query;
        query.pubsub_topic = m.pubsub_topic;
        query.content_topics = {"/a/1/b/c"};
        auto page = driver->query(query);
        if (!page || page->messages.empty() || page->messages.back() != m) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(driver->message_count().value(), std::uint64_t{kThreads} * kPerThread);
}

TEST_F(PostgresDriverTest, PoolWaitIsBounded) {
  auto pool = ConnectionPool::open(url_, 1, std::chrono::milliseconds(50));
  ASSERT_TRUE(pool.has_value());
  {
    auto held = (*pool)->acquire();
    ASSERT_TRUE(held.has_value());
    auto second = (*pool)->acquire();
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, Errc::kLimitExceeded);
  }
  EXPECT_TRUE((*pool)->acquire().has_value());
}

TEST_F(PostgresDriverTest, SurvivesTheServerDroppingItsConnections) {
  PostgresOptions options;
  options.connections = 1;
  auto driver = open(options);
  ASSERT_TRUE(driver->put(std::vector{make_message("/p", "/c", kT0, 1)}).has_value());
  // What a server restart or an idle-session timeout does to the pool.
  sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE application_name = 'waku-archive' AND pid <> pg_backend_pid()");
  auto count = driver->message_count();
  ASSERT_TRUE(count.has_value()) << count.error().detail;
  EXPECT_EQ(*count, 1U);
}

// The LATERAL per-topic form must give exactly what a full sort of the matching rows gives, for
// skewed topics, duplicated topics in the request, both directions and every page.
TEST_F(PostgresDriverTest, MultiTopicPagesMatchAFullSort) {
  auto driver = open();
  std::vector<ArchivedMessage> all;
  for (int i = 0; i < 120; ++i) {
    // Topic 0 is popular; equal timestamps force the hash tie-break.
    const int topic = i % 5 == 0 ? 1 + i % 3 : 0;
    all.push_back(make_message(i % 2 == 0 ? "/waku/2/rs/16/1" : "/waku/2/rs/16/2",
                               "/app/1/t" + std::to_string(topic) + "/p", kT0 + (i / 3) * kSecond,
                               static_cast<std::uint8_t>(i)));
  }
  ASSERT_EQ(driver->put(all).value(), all.size());

  const std::vector<std::string> topics{"/app/1/t0/p", "/app/1/t2/p", "/app/1/t0/p", "/app/1/t9/p"};
  std::vector<ArchivedMessage> expected;
  for (const auto& m : all) {
    if (m.pubsub_topic == "/waku/2/rs/16/1" &&
        (m.message.content_topic == "/app/1/t0/p" || m.message.content_topic == "/app/1/t2/p") &&
        *m.message.timestamp >= kT0 + 3 * kSecond && *m.message.timestamp <= kT0 + 35 * kSecond) {
      expected.push_back(m);
    }
  }
  std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
    return std::tie(*x.message.timestamp, x.hash) < std::tie(*y.message.timestamp, y.hash);
  });
  ASSERT_GT(expected.size(), 30U);

  for (auto direction : {PageDirection::kForward, PageDirection::kBackward}) {
    ArchiveQuery query;
    query.pubsub_topic = "/waku/2/rs/16/1";
    query.content_topics = topics;
    query.start_time_ns = kT0 + 3 * kSecond;
    query.end_time_ns = kT0 + 35 * kSecond;
    query.direction = direction;
    query.limit = 7;
    std::vector<ArchivedMessage> seen;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = driver->query(query);
      ASSERT_TRUE(page.has_value()) << page.error().detail;
      ASSERT_TRUE(std::is_sorted(
          page->messages.begin(), page->messages.end(), [](const auto& x, const auto& y) {
            return std::tie(*x.message.timestamp, x.hash) < std::tie(*y.message.timestamp, y.hash);
          }));
      if (direction == PageDirection::kForward) {
        seen.insert(seen.end(), page->messages.begin(), page->messages.end());
      } else {
        seen.insert(seen.begin(), page->messages.begin(), page->messages.end());
      }
      if (!page->next_cursor) break;
      query.cursor = page->next_cursor;
    }
    EXPECT_EQ(seen, expected);
  }

  // Hashes only: the same order, no data.
  ArchiveQuery hashes_only;
  hashes_only.pubsub_topic = "/waku/2/rs/16/1";
  hashes_only.content_topics = topics;
  hashes_only.start_time_ns = kT0 + 3 * kSecond;
  hashes_only.end_time_ns = kT0 + 35 * kSecond;
  hashes_only.include_data = IncludeData::kHashesOnly;
  hashes_only.limit = 5;
  auto page = driver->query(hashes_only);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->messages.size(), 5U);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(page->messages[i].hash, expected[expected.size() - 5 + i].hash);
    EXPECT_TRUE(page->messages[i].message.payload.empty());
  }
  EXPECT_EQ(page->next_cursor, expected[expected.size() - 5].hash);
}

TEST_F(PostgresDriverTest, UnknownCursorIsNotFound) {
  auto driver = open();
  ASSERT_TRUE(driver->put(std::vector{make_message("/p", "/c", kT0, 1)}).has_value());
  ArchiveQuery query;
  query.cursor = Bytes32{};
  query.cursor->fill(0xab);
  auto page = driver->query(query);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Errc::kNotFound);
}

TEST_F(PostgresDriverTest, RetentionDeletesInChunksAndReportsCounts) {
  auto driver = open();
  std::vector<ArchivedMessage> messages;
  messages.reserve(25'000);
  for (int i = 0; i < 25'000; ++i) {
    messages.push_back(make_message("/p", "/c", kT0 + i, static_cast<std::uint8_t>(i)));
  }
  ASSERT_EQ(driver->put(messages).value(), messages.size());
  auto size = driver->size_bytes();
  ASSERT_TRUE(size.has_value());
  EXPECT_GT(*size, 25'000U * 100U);  // at least the payloads
  // Crosses two chunk boundaries (10,000 rows each).
  EXPECT_EQ(driver->delete_older_than(kT0 + 22'000).value(), 22'000U);
  EXPECT_EQ(driver->oldest_timestamp_ns().value(), kT0 + 22'000);
  EXPECT_EQ(driver->delete_oldest(10).value(), 10U);
  EXPECT_EQ(driver->oldest_timestamp_ns().value(), kT0 + 22'010);
  EXPECT_EQ(driver->delete_oldest(1'000'000).value(), 2'990U);
  EXPECT_EQ(driver->oldest_timestamp_ns().value(), std::nullopt);
  EXPECT_EQ(driver->message_count().value(), 0U);
}

}  // namespace
}  // namespace waku::archive::postgres
