// Small simulations with every checker on: they finish in seconds and must pass the checkers,
// replay bit for bit from a seed, keep spam out of applications, and converge after faults.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "community_scenario.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/engine/simulation_state.hpp"
#include "sim/scenario/scenario.hpp"

namespace waku::sim {
namespace {

using test_scenarios::community;

RunResult run(const Scenario& scenario, unsigned threads = 1, bool defer_idontwant = true) {
  SimOptions options;
  options.threads = threads;
  options.defer_idontwant = defer_idontwant;
  auto simulation = Simulation::create(scenario, options);
  EXPECT_TRUE(simulation.has_value());
  return (*simulation)->run();
}

void expect_same_measurements(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.messages_published, b.messages_published);
  EXPECT_EQ(a.expected_deliveries, b.expected_deliveries);
  EXPECT_EQ(a.deliveries, b.deliveries);
  EXPECT_EQ(a.invalid_published, b.invalid_published);
  EXPECT_EQ(a.invalid_delivered, b.invalid_delivered);
  EXPECT_EQ(a.duplicates_per_message, b.duplicates_per_message);
  EXPECT_EQ(a.latency.count(), b.latency.count());
  EXPECT_EQ(a.latency.mean(), b.latency.mean());
  EXPECT_EQ(a.latency.max(), b.latency.max());
  ASSERT_EQ(a.node_records.size(), b.node_records.size());
  for (std::size_t n = 0; n < a.node_records.size(); ++n) {
    const NodeRecord& x = a.node_records[n];
    const NodeRecord& y = b.node_records[n];
    EXPECT_EQ(x.in.app, y.in.app) << "node " << n;
    EXPECT_EQ(x.in.wire, y.in.wire) << "node " << n;
    EXPECT_EQ(x.out.app, y.out.app) << "node " << n;
    EXPECT_EQ(x.out.wire, y.out.wire) << "node " << n;
    EXPECT_EQ(x.copies_received, y.copies_received) << "node " << n;
    EXPECT_EQ(x.duplicates_received, y.duplicates_received) << "node " << n;
    EXPECT_EQ(x.delivered, y.delivered) << "node " << n;
    EXPECT_EQ(x.peers_at_end, y.peers_at_end) << "node " << n;
    EXPECT_EQ(x.mesh_at_end, y.mesh_at_end) << "node " << n;
  }
  ASSERT_EQ(a.checks.size(), b.checks.size());
  for (std::size_t c = 0; c < a.checks.size(); ++c) {
    EXPECT_EQ(a.checks[c].violations, b.checks[c].violations) << a.checks[c].name;
  }
}

// Two threads run the same lanes as one, so everything measured is the same, bit for bit.
void expect_same_run(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.digest, b.digest);
  expect_same_measurements(a, b);
}

// Four attackers sending badly signed messages on protected shard 32, 20 a second each, from 40 s
// to 2 min.
void add_spam(Scenario& scenario) {
  scenario.protected_shard = 32;
  AttackConfig attack;
  attack.kind = AttackConfig::Kind::kBadSignature;
  attack.count = 4;
  attack.messages_per_second = 20;
  attack.start = 40s;
  attack.end = 2min;
  scenario.attack = attack;
}

// Churn, a partition and link loss between 30 s and 2 min.
void add_faults(Scenario& scenario) {
  ChurnConfig churn;
  churn.leaves_per_node_per_hour = 20;
  churn.mean_offline = 30s;
  churn.start = 30s;
  churn.end = 2min;
  scenario.churn = churn;
  PartitionConfig partition;
  partition.start = 60s;
  partition.heal = 90s;
  partition.fraction = 0.3;
  scenario.partition = partition;
  LossConfig loss;
  loss.probability = 0.02;
  loss.start = 30s;
  loss.end = 2min;
  scenario.loss = loss;
}

void expect_checks_pass(const RunResult& result) {
  ASSERT_EQ(result.checks.size(), 4U);
  for (const CheckResult& check : result.checks) {
    EXPECT_TRUE(check.passed) << check.name << ": " << check.violations << " violations, first "
                              << check.detail;
  }
}

TEST(SmallRuns, ProgressCountsDeliveriesAsTheyHappen) {
  // A minute: every message is younger than the 130 s after which its record is final.
  const Scenario scenario = community(40, 5, 1min);
  SimOptions options;
  options.progress_interval_seconds = 0;  // a report at every window
  std::vector<Progress> reports;
  options.on_progress = [&](const Progress& p) { reports.push_back(p); };
  auto simulation = Simulation::create(scenario, options);
  ASSERT_TRUE(simulation.has_value());
  const RunResult result = (*simulation)->run();
  ASSERT_FALSE(reports.empty());
  std::uint64_t previous = 0;
  for (const Progress& p : reports) {
    EXPECT_GE(p.deliveries, previous);
    previous = p.deliveries;
  }
  EXPECT_GT(reports.back().deliveries, 0U);
  EXPECT_LE(reports.back().deliveries, result.deliveries);
}

