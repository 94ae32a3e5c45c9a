// Node's per-connection state and limits, shared by the files that implement Node (node.cpp:
// connections and protocols; node_store_client.cpp; node_api.cpp). Not a public header.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/node/node.hpp"
#include "waku/codec/length_prefixed.hpp"

namespace waku::runtime {

namespace node_limits {
constexpr std::string_view kPingProtocol = "/ipfs/ping/1.0.0";
constexpr std::size_t kPingPayloadBytes = 32;
// A peer whose unsent relay bytes exceed this is reported blocked to the router, which then
// queues (and eventually drops) gossip for it instead of piling bytes into the socket. It is
// reopened once its socket has drained and no more than kRelaySendLowWater still wait.
constexpr std::size_t kRelaySendHighWater = std::size_t{1} << 20;
constexpr std::size_t kRelaySendLowWater = kRelaySendHighWater / 2;
// Per stream, written and waiting for the peer's yamux window (at least; see
// Node::stream_write_buffer_bytes). Above the relay high-water mark plus one RPC frame: a relay
// stream is blocked as soon as it passes the mark, so a write to it never fails.
constexpr std::size_t kStreamWriteBufferBytes = std::size_t{2} << 20;
// What an RPC frame may carry beside its one largest message (nwaku's 64 KiB safety buffer).
constexpr std::size_t kRpcFrameOverheadBytes = std::size_t{64} * 1024;
// nwaku's --relay-service-ratio default 60:40 (waku-operators.md §1.2): relay peers may take 60 %
// of the connection slots, at least 8; the rest stays free for store, filter and light clients.
constexpr std::size_t kRelayShareNumerator = 60;
constexpr std::size_t kMinRelayPeers = 8;
// After a failed accept (out of file descriptors: the connection stays in the backlog, and
// accepting again at once fails again at once, at 100 % CPU) the listener waits this long.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr std::size_t kMaxMetadataBytes = std::size_t{16} * 1024;
constexpr std::size_t kMaxStoreRequestBytes = std::size_t{64} * 1024;
// A page of 100 messages of up to 150 KiB each, plus framing.
constexpr std::size_t kMaxStoreResponseBytes = std::size_t{16} << 20;

inline std::string agent_version() { return "waku-cpp/" WAKU_VERSION; }
}  // namespace node_limits

// --- per-connection state ---

struct Node::StreamState {
  enum class Kind : std::uint8_t {
    kRelayIn,
    kRelayOut,
    kIdentify,
    kIdentifyPush,
    kPingIn,
    kPingOut,
    kMetadataIn,
    kMetadataOut,
    kStoreIn,
    kStoreOut,
  };
  Kind kind;
  codec::LengthPrefixedReader reader;
  Bytes ping_payload;
  Bytes ping_received;
  std::uint64_t remote_query{0};  // kStoreOut: the query it answers
};

struct Node::PeerState {
  std::shared_ptr<SocketConnection> connection;
  relay::Direction direction{relay::Direction::kOutbound};
  std::optional<crypto::PeerId> peer;
  std::optional<std::size_t> static_index;
  std::string dialled_address;
  std::map<p2p::StreamId, StreamState> streams;
  std::optional<p2p::StreamId> relay_out;
  bool relay_connected{false};
  bool relay_blocked{false};
  std::string agent;
  std::vector<std::string> protocols;
  std::vector<std::string> listen_addresses;
  std::optional<std::uint32_t> remote_cluster;
  std::vector<std::uint32_t> remote_shards;
  bool ping_outstanding{false};
  std::optional<p2p::StreamId> ping_stream;
};

struct Node::StaticPeer {
  p2p::Multiaddr address;
  std::chrono::milliseconds backoff{0};
  std::unique_ptr<boost::asio::steady_timer> timer;
};

}  // namespace waku::runtime
