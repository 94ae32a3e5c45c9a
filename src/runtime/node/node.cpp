#include "runtime/node/node.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "runtime/node/log.hpp"
#include "runtime/node/node_state.hpp"
#include "waku/base/varint.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/metadata_codec.hpp"
#include "waku/codec/store_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/entropy.hpp"
#include "waku/message/message_hash.hpp"
#include "waku/message/topics.hpp"
#include "waku/p2p/identify.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace node_limits;  // NOLINT(google-build-using-namespace): the node's own limits

class Node::Owner final : public ConnectionOwner {
 public:
  explicit Owner(Node& node) : node_(&node) {}
  void on_connection_event(SocketConnection& connection, p2p::ConnectionEvent event) override {
    node_->on_event(connection, std::move(event));
  }
  void on_connection_drained(SocketConnection& connection) override {
    node_->on_drained(connection);
  }
  void on_connection_closed(SocketConnection& connection, const std::string& reason) override {
    node_->on_closed(connection, reason);
  }

 private:
  Node* node_;
};

// --- construction ---

Result<std::unique_ptr<Node>> Node::create(asio::io_context& io, NodeConfig config,
                                           NodeTuning tuning) {
  auto key = crypto::Secp256k1PrivateKey::generate(crypto::system_entropy());
  if (config.nodekey_hex) {
    auto given = crypto::Secp256k1PrivateKey::from_hex(*config.nodekey_hex);
    if (!given) return unexpected(given.error());
    key = std::move(given).value();
  }
  auto router_config = relay::RouterConfig::profile(config.gossipsub_profile);
  if (!router_config) return unexpected(router_config.error());
  // --max-msg-size bounds a message's data; an RPC frame may carry one such message and 64 KiB of
  // everything else, as with the defaults (150 KiB and 214 KiB).
  router_config->gossip.max_message_size_bytes = config.max_msg_size_bytes;
  router_config->gossip.max_transmit_size_bytes = rpc_limits_for(config).max_frame_bytes;
  const auto unix_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  router_config->unix_time_at_origin = UnixNanos{unix_now.count()};
  std::array<std::uint8_t, 8> seed_bytes{};
  crypto::system_entropy().fill(seed_bytes);
  std::uint64_t seed = 0;
  for (const auto byte : seed_bytes) seed = (seed << 8) | byte;
  auto router = relay::Router::create(*router_config, Rng(seed));
  if (!router) return unexpected(router.error());
  auto node = std::unique_ptr<Node>(new Node(io, std::move(config), tuning,
                                             crypto::IdentityKey::secp256k1(std::move(key)),
                                             std::move(router).value()));
  node->rng_ = Rng(seed ^ 0x9e3779b97f4a7c15ULL);
  return node;
}

Node::Node(asio::io_context& io, NodeConfig config, NodeTuning tuning, crypto::IdentityKey identity,
           relay::Router router)
    : io_(io),
      config_(std::move(config)),
      tuning_(tuning),
      identity_(std::move(identity)),
      router_(std::move(router)),
      rng_(0),
      origin_(std::chrono::steady_clock::now()),
      owner_(std::make_unique<Owner>(*this)),
      acceptor_(io),
      accept_retry_timer_(io),
      router_timer_(io),
      keepalive_timer_(io),
      rpc_limits_(rpc_limits_for(config_)) {
  relay_peer_limit_ =
      std::max(kMinRelayPeers, config_.max_connections * kRelayShareNumerator / 100);
}

Node::~Node() { stop(); }

codec::RpcLimits Node::rpc_limits_for(const NodeConfig& config) {
  codec::RpcLimits limits;
  limits.max_message_size_bytes = config.max_msg_size_bytes;
  limits.max_frame_bytes = config.max_msg_size_bytes + kRpcFrameOverheadBytes;
  return limits;
}

std::size_t Node::stream_write_buffer_bytes() const {
  // A relay stream is blocked once past kRelaySendHighWater, so one more frame must always fit.
  return std::max(kStreamWriteBufferBytes,
                  kRelaySendHighWater + rpc_limits_.max_frame_bytes + kUvarintMaxBytes);
}

