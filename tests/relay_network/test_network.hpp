// TestNetwork: a small discrete-event network of relay routers in virtual time, for tests.
//
// The multi-router tests need many real `relay::Router`s talking to each other with latency,
// loss and churn, reproducibly from one seed, without the full simulator (src/sim) and in
// milliseconds of CPU. Every RPC crosses the real wire codec (encode_rpc on the sender,
// decode_rpc on the receiver), so verbatim forwarding and the codec's limits are exercised too.
// Events (deliveries, router wake-ups, async validation answers) sit in one binary heap ordered
// by (time, sequence number); stale wake-ups are skipped lazily. A 64-bit digest over the trace
// of deliveries and transmits lets a test check that a seed replays bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/base/rng.hpp"
#include "waku/base/time.hpp"
#include "waku/relay/config.hpp"
#include "waku/relay/router.hpp"
#include "waku/relay/validation.hpp"

namespace waku::relay_test {

using NodeIndex = std::size_t;

// 2023-11-14T22:13:20Z: the wall clock at virtual time zero, so protected-shard timestamps work.
inline constexpr std::int64_t kUnixTimeAtOriginNs = 1'700'000'000LL * 1'000'000'000LL;

struct NetworkOptions {
  std::uint64_t seed = 1;
  std::size_t nodes = 20;
  // Each node dials this many distinct random others (the graph's average degree is ~2x).
  std::size_t dials_per_node = 4;
  Duration latency_min = 10ms;
  Duration latency_max = 100ms;
  relay::RouterConfig config = relay::RouterConfig::fleet();
  // Skip the random graph; the test connects nodes itself.
  bool connect_randomly = true;
};

// One GRAFT or PRUNE as it went on the wire.
struct ControlRecord {
  Instant time;
  NodeIndex from;
  NodeIndex to;
  std::string topic;
  std::optional<std::uint64_t> backoff_seconds;  // PRUNE only
};

struct DeliveryRecord {
  Instant time;
  std::optional<NodeIndex> from;  // nullopt for the node's own publication
};

struct DisconnectRecord {
  Instant time;
  NodeIndex node;  // who decided
  NodeIndex peer;  // who was dropped
  relay::DisconnectReason reason;
  double score;  // node's score of peer when it decided
};

class TestNetwork {
 public:
  explicit TestNetwork(NetworkOptions options);
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;
  ~TestNetwork();

  // --- topology ---
  // A new node with Rng::derive(seed, index) and `config` (or the network's config).
  NodeIndex add_node(std::optional<relay::RouterConfig> config = std::nullopt);
  // `dialer` sees an outbound connection, `listener` an inbound one. No-op if already connected.
  void connect(NodeIndex dialer, NodeIndex listener);
  void disconnect(NodeIndex a, NodeIndex b);
  // Disconnects every peer of `node` and stops it; its pending events are dropped.
  void remove_node(NodeIndex node);

  // --- faults ---
  // Drop the `publish` entries of RPCs sent from `from` to `to` (control still flows).
  void set_drop_publishes(NodeIndex from, NodeIndex to, bool drop);
  // Drop every RPC sent from `from` to `to`.
  void set_blocked(NodeIndex from, NodeIndex to, bool blocked);
  // Called for each message copy about to be sent; returning true drops that copy.
  using PublishFilter =
      std::function<bool(NodeIndex from, NodeIndex to, const relay::RelayMessage&)>;
  void set_publish_filter(PublishFilter filter);

  // --- commands ---
  void subscribe(NodeIndex node, std::string_view topic);
  void subscribe_all(std::string_view topic);
  void unsubscribe(NodeIndex node, std::string_view topic);
  // Publishes a WakuMessage with `payload`, a fixed content topic and the node's wall-clock time.
  Result<relay::MessageId> publish(NodeIndex node, std::string_view topic, Bytes payload);
  // Publishes an already built message (e.g. a signed one).
  Result<relay::MessageId> publish_message(NodeIndex node, std::string_view topic,
                                           const message::WakuMessage& message);
  // Sends `rpc` from `from` to `to` over their link, bypassing `from`'s router (an attacker).
  void inject(NodeIndex from, NodeIndex to, const relay::Rpc& rpc);
  // Async validation: every ValidationRequested is answered with `verdict(message)` after `delay`.
  using AsyncVerdict = std::function<relay::Verdict(const relay::RelayMessage&)>;
  void enable_async_validation(NodeIndex node, std::string topic, AsyncVerdict verdict,
                               Duration delay);
  void add_validator(NodeIndex node, std::string topic,
                     std::unique_ptr<relay::Validator> validator);

  // --- time ---
  void run_until(Instant until);
  void run_for(Duration duration) { run_until(now_ + duration); }
  [[nodiscard]] Instant now() const { return now_; }
  [[nodiscard]] UnixNanos unix_now() const;

