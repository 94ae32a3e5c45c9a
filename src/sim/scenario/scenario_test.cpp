#include "sim/scenario/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace waku::sim {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A small valid scenario; tests append or replace lines to break it in one place.
constexpr std::string_view kBase = R"(name = "tiny"
duration = "10m"
warmup = "30s"
cooldown = "10s"

[[group]]
name = "fleet"
profile = "fleet"
count = 2
outbound = 2
max_connections = 150
uplink_mbps = 1000
downlink_mbps = 1000
active_fraction = 0.0
shards = [32]

[[group]]
name = "member"
count = 8
shards = [32]

[[traffic]]
name = "chat"
shard = 32
rate_per_node_per_hour = 5
size = { kind = "constant", mean = 2048 }
)";

// `extra` after the base: for tables ([churn], ...). A key-value line would land in [[traffic]].
std::string with(std::string_view extra) { return std::string(kBase) + std::string(extra); }

// `extra` before the base: for top-level keys (line 1 of the file).
std::string with_top(std::string_view extra) { return std::string(extra) + std::string(kBase); }

std::string replaced(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The detail of the error parsing `text` gives (empty if it parsed).
Error parse_error_of(std::string_view text, Errc expected = Errc::kInvalidConfig) {
  auto result = parse_scenario(text, "test.toml");
  EXPECT_FALSE(result.has_value());
  if (result.has_value()) return {};
  EXPECT_EQ(result.error().code, expected) << result.error().message();
  return result.error();
}

TEST(ScenarioDuration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(parse_duration("1h30m").value(), Duration{5400s});
  EXPECT_EQ(parse_duration("250ms").value(), Duration{250ms});
  EXPECT_EQ(parse_duration("90s").value(), Duration{90s});
  EXPECT_EQ(parse_duration("1h").value(), Duration{3600s});
  EXPECT_EQ(parse_duration("1.5h").value(), Duration{5400s});
  EXPECT_EQ(parse_duration("0.25s").value(), Duration{250ms});
  EXPECT_EQ(parse_duration("2m30s500ms").value(), Duration{150500ms});
  EXPECT_EQ(parse_duration("7us").value(), Duration{7000});
  EXPECT_EQ(parse_duration("13ns").value(), Duration{13});
  EXPECT_EQ(parse_duration("0").value(), Duration{0});
  EXPECT_EQ(parse_duration("0s").value(), Duration{0});
}

TEST(ScenarioDuration, RejectsMalformedText) {
  for (std::string_view bad : {"", "5", "1x", "h", "1h-", "-1s", "1.2.3s", "30 s", " 1s", "1hh",
                               ".s", "1.s5", "1.0000000001s", "9999999999999999999h", "3000000h"}) {
    auto result = parse_duration(bad);
    ASSERT_FALSE(result.has_value()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(result.error().code, Errc::kInvalidArgument);
    EXPECT_THAT(result.error().detail, HasSubstr(std::string("\"") + std::string(bad) + "\""));
  }
  EXPECT_THAT(parse_duration("5").error().detail, HasSubstr("missing unit"));
}

TEST(ScenarioDuration, FormatRoundTrips) {
  EXPECT_EQ(format_duration(Duration{5400s}), "1h30m");
  EXPECT_EQ(format_duration(Duration{250ms}), "250ms");
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(Duration{-90s}), "-1m30s");
  for (Duration d : {Duration{1}, Duration{3723004005006}, Duration{59s}, Duration{86400s}}) {
    EXPECT_EQ(parse_duration(format_duration(d)).value(), d) << format_duration(d);
  }
}

TEST(ScenarioParse, ReadsEveryField) {
  const std::string text = R"(name = "full"
description = "all keys"
seed = 42
duration = "1h30m"
warmup = "1m"
cooldown = "20s"
cluster_id = 7
protected_shard = 32
idontwant = false

[latency]
kind = "lognormal"
min = "5ms"
max = "400ms"
median = "60ms"
sigma = 0.7

[[group]]
name = "fleet"
profile = "fleet"
count = 3
outbound = 20
max_connections = 150
uplink_mbps = 1000
downlink_mbps = 500.5
active_fraction = 0.25
shards = [32, 64]

[[traffic]]
name = "big"
shard = 64
rate_per_node_per_hour = 0.5
size = { kind = "exponential", mean = 5000, min = 100, max = 60000 }

[[traffic]]
name = "even"
shard = 32
size = { kind = "uniform", min = 1000, max = 3000 }

[churn]
leaves_per_node_per_hour = 2.5
mean_offline = "2m"
start = "1m"
groups = ["fleet"]

[partition]
start = "5m"
heal = "8m"
fraction = 0.3

[loss]
probability = 0.01
start = "3m"
end = "10m"
retransmit = false

[attack]
kind = "unsigned"
count = 4
messages_per_second = 2.5
outbound = 12
start = "2m"
end = "4m"

[checkers]
mesh_degree = false
no_duplicates = true
no_invalid = false
convergence = false
)";
  auto parsed = parse_scenario(text, "full.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  const Scenario& s = *parsed;
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "all keys");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, Duration{5400s});
  EXPECT_EQ(s.warmup, Duration{60s});
  EXPECT_EQ(s.cooldown, Duration{20s});
  EXPECT_EQ(s.cluster_id, 7);
  EXPECT_EQ(s.protected_shard, std::optional<std::uint16_t>{32});
  EXPECT_EQ(s.idontwant, std::optional<bool>{false});
  EXPECT_EQ(s.latency.kind, LatencyDistribution::Kind::kLogNormal);
  EXPECT_EQ(s.latency.min, Duration{5ms});
  EXPECT_EQ(s.latency.max, Duration{400ms});
  EXPECT_EQ(s.latency.median, Duration{60ms});
  EXPECT_DOUBLE_EQ(s.latency.sigma, 0.7);
  ASSERT_EQ(s.groups.size(), 1u);
  const NodeGroup& g = s.groups[0];
  EXPECT_EQ(g.name, "fleet");
  EXPECT_EQ(g.router_profile, "fleet");
  EXPECT_EQ(g.count, 3u);
  EXPECT_EQ(g.outbound_target, 20u);
  EXPECT_EQ(g.max_connections, 150u);
  EXPECT_DOUBLE_EQ(g.uplink_mbps, 1000.0);
  EXPECT_DOUBLE_EQ(g.downlink_mbps, 500.5);
  EXPECT_DOUBLE_EQ(g.active_fraction, 0.25);
  EXPECT_EQ(g.shards, (std::vector<std::uint16_t>{32, 64}));
  ASSERT_EQ(s.traffic.size(), 2u);
  EXPECT_EQ(s.traffic[0].name, "big");
  EXPECT_EQ(s.traffic[0].shard, 64);
  EXPECT_DOUBLE_EQ(s.traffic[0].rate_per_node_per_hour, 0.5);
  EXPECT_EQ(s.traffic[0].size.kind, SizeDistribution::Kind::kExponential);
  EXPECT_EQ(s.traffic[0].size.mean_bytes, 5000u);
  EXPECT_EQ(s.traffic[0].size.min_bytes, 100u);
  EXPECT_EQ(s.traffic[0].size.max_bytes, 60000u);
  EXPECT_DOUBLE_EQ(s.traffic[1].rate_per_node_per_hour, 5.0);  // default
  EXPECT_EQ(s.traffic[1].size.kind, SizeDistribution::Kind::kUniform);
  EXPECT_EQ(s.traffic[1].size.min_bytes, 1000u);
  EXPECT_EQ(s.traffic[1].size.max_bytes, 3000u);
  ASSERT_TRUE(s.churn.has_value());
  EXPECT_DOUBLE_EQ(s.churn->leaves_per_node_per_hour, 2.5);
  EXPECT_EQ(s.churn->mean_offline, Duration{120s});
  EXPECT_EQ(s.churn->start, Duration{60s});
  EXPECT_EQ(s.churn->end, Duration{5400s});  // defaults to the duration
  EXPECT_EQ(s.churn->groups, (std::vector<std::string>{"fleet"}));
  ASSERT_TRUE(s.partition.has_value());
  EXPECT_EQ(s.partition->start, Duration{300s});
  EXPECT_EQ(s.partition->heal, Duration{480s});
  EXPECT_DOUBLE_EQ(s.partition->fraction, 0.3);
  ASSERT_TRUE(s.loss.has_value());
  EXPECT_DOUBLE_EQ(s.loss->probability, 0.01);
  EXPECT_EQ(s.loss->end, Duration{600s});
  EXPECT_FALSE(s.loss->retransmit);
  ASSERT_TRUE(s.attack.has_value());
  EXPECT_EQ(s.attack->kind, AttackConfig::Kind::kUnsigned);
  EXPECT_EQ(s.attack->count, 4u);
  EXPECT_DOUBLE_EQ(s.attack->messages_per_second, 2.5);
  EXPECT_EQ(s.attack->outbound_target, 12u);
  EXPECT_EQ(s.attack->start, Duration{120s});
  EXPECT_EQ(s.attack->end, Duration{240s});
  EXPECT_FALSE(s.checkers.mesh_degree);
  EXPECT_TRUE(s.checkers.no_duplicates);
  EXPECT_FALSE(s.checkers.no_invalid);
  EXPECT_FALSE(s.checkers.convergence);
}