Instant Node::now() const {
  return Instant::from_nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - origin_)
                                       .count());
}

Result<void> Node::start() {
  // Shards: --shard values, or every shard of the network with autosharding, or shard 0.
  std::vector<std::uint16_t> shards = config_.shards;
  if (shards.empty() && config_.num_shards_in_network) {
    for (std::uint32_t shard = 0; shard < *config_.num_shards_in_network; ++shard) {
      shards.push_back(static_cast<std::uint16_t>(shard));
    }
  }
  if (shards.empty()) shards.push_back(0);
  if (!config_.protected_shards.empty()) {
    std::vector<relay::ProtectedShard> protected_shards;
    for (const auto& entry : config_.protected_shards) {
      protected_shards.push_back(
          relay::ProtectedShard{message::RelayShard{config_.cluster_id, entry.shard}, entry.key});
    }
    auto validator = std::make_unique<relay::ProtectedShardValidator>(std::move(protected_shards));
    protected_validator_ = validator.get();
    router_.add_validator("", std::move(validator));
  }
  if (config_.store && !store_) {
    // An answer must fit what one stream can hold: the muxer refuses a larger write (mplex counts
    // what other streams queued too, hence the margin).
    store::StoreServerConfig server;
    server.max_response_bytes = stream_write_buffer_bytes() - kRpcFrameOverheadBytes;
    auto store = StoreService::open(
        io_, config_, [this] { return now(); }, server);
    if (!store) return unexpected(store.error());
    store_ = std::move(store).value();
  }
  if (config_.relay) {
    for (const auto shard : shards) {
      const auto topic = message::RelayShard{config_.cluster_id, shard}.pubsub_topic();
      if (auto ok = subscribe(topic); !ok) return ok;
    }
  }

  boost::system::error_code error;
  const auto address = asio::ip::make_address(config_.listen_address, error);
  if (error) {
    Error failure{Errc::kInvalidArgument, "--listen-address"};
    failure.detail = fmt::format("'{}' is not an IP address", config_.listen_address);
    return unexpected(std::move(failure));
  }
  const tcp::endpoint endpoint(address, config_.tcp_port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error && address.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    Error failure{Errc::kIo, "listen"};
    failure.detail = fmt::format("cannot listen on {}:{}: {}", config_.listen_address,
                                 config_.tcp_port, error.message());
    return unexpected(std::move(failure));
  }
  accept_next();

  for (const auto& text : config_.staticnodes) {
    auto address_or = p2p::Multiaddr::parse(text);
    if (!address_or || !address_or->tcp_endpoint()) {
      Error failure{Errc::kInvalidArgument, "--staticnode"};
      failure.detail = fmt::format("'{}' is not a TCP multiaddr", text);
      return unexpected(std::move(failure));
    }
    auto peer = std::make_unique<StaticPeer>();
    peer->address = std::move(address_or).value();
    peer->timer = std::make_unique<asio::steady_timer>(io_);
    peer->backoff = tuning_.redial_backoff_min;
    static_peers_.push_back(std::move(peer));
  }
  for (std::size_t i = 0; i < static_peers_.size(); ++i) dial(static_peers_[i]->address, i);
  keepalive_timer_.expires_after(tuning_.keepalive_interval);
  keepalive_timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) keepalive_tick();
  });
  arm_router_timer();
  log(LogLevel::kInfo, "wakunode started: peer id {}, listening on {}", peer_id(),
      fmt::join(listen_addresses(), ", "));
  return {};
}

void Node::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  router_timer_.cancel();
  keepalive_timer_.cancel();
  for (auto& peer : static_peers_) peer->timer->cancel();
  std::vector<std::shared_ptr<SocketConnection>> connections;
  for (auto& [id, peer] : peers_) connections.push_back(peer->connection);
  for (auto& connection : connections) {
    connection->core().go_away();
    connection->close("node stopping");
  }
  for (auto& [id, query] : remote_queries_) query.deadline->cancel();
  remote_queries_.clear();
  if (store_) store_->stop();
}

