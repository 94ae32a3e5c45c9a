#include "waku/relay/peer_score.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace waku::relay {
namespace {

constexpr std::string_view kTopic = "/waku/2/rs/16/32";
constexpr std::string_view kOtherTopic = "/waku/2/rs/16/64";
const Instant kT0 = Instant::origin() + 1000s;

MessageId make_id(std::uint64_t n) {
  MessageId id;
  const auto be = u64_be(n);
  for (std::size_t i = 0; i < be.size(); ++i) id.bytes[i] = be[i];
  id.bytes[31] = 0xAB;
  return id;
}

// Every term off; each test switches on the one it checks.
TopicScoreParams silent_topic() {
  TopicScoreParams t;
  t.topic_weight = 1.0;
  t.time_in_mesh_weight = 0.0;
  t.first_message_deliveries_weight = 0.0;
  t.invalid_message_deliveries_weight = 0.0;
  return t;
}
PeerScoreParams silent_params() {
  PeerScoreParams p = PeerScoreParams::waku_defaults();
  p.default_topic = silent_topic();
  p.ip_colocation_factor_weight = 0.0;
  p.behaviour_penalty_weight = 0.0;
  return p;
}

// A peer that first-delivers `count` valid messages on `topic`, ids starting at `first_id`.
void deliver_valid(PeerScore& score, Instant now, PeerScore::PeerKey from, std::string_view topic,
                   std::uint64_t first_id, int count) {
  for (int i = 0; i < count; ++i) {
    const MessageId id = make_id(first_id + static_cast<std::uint64_t>(i));
    score.validate_message(now, from, id, topic);
    score.deliver_message(now, id, topic);
  }
}
void deliver_invalid(PeerScore& score, Instant now, PeerScore::PeerKey from, std::string_view topic,
                     std::uint64_t first_id, int count) {
  for (int i = 0; i < count; ++i) {
    const MessageId id = make_id(first_id + static_cast<std::uint64_t>(i));
    score.validate_message(now, from, id, topic);
    score.reject_message(now, id, topic);
  }
}

TEST(PeerScore, UnknownPeerScoresZero) {
  PeerScore score(PeerScoreParams::waku_defaults());
  EXPECT_EQ(score.score(kT0, 7), 0.0);
  score.add_penalty(7, 5);  // ignored for an unknown peer
  EXPECT_EQ(score.score(kT0, 7), 0.0);
}

TEST(PeerScore, P1TimeInMeshWithCap) {
  // Waku P1: weight 0.01, quantum 1 s, cap 10 quanta.
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  EXPECT_EQ(score.score(kT0 + 5s, 1), 0.0);  // not in the mesh yet
  score.graft(kT0, 1, kTopic);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 3s, 1), 0.03);       // 3 quanta * 0.01
  EXPECT_DOUBLE_EQ(score.score(kT0 + 2500ms, 1), 0.025);  // 2.5 quanta * 0.01
  EXPECT_DOUBLE_EQ(score.score(kT0 + 100s, 1), 0.1);      // capped: 10 * 0.01
  score.prune(kT0 + 100s, 1, kTopic);
  EXPECT_EQ(score.score(kT0 + 101s, 1), 0.0);  // only while in the mesh
}

TEST(PeerScore, TopicWithoutParamsIsNotScored) {
  PeerScoreParams p = PeerScoreParams::waku_defaults();
  p.topics.emplace(std::string(kTopic), *p.default_topic);
  p.default_topic.reset();
  PeerScore score(p);
  score.add_peer(kT0, 1, {}, {});
  score.graft(kT0, 1, kOtherTopic);
  deliver_valid(score, kT0, 1, kOtherTopic, 1, 3);
  deliver_invalid(score, kT0, 1, kOtherTopic, 100, 1);
  EXPECT_EQ(score.score(kT0 + 5s, 1), 0.0);
  EXPECT_EQ(score.delivery_record_count(), 0U);
  deliver_valid(score, kT0, 1, kTopic, 200, 2);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 5s, 1), 2.0);
}

