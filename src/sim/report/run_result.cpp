#include "sim/report/run_result.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

namespace waku::sim {
namespace {

// Log-linear layout (as in HdrHistogram): values below 2^kSubBits ns get one bucket each; above,
// every power of two [2^e, 2^(e+1)) is split into 2^kSubBits equal sub-buckets, so a bucket is at
// most 1/128 of its lower bound wide (relative error < 0.8%).
constexpr int kSubBits = 7;
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBits;  // 128
// Values at or above 2^42 ns (about 73 minutes) are clamped into the last bucket.
constexpr int kMaxExponent = 42;
constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxExponent) - 1;
// Linear range [0, 128) plus one block of 128 per exponent 7..41.
constexpr std::size_t kBucketCount =
    static_cast<std::size_t>((kMaxExponent - kSubBits + 1) * kSubBuckets);

std::size_t bucket_index(std::uint64_t ns) {
  ns = std::min(ns, kMaxValue);
  if (ns < kSubBuckets) return static_cast<std::size_t>(ns);
  const int exponent = std::bit_width(ns) - 1;  // >= kSubBits
  const int shift = exponent - kSubBits;
  const std::uint64_t sub = (ns >> shift) - kSubBuckets;  // in [0, 128)
  return static_cast<std::size_t>(static_cast<std::uint64_t>(shift + 1) * kSubBuckets + sub);
}

// The largest value that falls in bucket `index`.
std::uint64_t bucket_upper(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::uint64_t block = index / kSubBuckets;  // >= 1
  const std::uint64_t sub = index % kSubBuckets;
  const auto shift = static_cast<int>(block - 1);
  const std::uint64_t lower = (kSubBuckets + sub) << shift;
  return lower + (std::uint64_t{1} << shift) - 1;
}

}  // namespace

std::string_view byte_kind_name(ByteKind kind) {
  switch (kind) {
    case ByteKind::kMessage: return "message";
    case ByteKind::kIHave: return "ihave";
    case ByteKind::kIWant: return "iwant";
    case ByteKind::kIDontWant: return "idontwant";
    case ByteKind::kGraftPrune: return "graft_prune";
    case ByteKind::kSubscriptions: return "subscriptions";
    case ByteKind::kCount: break;
  }
  return "unknown";
}

std::uint64_t ByteCounters::app_total() const {
  return std::accumulate(app.begin(), app.end(), std::uint64_t{0});
}

std::uint64_t ByteCounters::wire_total() const {
  return std::accumulate(wire.begin(), wire.end(), std::uint64_t{0});
}

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

void LatencyHistogram::add(Duration latency) {
  const std::int64_t ns = std::max<std::int64_t>(latency.count(), 0);
  const auto value = static_cast<std::uint64_t>(ns);
  ++buckets_[bucket_index(value)];
  ++count_;
  sum_ns_ += static_cast<long double>(ns);
  max_ = std::max(max_, Duration(ns));
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ns_ += other.sum_ns_;
  max_ = std::max(max_, other.max_);
}

Duration LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return Duration(0);
  if (!(q >= 0.0)) q = 0.0;  // also maps NaN to 0
  q = std::min(q, 1.0);
  // Nearest rank: the rank-th smallest sample, rank in [1, count].
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(Duration(static_cast<std::int64_t>(bucket_upper(i))), max_);
    }
  }
  return max_;
}

Duration LatencyHistogram::mean() const {
  if (count_ == 0) return Duration(0);
  return Duration(static_cast<std::int64_t>(std::llround(sum_ns_ / count_)));
}

std::vector<std::pair<Duration, double>> LatencyHistogram::cdf() const {
  std::vector<std::pair<Duration, double>> points;
  if (count_ == 0) return points;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i] == 0) continue;
    seen += buckets_[i];
    const Duration upper = std::min(Duration(static_cast<std::int64_t>(bucket_upper(i))), max_);
    points.emplace_back(upper, static_cast<double>(seen) / static_cast<double>(count_));
  }
  return points;
}

// With nothing expected (no publications, or no subscribers online) nothing was missed.
double RunResult::delivery_ratio() const {
  if (expected_deliveries == 0) return 1.0;
  return static_cast<double>(deliveries) / static_cast<double>(expected_deliveries);
}

bool RunResult::checks_passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.passed; });
}

}  // namespace waku::sim