std::uint16_t Node::tcp_port() const {
  boost::system::error_code error;
  const auto endpoint = acceptor_.local_endpoint(error);
  return error ? config_.tcp_port : endpoint.port();
}

// --- connections ---

void Node::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || stopped_) return;
    if (error) {
      ++counters_.accept_errors;
      log(LogLevel::kWarn, "accepting a connection: {}; trying again in {} ms", error.message(),
          kAcceptRetryDelay.count());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e && !stopped_) accept_next();
      });
      return;
    }
    if (peers_.size() >= config_.max_connections) {
      ++counters_.peers_refused_limit;
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      start_connection(std::move(socket), p2p::ConnectionRole::kListener, std::nullopt,
                       std::nullopt, {});
    }
    accept_next();
  });
}

void Node::dial(const p2p::Multiaddr& address, std::optional<std::size_t> static_index) {
  const auto endpoint = address.tcp_endpoint();
  if (!endpoint) return;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  const std::string text = address.to_string();
  const auto expected = address.peer_id();
  resolver->async_resolve(
      endpoint->host, std::to_string(endpoint->port),
      [this, resolver, text, expected, static_index](const boost::system::error_code& error,
                                                     const tcp::resolver::results_type& results) {
        if (stopped_) return;
        if (error) {
          ++counters_.connections_failed;
          log(LogLevel::kWarn, "dial {}: {}", text, error.message());
          if (expected) fail_remote_queries(*expected, error.message());
          if (static_index) schedule_redial(*static_index);
          return;
        }
        auto socket = std::make_shared<tcp::socket>(io_);
        asio::async_connect(
            *socket, results,
            [this, socket, text, expected, static_index](const boost::system::error_code& e,
                                                         const tcp::endpoint& /*endpoint*/) {
              if (stopped_) return;
              if (e) {
                ++counters_.connections_failed;
                log(LogLevel::kDebug, "dial {}: {}", text, e.message());
                if (expected) fail_remote_queries(*expected, e.message());
                if (static_index) schedule_redial(*static_index);
                return;
              }
              start_connection(std::move(*socket), p2p::ConnectionRole::kDialer, expected,
                               static_index, text);
            });
      });
}

void Node::schedule_redial(std::size_t static_index) {
  StaticPeer& peer = *static_peers_[static_index];
  const auto delay = peer.backoff;
  peer.backoff = std::min<std::chrono::milliseconds>(peer.backoff * 2, tuning_.redial_backoff_max);
  peer.timer->expires_after(delay);
  peer.timer->async_wait([this, static_index](const boost::system::error_code& error) {
    if (error || stopped_) return;
    dial(static_peers_[static_index]->address, static_index);
  });
}

void Node::start_connection(tcp::socket socket, p2p::ConnectionRole role,
                            std::optional<crypto::PeerId> expected_peer,
                            std::optional<std::size_t> static_index, std::string dialled_address) {
  p2p::ConnectionOptions options;
  options.role = role;
  options.expected_peer = std::move(expected_peer);
  options.muxer_limits.max_write_buffer_bytes = stream_write_buffer_bytes();
  options.protocols = {std::string{p2p::kIdentifyProtocol}, std::string{p2p::kIdentifyPushProtocol},
                       std::string{kPingProtocol}, std::string{codec::kMetadataProtocol}};
  if (config_.relay) options.protocols.emplace_back(relay::kWakuRelayCodec);
  if (store_) options.protocols.emplace_back(store::kStoreProtocol);
  p2p::Connection core(std::move(options), identity_, crypto::system_entropy());
  const std::uint64_t id = next_connection_id_++;
  auto connection =
      std::make_shared<SocketConnection>(std::move(socket), std::move(core), *owner_, id);
  auto peer = std::make_unique<PeerState>();
  peer->connection = connection;
  peer->direction = role == p2p::ConnectionRole::kDialer ? relay::Direction::kOutbound
                                                         : relay::Direction::kInbound;
  peer->static_index = static_index;
  peer->dialled_address = std::move(dialled_address);
  peers_.emplace(id, std::move(peer));
  ++counters_.connections_opened;
  connection->start(tuning_.handshake_timeout);
}

