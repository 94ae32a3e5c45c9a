#include "sim/model/capacity_model.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <string>

#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"

namespace waku::sim::model {
namespace {

constexpr std::size_t kMessage = static_cast<std::size_t>(ByteKind::kMessage);
constexpr std::size_t kIHave = static_cast<std::size_t>(ByteKind::kIHave);
constexpr std::size_t kIWant = static_cast<std::size_t>(ByteKind::kIWant);
constexpr std::size_t kIDontWant = static_cast<std::size_t>(ByteKind::kIDontWant);

PublishedResult published_at(double nodes) {
  PublishedInputs in;
  in.nodes = nodes;
  Result<PublishedResult> r = published_model(in);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? r.value() : PublishedResult{};
}

// ---- published model: the numbers of reference gossipsub.md §4.4 ----

TEST(PublishedModel, TenThousandNodesGivesTheForumNumbers) {
  const PublishedResult r = published_at(10'000);
  EXPECT_NEAR(r.case1, 100.0, 1e-9);
  EXPECT_NEAR(r.case2, 300.0, 1e-9);
  EXPECT_NEAR(r.case3_2023, 500.0, 1e-9);
  EXPECT_NEAR(r.case3_2025, 500.01, 1e-9);
  // 250,000 copies/h: 500 MB of messages + 4.5 M IHAVE entries x 50 B + 45,000 IWANTs x 2,050 B.
  EXPECT_NEAR(r.case4_2023.messages, 500.0, 1e-9);
  EXPECT_NEAR(r.case4_2023.ihave, 225.0, 1e-9);
  EXPECT_NEAR(r.case4_2023.iwant, 92.25, 1e-9);
  EXPECT_NEAR(r.case4_2023.total(), 817.25, 0.01);
  EXPECT_NEAR(r.ingress_mbps, 817.25 * 8 / 3600, 1e-9);  // 1.816
  EXPECT_NEAR(r.in_out_mb_per_hour, 1634.5, 1e-9);
  EXPECT_NEAR(r.in_out_mbps, 3.632, 0.001);                     // "~4 Mbps"
  EXPECT_NEAR(r.in_out_mbps_mib, 3.632222 * 1.048576, 0.0001);  // 3.809
  // 2025: 500.01 + 900,000 x 50 B + 9,000 x 2,000 B.
  EXPECT_NEAR(r.case4_2025.total(), 563.01, 0.01);
  EXPECT_NEAR(r.sharding1_2023, 817.25, 0.01);
  EXPECT_NEAR(r.sharding2_2023, 1634.5, 0.01);
  EXPECT_NEAR(r.sharding1_2025, 563.03, 0.01);
  EXPECT_NEAR(r.sharding2_2025, 1126.04, 0.01);
}

TEST(PublishedModel, HundredNodesAndOneMillion) {
  const PublishedResult small = published_at(100);
  EXPECT_NEAR(small.case1, 1.0, 1e-9);
  EXPECT_NEAR(small.case2, 3.0, 1e-9);
  EXPECT_NEAR(small.case3_2023, 5.0, 1e-9);
  EXPECT_NEAR(small.case4_2023.total(), 8.1725, 1e-9);
  EXPECT_NEAR(small.case4_2025.total(), 5.64, 0.01);
  EXPECT_NEAR(small.sharding2_2023, 16.345, 0.01);  // published "16.3"

  const PublishedResult large = published_at(1'000'000);
  EXPECT_NEAR(large.sharding1_2023, 2451.75, 0.01);
  EXPECT_NEAR(large.sharding2_2023, 3269.0, 0.01);
  EXPECT_NEAR(large.sharding1_2025, 1689.03, 0.01);
  EXPECT_NEAR(large.sharding2_2025, 2252.04, 0.01);
}

TEST(PublishedModel, Latency) {
  const PublishedResult r = published_at(10'000);
  EXPECT_EQ(r.latency_hops, 6);                       // 6^5 = 7,776 < 10,000 <= 6^6
  EXPECT_NEAR(r.latency_rate_mbps, 2.0 / 3.0, 1e-9);  // 10^4 x 5 x 0.002 x 3 x 8 / 3600
  EXPECT_NEAR(r.latency_2025_seconds, 0.733, 0.001);  // 6 x (0.1 + 0.667 / 30)
  EXPECT_NEAR(r.latency_2023_seconds, 0.514, 0.001);  // log_6(10^4) x 0.1

  const PublishedResult small = published_at(100);
  EXPECT_EQ(small.latency_hops, 3);
  EXPECT_NEAR(small.latency_2025_seconds, 0.301, 0.001);
  EXPECT_NEAR(small.latency_2023_seconds, 0.257, 0.001);

  const PublishedResult large = published_at(1'000'000);
  EXPECT_EQ(large.latency_hops, 8);
  EXPECT_NEAR(large.latency_2025_seconds, 18.58, 0.01);
  EXPECT_NEAR(large.latency_2023_seconds, 0.771, 0.001);

  EXPECT_EQ(published_at(36).latency_hops, 2);  // exact power of d: not 3
}

TEST(PublishedModel, RejectsBadInputs) {
  PublishedInputs in;
  in.d = 1;
  EXPECT_EQ(published_model(in).error().code, Errc::kInvalidArgument);
  in = {};
  in.nodes = 0;
  EXPECT_FALSE(published_model(in).has_value());
  in = {};
  in.reply_ratio = 1.5;
  EXPECT_FALSE(published_model(in).has_value());
  in = {};
  in.message_size_mb = -1;
  EXPECT_FALSE(published_model(in).has_value());
}

// ---- encoded sizes: our arithmetic against the real encoders ----

TEST(EncodedSizes, WakuMessageMatchesTheCodec) {
  const WakuMessageShape shape;
  message::WakuMessage m;
  m.payload = Bytes(2048, 0xab);
  m.content_topic = shape.content_topic;
  m.version = 0;
  m.timestamp = shape.timestamp_ns;
  m.meta = Bytes(64, 0x01);
  // payload 1+2+2048, content topic 1+1+30, version 2, timestamp 1+9, meta 1+1+64.
  EXPECT_EQ(waku_message_bytes(2048, shape), 2161u);
  EXPECT_EQ(codec::encode_waku_message(m).size(), 2161u);

  WakuMessageShape other = shape;
  other.version = false;
  other.meta_bytes = 0;
  other.rate_limit_proof_bytes = 300;
  other.ephemeral = true;
  m.version.reset();
  m.meta.reset();
  m.rate_limit_proof = Bytes(300, 0x02);
  m.ephemeral = true;
  m.payload = Bytes(100, 0xcd);
  EXPECT_EQ(waku_message_bytes(100, other), codec::encode_waku_message(m).size());
}

TEST(EncodedSizes, RpcFramesMatchTheCodec) {
  const std::string topic = "/waku/2/rs/16/32";
  const Bytes data(2161, 0x11);
  relay::Rpc rpc;
  rpc.publish.push_back(codec::make_relay_message(topic, SharedBytes(data)));
  EXPECT_EQ(message_rpc_bytes(2161, topic), 2185u);  // 1+2+(1+2+2161 + 1+1+16)
  EXPECT_EQ(codec::encoded_rpc_size(rpc), 2185u);
  rpc.publish.push_back(rpc.publish.front());
  rpc.publish.push_back(rpc.publish.front());
  EXPECT_EQ(message_rpc_bytes(2161, topic, 3), codec::encoded_rpc_size(rpc));

  for (const std::size_t ids : {1u, 2u, 3u, 4u, 100u, 481u, 482u, 5000u}) {
    relay::Rpc ihave;
    relay::Rpc iwant;
    relay::Rpc idontwant;
    ihave.control.ihave.push_back({topic, std::vector<relay::MessageId>(ids)});
    iwant.control.iwant.push_back({std::vector<relay::MessageId>(ids)});
    idontwant.control.idontwant.push_back({std::vector<relay::MessageId>(ids)});
    EXPECT_EQ(ihave_rpc_bytes(ids, topic), codec::encoded_rpc_size(ihave)) << ids;
    EXPECT_EQ(iwant_rpc_bytes(ids), codec::encoded_rpc_size(iwant)) << ids;
    EXPECT_EQ(idontwant_rpc_bytes(ids), codec::encoded_rpc_size(idontwant)) << ids;
  }
  EXPECT_EQ(ihave_rpc_bytes(1, topic), 56u);  // 22 + 34
  EXPECT_EQ(idontwant_rpc_bytes(1), 38u);
  EXPECT_EQ(ihave_rpc_bytes(0, topic), 0u);
  EXPECT_EQ(iwant_rpc_bytes(0), 0u);
}

TEST(PoissonExpectation, Moments) {
  const auto id = [](std::size_t k) { return static_cast<double>(k); };
  const auto square = [](std::size_t k) { return static_cast<double>(k * k); };
  EXPECT_NEAR(poisson_expectation(0.0, id), 0.0, 1e-12);
  EXPECT_NEAR(poisson_expectation(0.03, id), 0.03, 1e-12);
  EXPECT_NEAR(poisson_expectation(41.7, id), 41.7, 1e-9);
  EXPECT_NEAR(poisson_expectation(41.7, square), 41.7 + 41.7 * 41.7, 1e-6);
  EXPECT_NEAR(poisson_expectation(2.5, [](std::size_t k) { return k == 0 ? 1.0 : 0.0; }),
              std::exp(-2.5), 1e-15);
  // Far from zero every IHAVE of k ids costs 26 + 34 k (3-byte varints: 482 <= k <= 61k).
  EXPECT_NEAR(
      poisson_expectation(
          1000, [](std::size_t k) { return double(ihave_rpc_bytes(k, "/waku/2/rs/16/32")); }),
      26 + 34 * 1000.0, 1e-6);
}

// ---- refined model ----

RefinedResult refined(const RefinedInputs& in) {
  Result<RefinedResult> r = refined_for(in);
  EXPECT_TRUE(r.has_value()) << (r.has_value() ? "" : r.error().context);
  return r.has_value() ? r.value() : RefinedResult{};
}

// 100 nodes, D = 4, nothing but the mesh (4 connections: no gossip targets, flood publish adds
// nobody), 36 msg/node/h: p = 0.01 msg/s per node, lambda = 1 msg/s.
RefinedInputs mesh_only() {
  RefinedInputs in;
  in.profiles = {member_profile(100, 4)};
  in.messages_per_node_per_hour = 36;
  return in;
}

TEST(RefinedModel, MeshOnlyByHand) {
  const RefinedResult r = refined(mesh_only());
  ASSERT_EQ(r.profiles.size(), 1u);
  const ProfileRates& p = r.profiles.front();
  EXPECT_NEAR(r.messages_per_second, 1.0, 1e-12);
  EXPECT_NEAR(r.kappa, 301.0 / 396.0, 1e-12);  // (N D - N + 1) / (N D - D)
  // Out: 0.99 msg/s of others' x (D - 1) + 0.01 own x 4. In: 0.99 x 4 x kappa = 3.01.
  EXPECT_NEAR(p.copies_out_per_second, 3.01, 1e-12);
  EXPECT_NEAR(p.copies_in_per_second, 3.01, 1e-12);
  EXPECT_NEAR(p.duplicates_in_per_second, 3.01 - 0.99, 1e-12);
  // IDONTWANT: 0.99 x 3 out; in: 3.01 minus the 4 x 0.01 children of publishers.
  EXPECT_TRUE(r.idontwant_applies);
  EXPECT_NEAR(p.idontwant_out_per_second, 2.97, 1e-12);
  EXPECT_NEAR(p.idontwant_in_per_second, 2.97, 1e-12);
  EXPECT_EQ(p.gossip_targets, 0.0);

  // Frames: RPC 2,185 B -> 2,187 + 12 + 18 = 2,217 B in 2 segments -> 2,321 B, 1 ACK of 52 B.
  // IDONTWANT 38 B -> 38 + 1 + 12 + 18 = 69 B + 52 = 121 B, 1 ACK.
  EXPECT_EQ(r.message_rpc_bytes, 2185u);
  EXPECT_EQ(r.message_wire.sender_bytes, 2321u);
  EXPECT_EQ(r.idontwant_wire.sender_bytes, 121u);
  EXPECT_NEAR(p.out.app[kMessage], 3.01 * 2185 * 8, 1e-6);
  EXPECT_NEAR(p.out.wire[kMessage], 3.01 * (2321 + 52) * 8, 1e-6);  // own frames + ACKs sent
  EXPECT_NEAR(p.in.wire[kMessage], 3.01 * (2321 + 52) * 8, 1e-6);
  EXPECT_NEAR(p.out.app[kIDontWant], 2.97 * 38 * 8, 1e-6);
  EXPECT_NEAR(p.out.wire[kIDontWant], 2.97 * (121 + 52) * 8, 1e-6);
  EXPECT_EQ(p.out.app[kIHave], 0.0);
  EXPECT_EQ(p.out.app[kIWant], 0.0);
  EXPECT_NEAR(p.out.app_total(), 3.01 * 2185 * 8 + 2.97 * 38 * 8, 1e-6);
}

TEST(RefinedModel, SuppressionAndIdontwantSwitches) {
  RefinedInputs in = mesh_only();
  in.idontwant_suppression = 0.5;
  // Duplicates: in 3.01 - 0.99 first receipts; out 3.01 - (0.99 x 4 x 95/396 + 0.04) = 2.02.
  const ProfileRates p = refined(in).profiles.front();
  EXPECT_NEAR(p.copies_in_per_second, 3.01 - 0.5 * 2.02, 1e-12);
  EXPECT_NEAR(p.copies_out_per_second, 3.01 - 0.5 * 2.02, 1e-12);

  in.idontwant = false;  // no IDONTWANT: nothing sent, nothing suppressed
  const ProfileRates off = refined(in).profiles.front();
  EXPECT_NEAR(off.copies_in_per_second, 3.01, 1e-12);
  EXPECT_EQ(off.idontwant_out_per_second, 0.0);
  EXPECT_EQ(off.out.wire[kIDontWant], 0.0);

  in.idontwant = true;
  in.payload_bytes = 800;  // WakuMessage 913 B: below the 1,024 B threshold
  EXPECT_FALSE(refined(in).idontwant_applies);
}

TEST(RefinedModel, GossipAndFloodPublishByHand) {
  // As mesh_only but 12 connections: 8 non-mesh peers, IHAVE to max(4, floor(0.25 x 8)) = 4.
  RefinedInputs in = mesh_only();
  in.profiles = {member_profile(100, 12)};
  const RefinedResult r = refined(in);
  const ProfileRates& p = r.profiles.front();
  EXPECT_EQ(p.gossip_targets, 4.0);
  // Flood publish: X = 100 x 0.01 x 8 = 8/s; each node's share is 1% on both link kinds.
  EXPECT_NEAR(p.copies_out_per_second, 2.97 + 0.01 * 12 + 0.08, 1e-12);
  EXPECT_NEAR(p.copies_in_per_second, 3.01 + 0.08 + 0.08, 1e-12);
  EXPECT_NEAR(p.idontwant_out_per_second, 2.97 + 0.08, 1e-12);
  EXPECT_NEAR(p.idontwant_in_per_second, 2.97 + 0.08, 1e-12);

  // Window k ~ Poisson(3): IHAVE = 22 + 34 k bytes for k = 1..3, 24 + 34 k from k = 4 (2-byte
  // lengths), nothing for k = 0. E = 34 x 3 + 22 P(k >= 1) + 2 P(k >= 4).
  const double e3 = std::exp(-3.0);
  const double p_ge1 = 1 - e3;
  const double p_ge4 = 1 - e3 * (1 + 3 + 4.5 + 4.5);
  const double ihave = 102 + 22 * p_ge1 + 2 * p_ge4;
  EXPECT_NEAR(r.ihave_ids_mean, 3.0, 1e-12);
  EXPECT_NEAR(r.ihave_rpc_bytes_mean, ihave / p_ge1, 1e-9);
  EXPECT_NEAR(p.out.app[kIHave], 4 * ihave * 8, 1e-6);
  EXPECT_NEAR(p.in.app[kIHave], 4 * ihave * 8, 1e-6);  // 100 x 4 IHAVEs over 800 endpoints x 8
  EXPECT_NEAR(p.ihave_out_per_second, 4 * p_ge1, 1e-12);
  // IWANT: j ~ Poisson(0.01 x 3) ids, 4 + 34 j bytes for j <= 3 (P(j >= 4) ~ 3e-8).
  const double iwant = 34 * 0.03 + 4 * (1 - std::exp(-0.03));
  EXPECT_NEAR(p.out.app[kIWant], 4 * iwant * 8, 1e-4);
  EXPECT_NEAR(p.iwant_replies_out_per_second, 4 * 0.03, 1e-12);
  // Messages: copies plus the IWANT replies (2,185 B per message, linear in j).
  EXPECT_NEAR(p.out.app[kMessage], (3.17 + 0.12) * 2185 * 8, 1e-6);
  EXPECT_NEAR(p.in.app[kMessage], (3.17 + 0.12) * 2185 * 8, 1e-6);
}

TEST(RefinedModel, ConservesBytesAcrossAMixedNetwork) {
  // 20 fleet nodes (D 6, 40 connections, silent) and 980 members (D 4, 12 connections): whatever
  // one node sends another receives, per kind and level, summed over the network.
  RefinedInputs in;
  in.profiles = {fleet_profile(20), member_profile(980)};
  in.idontwant_suppression = 0.3;
  const RefinedResult r = refined(in);
  ASSERT_EQ(r.profiles.size(), 2u);
  EXPECT_NEAR(r.mean_mesh_degree, (20 * 6 + 980 * 4) / 1000.0, 1e-12);
  for (std::size_t k = 0; k < kByteKinds; ++k) {
    double in_app = 0, out_app = 0, in_wire = 0, out_wire = 0;
    for (const ProfileRates& p : r.profiles) {
      in_app += p.count * p.in.app[k];
      out_app += p.count * p.out.app[k];
      in_wire += p.count * p.in.wire[k];
      out_wire += p.count * p.out.wire[k];
    }
    EXPECT_NEAR(in_app, out_app, 1e-6 * (1 + out_app)) << k;
    EXPECT_NEAR(in_wire, out_wire, 1e-6 * (1 + out_wire)) << k;
  }
  double copies_in = 0, copies_out = 0;
  for (const ProfileRates& p : r.profiles) {
    copies_in += p.count * p.copies_in_per_second;
    copies_out += p.count * p.copies_out_per_second;
  }
  EXPECT_NEAR(copies_in, copies_out, 1e-9 * copies_out);
  // The fleet has more mesh peers and more non-mesh peers: it carries more than a member.
  const ProfileRates& fleet = r.profiles[0];
  const ProfileRates& member = r.profiles[1];
  EXPECT_EQ(fleet.gossip_targets, 8.0);  // max(6, floor(0.25 x 34))
  EXPECT_GT(fleet.in.wire_total(), member.in.wire_total());
  EXPECT_EQ(fleet.publish_per_second, 0.0);
  EXPECT_NEAR(r.messages_per_second, 980 * 5 / 3600.0, 1e-12);
  EXPECT_NEAR(r.all.in.app_total(),
              (20 * fleet.in.app_total() + 980 * member.in.app_total()) / 1000.0, 1e-6);
}

TEST(RefinedModel, HomogeneousD6MatchesThePublishedCopyCount) {
  // All 10,000 nodes at D = 6, as the published model: each receives d - 1 = 5 copies per
  // message (plus flood-publish extras of order (c - D) / N).
  RefinedInputs in;
  RelayProfile p = member_profile(10'000);
  p.gossip.d = 6;
  p.gossip.d_lazy = 6;
  in.profiles = {p};
  in.payload_bytes = 2000;
  const RefinedResult r = refined(in);
  const double lambda = 10'000 * 5 / 3600.0;
  EXPECT_NEAR(r.profiles.front().copies_in_per_second, 5 * lambda, 0.005 * lambda);
  // Unique payload 13.9 msg/s: the IHAVE of ~42 ids is ~1.44 KB (reference §4.4).
  EXPECT_NEAR(r.ihave_ids_mean, 41.67, 0.01);
  EXPECT_NEAR(r.ihave_rpc_bytes_mean, 1440, 10);
}

TEST(RefinedModel, RejectsBadInputs) {
  RefinedInputs in = mesh_only();
  in.profiles.front().connections = 3;  // below d
  EXPECT_EQ(refined_for(in).error().code, Errc::kInvalidArgument);
  in = mesh_only();
  in.profiles.front().connections = 100;  // as many peers as nodes
  EXPECT_FALSE(refined_for(in).has_value());
  in = mesh_only();
  in.idontwant_suppression = 2;
  EXPECT_FALSE(refined_for(in).has_value());
  in = mesh_only();
  in.payload_bytes = 200'000;
  EXPECT_EQ(refined_for(in).error().code, Errc::kTooLarge);
  in = mesh_only();
  in.profiles = {member_profile(1, 0)};
  EXPECT_FALSE(refined_for(in).has_value());
  in = mesh_only();
  in.profiles.front().gossip.heartbeat_interval = Duration::zero();
  EXPECT_FALSE(refined_for(in).has_value());
}

// ---- reports ----

Comparison default_comparison() {
  Comparison c;
  c.published = published_at(10'000);
  c.refined = refined(c.refined_inputs);
  return c;
}

TEST(Reports, TextShowsBothModels) {
  const std::string text = format_text(default_comparison());
  EXPECT_NE(text.find("817.25 MB/h"), std::string::npos) << text;
  EXPECT_NE(text.find("3.632 Mbps"), std::string::npos);
  EXPECT_NE(text.find("3.809 Mbps if MB = MiB"), std::string::npos);
  EXPECT_NE(text.find("0.733 s"), std::string::npos);
  EXPECT_NE(text.find("member: 10000 nodes, D = 4"), std::string::npos);
  EXPECT_NE(text.find("idontwant"), std::string::npos);
  EXPECT_NE(text.find("x the published"), std::string::npos);
}

TEST(Reports, JsonRoundTrips) {
  const Comparison c = default_comparison();
  const boost::json::value v = boost::json::parse(format_json(c));
  const auto& published = v.at("published").at("results");
  EXPECT_NEAR(published.at("case4_2023_mb_per_hour").at("total").as_double(), 817.25, 1e-9);
  EXPECT_NEAR(published.at("in_out_mbps").as_double(), 3.632, 0.001);
  const auto& member = v.at("refined").at("results").at("profiles").at(0);
  EXPECT_EQ(member.at("name").as_string(), "member");
  EXPECT_NEAR(member.at("out").at("wire_bps").at("total").as_double(),
              c.refined.profiles.front().out.wire_total(), 1e-6);
  EXPECT_NEAR(member.at("wire_ratio_to_published").as_double(),
              c.refined.profiles.front().in_out_wire_bps() / (c.published.in_out_mbps * 1e6),
              1e-12);
}

}  // namespace
}  // namespace waku::sim::model
