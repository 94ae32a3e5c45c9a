#include "sim/engine/simulation.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

#include "sim/engine/simulation_state.hpp"
#include "waku/base/prefetch.hpp"
#include "waku/relay/rpc_recycler.hpp"

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

// The RPC's encoded bytes by kind (as the router counted them building it). The control field's
// own tag and length (2-4 bytes) go to the first control kind present, so the split sums to the
// frame.
ByteSplit split_of(const relay::RpcSizeBreakdown& b) {
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
    if (app[k] == 0) continue;  // most frames carry one or two kinds: a division saved per other
    const std::uint64_t share = overhead * app[k] / app_total;
    wire[k] += share;
    given += share;
    if (app[k] > app[largest]) largest = k;
  }
  wire[largest] += overhead - given;
  return wire;
}

// The id of an RPC that carries one IDONTWANT entry of one id and nothing else, whose handling
// sends nothing and touches only its receiver's state for that peer (simulation_state.hpp,
// DeferredIDontWant); nullptr for any other RPC.
const relay::MessageId* sole_idontwant(const relay::Rpc& rpc) {
  const relay::Control& control = rpc.control;
  const bool only_idontwant = control.idontwant.size() == 1 && rpc.publish.empty() &&
                              rpc.subscriptions.empty() && control.ihave.empty() &&
                              control.iwant.empty() && control.graft.empty() &&
                              control.prune.empty();
  if (!only_idontwant || control.idontwant.front().ids.size() != 1) return nullptr;
  return &control.idontwant.front().ids.front();
}

// A deferred IDONTWANT's bytes are all of this kind: split_of gives the control field's prefix to
// the first control kind present, the only one.
constexpr auto kIDontWantKind = static_cast<std::size_t>(ByteKind::kIDontWant);

// A deferred IDONTWANT's bytes as a frame's.
FrameCost cost_of(const DeferredIDontWant& d) {
  FrameCost cost;
  cost.app[kIDontWantKind] = d.app_bytes;
  cost.wire[kIDontWantKind] = d.wire_bytes;
  cost.wire_total = d.wire_bytes;
  cost.receiver_ack_bytes = d.ack_bytes;
  return cost;
}

// A deferred IDONTWANT's event in the trace digest: what its event would have been, with the
// id's first bytes where the event would name a frame.
Event event_of(NodeIndex n, const DeferredIDontWant& d) {
  const auto& id = d.id.bytes;
  const std::uint32_t id_prefix = std::uint32_t{id[0]} << 24 | std::uint32_t{id[1]} << 16 |
                                  std::uint32_t{id[2]} << 8 | std::uint32_t{id[3]};
  return Event{d.time_ns, d.sequence,
               n,         d.conn,
               id_prefix, d.downlink_done ? EventKind::kFrameDeliver : EventKind::kFrameArrive};
}

NodeIndex other_end(const Connection& conn, NodeIndex n) {
  return conn.listener == n ? conn.dialer : conn.listener;
}
// Node n's router handle for the peer at the other end.
relay::PeerHandle handle_at(const Connection& conn, NodeIndex n) {
  return relay::PeerHandle{conn.listener == n ? conn.listener_handle : conn.dialer_handle};
}

// __restrict: two records never alias, and without it GCC adds the six counters one by one.
void add(ByteSplit& __restrict to, const ByteSplit& __restrict from) {
  for (std::size_t k = 0; k < kByteKinds; ++k) to[k] += from[k];
}

}  // namespace

// Runs lane 0 on the calling thread and the other lanes on a second one, window by window. A
// window takes tens of microseconds to milliseconds, so each side spins a little before it
// sleeps: a futex round trip per window (std::barrier) cost ~8 % of the run in context switches.
class LaneWorker {
 public:
  explicit LaneWorker(Engine& engine) : engine_(engine), thread_([this] { loop(); }) {}
  LaneWorker(const LaneWorker&) = delete;
  LaneWorker& operator=(const LaneWorker&) = delete;
  ~LaneWorker() {
    stop_ = true;
    signal(started_, ++window_);
    thread_.join();
  }
  void run(std::int64_t before_ns) {
    before_ns_ = before_ns;  // published to the worker by the release store in signal()
    const std::uint64_t window = ++window_;
    signal(started_, window);
    engine_.run_lane(engine_.lanes[0], before_ns);
    await(finished_, window);
  }

