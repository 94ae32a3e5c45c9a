#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>

#include "runtime/node/node.hpp"
#include "runtime/node/node_state.hpp"
#include "waku/codec/store_codec.hpp"

namespace waku::runtime {

namespace asio = boost::asio;
using namespace node_limits;  // NOLINT(google-build-using-namespace): the node's own limits

// --- store client ---

void Node::query_remote_store(std::string_view peer_address, store::StoreQueryRequest request,
                              StoreService::Reply reply) {
  auto fail = [&](store::StatusCode code, std::string desc) {
    store::StoreQueryResponse response;
    response.request_id = request.request_id;
    response.status_code = static_cast<std::uint32_t>(code);
    response.status_desc = std::move(desc);
    reply(std::move(response));
  };
  auto address = p2p::Multiaddr::parse(peer_address);
  if (!address || !address->peer_id() || !address->tcp_endpoint()) {
    fail(store::StatusCode::kBadRequest, "peerAddr must be a TCP multiaddr with /p2p/<peer id>");
    return;
  }
  const std::uint64_t query_id = next_remote_query_++;
  RemoteQuery query{*address->peer_id(), std::move(request), std::move(reply),
                    std::make_unique<asio::steady_timer>(io_), std::nullopt};
  query.deadline->expires_after(tuning_.remote_store_timeout);
  query.deadline->async_wait([this, query_id](const boost::system::error_code& error) {
    if (error) return;
    abandon_remote_query_stream(query_id);
    store::StoreQueryResponse response;
    response.status_code = static_cast<std::uint32_t>(store::StatusCode::kPeerDialFailure);
    response.status_desc =
        fmt::format("store peer did not answer within {} ms", tuning_.remote_store_timeout.count());
    finish_remote_query(query_id, std::move(response));
  });
  remote_queries_.emplace(query_id, std::move(query));
  for (auto& [id, peer] : peers_) {
    if (peer->peer == *address->peer_id() && peer->connection->core().is_established()) {
      start_remote_query(*peer, query_id);
      return;
    }
  }
  dial(*address, std::nullopt);
}

void Node::start_remote_query(PeerState& peer, std::uint64_t query_id) {
  const auto it = remote_queries_.find(query_id);
  if (it == remote_queries_.end()) return;
  auto& core = peer.connection->core();
  auto stream = core.open_stream(std::string{store::kStoreProtocol});
  if (!stream) return;  // the deadline answers
  StreamState state{
      StreamState::Kind::kStoreOut, codec::LengthPrefixedReader(kMaxStoreResponseBytes), {}, {}};
  state.remote_query = query_id;
  peer.streams.emplace(*stream, std::move(state));
  it->second.connection_and_stream.emplace(peer.connection->id(), *stream);
  write_frame(peer, *stream, codec::encode_store_request(it->second.request));
  peer.connection->flush();
}

// A store peer that never answers would otherwise keep the stream (and its reader) open until the
// connection closes.
void Node::abandon_remote_query_stream(std::uint64_t query_id) {
  const auto it = remote_queries_.find(query_id);
  if (it == remote_queries_.end() || !it->second.connection_and_stream) return;
  const auto [connection_id, stream] = *it->second.connection_and_stream;
  const auto found = peers_.find(connection_id);
  if (found == peers_.end()) return;
  PeerState& peer = *found->second;
  const auto state = peer.streams.find(stream);
  if (state == peer.streams.end() || state->second.kind != StreamState::Kind::kStoreOut ||
      state->second.remote_query != query_id) {
    return;  // answered or closed meanwhile
  }
  peer.streams.erase(state);
  peer.connection->core().reset(stream);
  peer.connection->flush();
}

void Node::finish_remote_query(std::uint64_t query_id, store::StoreQueryResponse response) {
  const auto it = remote_queries_.find(query_id);
  if (it == remote_queries_.end()) return;
  StoreService::Reply reply = std::move(it->second.reply);
  it->second.deadline->cancel();
  remote_queries_.erase(it);
  reply(std::move(response));
}

void Node::fail_remote_queries(const crypto::PeerId& peer, const std::string& reason) {
  std::vector<std::uint64_t> failed;
  for (const auto& [query_id, query] : remote_queries_) {
    if (query.peer == peer) failed.push_back(query_id);
  }
  for (const std::uint64_t query_id : failed) {
    store::StoreQueryResponse response;
    response.request_id = remote_queries_.at(query_id).request.request_id;
    response.status_code = static_cast<std::uint32_t>(store::StatusCode::kPeerDialFailure);
    response.status_desc = "cannot reach the store peer: " + reason;
    finish_remote_query(query_id, std::move(response));
  }
}

}  // namespace waku::runtime
