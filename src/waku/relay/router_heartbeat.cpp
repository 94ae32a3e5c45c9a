// Router::State, the heartbeat: mesh maintenance (gossipsub v1.1 order, as go-libp2p), fanout,
// gossip emission, promise and backoff expiry, cache shifts; and JOIN.
#include <algorithm>
#include <span>

#include "waku/relay/router_state.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::relay {

void Router::State::release_idle_topics() {
  for (TopicIndex t = 0; t < topics.size(); ++t) {
    TopicState& ts = topics[t];
    if (!ts.live || ts.subscribed || ts.has_fanout || !ts.peers.empty() || !ts.mesh.empty() ||
        ts.refs != 0) {
      continue;
    }
    topic_index.erase(ts.name);
    recent_topics.clear();
    ts = TopicState{};
    free_topics.push_back(t);
    --live_topics;
  }
}

void Router::State::join(Instant now, TopicIndex t) {
  std::vector<PeerKey> chosen;
  {
    TopicState& ts = topics[t];
    if (ts.has_fanout) {
      std::vector<PeerKey> from_fanout;
      for (const PeerKey key : ts.fanout) {
        const PeerState* p = find_peer(key);
        if (p != nullptr && !p->direct && peer_score(now, key) >= 0) from_fanout.push_back(key);
      }
      chosen = rng.sample(from_fanout, g.d);
      ts.has_fanout = false;
      ts.fanout.clear();
    }
  }
  if (chosen.size() < g.d) {
    std::vector<PeerKey> candidates;
    for (const PeerKey key : topics[t].peers) {
      const PeerState* p = find_peer(key);
      if (p == nullptr || p->direct || graft_blocked(now, t, key)) continue;
      if (std::find(chosen.begin(), chosen.end(), key) != chosen.end()) continue;
      if (peer_score(now, key) < 0) continue;
      candidates.push_back(key);
    }
    for (const PeerKey key : rng.sample(candidates, g.d - chosen.size())) chosen.push_back(key);
  }
  for (const PeerKey key : chosen) graft(now, key, peers.at(key), t);
}

template <typename Accept>
std::vector<PeerKey> Router::State::graft_candidates(Instant now, TopicIndex t,
                                                     const std::vector<PeerKey>& exclude,
                                                     Accept&& accept) {
  std::vector<PeerKey> out;
  for (const PeerKey key : topics[t].peers) {
    if (sorted_contains(exclude, key) || graft_blocked(now, t, key)) continue;
    const PeerState& p = peers.at(key);
    if (p.direct || !accept(key, p)) continue;
    out.push_back(key);
  }
  return out;
}

void Router::State::graft_sample(Instant now, TopicIndex t, const std::vector<PeerKey>& candidates,
                                 std::size_t count) {
  for (const PeerKey key : rng.sample(candidates, count)) graft(now, key, peers.at(key), t);
}

std::size_t Router::State::count_outbound(const std::vector<PeerKey>& keys) const {
  std::size_t n = 0;
  for (const PeerKey key : keys) {
    if (peers.at(key).direction == Direction::kOutbound) ++n;
  }
  return n;
}

void Router::State::maintain_mesh(Instant now, TopicIndex t) {
  // 1. Negative-score peers leave the mesh (no PX).
  scratch_peers = topics[t].mesh;
  for (const PeerKey key : scratch_peers) {
    if (hb_score(key) < 0) {
      prune_peer(now, key, peers.at(key), t, g.prune_backoff, Px::kNone);
    }
  }
  // 2. Too few: graft up to D among non-negative peers.
  if (topics[t].mesh.size() < g.d_low) {
    const auto candidates = graft_candidates(
        now, t, topics[t].mesh, [&](PeerKey key, auto&) { return hb_score(key) >= 0; });
    graft_sample(now, t, candidates, g.d - topics[t].mesh.size());
  }
  // 3. Too many: keep the best d_score by score, random others up to D, at least d_out
  // outbound; prune the rest (with PX).
  if (topics[t].mesh.size() > g.d_high) {
    std::vector<PeerKey> order = topics[t].mesh;
    rng.shuffle(order);  // ties in score are broken at random
    std::stable_sort(order.begin(), order.end(),
                     [&](PeerKey a, PeerKey b) { return hb_score(a) > hb_score(b); });
    const std::size_t keep_by_score = std::min(g.d_score, order.size());
    rng.shuffle(std::span<PeerKey>(order).subspan(keep_by_score));
    std::vector<PeerKey> kept(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(g.d));
    std::vector<PeerKey> rest(order.begin() + static_cast<std::ptrdiff_t>(g.d), order.end());
    std::size_t outbound = count_outbound(kept);
    // Swap outbound peers from the rest for the last inbound peers kept.
    std::size_t from_rest = 0;
    std::size_t victim = kept.size();
    while (outbound < g.d_out) {
      while (from_rest < rest.size() &&
             peers.at(rest[from_rest]).direction != Direction::kOutbound) {
        ++from_rest;
      }
      while (victim > 0 && peers.at(kept[victim - 1]).direction == Direction::kOutbound) {
        --victim;
      }
      if (from_rest >= rest.size() || victim == 0) break;
      std::swap(rest[from_rest], kept[victim - 1]);
      --victim;
      ++from_rest;
      ++outbound;
    }
    std::sort(rest.begin(), rest.end());
    for (const PeerKey key : rest) {
      prune_peer(now, key, peers.at(key), t, g.prune_backoff, Px::kInclude);
    }
  }
  // 4. Enough peers but too few outbound: graft outbound ones.
  if (topics[t].mesh.size() >= g.d_low) {
    const std::size_t outbound = count_outbound(topics[t].mesh);
    if (outbound < g.d_out) {
      const auto candidates =
          graft_candidates(now, t, topics[t].mesh, [&](PeerKey key, const PeerState& p) {
            return p.direction == Direction::kOutbound && hb_score(key) >= 0;
          });
      graft_sample(now, t, candidates, g.d_out - outbound);
    }
  }
  // 5. Opportunistic grafting when the mesh's median score is low.
  if (heartbeat_ticks % g.opportunistic_graft_ticks == 0 && topics[t].mesh.size() > 1) {
    std::vector<double> scores;
    for (const PeerKey key : topics[t].mesh) scores.push_back(hb_score(key));
    std::sort(scores.begin(), scores.end());
    const double median = scores[scores.size() / 2];
    if (median < config.thresholds.opportunistic_graft_threshold) {
      const auto candidates = graft_candidates(
          now, t, topics[t].mesh, [&](PeerKey key, auto&) { return hb_score(key) > median; });
      graft_sample(now, t, candidates, g.opportunistic_graft_peers);
    }
  }
}

