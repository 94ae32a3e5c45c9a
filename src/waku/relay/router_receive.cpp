// Router::State, receiving: subscriptions, published messages through the validation pipeline,
// and the control messages (IHAVE, IWANT, IDONTWANT, GRAFT, PRUNE).
#include <algorithm>

#include "waku/relay/router_state.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::relay {

void Router::State::handle_subscriptions(Instant now, PeerKey key, PeerState& peer,
                                         const std::vector<Subscription>& subscriptions) {
  // A full hello carries at most max_topics_per_peer subscriptions; allow as many changes again.
  const std::size_t limit = std::min(subscriptions.size(), 2 * g.max_topics_per_peer);
  for (std::size_t i = 0; i < limit; ++i) {
    const Subscription& sub = subscriptions[i];
    if (sub.subscribe) {
      std::optional<TopicIndex> t = find_topic(sub.topic);
      if (!t) {
        if (sub.topic.empty() || sub.topic.size() > kMaxTopicBytes ||
            live_topics >= g.max_topics_total) {
          ++stats.unknown_topic_dropped;
          ++peer.unknown_topic_items;
          continue;
        }
        if (peer.topics.size() >= g.max_topics_per_peer) {
          ++stats.unknown_topic_dropped;
          ++peer.unknown_topic_items;
          continue;
        }
        t = intern(sub.topic);
      }
      const auto it = std::lower_bound(peer.topics.begin(), peer.topics.end(), *t);
      if (it != peer.topics.end() && *it == *t) continue;
      if (peer.topics.size() >= g.max_topics_per_peer) {
        ++stats.unknown_topic_dropped;
        ++peer.unknown_topic_items;
        continue;
      }
      peer.topics.insert(it, *t);
      sorted_insert(topics[*t].peers, key);
    } else {
      const std::optional<TopicIndex> t = find_topic(sub.topic);
      if (!t) continue;
      const auto it = std::lower_bound(peer.topics.begin(), peer.topics.end(), *t);
      if (it == peer.topics.end() || *it != *t) continue;
      peer.topics.erase(it);
      sorted_erase(topics[*t].peers, key);
      remove_from_mesh(now, key, peer, *t);
      sorted_erase(topics[*t].fanout, key);
    }
  }
}

void Router::State::handle_message(Instant now, PeerKey key, RelayMessagePtr message) {
  ++stats.messages_received;
  const RelayMessage& m = *message;
  const std::optional<TopicIndex> t = find_topic(m.topic);
  if (!t || !topics[*t].subscribed) {
    ++stats.unknown_topic_dropped;
    if (PeerState* peer = find_peer(key)) ++peer->unknown_topic_items;
    return;
  }
  if (seen.contains(m.id)) {
    // The common case (~5 of 6 receipts): no allocation on this path.
    ++stats.messages_duplicate;
    score.duplicate_message(now, key, m.id, m.topic);
    if (!pending_by_id.empty()) {
      const auto it = pending_by_id.find(m.id);
      if (it != pending_by_id.end()) {
        auto& copies = pending.at(it->second).copies_from;
        if (copies.size() < kMaxCopiesDuringValidation &&
            std::find(copies.begin(), copies.end(), key) == copies.end()) {
          copies.push_back(key);
        }
      }
    }
    return;
  }
  // StrictNoSign violations and oversized data are rejected before the message counts as seen:
  // their id is sha256(data), the same as a well-formed copy's, so marking it seen would let an
  // attacker censor a message by sending a malformed copy first (go-libp2p also checks the
  // signature policy before marking seen). The penalty goes to this sender only.
  if (m.has_author_fields || m.data.size() > g.max_message_size_bytes) {
    ++stats.messages_rejected;
    score.reject_from(now, key, m.topic);
    rescore(now, key);
    return;
  }
  seen.insert(now, m.id);
  ++stats.messages_first_seen;
  if (!promises.empty()) promises.erase(m.id);

  // IDONTWANT before validation (gossipsub v1.2; go Preprocess, nim #1103), never to the sender.
  if (m.data.size() >= g.idontwant_message_size_threshold) {
    for (const PeerKey mesh_key : topics[*t].mesh) {
      if (mesh_key == key) continue;
      PeerState* p = find_peer(mesh_key);
      if (p == nullptr || !accepts_idontwant(*p) || p->slow_disconnect) continue;
      ++stats.idontwant_sent;
      const PeerQueue::PushResult pushed = p->queue.push_idontwant(m.id);
      stats.queue_dropped_idontwant += pushed.dropped;
      after_control_push(mesh_key, *p, pushed);
    }
  }

  // A WakuMessage that does not decode is invalid whoever sends it (nwaku's ordered validator
  // rejects it), so it goes through the tracked reject (P4 for this and concurrent senders).
  const Verdict verdict = m.decoded ? run_validators(now, *t, m) : Verdict::kReject;
  if (verdict == Verdict::kAccept && topics[*t].async_validation) {
    score.validate_message(now, key, m.id, m.topic);  // tracked until the verdict
    start_async(now, key, std::move(message), *t);
    return;
  }
  // Accepted at once: scored in one step, and finish_validation's deliver_message finds nothing
  // left to do. A reject or ignore goes through the tracked steps.
  if (verdict == Verdict::kAccept) {
    score.accept_message(now, key, m.id, m.topic);
  } else {
    score.validate_message(now, key, m.id, m.topic);
  }
  finish_validation(now, key, message, *t, verdict, nullptr);
}