 private:
  static void signal(std::atomic<std::uint64_t>& flag, std::uint64_t value) {
    flag.store(value, std::memory_order_release);
    flag.notify_one();
  }
  static void await(const std::atomic<std::uint64_t>& flag, std::uint64_t value) {
    for (int spin = 0; spin < 1000; ++spin) {
      if (flag.load(std::memory_order_acquire) == value) return;
      __builtin_ia32_pause();
    }
    for (std::uint64_t seen = flag.load(std::memory_order_acquire); seen != value;
         seen = flag.load(std::memory_order_acquire)) {
      flag.wait(seen, std::memory_order_acquire);
    }
  }
  void loop() {
    for (std::uint64_t window = 1;; ++window) {
      await(started_, window);
      if (stop_) return;
      for (std::size_t i = 1; i < engine_.lanes.size(); ++i) {
        engine_.run_lane(engine_.lanes[i], before_ns_);
      }
      signal(finished_, window);
    }
  }

  Engine& engine_;
  std::atomic<std::uint64_t> started_{0};
  std::atomic<std::uint64_t> finished_{0};
  std::uint64_t window_{0};  // main thread only
  std::int64_t before_ns_{0};
  bool stop_{false};
  std::thread thread_;  // last: it starts once the members above exist
};

Engine::Engine(const Scenario& s, SimOptions o)
    : scenario(s), options(std::move(o)), rng(Rng::derive(s.seed, UINT64_MAX)) {}

Engine::~Engine() = default;

std::uint32_t FrameSlots::grow() {
  const std::uint32_t slot = size_++;
  const std::uint32_t chunk = slot >> kChunkShift;
  WAKU_ASSERT_MSG(chunk < kMaxChunks, "more frames in flight than a lane can hold");
  if (chunks_[chunk] == nullptr) chunks_[chunk] = std::make_unique<Frame[]>(kChunkMask + 1);
  return slot;
}

FrameRef Lane::alloc_frame() {
  if (free_frames.empty()) return index << kFrameLaneShift | frames.grow();
  const FrameRef frame = free_frames.back();
  free_frames.pop_back();
  return frame;
}

void balance_free_frames(std::vector<FrameRef>& a, std::vector<FrameRef>& b, std::size_t slack) {
  std::vector<FrameRef>& longer = a.size() >= b.size() ? a : b;
  std::vector<FrameRef>& shorter = a.size() >= b.size() ? b : a;
  const std::size_t gap = longer.size() - shorter.size();
  if (gap <= slack) return;
  const auto moved = static_cast<std::ptrdiff_t>(gap / 2);
  // At the front of the shorter list too, so that its own recently freed frames stay next in line.
  shorter.insert(shorter.begin(), longer.begin(), longer.begin() + moved);
  longer.erase(longer.begin(), longer.begin() + moved);
}

void Engine::free_frame(Lane& lane, FrameRef ref) {
  relay::rpc_recycler().clear(frame(ref).rpc);
  lane.release_frame(ref);
}

const Link* Engine::link_of(NodeIndex n, relay::PeerHandle handle) const {
  const std::vector<Link>& links = nodes[n].links;
  if (handle.value() >= links.size() || links[handle.value()].conn == kNoConn) return nullptr;
  return &links[handle.value()];
}

