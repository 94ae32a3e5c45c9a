// Single-router tests in virtual time: forwarding and validation, publishing, gossip (IHAVE,
// IWANT, promises) and the per-peer output queues.
#include <gtest/gtest.h>

#include "waku/relay/router.hpp"
#include "waku/relay/router_test_support.hpp"

namespace waku::relay {
namespace {

// --- messages ---

TEST(RouterTest, ForwardsToMeshExceptSenderAndIdontwantPeers) {
  Harness h;
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 4U);
  h.flush();
  const auto msg = make_message(kTopic, "hello", 2000);
  // Peer 3 already told us it has the message.
  h.control(3, make_control<&Control::idontwant>({IDontWant{{msg->id}}}));
  h.send_message(1, msg);
  const Sent sent(h.drain());
  EXPECT_EQ(sent.messages(1), 0U);  // sender
  EXPECT_EQ(sent.messages(2), 1U);
  EXPECT_EQ(sent.messages(3), 0U);  // IDONTWANT
  EXPECT_EQ(sent.messages(4), 1U);
  // IDONTWANT (>= 1024 bytes) to the mesh except the sender.
  EXPECT_EQ(sent.idontwants(1), 0U);
  EXPECT_EQ(sent.idontwants(2), 1U);
  EXPECT_EQ(sent.idontwants(4), 1U);
  // Shared, never copied (the copy follows the IDONTWANT RPC).
  EXPECT_EQ(sent.by_peer.at(2)[1].publish[0].get(), msg.get());
  const auto events = h.events();
  ASSERT_EQ(count_events<MessageDelivered>(events), 1U);
  const auto& delivered = std::get<MessageDelivered>(events[0]);
  EXPECT_EQ(delivered.from, P(1));
  EXPECT_EQ(h.router.stats().messages_forwarded, 2U);
}

TEST(RouterTest, EveryMeshPeersIdontwantLeavesBeforeAnyForwardedCopy) {
  Harness h;
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 4U);
  h.flush();
  h.send_message(1, make_message(kTopic, "large", 2000));
  const std::vector<Transmit> order = h.drain();
  // Peers 2, 3 and 4 each get an IDONTWANT RPC and then the copy; all IDONTWANTs go first, so a
  // copy's serialisation never delays another peer's IDONTWANT.
  ASSERT_EQ(order.size(), 6U);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Rpc& rpc = order[i].rpc;
    const bool urgent = i < 3;
    EXPECT_EQ(rpc.control.idontwant.size(), urgent ? 1U : 0U) << i;
    EXPECT_EQ(rpc.publish.size(), urgent ? 0U : 1U) << i;
    EXPECT_EQ(order[i].peer, P(static_cast<std::uint32_t>(2 + i % 3))) << i;
  }
}

TEST(RouterTest, IdontwantExpiresAfterTtlHeartbeats) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto msg = make_message(kTopic, "later", 2000);
  h.control(2, make_control<&Control::idontwant>({IDontWant{{msg->id, id_of(1)}}}));
  EXPECT_EQ(h.router.sizes().idontwant_ids, 2U);
  h.advance(2s);  // heartbeats at 0.1 s and 1.1 s
  EXPECT_EQ(h.router.sizes().idontwant_ids, 2U);
  h.advance(1s);  // third heartbeat: idontwant_ttl_heartbeats = 3
  EXPECT_EQ(h.router.sizes().idontwant_ids, 0U);
  h.flush();
  h.send_message(1, msg);
  EXPECT_EQ(Sent(h.drain()).messages(2), 1U);
}