void Router::State::start_async(Instant now, PeerKey key, RelayMessagePtr message, TopicIndex t) {
  if (pending.size() >= g.max_pending_validations) {
    // go-libp2p "validation throttled": dropped without penalty.
    ++stats.validations_throttled;
    ++stats.messages_ignored;
    score.ignore_message(now, message->id, message->topic);
    return;
  }
  const ValidationTicket ticket(next_ticket++);
  pending_by_id.emplace(message->id, ticket.value());
  ++topics[t].refs;
  events.emplace_back(ValidationRequested{ticket, message});
  pending.emplace(ticket.value(), Pending{std::move(message), key, t, {}});
}

void Router::State::finish_validation(Instant now, std::optional<PeerKey> from,
                                      const RelayMessagePtr& message, TopicIndex t, Verdict verdict,
                                      const std::vector<PeerKey>* copies) {
  const RelayMessage& m = *message;
  switch (verdict) {
    case Verdict::kReject:
      ++stats.messages_rejected;
      score.reject_message(now, m.id, m.topic);
      if (from) rescore(now, *from);
      if (copies != nullptr) {
        for (const PeerKey key : *copies) rescore(now, key);
      }
      return;
    case Verdict::kIgnore:
      ++stats.messages_ignored;
      score.ignore_message(now, m.id, m.topic);
      return;
    case Verdict::kAccept: break;
  }
  ++stats.messages_accepted;
  score.deliver_message(now, m.id, m.topic);
  if (mcache.put(message, t)) ++topics[t].refs;
  if (!topics[t].subscribed) return;  // unsubscribed during async validation
  // The handle of the sender even if it has disconnected since (async validation).
  std::optional<PeerHandle> from_handle;
  if (from) from_handle = PeerHandle(*from);
  ++stats.messages_delivered;
  events.emplace_back(MessageDelivered{message, from_handle});
  forward(t, message, from, copies);
}

bool Router::State::excluded(PeerKey key, std::optional<PeerKey> from,
                             const std::vector<PeerKey>* copies) {
  if (from && key == *from) return true;
  return copies != nullptr && std::find(copies->begin(), copies->end(), key) != copies->end();
}

void Router::State::forward(TopicIndex t, const RelayMessagePtr& message,
                            std::optional<PeerKey> from, const std::vector<PeerKey>* copies) {
  const TopicState& ts = topics[t];
  const auto send_to = [&](PeerKey key) {
    if (excluded(key, from, copies)) return;
    PeerState* p = find_peer(key);
    if (p == nullptr) return;
    if (p->dont_send.contains(message->id)) return;
    send_message(key, *p, message, MessageOrigin::kForwarded);
  };
  for (const PeerKey key : ts.mesh) send_to(key);
  for (const PeerKey key : direct_peers) {
    if (sorted_contains(ts.peers, key) && !sorted_contains(ts.mesh, key)) send_to(key);
  }
}