void Engine::pump(Lane& lane, NodeIndex n) {
  NodeState& node = nodes[n];
  if (!node.online) return;
  relay::Router& router = *node.router;
  for (;;) {
    bool progressed = false;
    for (;;) {
      const FrameRef ref = lane.alloc_frame();
      relay::RpcSizeBreakdown sizes;
      const auto peer = router.poll_transmit_into(frame(ref).rpc, &sizes);
      if (!peer) {
        lane.release_frame(ref);
        break;
      }
      send(lane, n, *peer, ref, sizes);
      progressed = true;
    }
    while (auto event = router.poll_event()) {
      handle_router_event(lane, n, std::move(*event));
      progressed = true;
    }
    if (!progressed) break;
  }
  if (const auto timeout = router.poll_timeout()) {
    const std::int64_t at = std::max(timeout->nanoseconds(), lane.now_ns);
    if (at != node.wake_ns) {
      node.wake_ns = at;
      lane.queue.push(at, EventKind::kWake, n);
    }
  }
}

void Engine::send(Lane& lane, NodeIndex n, relay::PeerHandle peer, FrameRef ref,
                  const relay::RpcSizeBreakdown& sizes) {
  const Link* link = link_of(n, peer);
  // Closed under the router's feet; it hears of it in handle_peer_disconnected.
  if (link == nullptr || !link->established) {
    free_frame(lane, ref);
    return;
  }
  NodeState& node = nodes[n];
  const NodeIndex to = link->peer;
  Frame& sent = frame(ref);
  const std::uint64_t app_total = sizes.total();
  const WireCost cost = wire_cost(app_total, wire_stack);
  // A deferred IDONTWANT is of one kind and needs its Frame no further than this function.
  const relay::MessageId* idontwant = link->defer_idontwant ? sole_idontwant(sent.rpc) : nullptr;
  if (idontwant != nullptr) {
    if (measuring(lane.now_ns)) {
      node.record.out.app[kIDontWantKind] += app_total;
      node.record.out.wire[kIDontWantKind] += cost.sender_bytes;
    }
  } else {
    FrameCost& frame_cost = sent.cost;
    sent.from = n;
    sent.first_message = sent.rpc.publish.empty() ? nullptr : sent.rpc.publish.front().get();
    frame_cost.app = split_of(sizes);
    frame_cost.wire_total = cost.sender_bytes;
    frame_cost.receiver_ack_bytes = cost.receiver_bytes;
    frame_cost.wire = wire_split(frame_cost.app, app_total, cost.sender_bytes);
    if (measuring(lane.now_ns)) {
      add(node.record.out.app, frame_cost.app);
      add(node.record.out.wire, frame_cost.wire);
    }
  }

  if (partitioned(n, to, lane.now_ns)) {  // sent into the void
    free_frame(lane, ref);
    return;
  }
  std::int64_t extra_delay = 0;
  if (scenario.loss && lane.now_ns >= scenario.loss->start.count() &&
      lane.now_ns < scenario.loss->end.count() && lane.rng.bernoulli(scenario.loss->probability)) {
    if (!scenario.loss->retransmit) {
      free_frame(lane, ref);
      return;
    }
    // TCP recovers the lost segment after a retransmission timeout (Linux: at least 200 ms).
    extra_delay = std::max<std::int64_t>(200'000'000, 2 * link->latency_ns);
  }
  const auto serialise =
      static_cast<std::int64_t>(static_cast<double>(cost.sender_bytes) * node.up_ns_per_byte);
  node.up_free_ns = std::max(node.up_free_ns, lane.now_ns) + serialise;
  const auto receive = static_cast<std::int64_t>(static_cast<double>(cost.sender_bytes) *
                                                 link->peer_down_ns_per_byte);
  // At least one link latency away, so never inside the window being run (see run_until).
  const std::int64_t arrive_ns = node.up_free_ns + link->latency_ns + extra_delay + receive;
  if (idontwant != nullptr) {
    DeferredIDontWant deferred{arrive_ns,
                               0,
                               link->conn,
                               *idontwant,
                               static_cast<std::uint32_t>(app_total),
                               static_cast<std::uint32_t>(cost.sender_bytes),
                               static_cast<std::uint32_t>(cost.receiver_bytes),
                               false};
    free_frame(lane, ref);  // the next RPC is built in it, still in cache
    if (&lane_of(to) != &lane) {
      const auto index = static_cast<FrameRef>(lane.idontwant_handovers.size());
      lane.idontwant_handovers.push_back(deferred);
      lane.handovers.push_back(Handover{arrive_ns, to, link->conn, index, /*deferred=*/true});
      return;
    }
    deferred.sequence = lane.queue.take_sequence();
    defer(lane, to, deferred);
    return;
  }
  if (&lane_of(to) != &lane) {
    lane.handovers.push_back(Handover{arrive_ns, to, link->conn, ref, /*deferred=*/false});
    return;
  }
  lane.queue.push(arrive_ns, EventKind::kFrameArrive, to, link->conn, ref);
}

