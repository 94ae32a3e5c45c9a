// Calibration: the message copies each simulated node receives match the capacity model's
// counting (sim/model/capacity_model.hpp, "Refined model: counting") at small N.
//
// The model is fed what the simulation measured: the mean mesh degree and the mean number of
// connections at the end of the run. IDONTWANT is off, so every mesh edge carries its copy and
// the comparison tests the counting itself (mesh forwarding plus flood publish), not the
// suppression estimate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <utility>

#include "sim/engine/simulation.hpp"
#include "sim/model/capacity_model.hpp"
#include "sim/scenario/scenario.hpp"

namespace waku::sim {
namespace {

constexpr std::size_t kNodes = 200;

Scenario members_only() {
  Scenario s;
  s.name = "calibration";
  s.seed = 5;
  s.duration = 3min;
  s.warmup = 30s;
  s.cooldown = 10s;
  s.idontwant = false;
  NodeGroup member;
  member.name = "member";
  member.router_profile = "client";
  member.count = kNodes;
  member.outbound_target = 8;
  member.max_connections = 50;
  member.shards = {32};
  s.groups = {member};
  TrafficKind chat;
  chat.name = "chat";
  chat.shard = 32;
  chat.rate_per_node_per_hour = 60;  // ~500 messages in the 140 s of publishing
  chat.size.mean_bytes = 2048;
  s.traffic = {chat};
  return s;
}

struct Measured {
  double mesh = 0;                  // mean mesh degree at the end
  double connections = 0;           // mean peers at the end (all on the shard)
  double copies_per_node = 0;       // copies received per node per published message
  double duplicates_per_first = 0;  // RunResult::duplicates_per_message
};

Measured measure(const RunResult& result) {
  Measured m;
  double copies = 0;
  for (const NodeRecord& node : result.node_records) {
    m.mesh += node.mesh_at_end;
    m.connections += node.peers_at_end;
    copies += static_cast<double>(node.copies_received);
  }
  const auto n = static_cast<double>(result.node_records.size());
  m.mesh /= n;
  m.connections /= n;
  m.copies_per_node = copies / (static_cast<double>(result.messages_published) * n);
  m.duplicates_per_first = result.duplicates_per_message;
  return m;
}

// The model's copies received per node per message, for a network of `nodes` members with mean
// mesh degree `mesh` and `connections` shard peers each. The model takes an integer degree per
// profile, so the members are split into two profiles, at the floor and the ceiling of the mean,
// in the proportions that give the measured mean. Connections are rounded: half a connection
// changes the flood-publish term by 1/N copies per node per message.
struct ModelCount {
  double copies_per_node = 0;      // mesh copies and flood publish, per node per message
  double duplicates_per_node = 0;  // copies beyond the first, per node per message
  double mean_mesh_degree = 0;     // as the model saw it (after rounding the split to nodes)
};

ModelCount model_count(std::size_t nodes, double mesh, double connections) {
  const auto low_d = static_cast<std::size_t>(std::floor(mesh));
  const auto high_count = static_cast<std::size_t>(
      std::lround((mesh - static_cast<double>(low_d)) * static_cast<double>(nodes)));
  const auto c = static_cast<std::size_t>(std::lround(connections));
  model::RefinedInputs in;
  in.profiles.clear();
  in.messages_per_node_per_hour = 60;
  in.payload_bytes = 2048;
  in.idontwant = false;
  // The model counts IWANT replies apart from the mesh and flood copies; leave them out.
  in.iwant_reply_ratio = 0;
  for (const auto& [d, count] : {std::pair{low_d, nodes - high_count}, {low_d + 1, high_count}}) {
    model::RelayProfile p = model::member_profile(count, c);
    p.gossip.d = d;
    p.gossip.idontwant_message_size_threshold = SIZE_MAX;
    in.profiles.push_back(p);
  }
  auto refined = model::refined_for(in);
  EXPECT_TRUE(refined.has_value()) << refined.error().context;
  if (!refined) return {};
  ModelCount out;
  out.copies_per_node = refined->all.copies_in_per_second / refined->messages_per_second;
  out.duplicates_per_node = refined->all.duplicates_in_per_second / refined->messages_per_second;
  out.mean_mesh_degree = refined->mean_mesh_degree;
  return out;
}

TEST(Calibration, SimulatedCopiesPerNodeMatchTheModel) {
  const Scenario scenario = members_only();
  auto simulation = Simulation::create(scenario, SimOptions{});
  ASSERT_TRUE(simulation.has_value());
  const RunResult result = (*simulation)->run();
  for (const CheckResult& check : result.checks) {
    EXPECT_TRUE(check.passed) << check.name << ": " << check.detail;
  }
  ASSERT_EQ(result.nodes, kNodes);
  ASSERT_GT(result.messages_published, 300U);
  ASSERT_DOUBLE_EQ(result.delivery_ratio(), 1.0);

  const Measured sim = measure(result);
  const ModelCount model = model_count(kNodes, sim.mesh, sim.connections);
  // The split reproduces the measured mean degree (to one node's worth of rounding).
  EXPECT_NEAR(model.mean_mesh_degree, sim.mesh, 1.0 / kNodes + 1e-9);

  // Independent check of the model's arithmetic: summed over nodes, one message crosses the
  // mesh in N*Dm - (N-1) transmissions, and flood publish adds (c - Dm) sends to non-mesh peers
  // plus as many extra forwards (header points 1 and 2).
  const double n = kNodes;
  const double by_hand = (n * sim.mesh - (n - 1)) / n + 2 * (sim.connections - sim.mesh) / n;
  EXPECT_NEAR(model.copies_per_node, by_hand, 0.02);

  std::printf(
      "calibration: %zu nodes, %llu messages, mean mesh %.3f, mean connections %.3f\n"
      "  copies received per node per message: simulated %.4f, model %.4f (ratio %.4f)\n"
      "  duplicates per first receipt: simulated %.4f; model per node %.4f;"
      " bounds D/2-1 = %.3f, D-2 = %.3f\n",
      kNodes, static_cast<unsigned long long>(result.messages_published),  // NOLINT
      sim.mesh, sim.connections, sim.copies_per_node, model.copies_per_node,
      sim.copies_per_node / model.copies_per_node, sim.duplicates_per_first,
      model.duplicates_per_node, sim.mesh / 2 - 1, sim.mesh - 2);

  // Tolerance 3%. The model takes each node at its end-of-run mesh degree, but meshes drift
  // inside [d_low, d_high] while the messages flow (grafts from peers, prunes above d_high); it
  // counts no IWANT replies (a node that hears of a message by IHAVE before any mesh copy fetches
  // it); and it assumes a flood-published copy is the non-mesh peer's first one, which random
  // latencies (no triangle inequality) sometimes break. Over seeds 1, 2, 3, 5 and 9 the ratio was
  // 1.0006-1.0026, so 3% leaves room for those effects while still catching a change of the
  // forwarding rule (sending back to the sender: +1 copy, ~20%; no flood publish: -0.1, ~2% is
  // below it, the by-hand check above covers the model's side of that term).
  EXPECT_NEAR(sim.copies_per_node / model.copies_per_node, 1.0, 0.03);
  EXPECT_GE(sim.mesh, 4.0);  // client profile: d_low 4 ...
  EXPECT_LE(sim.mesh, 8.0);  // ... d_high 8

  // Duplicate bounds of the Waku scalability model (reference gossipsub.md §4.3), with D the
  // measured mean mesh degree: each edge crossed once gives D/2 - 1 duplicates per peer, everyone
  // forwarding to D - 1 peers gives D - 2. The router forwards to D - 1, so the simulation sits at
  // the upper bound, and slightly above it (4.16 against D - 2 = 4.02 for seed 5): the bound
  // leaves out flood publish, which adds 2(c - D)/N copies per node per message (~0.1 here), and
  // the source's 1/N, while duplicates_per_message divides by first receipts, (N-1)/N per node per
  // message. With those terms the bound is met within the same 3%.
  const double lower = sim.mesh / 2 - 1;
  const double upper = (sim.mesh - 2 + 2 * (sim.connections - sim.mesh) / n + 1 / n) * n / (n - 1);
  EXPECT_GT(sim.duplicates_per_first, lower);
  EXPECT_NEAR(sim.duplicates_per_first / upper, 1.0, 0.03);
  // The model's own duplicate count, per first receipt, agrees as well.
  EXPECT_NEAR(sim.duplicates_per_first / (model.duplicates_per_node * n / (n - 1)), 1.0, 0.03);
}

}  // namespace
}  // namespace waku::sim