TEST(RouterTest, SmallMessagesGetNoIdontwantAndOldProtocolsNone) {
  Harness h;
  h.peers(1, 2);
  h.connect(3, Direction::kOutbound, ProtocolVersion::kMeshsub11);
  h.peer_subscribes(3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.send_message(1, make_message(kTopic, "small", 100));
  h.send_message(1, make_message(kTopic, "large", 4000));
  const Sent sent(h.drain());
  EXPECT_EQ(sent.idontwants(2), 1U);  // only the large one
  EXPECT_EQ(sent.idontwants(3), 0U);  // /meshsub/1.1.0 has no IDONTWANT
  EXPECT_EQ(sent.messages(3), 2U);
}

TEST(RouterTest, DuplicateNotDeliveredTwice) {
  Harness h;
  h.peers(1, 3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "once");
  h.send_message(1, msg);
  h.send_message(2, msg);
  h.send_message(3, msg);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
  const auto& stats = h.router.stats();
  EXPECT_EQ(stats.messages_received, 3U);
  EXPECT_EQ(stats.messages_duplicate, 2U);
  EXPECT_EQ(stats.messages_first_seen, 1U);
  EXPECT_EQ(stats.messages_delivered, 1U);
}

TEST(RouterTest, MessagesForUnsubscribedTopicsDropped) {
  Harness h;
  h.peers(1, 1);
  h.send_message(1, make_message(kTopic, "x"));
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().unknown_topic_dropped, 1U);
}

TEST(RouterTest, RejectsLowerSenderScoreAndAreNotForwarded) {
  RouterConfig config = RouterConfig::fleet();
  config.unix_time_at_origin = UnixNanos{1'700'000'000'000'000'000};
  Harness h(config);
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  auto validator = std::make_unique<RejectAll>();
  validator->verdict = Verdict::kAccept;
  RejectAll* v = validator.get();
  h.router.add_validator(std::string(kTopic), std::move(validator));
  h.flush();

  auto authored = std::make_shared<RelayMessage>(*make_message(kTopic, "author"));
  authored->has_author_fields = true;
  h.send_message(1, authored);
  auto undecodable = std::make_shared<RelayMessage>(*make_message(kTopic, "garbage"));
  undecodable->decoded.reset();
  h.send_message(2, undecodable);
  v->verdict = Verdict::kReject;
  h.send_message(3, make_message(kTopic, "refused"));

  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 4; ++p) EXPECT_EQ(sent.messages(p), 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().messages_rejected, 3U);
  for (std::uint32_t p = 1; p <= 3; ++p) {
    EXPECT_LE(h.router.score(h.now, P(p)), -100.0) << p;  // P4: 1^2 x -100
  }
  EXPECT_GE(h.router.score(h.now, P(4)), 0.0);
  // The author-field copy did not mark the id seen: a clean copy of the same data is accepted.
  auto clean = std::make_shared<RelayMessage>(*authored);
  clean->has_author_fields = false;
  v->verdict = Verdict::kAccept;
  h.send_message(4, clean);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
  // unix_now = unix_time_at_origin + (now - origin).
  EXPECT_EQ(v->last_unix_now.value,
            1'700'000'000'000'000'000 + (h.now - Instant::origin()).count());
}

TEST(RouterTest, IgnoredMessagesNotPenalisedNorForwarded) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  auto validator = std::make_unique<RejectAll>();
  validator->verdict = Verdict::kIgnore;
  h.router.add_validator("", std::move(validator));
  h.flush();
  h.send_message(1, make_message(kTopic, "meh"));
  EXPECT_EQ(Sent(h.drain()).messages(2), 0U);
  EXPECT_EQ(h.router.stats().messages_ignored, 1U);
  EXPECT_GE(h.router.score(h.now, P(1)), 0.0);
}

