// Message bookkeeping, the checkers and the RunResult.
//
// Every publication gets a record: who published it when, how many subscribers were online to
// receive it, and a bitmap of the nodes whose application got it, which catches a duplicate
// delivery the moment it happens. Records close 130 s after publication (longer than the seen
// cache), when their counts go into the delivery ratio and timeline and the bitmap is freed, so
// memory follows the messages in flight rather than the length of the run.
#include <fmt/format.h>

#include <algorithm>

#include "sim/engine/simulation_state.hpp"

namespace waku::sim {

namespace {

std::string hex_prefix(const relay::MessageId& id) { return to_hex(ByteView(id.bytes).first(8)); }

}  // namespace

void Engine::violation(std::size_t check, std::string detail) {
  CheckState& state = checks[check];
  if (state.violations++ == 0) {
    state.first = fmt::format("t={:.3f}s: {}", static_cast<double>(now_ns) / 1e9, detail);
  }
}

MessageRecord* Engine::find_record(const relay::MessageId& id) {
  const auto it = message_index.find(id);
  return it == message_index.end() ? nullptr : &records[it->second];
}

void Engine::track_message(NodeIndex publisher, const relay::RelayMessagePtr& message,
                           std::uint32_t traffic_kind, std::size_t slot, bool valid) {
  MessageRecord record;
  record.published_ns = now_ns;
  record.publisher = publisher;
  record.traffic_kind = static_cast<std::uint16_t>(traffic_kind);
  record.shard_slot = static_cast<std::uint16_t>(slot);
  record.valid = valid;
  record.convergence = valid && now_ns >= convergence_from_ns;
  std::uint32_t expected = online_per_shard[slot];
  if (!nodes[publisher].attacker && expected > 0) --expected;  // the publisher itself
  record.expected = expected;
  record.seen_by.assign((nodes.size() + 63) / 64, 0);
  if (real_validator && message->decoded &&
      message->topic == shard_topics[shard_slot(*scenario.protected_shard)]) {
    // The verdict every router will read (SharedVerdictValidator, topology.cpp).
    const relay::ValidationContext context{now(), UnixNanos{kUnixTimeAtOriginNs + now_ns}};
    record.verdict = real_validator->validate(context, *message);
  }
  message_index.emplace(message->id, static_cast<std::uint32_t>(records.size()));
  records.push_back(std::move(record));
  if (valid) {
    ++result.messages_published;
  } else {
    ++result.invalid_published;
  }
}

void Engine::record_delivery(NodeIndex n, const relay::MessageDelivered& delivered) {
  NodeState& node = nodes[n];
  ++node.record.delivered;
  mix(load_u64_be(ByteView(delivered.message->id.bytes).first(8)) ^ n);
  if (!delivered.from) return;  // its own publication
  MessageRecord* record = find_record(delivered.message->id);
  if (record == nullptr) return;  // not published by the simulation (cannot happen)
  if (!record->seen_by.empty()) {
    std::uint64_t& word = record->seen_by[n / 64];
    const std::uint64_t bit = std::uint64_t{1} << (n % 64);
    if ((word & bit) != 0) {
      violation(kCheckNoDuplicates,
                fmt::format("node {} got message {} twice", n, hex_prefix(delivered.message->id)));
      return;  // counted once: a duplicate must not stand in for a missed subscriber
    }
    word |= bit;
  }
  if (node.attacker) return;
  if (!record->valid) {
    ++result.invalid_delivered;
    violation(kCheckNoInvalid, fmt::format("node {} delivered invalid message {} from {}", n,
                                           hex_prefix(delivered.message->id), record->publisher));
    return;
  }
  // Only nodes that were online when it was published count as expected receivers.
  if (node.online_since_ns > record->published_ns || record->seen_by.empty()) return;
  ++record->delivered;
  ++deliveries_so_far;
  result.latency.add(Duration(now_ns - record->published_ns));
}

void Engine::check_mesh(NodeIndex n) {
  for (std::string& problem : mesh_problems(n, now_ns)) {
    violation(kCheckMeshDegree, std::move(problem));
  }
}

std::vector<std::string> Engine::mesh_problems(NodeIndex n, std::int64_t at_ns) const {
  std::vector<std::string> problems;
  if (at_ns < warmup_ns || at_ns < fault_end_ns) return problems;
  const NodeState& node = nodes[n];
  if (node.attacker || at_ns - node.online_since_ns < 60'000'000'000) return problems;
  const Instant now = Instant::from_nanoseconds(at_ns);
  const relay::Router& router = *node.router;
  const relay::GossipsubParams& g = router.config().gossip;
  for (std::uint16_t shard : groups[node.group].shards) {
    const std::string& topic = shard_topics[shard_slot(shard)];
    const std::size_t mesh = router.mesh_size(topic);
    // The heartbeat prunes down to D above d_high, then may graft up to d_out outbound peers
    // when the mesh lacks them (gossipsub v1.1 outbound quota; go-libp2p does the same), so
    // d_high + d_out is the true bound right after a heartbeat.
    if (mesh > g.d_high + g.d_out) {
      problems.push_back(fmt::format("node {} mesh {} > d_high {} + d_out {} on {}", n, mesh,
                                     g.d_high, g.d_out, topic));
      continue;
    }
    if (mesh >= g.d_low) continue;
    // Below d_low is legitimate only when there are not enough peers it may graft: those with a
    // negative score, or in a backoff (plus the slack the router waits on top of it).
    std::size_t eligible = 0;
    for (relay::PeerHandle peer : router.topic_peers(topic)) {
      if (!router.in_backoff(now - g.backoff_slack, peer, topic) && router.score(now, peer) >= 0) {
        ++eligible;
      }
    }
    if (mesh < std::min(g.d_low, eligible)) {
      problems.push_back(fmt::format("node {} mesh {} < min(d_low {}, eligible {}) on {}", n, mesh,
                                     g.d_low, eligible, topic));
    }
  }
  return problems;
}

void Engine::finalize_messages(std::int64_t older_than_ns) {
  while (first_live_record < records.size() &&
         records[first_live_record].published_ns < older_than_ns) {
    MessageRecord& record = records[first_live_record++];
    record.seen_by = {};
    if (!record.valid) continue;
    result.expected_deliveries += record.expected;
    result.deliveries += record.delivered;
    TimelineBucket& bucket =
        result.timeline[static_cast<std::size_t>(record.published_ns / timeline_bucket_ns)];
    ++bucket.published;
    bucket.expected_deliveries += record.expected;
    bucket.deliveries += record.delivered;
    if (record.convergence && record.delivered < record.expected) {
      violation(kCheckConvergence,
                fmt::format("message of node {} published at {:.3f}s reached {} of {} subscribers",
                            record.publisher, static_cast<double>(record.published_ns) / 1e9,
                            record.delivered, record.expected));
    }
  }
}

void Engine::periodic_check() { finalize_messages(now_ns - kRecordOpenNs); }

RunResult Engine::collect() {
  finalize_messages(kNever);
  RunResult& out = result;
  out.scenario = scenario.name;
  out.seed = scenario.seed;
  out.sim_seconds = static_cast<double>(end_ns) / 1e9;
  out.measured_seconds = static_cast<double>(end_ns - warmup_ns) / 1e9;
  out.events = total_events();
  // The topology events' trace and each lane's, in lane order.
  std::uint64_t combined = digest;
  for (const Lane& lane : lanes) mix_digest(combined, lane.digest);
  out.digest = combined;
  out.reproduce_command = options.reproduce_command;
  std::uint64_t duplicates = 0;
  std::uint64_t first_seen = 0;
  out.node_records.clear();
  out.node_records.reserve(nodes.size());
  for (NodeIndex n = 0; n < nodes.size(); ++n) {
    NodeState& node = nodes[n];
    NodeRecord record = node.record;
    MessageCounts counts = node.past_counts;
    if (node.online) {
      const std::int64_t from = std::max(node.online_since_ns, warmup_ns);
      if (end_ns > from) record.online_seconds += static_cast<double>(end_ns - from) / 1e9;
      counts.add(node.router->stats());
      record.peers_at_end = static_cast<std::uint32_t>(node.router->peer_count());
      const auto& own_shards = groups[node.group].shards;
      if (!own_shards.empty()) {
        record.mesh_at_end = static_cast<std::uint32_t>(
            node.router->mesh_size(shard_topics[shard_slot(own_shards.front())]));
      }
    }
    record.copies_received = counts.received;
    record.duplicates_received = counts.duplicate;
    if (!node.attacker) {
      ++out.nodes;
      duplicates += counts.duplicate;
      first_seen += counts.first_seen;
    }
    out.node_records.push_back(std::move(record));
  }
  out.duplicates_per_message =
      first_seen == 0 ? 0.0 : static_cast<double>(duplicates) / static_cast<double>(first_seen);
  const bool enabled[] = {scenario.checkers.mesh_degree, scenario.checkers.no_duplicates,
                          scenario.checkers.no_invalid, scenario.checkers.convergence};
  out.checks.clear();
  for (std::size_t c = 0; c < checks.size(); ++c) {
    if (!enabled[c]) continue;
    CheckResult check;
    check.name = kCheckNames[c];
    check.violations = checks[c].violations;
    check.passed = check.violations == 0;
    check.detail = checks[c].first;
    out.checks.push_back(std::move(check));
  }
  return out;
}

}  // namespace waku::sim
