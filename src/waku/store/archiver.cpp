#include "waku/store/archiver.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "waku/message/message_hash.hpp"

namespace waku::store {

ArchiverCompletion execute(archive::ArchiveDriver& driver, const ArchiverCommand& command) {
  struct Visitor {
    archive::ArchiveDriver& driver;
    ArchiverCompletion operator()(const PutMessages& put) const {
      return {{}, PutDone{driver.put(put.messages)}};
    }
    ArchiverCompletion operator()(const ReadStats& /*unused*/) const {
      auto count = driver.message_count();
      if (!count) return {{}, StatsRead{count.error()}};
      auto size = driver.size_bytes();
      if (!size) return {{}, StatsRead{size.error()}};
      auto oldest = driver.oldest_timestamp_ns();
      if (!oldest) return {{}, StatsRead{oldest.error()}};
      return {{}, StatsRead{archive::ArchiveStats{*count, *size, *oldest}}};
    }
    ArchiverCompletion operator()(const DeleteMessages& del) const {
      std::uint64_t deleted = 0;
      if (del.plan.delete_older_than_ns) {
        auto n = driver.delete_older_than(*del.plan.delete_older_than_ns);
        if (!n) return {{}, DeleteDone{n.error()}};
        deleted += *n;
      }
      if (del.plan.delete_oldest_count > 0) {
        auto n = driver.delete_oldest(del.plan.delete_oldest_count);
        if (!n) return {{}, DeleteDone{n.error()}};
        deleted += *n;
      }
      return {{}, DeleteDone{deleted}};
    }
  };
  ArchiverCompletion completion = std::visit(Visitor{driver}, command.action);
  completion.ticket = command.ticket;
  return completion;
}

Archiver::Archiver(Instant now, ArchiverConfig config)
    : config_(config), last_now_(now), retention_due_(now + config_.retention_first_delay) {
  config_.batch_max_messages = std::max<std::size_t>(config_.batch_max_messages, 1);
  config_.retention_max_rounds = std::max<std::size_t>(config_.retention_max_rounds, 1);
}

ArchiveDecision Archiver::handle_message(Instant now, UnixNanos wall_now,
                                         std::string_view pubsub_topic,
                                         const message::WakuMessage& message) {
  last_now_ = std::max(last_now_, now);
  if (message.is_ephemeral()) {
    ++stats_.skipped_ephemeral;
    return ArchiveDecision::kEphemeral;
  }
  // nwaku stores no message without timestamp; a zero timestamp counts as absent.
  if (!message.timestamp || *message.timestamp == 0) {
    ++stats_.skipped_no_timestamp;
    return ArchiveDecision::kNoTimestamp;
  }
  // The distance in unsigned arithmetic: exact for any two int64 values, where a signed
  // difference could overflow on a peer's extreme timestamp.
  const auto timestamp = static_cast<std::uint64_t>(*message.timestamp);
  const auto wall = static_cast<std::uint64_t>(wall_now.value);
  const std::uint64_t distance =
      *message.timestamp < wall_now.value ? wall - timestamp : timestamp - wall;
  if (distance > static_cast<std::uint64_t>(config_.max_timestamp_skew.count())) {
    ++stats_.skipped_out_of_window;
    return ArchiveDecision::kOutOfWindow;
  }
  if (backlog() >= config_.max_backlog_messages) {
    ++stats_.dropped_backlog_full;
    return ArchiveDecision::kBacklogFull;
  }
  archive::ArchivedMessage archived;
  archived.hash = message::deterministic_message_hash(pubsub_topic, message);
  archived.pubsub_topic = std::string(pubsub_topic);
  archived.message = message;
  pending_.push_back(Pending{now, std::move(archived)});
  ++stats_.queued;
  return ArchiveDecision::kQueued;
}

std::optional<ArchiverCommand> Archiver::poll_command() {
  if (retention_state_ == RetentionState::kStatsQueued) {
    retention_state_ = RetentionState::kStatsInFlight;
    retention_ticket_ = next_ticket();
    return ArchiverCommand{*retention_ticket_, ReadStats{}};
  }
  if (retention_state_ == RetentionState::kDeleteQueued) {
    retention_state_ = RetentionState::kDeleteInFlight;
    retention_ticket_ = next_ticket();
    return ArchiverCommand{*retention_ticket_, DeleteMessages{retention_plan_}};
  }
  if (in_flight_put_ || pending_.empty()) return std::nullopt;
  const bool full = pending_.size() >= config_.batch_max_messages;
  const bool due = last_now_ >= pending_.front().arrived + config_.batch_delay;
  if (!full && !due) return std::nullopt;

  PutMessages put;
  const std::size_t count = std::min(pending_.size(), config_.batch_max_messages);
  put.messages.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    put.messages.push_back(std::move(pending_.front().message));
    pending_.pop_front();
  }
  in_flight_put_ = next_ticket();
  in_flight_put_size_ = count;
  return ArchiverCommand{*in_flight_put_, std::move(put)};
}

