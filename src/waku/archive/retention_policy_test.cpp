#include "waku/archive/retention_policy.hpp"

#include <gtest/gtest.h>

namespace waku::archive {
namespace {

constexpr std::uint64_t kMiB = 1048576;
constexpr std::uint64_t kGiB = 1073741824;

TEST(RetentionPolicy, ParsesNwakuSyntax) {
  const auto time = parse_retention_policy("time:172800");
  ASSERT_TRUE(time.has_value()) << time.error().message();
  EXPECT_EQ(time->max_age, std::chrono::seconds(172800));
  EXPECT_FALSE(time->max_messages || time->max_size_bytes);

  EXPECT_EQ(parse_retention_policy("capacity:25000")->max_messages, 25000U);
  EXPECT_EQ(parse_retention_policy("size:30gb")->max_size_bytes, 30 * kGiB);
  EXPECT_EQ(parse_retention_policy("size:512MB")->max_size_bytes, 512 * kMiB);
  EXPECT_EQ(parse_retention_policy("size:1.5gb")->max_size_bytes, 1610612736U);
  EXPECT_EQ(parse_retention_policy("size:.5gb")->max_size_bytes, 536870912U);

  // waku.sandbox's setting (waku-operators.md §4.3).
  const auto both = parse_retention_policy("size:50GB;time:2764800");
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->max_size_bytes, 50 * kGiB);
  EXPECT_EQ(both->max_age, std::chrono::seconds(2764800));

  const auto all = parse_retention_policy(" time:60 ; capacity:10 ; size:1mb ");
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(*all, (RetentionPolicy{std::chrono::seconds(60), 10, kMiB}));

  EXPECT_FALSE(parse_retention_policy("")->enabled());
  EXPECT_FALSE(parse_retention_policy("none")->enabled());
  EXPECT_FALSE(parse_retention_policy("NONE")->enabled());
}

TEST(RetentionPolicy, RejectsMalformedPolicies) {
  for (const char* bad :
       {"time:", "time:abc", "time:-5", "time:1.5", "time:0", "foo:1", "time", "time:1;time:2",
        "size:30", "size:0mb", "size:5.gb", "size:1.1234567gb", "capacity:0", "capacity:1e5",
        "time:60;", ";", "size:99999999999999gb", "time:99999999999999999999"}) {
    const auto parsed = parse_retention_policy(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidConfig) << bad;
  }
  EXPECT_EQ(parse_retention_policy("foo:1").error().detail, "foo:1");
}

TEST(RetentionPolicy, PrintsCanonicalForm) {
  EXPECT_EQ(to_string(RetentionPolicy{}), "none");
  EXPECT_EQ(to_string(*parse_retention_policy("size:50GB;time:2764800")), "time:2764800;size:50gb");
  EXPECT_EQ(to_string(*parse_retention_policy("capacity:7;size:1536mb")), "capacity:7;size:1536mb");
  EXPECT_EQ(to_string(*parse_retention_policy("size:0.5mb")), "size:0.500000mb");
  const auto policy = *parse_retention_policy("time:60;capacity:10;size:3mb");
  EXPECT_EQ(*parse_retention_policy(to_string(policy)), policy);
}

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr UnixNanos kNow{1'700'000'000 * kSecond};

TEST(RetentionPolicy, TimeWaitsForTenPercentMarginThenDeletesPastMaxAge) {
  const RetentionPolicy policy{std::chrono::seconds(100), std::nullopt, std::nullopt};
  ArchiveStats stats{1000, 0, kNow.value - 109 * kSecond};
  EXPECT_TRUE(plan_retention(policy, stats, kNow).empty());
  stats.oldest_timestamp_ns = kNow.value - 111 * kSecond;
  EXPECT_EQ(plan_retention(policy, stats, kNow).delete_older_than_ns, kNow.value - 100 * kSecond);
  stats.oldest_timestamp_ns = std::nullopt;  // empty archive
  EXPECT_TRUE(plan_retention(policy, stats, kNow).empty());
}

TEST(RetentionPolicy, CapacityDeletesDownToNPlusFifteenPercentPastThirtyPercent) {
  const RetentionPolicy policy{std::nullopt, 100, std::nullopt};
  EXPECT_TRUE(plan_retention(policy, {129, 0, 1}, kNow).empty());
  EXPECT_EQ(plan_retention(policy, {130, 0, 1}, kNow).delete_oldest_count, 15U);
  EXPECT_EQ(plan_retention(policy, {200, 0, 1}, kNow).delete_oldest_count, 85U);
  // nwaku's default capacity: 25000 -> trigger at 32500, keep 28750.
  const RetentionPolicy nwaku{std::nullopt, 25000, std::nullopt};
  EXPECT_TRUE(plan_retention(nwaku, {32499, 0, 1}, kNow).empty());
  EXPECT_EQ(plan_retention(nwaku, {32500, 0, 1}, kNow).delete_oldest_count, 3750U);
}

TEST(RetentionPolicy, SizeDeletesTwentyPercentWhenOverLimit) {
  const RetentionPolicy policy{std::nullopt, std::nullopt, 1000};
  EXPECT_TRUE(plan_retention(policy, {50, 1000, 1}, kNow).empty());
  EXPECT_EQ(plan_retention(policy, {50, 1001, 1}, kNow).delete_oldest_count, 10U);
  EXPECT_EQ(plan_retention(policy, {3, 5000, 1}, kNow).delete_oldest_count, 1U);
  // Size and capacity together: the larger deletion wins.
  const RetentionPolicy both{std::nullopt, 100, 1000};
  EXPECT_EQ(plan_retention(both, {200, 5000, 1}, kNow).delete_oldest_count, 85U);
  EXPECT_EQ(plan_retention(both, {110, 5000, 1}, kNow).delete_oldest_count, 22U);
}

TEST(RetentionPolicy, AgeComesFirstAndCountsWaitForTheNextPlan) {
  const RetentionPolicy policy{std::chrono::seconds(100), 10, 1};
  const auto plan = plan_retention(policy, {1000, 1'000'000, kNow.value - 500 * kSecond}, kNow);
  EXPECT_EQ(plan, (RetentionPlan{kNow.value - 100 * kSecond, 0}));
}

}  // namespace
}  // namespace waku::archive
