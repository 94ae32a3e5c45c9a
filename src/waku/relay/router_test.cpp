// Single-router tests in virtual time: protocol ids, configuration, timers, hostile peers,
// randomised robustness and determinism. Mesh and message tests are in router_mesh_test.cpp and
// router_messages_test.cpp; the shared harness in router_test_support.hpp.
#include "waku/relay/router.hpp"

#include <gtest/gtest.h>

#include "waku/relay/router_test_support.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::relay {
namespace {

// --- protocol ids ---

TEST(RouterTest, ProtocolVersionFromId) {
  EXPECT_EQ(protocol_version_from_id("/vac/waku/relay/2.0.0"), ProtocolVersion::kWakuRelay2);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.0.0"), ProtocolVersion::kMeshsub10);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.1.0"), ProtocolVersion::kMeshsub11);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.2.0"), ProtocolVersion::kMeshsub12);
  EXPECT_EQ(protocol_version_from_id("/floodsub/1.0.0"), std::nullopt);
}

// --- config ---

TEST(RouterConfigTest, ProfilesValidateAndDiffer) {
  const auto fleet = RouterConfig::fleet();
  const auto client = RouterConfig::client();
  EXPECT_TRUE(fleet.validate().has_value());
  EXPECT_TRUE(client.validate().has_value());
  EXPECT_EQ(fleet.gossip.d, 6U);
  EXPECT_EQ(fleet.gossip.d_out, 3U);
  EXPECT_EQ(fleet.gossip.d_score, 6U);
  EXPECT_EQ(client.gossip.d, 4U);
  EXPECT_EQ(client.gossip.d_lazy, 4U);
  EXPECT_EQ(client.gossip.d_out, 2U);
  EXPECT_EQ(RouterConfig::profile("client").value().gossip.d, 4U);
  EXPECT_EQ(RouterConfig::profile("bogus").error().code, Errc::kInvalidConfig);
}

TEST(RouterConfigTest, InvalidParametersAreNamed) {
  struct Case {
    void (*mutate)(RouterConfig&);
    std::string_view param;
  };
  const Case cases[] = {
      {[](RouterConfig& c) { c.gossip.d_low = 7; }, "gossip.d_low"},
      {[](RouterConfig& c) { c.gossip.d_high = 5; }, "gossip.d_high"},
      {[](RouterConfig& c) { c.gossip.d_out = 4; }, "gossip.d_out"},
      {[](RouterConfig& c) {
         c.gossip.d = 4;
         c.gossip.d_out = 3;
       },
       "gossip.d_out"},
      {[](RouterConfig& c) { c.gossip.d_score = 9; }, "gossip.d_score"},
      {[](RouterConfig& c) { c.gossip.history_gossip = 7; }, "gossip.history_gossip"},
      {[](RouterConfig& c) { c.gossip.heartbeat_interval = 0s; }, "gossip.heartbeat_interval"},
      {[](RouterConfig& c) { c.gossip.seen_ttl = -1s; }, "gossip.seen_ttl"},
      {[](RouterConfig& c) { c.gossip.gossip_factor = 1.5; }, "gossip.gossip_factor"},
      {[](RouterConfig& c) { c.gossip.max_ihave_length = 0; }, "gossip.max_ihave_length"},
      {[](RouterConfig& c) { c.gossip.peer_queue_max_messages = 0; },
       "gossip.peer_queue_max_messages"},
      {[](RouterConfig& c) { c.gossip.max_transmit_size_bytes = 100; },
       "gossip.max_transmit_size_bytes"},
  };
  for (const auto& c : cases) {
    RouterConfig config = RouterConfig::fleet();
    c.mutate(config);
    auto router = Router::create(config, Rng(1));
    ASSERT_FALSE(router.has_value()) << c.param;
    EXPECT_EQ(router.error().code, Errc::kInvalidConfig);
    EXPECT_TRUE(std::string_view(router.error().context).starts_with(c.param))
        << router.error().context;
  }
  RouterConfig bad_thresholds = RouterConfig::fleet();
  bad_thresholds.thresholds.gossip_threshold = 10.0;  // must be < 0
  EXPECT_FALSE(Router::create(bad_thresholds, Rng(1)).has_value());
  // The shared form validates too.
  EXPECT_FALSE(
      Router::create(std::make_shared<const RouterConfig>(bad_thresholds), Rng(1)).has_value());
}

TEST(RouterConfigTest, RoutersOfOneConfigurationShareIt) {
  const auto config = std::make_shared<const RouterConfig>(RouterConfig::client());
  auto first = Router::create(config, Rng(1));
  auto second = Router::create(config, Rng(2));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(&first->config(), config.get());  // the same object, not a copy
  EXPECT_EQ(&second->config(), config.get());
  const long held = config.use_count();
  first = Router::create(RouterConfig::fleet(), Rng(1));  // drops its share
  EXPECT_LT(config.use_count(), held);
  second = Router::create(RouterConfig::fleet(), Rng(2));
  EXPECT_EQ(config.use_count(), 1);
}

