// NodeApi: what the REST server needs from the node, so that the server can be built and tested
// without the libp2p host (tests use a fake).
//
// Every call runs on the node's event-loop thread (the REST server shares the node's io_context)
// and is synchronous: add_peer only starts a dial, publish hands the message to the router.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::runtime {

// One peer as GET /admin/v1/peers shows it (nwaku's WakuPeer).
struct PeerView {
  std::string peer_id;
  std::vector<std::string> multiaddrs;  // without /p2p/<id>; the first is shown
  std::vector<std::string> protocols;
  bool connected{false};
  std::string direction;  // "Inbound" or "Outbound"
  std::vector<std::uint16_t> shards;
  std::string agent;                    // identify agentVersion
  std::string origin{"UnknownOrigin"};  // nwaku PeerOrigin: UnknownOrigin, Discv5, Static, ...
  std::optional<double> score;          // gossipsub score, when known
};

class NodeApi {
 public:
  virtual ~NodeApi() = default;

  virtual std::vector<std::string> listen_addresses() const = 0;  // with /p2p/<id>
  virtual std::string peer_id() const = 0;
  virtual bool is_ready() const = 0;  // for /health
  virtual std::vector<PeerView> peers() const = 0;
  virtual Result<void> add_peer(std::string_view multiaddr) = 0;  // starts a dial
  virtual Result<void> subscribe(const std::string& pubsub_topic) = 0;
  virtual Result<void> unsubscribe(const std::string& pubsub_topic) = 0;
  // Errors: kNoPeers, kInvalidMessage, kTooLarge, kNotSubscribed, kUnsupported (relay
  // disabled), ... No message hash comes back: REST answers "OK" as nwaku does, and hashing the
  // message again would cost a SHA-256 of the payload per publication for nobody.
  virtual Result<void> publish(const std::string& pubsub_topic, message::WakuMessage message) = 0;
  virtual std::uint16_t cluster_id() const = 0;
  // Set with autosharding: the shard of a content topic is message::shard_for_content_topic.
  virtual std::optional<std::uint32_t> num_shards_in_network() const = 0;

  // Optional, with defaults so that implementations need not care yet.
  virtual bool relay_enabled() const { return true; }                          // /health "Relay"
  virtual std::optional<std::string> enr_uri() const { return std::nullopt; }  // /debug/v1/info
};

}  // namespace waku::runtime
