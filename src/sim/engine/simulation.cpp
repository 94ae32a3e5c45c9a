#include "sim/engine/simulation.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "sim/engine/simulation_state.hpp"
#include "waku/codec/gossipsub_codec.hpp"

namespace waku::sim {

namespace {

std::uint64_t current_rss_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long size_pages = 0;      // NOLINT(google-runtime-int): fscanf's %lu
  unsigned long resident_pages = 0;  // NOLINT(google-runtime-int)
  const int read = std::fscanf(statm, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(statm);
  if (read != 2) return 0;
  return static_cast<std::uint64_t>(resident_pages) *
         static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// The RPC's encoded bytes by kind. The control field's own tag and length (2-4 bytes) go to the
// first control kind present, so the split sums to the frame.
ByteSplit split_of(const relay::Rpc& rpc) {
  const codec::RpcSizeBreakdown b = codec::rpc_size_breakdown(rpc);
  ByteSplit split{};
  split[static_cast<std::size_t>(ByteKind::kMessage)] = b.messages;
  split[static_cast<std::size_t>(ByteKind::kIHave)] = b.ihave;
  split[static_cast<std::size_t>(ByteKind::kIWant)] = b.iwant;
  split[static_cast<std::size_t>(ByteKind::kIDontWant)] = b.idontwant;
  split[static_cast<std::size_t>(ByteKind::kGraftPrune)] = b.graft_prune;
  split[static_cast<std::size_t>(ByteKind::kSubscriptions)] = b.subscriptions;
  if (b.other > 0) {
    std::size_t target = static_cast<std::size_t>(ByteKind::kSubscriptions);
    for (ByteKind kind : {ByteKind::kIHave, ByteKind::kIWant, ByteKind::kIDontWant,
                          ByteKind::kGraftPrune, ByteKind::kMessage}) {
      if (split[static_cast<std::size_t>(kind)] > 0) {
        target = static_cast<std::size_t>(kind);
        break;
      }
    }
    split[target] += b.other;
  }
  return split;
}

// Wire bytes by kind: each kind's application bytes plus its share of the frame's overhead.
ByteSplit wire_split(const ByteSplit& app, std::uint64_t app_total, std::uint64_t wire_total) {
  ByteSplit wire = app;
  if (app_total == 0) return wire;
  const std::uint64_t overhead = wire_total - app_total;
  std::uint64_t given = 0;
  std::size_t largest = 0;
  for (std::size_t k = 0; k < kByteKinds; ++k) {
    const std::uint64_t share = overhead * app[k] / app_total;
    wire[k] += share;
    given += share;
    if (app[k] > app[largest]) largest = k;
  }
  wire[largest] += overhead - given;
  return wire;
}

void add(ByteSplit& to, const ByteSplit& from) {
  for (std::size_t k = 0; k < kByteKinds; ++k) to[k] += from[k];
}

}  // namespace

Engine::Engine(const Scenario& s, SimOptions o)
    : scenario(s), options(std::move(o)), rng(Rng::derive(s.seed, UINT64_MAX)) {}

std::uint32_t Engine::alloc_frame() {
  if (!free_frames.empty()) {
    const std::uint32_t slot = free_frames.back();
    free_frames.pop_back();
    return slot;
  }
  frames.emplace_back();
  return static_cast<std::uint32_t>(frames.size() - 1);
}

void Engine::free_frame(std::uint32_t slot) {
  frames[slot].rpc = relay::Rpc{};
  free_frames.push_back(slot);
}

std::optional<ConnIndex> Engine::connection_of(NodeIndex n, relay::PeerHandle handle) const {
  const auto& list = nodes[n].handles;
  const auto it = std::lower_bound(list.begin(), list.end(), handle.value(),
                                   [](const std::pair<std::uint32_t, ConnIndex>& entry,
                                      std::uint32_t h) { return entry.first < h; });
  if (it == list.end() || it->first != handle.value()) return std::nullopt;
  return it->second;
}

void Engine::pump(NodeIndex n) {
  NodeState& node = nodes[n];
  if (!node.online) return;
  relay::Router& router = *node.router;
  for (;;) {
    bool progressed = false;
    while (auto transmit = router.poll_transmit()) {
      send(n, std::move(*transmit));
      progressed = true;
    }
    while (auto event = router.poll_event()) {
      handle_router_event(n, std::move(*event));
      progressed = true;
      if (!node.online) return;
    }
    if (!progressed) break;
  }
  if (const auto timeout = router.poll_timeout()) {
    const std::int64_t at = std::max(timeout->nanoseconds(), now_ns);
    if (at != node.wake_ns) {
      node.wake_ns = at;
      queue.push(at, EventKind::kWake, n);
    }
  }
}

void Engine::send(NodeIndex n, relay::Transmit transmit) {
  const auto c = connection_of(n, transmit.peer);
  if (!c) return;  // closed under the router's feet; it hears of it in handle_peer_disconnected
  const Connection& conn = connections[*c];
  if (!conn.established) return;
  NodeState& node = nodes[n];
  const NodeIndex to = conn.dialer == n ? conn.listener : conn.dialer;

  const std::uint32_t slot = alloc_frame();
  Frame& frame = frames[slot];
  frame.rpc = std::move(transmit.rpc);
  frame.from = n;
  frame.app = split_of(frame.rpc);
  std::uint64_t app_total = 0;
  for (std::uint64_t bytes : frame.app) app_total += bytes;
  const WireCost cost = wire_cost(app_total, wire_stack);
  frame.wire_total = cost.sender_bytes;
  frame.receiver_ack_bytes = cost.receiver_bytes;
  frame.wire = wire_split(frame.app, app_total, cost.sender_bytes);
  if (measuring()) {
    add(node.record.out.app, frame.app);
    add(node.record.out.wire, frame.wire);
  }

  if (partitioned(n, to)) {  // sent into the void
    free_frame(slot);
    return;
  }
  std::int64_t extra_delay = 0;
  if (scenario.loss && now_ns >= scenario.loss->start.count() &&
      now_ns < scenario.loss->end.count() && rng.bernoulli(scenario.loss->probability)) {
    if (!scenario.loss->retransmit) {
      free_frame(slot);
      return;
    }
    // TCP recovers the lost segment after a retransmission timeout (Linux: at least 200 ms).
    extra_delay = std::max<std::int64_t>(200'000'000, 2 * conn.latency_ns);
  }
  const auto serialise =
      static_cast<std::int64_t>(static_cast<double>(cost.sender_bytes) * node.up_ns_per_byte);
  node.up_free_ns = std::max(node.up_free_ns, now_ns) + serialise;
  const auto receive = static_cast<std::int64_t>(static_cast<double>(cost.sender_bytes) *
                                                 nodes[to].down_ns_per_byte);
  queue.push(node.up_free_ns + conn.latency_ns + extra_delay + receive, EventKind::kFrameArrive, to,
             *c, slot);
}

void Engine::arrive(const Event& event, bool downlink_done) {
  const std::uint32_t slot = event.b;
  Connection& conn = connections[event.a];
  NodeState& node = nodes[event.node];
  if (!conn.open || !node.online) {
    free_frame(slot);
    return;
  }
  Frame& frame = frames[slot];
  if (!downlink_done) {
    // The frame finished arriving at event time if the downlink was free when it started; if an
    // earlier frame still occupied it, it queues behind that one.
    const auto receive =
        static_cast<std::int64_t>(static_cast<double>(frame.wire_total) * node.down_ns_per_byte);
    const std::int64_t started = now_ns - receive;
    if (node.down_free_ns > started) {
      node.down_free_ns += receive;
      queue.push(node.down_free_ns, EventKind::kFrameDeliver, event.node, event.a, slot);
      return;
    }
    node.down_free_ns = now_ns;
  }
  if (measuring()) {
    add(node.record.in.app, frame.app);
    add(node.record.in.wire, frame.wire);
    // The ACKs it sends back, charged to the frame's largest kind.
    const auto largest = static_cast<std::size_t>(
        std::max_element(frame.app.begin(), frame.app.end()) - frame.app.begin());
    node.record.out.wire[largest] += frame.receiver_ack_bytes;
    nodes[frame.from].record.in.wire[largest] += frame.receiver_ack_bytes;
  }
  const std::uint32_t handle =
      conn.listener == event.node ? conn.listener_handle : conn.dialer_handle;
  relay::Rpc rpc = std::move(frame.rpc);
  free_frame(slot);
  node.router->handle_rpc(now(), relay::PeerHandle{handle}, std::move(rpc));
  pump(event.node);
}

void Engine::wake(NodeIndex n) {
  NodeState& node = nodes[n];
  if (!node.online || node.wake_ns != now_ns) return;  // stale: re-armed or node gone
  node.wake_ns = kNever;
  node.router->handle_timeout(now());
  const std::uint64_t heartbeats = node.router->heartbeats();
  if (heartbeats != node.heartbeats_seen) {
    node.heartbeats_seen = heartbeats;
    // Every tenth heartbeat of each node, staggered by index: enough to catch a broken mesh,
    // cheap enough for 10,000 nodes.
    if ((heartbeats + n) % 10 == 0) check_mesh(n);
  }
  pump(n);
}

void Engine::handle_router_event(NodeIndex n, relay::RouterEvent event) {
  if (auto* delivered = std::get_if<relay::MessageDelivered>(&event)) {
    record_delivery(n, *delivered);
  } else if (auto* disconnect = std::get_if<relay::DisconnectPeer>(&event)) {
    if (const auto c = connection_of(n, disconnect->peer)) close_connection(*c);
  }
  // Grafts, prunes and peer exchange only change router state the checkers read directly.
}

void Engine::dispatch(const Event& event) {
  switch (event.kind) {
    case EventKind::kFrameArrive: arrive(event, false); break;
    case EventKind::kFrameDeliver: arrive(event, true); break;
    case EventKind::kWake: wake(event.node); break;
    case EventKind::kPublish: publish(event.node, event.a); break;
    case EventKind::kAttack: attack(event.node); break;
    case EventKind::kStart:
      start_node(event.node);
      if (churns(event.node)) schedule_leave(event.node, now_ns);
      break;
    case EventKind::kLeave: leave_node(event.node); break;
    case EventKind::kDiscover: discover(event.node); break;
    case EventKind::kConnected: on_connected(event.a); break;
    case EventKind::kCheck:
      periodic_check();
      if (now_ns + kCheckIntervalNs <= end_ns) {
        queue.push(now_ns + kCheckIntervalNs, EventKind::kCheck, 0);
      }
      break;
  }
}

void Engine::report_progress() {
  const auto wall_now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(wall_now - last_report).count();
  if (since < options.progress_interval_seconds) return;
  Progress progress;
  progress.sim_seconds = static_cast<double>(now_ns) / 1e9;
  progress.sim_total_seconds = static_cast<double>(end_ns) / 1e9;
  progress.wall_seconds = std::chrono::duration<double>(wall_now - wall_start).count();
  progress.events = events;
  progress.events_per_second = static_cast<double>(events - events_at_last_report) / since;
  progress.rss_bytes = current_rss_bytes();
  progress.messages_published = result.messages_published;
  progress.deliveries = result.deliveries;
  progress.nodes_online = nodes_online;
  options.on_progress(progress);
  last_report = wall_now;
  events_at_last_report = events;
}

void Engine::run_until(std::int64_t until_ns) {
  while (!queue.empty() && queue.top().time_ns <= until_ns) {
    const Event event = queue.pop();
    now_ns = event.time_ns;
    ++events;
    mix((static_cast<std::uint64_t>(event.time_ns) << 8) ^ static_cast<std::uint64_t>(event.kind));
    mix((static_cast<std::uint64_t>(event.node) << 32) ^ event.a);
    dispatch(event);
    if ((events & 0xffff) == 0 && options.on_progress) report_progress();
  }
  now_ns = until_ns;
}

RunResult Engine::run() {
  wall_start = std::chrono::steady_clock::now();
  last_report = wall_start;
  run_until(end_ns);
  RunResult out = collect();
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.peak_rss_bytes = peak_rss_bytes();
  return out;
}

// --- Simulation ---

Simulation::Simulation(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
Simulation::~Simulation() = default;

Result<std::unique_ptr<Simulation>> Simulation::create(const Scenario& scenario,
                                                       SimOptions options) {
  auto engine = std::make_unique<Engine>(scenario, std::move(options));
  WAKU_TRY_VOID(engine->build());
  return std::unique_ptr<Simulation>(new Simulation(std::move(engine)));
}

RunResult Simulation::run() { return engine_->run(); }

}  // namespace waku::sim
