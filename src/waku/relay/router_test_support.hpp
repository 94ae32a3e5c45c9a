// What the router tests share: hand-made messages and control entries, a Harness that drives
// one router in virtual time with hand-fed peers, and Sent, its outputs grouped by peer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "waku/crypto/sha256.hpp"
#include "waku/relay/peer_queue.hpp"
#include "waku/relay/router.hpp"

namespace waku::relay {

inline constexpr std::string_view kTopic = "/waku/2/rs/16/32";
inline constexpr std::string_view kOther = "/waku/2/rs/16/33";

// A RelayMessage as the codec would make it: id = sha256(data), decoded set. `data` need not be
// the WakuMessage's encoding for the router, which never looks inside it.
inline RelayMessagePtr make_message(std::string_view topic, std::string_view text,
                                    std::size_t size_bytes = 0) {
  Bytes data = to_bytes(text);
  if (data.size() < size_bytes) data.resize(size_bytes, 0xab);
  auto message = std::make_shared<RelayMessage>();
  message->topic = std::string(topic);
  message->id.bytes = crypto::sha256(data);
  message::WakuMessage decoded;
  decoded.payload = to_bytes(text);
  decoded.content_topic = "/test/1/router/proto";
  message->decoded = decoded;
  message->data = SharedBytes(std::move(data));
  return message;
}

inline MessageId id_of(int n) {
  MessageId id;
  id.bytes = crypto::sha256(to_bytes("id-" + std::to_string(n)));
  return id;
}

// A Control with one kind of entry, e.g. make_control<&Control::graft>({Graft{topic}}).
template <auto Member>
Control make_control(std::remove_cvref_t<decltype(std::declval<Control&>().*Member)> value) {
  Control c;
  c.*Member = std::move(value);
  return c;
}

inline PeerHandle P(std::uint32_t n) { return PeerHandle(n); }

struct Harness {
  explicit Harness(RouterConfig config = RouterConfig::fleet(), std::uint64_t seed = 7)
      : router(Router::create(std::move(config), Rng(seed)).value()) {}

  Router router;
  Instant now = Instant::origin() + 1s;

  void connect(std::uint32_t peer, Direction direction = Direction::kOutbound,
               ProtocolVersion protocol = ProtocolVersion::kMeshsub12,
               PeeringKind peering = PeeringKind::kRegular) {
    PeerConnected c;
    c.peer = P(peer);
    c.peer_id = to_bytes("peer-" + std::to_string(peer));
    c.direction = direction;
    c.protocol = protocol;
    c.peering = peering;
    router.handle_peer_connected(now, c);
  }
  void rpc(std::uint32_t from, Rpc rpc) { router.handle_rpc(now, P(from), std::move(rpc)); }
  void peer_subscribes(std::uint32_t peer, std::string_view topic = kTopic) {
    Rpc r;
    r.subscriptions.push_back(Subscription{true, std::string(topic)});
    rpc(peer, std::move(r));
  }
  // Connects peers [first, last] subscribed to `topic`.
  void peers(std::uint32_t first, std::uint32_t last, std::string_view topic = kTopic,
             Direction direction = Direction::kOutbound) {
    for (std::uint32_t p = first; p <= last; ++p) {
      connect(p, direction);
      peer_subscribes(p, topic);
    }
  }
  void send_message(std::uint32_t from, RelayMessagePtr message) {
    Rpc r;
    r.publish.push_back(std::move(message));
    rpc(from, std::move(r));
  }
  void control(std::uint32_t from, Control control) {
    Rpc r;
    r.control = std::move(control);
    rpc(from, std::move(r));
  }

  std::vector<Transmit> drain() {
    std::vector<Transmit> out;
    while (auto t = router.poll_transmit()) out.push_back(std::move(*t));
    return out;
  }
  std::vector<RouterEvent> events() {
    std::vector<RouterEvent> out;
    while (auto e = router.poll_event()) out.push_back(std::move(*e));
    return out;
  }
  void flush() {
    drain();
    events();
  }
  // Runs every heartbeat due until `now + d`.
  void advance(Duration d) {
    const Instant end = now + d;
    while (auto next = router.poll_timeout()) {
      if (*next > end) break;
      now = *next;
      router.handle_timeout(now);
    }
    now = end;
  }
};

// Merged view of everything sent to each peer.
struct Sent {
  std::map<std::uint32_t, std::vector<Rpc>> by_peer;
  explicit Sent(std::vector<Transmit> transmits) {
    for (auto& t : transmits) by_peer[t.peer.value()].push_back(std::move(t.rpc));
  }
  template <typename F>
  std::size_t count(std::uint32_t peer, F&& f) const {
    const auto it = by_peer.find(peer);
    if (it == by_peer.end()) return 0;
    std::size_t n = 0;
    for (const Rpc& r : it->second) n += f(r);
    return n;
  }
  std::size_t grafts(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.control.graft.size(); });
  }
  std::size_t prunes(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.control.prune.size(); });
  }
  std::size_t messages(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.publish.size(); });
  }
  std::size_t idontwants(std::uint32_t p) const {
    return count(p, [](const Rpc& r) {
      std::size_t n = 0;
      for (const auto& e : r.control.idontwant) n += e.ids.size();
      return n;
    });
  }
  std::vector<MessageId> iwant_ids(std::uint32_t p) const {
    std::vector<MessageId> ids;
    const auto it = by_peer.find(p);
    if (it == by_peer.end()) return ids;
    for (const Rpc& r : it->second) {
      for (const auto& e : r.control.iwant) ids.insert(ids.end(), e.ids.begin(), e.ids.end());
    }
    return ids;
  }
  const Prune* first_prune(std::uint32_t p) const {
    const auto it = by_peer.find(p);
    if (it == by_peer.end()) return nullptr;
    for (const Rpc& r : it->second) {
      if (!r.control.prune.empty()) return &r.control.prune.front();
    }
    return nullptr;
  }
};

template <typename T>
std::size_t count_events(const std::vector<RouterEvent>& events) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(),
                    [](const RouterEvent& e) { return std::holds_alternative<T>(e); }));
}

inline bool contains(const std::vector<PeerHandle>& v, std::uint32_t p) {
  return std::find(v.begin(), v.end(), P(p)) != v.end();
}

// A validator with a settable verdict that records the time it was asked at.
class RejectAll final : public Validator {
 public:
  Verdict validate(const ValidationContext& context, const RelayMessage&) override {
    last_unix_now = context.unix_now;
    return verdict;
  }
  Verdict verdict{Verdict::kReject};
  UnixNanos last_unix_now{};
};

}  // namespace waku::relay