void Node::on_event(SocketConnection& connection, p2p::ConnectionEvent event) {
  const auto it = peers_.find(connection.id());
  if (it == peers_.end()) return;
  PeerState& peer = *it->second;
  if (auto* established = std::get_if<p2p::ConnectionEstablished>(&event)) {
    on_established(peer, *established);
  } else if (auto* opened = std::get_if<p2p::StreamOpened>(&event)) {
    on_stream_opened(peer, *opened);
  } else if (auto* data = std::get_if<p2p::StreamData>(&event)) {
    on_stream_data(peer, data->stream, std::move(data->data));
  } else if (auto* closed = std::get_if<p2p::StreamClosed>(&event)) {
    on_stream_finished(peer, closed->stream, false);
  } else if (auto* reset = std::get_if<p2p::StreamReset>(&event)) {
    on_stream_finished(peer, reset->stream, true);
  } else if (auto* failed = std::get_if<p2p::StreamFailed>(&event)) {
    // The peer does not speak this protocol (js-libp2p peers have no metadata protocol, light
    // clients no relay): nothing to do but note it.
    log(LogLevel::kDebug, "peer {} refused {}", connection.remote_address(), failed->protocol);
    const auto stream = peer.streams.find(failed->stream);
    if (stream != peer.streams.end() && stream->second.kind == StreamState::Kind::kStoreOut) {
      store::StoreQueryResponse response;
      response.status_code = static_cast<std::uint32_t>(store::StatusCode::kServiceUnavailable);
      response.status_desc = "the peer does not serve store v3";
      const std::uint64_t query_id = stream->second.remote_query;
      peer.streams.erase(stream);
      finish_remote_query(query_id, std::move(response));
    }
    peer.streams.erase(failed->stream);
    if (peer.relay_out == failed->stream) peer.relay_out.reset();
    if (peer.ping_stream == failed->stream) {
      peer.ping_stream.reset();
      peer.ping_outstanding = false;
    }
  }
  if (!connection.is_closed()) connection.flush();
}

void Node::on_established(PeerState& peer, const p2p::ConnectionEstablished& event) {
  SocketConnection& connection = *peer.connection;
  ++counters_.connections_established;
  for (const auto& [id, other] : peers_) {
    if (other.get() == &peer || other->peer != event.peer) continue;
    // One connection per peer. When two nodes dial each other at once, both sides must keep the
    // same one, or each closes the other's choice and none is left: the one dialled by the
    // smaller peer id stays. Two dials from the same side: the older stays.
    const bool we_dialled_this = peer.direction == relay::Direction::kOutbound;
    const bool we_dialled_other = other->direction == relay::Direction::kOutbound;
    const bool keep_this = we_dialled_this != we_dialled_other &&
                           (we_dialled_this == (identity_.peer_id() < event.peer));
    PeerState& closing = keep_this ? *other : peer;
    PeerState& kept = keep_this ? peer : *other;
    // A closed dial to a static peer: the connection kept stands for it now, and is redialled
    // when it closes (not when this one does, which would dial, and be refused, over and over).
    if (closing.static_index && !kept.static_index) kept.static_index = closing.static_index;
    closing.static_index.reset();
    if (keep_this) peer.peer = event.peer;  // so that closing the other finds this one alive
    closing.connection->close("duplicate connection");
    if (!keep_this) return;
    break;
  }
  peer.peer = event.peer;
  if (peer.static_index) static_peers_[*peer.static_index]->backoff = tuning_.redial_backoff_min;
  log(LogLevel::kInfo, "connected {} peer {} ({}, {})",
      peer.direction == relay::Direction::kOutbound ? "to" : "from", event.peer.to_string(),
      connection.remote_address(), event.muxer);
  auto& core = connection.core();
  if (auto stream = core.open_stream(std::string{p2p::kIdentifyProtocol})) {
    peer.streams.emplace(*stream, StreamState{StreamState::Kind::kIdentify,
                                              codec::LengthPrefixedReader(p2p::kMaxIdentifyBytes),
                                              {},
                                              {}});
  }
  // As nwaku, the dialling side asks for the peer's cluster and shards.
  if (peer.direction == relay::Direction::kOutbound) {
    if (auto stream = core.open_stream(std::string{codec::kMetadataProtocol})) {
      peer.streams.emplace(*stream, StreamState{StreamState::Kind::kMetadataOut,
                                                codec::LengthPrefixedReader(kMaxMetadataBytes),
                                                {},
                                                {}});
      write_frame(peer, *stream, metadata_message());
    }
  }
  for (auto& [query_id, query] : remote_queries_) {
    if (query.peer == event.peer) start_remote_query(peer, query_id);
  }
  if (config_.relay) {
    if (auto stream = core.open_stream(std::string{relay::kWakuRelayCodec})) {
      peer.relay_out = *stream;
      peer.streams.emplace(
          *stream,
          StreamState{StreamState::Kind::kRelayOut, codec::LengthPrefixedReader(1), {}, {}});
    }
  }
}