void Engine::arrive(Lane& lane, const Event& event, bool downlink_done) {
  switch (receive(lane, event.node, event.a, event.b, downlink_done)) {
    case Reception::kHandled: pump(lane, event.node); break;
    case Reception::kWaiting:
      lane.queue.push(nodes[event.node].down_free_ns, EventKind::kFrameDeliver, event.node, event.a,
                      event.b);
      break;
    case Reception::kDropped: break;
  }
}

Engine::Reception Engine::reach(Lane& lane, NodeIndex n, const Connection& conn,
                                std::uint64_t wire_bytes, bool downlink_done) {
  NodeState& node = nodes[n];
  if (!conn.open || !node.online) return Reception::kDropped;
  if (!downlink_done) {
    // The frame finished arriving at event time if the downlink was free when it started; if an
    // earlier frame still occupied it, it queues behind that one.
    const auto receive =
        static_cast<std::int64_t>(static_cast<double>(wire_bytes) * node.down_ns_per_byte);
    const std::int64_t started = lane.now_ns - receive;
    if (node.down_free_ns > started) {
      node.down_free_ns += receive;
      return Reception::kWaiting;
    }
    node.down_free_ns = lane.now_ns;
  }
  return Reception::kHandled;
}

void Engine::count_in(Lane& lane, NodeIndex n, NodeIndex from, const FrameCost& cost) {
  if (!measuring(lane.now_ns)) return;
  NodeRecord& record = nodes[n].record;
  add(record.in.app, cost.app);
  add(record.in.wire, cost.wire);
  // The ACKs it sends back, charged to the frame's largest kind.
  const auto largest = static_cast<std::uint32_t>(
      std::max_element(cost.app.begin(), cost.app.end()) - cost.app.begin());
  count_acks(lane, record, from, largest, cost.receiver_ack_bytes);
}

void Engine::count_acks(Lane& lane, NodeRecord& record, NodeIndex from, std::uint32_t kind,
                        std::uint64_t bytes) {
  record.out.wire[kind] += bytes;
  // The sender's side is another node's record, counted between windows.
  lane.ack_credits.push_back(AckCredit{from, kind, bytes});
}

Engine::Reception Engine::receive(Lane& lane, NodeIndex n, ConnIndex c, FrameRef ref,
                                  bool downlink_done) {
  const Connection& conn = connections[c];
  Frame& arrived = frame(ref);
  const Reception reception = reach(lane, n, conn, arrived.cost.wire_total, downlink_done);
  if (reception == Reception::kDropped) free_frame(lane, ref);
  if (reception != Reception::kHandled) return reception;
  count_in(lane, n, arrived.from, arrived.cost);
  nodes[n].router->handle_rpc_in_place(lane.now(), handle_at(conn, n), arrived.rpc);
  lane.release_frame(ref);
  return Reception::kHandled;
}