Instant Archiver::poll_timeout() const {
  Instant next = Instant::max();
  if (!in_flight_put_ && !pending_.empty()) next = pending_.front().arrived + config_.batch_delay;
  if (retention_state_ == RetentionState::kIdle && config_.retention.enabled()) {
    next = std::min(next, retention_due_);
  }
  return next;
}

void Archiver::handle_timeout(Instant now, UnixNanos wall_now) {
  last_now_ = std::max(last_now_, now);
  if (retention_state_ == RetentionState::kIdle && config_.retention.enabled() &&
      now >= retention_due_) {
    retention_state_ = RetentionState::kStatsQueued;
    retention_wall_now_ = wall_now;
    retention_round_ = 0;
    ++stats_.retention_runs;
  }
}

void Archiver::finish_retention(Instant now, Duration next_in) {
  retention_state_ = RetentionState::kIdle;
  retention_ticket_.reset();
  retention_due_ = now + next_in;
}

void Archiver::handle_completion(Instant now, ArchiverCompletion completion) {
  last_now_ = std::max(last_now_, now);
  if (in_flight_put_ && completion.ticket == *in_flight_put_) {
    auto* done = std::get_if<PutDone>(&completion.result);
    if (done == nullptr) return;
    const auto* result = &done->added;
    if (result->has_value()) {
      const std::size_t added = std::min(result->value(), in_flight_put_size_);
      stats_.stored += added;
      stats_.duplicates += in_flight_put_size_ - added;
    } else {
      ++stats_.put_errors;
      stats_.lost_in_errors += in_flight_put_size_;
    }
    in_flight_put_.reset();
    in_flight_put_size_ = 0;
    return;
  }
  if (!retention_ticket_ || completion.ticket != *retention_ticket_) return;

  if (retention_state_ == RetentionState::kStatsInFlight) {
    auto* read = std::get_if<StatsRead>(&completion.result);
    if (read == nullptr) return;
    const auto* result = &read->stats;
    if (!result->has_value()) {
      ++stats_.retention_errors;
      finish_retention(now, config_.retention_retry_interval);
      return;
    }
    last_archive_stats_ = result->value();
    const auto plan =
        archive::plan_retention(config_.retention, result->value(), retention_wall_now_);
    if (plan.empty() || retention_round_ >= config_.retention_max_rounds) {
      finish_retention(now, config_.retention_interval);
      return;
    }
    ++retention_round_;
    retention_plan_ = plan;
    retention_state_ = RetentionState::kDeleteQueued;
    retention_ticket_.reset();
  } else if (retention_state_ == RetentionState::kDeleteInFlight) {
    auto* done = std::get_if<DeleteDone>(&completion.result);
    if (done == nullptr) return;
    const auto* result = &done->deleted;
    if (!result->has_value()) {
      ++stats_.retention_errors;
      finish_retention(now, config_.retention_retry_interval);
      return;
    }
    stats_.retention_deleted += result->value();
    if (result->value() == 0) {
      finish_retention(now, config_.retention_interval);
      return;
    }
    retention_state_ = RetentionState::kStatsQueued;  // see what remains
    retention_ticket_.reset();
  }
}

}  // namespace waku::store
