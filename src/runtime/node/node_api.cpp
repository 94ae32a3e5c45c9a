#include <boost/asio/ip/tcp.hpp>

#include "runtime/node/node.hpp"
#include "runtime/node/node_state.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/p2p/multiaddr.hpp"

namespace waku::runtime {

using namespace node_limits;  // NOLINT(google-build-using-namespace): the node's own limits

// --- NodeApi ---

std::vector<std::string> Node::listen_addresses() const {
  boost::system::error_code error;
  const auto endpoint = acceptor_.local_endpoint(error);
  if (error) return {};
  std::vector<std::string> addresses;
  auto add = [&](const std::string& ip, bool v6) {
    p2p::TcpEndpoint tcp_endpoint;
    tcp_endpoint.host = ip;
    tcp_endpoint.port = endpoint.port();
    tcp_endpoint.kind = v6 ? p2p::TcpEndpoint::Kind::kIp6 : p2p::TcpEndpoint::Kind::kIp4;
    addresses.push_back(
        p2p::Multiaddr::from_tcp(tcp_endpoint).with_peer_id(identity_.peer_id()).to_string());
  };
  const auto address = endpoint.address();
  // A wildcard listener is reachable on loopback at least; operators announce public addresses
  // through their own configuration (--ext-multiaddr in nwaku, not implemented yet).
  if (address.is_unspecified()) {
    add("127.0.0.1", false);
  } else {
    add(address.to_string(), address.is_v6());
  }
  return addresses;
}

std::string Node::peer_id() const { return identity_.peer_id().to_string(); }

bool Node::is_ready() const { return !stopped_ && acceptor_.is_open(); }

std::vector<PeerView> Node::peers() const {
  std::vector<PeerView> views;
  for (const auto& [id, peer] : peers_) {
    if (!peer->peer) continue;
    PeerView view;
    view.peer_id = peer->peer->to_string();
    view.multiaddrs = peer->listen_addresses;
    if (view.multiaddrs.empty() && !peer->dialled_address.empty()) {
      view.multiaddrs.push_back(peer->dialled_address);
    }
    view.protocols = peer->protocols;
    view.connected = true;
    view.agent = peer->agent;
    view.origin = peer->static_index ? "Static" : "UnknownOrigin";
    view.direction = peer->direction == relay::Direction::kOutbound ? "Outbound" : "Inbound";
    for (const auto shard : peer->remote_shards) {
      view.shards.push_back(static_cast<std::uint16_t>(shard));
    }
    views.push_back(std::move(view));
  }
  return views;
}

Result<void> Node::add_peer(std::string_view text) {
  auto address = p2p::Multiaddr::parse(text);
  if (!address) return unexpected(address.error());
  if (!address->tcp_endpoint()) {
    return unexpected(Errc::kUnsupported, "peer address: only TCP addresses can be dialled");
  }
  dial(*address, std::nullopt);
  return {};
}

Result<void> Node::subscribe(const std::string& pubsub_topic) {
  if (!config_.relay) return unexpected(Errc::kUnsupported, "relay is disabled (--relay=false)");
  if (auto ok = router_.subscribe(now(), pubsub_topic); !ok) return ok;
  if (std::find(pubsub_topics_.begin(), pubsub_topics_.end(), pubsub_topic) ==
      pubsub_topics_.end()) {
    pubsub_topics_.push_back(pubsub_topic);
  }
  message_cache_.subscribe(pubsub_topic);
  pump_router();
  return {};
}

Result<void> Node::unsubscribe(const std::string& pubsub_topic) {
  if (auto ok = router_.unsubscribe(now(), pubsub_topic); !ok) return ok;
  std::erase(pubsub_topics_, pubsub_topic);
  message_cache_.unsubscribe(pubsub_topic);
  pump_router();
  return {};
}

Result<void> Node::publish(const std::string& pubsub_topic, message::WakuMessage message) {
  if (!config_.relay) return unexpected(Errc::kUnsupported, "relay is disabled (--relay=false)");
  auto relay_message = codec::make_relay_message(pubsub_topic, std::move(message));
  auto outcome = router_.publish(now(), relay_message);
  pump_router();
  if (!outcome) return unexpected(outcome.error());
  if (outcome->peers == 0) {
    // Nothing was recorded: the same message can be published again once peers arrive.
    return unexpected(Errc::kNoPeers, "publish: no peers subscribed to the topic");
  }
  ++counters_.messages_out_by_topic[pubsub_topic];
  return {};
}

std::size_t Node::relay_unsent_bytes() const {
  std::size_t total = 0;
  for (const auto& [id, peer] : peers_) {
    if (peer->relay_out) total += relay_backlog(*peer);
  }
  return total;
}

const relay::ProtectedShardValidator::Counters* Node::protected_shard_counters() const {
  return protected_validator_ ? &protected_validator_->counters() : nullptr;
}

}  // namespace waku::runtime