Engine::Reception Engine::receive_idontwant(Lane& lane, NodeIndex n,
                                            const DeferredIDontWant& deferred) {
  const Connection& conn = connections[deferred.conn];
  const Reception reception = reach(lane, n, conn, deferred.wire_bytes, deferred.downlink_done);
  if (reception != Reception::kHandled) return reception;
  if (measuring(lane.now_ns)) {
    NodeRecord& record = nodes[n].record;
    record.in.app[kIDontWantKind] += deferred.app_bytes;
    record.in.wire[kIDontWantKind] += deferred.wire_bytes;
    count_acks(lane, record, other_end(conn, n), kIDontWantKind, deferred.ack_bytes);
  }
  nodes[n].router->handle_idontwant(lane.now(), handle_at(conn, n), deferred.id);
  return Reception::kHandled;
}

void Engine::defer(Lane& lane, NodeIndex to, const DeferredIDontWant& deferred) {
  std::uint8_t& count = lane.deferred_count[to];
  if (count < deferred_slots) {
    // In reverse queue order, so that the next due is the last.
    std::array<DeferredIDontWant, DeferredSlots::kCount>& slots = lane.deferred[to].frames;
    std::size_t i = count++;
    for (; i > 0 && runs_before(slots[i - 1].time_ns, slots[i - 1].sequence, deferred.time_ns,
                                deferred.sequence);
         --i) {
      slots[i] = slots[i - 1];
    }
    slots[i] = deferred;
    return;
  }
  // No slot: the RPC it was, as a frame and an event.
  ++lane.deferred_overflows;
  const FrameRef ref = lane.alloc_frame();
  Frame& full = frame(ref);
  relay::IDontWant entry{relay::rpc_recycler().take_ids()};
  entry.ids.push_back(deferred.id);
  full.rpc.control.idontwant.push_back(std::move(entry));
  full.from = other_end(connections[deferred.conn], to);
  full.first_message = nullptr;
  full.cost = cost_of(deferred);
  Event event = event_of(to, deferred);
  event.b = ref;
  lane.queue.push(event);
}

void Engine::file_incoming_deferred(Lane& lane) {
  for (const auto& [to, deferred] : lane.incoming_deferred) defer(lane, to, deferred);
  lane.incoming_deferred.clear();
}

// In the queue's order, (time, sequence): the slots' last first (defer keeps them sorted).
template <class Due>
void Engine::run_deferred(Lane& lane, NodeIndex n, Due due) {
  std::uint8_t& count = lane.deferred_count[n];
  const std::array<DeferredIDontWant, DeferredSlots::kCount>& slots = lane.deferred[n].frames;
  while (count > 0 && due(slots[count - 1])) {
    DeferredIDontWant next = slots[--count];
    lane.now_ns = next.time_ns;
    ++lane.events;  // counted as the event it would have been
    mix_event(lane.digest, event_of(n, next));
    // Handled, it sent nothing: the node's next event pumps the router as usual.
    if (receive_idontwant(lane, n, next) == Reception::kWaiting) {
      ++lane.deferred_waits;
      next.downlink_done = true;
      next.time_ns = nodes[n].down_free_ns;
      next.sequence = lane.queue.take_sequence();
      defer(lane, n, next);
    }
  }
}

void Engine::run_deferred_before(Lane& lane, const Event& next) {
  run_deferred(lane, next.node, [&next](const DeferredIDontWant& d) {
    return runs_before(d.time_ns, d.sequence, next.time_ns, next.sequence);
  });
}

void Engine::run_deferred_until(NodeIndex n, std::int64_t before_ns) {
  Lane& lane = idle_lane_of(n);
  file_incoming_deferred(lane);
  if (lane.deferred_count[n] == 0) return;
  run_deferred(lane, n, [before_ns](const DeferredIDontWant& d) { return d.time_ns < before_ns; });
  lane.now_ns = now_ns;
}

