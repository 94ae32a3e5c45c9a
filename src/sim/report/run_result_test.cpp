#include "sim/report/run_result.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace waku::sim {
namespace {

using std::chrono::milliseconds;

// 1..1000 ms, each once: the nearest-rank p50 is 500 ms, p99 990 ms, mean 500.5 ms.
LatencyHistogram uniform_ms(int from, int to) {
  LatencyHistogram h;
  for (int ms = from; ms <= to; ++ms) h.add(milliseconds(ms));
  return h;
}

void expect_within_one_percent(Duration actual, Duration exact) {
  // Percentiles report the bucket's upper bound: never below the exact value, at most 1% above.
  EXPECT_GE(actual.count(), exact.count());
  EXPECT_LE(static_cast<double>(actual.count()), static_cast<double>(exact.count()) * 1.01);
}

TEST(LatencyHistogram, EmptyIsZero) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), Duration(0));
  EXPECT_EQ(h.max(), Duration(0));
  EXPECT_EQ(h.mean(), Duration(0));
  EXPECT_TRUE(h.cdf().empty());
}

TEST(LatencyHistogram, UniformMilliseconds) {
  const LatencyHistogram h = uniform_ms(1, 1000);
  EXPECT_EQ(h.count(), 1000u);
  expect_within_one_percent(h.percentile(0.50), milliseconds(500));
  expect_within_one_percent(h.percentile(0.95), milliseconds(950));
  expect_within_one_percent(h.percentile(0.99), milliseconds(990));
  EXPECT_EQ(h.percentile(1.0), milliseconds(1000));  // capped at the exact max
  expect_within_one_percent(h.percentile(0.0), milliseconds(1));
  EXPECT_EQ(h.max(), milliseconds(1000));
  EXPECT_EQ(h.mean(), std::chrono::microseconds(500500));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int ns : {0, 1, 5, 127, 127}) h.add(Duration(ns));
  EXPECT_EQ(h.percentile(0.2), Duration(0));
  EXPECT_EQ(h.percentile(0.4), Duration(1));
  EXPECT_EQ(h.percentile(0.6), Duration(5));
  EXPECT_EQ(h.percentile(0.8), Duration(127));
  EXPECT_EQ(h.percentile(1.0), Duration(127));
}

TEST(LatencyHistogram, NegativeCountsAsZero) {
  LatencyHistogram h;
  h.add(Duration(-5'000'000));
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.percentile(1.0), Duration(0));
  EXPECT_EQ(h.max(), Duration(0));
}

TEST(LatencyHistogram, RelativeErrorBelowOnePercentAcrossRange) {
  // From 1 µs to one hour in steps of ~3%, each value with a huge one beside it so the cap at
  // max() does not hide the bucket bound.
  for (double v = 1e3; v < 3.6e12; v *= 1.03) {
    LatencyHistogram h;
    const Duration value(static_cast<std::int64_t>(v));
    h.add(value);
    h.add(std::chrono::hours(1));
    const Duration p = h.percentile(0.5);
    ASSERT_GE(p.count(), value.count()) << v;
    ASSERT_LT(static_cast<double>(p.count() - value.count()), 0.01 * v) << v;
  }
}

TEST(LatencyHistogram, ClampsAboveRangeButKeepsExactMax) {
  LatencyHistogram h;
  h.add(std::chrono::hours(10));
  EXPECT_EQ(h.max(), std::chrono::hours(10));
  EXPECT_EQ(h.mean(), std::chrono::hours(10));
  // The last bucket ends just below 2^42 ns (~73 min).
  EXPECT_EQ(h.percentile(1.0), Duration((std::int64_t{1} << 42) - 1));
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a = uniform_ms(1, 400);
  const LatencyHistogram b = uniform_ms(401, 1000);
  a.merge(b);
  const LatencyHistogram all = uniform_ms(1, 1000);
  EXPECT_EQ(a.count(), 1000u);
  EXPECT_EQ(a.max(), milliseconds(1000));
  EXPECT_EQ(a.mean(), all.mean());
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(a.percentile(q), all.percentile(q));
  EXPECT_EQ(a.cdf(), all.cdf());
}

TEST(LatencyHistogram, CdfIsAscendingAndEndsAtOne) {
  const LatencyHistogram h = uniform_ms(1, 1000);
  const auto cdf = h.cdf();
  ASSERT_FALSE(cdf.empty());
  // 1 ms..1000 ms at 1/128 resolution: fewer buckets than samples above ~128 ms.
  EXPECT_LT(cdf.size(), 1000u);
  for (std::size_t i = 1; i < cdf.size(); ++i) {
    EXPECT_GT(cdf[i].first, cdf[i - 1].first);
    EXPECT_GT(cdf[i].second, cdf[i - 1].second);
  }
  EXPECT_DOUBLE_EQ(cdf.back().second, 1.0);
  EXPECT_EQ(cdf.back().first, milliseconds(1000));
  // The point at ~500 ms holds about half of the samples.
  for (const auto& [upper, fraction] : cdf) {
    if (upper >= milliseconds(500)) {
      EXPECT_NEAR(fraction, 0.5, 0.005);
      break;
    }
  }
}

TEST(RunResult, DeliveryRatio) {
  RunResult r;
  EXPECT_DOUBLE_EQ(r.delivery_ratio(), 1.0);  // nothing expected, nothing missed
  r.expected_deliveries = 1000;
  r.deliveries = 990;
  EXPECT_DOUBLE_EQ(r.delivery_ratio(), 0.99);
}

TEST(RunResult, ChecksPassed) {
  RunResult r;
  EXPECT_TRUE(r.checks_passed());
  r.checks.push_back({"mesh_degree", true, 0, ""});
  EXPECT_TRUE(r.checks_passed());
  r.checks.push_back({"no_duplicates", false, 3, "node 7"});
  EXPECT_FALSE(r.checks_passed());
}

TEST(ByteCounters, TotalsAndNames) {
  ByteCounters c;
  c.app[static_cast<std::size_t>(ByteKind::kMessage)] = 1000;
  c.app[static_cast<std::size_t>(ByteKind::kIHave)] = 24;
  c.wire[static_cast<std::size_t>(ByteKind::kSubscriptions)] = 7;
  EXPECT_EQ(c.app_total(), 1024u);
  EXPECT_EQ(c.wire_total(), 7u);
  EXPECT_EQ(byte_kind_name(ByteKind::kMessage), "message");
  EXPECT_EQ(byte_kind_name(ByteKind::kIHave), "ihave");
  EXPECT_EQ(byte_kind_name(ByteKind::kIWant), "iwant");
  EXPECT_EQ(byte_kind_name(ByteKind::kIDontWant), "idontwant");
  EXPECT_EQ(byte_kind_name(ByteKind::kGraftPrune), "graft_prune");
  EXPECT_EQ(byte_kind_name(ByteKind::kSubscriptions), "subscriptions");
}

}  // namespace
}  // namespace waku::sim
