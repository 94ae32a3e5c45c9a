// Capacity model: closed-form bandwidth of one Waku relay shard, for `wakusim model` and for
// `wakusim run --compare-model`.
//
// Two models side by side. The *published* model is Daniel Kaiser's (vacp2p/research
// `waku_scalability`, Feb-2023 case 4), the arithmetic behind the forum's "10K nodes per shard at
// roughly 4 Mbps": 817.25 MB/h of ingress per node at 10,000 nodes, x2 for in + out = 3.63 Mbps.
// It is reproduced exactly, with its other cases, the 2025 variants and its latency estimate
// (reference: ../shared/reference/gossipsub.md §4). The *refined* model asks the same question
// the way the simulator measures it: per second, per node, per profile (nwaku fleet nodes and
// go-waku members), split by kind (message, IHAVE, IWANT, IDONTWANT, GRAFT/PRUNE, subscriptions),
// at two levels: application bytes (the encoded gossipsub RPC frames, computed by protobuf
// arithmetic) and wire bytes (those frames through varint framing, yamux, Noise and TCP/IP, see
// network/wire_overhead.hpp). Everything is arithmetic on expected values: no randomness, no
// simulation, instant for any network size.
//
// Refined model: counting (read this before trusting a number)
//
// Notation: profile P has count n_P, mesh degree D_P, shard connections c_P (mesh + non-mesh),
// publishing rate p_P = active_fraction * rate / 3600 msg/s per node. N = sum n_P nodes,
// network rate lambda = sum n_P p_P msg/s, mean mesh degree Dm = sum n_P D_P / N, publishers'
// mean degree Dp = sum n_P p_P D_P / lambda.
//
// 1. Mesh copies. One message from source s spreads over the mesh (a connected graph). s sends
//    it to its D_s mesh peers; every other node v, on its first receipt, forwards it to its D_v
//    mesh peers except the one it came from (it does not know who else has it). So the message
//    crosses the mesh in exactly
//        T = D_s + sum_{v != s} (D_v - 1) = N*Dm - (N - 1) transmissions,
//    which is the 2025 model's "upper bound" N(D-1)+1. The first-receipt edges form a spanning
//    tree (N - 1 edges): s's D_s mesh peers all get their first copy from s (triangle
//    inequality), the other N - 1 - D_s tree edges hang below. Node v (not s) receives one copy
//    from each mesh peer except its tree children (peers that got their first copy from v; they
//    do not send it back). Mean field: a node is chosen as a parent with probability
//    proportional to its mesh degree (the far end of a random mesh edge), so
//        E[children_v] = D_v * chi,   chi = (N - 1 - Dp) / (N*Dm - Dp),
//        E[copies received by v] = D_v * kappa,   kappa = 1 - chi = (N*Dm - N + 1) / (N*Dm - Dp),
//    and v sends D_v - 1. Homogeneous D at large N: kappa -> (D-1)/D, so every node receives
//    D - 1 copies (D - 2 duplicates) and sends D - 1: the published model's R = r*n*(d-1).
//    A node receives no copy of its own message (its mesh peers are its children). Summed over
//    nodes, copies received equal copies sent exactly (the tests check this per kind).
// 2. Flood publish (on in nwaku and go-waku): the publisher also sends to its c - D non-mesh
//    peers. Each such peer w gets its first copy off the mesh, so it forwards to all D_w mesh
//    peers (one more than usual: its former tree parent now receives a duplicate). Network-wide
//    that is X = sum n_P p_P (c_P - D_P) extra sends and X extra forwards per second; the first
//    land on nodes in proportion to their non-mesh connections, the second in proportion to
//    their mesh degree.
// 3. IDONTWANT (gossipsub v1.2), when the encoded WakuMessage is at least the threshold (1024 B):
//    on its first receipt a node sends one IDONTWANT RPC (one id) to every mesh peer except the
//    sender (go-libp2p, js, our router). So IDONTWANT sends mirror the forwards of point 1 and 2.
//    `idontwant_suppression` is the fraction of duplicate copies it avoids. Default 0, an upper
//    bound on bandwidth: the IDONTWANT only helps if it reaches the peer before that peer starts
//    sending its own copy, but in a mesh both neighbours forward on their first receipt at about
//    the same moment, so their copies and IDONTWANTs cross in flight on the same link. It pays
//    off when sending a copy takes long (large messages, slow uplinks); Vac measured 15-21% less
//    total bandwidth (reference gossipsub.md §9). The simulator measures the real share.
// 4. IHAVE: every heartbeat a node advertises the ids of its gossip window (history_gossip
//    heartbeats: k ~ Poisson(lambda * heartbeat * history_gossip) ids, at most max_ihave_length)
//    in one RPC to each of g = min(c - D, max(d_lazy, floor(gossip_factor * (c - D)))) non-mesh
//    peers, and nothing when the window is empty (go-libp2p emitGossip, our router). Received
//    IHAVEs land on nodes in proportion to their non-mesh connections. Sizes are expectations
//    over k (the varint lengths and the per-frame wire overhead make them non-linear in k).
// 5. IWANT: as in the published model, a fraction `iwant_reply_ratio` of the advertised ids is
//    requested: one IWANT RPC per IHAVE with j ~ Poisson(ratio * E[k]) ids, answered by one RPC
//    carrying the j messages (counted as kind "message"; go-libp2p batches the reply).
// 6. GRAFT/PRUNE and subscriptions: only on mesh or membership changes; ~0 in a steady shard.
//
// Every RPC is its own frame (wire_cost per frame). A frame u -> v costs u wire-out and v wire-in
// its sender bytes; v's ACK segments are v's wire-out and u's wire-in, under the frame's kind.
// Not modelled: mesh degrees drifting inside [d_low, d_high] (each node is taken at its D),
// implementations that also skip peers seen sending the message during validation, IDONTWANT on
// publish (a rust-libp2p option), GRAFT/PRUNE churn, the hello RPC, connection handshakes.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/network/wire_overhead.hpp"
#include "sim/report/run_result.hpp"
#include "waku/base/result.hpp"
#include "waku/relay/config.hpp"

