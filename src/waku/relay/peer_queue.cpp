#include "waku/relay/peer_queue.hpp"

#include <algorithm>
#include <utility>

#include "waku/base/assert.hpp"
#include "waku/base/varint.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::relay {

namespace {

constexpr std::size_t kIdEntrySize = 1 + 1 + sizeof(Bytes32);  // tag, length, 32 id bytes

// A length-delimited field: tag + length varint + body.
std::size_t field(std::size_t body) { return 1 + uvarint_size(body) + body; }

std::size_t ids_size(std::size_t count) { return count * kIdEntrySize; }

}  // namespace

std::size_t encoded_size(const Subscription& subscription) {
  return field(2 + field(subscription.topic.size()));  // subscribe flag (tag + bool) + topicid
}

std::size_t encoded_size(const RelayMessage& message) {
  return field(field(message.data.size()) + field(message.topic.size()));
}

std::size_t encoded_size(const IHave& ihave) {
  return field(field(ihave.topic.size()) + ids_size(ihave.ids.size()));
}

std::size_t encoded_size(const IWant& iwant) { return field(ids_size(iwant.ids.size())); }

std::size_t encoded_size(const Graft& graft) { return field(field(graft.topic.size())); }

std::size_t encoded_size(const Prune& prune) {
  std::size_t body = field(prune.topic.size());
  for (const PxPeer& peer : prune.peers) {
    std::size_t record = field(peer.peer_id.size());
    if (!peer.signed_peer_record.empty()) record += field(peer.signed_peer_record.size());
    body += field(record);
  }
  if (prune.backoff_seconds) body += 1 + uvarint_size(*prune.backoff_seconds);
  return field(body);
}

std::size_t encoded_size(const IDontWant& idontwant) {
  return field(ids_size(idontwant.ids.size()));
}

std::size_t estimated_rpc_size(const Rpc& rpc) {
  std::size_t size = 0;
  for (const auto& sub : rpc.subscriptions) size += encoded_size(sub);
  for (const auto& message : rpc.publish) size += encoded_size(*message);
  std::size_t control = 0;
  for (const auto& e : rpc.control.ihave) control += encoded_size(e);
  for (const auto& e : rpc.control.iwant) control += encoded_size(e);
  for (const auto& e : rpc.control.graft) control += encoded_size(e);
  for (const auto& e : rpc.control.prune) control += encoded_size(e);
  for (const auto& e : rpc.control.idontwant) control += encoded_size(e);
  if (control > 0) size += field(control);
  return size;
}

PeerQueue::PushResult PeerQueue::control_pushed() const {
  const std::size_t essential = subscriptions_.size() + grafts_.size() + prunes_.size();
  return PushResult{0, essential > limits_.max_control};
}

std::size_t PeerQueue::control_entries() const {
  return subscriptions_.size() + grafts_.size() + prunes_.size() + idontwant_.size();
}

PeerQueue::PushResult PeerQueue::push_subscription(Subscription subscription) {
  // A later change for the same topic supersedes an unsent earlier one (subscribe then
  // unsubscribe while blocked needs only the last state on the wire).
  for (auto& queued : subscriptions_) {
    if (queued.topic == subscription.topic) {
      queued.subscribe = subscription.subscribe;
      return control_pushed();
    }
  }
  subscriptions_.push_back(std::move(subscription));
  return control_pushed();
}

PeerQueue::PushResult PeerQueue::push_graft(Graft graft) {
  grafts_.push_back(std::move(graft));
  return control_pushed();
}

PeerQueue::PushResult PeerQueue::push_prune(Prune prune) {
  prunes_.push_back(std::move(prune));
  return control_pushed();
}

PeerQueue::PushResult PeerQueue::push_idontwant(const MessageId& id) {
  PushResult result;
  if (idontwant_.size() >= limits_.max_idontwant) {
    // The oldest half at once, so that a peer blocked for long costs no memmove per push.
    const std::size_t drop = std::max<std::size_t>(idontwant_.size() / 2, 1);
    idontwant_.erase(idontwant_.begin(), idontwant_.begin() + static_cast<std::ptrdiff_t>(drop));
    result.dropped = drop;
  }
  idontwant_.push_back(id);
  return result;
}

PeerQueue::PushResult PeerQueue::push_ihave(IHave ihave) {
  PushResult result;
  if (gossip_.size() >= limits_.max_gossip) {
    gossip_.pop_front();
    result.dropped = 1;
  }
  gossip_.push_back(Gossip{true, std::move(ihave), {}});
  return result;
}

PeerQueue::PushResult PeerQueue::push_iwant(IWant iwant) {
  PushResult result;
  if (gossip_.size() >= limits_.max_gossip) {
    gossip_.pop_front();
    result.dropped = 1;
  }
  gossip_.push_back(Gossip{false, {}, std::move(iwant)});
  return result;
}

PeerQueue::PushResult PeerQueue::push_message(RelayMessagePtr message, MessageOrigin origin) {
  PushResult result;
  if (message_count() >= limits_.max_messages) {
    // Oldest forwarded first: a forwarded copy is one of several the peer may get, our own
    // publication may be the only one.
    if (!forwarded_.empty()) {
      forwarded_.pop_front();
    } else {
      own_.pop_front();
    }
    result.dropped = 1;
  }
  auto& lane = origin == MessageOrigin::kOwn ? own_ : forwarded_;
  lane.push_back(QueuedMessage{next_seq_++, std::move(message)});
  return result;
}

