#include "waku/store/archiver.hpp"

#include <gtest/gtest.h>

#include "waku/archive/memory_archive.hpp"
#include "waku/message/message_hash.hpp"

namespace waku::store {
namespace {

constexpr std::string_view kShard = "/waku/2/rs/16/32";
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr UnixNanos kWall{1'700'000'000 * kSecond};

message::WakuMessage msg(std::int64_t timestamp, std::uint8_t tag = 0) {
  message::WakuMessage m;
  m.payload = Bytes{tag};
  m.content_topic = "/app/1/chat/proto";
  m.timestamp = timestamp;
  return m;
}

ArchiverConfig config(std::size_t batch, std::size_t backlog) {
  ArchiverConfig c;
  c.batch_max_messages = batch;
  c.max_backlog_messages = backlog;
  return c;
}

TEST(Archiver, KeepsOnlyEligibleMessages) {
  Archiver archiver(Instant(), ArchiverConfig{});
  const Instant now;
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(kWall.value)),
            ArchiveDecision::kQueued);
  auto ephemeral = msg(kWall.value);
  ephemeral.ephemeral = true;
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, ephemeral), ArchiveDecision::kEphemeral);
  auto untimed = msg(0);
  untimed.timestamp.reset();
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, untimed), ArchiveDecision::kNoTimestamp);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(0)), ArchiveDecision::kNoTimestamp);
  // 20 s either way is in; a nanosecond more is out.
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(kWall.value - 20 * kSecond)),
            ArchiveDecision::kQueued);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(kWall.value + 20 * kSecond)),
            ArchiveDecision::kQueued);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(kWall.value - 20 * kSecond - 1)),
            ArchiveDecision::kOutOfWindow);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(kWall.value + 20 * kSecond + 1)),
            ArchiveDecision::kOutOfWindow);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(INT64_MIN)),
            ArchiveDecision::kOutOfWindow);
  EXPECT_EQ(archiver.handle_message(now, kWall, kShard, msg(INT64_MAX)),
            ArchiveDecision::kOutOfWindow);
  const auto& stats = archiver.stats();
  EXPECT_EQ(stats.queued, 3U);
  EXPECT_EQ(stats.skipped_ephemeral, 1U);
  EXPECT_EQ(stats.skipped_no_timestamp, 2U);
  EXPECT_EQ(stats.skipped_out_of_window, 4U);
}

TEST(Archiver, BatchesBySizeOrDelayWithOneWriteInFlight) {
  Archiver archiver(Instant(), config(3, 100));
  const Instant t0 = Instant::from_nanoseconds(kSecond);
  for (std::uint8_t i = 0; i < 4; ++i) {
    ASSERT_EQ(archiver.handle_message(t0, kWall, kShard, msg(kWall.value, i)),
              ArchiveDecision::kQueued);
  }
  auto first = archiver.poll_command();
  ASSERT_TRUE(first.has_value());
  const auto& put = std::get<PutMessages>(first->action);
  ASSERT_EQ(put.messages.size(), 3U);
  for (std::uint8_t i = 0; i < 3; ++i) {
    EXPECT_EQ(put.messages[i].message.payload, Bytes{i});
    EXPECT_EQ(put.messages[i].pubsub_topic, kShard);
    EXPECT_EQ(put.messages[i].hash,
              message::deterministic_message_hash(kShard, msg(kWall.value, i)));
  }
  // One write at a time; the fourth waits.
  EXPECT_FALSE(archiver.poll_command().has_value());
  EXPECT_EQ(archiver.poll_timeout(), Instant::max());  // retention is off; a write is in flight
  EXPECT_EQ(archiver.backlog(), 4U);

  archiver.handle_completion(t0 + 10ms, {first->ticket, PutDone{std::size_t{2}}});
  EXPECT_EQ(archiver.stats().stored, 2U);
  EXPECT_EQ(archiver.stats().duplicates, 1U);
  // The fourth is not due until 100 ms after it arrived.
  EXPECT_FALSE(archiver.poll_command().has_value());
  EXPECT_EQ(archiver.poll_timeout(), t0 + 100ms);
  archiver.handle_timeout(t0 + 100ms, kWall);
  auto second = archiver.poll_command();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(std::get<PutMessages>(second->action).messages.size(), 1U);

  archiver.handle_completion(t0 + 200ms,
                             {second->ticket, PutDone{unexpected(Errc::kIo, "disk full")}});
  EXPECT_EQ(archiver.stats().put_errors, 1U);
  EXPECT_EQ(archiver.stats().lost_in_errors, 1U);
  EXPECT_EQ(archiver.backlog(), 0U);
}