namespace waku::sim::model {

// ---------------------------------------------------------------------------------------------
// Published model (VACR waku_scalability: assumptions.py, cases.py; Feb-2023 waku_scaling.py)
// ---------------------------------------------------------------------------------------------

// Names follow assumptions.py. "MB" is 10^6 bytes here; the original prints sizes with a factor
// of 1024 (0.002 MB shows as "2.05KB"), so the MiB reading is reported alongside.
struct PublishedInputs {
  double nodes = 10'000;                    // n: avg_nodes_per_shard (A09)
  double d = 6;                             // average_node_degree (d-regular mesh)
  double messages_per_node_per_hour = 5;    // r: messages_sent_per_hour (A02)
  double message_size_mb = 0.002;           // s
  double gossip_message_size_mb = 0.00005;  // g: one IHAVE / IWANT entry, 50 B
  double d_lazy = 6;
  double mcache_gossip = 3;             // history_gossip
  double reply_ratio = 0.01;            // rho: avg_ratio_gossip_replys ("a wild guess")
  double shards_per_node = 3;           // avg_shards_per_node (A10), sharding cases
  double max_nodes_per_shard = 10'000;  // sharding cases cap a shard at this size
  double delay_per_hop_seconds = 0.1;   // average_delay_per_hop (latency case)
  double peer_bandwidth_mbps = 30;      // average_peer_bandwidth (2025 latency case)
};

// Case 4 ingress per node in MB/h, by part.
struct PublishedCase4 {
  double messages = 0;  // s * received copies
  double ihave = 0;     // IHAVE entries * g
  double iwant = 0;     // requested entries * (g + s) in 2023, * s in 2025
  [[nodiscard]] double total() const { return messages + ihave + iwant; }
};

// Ingress per node in MB/h unless the name says otherwise.
struct PublishedResult {
  double case1 = 0;       // s*r*n: a store / naive light node receives every message once
  double case2 = 0;       // s*r*n*d/2: each message once per mesh edge (needs send delays)
  double case3_2023 = 0;  // s*r*n*(d-1): forward to d-1 peers
  double case3_2025 = 0;  // s*r*(n*(d-1)+1)
  // 2023: R = r*n*(d-1); R*s + R*d_lazy*mcg*g + R*d_lazy*mcg*(g+s)*rho. The forum's numbers.
  PublishedCase4 case4_2023;
  // 2025: IH = r*n*d_lazy*mcg; s*r*(n(d-1)+1) + IH*g + IH*s*rho.
  PublishedCase4 case4_2025;
  // Sharding 1: shards_per_node * L4(min(n/shards_per_node, max)); sharding 2 adds a 1:1-chat
  // shard: + L4(min(n, max)) (A12).
  double sharding1_2023 = 0;
  double sharding2_2023 = 0;
  double sharding1_2025 = 0;
  double sharding2_2025 = 0;
  // Case 4 (2023) as a rate. The doc: "multiply results by 2" for ingress + egress.
  double ingress_mbps = 0;        // MB = 10^6 B
  double in_out_mb_per_hour = 0;  // 2 * case 4
  double in_out_mbps = 0;         // the "~4 Mbps": 3.63 at 10K nodes
  double in_out_mbps_mib = 0;     // the same with MB = 2^20 B: 3.81
  // Latency, 2025: h = ceil(log_d n) hops of (delay + rate / bandwidth), with
  // rate = n*r*s*(d/2)*8/3600 Mbps. 2023: log_d(n) * delay.
  int latency_hops = 0;
  double latency_rate_mbps = 0;
  double latency_2025_seconds = 0;
  double latency_2023_seconds = 0;
};

// Fails (kInvalidArgument) on n < 1, d <= 1 (log_d), negative sizes or rates, rho outside [0, 1].
Result<PublishedResult> published_model(const PublishedInputs& in);

// MB/h (10^6 B) to Mbps (10^6 bit/s).
double mb_per_hour_to_mbps(double mb_per_hour);

// ---------------------------------------------------------------------------------------------
// Refined model
// ---------------------------------------------------------------------------------------------

// A class of relay nodes in the shard.
struct RelayProfile {
  std::string name;  // "fleet", "member", ... (reports)
  std::size_t count = 0;
  double active_fraction = 1.0;  // share of the class that publishes
  std::size_t connections = 12;  // peers subscribed to the shard: mesh + non-mesh (>= d)
  // d, d_lazy, history_gossip, heartbeat_interval, gossip_factor, flood_publish,
  // max_ihave_length and idontwant_message_size_threshold are used.
  relay::GossipsubParams gossip;
};

// nwaku infrastructure node: RouterConfig::fleet() (D 6, d_lazy 6), 40 connections, publishes
// nothing of its own.
RelayProfile fleet_profile(std::size_t count, std::size_t connections = 40);
// Status client (go-waku): RouterConfig::client() (D 4, d_lazy 4), 12 connections, publishes.
RelayProfile member_profile(std::size_t count, std::size_t connections = 12);

// The WakuMessage a member publishes, for its encoded size (14/WAKU2-MESSAGE field by field).
struct WakuMessageShape {
  std::string pubsub_topic = "/waku/2/rs/16/32";  // Status cluster 16, default shard 32
  std::string content_topic = "/status/1/community-chat/proto";
  bool version = true;                                    // version = 0 written explicitly
  std::int64_t timestamp_ns = 1'750'000'000'000'000'000;  // 2025: a 9-byte zig-zag varint
  std::size_t meta_bytes = 64;             // protected shard: 64-byte community signature
  std::size_t rate_limit_proof_bytes = 0;  // RLN proof (not used by Status communities)
  bool ephemeral = false;                  // written only when true
};

struct RefinedInputs {
  // Default: 10,000 members and no fleet node.
  std::vector<RelayProfile> profiles = {member_profile(10'000)};
  double messages_per_node_per_hour = 5;  // per publishing node
  std::size_t payload_bytes = 2048;       // WakuMessage payload
  WakuMessageShape message;
  bool idontwant = true;             // gossipsub v1.2 on every node
  double idontwant_suppression = 0;  // in [0, 1]; see point 3 above
  double iwant_reply_ratio = 0.01;   // the published model's rho
  WireStack wire;
};

// Bits per second by ByteKind.
using KindRates = std::array<double, kByteKinds>;

struct LevelRates {
  KindRates app{};   // encoded gossipsub RPC frames
  KindRates wire{};  // on the wire: framing, yamux, Noise, TCP/IP headers, ACKs
  [[nodiscard]] double app_total() const;
  [[nodiscard]] double wire_total() const;
};

// Mean rates of one node of a profile.
struct ProfileRates {
  std::string name;
  std::size_t count = 0;
  std::size_t d = 0;
  std::size_t d_lazy = 0;
  std::size_t connections = 0;
  double publish_per_second = 0;
  double gossip_targets = 0;        // peers sent an IHAVE per heartbeat (window non-empty)
  double ihave_out_per_second = 0;  // IHAVE RPCs actually sent (empty windows send none)
  double ihave_in_per_second = 0;
  double copies_in_per_second = 0;  // message copies by mesh and flood publish
  double copies_out_per_second = 0;
  double duplicates_in_per_second = 0;     // copies_in minus first receipts
  double iwant_replies_in_per_second = 0;  // messages received in IWANT replies
  double iwant_replies_out_per_second = 0;
  double idontwant_in_per_second = 0;  // IDONTWANT RPCs (one id each)
  double idontwant_out_per_second = 0;
  LevelRates in;
  LevelRates out;
  [[nodiscard]] double in_out_wire_bps() const { return in.wire_total() + out.wire_total(); }
  [[nodiscard]] double in_out_app_bps() const { return in.app_total() + out.app_total(); }
};

struct RefinedResult {
  double messages_per_second = 0;  // lambda, network-wide
  double mean_mesh_degree = 0;     // Dm
  double kappa = 0;                // copies received per message per unit of mesh degree
  bool idontwant_applies = false;  // enabled and the message reaches the threshold
  // Sizes of one frame (bytes).
  std::size_t waku_message_bytes = 0;   // encoded WakuMessage (gossipsub Message.data)
  std::size_t message_rpc_bytes = 0;    // RPC with that one message
  WireCost message_wire;                // ... on the wire
  std::size_t idontwant_rpc_bytes = 0;  // RPC with one IDONTWANT id
  WireCost idontwant_wire;
  double ihave_ids_mean = 0;           // ids in the gossip window (first profile's parameters)
  double ihave_rpc_bytes_mean = 0;     // expected IHAVE RPC size when one is sent (ditto)
  std::vector<ProfileRates> profiles;  // in input order, profiles with count 0 left out
  ProfileRates all;                    // mean over all nodes (name "all")
};

// Fails (kInvalidArgument) on fewer than 2 nodes, a profile with d == 0, connections < d or
// connections >= nodes, a non-positive heartbeat, fractions outside [0, 1], negative rates,
// profiles with different IDONTWANT thresholds, or a WakuMessage above 150 KiB (kTooLarge).
Result<RefinedResult> refined_for(const RefinedInputs& in);

// Encoded sizes (protobuf arithmetic: tag + length varint + value per field).
std::size_t waku_message_bytes(std::size_t payload_bytes, const WakuMessageShape& shape);
// An RPC carrying `messages` StrictNoSign Messages {data (field 2), topic (field 4)}. The RPC has
// no outer length: n messages cost n times one.
std::size_t message_rpc_bytes(std::size_t data_bytes, std::string_view pubsub_topic,
                              std::size_t messages = 1);
// RPC{control{ihave{topic, ids}}} with 32-byte ids; 0 for no ids (nothing is sent).
std::size_t ihave_rpc_bytes(std::size_t ids, std::string_view pubsub_topic);
// RPC{control{iwant{ids}}}; 0 for no ids.
std::size_t iwant_rpc_bytes(std::size_t ids);
// RPC{control{idontwant{ids}}}; 0 for no ids.
std::size_t idontwant_rpc_bytes(std::size_t ids);

// E[f(k)] for k ~ Poisson(mean), summed over the range holding all but ~1e-15 of the mass.
// Exposed for the tests.
double poisson_expectation(double mean, const std::function<double(std::size_t)>& f);

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

struct Comparison {
  PublishedInputs published_inputs;
  PublishedResult published;
  RefinedInputs refined_inputs;
  RefinedResult refined;
};

// Both models as text tables (MB/h and Mbps for the published one, kbit/s per node for the
// refined one) with the refined totals as a ratio of the published in + out Mbps.
std::string format_text(const Comparison& c);
// {"published": {"inputs": ..., "results": ...}, "refined": {...}}; rates in bits per second.
boost::json::object to_json(const Comparison& c);
boost::json::object to_json(const PublishedInputs& in, const PublishedResult& r);
boost::json::object to_json(const RefinedInputs& in, const RefinedResult& r);
// to_json(c) serialized, with a trailing newline.
std::string format_json(const Comparison& c);

}  // namespace waku::sim::model
