// SQLite specifics the conformance suite (../archive_driver_test.cpp) does not cover: persistence
// across reopen, schema versioning, refused paths, chunked deletion, the indexes the planner
// picks for the queries they were made for, and open_archive's URL dispatch.
#include "archive/sqlite/sqlite_driver.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "archive/open_archive.hpp"

namespace waku::archive::sqlite {
namespace {

class SqliteDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("waku_sqlite_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite3");
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }
  // Runs SQL on the file with a separate plain connection; returns the first column of each row.
  std::vector<std::string> raw_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const int last = sqlite3_column_count(stmt) - 1;
      const auto* text = sqlite3_column_text(stmt, last);
      rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  std::filesystem::path path_;
};

ArchivedMessage row(std::int64_t ts, std::uint8_t tag) {
  ArchivedMessage m;
  m.hash[0] = tag;
  m.hash[31] = 1;
  m.pubsub_topic = "/waku/2/rs/16/32";
  m.message.content_topic = "/app/1/a/proto";
  m.message.payload = Bytes{tag};
  m.message.timestamp = ts;
  return m;
}

TEST_F(SqliteDriverTest, PersistsAcrossReopenAndRecordsSchemaVersion) {
  {
    auto archive = open_sqlite_archive(path_.string()).value();
    ASSERT_EQ(archive->put(std::vector<ArchivedMessage>{row(1, 1), row(2, 2)}).value(), 2U);
  }
  EXPECT_EQ(raw_sql("SELECT version FROM waku_schema_version"), std::vector<std::string>{"1"});
  EXPECT_EQ(raw_sql("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(raw_sql("PRAGMA auto_vacuum"), std::vector<std::string>{"2"});  // incremental
  auto archive = open_sqlite_archive(path_.string()).value();
  EXPECT_EQ(archive->message_count().value(), 2U);
  EXPECT_EQ(archive->put(std::vector<ArchivedMessage>{row(1, 1)}).value(), 0U);
}

TEST_F(SqliteDriverTest, RefusesNewerSchemaAndInMemoryPaths) {
  { auto archive = open_sqlite_archive(path_.string()).value(); }
  raw_sql("UPDATE waku_schema_version SET version = 99");
  auto reopened = open_sqlite_archive(path_.string());
  ASSERT_FALSE(reopened.has_value());
  EXPECT_EQ(reopened.error().code, Errc::kUnsupported);
  EXPECT_EQ(reopened.error().detail, "version 99, this build knows up to 1");

  EXPECT_EQ(open_sqlite_archive("").error().code, Errc::kInvalidArgument);
  EXPECT_EQ(open_sqlite_archive(":memory:").error().code, Errc::kInvalidArgument);
  const auto missing_dir = open_sqlite_archive("/nonexistent-dir/x/store.sqlite3");
  ASSERT_FALSE(missing_dir.has_value());
  EXPECT_EQ(missing_dir.error().code, Errc::kIo);
}

TEST_F(SqliteDriverTest, DeletesInChunks) {
  SqliteOptions options;
  options.delete_chunk_rows = 3;
  auto archive = open_sqlite_archive(path_.string(), options).value();
  std::vector<ArchivedMessage> rows;
  for (std::uint8_t i = 0; i < 10; ++i) rows.push_back(row(100 + i, i));
  ASSERT_EQ(archive->put(rows).value(), 10U);
  EXPECT_EQ(archive->delete_oldest(7).value(), 7U);
  EXPECT_EQ(archive->oldest_timestamp_ns().value(), 107);
  EXPECT_EQ(archive->delete_older_than(109).value(), 2U);
  EXPECT_EQ(archive->message_count().value(), 1U);
}

TEST_F(SqliteDriverTest, SizeShrinksAfterDeletion) {
  auto archive = open_sqlite_archive(path_.string()).value();
  std::vector<ArchivedMessage> rows;
  for (std::uint8_t i = 0; i < 200; ++i) {
    rows.push_back(row(i, i));
    rows.back().message.payload = Bytes(8192, i);
  }
  ASSERT_EQ(archive->put(rows).value(), 200U);
  const auto full = archive->size_bytes().value();
  EXPECT_GT(full, 200U * 8192U);
  EXPECT_EQ(archive->delete_oldest(150).value(), 150U);
  const auto after = archive->size_bytes().value();
  EXPECT_LT(after, full / 2);
}

// The Status query (one shard, several content topics, a time range, a cursor) must be answered
// from messages_by_topic, and time-only queries and retention from messages_by_time.
TEST_F(SqliteDriverTest, PlannerUsesTheIntendedIndexes) {
  { auto archive = open_sqlite_archive(path_.string()).value(); }
  const auto plan = [&](const std::string& sql) {
    std::string all;
    for (const auto& line : raw_sql("EXPLAIN QUERY PLAN " + sql)) all += line + "\n";
    return all;
  };
  const auto topic_query = plan(
      "SELECT hash FROM messages WHERE 1 AND pubsub_topic = 'p' AND content_topic IN ('a', 'b', "
      "'c') AND timestamp >= 1 AND timestamp <= 2 AND (timestamp, hash) < (5, x'00') ORDER BY "
      "timestamp DESC, hash DESC LIMIT 21");
  EXPECT_NE(topic_query.find("messages_by_topic"), std::string::npos) << topic_query;
  const auto single_topic = plan(
      "SELECT hash FROM messages WHERE 1 AND pubsub_topic = 'p' AND content_topic IN ('a') AND "
      "(timestamp, hash) > (5, x'00') ORDER BY timestamp ASC, hash ASC LIMIT 21");
  EXPECT_NE(single_topic.find("messages_by_topic"), std::string::npos) << single_topic;
  EXPECT_EQ(single_topic.find("TEMP B-TREE"), std::string::npos) << single_topic;
  const auto time_query = plan(
      "SELECT hash FROM messages WHERE 1 AND timestamp >= 1 ORDER BY timestamp ASC, hash ASC "
      "LIMIT 21");
  EXPECT_NE(time_query.find("messages_by_time"), std::string::npos) << time_query;
  const auto hash_query = plan("SELECT hash FROM messages WHERE 1 AND hash IN (x'01', x'02')");
  EXPECT_NE(hash_query.find("sqlite_autoindex_messages_1"), std::string::npos) << hash_query;
}

TEST_F(SqliteDriverTest, OpenArchiveDispatchesOnTheUrlScheme) {
  auto archive = open_archive("sqlite://" + path_.string());
  ASSERT_TRUE(archive.has_value()) << archive.error().message();
  EXPECT_EQ((*archive)->message_count().value(), 0U);

  EXPECT_EQ(open_archive("sqlite://").error().code, Errc::kInvalidArgument);
  const auto unknown = open_archive("mysql://root:hunter2@db/waku");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(unknown.error().detail, "mysql://root:***@db/waku");
  EXPECT_EQ(open_archive("store.sqlite3").error().code, Errc::kInvalidArgument);
  // Nothing listens on port 1: the PostgreSQL branch is taken and fails with an I/O error.
  const auto postgres = open_archive("postgres://u:p@127.0.0.1:1/db");
  ASSERT_FALSE(postgres.has_value());
  EXPECT_NE(postgres.error().code, Errc::kInvalidArgument);
}

TEST(RedactArchiveUrl, HidesOnlyThePassword) {
  EXPECT_EQ(redact_archive_url("postgres://waku:secret@10.0.0.1:5432/db"),
            "postgres://waku:***@10.0.0.1:5432/db");
  EXPECT_EQ(redact_archive_url("postgres://waku@host/db"), "postgres://waku@host/db");
  EXPECT_EQ(redact_archive_url("postgres://host:5432/db"), "postgres://host:5432/db");
  EXPECT_EQ(redact_archive_url("sqlite://a@b:c"), "sqlite://a@b:c");
  EXPECT_EQ(redact_archive_url("no scheme"), "no scheme");
}

}  // namespace
}  // namespace waku::archive::sqlite
