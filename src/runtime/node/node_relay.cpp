// The node's relay side: relay frames in, the router's transmits out with per-peer backpressure,
// and the router's timer. (Connections and the other protocols: node.cpp.)
#include <algorithm>
#include <vector>

#include "runtime/node/node.hpp"
#include "runtime/node/node_state.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::runtime {

using namespace node_limits;  // NOLINT(google-build-using-namespace): the node's own limits

void Node::handle_relay_frames(PeerState& peer, StreamState& stream) {
  const relay::PeerHandle handle(peer.connection->id());
  // Each RPC is decoded one ahead of the one the router handles, and the router starts loading
  // what the decoded one will touch (its seen-set slots: a cache miss each under load) while it
  // handles the one before. The order of everything the router sees is unchanged.
  std::optional<relay::Rpc> ready;
  const auto hand_over_ready = [&] {
    if (!ready) return;
    router_.handle_rpc(now(), handle, std::move(*ready));
    ready.reset();
  };
  while (auto frame = stream.reader.next_view()) {  // views valid until the next feed
    if (!*frame) {
      hand_over_ready();
      ++counters_.relay_rpc_frames_malformed;
      if (peer.relay_connected) router_.handle_rpc_malformed(now(), handle);
      peer.connection->close("relay frame too large");
      return;
    }
    ++counters_.relay_rpc_frames_in;
    if (!peer.relay_connected) continue;  // inbound before our outbound: rare, and harmless
    auto rpc = codec::decode_rpc(**frame, rpc_limits_);
    if (!rpc) {
      hand_over_ready();
      ++counters_.relay_rpc_frames_malformed;
      router_.handle_rpc_malformed(now(), handle);
      continue;
    }
    for (const auto& message : rpc->publish) {
      // Only topics we relay: a peer choosing the topic strings must not grow these maps (the
      // router drops, and counts, the others).
      if (!router_.is_subscribed(message->topic)) continue;
      ++counters_.messages_in_by_topic[message->topic];
      counters_.message_bytes_in_by_topic[message->topic] += message->data.size();
    }
    router_.prefetch_receive(*rpc);
    hand_over_ready();
    ready = std::move(rpc).value();
  }
  hand_over_ready();
  pump_router();
}

std::size_t Node::relay_backlog(const PeerState& peer) {
  return peer.connection->unsent_bytes() +
         (peer.relay_out ? peer.connection->core().pending_write_bytes(*peer.relay_out) : 0);
}

void Node::on_drained(SocketConnection& connection) {
  const auto it = peers_.find(connection.id());
  if (it == peers_.end() || !it->second->relay_blocked) return;
  // The socket took everything, but the relay stream may still be waiting for the peer's yamux
  // window: reopening now would let the router pour its queue into the muxer. The window update
  // that releases it is written, and drains, in turn.
  if (relay_backlog(*it->second) > kRelaySendLowWater) return;
  it->second->relay_blocked = false;
  router_.handle_send_window(now(), relay::PeerHandle(connection.id()), relay::SendWindow::kOpen);
  pump_router();
}

void Node::pump_router() {
  // By connection id, not by pointer: a failed write closes its connection, and on_closed frees
  // its PeerState before this loop ends.
  struct Written {
    std::uint64_t connection_id;
    std::size_t bytes;  // written on the relay stream in this call, not yet flushed
  };
  std::vector<Written> written;
  while (auto transmit = router_.poll_transmit()) {
    const auto it = peers_.find(transmit->peer.value());
    if (it == peers_.end() || !it->second->relay_out) continue;
    PeerState& peer = *it->second;
    relay_frame_.clear();  // reused: no allocation per forwarded copy
    codec::append_rpc_frame(relay_frame_, transmit->rpc);
    relay::rpc_recycler().recycle(std::move(transmit->rpc));
    counters_.relay_bytes_out += relay_frame_.size();
    if (auto ok = peer.connection->core().write(*peer.relay_out, relay_frame_); !ok) {
      peer.connection->close("relay stream write failed: " + ok.error().message());
      continue;
    }
    auto entry = std::find_if(written.begin(), written.end(),
                              [&](const Written& w) { return w.connection_id == it->first; });
    if (entry == written.end()) entry = written.insert(written.end(), Written{it->first, 0});
    entry->bytes += relay_frame_.size();
    // Blocked as soon as it passes the mark, not after the loop: after a send window reopens the
    // router drains the peer's whole queue (up to 512 messages) through this loop, and the muxer
    // refuses writes past kStreamWriteBufferBytes. (What went to the yamux window's queue is in
    // both `pending` and `bytes`: counted twice, which only blocks a little early.)
    if (!peer.relay_blocked && relay_backlog(peer) + entry->bytes > kRelaySendHighWater) {
      peer.relay_blocked = true;
      router_.handle_send_window(now(), relay::PeerHandle(it->first), relay::SendWindow::kBlocked);
    }
  }
  // An occasional large RPC (an IWANT reply) must not pin its buffer.
  if (relay_frame_.capacity() > kRelaySendHighWater) relay_frame_ = {};
  for (const Written& w : written) {
    const auto it = peers_.find(w.connection_id);
    if (it != peers_.end()) it->second->connection->flush();
  }
  while (auto event = router_.poll_event()) {
    if (auto* delivered = std::get_if<relay::MessageDelivered>(&*event)) {
      // The REST cache copies each message: only worth it when someone can read it.
      if (config_.rest && delivered->from && delivered->message->decoded) {
        message_cache_.add(delivered->message->topic, *delivered->message->decoded);
      }
      if (store_ && delivered->message->decoded) {
        store_->archive(delivered->message->topic, *delivered->message->decoded);
      }
      if (delivered->from && message_observer_) message_observer_(*delivered->message);
    } else if (auto* disconnect = std::get_if<relay::DisconnectPeer>(&*event)) {
      const auto it = peers_.find(disconnect->peer.value());
      if (it != peers_.end()) {
        it->second->connection->close(
            disconnect->reason == relay::DisconnectReason::kGraylisted ? "graylisted" : "too slow");
      }
    }
  }
  arm_router_timer();
}

void Node::arm_router_timer() {
  if (stopped_) return;
  const auto next = router_.poll_timeout();
  if (!next) return;
  if (router_timer_at_ && *router_timer_at_ <= *next) return;  // an earlier wake-up is pending
  router_timer_at_ = *next;
  const Duration delay = std::max(Duration{0}, *next - now());
  router_timer_.expires_after(delay);
  router_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    router_timer_at_.reset();
    router_.handle_timeout(now());
    pump_router();
  });
}

}  // namespace waku::runtime