// --- timers ---

TEST(RouterTest, HeartbeatScheduleAndLateHost) {
  Harness h;
  EXPECT_EQ(h.router.poll_timeout(), std::nullopt);
  h.connect(1);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 100ms);
  h.router.handle_timeout(h.now + 50ms);  // early: nothing
  EXPECT_EQ(h.router.heartbeats(), 0U);
  h.router.handle_timeout(h.now + 100ms);
  EXPECT_EQ(h.router.heartbeats(), 1U);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 1100ms);
  // Ten seconds late: one heartbeat, the schedule keeps its phase.
  h.router.handle_timeout(h.now + 11'500ms);
  EXPECT_EQ(h.router.heartbeats(), 2U);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 12'100ms);
}

// --- scoring and hostile peers ---

TEST(RouterTest, GraylistedPeerIgnoredAndDisconnectedOnce) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  for (int i = 0; i < 40; ++i) h.router.handle_rpc_malformed(h.now, P(1));  // 40^2 x -10
  EXPECT_LT(h.router.score(h.now, P(1)), -10000.0);
  h.send_message(1, make_message(kTopic, "ignored"));
  h.send_message(1, make_message(kTopic, "ignored too"));
  EXPECT_EQ(h.router.stats().rpcs_ignored_graylisted, 2U);
  EXPECT_EQ(h.router.stats().messages_received, 0U);
  h.advance(1s);
  const auto events = h.events();
  EXPECT_EQ(count_events<DisconnectPeer>(events), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(events), 0U);
}