void Engine::wake(Lane& lane, NodeIndex n) {
  NodeState& node = nodes[n];
  if (!node.online || node.wake_ns != lane.now_ns) return;  // stale: re-armed or node gone
  node.wake_ns = kNever;
  node.router->handle_timeout(lane.now());
  const std::uint64_t heartbeats = node.router->heartbeats();
  if (heartbeats != node.heartbeats_seen) {
    node.heartbeats_seen = heartbeats;
    // Every tenth heartbeat of each node, staggered by index: enough to catch a broken mesh,
    // cheap enough for 10,000 nodes.
    if ((heartbeats + n) % 10 == 0) {
      for (std::string& problem : mesh_problems(n, lane.now_ns)) {
        lane.effects.push_back(
            LaneEffect{lane.now_ns, n, Violation{kCheckMeshDegree, std::move(problem)}});
      }
    }
  }
  pump(lane, n);
}

void Engine::handle_router_event(Lane& lane, NodeIndex n, relay::RouterEvent event) {
  if (auto* delivered = std::get_if<relay::MessageDelivered>(&event)) {
    lane.effects.push_back(LaneEffect{lane.now_ns, n, Delivery{std::move(*delivered)}});
  } else if (auto* disconnect = std::get_if<relay::DisconnectPeer>(&event)) {
    lane.effects.push_back(LaneEffect{lane.now_ns, n, Disconnect{disconnect->peer}});
  }
  // Grafts, prunes and peer exchange only change router state the checkers read directly.
}

void Engine::dispatch_node(Lane& lane, const Event& event) {
  switch (event.kind) {
    case EventKind::kFrameArrive: arrive(lane, event, false); break;
    case EventKind::kFrameDeliver: arrive(lane, event, true); break;
    case EventKind::kWake: wake(lane, event.node); break;
    case EventKind::kPublish: publish(lane, event.node, event.a); break;
    case EventKind::kAttack: attack(lane, event.node); break;
    default: WAKU_ASSERT_MSG(false, "a topology event in a lane");
  }
}

void Engine::dispatch_topology(const Event& event) {
  switch (event.kind) {
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
    default: WAKU_ASSERT_MSG(false, "a node event in the topology queue");
  }
}

// An event touches its node, its connection and frame, the node's router state, and then what
// the router looks up for the RPC: a chain of cache misses (10,000 routers' state does not fit in
// any cache), each waiting for the one before. So while an event runs, the second next event's
// node, connection and frame start loading, then the next event's router state and message, found
// through the node and frame loaded one event earlier, then the current RPC's peer keys and
// seen-set slots: the misses of three events overlap. Only hints: a wrong guess (an event pushed in
// between) changes nothing.
void Engine::prefetch_event_addresses(const Lane& lane, const Event& event) const {
  prefetch_object(nodes[event.node]);
  const DeferredSlots& deferred = lane.deferred[event.node];
  for (std::size_t i = 0; i < lane.deferred_count[event.node]; ++i) {
    prefetch(&deferred.frames[i]);
  }
  if (event.kind == EventKind::kFrameArrive || event.kind == EventKind::kFrameDeliver) {
    prefetch_object(connections[event.a]);
    prefetch_object(frame(event.b));
  }
}

void Engine::prefetch_event_state(const Event& event) const {
  const NodeState& node = nodes[event.node];
  if (node.router) node.router->prefetch_state();
  if (event.kind == EventKind::kFrameArrive || event.kind == EventKind::kFrameDeliver) {
    const Frame& next = frame(event.b);
    prefetch(next.rpc.publish.data());
    // The IHAVE and IDONTWANT entries, whose ids prefetch_event_inputs fetches next.
    prefetch(next.rpc.control.ihave.data());
    prefetch(next.rpc.control.idontwant.data());
    if (next.first_message != nullptr) {
      prefetch(&next.first_message->topic);
      prefetch_object(next.first_message->id);
    }
  }
}