  // --- observation ---
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] bool alive(NodeIndex node) const;
  [[nodiscard]] relay::Router& router(NodeIndex node);
  [[nodiscard]] const relay::Router& router(NodeIndex node) const;
  [[nodiscard]] std::vector<NodeIndex> neighbours(NodeIndex node) const;  // sorted
  [[nodiscard]] bool connected(NodeIndex a, NodeIndex b) const;
  // The handle `node` uses for `peer`, if connected.
  [[nodiscard]] std::optional<relay::PeerHandle> handle_of(NodeIndex node, NodeIndex peer) const;
  // `node`'s mesh for `topic`, as node indices, sorted.
  [[nodiscard]] std::vector<NodeIndex> mesh(NodeIndex node, std::string_view topic) const;
  // MessageDelivered events of `node` for `id` (a correct router gives 0 or 1).
  [[nodiscard]] const std::vector<DeliveryRecord>& deliveries(NodeIndex node,
                                                              const relay::MessageId& id) const;
  [[nodiscard]] std::size_t delivery_count(NodeIndex node, const relay::MessageId& id) const;
  [[nodiscard]] const std::vector<ControlRecord>& grafts() const { return grafts_; }
  [[nodiscard]] const std::vector<ControlRecord>& prunes() const { return prunes_; }
  [[nodiscard]] const std::vector<DisconnectRecord>& disconnects() const { return disconnects_; }
  // Frames that failed decode_rpc on arrival (the router must never produce one).
  [[nodiscard]] std::size_t malformed_frames() const { return malformed_frames_; }
  [[nodiscard]] std::uint64_t frames_sent() const { return frames_sent_; }
  [[nodiscard]] std::uint64_t bytes_sent() const { return bytes_sent_; }
  [[nodiscard]] std::uint64_t trace_digest() const { return digest_; }
  // Sum of a RouterStats counter over the live nodes.
  [[nodiscard]] std::uint64_t total(std::uint64_t relay::RouterStats::*counter) const;

 private:
  struct Node {
    std::optional<relay::Router> router;
    bool alive{true};
    std::uint32_t next_handle{1};
    std::map<relay::PeerHandle, NodeIndex> peer_of;  // this node's handles -> remote node
    std::map<NodeIndex, relay::PeerHandle> handle_for;
    std::optional<Instant> wake_at;  // the armed wake-up; other Wake events are stale
    std::map<relay::MessageId, std::vector<DeliveryRecord>> delivered;
    AsyncVerdict async_verdict;
    Duration async_delay{0};
  };
  struct Link {
    Duration latency{0};
    bool drop_publishes{false};
    bool blocked{false};
  };
  enum class EventKind : std::uint8_t { kDeliver, kWake, kValidation };
  struct Event {
    Instant time;
    std::uint64_t sequence{0};
    EventKind kind{EventKind::kWake};
    NodeIndex node{0};  // receiver / woken node
    NodeIndex from{0};  // kDeliver: sender
    Bytes frame;        // kDeliver: the encoded RPC
    // kDeliver: the receiver's handle for the connection the frame was sent on. A frame in
    // flight when that connection closed is lost with it, even if the pair reconnected.
    relay::PeerHandle via;
    relay::ValidationTicket ticket;
    relay::Verdict verdict{relay::Verdict::kAccept};
  };
  struct EventLater {
    bool operator()(const Event& a, const Event& b) const;
  };

  Node& node_at(NodeIndex node);
  const Node& node_at(NodeIndex node) const;
  Link& link(NodeIndex from, NodeIndex to);
  void push(Event event);
  // Drains the router's outputs after an input, then re-arms its wake-up.
  void pump(NodeIndex node);
  void send(NodeIndex from, NodeIndex to, relay::Rpc rpc);
  void dispatch(Event& event);
  void mix(std::uint64_t value);
  void mix_bytes(ByteView bytes);

  NetworkOptions options_;
  Instant now_{};
  std::uint64_t sequence_{0};
  std::vector<Node> nodes_;
  std::map<std::pair<NodeIndex, NodeIndex>, Link> links_;  // directed
  std::vector<Event> queue_;                               // binary heap, see EventLater
  Rng rng_;                                                // topology and latencies
  PublishFilter publish_filter_;
  std::vector<ControlRecord> grafts_;
  std::vector<ControlRecord> prunes_;
  std::vector<DisconnectRecord> disconnects_;
  std::size_t malformed_frames_{0};
  std::uint64_t frames_sent_{0};
  std::uint64_t bytes_sent_{0};
  std::uint64_t digest_{0xcbf29ce484222325ULL};
};

// A WakuMessage as the harness publishes it (content topic "/test/1/relay/proto").
message::WakuMessage make_waku_message(Bytes payload, UnixNanos timestamp);
// Hex of the first 4 bytes of an id, for readable failure messages.
std::string short_id(const relay::MessageId& id);

}  // namespace waku::relay_test