TEST(PeerScore, P2FirstDeliveriesCapped) {
  // Waku P2: weight 1, cap 10. Peer 1 is not in the mesh, so P1 stays 0.
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.add_peer(kT0, 2, {}, {});
  deliver_valid(score, kT0, 1, kTopic, 1, 3);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), 3.0);
  deliver_valid(score, kT0, 1, kTopic, 100, 12);  // 15 deliveries, capped at 10
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), 10.0);
  // Copies, during or after validation, give no first-delivery credit.
  const MessageId id = make_id(500);
  score.validate_message(kT0, 1, id, kTopic);
  score.duplicate_message(kT0, 2, id, kTopic);
  score.deliver_message(kT0, id, kTopic);
  score.duplicate_message(kT0, 2, id, kTopic);
  EXPECT_EQ(score.score(kT0, 2), 0.0);
  // With P3 unscored (Waku), a delivered message's record is gone at once.
  EXPECT_EQ(score.delivery_record_count(), 0U);
}

TEST(PeerScore, P4InvalidDeliveriesSquared) {
  // Waku P4: weight -100, counter squared.
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  deliver_invalid(score, kT0, 1, kTopic, 1, 2);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -400.0);  // 2^2 * -100
  score.reject_from(kT0, 1, kTopic);              // untracked rejection counts too
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -900.0);  // 3^2 * -100
}

TEST(PeerScore, IgnoreIsNeutral) {
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.add_peer(kT0, 2, {}, {});
  const MessageId id = make_id(9);
  score.validate_message(kT0, 1, id, kTopic);
  score.duplicate_message(kT0, 2, id, kTopic);
  score.ignore_message(kT0, id, kTopic);
  score.duplicate_message(kT0, 2, id, kTopic);
  EXPECT_EQ(score.score(kT0, 1), 0.0);
  EXPECT_EQ(score.score(kT0, 2), 0.0);
  EXPECT_EQ(score.delivery_record_count(), 0U);
}

TEST(PeerScore, P5ApplicationScore) {
  PeerScoreParams p = silent_params();
  p.app_specific_weight = 2.0;
  PeerScore score(p);
  score.add_peer(kT0, 1, {}, {});
  score.set_application_score(1, 3.5);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), 7.0);  // 3.5 * 2
  score.set_application_score(1, -1.0);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -2.0);
}

TEST(PeerScore, P6IpColocationAboveThreshold) {
  // Waku P6: weight -50, threshold 5.
  PeerScore score(PeerScoreParams::waku_defaults());
  for (PeerScore::PeerKey k = 1; k <= 5; ++k) score.add_peer(kT0, k, {}, "10.0.0.1");
  score.add_peer(kT0, 100, {}, "10.0.0.2");
  score.add_peer(kT0, 101, {}, {});
  EXPECT_EQ(score.score(kT0, 1), 0.0);  // 5 peers: not above the threshold
  score.add_peer(kT0, 6, {}, "10.0.0.1");
  score.add_peer(kT0, 7, {}, "10.0.0.1");
  // 7 peers: surplus 2, 2^2 * -50 = -200 for every peer on that IP.
  for (PeerScore::PeerKey k = 1; k <= 7; ++k) EXPECT_DOUBLE_EQ(score.score(kT0, k), -200.0);
  EXPECT_EQ(score.score(kT0, 100), 0.0);
  EXPECT_EQ(score.score(kT0, 101), 0.0);
  score.remove_peer(kT0, 7);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -50.0);  // surplus 1
  score.remove_peer(kT0, 6);
  EXPECT_EQ(score.score(kT0, 1), 0.0);
}

TEST(PeerScore, P7BehaviourPenaltyAboveThreshold) {
  // Waku P7: weight -10, threshold 0.
  PeerScore waku(PeerScoreParams::waku_defaults());
  waku.add_peer(kT0, 1, {}, {});
  waku.add_penalty(1, 3);
  EXPECT_DOUBLE_EQ(waku.score(kT0, 1), -90.0);  // 3^2 * -10

  PeerScoreParams p = silent_params();
  p.behaviour_penalty_weight = -10.0;
  p.behaviour_penalty_threshold = 2.0;
  PeerScore score(p);
  score.add_peer(kT0, 1, {}, {});
  score.add_penalty(1, 2);
  EXPECT_EQ(score.score(kT0, 1), 0.0);  // at the threshold: no penalty
  score.add_penalty(1, 1);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -10.0);  // (3 - 2)^2 * -10
  score.add_penalty(1, 1);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -40.0);  // (4 - 2)^2 * -10
}