void Engine::prefetch_event_inputs(const Event& event) const {
  const NodeState& node = nodes[event.node];
  if (node.router &&
      (event.kind == EventKind::kFrameArrive || event.kind == EventKind::kFrameDeliver)) {
    const relay::Rpc& rpc = frame(event.b).rpc;
    node.router->prefetch_receive(rpc);
    // The ids of gossip, each hashed and probed in a set (an IHAVE carries ~40 of them).
    for (const relay::IHave& ihave : rpc.control.ihave) {
      prefetch_bytes(ihave.ids.data(), ihave.ids.size() * sizeof(relay::MessageId));
    }
    for (const relay::IDontWant& idontwant : rpc.control.idontwant) {
      prefetch_bytes(idontwant.ids.data(), idontwant.ids.size() * sizeof(relay::MessageId));
    }
  }
}

void Engine::run_lane(Lane& lane, std::int64_t before_ns) {
  file_incoming_deferred(lane);
  while (!lane.queue.empty() && lane.queue.top().time_ns < before_ns) {
    const Event event = lane.queue.pop();
    if (!lane.queue.empty()) {
      if (const Event* second = lane.queue.peek_second()) prefetch_event_addresses(lane, *second);
      prefetch_event_state(lane.queue.top());
    }
    prefetch_event_inputs(event);
    if (lane.deferred_count[event.node] != 0) run_deferred_before(lane, event);
    lane.now_ns = event.time_ns;
    ++lane.events;
    mix_event(lane.digest, event);
    dispatch_node(lane, event);
  }
}

// Between windows, with the lanes idle: frames change lanes, then each lane's effects are
// applied in the order they happened, lane 0 first. Applying an effect can make more (closing a
// connection pumps both routers), so this repeats until nothing is left: a frame must be in its
// lane's queue before the next window is sized.
void Engine::apply_lane_effects() {
  const std::int64_t window_end_ns = now_ns;
  for (bool pending = true; pending;) {
    pending = false;
    for (Lane& lane : lanes) {
      for (const Handover& h : lane.handovers) {
        Lane& to = lane_of(h.to);
        if (h.deferred) {
          // Its sequence number now, where the push below would have given it one.
          DeferredIDontWant deferred = lane.idontwant_handovers[h.frame];
          deferred.sequence = to.queue.take_sequence();
          to.incoming_deferred.emplace_back(h.to, deferred);
        } else {
          to.queue.push(h.arrive_ns, EventKind::kFrameArrive, h.to, h.conn, h.frame);
        }
      }
      lane.handovers.clear();
      lane.idontwant_handovers.clear();
      for (const AckCredit& credit : lane.ack_credits) {
        nodes[credit.node].record.in.wire[credit.kind] += credit.bytes;
      }
      lane.ack_credits.clear();
    }
    for (Lane& lane : lanes) {
      std::vector<LaneEffect> effects;
      effects.swap(lane.effects);
      for (LaneEffect& effect : effects) {
        if (auto* p = std::get_if<Publication>(&effect.what)) {
          now_ns = effect.time_ns;
          track_message(effect.node, p->message, p->traffic_kind, p->slot, p->valid);
        } else if (auto* d = std::get_if<Delivery>(&effect.what)) {
          now_ns = effect.time_ns;
          record_delivery(effect.node, d->delivered);
        } else if (auto* v = std::get_if<Violation>(&effect.what)) {
          now_ns = effect.time_ns;
          violation(v->check, std::move(v->detail));
        } else if (auto* x = std::get_if<Disconnect>(&effect.what)) {
          // The router asked during the window; the connection closes at its end.
          now_ns = window_end_ns;
          if (nodes[effect.node].online) {
            if (const Link* link = link_of(effect.node, x->peer)) close_connection(link->conn);
          }
        }
      }
      now_ns = window_end_ns;
      effects.clear();
      if (lane.effects.empty()) lane.effects.swap(effects);  // keeps the capacity
    }
    for (const Lane& lane : lanes) {
      pending = pending || !lane.handovers.empty() || !lane.effects.empty();
    }
  }
  // The lanes drift apart by a few frames a window (~100,000 over 4 simulated minutes at 10,000
  // nodes), so balancing rarely moves anything; up to ~1.3 MB of frames may wait in one list.
  constexpr std::size_t kFreeFrameSlack = 4096;
  for (std::size_t i = 0; i + 1 < lanes.size(); ++i) {
    balance_free_frames(lanes[i].free_frames, lanes[i + 1].free_frames, kFreeFrameSlack);
  }
}