void Router::State::handle_ihave(Instant now, PeerKey key, PeerState& peer,
                                 const std::vector<IHave>& ihaves) {
  if (ihaves.empty()) return;
  stats.ihave_received += ihaves.size();
  if (peer.cached_score < config.thresholds.gossip_threshold) return;
  if (++peer.ihave_rpcs > g.max_ihave_messages) return;
  if (peer.iwant_asked >= g.max_ihave_length) return;
  std::vector<MessageId>& wanted = scratch_ids;
  wanted.clear();
  // Examine a bounded number of entries and ids per RPC however the peer splits them.
  const std::size_t entries = std::min(ihaves.size(), g.max_ihave_length);
  std::size_t budget = g.max_ihave_length + g.max_ids_per_control;
  for (std::size_t e = 0; e < entries && budget > 0; ++e) {
    const IHave& ihave = ihaves[e];
    const std::optional<TopicIndex> t = find_topic(ihave.topic);
    if (!t || !topics[*t].subscribed) continue;
    const std::size_t n = std::min({ihave.ids.size(), g.max_ids_per_control, budget});
    budget -= n;
    // Each probe is a cache miss in a large seen set: start them all, then read them.
    std::vector<std::uint64_t>& fingerprints = scratch_fingerprints;
    fingerprints.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      fingerprints[i] = seen.fingerprint(ihave.ids[i]);
      seen.prefetch_fingerprint(fingerprints[i]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!seen.contains_fingerprint(fingerprints[i])) wanted.push_back(ihave.ids[i]);
    }
  }
  if (wanted.empty()) return;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  rng.shuffle(wanted);
  const std::size_t allowed = g.max_ihave_length - peer.iwant_asked;
  if (wanted.size() > allowed) wanted.resize(allowed);
  peer.iwant_asked += wanted.size();
  // One random id per IWANT is tracked as a promise (gossipsub v1.1 spam protection).
  const MessageId& promised = wanted[static_cast<std::size_t>(rng.uniform(wanted.size()))];
  const Instant deadline = now + g.iwant_followup_time;
  promises[promised].emplace_back(key, deadline);
  promise_order.push_back(Promise{deadline, promised, key});
  IWant iwant{rpc_recycler().take_ids()};
  iwant.ids.assign(wanted.begin(), wanted.end());
  send_iwant(key, peer, std::move(iwant));
}

void Router::State::handle_iwant(PeerKey key, PeerState& peer, const std::vector<IWant>& iwants) {
  if (iwants.empty()) return;
  stats.iwant_received += iwants.size();
  if (peer.cached_score < config.thresholds.gossip_threshold) return;
  const std::size_t entries = std::min(iwants.size(), g.max_ihave_length);
  std::size_t budget = g.max_ihave_length + g.max_ids_per_control;  // ids examined per RPC
  for (std::size_t e = 0; e < entries && budget > 0; ++e) {
    const IWant& iwant = iwants[e];
    const std::size_t n = std::min({iwant.ids.size(), g.max_ids_per_control, budget});
    budget -= n;
    for (std::size_t i = 0; i < n; ++i) {
      const MessageId& id = iwant.ids[i];
      if (peer.dont_send.contains(id)) continue;
      RelayMessagePtr message = mcache.serve(id, key, g.gossip_retransmission);
      if (message) send_message(key, peer, message, MessageOrigin::kForwarded);
    }
  }
}

void Router::State::handle_idontwant(PeerState& peer, const std::vector<IDontWant>& entries) {
  stats.idontwant_received += entries.size();
  for (const IDontWant& entry : entries) {
    if (!handle_idontwant_ids(peer, entry.ids)) return;
  }
}