TEST(PeerScore, TopicWeightAndTopicCap) {
  PeerScoreParams p = silent_params();
  TopicScoreParams a = silent_topic();
  a.topic_weight = 0.5;
  a.first_message_deliveries_weight = 1.0;
  a.first_message_deliveries_cap = 100.0;
  TopicScoreParams b = a;
  b.topic_weight = 2.0;
  b.invalid_message_deliveries_weight = -100.0;
  p.topics.emplace("a", a);
  p.topics.emplace("b", b);
  p.default_topic.reset();

  PeerScore uncapped(p);
  uncapped.add_peer(kT0, 1, {}, {});
  deliver_valid(uncapped, kT0, 1, "a", 1, 4);
  deliver_valid(uncapped, kT0, 1, "b", 100, 3);
  EXPECT_DOUBLE_EQ(uncapped.score(kT0, 1), 8.0);  // 0.5 * 4 + 2 * 3

  p.topic_score_cap = 5.0;
  PeerScore capped(p);
  capped.add_peer(kT0, 1, {}, {});
  capped.set_application_score(1, 1.0);
  deliver_valid(capped, kT0, 1, "a", 1, 4);
  deliver_valid(capped, kT0, 1, "b", 100, 3);
  EXPECT_DOUBLE_EQ(capped.score(kT0, 1), 5.0);  // min(8, 5); P5 weight is 0
  // The cap bounds only the positive side: 0.5 * 4 + 2 * (3 - 100 * 1^2) = -192.
  deliver_invalid(capped, kT0, 1, "b", 200, 1);
  EXPECT_DOUBLE_EQ(capped.score(kT0, 1), -192.0);
}

TEST(PeerScore, DecayOncePerIntervalAndSnapToZero) {
  // Waku: decay every 12 s; P2 decay 0.5, P4 decay 0.5; decay_to_zero 0.01.
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.add_peer(kT0, 2, {}, {});
  score.refresh(kT0);  // anchors the decay clock
  deliver_valid(score, kT0, 1, kTopic, 1, 8);
  deliver_invalid(score, kT0, 2, kTopic, 100, 1);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), 8.0);

  score.refresh(kT0 + 11s);  // less than an interval: nothing
  EXPECT_DOUBLE_EQ(score.score(kT0 + 11s, 1), 8.0);
  score.refresh(kT0 + 12s);  // one interval: 8 * 0.5
  EXPECT_DOUBLE_EQ(score.score(kT0 + 12s, 1), 4.0);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 12s, 2), -25.0);  // 0.5^2 * -100
  score.refresh(kT0 + 13s);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 13s, 1), 4.0);
  score.refresh(kT0 + 37s);  // two more intervals at once: 4 * 0.25
  EXPECT_DOUBLE_EQ(score.score(kT0 + 37s, 1), 1.0);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 37s, 2), -100.0 * 0.125 * 0.125);  // 0.5^3 squared
  // The anchor advanced by whole intervals (to kT0 + 36 s), so kT0 + 108 s is six more:
  // 1 * 0.5^6 = 0.015625 >= 0.01 is kept; one more would be 0.0078125 < 0.01 and snaps to 0.
  score.refresh(kT0 + 108s);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 108s, 1), 0.015625);
  score.refresh(kT0 + 120s);
  EXPECT_EQ(score.score(kT0 + 120s, 1), 0.0);
  // P4: 0.5^10 = 0.0009765625 snapped long ago.
  EXPECT_EQ(score.score(kT0 + 120s, 2), 0.0);
}

TEST(PeerScore, BehaviourPenaltyDecays) {
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.refresh(kT0);
  score.add_penalty(1, 1);
  score.refresh(kT0 + 12s);
  EXPECT_DOUBLE_EQ(score.score(kT0 + 12s, 1), -10.0 * 0.986 * 0.986);
}