TEST(RouterTest, AsyncValidationTicketFlowAndThrottling) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_pending_validations = 2;
  Harness h(config);
  h.peers(1, 3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.router.enable_async_validation(std::string(kTopic));
  h.flush();
  const auto a = make_message(kTopic, "a");
  const auto b = make_message(kTopic, "b");
  h.send_message(1, a);
  h.send_message(1, b);
  h.send_message(2, a);                          // a copy while `a` is being validated
  h.send_message(1, make_message(kTopic, "c"));  // throttled
  EXPECT_EQ(h.router.stats().validations_throttled, 1U);
  EXPECT_EQ(h.router.sizes().pending_validations, 2U);
  EXPECT_TRUE(h.drain().empty());  // nothing forwarded before the verdict
  const auto events = h.events();
  ASSERT_EQ(events.size(), 2U);
  const auto ta = std::get<ValidationRequested>(events[0]);
  const auto tb = std::get<ValidationRequested>(events[1]);
  EXPECT_EQ(ta.message->id, a->id);
  EXPECT_NE(ta.ticket, tb.ticket);

  h.router.handle_validation_result(h.now, ta.ticket, Verdict::kAccept);
  const Sent sent(h.drain());
  EXPECT_EQ(sent.messages(1), 0U);  // sender
  EXPECT_EQ(sent.messages(2), 0U);  // sent a copy during validation
  EXPECT_EQ(sent.messages(3), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);

  h.router.handle_validation_result(h.now, tb.ticket, Verdict::kReject);
  h.router.handle_validation_result(h.now, tb.ticket, Verdict::kAccept);  // stale: ignored
  EXPECT_TRUE(h.drain().empty());
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.sizes().pending_validations, 0U);
  // P4 for `b` (-100) outweighs P2 for `a` (+1).
  EXPECT_LE(h.router.score(h.now, P(1)), -99.0);
}

// --- publishing ---

TEST(RouterTest, FloodPublishReachesAllTopicPeersAndDeliversLocally) {
  Harness h;
  h.peers(1, 10);
  h.peers(11, 12, kOther);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "mine");
  const auto outcome = h.router.publish(h.now, msg);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->id, msg->id);
  EXPECT_EQ(outcome->peers, 10U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 10; ++p) EXPECT_EQ(sent.messages(p), 1U);
  EXPECT_EQ(sent.messages(11), 0U);
  const auto events = h.events();
  ASSERT_EQ(count_events<MessageDelivered>(events), 1U);
  EXPECT_EQ(std::get<MessageDelivered>(events[0]).from, std::nullopt);
  EXPECT_EQ(h.router.publish(h.now, msg).error().code, Errc::kDuplicate);
  // A received copy of our own message is a duplicate.
  h.send_message(1, msg);
  EXPECT_EQ(h.router.stats().messages_duplicate, 1U);
}

TEST(RouterTest, PublishingWithoutPeersRecordsNothingSoTheSameMessageCanBeRetried) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "early");
  const auto alone = h.router.publish(h.now, msg);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ(alone->peers, 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().messages_published, 0U);
  EXPECT_EQ(h.router.sizes().seen_ids, 0U);
  EXPECT_EQ(h.router.sizes().mcache_messages, 0U);

  h.peers(1, 3);
  h.flush();
  const auto retried = h.router.publish(h.now, msg);  // the same bytes, now that peers are here
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->peers, 3U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 3; ++p) EXPECT_EQ(sent.messages(p), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
}

TEST(RouterTest, PublishChecksShapeSizeAndValidators) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_message_size_bytes = 1000;
  Harness h(config);
  EXPECT_EQ(h.router.publish(h.now, make_message(kTopic, "big", 1001)).error().code,
            Errc::kTooLarge);
  auto undecodable = std::make_shared<RelayMessage>(*make_message(kTopic, "x"));
  undecodable->decoded.reset();
  EXPECT_EQ(h.router.publish(h.now, undecodable).error().code, Errc::kInvalidMessage);
  h.router.add_validator(std::string(kTopic), std::make_unique<RejectAll>());
  EXPECT_EQ(h.router.publish(h.now, make_message(kTopic, "no")).error().code,
            Errc::kInvalidMessage);
  EXPECT_TRUE(h.router.publish(h.now, make_message(kOther, "yes")).has_value());
}