bool Router::State::handle_idontwant_ids(PeerState& peer, std::span<const MessageId> ids) {
  // Entries without ids cost a unit of the budget too, so the loop is bounded either way.
  if (peer.idontwant_ids >= g.idontwant_max_ids_per_heartbeat) return false;
  if (ids.empty()) ++peer.idontwant_ids;
  const std::size_t n = std::min(ids.size(), g.max_ids_per_control);
  for (std::size_t i = 0; i < n; ++i) {
    if (peer.idontwant_ids >= g.idontwant_max_ids_per_heartbeat) return false;
    ++peer.idontwant_ids;
    if (already_forwarded(ids[i])) continue;
    peer.dont_send.insert(ids[i], heartbeat_ticks);
  }
  return true;
}

void Router::State::handle_graft(Instant now, PeerKey key, PeerState& peer,
                                 const std::vector<Graft>& grafts) {
  const std::size_t limit = std::min(grafts.size(), g.max_topics_per_peer);
  for (std::size_t i = 0; i < limit; ++i) {
    const std::optional<TopicIndex> t = find_topic(grafts[i].topic);
    if (!t) continue;  // unknown topic: ignore silently (v1.1 spam hardening)
    if (!topics[*t].subscribed) {
      // Known, not ours: refuse, without PX (no reason to leak peers to it).
      send_prune(now, key, peer, *t, g.prune_backoff, Px::kNone);
      continue;
    }
    if (sorted_contains(topics[*t].mesh, key)) continue;
    if (peer.direct) {
      send_prune(now, key, peer, *t, g.prune_backoff, Px::kNone);
      continue;
    }
    if (in_backoff(now, *t, key)) {
      // P7 for grafting during the backoff; once more if it comes right after the PRUNE
      // (within graft_flood_threshold of it).
      const Instant backoff_end = topics[*t].backoff.at(key);
      const bool flood = now < backoff_end - g.prune_backoff + g.graft_flood_threshold;
      penalise(now, key, flood ? 2.0 : 1.0);
      set_backoff(*t, key, now + g.prune_backoff);
      send_prune(now, key, peer, *t, g.prune_backoff, Px::kNone);
      continue;
    }
    if (peer_score(now, key) < 0) {
      set_backoff(*t, key, now + g.prune_backoff);
      send_prune(now, key, peer, *t, g.prune_backoff, Px::kNone);
      continue;
    }
    if (topics[*t].mesh.size() >= g.d_high && peer.direction == Direction::kInbound) {
      set_backoff(*t, key, now + g.prune_backoff);
      send_prune(now, key, peer, *t, g.prune_backoff, Px::kInclude);
      continue;
    }
    add_to_mesh(now, key, peer, *t);
  }
}

void Router::State::handle_prune(Instant now, PeerKey key, PeerState& peer,
                                 const std::vector<Prune>& prunes) {
  const std::size_t limit = std::min(prunes.size(), g.max_topics_per_peer);
  for (std::size_t i = 0; i < limit; ++i) {
    const Prune& prune = prunes[i];
    const std::optional<TopicIndex> t = find_topic(prune.topic);
    if (!t) continue;
    remove_from_mesh(now, key, peer, *t);
    Duration backoff = g.prune_backoff;
    if (prune.backoff_seconds && *prune.backoff_seconds > 0) {
      const auto cap = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::seconds>(kMaxPeerBackoff).count());
      backoff = std::chrono::seconds(std::min(*prune.backoff_seconds, cap));
    }
    set_backoff(*t, key, now + backoff);
    if (!prune.peers.empty() && supports_px_and_backoff(peer.protocol) &&
        peer_score(now, key) >= config.thresholds.accept_px_threshold) {
      const std::size_t n = std::min(prune.peers.size(), g.prune_peers);
      events.emplace_back(PeerExchange{
          prune.topic, std::vector<PxPeer>(prune.peers.begin(),
                                           prune.peers.begin() + static_cast<std::ptrdiff_t>(n))});
    }
  }
}

}  // namespace waku::relay
