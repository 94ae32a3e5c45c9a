// The archiver: decides which relayed messages a store node keeps, batches them into writes, and
// runs the retention policy, all as commands for the host to execute against the archive driver.
//
// Eligibility is the spec's and nwaku's: not ephemeral, timestamp set, and within 20 s of the
// node's wall clock (waku-wire.md §4). Writes are batched (up to batch_max_messages, or whatever
// is pending batch_delay after the oldest pending message arrived) with one write in flight at a
// time, so a slow database sees fewer, larger transactions. The backlog (pending plus in flight)
// is bounded: when the database falls behind, new messages are dropped and counted, and relaying
// never waits for the database. A failed write is counted and not retried: retrying against a
// failing database only grows the backlog.
//
// Retention runs every retention_interval (retry_interval after an error): the host reads the
// archive's stats, the policy plans a deletion (waku/archive/retention_policy.hpp), the host
// deletes, and the cycle repeats (a bounded number of rounds) until the plan is empty, so that
// age-based and count-based rules each see the archive as the previous round left it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "waku/archive/archive.hpp"
#include "waku/archive/retention_policy.hpp"
#include "waku/base/fifo_queue.hpp"
#include "waku/base/strong_id.hpp"
#include "waku/base/time.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::store {

struct ArchiverConfig {
  Duration max_timestamp_skew{20s};  // nwaku MaxMessageTimestampVariance
  std::size_t batch_max_messages{100};
  Duration batch_delay{100ms};
  std::size_t max_backlog_messages{10'000};
  archive::RetentionPolicy retention{};
  Duration retention_interval{30min};       // nwaku: every 30 min
  Duration retention_retry_interval{1min};  // nwaku: 1 min after an error
  Duration retention_first_delay{1min};     // after construction
  std::size_t retention_max_rounds{4};      // stats + delete rounds per run
};

using ArchiverTicket = StrongId<struct ArchiverTicketTag, std::uint64_t>;

struct PutMessages {
  std::vector<archive::ArchivedMessage> messages;
};
struct ReadStats {};
struct DeleteMessages {
  archive::RetentionPlan plan;
};

struct ArchiverCommand {
  ArchiverTicket ticket;
  std::variant<PutMessages, ReadStats, DeleteMessages> action;
};

// The results of the three commands.
struct PutDone {
  Result<std::size_t> added;  // rows that were new
};
struct StatsRead {
  Result<archive::ArchiveStats> stats;
};
struct DeleteDone {
  Result<std::uint64_t> deleted;
};

struct ArchiverCompletion {
  ArchiverTicket ticket;
  std::variant<PutDone, StatsRead, DeleteDone> result;
};

// Runs a command against a driver (blocking: on the host's worker pool). A delete plan runs the
// age deletion, then the count deletion.
ArchiverCompletion execute(archive::ArchiveDriver& driver, const ArchiverCommand& command);

enum class ArchiveDecision : std::uint8_t {
  kQueued,
  kEphemeral,
  kNoTimestamp,
  kOutOfWindow,  // |timestamp - now| > max_timestamp_skew
  kBacklogFull,  // the database is behind: dropped
};

struct ArchiverStats {
  std::uint64_t queued{0};
  std::uint64_t skipped_ephemeral{0};
  std::uint64_t skipped_no_timestamp{0};
  std::uint64_t skipped_out_of_window{0};
  std::uint64_t dropped_backlog_full{0};
  std::uint64_t stored{0};          // new rows written
  std::uint64_t duplicates{0};      // written messages the archive already had
  std::uint64_t put_errors{0};      // failed writes
  std::uint64_t lost_in_errors{0};  // messages of failed writes
  std::uint64_t retention_runs{0};
  std::uint64_t retention_errors{0};
  std::uint64_t retention_deleted{0};
};

class Archiver {
 public:
  Archiver(Instant now, ArchiverConfig config);

  // A message relayed on `pubsub_topic` (validated by relay). `wall_now` is the node's Unix time.
  ArchiveDecision handle_message(Instant now, UnixNanos wall_now, std::string_view pubsub_topic,
                                 const message::WakuMessage& message);

  // The next command to execute, or nullopt. Drain after every handle_*.
  std::optional<ArchiverCommand> poll_command();
  // Instant::max() when nothing is scheduled.
  [[nodiscard]] Instant poll_timeout() const;
  void handle_timeout(Instant now, UnixNanos wall_now);
  // A completion for an unknown ticket, or of the wrong kind, is ignored.
  void handle_completion(Instant now, ArchiverCompletion completion);

  [[nodiscard]] const ArchiverStats& stats() const { return stats_; }
  // The archive's stats as last read by retention (for metrics), if any.
  [[nodiscard]] const std::optional<archive::ArchiveStats>& last_archive_stats() const {
    return last_archive_stats_;
  }
  [[nodiscard]] std::size_t backlog() const { return pending_.size() + in_flight_put_size_; }

 private:
  struct Pending {
    Instant arrived;
    archive::ArchivedMessage message;
  };
  enum class RetentionState : std::uint8_t {
    kIdle,
    kStatsQueued,
    kStatsInFlight,
    kDeleteQueued,
    kDeleteInFlight
  };

  ArchiverTicket next_ticket() { return ArchiverTicket(next_ticket_++); }
  void finish_retention(Instant now, Duration next_in);

  ArchiverConfig config_;
  Instant last_now_;
  FifoQueue<Pending> pending_;
  std::optional<ArchiverTicket> in_flight_put_;
  std::size_t in_flight_put_size_{0};

  RetentionState retention_state_{RetentionState::kIdle};
  Instant retention_due_;
  std::optional<ArchiverTicket> retention_ticket_;
  UnixNanos retention_wall_now_;
  std::size_t retention_round_{0};
  archive::RetentionPlan retention_plan_;
  std::optional<archive::ArchiveStats> last_archive_stats_;

  std::uint64_t next_ticket_{1};
  ArchiverStats stats_;
};

}  // namespace waku::store