TEST(RouterTest, HostilePeerCannotGrowMemoryWithoutBound) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_topics_per_peer = 16;
  config.gossip.max_topics_total = 32;
  config.gossip.idontwant_max_ids_per_heartbeat = 100;
  Harness h(config);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1);
  h.connect(2);
  h.connect(3);
  for (int round = 0; round < 20; ++round) {
    // Subscription floods with ever new topics, then unsubscribing them.
    for (std::uint32_t p = 1; p <= 3; ++p) {
      Rpc subs;
      for (int i = 0; i < 100; ++i) {
        subs.subscriptions.push_back(
            Subscription{true, "/spam/" + std::to_string(round) + "/" + std::to_string(i)});
      }
      h.rpc(p, std::move(subs));
    }
    EXPECT_LE(h.router.sizes().topics, 32U);
    EXPECT_LE(h.router.sizes().peer_topic_entries, 3U * 16U);
    // PRUNEs with very long backoffs for the spam topics must not pin their slots.
    Control pin;
    for (int i = 0; i < 100; ++i) {
      pin.prune.push_back(
          Prune{"/spam/" + std::to_string(round) + "/" + std::to_string(i), {}, 1'000'000'000});
    }
    h.control(1, std::move(pin));
    for (std::uint32_t p = 1; p <= 3; ++p) {
      Rpc unsubs;
      for (int i = 0; i < 100; ++i) {
        unsubs.subscriptions.push_back(
            Subscription{false, "/spam/" + std::to_string(round) + "/" + std::to_string(i)});
      }
      h.rpc(p, std::move(unsubs));
    }
    // IHAVE floods with unseen ids, IDONTWANT floods, GRAFT/PRUNE for unknown topics.
    Control c;
    for (int e = 0; e < 20; ++e) {
      IHave ihave{std::string(kTopic), {}};
      for (int i = 0; i < 1000; ++i) ihave.ids.push_back(id_of(round * 100'000 + e * 1000 + i));
      c.ihave.push_back(std::move(ihave));
    }
    IDontWant dont;
    for (int i = 0; i < 1000; ++i) dont.ids.push_back(id_of(-i - round * 1000));
    c.idontwant.push_back(std::move(dont));
    c.graft.push_back(Graft{"/unknown/" + std::to_string(round)});
    c.prune.push_back(Prune{"/unknown/" + std::to_string(round), {}, 1'000'000'000});
    h.control(1, std::move(c));
    h.router.handle_rpc_malformed(h.now, P(2));
    h.advance(1s);
    h.drain();
    h.events();
    const auto sizes = h.router.sizes();
    EXPECT_LE(sizes.idontwant_ids, 100U * 3U);  // per-heartbeat cap x ttl
    EXPECT_LE(sizes.promises, 10U * 3U);        // <= one per IHAVE RPC within followup
    EXPECT_LE(sizes.queued_gossip, 3U * 64U);
  }
  // Each heartbeat the IWANT budget caps what we ask: 5000 ids per heartbeat.
  EXPECT_LE(h.router.stats().iwant_sent, 20U);
  EXPECT_GT(h.router.stats().unknown_topic_dropped, 0U);
  // Topics released once nobody refers to them: only ours remains (and maybe the last round's).
  EXPECT_LE(h.router.sizes().topics, 1U);
  // Malformed RPCs pushed peer 2's score down.
  EXPECT_LT(h.router.score(h.now, P(2)), -100.0);
}

// --- randomised robustness: hostile and benign inputs in any order ---

struct Chaos {
  RouterStats stats;
  std::vector<std::uint32_t> mesh;
};

Chaos run_chaos(std::uint64_t seed) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_pending_validations = 8;
  config.gossip.peer_queue_max_control = 64;
  config.gossip.max_topics_total = 8;
  Harness h(config, seed);
  h.router.enable_async_validation(std::string(kOther));
  Rng rng(seed);
  const std::string topics[] = {std::string(kTopic), std::string(kOther), "/a", "/b", "/c"};
  const auto topic = [&] { return topics[rng.uniform(5)]; };
  std::vector<RelayMessagePtr> messages;
  for (int i = 0; i < 400; ++i) {
    messages.push_back(make_message(topics[i % 2], std::to_string(i), i % 3 == 0 ? 1500 : 10));
  }
  const auto any_message = [&] { return messages[rng.uniform(messages.size())]; };
  std::vector<ValidationTicket> tickets;
  std::vector<bool> connected(21, false);
  for (int step = 0; step < 3000; ++step) {
    const auto peer = static_cast<std::uint32_t>(1 + rng.uniform(20));
    switch (rng.uniform(18)) {
      case 0:
        if (!connected[peer]) {
          h.connect(peer, rng.bernoulli(0.5) ? Direction::kInbound : Direction::kOutbound,
                    static_cast<ProtocolVersion>(rng.uniform(4)),
                    rng.bernoulli(0.1) ? PeeringKind::kDirect : PeeringKind::kRegular);
          connected[peer] = true;
        }
        break;
      case 1:
        h.router.handle_peer_disconnected(h.now, P(peer));
        connected[peer] = false;
        break;
      case 2: {
        Rpc r;
        r.subscriptions.push_back(Subscription{rng.bernoulli(0.7), topic()});
        h.rpc(peer, std::move(r));
        break;
      }
      case 3: h.control(peer, make_control<&Control::graft>({Graft{topic()}})); break;
      case 4:
        h.control(peer, make_control<&Control::prune>({Prune{topic(), {}, rng.uniform(100)}}));
        break;
      case 5:
        h.control(peer, make_control<&Control::ihave>(
                            {IHave{topic(), {any_message()->id, id_of(step)}}}));
        break;
      case 6: h.control(peer, make_control<&Control::iwant>({IWant{{any_message()->id}}})); break;
      case 7:
        h.control(peer, make_control<&Control::idontwant>({IDontWant{{any_message()->id}}}));
        break;
      case 8:
      case 14:
      case 15:
      case 16:
      case 17: {
        auto m = any_message();
        if (rng.bernoulli(0.1)) {
          auto bad = std::make_shared<RelayMessage>(*m);
          bad->has_author_fields = true;
          m = bad;
        }
        h.send_message(peer, m);
        break;
      }
      case 9: (void)h.router.publish(h.now, any_message()); break;
      case 10:
        if (rng.bernoulli(0.8)) {
          (void)h.router.subscribe(h.now, topic());
        } else {
          (void)h.router.unsubscribe(h.now, topic());
        }
        break;
      case 11:
        h.router.handle_send_window(h.now, P(peer),
                                    rng.bernoulli(0.5) ? SendWindow::kBlocked : SendWindow::kOpen);
        break;
      case 12:
        if (!tickets.empty()) {
          const auto i = rng.uniform(tickets.size());
          h.router.handle_validation_result(h.now, tickets[i],
                                            static_cast<Verdict>(rng.uniform(3)));
          tickets.erase(tickets.begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      case 13:
        if (rng.bernoulli(0.2)) h.router.handle_rpc_malformed(h.now, P(peer));
        h.advance(std::chrono::milliseconds(rng.uniform(1500)));
        break;
      default: break;
    }
    h.drain();
    for (auto& e : h.events()) {
      if (const auto* v = std::get_if<ValidationRequested>(&e)) tickets.push_back(v->ticket);
    }
    for (const auto& t : topics) {
      const auto mesh = h.router.mesh_peers(t);
      EXPECT_TRUE(std::is_sorted(mesh.begin(), mesh.end()));
      for (const auto p : mesh) EXPECT_TRUE(connected[p.value()]) << step;
    }
    const auto sizes = h.router.sizes();
    EXPECT_LE(sizes.pending_validations, 8U);
    EXPECT_LE(sizes.topics, 8U + 5U);  // peers' topics are capped; ours are not
  }
  Chaos out{h.router.stats(), {}};
  for (const auto p : h.router.mesh_peers(kTopic)) out.mesh.push_back(p.value());
  return out;
}

TEST(RouterTest, RandomisedInputsKeepInvariantsAndReplay) {
  const Chaos a = run_chaos(11);
  const Chaos b = run_chaos(11);
  EXPECT_GT(a.stats.messages_first_seen, 50U);
  EXPECT_GT(a.stats.messages_duplicate, 50U);
  EXPECT_GT(a.stats.ihave_sent, 0U);
  EXPECT_GT(a.stats.graft_sent + a.stats.prune_sent, 0U);
  EXPECT_EQ(a.mesh, b.mesh);
  EXPECT_EQ(a.stats.messages_forwarded, b.stats.messages_forwarded);
  EXPECT_EQ(a.stats.ihave_sent, b.stats.ihave_sent);
  EXPECT_EQ(a.stats.messages_delivered, b.stats.messages_delivered);
}

// --- determinism ---

TEST(RouterTest, SameSeedSameOutputs) {
  const auto run = [](std::uint64_t seed) {
    Harness h(RouterConfig::fleet(), seed);
    h.peers(1, 20);
    EXPECT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
    for (int i = 0; i < 5; ++i) {
      h.send_message(1 + i, make_message(kTopic, "m" + std::to_string(i)));
      h.advance(1s);
    }
    std::vector<std::uint32_t> trace;
    for (const auto& t : h.drain()) {
      trace.push_back(t.peer.value());
      trace.push_back(static_cast<std::uint32_t>(estimated_rpc_size(t.rpc)));
    }
    for (const auto p : h.router.mesh_peers(kTopic)) trace.push_back(p.value());
    return trace;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// --- unknown-topic floods show in the sender's score ---

TEST(RouterTest, UnknownTopicFloodsArePenalisedButRacesAreNot) {
  Harness h(RouterConfig::fleet());
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1);
  h.connect(2);
  // Peer 1 floods messages on a topic we do not subscribe to; peer 2 sends a few, as an honest
  // peer may right after we unsubscribe.
  Rpc flood;
  for (int i = 0; i < 200; ++i)
    flood.publish.push_back(make_message(kOther, std::to_string(i), 10));
  h.rpc(1, std::move(flood));
  Rpc race;
  for (int i = 0; i < 3; ++i)
    race.publish.push_back(make_message(kOther, "r" + std::to_string(i), 10));
  h.rpc(2, std::move(race));
  h.advance(1s);
  // One P7 penalty of 1 with weight -10: -10 (minus nothing else: no mesh time or deliveries).
  EXPECT_DOUBLE_EQ(h.router.score(h.now, P(1)), -10.0);
  EXPECT_DOUBLE_EQ(h.router.score(h.now, P(2)), 0.0);
  EXPECT_GE(h.router.stats().unknown_topic_dropped, 203U);
  EXPECT_EQ(h.router.stats().messages_delivered, 0U);
}

// --- the in-place API gives what the value API gives ---

TEST(RouterTest, InPlaceReceiveAndTransmitMatchTheValueApi) {
  const auto run = [](bool in_place) {
    Harness h(RouterConfig::fleet(), 5);
    h.peers(1, 12);
    EXPECT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
    h.advance(2s);
    h.flush();
    std::vector<std::pair<std::uint32_t, std::size_t>> trace;  // (peer, RPC size) per transmit
    Rpc slot;
    for (int i = 0; i < 6; ++i) {
      Rpc rpc;
      rpc.publish.push_back(make_message(kTopic, "m" + std::to_string(i), 500));
      rpc.control.idontwant.push_back(IDontWant{{id_of(i)}});
      if (in_place) {
        h.router.handle_rpc_in_place(h.now, P(1 + i), rpc);
        EXPECT_TRUE(rpc.empty());  // consumed; the vectors are left for the next RPC
        EXPECT_GT(rpc.publish.capacity(), 0U);
        while (const auto peer = h.router.poll_transmit_into(slot)) {
          trace.emplace_back(peer->value(), estimated_rpc_size(slot));
          rpc_recycler().clear(slot);
        }
        EXPECT_TRUE(slot.empty());  // left alone when nothing is ready
      } else {
        h.router.handle_rpc(h.now, P(1 + i), std::move(rpc));
        for (const Transmit& t : h.drain()) {
          trace.emplace_back(t.peer.value(), estimated_rpc_size(t.rpc));
        }
      }
      h.advance(100ms);
    }
    return trace;
  };
  const auto by_value = run(false);
  EXPECT_GT(by_value.size(), 6U);
  EXPECT_EQ(run(true), by_value);
}

}  // namespace
}  // namespace waku::relay
