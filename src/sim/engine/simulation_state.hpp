// Simulation::Engine: the whole state of a run and the operations on it.
//
// Internal to the engine: shared by simulation.cpp (the event loop, frames, router outputs),
// topology.cpp (nodes starting, leaving, dialling), traffic.cpp (publications and attackers) and
// results.cpp (checkers' bookkeeping and the RunResult). Everything is indexed by small integers
// (node, connection, frame slot, message record), so the hot path touches flat vectors only.
//
// Two kinds of events. Node events (frames, wake-ups, publications) touch one node and live in
// that node's Lane; lanes run side by side in windows of virtual time no longer than the shortest
// link latency, so nothing one lane does inside a window can reach another lane before the window
// ends. What a node event does to shared state (message records, checkers, closing a connection,
// frames for another lane) is queued in its lane and applied between windows, lane by lane in a
// fixed order. Topology events (start, leave, discovery, handshakes, periodic checks) touch
// several nodes and run alone, between windows. The partition into lanes is fixed by the scenario,
// not by the number of threads, so a run gives the same digest on one thread or two.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/network/wire_overhead.hpp"
#include "sim/report/run_result.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/traffic/traffic.hpp"
#include "waku/base/rng.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/relay/protected_shard_validator.hpp"
#include "waku/relay/router.hpp"
#include "waku/relay/seen_cache.hpp"