void Node::on_stream_opened(PeerState& peer, const p2p::StreamOpened& event) {
  auto& core = peer.connection->core();
  const std::string& protocol = event.protocol;
  if (event.direction == p2p::StreamDirection::kOutbound) {
    if (protocol == relay::kWakuRelayCodec && peer.relay_out == event.stream) {
      std::size_t relay_peers = 0;
      for (const auto& [id, other] : peers_) relay_peers += other->relay_connected ? 1 : 0;
      if (relay_peers >= relay_peer_limit_ && peer.direction == relay::Direction::kInbound &&
          !peer.static_index) {
        ++counters_.peers_refused_limit;
        peer.connection->close("relay peer limit");
        return;
      }
      peer.relay_connected = true;
      relay::PeerConnected connected;
      connected.peer = relay::PeerHandle(peer.connection->id());
      connected.peer_id = peer.peer ? peer.peer->bytes() : Bytes{};
      connected.direction = peer.direction;
      connected.protocol = relay::ProtocolVersion::kWakuRelay2;
      // Loopback peers are not counted for IP colocation (P6): every peer of a local test
      // network or benchmark shares 127.0.0.1, which would graylist them all. go-libp2p has
      // a whitelist for the same reason.
      const auto& ip = peer.connection->remote_ip();
      if (ip != "127.0.0.1" && ip != "::1" && !ip.starts_with("::ffff:127.")) connected.ip = ip;
      router_.handle_peer_connected(now(), connected);
      pump_router();
    } else if (protocol == kPingProtocol) {
      auto it = peer.streams.find(event.stream);
      if (it != peer.streams.end()) {
        it->second.ping_payload.resize(kPingPayloadBytes);
        crypto::system_entropy().fill(it->second.ping_payload);
        (void)core.write(event.stream, it->second.ping_payload);
      }
    }
    return;
  }
  // Inbound streams: the peer asks.
  if (protocol == relay::kWakuRelayCodec) {
    peer.streams.emplace(event.stream,
                         StreamState{StreamState::Kind::kRelayIn,
                                     codec::LengthPrefixedReader(rpc_limits_.max_frame_bytes),
                                     {},
                                     {}});
  } else if (protocol == p2p::kIdentifyProtocol) {
    write_frame(peer, event.stream, identify_message(peer));
    core.close_write(event.stream);
  } else if (protocol == p2p::kIdentifyPushProtocol) {
    peer.streams.emplace(event.stream,
                         StreamState{StreamState::Kind::kIdentifyPush,
                                     codec::LengthPrefixedReader(p2p::kMaxIdentifyBytes),
                                     {},
                                     {}});
  } else if (protocol == kPingProtocol) {
    peer.streams.emplace(
        event.stream,
        StreamState{StreamState::Kind::kPingIn, codec::LengthPrefixedReader(1), {}, {}});
  } else if (protocol == codec::kMetadataProtocol) {
    peer.streams.emplace(event.stream, StreamState{StreamState::Kind::kMetadataIn,
                                                   codec::LengthPrefixedReader(kMaxMetadataBytes),
                                                   {},
                                                   {}});
  } else if (protocol == store::kStoreProtocol && store_) {
    peer.streams.emplace(event.stream,
                         StreamState{StreamState::Kind::kStoreIn,
                                     codec::LengthPrefixedReader(kMaxStoreRequestBytes),
                                     {},
                                     {}});
  } else {
    core.reset(event.stream);
  }
}