TEST(RouterTest, FanoutWhenPublishingUnsubscribedAndItsExpiry) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.flood_publish = false;
  Harness h(config);
  h.peers(1, 10);
  h.flush();
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m1")).has_value());
  const auto fanout = h.router.fanout_peers(kTopic);
  ASSERT_EQ(fanout.size(), 6U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 10; ++p)
    EXPECT_EQ(sent.messages(p), contains(fanout, p) ? 1U : 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);  // not subscribed
  // The same fanout is reused while it lives.
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m2")).has_value());
  EXPECT_EQ(h.router.fanout_peers(kTopic), fanout);
  // A fanout peer leaving is replaced at the heartbeat.
  h.router.handle_peer_disconnected(h.now, fanout[0]);
  h.advance(1s);
  EXPECT_EQ(h.router.fanout_peers(kTopic).size(), 6U);
  EXPECT_FALSE(contains(h.router.fanout_peers(kTopic), fanout[0].value()));
  // Expiry 60 s after the last publication.
  h.advance(59s);
  EXPECT_EQ(h.router.fanout_peers(kTopic).size(), 6U);
  h.advance(2s);
  EXPECT_TRUE(h.router.fanout_peers(kTopic).empty());
}

TEST(RouterTest, JoinTakesFanoutPeersFirst) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.flood_publish = false;
  Harness h(config);
  h.peers(1, 12);
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m")).has_value());
  const auto fanout = h.router.fanout_peers(kTopic);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  EXPECT_EQ(h.router.mesh_peers(kTopic), fanout);
  EXPECT_TRUE(h.router.fanout_peers(kTopic).empty());
}

// --- gossip ---

TEST(RouterTest, EmitsIHaveToNonMeshPeers) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 10);
  h.advance(1s);  // mesh of 6
  const auto mesh = h.router.mesh_peers(kTopic);
  ASSERT_EQ(mesh.size(), 6U);
  const auto msg = make_message(kTopic, "gossip me");
  ASSERT_TRUE(h.router.publish(h.now, msg).has_value());
  h.flush();
  h.advance(1s);
  const Sent sent(h.drain());
  std::size_t ihaves = 0;
  for (std::uint32_t p = 1; p <= 10; ++p) {
    const std::size_t n = sent.count(p, [&](const Rpc& r) {
      std::size_t k = 0;
      for (const auto& e : r.control.ihave) {
        EXPECT_EQ(e.topic, kTopic);
        EXPECT_EQ(e.ids, std::vector<MessageId>{msg->id});
        ++k;
      }
      return k;
    });
    if (contains(mesh, p)) {
      EXPECT_EQ(n, 0U) << p;
    }
    ihaves += n;
  }
  EXPECT_EQ(ihaves, 4U);  // max(d_lazy = 6, 0.25 x 4) capped at the 4 non-mesh peers
}

TEST(RouterTest, IWantServedFromMcacheAtMostGossipRetransmission) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto msg = make_message(kTopic, "cached");
  ASSERT_TRUE(h.router.publish(h.now, msg).has_value());
  h.flush();
  for (int i = 0; i < 5; ++i)
    h.control(1, make_control<&Control::iwant>({IWant{{msg->id, id_of(1)}}}));
  EXPECT_EQ(Sent(h.drain()).messages(1), 3U);
  // After history_length heartbeats the message has left the cache.
  h.connect(2);
  h.advance(6s);
  h.flush();
  h.control(2, make_control<&Control::iwant>({IWant{{msg->id}}}));
  EXPECT_EQ(Sent(h.drain()).messages(2), 0U);
}

