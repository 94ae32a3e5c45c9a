#include "waku/archive/retention_policy.hpp"

#include <cctype>
#include <cstddef>
#include <string>

#include "fmt/format.h"

namespace waku::archive {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20U;
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30U;
// Bounds that keep every computation below (n * 13, bytes * 10^6) far from overflow.
constexpr std::uint64_t kMaxAgeSeconds = std::uint64_t{100} * 366 * 24 * 3600;
constexpr std::uint64_t kMaxMessages = 1'000'000'000'000'000ULL;
constexpr std::uint64_t kMaxSizeBytes = std::uint64_t{1} << 60U;  // 1 EiB
constexpr std::size_t kMaxFractionDigits = 6;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Unexpected config_error(const char* context, std::string_view part) {
  return unexpected(make_error(Errc::kInvalidConfig, context, std::string(part)));
}

// Decimal digits only, at most `max`; nullopt if empty, not digits, or above `max`.
std::optional<std::uint64_t> parse_integer(std::string_view digits, std::uint64_t max) {
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// "<digits>[.<digits>]" times `unit`, rounded down to whole bytes.
std::optional<std::uint64_t> parse_size(std::string_view number, std::uint64_t unit) {
  const auto dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
  if (fraction.size() > kMaxFractionDigits) return std::nullopt;
  const auto whole_value =
      whole.empty() ? std::optional<std::uint64_t>(0) : parse_integer(whole, kMaxSizeBytes / unit);
  if (!whole_value || (whole.empty() && fraction.empty())) return std::nullopt;
  std::uint64_t fraction_value = 0;
  std::uint64_t scale = 1;
  if (!fraction.empty()) {
    const auto parsed = parse_integer(fraction, 999'999);
    if (!parsed) return std::nullopt;
    fraction_value = *parsed;
    for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10;
  }
  // unit <= 2^30 and fraction_value < 10^6, so the product stays below 2^50.
  return *whole_value * unit + fraction_value * unit / scale;
}

}  // namespace

Result<RetentionPolicy> parse_retention_policy(std::string_view text) {
  RetentionPolicy policy;
  const std::string all = lower(trim(text));
  if (all.empty() || all == "none") return policy;

  std::string_view rest = all;
  while (true) {
    const auto semicolon = rest.find(';');
    const std::string_view part = trim(rest.substr(0, semicolon));
    const auto colon = part.find(':');
    if (colon == std::string_view::npos) {
      return config_error("retention policy: expected <kind>:<value>", part);
    }
    const std::string_view kind = part.substr(0, colon);
    const std::string_view value = trim(part.substr(colon + 1));
    if (kind == "time") {
      if (policy.max_age) return config_error("retention policy: time given twice", part);
      const auto seconds = parse_integer(value, kMaxAgeSeconds);
      if (!seconds || *seconds == 0) {
        return config_error("retention policy: time needs whole seconds, 1 to 100 years", part);
      }
      policy.max_age = std::chrono::seconds(static_cast<std::int64_t>(*seconds));
    } else if (kind == "capacity") {
      if (policy.max_messages) return config_error("retention policy: capacity given twice", part);
      const auto count = parse_integer(value, kMaxMessages);
      if (!count || *count == 0) {
        return config_error("retention policy: capacity needs a message count, 1 to 10^15", part);
      }
      policy.max_messages = *count;
    } else if (kind == "size") {
      if (policy.max_size_bytes) return config_error("retention policy: size given twice", part);
      std::uint64_t unit = 0;
      if (value.ends_with("gb")) unit = kGiB;
      if (value.ends_with("mb")) unit = kMiB;
      if (unit == 0) return config_error("retention policy: size needs a unit, mb or gb", part);
      const auto bytes = parse_size(trim(value.substr(0, value.size() - 2)), unit);
      if (!bytes || *bytes == 0) {
        return config_error("retention policy: size needs a positive number of mb or gb", part);
      }
      policy.max_size_bytes = *bytes;
    } else {
      return config_error("retention policy: unknown kind (time, capacity or size)", part);
    }
    if (semicolon == std::string_view::npos) break;
    rest = rest.substr(semicolon + 1);
  }
  return policy;
}

std::string to_string(const RetentionPolicy& policy) {
  if (!policy.enabled()) return "none";
  std::string out;
  const auto add = [&out](const std::string& part) {
    if (!out.empty()) out += ';';
    out += part;
  };
  if (policy.max_age) add(fmt::format("time:{}", policy.max_age->count()));
  if (policy.max_messages) add(fmt::format("capacity:{}", *policy.max_messages));
  if (policy.max_size_bytes) {
    const std::uint64_t bytes = *policy.max_size_bytes;
    if (bytes % kGiB == 0) {
      add(fmt::format("size:{}gb", bytes / kGiB));
    } else if (bytes % kMiB == 0) {
      add(fmt::format("size:{}mb", bytes / kMiB));
    } else {
      add(fmt::format("size:{}.{:06}mb", bytes / kMiB, (bytes % kMiB) * 1'000'000 / kMiB));
    }
  }
  return out;
}

RetentionPlan plan_retention(const RetentionPolicy& policy, const ArchiveStats& stats,
                             UnixNanos now) {
  RetentionPlan plan;
  if (policy.max_age && stats.oldest_timestamp_ns) {
    const std::int64_t age_ns = std::chrono::nanoseconds(*policy.max_age).count();
    // nwaku waits for the oldest row to pass max_age + 10 % so that each run deletes a batch.
    const std::int64_t trigger_ns = age_ns + age_ns / 10;
    if (*stats.oldest_timestamp_ns < now.value - trigger_ns) {
      plan.delete_older_than_ns = now.value - age_ns;
      return plan;
    }
  }
  if (policy.max_messages) {
    const std::uint64_t n = *policy.max_messages;
    // nwaku StoreMaxOverflow 1.3: the overflow window is 0.3 n; half of it is deleted.
    const std::uint64_t total_capacity = n + n * 3 / 10;
    const std::uint64_t keep = n + n * 3 / 20;
    if (stats.message_count >= total_capacity && stats.message_count > keep) {
      plan.delete_oldest_count = stats.message_count - keep;
    }
  }
  if (policy.max_size_bytes && stats.size_bytes > *policy.max_size_bytes) {
    // nwaku's DeleteLimit 0.8: keep the newest 80 %. At least one row, so that a tiny archive
    // over a tiny limit still shrinks.
    const std::uint64_t count = stats.message_count / 5;
    const std::uint64_t size_count =
        count == 0 && stats.message_count > 0 ? std::uint64_t{1} : count;
    if (size_count > plan.delete_oldest_count) plan.delete_oldest_count = size_count;
  }
  return plan;
}

}  // namespace waku::archive