void Node::on_stream_data(PeerState& peer, p2p::StreamId stream_id, Bytes data) {
  auto it = peer.streams.find(stream_id);
  auto& core = peer.connection->core();
  if (it == peer.streams.end()) return;  // a stream we already finished with
  StreamState& stream = it->second;
  switch (stream.kind) {
    case StreamState::Kind::kRelayIn:
      counters_.relay_bytes_in += data.size();
      stream.reader.feed(std::move(data));
      handle_relay_frames(peer, stream);
      break;
    case StreamState::Kind::kPingIn:
      // A peer streaming into ping without reading the echo fills the stream's write buffer;
      // then the stream is reset rather than buffered further.
      if (!core.write(stream_id, data)) {
        core.reset(stream_id);
        peer.streams.erase(it);
      }
      break;
    case StreamState::Kind::kPingOut: {
      stream.ping_received.insert(stream.ping_received.end(), data.begin(), data.end());
      if (stream.ping_received.size() >= kPingPayloadBytes) {
        const bool match = std::equal(stream.ping_payload.begin(), stream.ping_payload.end(),
                                      stream.ping_received.begin());
        if (!match) {
          peer.connection->close("ping mismatch");
          return;
        }
        peer.ping_outstanding = false;
        stream.ping_received.clear();
      }
      break;
    }
    case StreamState::Kind::kIdentify:
    case StreamState::Kind::kIdentifyPush:
    case StreamState::Kind::kMetadataIn:
    case StreamState::Kind::kMetadataOut: {
      stream.reader.feed(data);
      auto frame = stream.reader.next();
      if (!frame) break;
      const auto kind = stream.kind;
      if (!*frame) {
        core.reset(stream_id);
        peer.streams.erase(it);
        break;
      }
      const Bytes body = std::move(**frame);
      if (kind == StreamState::Kind::kIdentify || kind == StreamState::Kind::kIdentifyPush) {
        handle_identify(peer, body);
        core.close_write(stream_id);
        peer.streams.erase(it);
        break;
      }
      if (kind == StreamState::Kind::kMetadataIn) {
        write_frame(peer, stream_id, metadata_message());
      }
      core.close_write(stream_id);
      peer.streams.erase(it);
      if (auto ok = handle_metadata(peer, body); !ok) {
        ++counters_.peers_refused_cluster;
        log(LogLevel::kInfo, "disconnecting {}: {}", peer.connection->remote_address(),
            ok.error().message());
        peer.connection->flush();
        peer.connection->close(ok.error().message());
      }
      break;
    }
    case StreamState::Kind::kStoreIn: {
      stream.reader.feed(data);
      auto frame = stream.reader.next();
      if (!frame) break;
      peer.streams.erase(it);
      if (!*frame || !store_ || !peer.peer) {
        core.reset(stream_id);
        break;
      }
      const std::uint64_t connection_id = peer.connection->id();
      store_->query(*peer.peer, **frame,
                    [this, connection_id, stream_id](const store::StoreQueryResponse& response) {
                      const auto found = peers_.find(connection_id);
                      if (found == peers_.end()) return;
                      PeerState& asker = *found->second;
                      write_frame(asker, stream_id, codec::encode_store_response(response));
                      asker.connection->core().close_write(stream_id);
                      asker.connection->flush();
                    });
      break;
    }
    case StreamState::Kind::kStoreOut: {
      stream.reader.feed(data);
      auto frame = stream.reader.next();
      if (!frame) break;
      const std::uint64_t query_id = stream.remote_query;
      peer.streams.erase(it);
      core.close_write(stream_id);
      store::StoreQueryResponse response;
      if (*frame) {
        if (auto decoded = codec::decode_store_response(**frame)) {
          response = std::move(decoded).value();
        } else {
          response.status_code = static_cast<std::uint32_t>(store::StatusCode::kBadResponse);
          response.status_desc = "undecodable response: " + decoded.error().message();
        }
      } else {
        response.status_code = static_cast<std::uint32_t>(store::StatusCode::kBadResponse);
        response.status_desc = "response too large";
      }
      finish_remote_query(query_id, std::move(response));
      break;
    }
    case StreamState::Kind::kRelayOut:
      // The peer must not write on our outbound relay stream (pubsub stream management); ignore.
      break;
  }
}