void Engine::run_lanes(std::int64_t before_ns) {
  ++windows;
  if (worker) {
    worker->run(before_ns);
  } else {
    for (Lane& lane : lanes) run_lane(lane, before_ns);
  }
}

std::uint64_t Engine::total_events() const {
  std::uint64_t total = events;
  for (const Lane& lane : lanes) total += lane.events;
  return total;
}

void Engine::report_progress() {
  const auto wall_now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(wall_now - last_report).count();
  if (since < options.progress_interval_seconds) return;
  const std::uint64_t all_events = total_events();
  Progress progress;
  progress.sim_seconds = static_cast<double>(now_ns) / 1e9;
  progress.sim_total_seconds = static_cast<double>(end_ns) / 1e9;
  progress.wall_seconds = std::chrono::duration<double>(wall_now - wall_start).count();
  progress.events = all_events;
  progress.events_per_second = static_cast<double>(all_events - events_at_last_report) / since;
  progress.rss_bytes = current_rss_bytes();
  progress.messages_published = result.messages_published;
  progress.deliveries = deliveries_so_far;
  progress.nodes_online = nodes_online;
  options.on_progress(progress);
  last_report = wall_now;
  events_at_last_report = all_events;
}

// Windows of node events, each no longer than the shortest link latency (a frame sent inside a
// window arrives after it ends) and never past the next topology event, which runs alone once
// the window's effects are applied. Topology events at time t run before node events at t.
// Windows end on a grid of window_ns (or at a topology event), not window_ns after their first
// event: where they end is when effects apply (a router's disconnection happens then), and the
// first event must not move those times. Deferred frames are not in the queues, so the first
// event depends on deferring; the grid does not.
void Engine::run_until(std::int64_t until_ns) {
  const std::int64_t horizon_ns = until_ns == kNever ? kNever : until_ns + 1;  // exclusive
  apply_lane_effects();  // what a caller's own pump() sent between runs
  for (;;) {
    std::int64_t first_node_event = kNever;
    for (const Lane& lane : lanes) {
      if (!lane.queue.empty())
        first_node_event = std::min(first_node_event, lane.queue.top().time_ns);
    }
    const std::int64_t next_topology = queue.empty() ? kNever : queue.top().time_ns;
    const std::int64_t window_end = std::min(
        {first_node_event == kNever ? kNever : (first_node_event / window_ns + 1) * window_ns,
         next_topology, horizon_ns});
    if (window_end == kNever) break;  // nothing left at all
    if (first_node_event < window_end) run_lanes(window_end);
    node_events_before_ns = window_end;
    now_ns = std::min(window_end, until_ns);
    apply_lane_effects();
    while (!queue.empty() && queue.top().time_ns <= now_ns) {
      const Event event = queue.pop();
      ++events;
      mix_event(digest, event);
      dispatch_topology(event);
      apply_lane_effects();  // frames the routers sent to other lanes
    }
    if (options.on_progress) report_progress();
    if (window_end >= horizon_ns) break;
  }
  // Deferred frames of the time run, for nodes without a later event.
  now_ns = until_ns;
  for (NodeIndex n = 0; n < nodes.size(); ++n) run_deferred_until(n, horizon_ns);
  apply_lane_effects();
  for (Lane& lane : lanes) lane.now_ns = until_ns;
}

RunResult Engine::run() {
  wall_start = std::chrono::steady_clock::now();
  last_report = wall_start;
  if (options.threads > 1 && lanes.size() > 1) worker = std::make_unique<LaneWorker>(*this);
  run_until(end_ns);
  worker.reset();
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
