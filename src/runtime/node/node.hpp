// Node: the real Waku relay node. It composes the sans-I/O cores (connection upgrade, relay
// router) with TCP sockets and timers on one Boost.Asio io_context, and implements the
// operations the REST API offers (NodeApi).
//
// Per connection it runs the libp2p protocols a Waku relay peer expects: identify (answering and
// asking; pushes are read), ping (answering, and a keep-alive ping per connection), the Waku
// metadata protocol (cluster and shards; a peer of another cluster is disconnected) and relay
// (each side writes on its own outbound stream and reads the peer's inbound one). Peer management
// follows nwaku: a connection limit with a share kept for service (non-relay) peers, static peers
// redialled with exponential backoff, one connection per peer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/config/node_config.hpp"
#include "runtime/node/socket_connection.hpp"
#include "runtime/node/store_service.hpp"
#include "runtime/rest/message_cache.hpp"
#include "runtime/rest/node_api.hpp"
#include "waku/base/rng.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/length_prefixed.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/p2p/multiaddr.hpp"
#include "waku/relay/protected_shard_validator.hpp"
#include "waku/relay/router.hpp"

namespace waku::runtime {

// What the node counts for metrics and tests (monotonic unless named as a current value).
struct NodeCounters {
  std::uint64_t connections_opened{0};
  std::uint64_t connections_failed{0};  // dials that failed or handshakes that did not complete
  std::uint64_t connections_established{0};  // handshakes completed, in and out
  std::uint64_t accept_errors{0};            // failed accepts (e.g. out of file descriptors)
  std::uint64_t connections_closed{0};
  std::uint64_t peers_refused_cluster{0};
  std::uint64_t peers_refused_limit{0};
  std::uint64_t relay_rpc_frames_in{0};
  std::uint64_t relay_rpc_frames_malformed{0};
  std::uint64_t relay_bytes_in{0};
  std::uint64_t relay_bytes_out{0};
  // Received on the topics we are subscribed to (every copy, before deduplication).
  std::map<std::string, std::uint64_t> messages_in_by_topic;
  std::map<std::string, std::uint64_t> message_bytes_in_by_topic;
  std::map<std::string, std::uint64_t> messages_out_by_topic;  // local publications
};

// Timings that are not operator options (nwaku hard-codes them too); tests shorten them.
struct NodeTuning {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds keepalive_interval{30'000};
  std::chrono::milliseconds redial_backoff_min{500};
  std::chrono::milliseconds redial_backoff_max{30'000};
  // A remote store query (REST peerAddr) not answered by then gets a 504, and its stream is reset.
  std::chrono::milliseconds remote_store_timeout{5'000};
};

class Node final : public NodeApi {
 public:
  static Result<std::unique_ptr<Node>> create(boost::asio::io_context& io, NodeConfig config,
                                              NodeTuning tuning = {});
  ~Node() override;

  // Listens, subscribes the configured shards and dials the static peers.
  Result<void> start();
  // Closes every connection and the listener; the io_context then runs out of work.
  void stop();

  [[nodiscard]] std::uint16_t tcp_port() const;
  [[nodiscard]] const relay::Router& router() const { return router_; }
  [[nodiscard]] const NodeCounters& counters() const { return counters_; }
  [[nodiscard]] const relay::ProtectedShardValidator::Counters* protected_shard_counters() const;
  MessageCache& message_cache() { return message_cache_; }
  // Set with --store: the archive and the store v3 server.
  StoreService* store() { return store_.get(); }
  // A store v3 query to another store node (REST peerAddr, --storenode): dials it if needed;
  // `reply` gets the peer's answer, or a 504 response when it does not answer within 5 s.
  void query_remote_store(std::string_view peer_address, store::StoreQueryRequest request,
                          StoreService::Reply reply);
  [[nodiscard]] std::size_t connection_count() const { return peers_.size(); }
  [[nodiscard]] const std::vector<std::string>& subscribed_topics() const { return pubsub_topics_; }
  // Relay bytes accepted for peers and not yet written to their sockets (publishers pace on it).
  [[nodiscard]] std::size_t relay_unsent_bytes() const;
  // Called for every message the router delivers from a peer (benchmarks and embedders); runs
  // on the event loop, after the REST cache has it.
  void set_message_observer(std::function<void(const relay::RelayMessage&)> observer) {
    message_observer_ = std::move(observer);
  }

  // --- NodeApi ---
  std::vector<std::string> listen_addresses() const override;
  std::string peer_id() const override;
  [[nodiscard]] const crypto::PeerId& identity_peer_id() const { return identity_.peer_id(); }
  bool is_ready() const override;
  std::vector<PeerView> peers() const override;
  Result<void> add_peer(std::string_view multiaddr) override;
  Result<void> subscribe(const std::string& pubsub_topic) override;
  Result<void> unsubscribe(const std::string& pubsub_topic) override;
  Result<void> publish(const std::string& pubsub_topic, message::WakuMessage message) override;
  std::uint16_t cluster_id() const override { return config_.cluster_id; }
  std::optional<std::uint32_t> num_shards_in_network() const override {
    return config_.num_shards_in_network;
  }

 private:
  class Owner;
  struct StreamState;
  struct PeerState;
  struct StaticPeer;

  Node(boost::asio::io_context& io, NodeConfig config, NodeTuning tuning,
       crypto::IdentityKey identity, relay::Router router);

  // The relay's decoding limits for the configured --max-msg-size.
  static codec::RpcLimits rpc_limits_for(const NodeConfig& config);
  [[nodiscard]] std::size_t stream_write_buffer_bytes() const;
  Instant now() const;
  void accept_next();
  void dial(const p2p::Multiaddr& address, std::optional<std::size_t> static_index);
  void start_connection(boost::asio::ip::tcp::socket socket, p2p::ConnectionRole role,
                        std::optional<crypto::PeerId> expected_peer,
                        std::optional<std::size_t> static_index, std::string dialled_address);
  void schedule_redial(std::size_t static_index);

  void on_event(SocketConnection& connection, p2p::ConnectionEvent event);
  void on_established(PeerState& peer, const p2p::ConnectionEstablished& event);
  void on_stream_opened(PeerState& peer, const p2p::StreamOpened& event);
  void on_stream_data(PeerState& peer, p2p::StreamId stream, Bytes data);
  void on_stream_finished(PeerState& peer, p2p::StreamId stream, bool reset);
  void on_drained(SocketConnection& connection);
  void on_closed(SocketConnection& connection, const std::string& reason);

  void handle_relay_frames(PeerState& peer, StreamState& stream);
  void handle_identify(PeerState& peer, ByteView body);
  Result<void> handle_metadata(PeerState& peer, ByteView body);
  Bytes identify_message(const PeerState& peer) const;
  Bytes metadata_message() const;
  void write_frame(PeerState& peer, p2p::StreamId stream, ByteView body);

  // Runs the router's outputs: transmits, events, and its next timeout.
  void pump_router();
  // What waits to be written to a peer on its relay stream: held for or queued at the socket,
  // and queued for its yamux window.
  static std::size_t relay_backlog(const PeerState& peer);
  void arm_router_timer();
  void keepalive_tick();

  boost::asio::io_context& io_;
  NodeConfig config_;
  NodeTuning tuning_;
  crypto::IdentityKey identity_;
  relay::Router router_;
  Rng rng_;
  std::chrono::steady_clock::time_point origin_;
  std::unique_ptr<Owner> owner_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_timer_;
  boost::asio::steady_timer router_timer_;
  boost::asio::steady_timer keepalive_timer_;
  codec::RpcLimits rpc_limits_;
  std::optional<Instant> router_timer_at_;
  relay::ProtectedShardValidator* protected_validator_{nullptr};
  std::map<std::uint64_t, std::unique_ptr<PeerState>> peers_;  // by connection id
  std::vector<std::unique_ptr<StaticPeer>> static_peers_;
  std::uint64_t next_connection_id_{1};
  std::size_t relay_peer_limit_{0};
  std::vector<std::string> pubsub_topics_;
  Bytes relay_frame_;  // pump_router's scratch for one outgoing RPC frame
  MessageCache message_cache_;
  std::function<void(const relay::RelayMessage&)> message_observer_;
  std::unique_ptr<StoreService> store_;
  struct RemoteQuery {
    crypto::PeerId peer;
    store::StoreQueryRequest request;
    StoreService::Reply reply;
    std::unique_ptr<boost::asio::steady_timer> deadline;
    // The stream it was sent on, once opened: reset if the deadline passes first.
    std::optional<std::pair<std::uint64_t, p2p::StreamId>> connection_and_stream;
  };
  std::map<std::uint64_t, RemoteQuery> remote_queries_;  // by a local id
  std::uint64_t next_remote_query_{1};
  void start_remote_query(PeerState& peer, std::uint64_t query_id);
  void finish_remote_query(std::uint64_t query_id, store::StoreQueryResponse response);
  // The deadline passed: resets the query's stream, if it is still open.
  void abandon_remote_query_stream(std::uint64_t query_id);
  // Answers every pending remote query to `peer` with a dial failure (the dial failed, or the
  // connection closed before an answer), instead of letting them wait for their deadline.
  void fail_remote_queries(const crypto::PeerId& peer, const std::string& reason);
  NodeCounters counters_;
  bool stopped_{false};
};

}  // namespace waku::runtime