void PeerQueue::clear() {
  subscriptions_.clear();
  grafts_.clear();
  prunes_.clear();
  idontwant_.clear();
  gossip_.clear();
  own_.clear();
  forwarded_.clear();
}

PeerQueue::Discarded PeerQueue::pop_rpc(std::size_t max_bytes, Rpc& rpc, RpcSizeBreakdown* sizes) {
  WAKU_ASSERT_MSG(rpc.empty(), "PeerQueue::pop_rpc: the target RPC must be empty");
  Discarded out;
  RpcSizeBreakdown by_kind;
  std::size_t top_level = 0;  // subscriptions + publish
  std::size_t control = 0;    // body of the control field
  std::size_t idontwant = 0;  // ids taken into the single IDONTWANT entry
  const auto total = [&](std::size_t add_top, std::size_t add_control) {
    const std::size_t body = control + add_control;
    return top_level + add_top + (body > 0 ? field(body) : 0);
  };
  const auto is_empty = [&] { return top_level == 0 && control == 0; };

  // Takes entries from the front of a control vector while they fit. An entry that cannot fit
  // even in an empty RPC is discarded, or the queue would never drain.
  const auto take = [&](auto& queue, auto& sink, bool top, std::size_t& kind_bytes) {
    std::size_t taken = 0;
    for (; taken < queue.size(); ++taken) {
      const std::size_t size = encoded_size(queue[taken]);
      if (total(top ? size : 0, top ? 0 : size) > max_bytes) {
        if (!is_empty()) break;
        continue;  // alone too large: dropped below with the taken ones, but not sent
      }
      (top ? top_level : control) += size;
      kind_bytes += size;
      sink.push_back(std::move(queue[taken]));
    }
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(taken));
  };
  take(subscriptions_, rpc.subscriptions, true, by_kind.subscriptions);
  take(grafts_, rpc.control.graft, false, by_kind.graft_prune);
  take(prunes_, rpc.control.prune, false, by_kind.graft_prune);

  if (!idontwant_.empty()) {
    // One IDONTWANT entry with as many ids as fit.
    std::size_t entry = 0;
    while (idontwant < idontwant_.size()) {
      const std::size_t grown = field(ids_size(idontwant + 1));
      if (total(0, grown) > max_bytes) break;
      entry = grown;
      ++idontwant;
    }
    if (idontwant > 0) {
      control += entry;
      by_kind.idontwant += entry;
      IDontWant e{rpc_recycler().take_ids()};
      e.ids.assign(idontwant_.begin(), idontwant_.begin() + static_cast<std::ptrdiff_t>(idontwant));
      rpc.control.idontwant.push_back(std::move(e));
      idontwant_.erase(idontwant_.begin(),
                       idontwant_.begin() + static_cast<std::ptrdiff_t>(idontwant));
    } else if (is_empty()) {
      idontwant_.erase(idontwant_.begin());  // cannot fit even alone (absurdly small limit)
    }
  }
  const auto finish = [&] {
    if (sizes != nullptr) {
      if (control > 0) by_kind.other = field(control) - control;  // the control field's prefix
      *sizes = by_kind;
    }
    return out;
  };
  // IDONTWANT is urgent (gossipsub v1.2: sent at once, "not queued for later piggybacking"; go's
  // UrgentPush, nim's high priority): it leaves in an RPC of its own, without the gossip and
  // messages waiting behind it, so that their serialisation does not hold it back. The router's
  // round robin then sends every peer's IDONTWANT before any peer's next message.
  if (idontwant > 0) return finish();

  while (!gossip_.empty()) {
    Gossip& g = gossip_.front();
    const std::size_t size = g.is_ihave ? encoded_size(g.ihave) : encoded_size(g.iwant);
    if (total(0, size) > max_bytes) {
      if (!is_empty()) break;
      ++out.oversized_gossip;
      gossip_.pop_front();
      continue;
    }
    control += size;
    (g.is_ihave ? by_kind.ihave : by_kind.iwant) += size;
    if (g.is_ihave) {
      rpc.control.ihave.push_back(std::move(g.ihave));
    } else {
      rpc.control.iwant.push_back(std::move(g.iwant));
    }
    gossip_.pop_front();
  }

  // Messages in arrival order across both lanes. Two big messages never share an RPC whose
  // limit they would exceed together: the second waits for the next poll.
  while (!own_.empty() || !forwarded_.empty()) {
    const bool from_own =
        forwarded_.empty() || (!own_.empty() && own_.front().seq < forwarded_.front().seq);
    auto& lane = from_own ? own_ : forwarded_;
    const std::size_t size = encoded_size(*lane.front().message);
    if (total(size, 0) > max_bytes) {
      if (!is_empty()) break;
      ++out.oversized_messages;
      lane.pop_front();
      continue;
    }
    top_level += size;
    by_kind.messages += size;
    rpc.publish.push_back(std::move(lane.front().message));
    lane.pop_front();
  }
  return finish();
}

}  // namespace waku::relay