void Node::on_stream_finished(PeerState& peer, p2p::StreamId stream, bool reset) {
  auto it = peer.streams.find(stream);
  if (it == peer.streams.end()) return;
  if (it->second.kind == StreamState::Kind::kRelayOut) {
    // Without our outbound stream the router cannot reach the peer: treat it as gone.
    peer.connection->close("relay stream closed by peer");
    return;
  }
  if (!reset) peer.connection->core().close_write(stream);
  if (peer.ping_stream == stream) peer.ping_stream.reset();
  peer.streams.erase(it);
}

void Node::on_closed(SocketConnection& connection, const std::string& reason) {
  const auto it = peers_.find(connection.id());
  if (it == peers_.end()) return;
  std::unique_ptr<PeerState> peer = std::move(it->second);
  peers_.erase(it);
  ++counters_.connections_closed;
  // Remote store queries waiting on this peer: answered now unless another connection to it
  // lives (a dialled connection that failed its handshake names the peer only in its address).
  std::optional<crypto::PeerId> remote = peer->peer;
  if (!remote) {
    if (auto address = p2p::Multiaddr::parse(peer->dialled_address)) remote = address->peer_id();
  }
  if (remote && !remote_queries_.empty()) {
    bool other = false;
    for (const auto& [id, other_peer] : peers_) other = other || other_peer->peer == remote;
    if (!other) fail_remote_queries(*remote, reason);
  }
  if (!peer->peer) ++counters_.connections_failed;
  if (peer->relay_connected) {
    router_.handle_peer_disconnected(now(), relay::PeerHandle(connection.id()));
    pump_router();
  }
  if (peer->peer) {
    log(LogLevel::kInfo, "disconnected peer {} ({}): {}", peer->peer->to_string(),
        connection.remote_address(), reason);
  }
  if (peer->static_index && !stopped_) {
    // Redial unless another connection to the same peer is alive (the peer dialled us too, and
    // one of the two was closed as a duplicate, by either side): that one stands for the static
    // peer then, and is redialled when it closes.
    PeerState* other = nullptr;
    for (const auto& [id, candidate] : peers_) {
      if (remote && candidate->peer == remote) other = candidate.get();
    }
    if (other == nullptr) {
      schedule_redial(*peer->static_index);
    } else if (!other->static_index) {
      other->static_index = peer->static_index;
    }
  }
}

// --- protocols ---

void Node::write_frame(PeerState& peer, p2p::StreamId stream, ByteView body) {
  Bytes frame;
  codec::append_length_prefixed(frame, body);
  if (auto ok = peer.connection->core().write(stream, frame); !ok) {
    // The peer would read an empty answer: say why. (Store answers are cut to fit beforehand.)
    log(LogLevel::kWarn, "{}: a {}-byte answer was not written: {}",
        peer.connection->remote_address(), frame.size(), ok.error().message());
  }
}