TEST(ScenarioParse, DefaultsForOmittedKeys) {
  auto parsed = parse_scenario(kBase, "test.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  const NodeGroup& member = parsed->groups[1];
  EXPECT_EQ(member.router_profile, "client");
  EXPECT_EQ(member.outbound_target, 8u);
  EXPECT_EQ(member.max_connections, 50u);
  EXPECT_DOUBLE_EQ(member.active_fraction, 1.0);
  EXPECT_EQ(parsed->seed, 1u);
  EXPECT_EQ(parsed->cluster_id, 16);
  EXPECT_FALSE(parsed->protected_shard.has_value());
  EXPECT_FALSE(parsed->churn.has_value());
  EXPECT_EQ(parsed->latency.kind, LatencyDistribution::Kind::kUniform);
  EXPECT_EQ(parsed->node_count(), 10u);
  EXPECT_FALSE(parsed->idontwant_threshold_override().has_value());  // the profiles' own
}

TEST(ScenarioParse, IDontWantThresholdOverridesTheProfiles) {
  auto parsed = parse_scenario(with_top("idontwant_threshold = 8192\n"), "test.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed->idontwant_threshold_override(), std::optional<std::size_t>{8192});
  parsed = parse_scenario(with_top("idontwant = false\n"), "test.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed->idontwant_threshold_override(), std::optional<std::size_t>{SIZE_MAX});
  parsed = parse_scenario(with_top("idontwant = true\n"), "test.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_FALSE(parsed->idontwant_threshold_override().has_value());
  const Error e = parse_error_of(with_top("idontwant_threshold = -1\n"));
  EXPECT_THAT(e.detail, HasSubstr("idontwant_threshold"));
}

TEST(ScenarioParse, UnknownKeysAreNamedWithTheirLine) {
  // Top level, on line 1.
  Error e = parse_error_of(with_top("durration = \"1h\"\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:1:1: durration: unknown key")));
  // The same key after [[traffic]] belongs to the traffic table, and the error says so.
  e = parse_error_of(with("durration = \"1h\"\n"));
  EXPECT_THAT(e.detail, HasSubstr("test.toml:27:1: traffic[0].durration: unknown key"));
  // Inside a group: "group[1].cont".
  e = parse_error_of(replaced("count = 8", "count = 8\ncont = 9"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:20:"), HasSubstr("group[1].cont")));
  // Inside an inline table.
  e = parse_error_of(replaced("mean = 2048", "mean = 2048, maen = 1"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:26:42"), HasSubstr("traffic[0].size.maen")));
  // A whole unknown table.
  e = parse_error_of(with("[chrun]\nleaves_per_node_per_hour = 1\n"));
  EXPECT_THAT(e.detail, HasSubstr("chrun"));
  // A key the chosen kind does not use.
  e = parse_error_of(with("[latency]\nkind = \"uniform\"\nmedian = \"50ms\"\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("latency.median"), HasSubstr("uniform")));
  e = parse_error_of(replaced("mean = 2048", "mean = 2048, min = 1"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("traffic[0].size.min"), HasSubstr("constant")));
}

TEST(ScenarioParse, WrongTypesAreNamed) {
  Error e = parse_error_of(replaced("count = 8", "count = \"8\""));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:19:"), HasSubstr("group[1].count"),
                              HasSubstr("an integer"), HasSubstr("a string")));
  e = parse_error_of(replaced("shards = [32]\n\n[[traffic]]", "shards = [\"32\"]\n\n[[traffic]]"));
  EXPECT_THAT(e.detail, HasSubstr("group[1].shards[0]"));
  e = parse_error_of(with_top("idontwant = 1\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("idontwant"), HasSubstr("a boolean")));
  e = parse_error_of(replaced("duration = \"10m\"", "duration = 600"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:2:"), HasSubstr("duration"),
                              HasSubstr("duration string")));
  e = parse_error_of(with_top("latency = \"fast\"\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:1:"), HasSubstr("latency: expected a table")));
  e = parse_error_of("name = \"x\"\ngroup = [1, 2]\n");
  EXPECT_THAT(e.detail,
              AllOf(HasSubstr("test.toml:2:"), HasSubstr("group: expected an array of tables")));
  e = parse_error_of(with("[latency]\nkind = \"gaussian\"\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("latency.kind"), HasSubstr("gaussian")));
  e = parse_error_of(with_top("cluster_id = 70000\n"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("cluster_id"), HasSubstr("65535")));
}

TEST(ScenarioParse, BadDurationIsNamed) {
  const Error e = parse_error_of(replaced("warmup = \"30s\"", "warmup = \"30 s\""));
  EXPECT_EQ(e.context, std::string_view("scenario: bad duration"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:3:"), HasSubstr("warmup"), HasSubstr("30 s")));
}

TEST(ScenarioParse, NegativeCountIsNamed) {
  const Error e = parse_error_of(replaced("count = 8", "count = -8"));
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml:19:"), HasSubstr("group[1].count"),
                              HasSubstr("negative")));
}

TEST(ScenarioParse, MissingRequiredKeys) {
  Error e = parse_error_of(replaced("name = \"tiny\"\n", ""), Errc::kMissingField);
  EXPECT_THAT(e.detail, AllOf(HasSubstr("test.toml"), HasSubstr("name"), HasSubstr("required")));
  e = parse_error_of(replaced("count = 8\n", ""), Errc::kMissingField);
  EXPECT_THAT(e.detail, HasSubstr("group[1].count"));
  e = parse_error_of(with("[partition]\nstart = \"1m\"\n"), Errc::kMissingField);
  EXPECT_THAT(e.detail, HasSubstr("partition.heal"));
}

TEST(ScenarioParse, TomlSyntaxErrorGivesPosition) {
  const Error e = parse_error_of(with_top("seed = = 3\n"), Errc::kDecode);
  EXPECT_THAT(e.detail, HasSubstr("test.toml:1:8:"));
}

// Semantic problems found by validate(): parse_scenario reports them with the field's line.
TEST(ScenarioValidate, RejectsInconsistentScenarios) {
  struct Case {
    std::string text;
    std::string field;
  };
  const Case cases[] = {
      {replaced("active_fraction = 0.0", "active_fraction = 1.5"), "group[0].active_fraction"},
      {replaced("profile = \"fleet\"", "profile = \"server\""), "group[0].profile"},
      {replaced("shard = 32\nrate", "shard = 33\nrate"), "traffic[0].shard"},
      {replaced("name = \"member\"", "name = \"fleet\""), "group[1].name"},
      {replaced("outbound = 2\n", "outbound = 200\n"), "group[0].outbound"},
      {replaced("uplink_mbps = 1000", "uplink_mbps = 0"), "group[0].uplink_mbps"},
      {replaced("count = 8\nshards = [32]", "count = 8\nshards = []"), "group[1].shards"},
      {replaced("mean = 2048", "mean = 200000"), "traffic[0].size.mean"},
      {replaced("{ kind = \"constant\", mean = 2048 }", "{ kind = \"uniform\", min = 5, max = 4 }"),
       "traffic[0].size.max"},
      {replaced("warmup = \"30s\"", "warmup = \"10m\""), "duration"},
      {with("[latency]\nmin = \"100ms\"\nmax = \"10ms\"\n"), "latency.max"},
      {with_top("protected_shard = 5\n"), "protected_shard"},
      {with("[attack]\ncount = 3\n"), "attack"},
      {with_top("protected_shard = 5\n") + "[attack]\ncount = 3\n", "protected_shard"},
      {with("[churn]\ngroups = [\"lurker\"]\n"), "churn.groups"},
      {with("[churn]\nstart = \"5m\"\nend = \"1m\"\n"), "churn.end"},
      {with("[loss]\nprobability = 1.01\n"), "loss.probability"},
      {with("[loss]\nend = \"11m\"\n"), "loss.end"},
      {with("[partition]\nheal = \"1m\"\nfraction = 1.0\n"), "partition.fraction"},
      {with_top("idontwant = false\nidontwant_threshold = 8192\n"), "idontwant_threshold"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_scenario(c.text, "test.toml");
    ASSERT_FALSE(parsed.has_value()) << "accepted a bad " << c.field;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidConfig) << parsed.error().message();
    EXPECT_EQ(std::string_view(parsed.error().context), "scenario: invalid value")
        << parsed.error().message();
    EXPECT_THAT(parsed.error().detail,
                AllOf(HasSubstr("test.toml"), HasSubstr(": " + c.field + ":")))
        << parsed.error().message();
  }
  // The position points at the offending line, not only the file.
  auto parsed = parse_scenario(replaced("active_fraction = 0.0", "active_fraction = 1.5"), "t");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_THAT(parsed.error().detail, HasSubstr("t:14:"));
}

TEST(ScenarioValidate, TrafficNeedsAPublisher) {
  auto parsed = parse_scenario(replaced("count = 8\n", "count = 8\nactive_fraction = 0\n"), "t");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_THAT(parsed.error().detail, AllOf(HasSubstr("traffic[0].shard"), HasSubstr("publishes")));
}

TEST(ScenarioValidate, WorksOnProgrammaticScenarios) {
  auto parsed = parse_scenario(kBase, "test.toml");
  ASSERT_TRUE(parsed.has_value());
  Scenario s = *parsed;
  EXPECT_TRUE(s.validate().has_value());
  s.groups[1].count = 0;  // the only publishers gone
  auto result = s.validate();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kInvalidConfig);
  EXPECT_THAT(result.error().detail, HasSubstr("traffic[0].shard"));
  s = *parsed;
  s.loss = LossConfig{.probability = -0.1, .start = 0s, .end = 1s, .retransmit = true};
  EXPECT_THAT(s.validate().error().detail, HasSubstr("loss.probability"));
}

// A group of `count` nodes; scale_to looks at nothing else.
NodeGroup group(std::size_t count) {
  NodeGroup g;
  g.count = count;
  return g;
}

TEST(ScenarioScale, KeepsProportionsAndExactTotal) {
  Scenario s;
  s.groups = {group(50), group(9950)};
  s.scale_to(1000);
  EXPECT_EQ(s.groups[0].count, 5u);
  EXPECT_EQ(s.groups[1].count, 995u);

  // 20/980 -> 333: quotas 6.66 and 326.34; the leftover node goes to the larger remainder.
  s.groups = {group(20), group(980)};
  s.scale_to(333);
  EXPECT_EQ(s.groups[0].count, 7u);
  EXPECT_EQ(s.groups[1].count, 326u);
  EXPECT_EQ(s.node_count(), 333u);

  // Three equal groups to 100: 33.33 each, the earliest group takes the extra node.
  s.groups = {group(10), group(10), group(10)};
  s.scale_to(100);
  EXPECT_EQ(s.groups[0].count, 34u);
  EXPECT_EQ(s.groups[1].count, 33u);
  EXPECT_EQ(s.groups[2].count, 33u);

  // Scaling up: 100 fleet + 99,900 members is the 100K case.
  s.groups = {group(50), group(9950)};
  s.scale_to(100000);
  EXPECT_EQ(s.groups[0].count, 500u);
  EXPECT_EQ(s.groups[1].count, 99500u);
}

TEST(ScenarioScale, NonEmptyGroupsKeepOneNode) {
  Scenario s;
  // 50/9950 -> 10: quotas 0.05 and 9.95; the fleet keeps one node, taken from the members.
  s.groups = {group(50), group(9950), group(0)};
  s.scale_to(10);
  EXPECT_EQ(s.groups[0].count, 1u);
  EXPECT_EQ(s.groups[1].count, 9u);
  EXPECT_EQ(s.groups[2].count, 0u);  // empty stays empty

  // Fewer nodes than groups: each keeps one.
  s.groups = {group(1), group(1), group(98)};
  s.scale_to(2);
  EXPECT_EQ(s.groups[0].count, 1u);
  EXPECT_EQ(s.groups[1].count, 1u);
  EXPECT_EQ(s.groups[2].count, 1u);

  // Random-ish shapes: the total is always exact when it can be.
  for (std::size_t n : {7u, 64u, 999u, 1001u, 12345u}) {
    s.groups = {group(3), group(77), group(920)};
    s.scale_to(n);
    EXPECT_EQ(s.node_count(), n);
    for (const NodeGroup& g : s.groups) EXPECT_GE(g.count, 1u);
  }
}

TEST(ScenarioBuiltin, EveryBuiltinParsesAndValidates) {
  const auto names = builtin_scenario_names();
  ASSERT_GE(names.size(), 6u);
  for (std::string_view name : names) {
    auto text = builtin_scenario_text(name);
    ASSERT_TRUE(text.has_value()) << name;
    auto parsed = parse_scenario(*text, name);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
    EXPECT_EQ(parsed->name, name) << "the file name and its `name` key must agree";
    EXPECT_TRUE(parsed->validate().has_value()) << name;
    EXPECT_EQ(parsed->cluster_id, 16) << name;
  }
  EXPECT_FALSE(builtin_scenario_text("no-such-scenario").has_value());
}

TEST(ScenarioBuiltin, ShippedNumbersMatchTheBrief) {
  const auto load = [](std::string_view name) {
    auto s = load_scenario(name);
    EXPECT_TRUE(s.has_value()) << name;
    return s.has_value() ? *s : Scenario{};
  };
  const Scenario c1k = load("community-1k");
  EXPECT_EQ(c1k.node_count(), 1000u);
  EXPECT_EQ(c1k.duration, Duration{3600s});
  EXPECT_EQ(c1k.warmup, Duration{30s});
  EXPECT_EQ(c1k.cooldown, Duration{10s});

  const Scenario c10k = load("community-10k");
  ASSERT_EQ(c10k.groups.size(), 2u);
  EXPECT_EQ(c10k.groups[0].count, 50u);
  EXPECT_EQ(c10k.groups[0].router_profile, "fleet");
  EXPECT_EQ(c10k.groups[0].outbound_target, 20u);
  EXPECT_EQ(c10k.groups[0].max_connections, 150u);
  EXPECT_DOUBLE_EQ(c10k.groups[0].uplink_mbps, 1000.0);
  EXPECT_EQ(c10k.groups[1].count, 9950u);
  EXPECT_EQ(c10k.groups[1].router_profile, "client");
  EXPECT_EQ(c10k.groups[1].outbound_target, 8u);
  EXPECT_EQ(c10k.groups[1].max_connections, 50u);
  EXPECT_DOUBLE_EQ(c10k.groups[1].uplink_mbps, 38.0);
  EXPECT_DOUBLE_EQ(c10k.groups[1].downlink_mbps, 83.0);
  EXPECT_EQ(c10k.groups[1].shards, std::vector<std::uint16_t>{32});
  ASSERT_EQ(c10k.traffic.size(), 1u);
  EXPECT_DOUBLE_EQ(c10k.traffic[0].rate_per_node_per_hour, 5.0);
  EXPECT_EQ(c10k.traffic[0].size.kind, SizeDistribution::Kind::kConstant);
  EXPECT_EQ(c10k.traffic[0].size.mean_bytes, 2048u);
  EXPECT_EQ(c10k.latency.kind, LatencyDistribution::Kind::kUniform);
  EXPECT_EQ(c10k.latency.min, Duration{10ms});
  EXPECT_EQ(c10k.latency.max, Duration{150ms});

  const Scenario c100k = load("community-100k-10pct-active");
  EXPECT_EQ(c100k.node_count(), 100000u);
  EXPECT_EQ(c100k.groups[0].count, 100u);
  EXPECT_DOUBLE_EQ(c100k.groups[1].active_fraction, 0.1);
  EXPECT_EQ(c100k.duration, Duration{600s});

  const Scenario fvc = load("fleet-vs-client");
  EXPECT_EQ(fvc.groups[0].count, 200u);
  EXPECT_EQ(fvc.groups[1].count, 1800u);
  EXPECT_EQ(fvc.duration, Duration{1800s});

  const Scenario spam = load("spam-attack");
  EXPECT_EQ(spam.node_count(), 510u);
  EXPECT_EQ(spam.protected_shard, std::optional<std::uint16_t>{32});
  ASSERT_TRUE(spam.attack.has_value());
  EXPECT_EQ(spam.attack->kind, AttackConfig::Kind::kBadSignature);
  EXPECT_EQ(spam.attack->count, 10u);
  EXPECT_DOUBLE_EQ(spam.attack->messages_per_second, 20.0);
  EXPECT_EQ(spam.attack->start, Duration{120s});
  EXPECT_EQ(spam.attack->end, Duration{480s});
  EXPECT_EQ(spam.duration, Duration{600s});

  const Scenario churn = load("churn");
  EXPECT_EQ(churn.node_count(), 1000u);
  ASSERT_TRUE(churn.churn && churn.partition && churn.loss);
  EXPECT_DOUBLE_EQ(churn.churn->leaves_per_node_per_hour, 2.0);
  EXPECT_EQ(churn.churn->mean_offline, Duration{120s});
  EXPECT_EQ(churn.churn->start, Duration{60s});
  EXPECT_EQ(churn.churn->end, Duration{1200s});
  EXPECT_EQ(churn.churn->groups, std::vector<std::string>{"member"});
  EXPECT_DOUBLE_EQ(churn.partition->fraction, 0.3);
  EXPECT_EQ(churn.partition->start, Duration{300s});
  EXPECT_EQ(churn.partition->heal, Duration{480s});
  EXPECT_DOUBLE_EQ(churn.loss->probability, 0.01);
  EXPECT_EQ(churn.loss->start, Duration{180s});
  EXPECT_EQ(churn.loss->end, Duration{600s});
  EXPECT_TRUE(churn.loss->retransmit);
  EXPECT_EQ(churn.duration, Duration{1800s});
}

class ScenarioLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("scenario_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ScenarioLoad, ReadsAFile) {
  const auto path = dir_ / "mine.toml";
  std::ofstream(path) << kBase;
  auto loaded = load_scenario(path.string());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(loaded->name, "tiny");
  EXPECT_EQ(loaded->node_count(), 10u);
}

TEST_F(ScenarioLoad, ErrorsNameTheFile) {
  const auto path = dir_ / "broken.toml";
  std::ofstream(path) << with_top("bogus = 1\n");
  auto loaded = load_scenario(path.string());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().detail, AllOf(HasSubstr(path.string() + ":1:1: bogus: unknown key")));
}

TEST_F(ScenarioLoad, MissingPathIsAClearError) {
  const auto path = dir_ / "absent.toml";
  auto loaded = load_scenario(path.string());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, Errc::kNotFound);
  EXPECT_THAT(loaded.error().detail, AllOf(HasSubstr(path.string()), HasSubstr("community-10k")));
}

TEST_F(ScenarioLoad, DirectoryIsNotAScenario) {
  auto loaded = load_scenario(dir_.string());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, Errc::kIo);
  EXPECT_THAT(loaded.error().detail, HasSubstr(dir_.string()));
}

TEST_F(ScenarioLoad, BuiltinByName) {
  auto loaded = load_scenario("community-10k");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(loaded->node_count(), 10000u);
}

}  // namespace
}  // namespace waku::sim