namespace waku::sim {

using NodeIndex = std::uint32_t;
using ConnIndex = std::uint32_t;
inline constexpr std::int64_t kNever = INT64_MAX;
// 2023-11-14T22:13:20Z: the wall clock at virtual time zero (message timestamps, signatures).
inline constexpr std::int64_t kUnixTimeAtOriginNs = 1'700'000'000LL * 1'000'000'000LL;

// The router counters the results need, summed over a node's router lifetimes.
struct MessageCounts {
  std::uint64_t received{0};   // every copy
  std::uint64_t duplicate{0};  // copies of an already seen id
  std::uint64_t first_seen{0};
  void add(const relay::RouterStats& stats) {
    received += stats.messages_received;
    duplicate += stats.messages_duplicate;
    first_seen += stats.messages_first_seen;
  }
};

inline constexpr ConnIndex kNoConn = UINT32_MAX;

// One end of a connection, as its node sees it: what sending a frame needs, so that a send touches
// neither the Connection nor the peer's NodeState (two cache misses per frame at 10,000 nodes).
struct Link {
  ConnIndex conn{kNoConn};  // kNoConn: closed, or a handle never used
  NodeIndex peer{0};
  std::int64_t latency_ns{0};
  double peer_down_ns_per_byte{0};
  bool established{false};
  // Its IDONTWANT-only frames may be deferred (DeferredIDontWant): not between an attacker and
  // another node. A router that has graylisted a peer answers the peer's next RPC by asking to
  // disconnect, and a deferred frame would ask later. Attackers' peers graylist them, and in
  // spam-attack attackers' routers graylist honest peers too; honest routers do not graylist each
  // other in the scenarios we ship (tests/sim/small_runs_test.cpp checks that the results do not
  // change).
  bool defer_idontwant{false};
};

struct NodeState {
  std::optional<relay::Router> router;  // nullopt while offline
  std::uint32_t group{0};               // index into Engine::groups (attackers: attacker_group)
  bool attacker{false};
  bool active{false};  // publishes traffic
  bool online{false};
  std::uint8_t side{0};  // partition side
  Rng rng{0};            // the node's own choices (traffic timing, message sizes)
  std::int64_t up_free_ns{0};
  std::int64_t down_free_ns{0};
  double up_ns_per_byte{0};
  double down_ns_per_byte{0};
  std::int64_t wake_ns{kNever};  // the armed wake-up; Wake events for other times are stale
  std::uint64_t heartbeats_seen{0};
  // Indexed by the node's router handle for the peer. Handles count up and are never reused, so a
  // lookup is one index; a node makes a few hundred connections in a long churning run at most.
  std::vector<Link> links;
  std::uint32_t next_handle{1};
  std::uint32_t outbound{0};  // open or pending connections it dialled
  std::uint32_t inbound{0};
  std::int64_t online_since_ns{0};
  std::uint64_t publish_counter{0};
  bool discover_pending{false};
  // Message copies counted by the routers of its past lives (a rejoin starts a fresh router).
  MessageCounts past_counts;
  NodeRecord record;
};

struct Connection {
  NodeIndex dialer{0};
  NodeIndex listener{0};
  std::uint32_t dialer_handle{0};    // the dialer's handle for the listener
  std::uint32_t listener_handle{0};  // the listener's handle for the dialer
  std::int64_t latency_ns{0};
  bool established{false};
  bool open{true};
};

// What a frame costs at each level, computed once, at send.
struct FrameCost {
  ByteSplit app{};
  ByteSplit wire{};
  std::uint64_t receiver_ack_bytes{0};
  std::uint64_t wire_total{0};
};

// An RPC in flight. Frames are built and consumed in place: the sending router builds the RPC in
// a free frame of its node's lane, the receiving router empties it where it is (from another lane
// too), and the frame keeps the vectors' capacity for the next RPC its receiver's lane sends.
// Aligned so that a frame spans five cache lines, never six, and two lanes never write one line.
struct alignas(64) Frame {
  relay::Rpc rpc;
  NodeIndex from{0};
  // rpc.publish's first message, one pointer fewer to follow when prefetching (run_lane).
  const relay::RelayMessage* first_message{nullptr};
  FrameCost cost;
};
static_assert(sizeof(Frame) == std::size_t{5} * 64, "five cache lines, as the comment above says");

// One published message, followed until its deliveries are final.
struct MessageRecord {
  std::int64_t published_ns{0};
  NodeIndex publisher{0};
  std::uint16_t traffic_kind{0};
  std::uint16_t shard_slot{0};  // index into Engine::shards
  bool valid{true};             // false: an attacker's message
  bool convergence{false};      // published in the window where full delivery is required
  std::uint32_t expected{0};    // subscribers online at publication, publisher excluded
  std::uint32_t delivered{0};
  std::optional<relay::Verdict> verdict;  // the protected-shard validator's, once computed
  std::vector<std::uint64_t> seen_by;     // bitmap over nodes, freed when the record is final
};

// One step of a trace digest (an FNV-style multiply and an xor-shift): the engine's, each lane's,
// and their combination at the end all use it.
inline void mix_digest(std::uint64_t& digest, std::uint64_t value) {
  digest = (digest ^ value) * 0x100000001b3ULL;
  digest ^= digest >> 29;
}
inline void mix_event(std::uint64_t& digest, const Event& event) {
  mix_digest(digest, (static_cast<std::uint64_t>(event.time_ns) << 8) ^
                         static_cast<std::uint64_t>(event.kind));
  mix_digest(digest, (static_cast<std::uint64_t>(event.node) << 32) ^ event.a);
}

// What a node event did to shared state, applied between windows (see the top of the file).
struct Publication {
  relay::RelayMessagePtr message;
  std::uint32_t traffic_kind{0};
  std::uint32_t slot{0};
  bool valid{true};
};
struct Delivery {
  relay::MessageDelivered delivered;
};
struct Disconnect {
  relay::PeerHandle peer;
};
struct Violation {
  std::size_t check{0};
  std::string detail;
};
struct LaneEffect {
  std::int64_t time_ns{0};
  NodeIndex node{0};
  std::variant<Publication, Delivery, Disconnect, Violation> what;
};

// A frame's address: the index of the lane whose slots hold it in the top bit, then the slot.
using FrameRef = std::uint32_t;
inline constexpr unsigned kFrameLaneShift = 31;
inline constexpr FrameRef kFrameSlotMask = (FrameRef{1} << kFrameLaneShift) - 1;

// The frames a lane allocated, in chunks that never move: a frame handed to another lane is read
// and emptied there in place, and reused there, while this lane goes on growing its slots (the
// table of chunks is sized once, so growing never moves what the other lane reads). Frames used
// to be moved to a slot of the receiver's lane between windows, while the other thread waited:
// two cache misses per frame, 5 % of a 10,000-node run.
class FrameSlots {
 public:
  FrameSlots() : chunks_(std::make_unique<std::unique_ptr<Frame[]>[]>(kMaxChunks)) {}
  Frame& operator[](std::uint32_t slot) { return chunks_[slot >> kChunkShift][slot & kChunkMask]; }
  const Frame& operator[](std::uint32_t slot) const {
    return chunks_[slot >> kChunkShift][slot & kChunkMask];
  }
  // A new slot at the end.
  std::uint32_t grow();

