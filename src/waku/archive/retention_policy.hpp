// Retention policies of a store node's archive: how long, how many and how many bytes of messages
// it keeps, in nwaku's `--store-message-retention-policy` syntax, and the decision of what to
// delete given the archive's current count, size and oldest timestamp.
//
// The decision is pure (stats in, plan out) so the store core can run it on a timer and the host
// only executes the deletions (waku/store/archiver.hpp). Thresholds are nwaku's
// (waku_archive/retention_policy/*, waku-wire.md §4) so that operators moving from nwaku see the
// same archive sizes: deletion starts only past a margin and then removes a batch, rather than
// trimming a few rows on every run.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "waku/base/result.hpp"
#include "waku/base/time.hpp"

namespace waku::archive {

// Any combination; none set means "keep everything".
struct RetentionPolicy {
  std::optional<std::chrono::seconds> max_age;  // time:<seconds>
  std::optional<std::uint64_t> max_messages;    // capacity:<count>
  std::optional<std::uint64_t> max_size_bytes;  // size:<x>mb|gb, 1024-based as nwaku

  [[nodiscard]] bool enabled() const { return max_age || max_messages || max_size_bytes; }
  friend bool operator==(const RetentionPolicy&, const RetentionPolicy&) = default;
};

// nwaku's default: two days.
inline constexpr std::string_view kDefaultRetentionPolicy = "time:172800";

// Parses "" / "none" (disabled), or parts joined by ';' ("size:50GB;time:2764800"), each one of
// time:<seconds>, capacity:<count> or size:<number>(mb|gb) (decimals allowed for size, units in
// any case). Errors (kInvalidConfig, with the offending part in `detail`): an unknown kind, a
// kind given twice, a missing or malformed number, zero, a size without unit, values beyond 100
// years, 10^15 messages or 1 EiB.
Result<RetentionPolicy> parse_retention_policy(std::string_view text);

// The canonical text form, for logs and the REST debug view: "time:172800;capacity:25000;size:2gb"
// (size in gb when a whole number of GiB, else mb, with six decimals if needed), or "none".
std::string to_string(const RetentionPolicy& policy);

struct ArchiveStats {
  std::uint64_t message_count{0};
  std::uint64_t size_bytes{0};
  std::optional<std::int64_t> oldest_timestamp_ns;
};

// What to delete now. Deleting by age comes first; the count is then applied to what remains.
struct RetentionPlan {
  std::optional<std::int64_t> delete_older_than_ns;
  std::uint64_t delete_oldest_count{0};

  [[nodiscard]] bool empty() const { return !delete_older_than_ns && delete_oldest_count == 0; }
  friend bool operator==(const RetentionPlan&, const RetentionPlan&) = default;
};

// nwaku's rules:
// - time: once the oldest message is older than max_age + 10 %, delete everything older than
//   max_age (timestamps relative to `now`, Unix time).
// - capacity n: once count >= 1.3 n, delete the oldest so that n + 0.15 n remain.
// - size: once size > limit, delete the oldest 20 % of the messages.
// When age and a count both apply, only the age deletion is planned: the count rules must see
// the count that remains, so the caller asks again after deleting (the archiver does).
RetentionPlan plan_retention(const RetentionPolicy& policy, const ArchiveStats& stats,
                             UnixNanos now);

}  // namespace waku::archive