TEST(SmallRuns, CommunityDeliversEverythingOnceAndReplays) {
  const Scenario scenario = community(150, 5, 3min);
  const RunResult first = run(scenario);
  expect_checks_pass(first);
  EXPECT_EQ(first.nodes, 155U);
  EXPECT_GT(first.messages_published, 200U);
  EXPECT_EQ(first.deliveries, first.expected_deliveries);
  EXPECT_DOUBLE_EQ(first.delivery_ratio(), 1.0);
  EXPECT_GT(first.latency.count(), 0U);
  EXPECT_GT(first.latency.percentile(0.5), 10ms);  // at least one link's latency
  EXPECT_LT(first.latency.percentile(0.99), 2s);

  const RunResult again = run(scenario);
  EXPECT_EQ(again.digest, first.digest);
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(again.deliveries, first.deliveries);

  Scenario other = scenario;
  other.seed = 8;
  EXPECT_NE(run(other).digest, first.digest);
}

TEST(SmallRuns, SpamOnAProtectedShardNeverReachesAnApplication) {
  Scenario scenario = community(120, 3, 3min);
  add_spam(scenario);
  const RunResult result = run(scenario);
  expect_checks_pass(result);
  EXPECT_GT(result.invalid_published, 1000U);
  EXPECT_EQ(result.invalid_delivered, 0U);
  EXPECT_GT(result.messages_published, 100U);
  EXPECT_DOUBLE_EQ(result.delivery_ratio(), 1.0);

  Scenario unsigned_spam = scenario;
  unsigned_spam.attack->kind = AttackConfig::Kind::kUnsigned;
  const RunResult second = run(unsigned_spam, /*threads=*/2);
  expect_checks_pass(second);
  EXPECT_EQ(second.invalid_delivered, 0U);
  expect_same_run(second, run(unsigned_spam, /*threads=*/1));
}

TEST(SmallRuns, ConvergesAfterChurnPartitionAndLoss) {
  Scenario scenario = community(150, 5, 5min);
  add_faults(scenario);
  const RunResult result = run(scenario, /*threads=*/2);
  expect_checks_pass(result);
  // Some messages published during the faults are lost; all published after them arrive.
  EXPECT_LT(result.delivery_ratio(), 1.0);
  EXPECT_GT(result.delivery_ratio(), 0.5);
  expect_same_run(result, run(scenario, /*threads=*/1));
}

// A run through the Engine itself, for the counters of the deferred frames' rarer paths.
struct CountedRun {
  RunResult result;
  std::uint64_t overflows{0};  // frames for full slots, run as events
  std::uint64_t waits{0};      // deferred frames that queued behind a busy downlink
};

CountedRun run_counted(const Scenario& scenario, std::size_t deferred_slots) {
  SimOptions options;
  options.threads = 2;
  options.deferred_slots = deferred_slots;
  Engine engine(scenario, options);
  EXPECT_TRUE(engine.build().has_value());
  CountedRun out{engine.run()};
  for (const Lane& lane : engine.lanes) {
    out.overflows += lane.deferred_overflows;
    out.waits += lane.deferred_waits;
  }
  return out;
}

// IDONTWANT-only frames handled just before their receiver's next event, rather than as events,
// run in the queue's order all the same: through churn, a partition, loss and spam (graylisted
// attackers), every count and byte is what an event per frame gives. Only the trace differs. With
// two slots per node many frames find them full and become events, so that path is compared too.
TEST(SmallRuns, DeferredIDontWantsChangeOnlyTheDigest) {
  Scenario scenario = community(150, 5, 4min);
  add_faults(scenario);
  add_spam(scenario);

  const CountedRun deferred = run_counted(scenario, DeferredSlots::kCount);
  const RunResult per_frame = run(scenario, /*threads=*/2, /*defer_idontwant=*/false);
  EXPECT_NE(deferred.result.digest, per_frame.digest);  // the frames were deferred
  EXPECT_GT(deferred.waits, 0U);
  expect_same_measurements(deferred.result, per_frame);
  EXPECT_GT(deferred.result.invalid_published, 1000U);
  expect_same_run(deferred.result, run(scenario, /*threads=*/1));

  const CountedRun two_slots = run_counted(scenario, 2);
  EXPECT_GT(two_slots.overflows, 1000U);
  expect_same_measurements(two_slots.result, per_frame);
}

}  // namespace
}  // namespace waku::sim
