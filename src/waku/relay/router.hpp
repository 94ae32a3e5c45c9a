// Router: the Waku Relay (gossipsub v1.1/v1.2) router of one node, as a sans-I/O core.
//
// One object per node, shared unchanged by the real node (src/runtime) and the simulator
// (src/sim). It owns no socket, clock, thread or global random source: the host feeds inputs with
// `handle_*` (each carrying `now`), issues commands (subscribe, publish, ...), and drains outputs
// with `poll_transmit`, `poll_event` and `poll_timeout`, in that order, after every input. No
// callback into host code happens while the router is mid-update, except the synchronous
// validators the host registered.
//
// Peers are identified by a PeerHandle that the host assigns per connection; the libp2p peer id
// travels in PeerConnected for peer exchange and score retention.
//
// Output queues and drop policy: each peer has a bounded queue inside the router. While the host
// reports a peer as blocked (handle_send_window), RPCs wait there. Control entries (GRAFT, PRUNE,
// subscriptions) are never dropped; if more than `peer_queue_max_control` pile up the peer is too
// slow to keep and a DisconnectPeer event is emitted. IDONTWANT ids are advice: past 2,048 the
// oldest half go (a lost one costs at most a duplicate). Gossip (IHAVE, IWANT) beyond
// `peer_queue_max_gossip` drops the oldest gossip. Published/forwarded messages beyond
// `peer_queue_max_messages` drop the oldest forwarded message first (our own publications last).
// Every drop is counted in RouterStats. A peer that is not blocked has its queue drained by the
// next poll_transmit calls; one Transmit never exceeds `max_transmit_size_bytes` encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "waku/base/result.hpp"
#include "waku/base/rng.hpp"
#include "waku/base/strong_id.hpp"
#include "waku/base/time.hpp"
#include "waku/relay/config.hpp"
#include "waku/relay/rpc.hpp"
#include "waku/relay/validation.hpp"

namespace waku::relay {

using PeerHandle = StrongId<struct PeerHandleTag>;

enum class Direction : std::uint8_t { kInbound, kOutbound };

// The protocol id the peer's stream negotiated. Decides PX and IDONTWANT support.
enum class ProtocolVersion : std::uint8_t {
  kWakuRelay2,  // /vac/waku/relay/2.0.0 (gossipsub v1.1 semantics)
  kMeshsub10,   // /meshsub/1.0.0: no PX, no backoff in PRUNE, no IDONTWANT
  kMeshsub11,   // /meshsub/1.1.0
  kMeshsub12,   // /meshsub/1.2.0: IDONTWANT
};

// Protocol ids we accept, in our order of preference; and the mapping.
inline constexpr std::string_view kWakuRelayCodec = "/vac/waku/relay/2.0.0";
std::optional<ProtocolVersion> protocol_version_from_id(std::string_view protocol_id);

// Explicit peering (gossipsub v1.1 "direct peers"): forwarded every message, never in the mesh.
enum class PeeringKind : std::uint8_t { kRegular, kDirect };

struct PeerConnected {
  PeerHandle peer;
  Bytes peer_id;  // libp2p peer id (binary multihash); may be empty in tests
  Direction direction{Direction::kOutbound};
  ProtocolVersion protocol{ProtocolVersion::kWakuRelay2};
  std::string ip;  // for P6 (IP colocation); empty = unknown, not counted
  PeeringKind peering{PeeringKind::kRegular};
};

enum class SendWindow : std::uint8_t { kOpen, kBlocked };

// --- outputs ---

struct Transmit {
  PeerHandle peer;
  Rpc rpc;
};

// A valid message for the application, exactly once per message id.
struct MessageDelivered {
  RelayMessagePtr message;
  std::optional<PeerHandle> from;  // nullopt for our own publications
};

// An asynchronous validation the host must run; answer with handle_validation_result.
struct ValidationRequested {
  ValidationTicket ticket;
  RelayMessagePtr message;
};

struct PeerGrafted {
  PeerHandle peer;
  std::string topic;
};
struct PeerPruned {
  PeerHandle peer;
  std::string topic;
};

// Peers offered by PX in a PRUNE from a peer scoring at least accept_px_threshold.
struct PeerExchange {
  std::string topic;
  std::vector<PxPeer> peers;
};

enum class DisconnectReason : std::uint8_t { kGraylisted, kSlowPeer };
struct DisconnectPeer {
  PeerHandle peer;
  DisconnectReason reason;
};

using RouterEvent = std::variant<MessageDelivered, ValidationRequested, PeerGrafted, PeerPruned,
                                 PeerExchange, DisconnectPeer>;

struct PublishOutcome {
  MessageId id;
  std::size_t peers{0};  // peers the message was queued for
};

// Counters for metrics and tests; monotonically increasing.
struct RouterStats {
  std::uint64_t rpcs_received{0};
  std::uint64_t rpcs_malformed{0};
  std::uint64_t rpcs_ignored_graylisted{0};
  std::uint64_t messages_received{0};   // every copy
  std::uint64_t messages_duplicate{0};  // copies of an already seen id
  std::uint64_t messages_first_seen{0};
  std::uint64_t messages_accepted{0};
  std::uint64_t messages_rejected{0};
  std::uint64_t messages_ignored{0};
  std::uint64_t messages_delivered{0};  // MessageDelivered events
  std::uint64_t messages_published{0};  // local publications
  std::uint64_t messages_forwarded{0};  // copies queued for peers (publish + forward + IWANT)
  std::uint64_t ihave_sent{0};
  std::uint64_t ihave_received{0};
  std::uint64_t iwant_sent{0};
  std::uint64_t iwant_received{0};
  std::uint64_t idontwant_sent{0};
  std::uint64_t idontwant_received{0};
  std::uint64_t graft_sent{0};
  std::uint64_t prune_sent{0};
  std::uint64_t broken_promises{0};
  std::uint64_t validations_throttled{0};
  std::uint64_t queue_dropped_messages{0};
  std::uint64_t queue_dropped_gossip{0};
  std::uint64_t queue_dropped_idontwant{0};  // ids for a blocked peer, oldest first
  std::uint64_t unknown_topic_dropped{0};
};

class Router {
 public:
  // Validates `config`; Errc::kInvalidConfig names the first bad parameter.
  static Result<Router> create(RouterConfig config, Rng rng);
  // The same, for many routers of one configuration: they share it instead of each keeping a copy.
  static Result<Router> create(std::shared_ptr<const RouterConfig> config, Rng rng);

  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  ~Router();

