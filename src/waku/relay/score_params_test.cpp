#include "waku/relay/score_params.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <string_view>

namespace waku::relay {
namespace {

// The expected values are nwaku's (waku/waku_relay/protocol.nim; reference waku-wire.md §2).
TEST(ScoreParams, WakuDefaultsMatchNwaku) {
  const PeerScoreParams p = PeerScoreParams::waku_defaults();
  EXPECT_TRUE(p.topics.empty());
  ASSERT_TRUE(p.default_topic.has_value());
  const TopicScoreParams& t = *p.default_topic;
  EXPECT_EQ(t.topic_weight, 1.0);
  EXPECT_EQ(t.time_in_mesh_weight, 0.01);
  EXPECT_EQ(t.time_in_mesh_quantum, 1s);
  EXPECT_EQ(t.time_in_mesh_cap, 10.0);
  EXPECT_EQ(t.first_message_deliveries_weight, 1.0);
  EXPECT_EQ(t.first_message_deliveries_decay, 0.5);
  EXPECT_EQ(t.first_message_deliveries_cap, 10.0);
  EXPECT_EQ(t.mesh_message_deliveries_weight, 0.0);
  EXPECT_EQ(t.mesh_failure_penalty_weight, 0.0);
  EXPECT_EQ(t.invalid_message_deliveries_weight, -100.0);
  EXPECT_EQ(t.invalid_message_deliveries_decay, 0.5);
  EXPECT_EQ(p.topic_score_cap, 0.0);
  EXPECT_EQ(p.app_specific_weight, 0.0);
  EXPECT_EQ(p.ip_colocation_factor_weight, -50.0);
  EXPECT_EQ(p.ip_colocation_factor_threshold, 5.0);
  EXPECT_EQ(p.behaviour_penalty_weight, -10.0);
  EXPECT_EQ(p.behaviour_penalty_decay, 0.986);
  EXPECT_EQ(p.decay_interval, 12s);
  EXPECT_EQ(p.decay_to_zero, 0.01);
  EXPECT_EQ(p.retain_score, 600s);
  EXPECT_TRUE(p.validate().has_value());

  const PeerScoreThresholds th;
  EXPECT_EQ(th.gossip_threshold, -100.0);
  EXPECT_EQ(th.publish_threshold, -1000.0);
  EXPECT_EQ(th.graylist_threshold, -10000.0);
  EXPECT_EQ(th.opportunistic_graft_threshold, 0.0);
  EXPECT_TRUE(th.validate().has_value());
}

TEST(ScoreParams, ParamsForPrefersNamedTopicOverDefault) {
  PeerScoreParams p = PeerScoreParams::waku_defaults();
  TopicScoreParams special;
  special.topic_weight = 3.0;
  p.topics.emplace("/waku/2/rs/16/32", special);
  ASSERT_NE(p.params_for("/waku/2/rs/16/32"), nullptr);
  EXPECT_EQ(p.params_for("/waku/2/rs/16/32")->topic_weight, 3.0);
  ASSERT_NE(p.params_for("/waku/2/rs/16/64"), nullptr);
  EXPECT_EQ(p.params_for("/waku/2/rs/16/64")->topic_weight, 1.0);
  p.default_topic.reset();
  EXPECT_EQ(p.params_for("/waku/2/rs/16/64"), nullptr);
}

// A broken parameter set must fail with kInvalidConfig and a context naming the parameter.
void expect_invalid(const PeerScoreParams& p, std::string_view name) {
  const Result<void> r = p.validate();
  ASSERT_FALSE(r.has_value()) << name;
  EXPECT_EQ(r.error().code, Errc::kInvalidConfig);
  EXPECT_NE(std::string_view(r.error().context).find(name), std::string_view::npos)
      << r.error().context << " should name " << name;
}

void expect_invalid_topic(const std::function<void(TopicScoreParams&)>& breaker,
                          std::string_view name) {
  PeerScoreParams p = PeerScoreParams::waku_defaults();
  breaker(*p.default_topic);
  expect_invalid(p, name);
  // The same broken set as a named topic is caught as well.
  PeerScoreParams named = PeerScoreParams::waku_defaults();
  TopicScoreParams t = *named.default_topic;
  breaker(t);
  named.topics.emplace("t", t);
  expect_invalid(named, name);
}

TEST(ScoreParams, BrokenTopicParamsFailValidation) {
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  expect_invalid_topic([](auto& t) { t.topic_weight = -1; }, "topic_weight");
  expect_invalid_topic([](auto& t) { t.time_in_mesh_weight = -0.01; }, "time_in_mesh_weight");
  expect_invalid_topic([](auto& t) { t.time_in_mesh_quantum = 0s; }, "time_in_mesh_quantum");
  expect_invalid_topic([](auto& t) { t.time_in_mesh_cap = 0; }, "time_in_mesh_cap");
  expect_invalid_topic([](auto& t) { t.first_message_deliveries_weight = -1; },
                       "first_message_deliveries_weight");
  expect_invalid_topic([](auto& t) { t.first_message_deliveries_decay = 1.0; },
                       "first_message_deliveries_decay");
  expect_invalid_topic([](auto& t) { t.first_message_deliveries_decay = kNan; },
                       "first_message_deliveries_decay");
  expect_invalid_topic([](auto& t) { t.first_message_deliveries_cap = 0; },
                       "first_message_deliveries_cap");
  expect_invalid_topic([](auto& t) { t.mesh_message_deliveries_weight = 1; },
                       "mesh_message_deliveries_weight");
  // P3 enabled without its companions: decay 0, cap 0, threshold 0 (Waku's disabled values).
  expect_invalid_topic([](auto& t) { t.mesh_message_deliveries_weight = -1; },
                       "mesh_message_deliveries_decay");
  expect_invalid_topic(
      [](auto& t) {
        t.mesh_message_deliveries_weight = -1;
        t.mesh_message_deliveries_decay = 0.5;
        t.mesh_message_deliveries_cap = 10;
      },
      "mesh_message_deliveries_threshold");
  expect_invalid_topic(
      [](auto& t) {
        t.mesh_message_deliveries_weight = -1;
        t.mesh_message_deliveries_decay = 0.5;
        t.mesh_message_deliveries_threshold = 2;
      },
      "mesh_message_deliveries_cap");
  expect_invalid_topic(
      [](auto& t) {
        t.mesh_message_deliveries_weight = -1;
        t.mesh_message_deliveries_decay = 0.5;
        t.mesh_message_deliveries_cap = 10;
        t.mesh_message_deliveries_threshold = 2;
        t.mesh_message_deliveries_activation = 0s;
      },
      "mesh_message_deliveries_activation");
  expect_invalid_topic([](auto& t) { t.mesh_failure_penalty_weight = 0.5; },
                       "mesh_failure_penalty_weight");
  expect_invalid_topic([](auto& t) { t.mesh_failure_penalty_weight = -1; },
                       "mesh_failure_penalty_decay");
  expect_invalid_topic([](auto& t) { t.invalid_message_deliveries_weight = 100; },
                       "invalid_message_deliveries_weight");
  expect_invalid_topic([](auto& t) { t.invalid_message_deliveries_decay = 0; },
                       "invalid_message_deliveries_decay");
}

TEST(ScoreParams, DisabledTermsNeedNoDecayOrCap) {
  PeerScoreParams p = PeerScoreParams::waku_defaults();
  p.default_topic->first_message_deliveries_weight = 0;
  p.default_topic->first_message_deliveries_decay = 0;
  p.default_topic->first_message_deliveries_cap = 0;
  p.default_topic->invalid_message_deliveries_weight = 0;
  p.default_topic->invalid_message_deliveries_decay = 7;
  p.behaviour_penalty_weight = 0;
  p.behaviour_penalty_decay = 0;
  EXPECT_TRUE(p.validate().has_value());
}

TEST(ScoreParams, BrokenGlobalParamsFailValidation) {
  const auto broken = [](const std::function<void(PeerScoreParams&)>& breaker) {
    PeerScoreParams p = PeerScoreParams::waku_defaults();
    breaker(p);
    return p;
  };
  expect_invalid(broken([](auto& p) { p.topic_score_cap = -1; }), "topic_score_cap");
  expect_invalid(
      broken([](auto& p) { p.app_specific_weight = std::numeric_limits<double>::infinity(); }),
      "app_specific_weight");
  expect_invalid(broken([](auto& p) { p.ip_colocation_factor_weight = 50; }),
                 "ip_colocation_factor_weight");
  expect_invalid(broken([](auto& p) { p.ip_colocation_factor_threshold = 0.5; }),
                 "ip_colocation_factor_threshold");
  expect_invalid(broken([](auto& p) { p.behaviour_penalty_weight = 10; }),
                 "behaviour_penalty_weight");
  expect_invalid(broken([](auto& p) { p.behaviour_penalty_decay = 1.0; }),
                 "behaviour_penalty_decay");
  expect_invalid(broken([](auto& p) { p.behaviour_penalty_threshold = -1; }),
                 "behaviour_penalty_threshold");
  expect_invalid(broken([](auto& p) { p.decay_interval = 0s; }), "decay_interval");
  expect_invalid(broken([](auto& p) { p.decay_to_zero = 0; }), "decay_to_zero");
  expect_invalid(broken([](auto& p) { p.decay_to_zero = 1; }), "decay_to_zero");
  expect_invalid(broken([](auto& p) { p.retain_score = -1s; }), "retain_score");
}

TEST(ScoreParams, ThresholdOrderIsEnforced) {
  const auto check = [](const std::function<void(PeerScoreThresholds&)>& breaker,
                        std::string_view name) {
    PeerScoreThresholds t;
    breaker(t);
    const Result<void> r = t.validate();
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().code, Errc::kInvalidConfig);
    EXPECT_NE(std::string_view(r.error().context).find(name), std::string_view::npos)
        << r.error().context;
  };
  check([](auto& t) { t.gossip_threshold = 0; }, "gossip_threshold");
  check([](auto& t) { t.publish_threshold = -50; }, "publish_threshold");
  check([](auto& t) { t.graylist_threshold = -1000; }, "graylist_threshold");
  check([](auto& t) { t.accept_px_threshold = -1; }, "accept_px_threshold");
  check([](auto& t) { t.opportunistic_graft_threshold = -0.5; }, "opportunistic_graft_threshold");

  PeerScoreThresholds equal_publish;
  equal_publish.publish_threshold = equal_publish.gossip_threshold;  // "<=" allows equality
  EXPECT_TRUE(equal_publish.validate().has_value());
}

}  // namespace
}  // namespace waku::relay