TEST(RouterTest, IWantSkipsIdsThePeerDoesNotWant) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "cached");
  // Peer 1 has the message before we do, and says so; then peer 2 sends it to us.
  h.control(1, make_control<&Control::idontwant>({IDontWant{{msg->id}}}));
  h.send_message(2, msg);
  EXPECT_EQ(Sent(h.drain()).messages(1), 0U);
  h.control(1, make_control<&Control::iwant>({IWant{{msg->id}}}));
  EXPECT_EQ(Sent(h.drain()).messages(1), 0U);
  EXPECT_EQ(h.router.stats().iwant_received, 1U);
}

TEST(RouterTest, IdontwantForAMessageAlreadyForwardedIsNotRemembered) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "forwarded", 2000);
  h.send_message(1, msg);
  EXPECT_EQ(Sent(h.drain()).messages(2), 1U);
  // Peer 2's IDONTWANT crosses our copy: nothing is left to hold back.
  h.control(2, make_control<&Control::idontwant>({IDontWant{{msg->id, id_of(1)}}}));
  EXPECT_EQ(h.router.sizes().idontwant_ids, 1U);  // only the id not seen yet
  EXPECT_EQ(h.router.stats().idontwant_received, 1U);
}

// The simulator's input for an RPC of one IDONTWANT id does what that RPC does.
TEST(RouterTest, OneIdontwantInputActsAsItsRpc) {
  Harness by_rpc;
  Harness by_id;
  const auto msg = make_message(kTopic, "held back", 2000);
  for (Harness* h : {&by_rpc, &by_id}) {
    h->peers(1, 3);
    ASSERT_TRUE(h->router.subscribe(h->now, kTopic).has_value());
    h->flush();
  }
  by_rpc.control(2, make_control<&Control::idontwant>({IDontWant{{msg->id}}}));
  by_id.router.handle_idontwant(by_id.now, P(2), msg->id);
  by_id.router.handle_idontwant(by_id.now, P(9), msg->id);  // unknown peer: ignored
  by_rpc.control(9, make_control<&Control::idontwant>({IDontWant{{msg->id}}}));
  EXPECT_EQ(by_id.router.stats().rpcs_received, by_rpc.router.stats().rpcs_received);
  for (Harness* h : {&by_rpc, &by_id}) {
    EXPECT_EQ(h->router.sizes().idontwant_ids, 1U);
    EXPECT_EQ(h->router.stats().idontwant_received, 1U);
    h->send_message(1, msg);
    const Sent sent(h->drain());
    EXPECT_EQ(sent.messages(2), 0U);  // it said it did not want it
    EXPECT_EQ(sent.messages(3), 1U);
  }
}

TEST(RouterTest, IHaveAnsweredWithIWantForUnseenIdsOnly) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto seen = make_message(kTopic, "seen");
  h.send_message(1, seen);
  h.flush();
  h.control(
      1, make_control<&Control::ihave>({IHave{std::string(kTopic), {seen->id, id_of(1), id_of(2)}},
                                        IHave{"/not/ours", {id_of(3)}}}));
  auto ids = Sent(h.drain()).iwant_ids(1);
  std::sort(ids.begin(), ids.end());
  std::vector<MessageId> expected{id_of(1), id_of(2)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(h.router.sizes().promises, 1U);
}

TEST(RouterTest, IHaveBudgetsPerHeartbeat) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_ihave_length = 5;
  config.gossip.max_ihave_messages = 2;
  Harness h(config);
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto ihave = [](int first, int count) {
    IHave e{std::string(kTopic), {}};
    for (int i = 0; i < count; ++i) e.ids.push_back(id_of(first + i));
    return make_control<&Control::ihave>({e});
  };
  h.control(1, ihave(0, 3));
  h.control(1, ihave(10, 3));  // only 2 left of the 5-id budget
  h.control(1, ihave(20, 3));  // third IHAVE this heartbeat: ignored
  EXPECT_EQ(Sent(h.drain()).iwant_ids(1).size(), 5U);
  h.advance(1s);
  h.flush();
  h.control(1, ihave(30, 8));  // new heartbeat, fresh budget, truncated to 5
  EXPECT_EQ(Sent(h.drain()).iwant_ids(1).size(), 5U);
}