 private:
  static constexpr unsigned kChunkShift = 10;
  static constexpr std::uint32_t kChunkMask = (std::uint32_t{1} << kChunkShift) - 1;
  // 2^24 frames (5 GiB of them) per lane at most; in flight are about as many as events queued,
  // ~10^5 per lane at 10,000 nodes (event_queue.hpp).
  static constexpr std::uint32_t kMaxChunks = std::uint32_t{1} << (24 - kChunkShift);
  std::unique_ptr<std::unique_ptr<Frame[]>[]> chunks_;
  std::uint32_t size_{0};
};

// IDONTWANT-only frames, half of all frames at 10,000 nodes, are not events, and those of one id
// (nearly all: a router sends one per message and peer) are not Frames either. Handling one sends
// nothing and changes only what its receiver will send that peer, which the receiver does only in
// an event of its own. So such a frame waits in its receiver's slots as this record, and is
// handled (Router::handle_idontwant) just before the receiver's next event (or before a connection
// closes, or when the run stops), in the order the queue would have run it: by time, then by the
// sequence number it took when it was sent. The results are those of an event per frame (but see
// Link::defer_idontwant); only the trace digest differs. One exception: a deferred frame that
// queues behind a busy downlink takes the sequence number of its delivery when it is handled,
// later than its event would have, which orders it differently only against another event of its
// node at the same nanosecond. What it saves is the queue's push and pop, a visit of its own to the
// receiver's node and router state, and a Frame held until then (the sender's frame is reused at
// once, still in cache, by its next RPC). A frame for a receiver whose slots are full becomes a
// Frame and an event after all.
struct DeferredIDontWant {
  std::int64_t time_ns{0};
  std::uint32_t sequence{0};
  ConnIndex conn{0};
  relay::MessageId id;
  // The frame's bytes, all of kind IDONTWANT: its encoded RPC, on the wire, and the receiver's
  // ACKs.
  std::uint32_t app_bytes{0};
  std::uint32_t wire_bytes{0};
  std::uint32_t ack_bytes{0};
  bool downlink_done{false};  // it has crossed its receiver's downlink (kFrameDeliver)
};
// A node's slots: with four, half the deferred frames of a 10,000-node run found them full, as a
// node's mesh peers' IDONTWANTs for a message it has already forwarded arrive together; with
// sixteen, 3 %.
struct alignas(64) DeferredSlots {
  static constexpr std::size_t kCount = 16;
  std::array<DeferredIDontWant, kCount> frames;
};

// A frame on its way to a node of another lane, handed over between windows.
struct Handover {
  std::int64_t arrive_ns{0};
  NodeIndex to{0};
  ConnIndex conn{0};
  // A Frame, read in place by the receiving lane (frames never move between lanes); for a deferred
  // IDONTWANT, its index in the lane's idontwant_handovers.
  FrameRef frame{0};
  bool deferred{false};
};

// The ACK bytes a receiver sends back for a frame, counted in at the sender between windows.
struct AckCredit {
  NodeIndex node{0};
  std::uint32_t kind{0};
  std::uint64_t bytes{0};
};

// One lane: the node events of its nodes, their clock, and what they did to shared state.
struct Lane {
  FrameRef index{0};  // in Engine::lanes: the top bit of the FrameRefs of its slots
  EventQueue queue;
  std::int64_t now_ns{0};
  Rng rng{0};  // link loss
  FrameSlots frames;
  // Free frames of any lane: a frame belongs to the lane that consumed it last, so the next frame
  // this lane sends reuses the one it just read, still in cache with its vectors' buffers.
  // Between windows the two lists are kept near the same length (balance_free_frames).
  std::vector<FrameRef> free_frames;
  std::vector<LaneEffect> effects;
  std::vector<Handover> handovers;
  std::vector<DeferredIDontWant> idontwant_handovers;  // sequence numbers taken at the handover
  std::vector<AckCredit> ack_credits;
  // Deferred frames by receiver, indexed by node (only the lane's own nodes are used), and how
  // many slots of each are taken.
  std::vector<DeferredSlots> deferred;
  std::vector<std::uint8_t> deferred_count;
  // Handed over by other lanes between windows, filed into `deferred` by this lane's thread.
  std::vector<std::pair<NodeIndex, DeferredIDontWant>> incoming_deferred;
  std::uint64_t deferred_overflows{0};  // frames for full slots, run as events
  std::uint64_t deferred_waits{0};      // deferred frames that queued behind the downlink
  // The protected-shard validator's own copy: it counts what it checks, so lanes cannot share it.
  std::unique_ptr<relay::ProtectedShardValidator> validator;
  std::uint64_t events{0};
  std::uint64_t digest{0xcbf29ce484222325ULL};