TEST(PeerScore, NegativeScoreSurvivesReconnectWithinRetainScore) {
  const Bytes peer_id = to_bytes("peer-A");
  PeerScore score(PeerScoreParams::waku_defaults());  // retain 10 min
  score.refresh(kT0);
  score.add_peer(kT0, 1, peer_id, "10.0.0.1");
  deliver_valid(score, kT0, 1, kTopic, 1, 5);
  deliver_invalid(score, kT0, 1, kTopic, 100, 2);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), 5.0 - 400.0);
  score.remove_peer(kT0, 1);
  EXPECT_EQ(score.retained_peer_count(), 1U);
  EXPECT_EQ(score.score(kT0, 1), 0.0);  // the old handle is gone

  // Two decay intervals pass while it is away: retained counters do not decay.
  score.refresh(kT0 + 24s);
  // Back under a new handle: P4 kept (2^2 * -100), P2 credit reset on disconnect.
  score.add_peer(kT0 + 30s, 2, peer_id, "10.0.0.1");
  EXPECT_DOUBLE_EQ(score.score(kT0 + 30s, 2), -400.0);
  EXPECT_EQ(score.retained_peer_count(), 0U);

  // Leaves again; after retain_score (600 s) the record is gone.
  score.remove_peer(kT0 + 40s, 2);
  score.refresh(kT0 + 40s + 599s);
  EXPECT_EQ(score.retained_peer_count(), 1U);
  score.refresh(kT0 + 40s + 600s);
  EXPECT_EQ(score.retained_peer_count(), 0U);
  score.add_peer(kT0 + 700s, 3, peer_id, "10.0.0.1");
  EXPECT_EQ(score.score(kT0 + 700s, 3), 0.0);
}

TEST(PeerScore, RetentionExpiresEvenWithoutRefresh) {
  const Bytes peer_id = to_bytes("peer-B");
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, peer_id, {});
  score.add_penalty(1, 2);
  score.remove_peer(kT0, 1);
  score.add_peer(kT0 + 601s, 2, peer_id, {});
  EXPECT_EQ(score.score(kT0 + 601s, 2), 0.0);
}

TEST(PeerScore, EmptyPeerIdIsNotRetained) {
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.add_penalty(1, 2);
  score.remove_peer(kT0, 1);
  EXPECT_EQ(score.retained_peer_count(), 0U);
  score.add_peer(kT0, 2, {}, {});
  EXPECT_EQ(score.score(kT0, 2), 0.0);
}

TEST(PeerScore, DuplicatesDuringValidationShareTheVerdict) {
  PeerScore score(PeerScoreParams::waku_defaults());
  for (PeerScore::PeerKey k = 1; k <= 5; ++k) score.add_peer(kT0, k, {}, {});
  const MessageId bad = make_id(1);
  score.validate_message(kT0, 1, bad, kTopic);
  score.duplicate_message(kT0, 2, bad, kTopic);
  score.duplicate_message(kT0, 3, bad, kTopic);
  score.duplicate_message(kT0, 3, bad, kTopic);  // the same peer twice while validating: once
  score.reject_message(kT0, bad, kTopic);
  EXPECT_DOUBLE_EQ(score.score(kT0, 1), -100.0);
  EXPECT_DOUBLE_EQ(score.score(kT0, 2), -100.0);
  EXPECT_DOUBLE_EQ(score.score(kT0, 3), -100.0);
  // A copy after the verdict is penalised as well (go does the same).
  score.duplicate_message(kT0 + 1s, 4, bad, kTopic);
  EXPECT_DOUBLE_EQ(score.score(kT0, 4), -100.0);
  EXPECT_EQ(score.score(kT0, 5), 0.0);
  EXPECT_EQ(score.delivery_record_count(), 1U);  // kept for later copies

  // Rejected records expire after 2 minutes.
  score.refresh(kT0);
  score.refresh(kT0 + 119s);
  EXPECT_EQ(score.delivery_record_count(), 1U);
  score.refresh(kT0 + 120s);
  EXPECT_EQ(score.delivery_record_count(), 0U);
}