TEST(RouterTest, BrokenPromisePenalisedAfterFollowupTime) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "promised");
  h.control(1, make_control<&Control::ihave>(
                   {IHave{std::string(kTopic), {id_of(1)}}}));  // never delivered
  h.control(2, make_control<&Control::ihave>({IHave{std::string(kTopic), {msg->id}}}));
  h.send_message(2, msg);  // kept
  h.flush();
  const double s1 = h.router.score(h.now, P(1));
  h.advance(2s);
  EXPECT_EQ(h.router.stats().broken_promises, 0U);
  h.advance(2s);
  EXPECT_EQ(h.router.stats().broken_promises, 1U);
  EXPECT_LT(h.router.score(h.now, P(1)), s1);
  EXPECT_EQ(h.router.sizes().promises, 0U);
}

// --- output queues ---

TEST(RouterTest, QueueDropPolicyWhileBlocked) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.peer_queue_max_messages = 3;
  config.gossip.peer_queue_max_control = 4;
  Harness h(config);
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  const auto own1 = make_message(kTopic, "own1");
  ASSERT_TRUE(h.router.publish(h.now, own1).has_value());
  std::vector<RelayMessagePtr> forwarded;
  for (int i = 0; i < 4; ++i) {
    forwarded.push_back(make_message(kTopic, "fwd" + std::to_string(i)));
    h.send_message(1, forwarded.back());
  }
  // Nothing for the blocked peer yet.
  auto sent = h.drain();
  for (const auto& t : sent) EXPECT_NE(t.peer, P(2));
  // 5 queued into 3 slots: the two oldest forwarded copies were dropped, our own kept.
  EXPECT_EQ(h.router.stats().queue_dropped_messages, 2U);
  h.router.handle_send_window(h.now, P(2), SendWindow::kOpen);
  sent = h.drain();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].peer, P(2));
  ASSERT_EQ(sent[0].rpc.publish.size(), 3U);
  EXPECT_EQ(sent[0].rpc.publish[0]->id, own1->id);
  EXPECT_EQ(sent[0].rpc.publish[1]->id, forwarded[2]->id);
  EXPECT_EQ(sent[0].rpc.publish[2]->id, forwarded[3]->id);

  // Control is never dropped; past the limit the slow peer is to be disconnected (once).
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  for (int i = 0; i < 6; ++i) {
    h.router.subscribe(h.now, "/t/" + std::to_string(i)).value();
    h.drain();  // peer 1 is not blocked: its queue empties
  }
  const auto events = h.events();
  std::size_t slow = 0;
  for (const auto& e : events) {
    if (const auto* d = std::get_if<DisconnectPeer>(&e)) {
      EXPECT_EQ(d->peer, P(2));
      EXPECT_EQ(d->reason, DisconnectReason::kSlowPeer);
      ++slow;
    }
  }
  EXPECT_EQ(slow, 1U);
}

TEST(RouterTest, TwoBigMessagesNeverShareAnRpcBeyondTheLimit) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_message_size_bytes = 10'000;
  config.gossip.max_transmit_size_bytes = 15'000;
  Harness h(config);
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  h.send_message(1, make_message(kTopic, "a", 9000));
  h.send_message(1, make_message(kTopic, "b", 9000));
  h.send_message(1, make_message(kTopic, "c", 100));
  h.router.handle_send_window(h.now, P(2), SendWindow::kOpen);
  const auto sent = h.drain();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[0].rpc.control.idontwant.size(), 1U);  // for "a" and "b", ahead of them
  EXPECT_EQ(sent[1].rpc.publish.size(), 1U);
  EXPECT_EQ(sent[2].rpc.publish.size(), 2U);
  for (const auto& t : sent) EXPECT_LE(estimated_rpc_size(t.rpc), 15'000U);
}

}  // namespace
}  // namespace waku::relay