void Router::State::emit_gossip(TopicIndex t, const std::vector<PeerKey>& exclude) {
  std::vector<MessageId>& ids = scratch_ids;
  ids.clear();
  mcache.gossip_ids(t, ids);
  if (ids.empty()) return;
  std::vector<PeerKey>& candidates = scratch_candidates;
  candidates.clear();
  for (const PeerKey key : topics[t].peers) {
    if (sorted_contains(exclude, key)) continue;
    const PeerState& p = peers.at(key);
    if (p.direct || p.cached_score < config.thresholds.gossip_threshold) continue;
    candidates.push_back(key);
  }
  if (candidates.empty()) return;
  const auto by_factor =
      static_cast<std::size_t>(g.gossip_factor * static_cast<double>(candidates.size()));
  const std::size_t target = std::max(g.d_lazy, by_factor);
  rng.shuffle(ids);
  rng.sample_in_place(candidates, target);
  for (const PeerKey key : candidates) {
    IHave ihave = rpc_recycler().take_ihave();
    ihave.topic = topics[t].name;
    if (ids.size() > g.max_ihave_length) {
      // Each peer gets a different random subset (go-libp2p emitGossip).
      rng.shuffle(ids);
      ihave.ids.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(g.max_ihave_length));
    } else {
      ihave.ids.assign(ids.begin(), ids.end());
    }
    send_ihave(key, peers.at(key), std::move(ihave));
  }
}

void Router::State::heartbeat(Instant now) {
  ++heartbeat_ticks;
  score.refresh(now);
  for (auto& [key, peer] : peers) {
    if (peer.unknown_topic_items > g.unknown_topic_allowance_per_heartbeat) {
      penalise(now, key, 1.0);
    }
    peer.unknown_topic_items = 0;
    peer.ihave_rpcs = 0;
    peer.iwant_asked = 0;
    peer.idontwant_ids = 0;
    if (heartbeat_ticks >= g.idontwant_ttl_heartbeats) {
      peer.dont_send.expire_through(heartbeat_ticks - g.idontwant_ttl_heartbeats);
    }
    peer.cached_score = peer_score(now, key);
    if (peer.cached_score < config.thresholds.graylist_threshold) {
      maybe_disconnect_graylisted(peer);  // nwaku disconnectBadPeers = true
    }
  }
  // Broken IWANT promises: P7 once per promise.
  while (!promise_order.empty() && promise_order.front().deadline <= now) {
    const Promise promise = promise_order.front();
    promise_order.pop_front();
    const auto it = promises.find(promise.id);
    if (it == promises.end()) continue;  // fulfilled
    auto& waiting = it->second;
    const auto entry =
        std::find(waiting.begin(), waiting.end(), std::make_pair(promise.peer, promise.deadline));
    if (entry == waiting.end()) continue;
    waiting.erase(entry);
    if (waiting.empty()) promises.erase(it);
    if (peers.contains(promise.peer)) {
      ++stats.broken_promises;
      penalise(now, promise.peer, 1.0);
    }
  }
  // Expired backoffs (after the slack, so graft_blocked still sees them until then).
  for (TopicState& ts : topics) {
    if (!ts.live) continue;
    std::erase_if(ts.backoff, [&](const auto& entry) {
      return entry.second + g.backoff_slack + g.heartbeat_interval <= now;
    });
  }
  for (TopicIndex t = 0; t < topics.size(); ++t) {
    if (!topics[t].live || !topics[t].subscribed) continue;
    maintain_mesh(now, t);
    scratch_peers = topics[t].mesh;
    emit_gossip(t, scratch_peers);
  }
  for (TopicIndex t = 0; t < topics.size(); ++t) {
    TopicState& ts = topics[t];
    if (!ts.live || !ts.has_fanout) continue;
    if (ts.fanout_last_publish + g.fanout_ttl < now) {
      ts.has_fanout = false;
      ts.fanout.clear();
      continue;
    }
    std::erase_if(ts.fanout, [&](PeerKey key) {
      return !sorted_contains(ts.peers, key) || hb_score(key) < config.thresholds.publish_threshold;
    });
    if (ts.fanout.size() < g.d) {
      std::vector<PeerKey> candidates;
      for (const PeerKey key : ts.peers) {
        if (sorted_contains(ts.fanout, key) || peers.at(key).direct) continue;
        if (hb_score(key) < config.thresholds.publish_threshold) continue;
        candidates.push_back(key);
      }
      for (const PeerKey key : rng.sample(candidates, g.d - ts.fanout.size())) {
        sorted_insert(topics[t].fanout, key);
      }
    }
    scratch_peers = topics[t].fanout;
    emit_gossip(t, scratch_peers);
  }
  mcache.shift([&](TopicIndex t) { --topics[t].refs; });
  seen.expire(now);
  release_idle_topics();
}

}  // namespace waku::relay