TEST(Archiver, DropsWhenTheDatabaseFallsBehind) {
  Archiver archiver(Instant(), config(3, 5));
  for (std::uint8_t i = 0; i < 5; ++i) {
    ASSERT_EQ(archiver.handle_message(Instant(), kWall, kShard, msg(kWall.value, i)),
              ArchiveDecision::kQueued);
  }
  EXPECT_EQ(archiver.handle_message(Instant(), kWall, kShard, msg(kWall.value, 9)),
            ArchiveDecision::kBacklogFull);
  auto put = archiver.poll_command();
  ASSERT_TRUE(put.has_value());
  // Still 5 in the backlog (3 in flight, 2 pending).
  EXPECT_EQ(archiver.handle_message(Instant(), kWall, kShard, msg(kWall.value, 9)),
            ArchiveDecision::kBacklogFull);
  archiver.handle_completion(Instant(), {put->ticket, PutDone{std::size_t{3}}});
  EXPECT_EQ(archiver.handle_message(Instant(), kWall, kShard, msg(kWall.value, 9)),
            ArchiveDecision::kQueued);
  EXPECT_EQ(archiver.stats().dropped_backlog_full, 2U);
}

// Runs every command against `driver` until none is left.
void drain(Archiver& archiver, archive::ArchiveDriver& driver, Instant now) {
  for (int i = 0; i < 100; ++i) {
    auto command = archiver.poll_command();
    if (!command) return;
    archiver.handle_completion(now, execute(driver, *command));
  }
  FAIL() << "archiver kept issuing commands";
}

TEST(Archiver, WritesThroughExecuteAndRunsCapacityRetention) {
  ArchiverConfig c = config(100, 1000);
  c.retention.max_messages = 10;
  Archiver archiver(Instant(), c);
  archive::MemoryArchive archive;
  // 13 messages, timestamps 1 s apart, oldest first.
  for (std::uint8_t i = 0; i < 13; ++i) {
    const std::int64_t ts = kWall.value - 15 * kSecond + i * kSecond;
    ASSERT_EQ(archiver.handle_message(Instant(), kWall, kShard, msg(ts, i)),
              ArchiveDecision::kQueued);
  }
  archiver.handle_timeout(Instant() + 100ms, kWall);
  drain(archiver, archive, Instant() + 100ms);
  EXPECT_EQ(archive.message_count().value(), 13U);
  EXPECT_EQ(archiver.stats().stored, 13U);

  // Retention first runs a minute after start: 13 >= 1.3 * 10, so keep 11.
  EXPECT_EQ(archiver.poll_timeout(), Instant() + 1min);
  archiver.handle_timeout(Instant() + 1min, kWall);
  drain(archiver, archive, Instant() + 1min);
  EXPECT_EQ(archive.message_count().value(), 11U);
  EXPECT_EQ(archive.oldest_timestamp_ns().value(), kWall.value - 13 * kSecond);
  EXPECT_EQ(archiver.stats().retention_deleted, 2U);
  EXPECT_EQ(archiver.stats().retention_runs, 1U);
  ASSERT_TRUE(archiver.last_archive_stats().has_value());
  EXPECT_EQ(archiver.last_archive_stats()->message_count, 11U);
  EXPECT_EQ(archiver.poll_timeout(), Instant() + 31min);
}

TEST(Archiver, RetentionDeletesByAgeThenByCount) {
  ArchiverConfig c = config(100, 1000);
  c.retention.max_age = std::chrono::seconds(100);
  c.retention.max_messages = 10;
  Archiver archiver(Instant(), c);
  archive::MemoryArchive archive;
  std::vector<archive::ArchivedMessage> rows;
  // 20 rows older than 110 s (ages 200..219 s) and 20 recent ones (ages 0..19 s).
  for (std::int64_t i = 0; i < 40; ++i) {
    archive::ArchivedMessage row;
    row.hash[0] = static_cast<std::uint8_t>(i);
    row.pubsub_topic = std::string(kShard);
    row.message = msg(kWall.value - (i < 20 ? 200 + i : i - 20) * kSecond);
    rows.push_back(row);
  }
  ASSERT_EQ(archive.put(rows).value(), 40U);
  archiver.handle_timeout(Instant() + 1min, kWall);
  drain(archiver, archive, Instant() + 1min);
  // Age removes the 20 old rows; 20 >= 13 then leaves 11 by count.
  EXPECT_EQ(archive.message_count().value(), 11U);
  EXPECT_EQ(archiver.stats().retention_deleted, 29U);
}

class FailingArchive final : public archive::MemoryArchive {
 public:
  Result<std::uint64_t> message_count() override { return unexpected(Errc::kIo, "db down"); }
};

TEST(Archiver, RetentionRetriesAfterAMinuteOnError) {
  ArchiverConfig c;
  c.retention.max_messages = 10;
  Archiver archiver(Instant(), c);
  FailingArchive archive;
  archiver.handle_timeout(Instant() + 1min, kWall);
  auto command = archiver.poll_command();
  ASSERT_TRUE(command.has_value());
  EXPECT_TRUE(std::holds_alternative<ReadStats>(command->action));
  EXPECT_EQ(archiver.poll_timeout(), Instant::max());  // a run is in progress
  archiver.handle_completion(Instant() + 1min, execute(archive, *command));
  EXPECT_EQ(archiver.stats().retention_errors, 1U);
  EXPECT_EQ(archiver.poll_timeout(), Instant() + 2min);
  // A completion with a stale ticket is ignored.
  archiver.handle_completion(Instant() + 1min,
                             {command->ticket, StatsRead{archive::ArchiveStats{}}});
  EXPECT_FALSE(archiver.poll_command().has_value());
}

}  // namespace
}  // namespace waku::store