TEST(PeerScore, DeliveryRecordsAreBoundedDroppingTheOldest) {
  PeerScore score(PeerScoreParams::waku_defaults());
  score.add_peer(kT0, 1, {}, {});
  score.add_peer(kT0, 2, {}, {});
  const std::uint64_t n = PeerScore::kMaxDeliveryRecords + 1;
  for (std::uint64_t i = 0; i < n; ++i) {
    score.validate_message(kT0, i == 0 ? 1 : 2, make_id(i), kTopic);
  }
  EXPECT_EQ(score.delivery_record_count(), PeerScore::kMaxDeliveryRecords);
  score.reject_message(kT0, make_id(0), kTopic);  // dropped: no penalty for peer 1
  EXPECT_EQ(score.score(kT0, 1), 0.0);
  score.reject_message(kT0, make_id(n - 1), kTopic);
  EXPECT_DOUBLE_EQ(score.score(kT0, 2), -100.0);
  score.reject_message(kT0, make_id(1), kTopic);  // the second oldest survived
  EXPECT_DOUBLE_EQ(score.score(kT0, 2), -400.0);
}

// P3 on: weight -1, threshold 4, cap 10, window 10 ms, activation 5 s; P3b weight -2; P4 -100.
PeerScoreParams p3_params() {
  PeerScoreParams p = silent_params();
  TopicScoreParams& t = *p.default_topic;
  t.mesh_message_deliveries_weight = -1.0;
  t.mesh_message_deliveries_decay = 0.5;
  t.mesh_message_deliveries_cap = 10.0;
  t.mesh_message_deliveries_threshold = 4.0;
  t.mesh_message_deliveries_window = 10ms;
  t.mesh_message_deliveries_activation = 5s;
  t.mesh_failure_penalty_weight = -2.0;
  t.mesh_failure_penalty_decay = 0.5;
  t.invalid_message_deliveries_weight = -100.0;
  EXPECT_TRUE(p.validate().has_value());
  return p;
}

TEST(PeerScore, AcceptMessageScoresAsValidateThenDeliver) {
  // With and without P3: the one-step form leaves every score and record as the two steps do.
  for (const PeerScoreParams& params : {PeerScoreParams::waku_defaults(), p3_params()}) {
    PeerScore two_steps(params);
    PeerScore one_step(params);
    for (PeerScore* score : {&two_steps, &one_step}) {
      for (PeerScore::PeerKey k = 1; k <= 3; ++k) score->add_peer(kT0, k, {}, {});
      score->graft(kT0, 2, kTopic);
      deliver_invalid(*score, kT0, 3, kTopic, 900, 1);  // leaves a record for id 900
    }
    for (std::uint64_t n = 1; n <= 6; ++n) {
      const Instant now = kT0 + std::chrono::seconds(n);
      const MessageId id = make_id(n == 6 ? 900 : n);  // the last repeats the rejected id
      const PeerScore::PeerKey from = n % 2 == 0 ? 1 : 2;
      two_steps.validate_message(now, from, id, kTopic);
      two_steps.deliver_message(now, id, kTopic);
      one_step.accept_message(now, from, id, kTopic);
      one_step.deliver_message(now, id, kTopic);  // what the router's finish_validation calls next
      for (PeerScore* score : {&two_steps, &one_step}) {
        score->duplicate_message(now + 1ms, 3, id, kTopic);
      }
    }
    const Instant later = kT0 + 10s;
    for (PeerScore::PeerKey k = 1; k <= 3; ++k) {
      EXPECT_DOUBLE_EQ(one_step.score(later, k), two_steps.score(later, k)) << "peer " << k;
    }
    EXPECT_NE(one_step.score(later, 1), 0.0);  // the deliveries did count
    EXPECT_EQ(one_step.delivery_record_count(), two_steps.delivery_record_count());
  }
}