Bytes Node::identify_message(const PeerState& peer) const {
  p2p::IdentifyInfo info;
  info.protocol_version = "ipfs/0.1.0";
  info.agent_version = agent_version();
  info.public_key = identity_.public_key_protobuf();
  for (const auto& address : listen_addresses()) {
    if (auto parsed = p2p::Multiaddr::parse(address)) {
      info.listen_addrs.push_back(parsed->without_peer_id().bytes());
    }
  }
  p2p::TcpEndpoint observed;
  observed.host = peer.connection->remote_ip();
  observed.port = peer.connection->remote_port();
  observed.kind = observed.host.find(':') != std::string::npos ? p2p::TcpEndpoint::Kind::kIp6
                                                               : p2p::TcpEndpoint::Kind::kIp4;
  if (!observed.host.empty()) info.observed_addr = p2p::Multiaddr::from_tcp(observed).bytes();
  info.protocols = {std::string{p2p::kIdentifyProtocol}, std::string{p2p::kIdentifyPushProtocol},
                    std::string{kPingProtocol}, std::string{codec::kMetadataProtocol}};
  if (config_.relay) info.protocols.emplace_back(relay::kWakuRelayCodec);
  if (store_) info.protocols.emplace_back(store::kStoreProtocol);
  return p2p::encode_identify(info);
}

void Node::handle_identify(PeerState& peer, ByteView body) {
  auto info = p2p::decode_identify(body);
  if (!info) return;
  if (!info->public_key.empty() && peer.peer) {
    auto key = crypto::decode_public_key(info->public_key);
    if (!key || crypto::PeerId::from_public_key(key->type, key->data) != *peer.peer) {
      peer.connection->close("identify: key does not match the peer");
      return;
    }
  }
  peer.agent = info->agent_version;
  if (!info->protocols.empty()) peer.protocols = info->protocols;
  if (!info->listen_addrs.empty()) peer.listen_addresses.clear();
  for (const auto& bytes : info->listen_addrs) {
    if (auto address = p2p::Multiaddr::from_bytes(bytes)) {
      peer.listen_addresses.push_back(address->to_string());
    }
  }
}

Bytes Node::metadata_message() const {
  codec::WakuMetadata metadata;
  metadata.cluster_id = config_.cluster_id;
  for (const auto& topic : pubsub_topics_) {
    if (auto shard = message::parse_pubsub_topic(topic);
        shard && shard->cluster_id == config_.cluster_id) {
      metadata.shards.push_back(shard->shard_id);
    }
  }
  return codec::encode_metadata(metadata);
}

Result<void> Node::handle_metadata(PeerState& peer, ByteView body) {
  auto metadata = codec::decode_metadata(body);
  if (!metadata) return unexpected(metadata.error());
  peer.remote_cluster = metadata->cluster_id;
  peer.remote_shards = metadata->shards;
  if (metadata->cluster_id && *metadata->cluster_id != config_.cluster_id) {
    Error error{Errc::kInvalidArgument, "metadata"};
    error.detail = fmt::format("peer is in cluster {}, we are in cluster {}", *metadata->cluster_id,
                               config_.cluster_id);
    return unexpected(std::move(error));
  }
  return {};
}

void Node::keepalive_tick() {
  if (stopped_) return;
  std::vector<std::shared_ptr<SocketConnection>> unresponsive;
  for (auto& [id, peer] : peers_) {
    if (!peer->peer) continue;
    if (peer->ping_outstanding) {
      unresponsive.push_back(peer->connection);
      continue;
    }
    auto& core = peer->connection->core();
    if (!peer->ping_stream) {
      auto stream = core.open_stream(std::string{kPingProtocol});
      if (!stream) continue;
      peer->ping_stream = *stream;
      peer->streams.emplace(
          *stream,
          StreamState{StreamState::Kind::kPingOut, codec::LengthPrefixedReader(1), {}, {}});
      // The payload is written once the stream's protocol is agreed (on_stream_opened).
    } else {
      auto& stream = peer->streams.at(*peer->ping_stream);
      crypto::system_entropy().fill(stream.ping_payload);
      (void)core.write(*peer->ping_stream, stream.ping_payload);
    }
    peer->ping_outstanding = true;
    peer->connection->flush();
  }
  for (auto& connection : unresponsive) connection->close("keep-alive ping unanswered");
  keepalive_timer_.expires_after(tuning_.keepalive_interval);
  keepalive_timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) keepalive_tick();
  });
}

}  // namespace waku::runtime