  // --- inputs ---
  void handle_peer_connected(Instant now, const PeerConnected& peer);
  void handle_peer_disconnected(Instant now, PeerHandle peer);
  void handle_rpc(Instant now, PeerHandle from, Rpc rpc);
  // The same for a host that keeps its RPCs in place: takes what `rpc` holds and leaves it empty,
  // with its vectors' capacity, for the host's next RPC.
  void handle_rpc_in_place(Instant now, PeerHandle from, Rpc& rpc);
  // The same as handle_rpc with an RPC that carries one IDONTWANT entry of this one id and
  // nothing else, for a host that keeps such RPCs apart: the simulator, where they are half of
  // all frames and worth no RPC object of their own.
  void handle_idontwant(Instant now, PeerHandle from, const MessageId& id);
  // The codec could not decode a frame from this peer: counts against its score (P7).
  void handle_rpc_malformed(Instant now, PeerHandle from);
  void handle_send_window(Instant now, PeerHandle peer, SendWindow window);
  void handle_validation_result(Instant now, ValidationTicket ticket, Verdict verdict);
  void handle_timeout(Instant now);

  // --- commands ---
  Result<void> subscribe(Instant now, std::string_view topic);
  Result<void> unsubscribe(Instant now, std::string_view topic);
  // Runs the synchronous validators; kDuplicate if already seen, kTooLarge above
  // max_message_size_bytes, kInvalidMessage if a validator rejects or ignores it. With no peer
  // to send to, the outcome has peers == 0 and nothing else happens (not seen, not delivered).
  Result<PublishOutcome> publish(Instant now, RelayMessagePtr message);
  // Validators run in the order added; topic "" means every topic.
  void add_validator(std::string topic, std::unique_ptr<Validator> validator);
  // For `topic` ("" = every topic), accepted-by-sync-validators messages are handed to the host as
  // ValidationRequested events and wait (bounded by max_pending_validations) for a verdict.
  void enable_async_validation(std::string topic);
  void set_application_score(PeerHandle peer, double value);

  // --- outputs ---
  std::optional<Transmit> poll_transmit();
  // The same built into `rpc`, which must be empty (its capacity is reused): the peer to send it
  // to, or nullopt (rpc untouched) when nothing is ready. `sizes`, if given, receives the RPC's
  // encoded bytes by kind (what codec::rpc_size_breakdown would compute, at no extra cost).
  std::optional<PeerHandle> poll_transmit_into(Rpc& rpc, RpcSizeBreakdown* sizes = nullptr);
  std::optional<RouterEvent> poll_event();
  [[nodiscard]] std::optional<Instant> poll_timeout() const;

  // --- introspection (metrics, tests) ---
  [[nodiscard]] const RouterConfig& config() const;
  [[nodiscard]] const RouterStats& stats() const;
  [[nodiscard]] bool is_subscribed(std::string_view topic) const;
  [[nodiscard]] std::vector<PeerHandle> mesh_peers(std::string_view topic) const;  // sorted
  [[nodiscard]] std::size_t mesh_size(std::string_view topic) const;  // mesh_peers().size()
  [[nodiscard]] std::vector<PeerHandle> fanout_peers(std::string_view topic) const;  // sorted
  [[nodiscard]] std::vector<PeerHandle> topic_peers(std::string_view topic) const;   // sorted
  [[nodiscard]] std::size_t peer_count() const;
  [[nodiscard]] double score(Instant now, PeerHandle peer) const;
  [[nodiscard]] bool in_backoff(Instant now, PeerHandle peer, std::string_view topic) const;
  // Sizes of everything peers can make the router hold, to check that hostile input stays
  // bounded (tests, metrics).
  struct Sizes {
    std::size_t topics{0};              // interned topics (ours and peers')
    std::size_t peer_topic_entries{0};  // subscriptions tracked across all peers
    std::size_t seen_ids{0};
    std::size_t mcache_messages{0};
    std::size_t pending_validations{0};
    std::size_t promises{0};  // IWANT promises awaiting delivery
    std::size_t backoff_entries{0};
    std::size_t idontwant_ids{0};   // ids peers asked us not to send, all peers
    std::size_t queued_control{0};  // output queues, all peers
    std::size_t queued_gossip{0};
    std::size_t queued_messages{0};
  };
  [[nodiscard]] Sizes sizes() const;
  [[nodiscard]] std::uint64_t heartbeats() const;  // heartbeats run so far

  // --- hints for hosts that know which input comes next (they change nothing) ---
  // Starts loading the router's own state.
  void prefetch_state() const;
  // Starts loading what handle_rpc(from, rpc) will look up first: the peer table's keys and the
  // seen set's slots for the messages' ids. Call it once prefetch_state() and the messages have
  // had time to land.
  void prefetch_receive(const Rpc& rpc) const;

 private:
  struct State;
  explicit Router(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace waku::relay