TEST(PeerScore, P3DeficitAfterActivationAndP3bAtPrune) {
  PeerScore score(p3_params());
  for (PeerScore::PeerKey k = 1; k <= 4; ++k) score.add_peer(kT0, k, {}, {});
  score.graft(kT0, 1, kTopic);
  score.graft(kT0, 2, kTopic);
  // Before activation (mesh time not above 5 s) there is no deficit penalty.
  EXPECT_EQ(score.score(kT0 + 5s, 1), 0.0);

  const Instant t1 = kT0 + 6s;
  // m1: peer 1 first, peer 2 during validation (counts), peer 3 not in the mesh (no credit).
  const MessageId m1 = make_id(1);
  score.validate_message(t1, 1, m1, kTopic);
  score.duplicate_message(t1, 2, m1, kTopic);
  score.duplicate_message(t1, 3, m1, kTopic);
  score.deliver_message(t1 + 1ms, m1, kTopic);
  // m2: peer 2 within the window after validation counts, and only once.
  const MessageId m2 = make_id(2);
  score.validate_message(t1, 1, m2, kTopic);
  score.deliver_message(t1, m2, kTopic);
  score.duplicate_message(t1 + 10ms, 2, m2, kTopic);
  score.duplicate_message(t1 + 10ms, 2, m2, kTopic);
  // m3: peer 2 too late (50 ms after validation): no credit.
  const MessageId m3 = make_id(3);
  score.validate_message(t1, 1, m3, kTopic);
  score.deliver_message(t1, m3, kTopic);
  score.duplicate_message(t1 + 50ms, 2, m3, kTopic);
  EXPECT_EQ(score.delivery_record_count(), 3U);  // kept while P3 is scored

  const Instant t2 = kT0 + 7s;
  // Peer 1: 3 first deliveries, deficit 4 - 3 = 1 -> 1^2 * -1 = -1.
  EXPECT_DOUBLE_EQ(score.score(t2, 1), -1.0);
  // Peer 2: m1 + m2 = 2, deficit 2 -> 2^2 * -1 = -4.
  EXPECT_DOUBLE_EQ(score.score(t2, 2), -4.0);
  EXPECT_EQ(score.score(t2, 3), 0.0);

  // Pruning peer 2 turns its deficit into the sticky P3b: 4 * -2 = -8, and P3 stops.
  score.prune(t2, 2, kTopic);
  EXPECT_DOUBLE_EQ(score.score(t2, 2), -8.0);
  EXPECT_DOUBLE_EQ(score.score(t2 + 60s, 2), -8.0);
  // P3b decays with its own factor: 4 * 0.5 = 2 -> -4.
  score.refresh(t2);
  score.refresh(t2 + 12s);
  EXPECT_DOUBLE_EQ(score.score(t2 + 12s, 2), -4.0);

  // A peer pruned before activation carries no failure penalty.
  score.graft(t2, 4, kTopic);
  score.prune(t2 + 4s, 4, kTopic);
  EXPECT_EQ(score.score(t2 + 5s, 4), 0.0);

  // A duplicate of a validating message still shares a reject under P3 scoring.
  const MessageId bad = make_id(4);
  score.validate_message(t2, 3, bad, kTopic);
  score.duplicate_message(t2, 4, bad, kTopic);
  score.reject_message(t2, bad, kTopic);
  EXPECT_DOUBLE_EQ(score.score(t2 + 5s, 3), -100.0);
  EXPECT_DOUBLE_EQ(score.score(t2 + 5s, 4), -100.0);
}

TEST(PeerScore, P3bAppliedWhenAMeshPeerDisconnects) {
  const Bytes peer_id = to_bytes("peer-C");
  PeerScore score(p3_params());
  score.add_peer(kT0, 1, peer_id, {});
  score.graft(kT0, 1, kTopic);
  // No deliveries in 10 s of mesh time: deficit 4. Leaving by disconnecting costs 4^2 = 16.
  score.remove_peer(kT0 + 10s, 1);
  score.add_peer(kT0 + 11s, 2, peer_id, {});
  EXPECT_DOUBLE_EQ(score.score(kT0 + 11s, 2), -32.0);  // 16 * -2
}

}  // namespace
}  // namespace waku::relay