  Instant now() const { return Instant::from_nanoseconds(now_ns); }
  FrameRef alloc_frame();
  // The frame's RPC must be empty (consumed, or never filled).
  void release_frame(FrameRef frame) { free_frames.push_back(frame); }
};

// Frames join the free list of the lane that consumed them, so a lane that receives more frames
// than it sends collects free frames while the other keeps growing new slots: over the
// 10,000-node hour that grew the resident set by 0.6 GiB. Between windows the longer of two lists
// hands the shorter its oldest entries, the coldest, until they differ by at most `slack`. Only
// the FrameRefs move, not the frames. Which slot a frame takes changes nothing observable.
void balance_free_frames(std::vector<FrameRef>& a, std::vector<FrameRef>& b, std::size_t slack);

class LaneWorker;  // simulation.cpp: the second thread

struct Engine {
  Engine(const Scenario& scenario, SimOptions options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();

  // --- setup (topology.cpp) ---
  Result<void> build();
  void start_node(NodeIndex n);
  void leave_node(NodeIndex n);
  void discover(NodeIndex n);
  bool dial(NodeIndex from, NodeIndex to);
  void on_connected(ConnIndex c);
  void close_connection(ConnIndex c);
  std::int64_t draw_latency_ns();
  bool churns(NodeIndex n) const;
  void schedule_leave(NodeIndex n, std::int64_t after_ns);
  void schedule_discover(NodeIndex n);
  bool connected(NodeIndex a, NodeIndex b) const;
  bool partitioned(NodeIndex a, NodeIndex b, std::int64_t at_ns) const {
    return scenario.partition && nodes[a].side != nodes[b].side &&
           at_ns >= scenario.partition->start.count() && at_ns < scenario.partition->heal.count();
  }

  // --- the loop (simulation.cpp) ---
  RunResult run();
  // Processes every event up to and including `until_ns`, then sets the clock to it (tests step
  // the engine with this; run() runs it to the end).
  void run_until(std::int64_t until_ns);
  void report_progress();
  void dispatch_topology(const Event& event);
  void run_lanes(std::int64_t before_ns);
  void run_lane(Lane& lane, std::int64_t before_ns);
  // Cache hints for the events a lane runs next (simulation.cpp, above run_lane).
  void prefetch_event_addresses(const Lane& lane, const Event& event) const;
  void prefetch_event_state(const Event& event) const;
  void prefetch_event_inputs(const Event& event) const;
  void dispatch_node(Lane& lane, const Event& event);
  void apply_lane_effects();
  void pump(Lane& lane, NodeIndex n);
  // Sends the RPC the router built in frame `ref`, of `sizes` encoded bytes by kind.
  void send(Lane& lane, NodeIndex n, relay::PeerHandle peer, FrameRef ref,
            const relay::RpcSizeBreakdown& sizes);
  // A frame in any lane's slots (a frame event's `b`).
  Frame& frame(FrameRef ref) { return lanes[ref >> kFrameLaneShift].frames[ref & kFrameSlotMask]; }
  const Frame& frame(FrameRef ref) const {
    return lanes[ref >> kFrameLaneShift].frames[ref & kFrameSlotMask];
  }
  // A frame dropped unread: emptied, then released.
  void free_frame(Lane& lane, FrameRef ref);
  void arrive(Lane& lane, const Event& event, bool downlink_done);
  enum class Reception { kHandled, kDropped, kWaiting };
  // Frame `ref` reached node n over connection c at the lane's time (downlink_done: it has also
  // crossed the downlink). kWaiting: it queues behind another frame until node.down_free_ns.
  Reception receive(Lane& lane, NodeIndex n, ConnIndex c, FrameRef ref, bool downlink_done);
  // What receive() does before the router sees the frame: kHandled when it may be handled now.
  Reception reach(Lane& lane, NodeIndex n, const Connection& conn, std::uint64_t wire_bytes,
                  bool downlink_done);
  // A received frame's bytes, at n and (its ACKs) at its sender.
  void count_in(Lane& lane, NodeIndex n, NodeIndex from, const FrameCost& cost);
  // The ACKs a receiver sends back for a frame, counted as of `kind`.
  void count_acks(Lane& lane, NodeRecord& record, NodeIndex from, std::uint32_t kind,
                  std::uint64_t bytes);
  // --- deferred IDONTWANTs (DeferredIDontWant above) ---
  Reception receive_idontwant(Lane& lane, NodeIndex n, const DeferredIDontWant& deferred);
  void defer(Lane& lane, NodeIndex to, const DeferredIDontWant& deferred);
  void file_incoming_deferred(Lane& lane);
  // Handles n's deferred frames the queue would run before `next` (an event of n).
  void run_deferred_before(Lane& lane, const Event& next);
  // Handles n's deferred frames due before `before_ns`, with the lanes idle (a connection of n
  // closing, the run stopping).
  void run_deferred_until(NodeIndex n, std::int64_t before_ns);
  template <class Due>
  void run_deferred(Lane& lane, NodeIndex n, Due due);
  void wake(Lane& lane, NodeIndex n);
  void handle_router_event(Lane& lane, NodeIndex n, relay::RouterEvent event);
  // The open link behind one of n's router handles.
  const Link* link_of(NodeIndex n, relay::PeerHandle handle) const;
  Lane& lane_of(NodeIndex n) { return lanes[n % lanes.size()]; }
  // The node's lane with its clock set to the engine's, for topology events (lanes are idle).
  Lane& idle_lane_of(NodeIndex n) {
    Lane& lane = lane_of(n);
    lane.now_ns = now_ns;
    return lane;
  }
  void mix(std::uint64_t value) { mix_digest(digest, value); }
  bool measuring(std::int64_t at_ns) const { return at_ns >= warmup_ns; }
  Instant now() const { return Instant::from_nanoseconds(now_ns); }
  std::uint64_t total_events() const;

  // --- traffic (traffic.cpp) ---
  void schedule_publish(NodeIndex n, std::uint32_t kind, std::int64_t from_ns);
  void publish(Lane& lane, NodeIndex n, std::uint32_t kind);
  void attack(Lane& lane, NodeIndex n);

  // --- bookkeeping, checkers and results (results.cpp) ---
  void track_message(NodeIndex publisher, const relay::RelayMessagePtr& message,
                     std::uint32_t traffic_kind, std::size_t slot, bool valid);
  MessageRecord* find_record(const relay::MessageId& id);
  void record_delivery(NodeIndex n, const relay::MessageDelivered& delivered);
  void check_mesh(NodeIndex n);  // reports at once (topology events and tests)
  std::vector<std::string> mesh_problems(NodeIndex n, std::int64_t at_ns) const;
  void periodic_check();
  void finalize_messages(std::int64_t older_than_ns);
  void violation(std::size_t check, std::string detail);
  RunResult collect();
  std::size_t shard_slot(std::uint16_t shard) const;

  Scenario scenario;
  SimOptions options;
  Rng rng;  // topology, latencies, faults
  std::vector<NodeGroup> groups;
  // Per group, shared by its routers (see Router::create).
  std::vector<std::shared_ptr<const relay::RouterConfig>> router_configs;
  std::uint32_t attacker_group{0};
  std::vector<std::uint16_t> shards;      // distinct shards in use
  std::vector<std::string> shard_topics;  // pubsub topic per shard slot
  std::vector<NodeState> nodes;
  std::vector<Connection> connections;
  EventQueue queue;  // topology events
  std::vector<Lane> lanes;
  std::int64_t window_ns{0};  // longest window lanes run alone: the shortest link latency
  // Node events before this time have run (the end of the last window): between windows, the
  // deferred frames due before it are those an event per frame would have handled already.
  std::int64_t node_events_before_ns{0};
  std::size_t deferred_slots{DeferredSlots::kCount};  // SimOptions::deferred_slots, capped
  std::size_t windows{0};
  WireStack wire_stack;
  std::vector<std::string> content_topics;  // per traffic kind
  std::optional<crypto::Secp256k1PrivateKey> community_key;
  std::unique_ptr<relay::ProtectedShardValidator> real_validator;
  std::vector<std::uint32_t> online_per_shard;  // honest subscribers online, per shard slot

  relay::MessageIdMap<std::uint32_t> message_index;  // id -> records index
  std::vector<MessageRecord> records;
  std::size_t first_live_record{0};    // records before this are final
  std::uint64_t deliveries_so_far{0};  // every record's `delivered`, summed (progress reports)

  std::int64_t now_ns{0};
  std::int64_t end_ns{0};
  std::int64_t warmup_ns{0};
  std::int64_t publish_end_ns{0};
  std::int64_t fault_end_ns{0};         // after this, no fault is active
  std::int64_t convergence_from_ns{0};  // messages published after this must reach everyone
  std::uint64_t events{0};              // topology events; lanes count their own
  std::chrono::steady_clock::time_point wall_start{};  // progress reports (never in results)
  std::chrono::steady_clock::time_point last_report{};
  std::uint64_t events_at_last_report{0};
  std::uint64_t digest{0xcbf29ce484222325ULL};
  std::size_t nodes_online{0};

  // Results being accumulated.
  RunResult result;
  std::int64_t timeline_bucket_ns{1'000'000'000};
  struct CheckState {
    std::uint64_t violations{0};
    std::string first;
  };
  std::vector<CheckState> checks;      // indexed like kCheckNames
  std::unique_ptr<LaneWorker> worker;  // set while run() uses a second thread
};

// Lanes run alone for at most the shortest link latency, and at most this long (effects such as
// a router's disconnect wait for the window's end).
inline constexpr std::int64_t kMaxWindowNs = 10'000'000;
// Below this shortest latency the windows would be too short to be worth a thread: one lane.
inline constexpr std::int64_t kMinParallelWindowNs = 1'000'000;

inline constexpr std::int64_t kCheckIntervalNs = 5'000'000'000;
// A message's record stays open this long after publication (longer than the seen cache's 2
// minutes, after which a router could legitimately deliver a late copy again).
inline constexpr std::int64_t kRecordOpenNs = 130'000'000'000;

// Checker indices into Engine::checks.
inline constexpr std::size_t kCheckMeshDegree = 0;
inline constexpr std::size_t kCheckNoDuplicates = 1;
inline constexpr std::size_t kCheckNoInvalid = 2;
inline constexpr std::size_t kCheckConvergence = 3;
inline constexpr const char* kCheckNames[] = {"mesh_degree", "no_duplicates", "no_invalid",
                                              "convergence"};

}  // namespace waku::sim
