#include "sim/model/capacity_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <utility>

#include "waku/base/varint.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::sim::model {

namespace {

constexpr double kBitsPerByte = 8.0;
constexpr double kSecondsPerHour = 3600.0;
constexpr double kMiBPerMB = 1'048'576.0 / 1'000'000.0;
// Waku message ids are sha256(data); an id in a repeated bytes field costs tag + length + 32.
constexpr std::size_t kIdBytes = 32;
constexpr std::size_t kIdEntryBytes = 1 + 1 + kIdBytes;

Unexpected invalid(const char* what) { return unexpected(Errc::kInvalidArgument, what); }

// tag (1 byte for field numbers below 16) + length varint + value.
std::size_t length_delimited(std::size_t value_bytes, std::size_t tag_bytes = 1) {
  return tag_bytes + uvarint_size(value_bytes) + value_bytes;
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

bool in_unit_interval(double x) { return x >= 0.0 && x <= 1.0; }

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

// ------------------------------------------------------------------------------------------------
// Published model
// ------------------------------------------------------------------------------------------------

double mb_per_hour_to_mbps(double mb_per_hour) {
  return mb_per_hour * kBitsPerByte / kSecondsPerHour;
}

Result<PublishedResult> published_model(const PublishedInputs& in) {
  if (!(in.nodes >= 1)) return invalid("published model: nodes must be at least 1");
  if (!(in.d > 1)) return invalid("published model: d must be above 1 (hops are log_d n)");
  if (!(in.messages_per_node_per_hour >= 0) || !(in.message_size_mb >= 0) ||
      !(in.gossip_message_size_mb >= 0) || !(in.d_lazy >= 0) || !(in.mcache_gossip >= 0)) {
    return invalid("published model: rates, sizes, d_lazy and mcache_gossip must be >= 0");
  }
  if (!in_unit_interval(in.reply_ratio))
    return invalid("published model: reply ratio not in [0,1]");
  if (!(in.shards_per_node > 0) || !(in.max_nodes_per_shard > 0)) {
    return invalid("published model: shards per node and max nodes per shard must be positive");
  }
  if (!(in.delay_per_hop_seconds >= 0) || !(in.peer_bandwidth_mbps > 0)) {
    return invalid("published model: hop delay must be >= 0 and peer bandwidth positive");
  }

  const double n = in.nodes;
  const double d = in.d;
  const double r = in.messages_per_node_per_hour;
  const double s = in.message_size_mb;
  const double g = in.gossip_message_size_mb;
  const double gossip = in.d_lazy * in.mcache_gossip;
  const double rho = in.reply_ratio;

  // Feb-2023 waku_scaling.py case 4: every received copy (R = r*n*(d-1)) is advertised again to
  // d_lazy peers in mcache_gossip heartbeats, and a share rho of those entries costs an IWANT
  // plus the message.
  const auto case4_2023 = [&](double nodes) {
    const double received = r * nodes * (d - 1);
    return PublishedCase4{received * s, received * gossip * g, received * gossip * (g + s) * rho};
  };
  // 2025 cases.py: IHAVE entries per message per node instead of per received copy.
  const auto case4_2025 = [&](double nodes) {
    const double ihave = r * nodes * gossip;
    return PublishedCase4{s * r * (nodes * (d - 1) + 1), ihave * g, ihave * s * rho};
  };

  PublishedResult out;
  out.case1 = s * r * n;
  out.case2 = s * r * (n * d / 2);
  out.case3_2023 = s * r * n * (d - 1);
  out.case3_2025 = s * r * (n * (d - 1) + 1);
  out.case4_2023 = case4_2023(n);
  out.case4_2025 = case4_2025(n);

  const double per_shard = std::min(n / in.shards_per_node, in.max_nodes_per_shard);
  const double one_to_one = std::min(n, in.max_nodes_per_shard);
  out.sharding1_2023 = in.shards_per_node * case4_2023(per_shard).total();
  out.sharding2_2023 = out.sharding1_2023 + case4_2023(one_to_one).total();
  out.sharding1_2025 = in.shards_per_node * case4_2025(per_shard).total();
  out.sharding2_2025 = out.sharding1_2025 + case4_2025(one_to_one).total();

  out.ingress_mbps = mb_per_hour_to_mbps(out.case4_2023.total());
  out.in_out_mb_per_hour = 2 * out.case4_2023.total();
  out.in_out_mbps = mb_per_hour_to_mbps(out.in_out_mb_per_hour);
  out.in_out_mbps_mib = out.in_out_mbps * kMiBPerMB;

  // ceil(log_d n) by repeated multiplication: exact when n is a power of d, where the float
  // logarithm can land just above the integer (Python's math.log(36, 6) is 2.0000000000000004).
  int hops = 0;
  for (double reach = 1; reach < n && hops < 10'000; reach *= d) ++hops;
  out.latency_hops = hops;
  out.latency_rate_mbps = n * r * s * (d / 2) * kBitsPerByte / kSecondsPerHour;
  out.latency_2025_seconds =
      hops * (in.delay_per_hop_seconds + out.latency_rate_mbps / in.peer_bandwidth_mbps);
  out.latency_2023_seconds = std::log(n) / std::log(d) * in.delay_per_hop_seconds;
  return out;
}

// ------------------------------------------------------------------------------------------------
// Encoded sizes
// ------------------------------------------------------------------------------------------------

std::size_t waku_message_bytes(std::size_t payload_bytes, const WakuMessageShape& shape) {
  // Field numbers: payload 1, content_topic 2, version 3, timestamp 10 (sint64), meta 11,
  // rate_limit_proof 21 (2-byte tag), ephemeral 31 (2-byte tag).
  std::size_t size = length_delimited(payload_bytes) + length_delimited(shape.content_topic.size());
  if (shape.version) size += 1 + uvarint_size(0);
  size += 1 + uvarint_size(zigzag(shape.timestamp_ns));
  if (shape.meta_bytes > 0) size += length_delimited(shape.meta_bytes);
  if (shape.rate_limit_proof_bytes > 0) size += length_delimited(shape.rate_limit_proof_bytes, 2);
  if (shape.ephemeral) size += 2 + 1;
  return size;
}

std::size_t message_rpc_bytes(std::size_t data_bytes, std::string_view pubsub_topic,
                              std::size_t messages) {
  // Message{data = 2, topic = 4} inside RPC.publish (field 2).
  const std::size_t message = length_delimited(data_bytes) + length_delimited(pubsub_topic.size());
  return messages * length_delimited(message);
}

namespace {

// RPC{control (3){<entry field>{...}}} around an entry of `entry_bytes`.
std::size_t control_rpc(std::size_t entry_bytes) {
  return length_delimited(length_delimited(entry_bytes));
}

}  // namespace

std::size_t ihave_rpc_bytes(std::size_t ids, std::string_view pubsub_topic) {
  if (ids == 0) return 0;
  return control_rpc(length_delimited(pubsub_topic.size()) + ids * kIdEntryBytes);
}

std::size_t iwant_rpc_bytes(std::size_t ids) {
  return ids == 0 ? 0 : control_rpc(ids * kIdEntryBytes);
}

std::size_t idontwant_rpc_bytes(std::size_t ids) {
  return ids == 0 ? 0 : control_rpc(ids * kIdEntryBytes);
}

double poisson_expectation(double mean, const std::function<double(std::size_t)>& f) {
  if (!(mean > 0)) return f(0);
  // 12 standard deviations (plus a margin for small means) leave less than 1e-15 of the mass
  // outside; the pmf is evaluated in log space so large means do not overflow.
  const double sd = std::sqrt(mean);
  const auto lo = static_cast<std::size_t>(std::max(0.0, std::floor(mean - 12 * sd - 10)));
  const auto hi = static_cast<std::size_t>(std::ceil(mean + 12 * sd + 30));
  const double log_mean = std::log(mean);
  // log(k!) accumulated term by term (std::lgamma writes the global signgam: not thread-safe).
  double log_factorial = 0;
  for (std::size_t i = 2; i <= lo; ++i) log_factorial += std::log(static_cast<double>(i));
  double sum = 0;
  for (std::size_t k = lo; k <= hi; ++k) {
    const double kd = static_cast<double>(k);
    if (k > lo) log_factorial += std::log(kd);
    const double pk = std::exp(kd * log_mean - mean - log_factorial);
    sum += pk * f(k);
  }
  return sum;
}

// ------------------------------------------------------------------------------------------------
// Refined model
// ------------------------------------------------------------------------------------------------

RelayProfile fleet_profile(std::size_t count, std::size_t connections) {
  RelayProfile p;
  p.name = "fleet";
  p.count = count;
  p.active_fraction = 0.0;
  p.connections = connections;
  p.gossip = relay::RouterConfig::fleet().gossip;
  return p;
}

RelayProfile member_profile(std::size_t count, std::size_t connections) {
  RelayProfile p;
  p.name = "member";
  p.count = count;
  p.active_fraction = 1.0;
  p.connections = connections;
  p.gossip = relay::RouterConfig::client().gossip;
  return p;
}

double LevelRates::app_total() const {
  double sum = 0;
  for (const double v : app) sum += v;
  return sum;
}

double LevelRates::wire_total() const {
  double sum = 0;
  for (const double v : wire) sum += v;
  return sum;
}

namespace {

// Expected bytes of one frame event: its application size, the sender's wire bytes and the
// receiver's ACK bytes (all 0 when nothing is sent).
struct Frame {
  double app = 0;
  double sender = 0;
  double ack = 0;
};

Frame fixed_frame(std::size_t app_bytes, const WireStack& stack) {
  if (app_bytes == 0) return {};
  const WireCost cost = wire_cost(app_bytes, stack);
  return {static_cast<double>(app_bytes), static_cast<double>(cost.sender_bytes),
          static_cast<double>(cost.receiver_bytes)};
}

// E over k ~ Poisson(mean) of a frame of size_of(k) bytes.
Frame poisson_frame(double mean, const std::function<std::size_t(std::size_t)>& size_of,
                    const WireStack& stack) {
  Frame f;
  f.app = poisson_expectation(mean, [&](std::size_t k) { return static_cast<double>(size_of(k)); });
  f.sender = poisson_expectation(
      mean, [&](std::size_t k) { return fixed_frame(size_of(k), stack).sender; });
  f.ack =
      poisson_expectation(mean, [&](std::size_t k) { return fixed_frame(size_of(k), stack).ack; });
  return f;
}

// Bytes per second a node sends and receives, by kind, before they become LevelRates.
struct Flows {
  KindRates sent_app{}, sent_sender{}, sent_ack{};
  KindRates recv_app{}, recv_sender{}, recv_ack{};

  void send(ByteKind kind, double per_second, const Frame& f) {
    const auto k = static_cast<std::size_t>(kind);
    sent_app[k] += per_second * f.app;
    sent_sender[k] += per_second * f.sender;
    sent_ack[k] += per_second * f.ack;
  }
  void receive(ByteKind kind, double per_second, const Frame& f) {
    const auto k = static_cast<std::size_t>(kind);
    recv_app[k] += per_second * f.app;
    recv_sender[k] += per_second * f.sender;
    recv_ack[k] += per_second * f.ack;
  }
  // The sender's bytes travel with the frame; the ACKs the receiver sends travel back.
  void to_rates(LevelRates& in, LevelRates& out) const {
    for (std::size_t k = 0; k < kByteKinds; ++k) {
      in.app[k] = recv_app[k] * kBitsPerByte;
      in.wire[k] = (recv_sender[k] + sent_ack[k]) * kBitsPerByte;
      out.app[k] = sent_app[k] * kBitsPerByte;
      out.wire[k] = (sent_sender[k] + recv_ack[k]) * kBitsPerByte;
    }
  }
};

// Per sender profile: what one heartbeat's gossip to one target costs, on average.
struct GossipCost {
  double ihave_per_second = 0;  // IHAVE frames this profile's nodes send, per node (if non-empty)
  double window_nonempty = 0;   // P(k >= 1)
  double ids_mean = 0;          // E[min(k, max_ihave_length)]
  double replies_mean = 0;      // E[j]: messages requested per IHAVE
  Frame ihave;
  Frame iwant;
  Frame reply;
};

Result<void> validate(const RefinedInputs& in, std::size_t nodes) {
  if (nodes < 2) return invalid("refined model: at least 2 nodes are needed");
  if (!(in.messages_per_node_per_hour >= 0)) return invalid("refined model: negative rate");
  if (!in_unit_interval(in.idontwant_suppression)) {
    return invalid("refined model: idontwant suppression not in [0,1]");
  }
  if (!in_unit_interval(in.iwant_reply_ratio)) {
    return invalid("refined model: iwant reply ratio not in [0,1]");
  }
  const RelayProfile* first = nullptr;
  for (const RelayProfile& p : in.profiles) {
    if (p.count == 0) continue;
    if (p.gossip.d == 0) return invalid("refined model: a profile has mesh degree 0");
    if (p.connections < p.gossip.d) return invalid("refined model: connections below d");
    if (p.connections >= nodes) return invalid("refined model: connections must be below nodes");
    if (p.gossip.heartbeat_interval <= Duration::zero()) {
      return invalid("refined model: heartbeat interval must be positive");
    }
    if (!in_unit_interval(p.active_fraction) || !in_unit_interval(p.gossip.gossip_factor)) {
      return invalid("refined model: active fraction or gossip factor not in [0,1]");
    }
    if (first != nullptr && first->gossip.idontwant_message_size_threshold !=
                                p.gossip.idontwant_message_size_threshold) {
      return invalid("refined model: profiles must share the IDONTWANT threshold");
    }
    first = &p;
  }
  if (waku_message_bytes(in.payload_bytes, in.message) > message::kMaxMessageSizeBytes) {
    return unexpected(Errc::kTooLarge, "refined model: WakuMessage above 150 KiB");
  }
  return {};
}

std::size_t gossip_targets(const RelayProfile& p) {
  const std::size_t non_mesh = p.connections - p.gossip.d;
  const auto by_factor =
      static_cast<std::size_t>(p.gossip.gossip_factor * static_cast<double>(non_mesh));
  return std::min(non_mesh, std::max(p.gossip.d_lazy, by_factor));
}

void add_scaled(ProfileRates& acc, const ProfileRates& p, double w) {
  acc.publish_per_second += w * p.publish_per_second;
  acc.gossip_targets += w * p.gossip_targets;
  acc.ihave_out_per_second += w * p.ihave_out_per_second;
  acc.ihave_in_per_second += w * p.ihave_in_per_second;
  acc.copies_in_per_second += w * p.copies_in_per_second;
  acc.copies_out_per_second += w * p.copies_out_per_second;
  acc.duplicates_in_per_second += w * p.duplicates_in_per_second;
  acc.iwant_replies_in_per_second += w * p.iwant_replies_in_per_second;
  acc.iwant_replies_out_per_second += w * p.iwant_replies_out_per_second;
  acc.idontwant_in_per_second += w * p.idontwant_in_per_second;
  acc.idontwant_out_per_second += w * p.idontwant_out_per_second;
  for (std::size_t k = 0; k < kByteKinds; ++k) {
    acc.in.app[k] += w * p.in.app[k];
    acc.in.wire[k] += w * p.in.wire[k];
    acc.out.app[k] += w * p.out.app[k];
    acc.out.wire[k] += w * p.out.wire[k];
  }
}

}  // namespace

Result<RefinedResult> refined_for(const RefinedInputs& in) {
  std::vector<const RelayProfile*> profiles;
  std::size_t node_count = 0;
  for (const RelayProfile& p : in.profiles) {
    if (p.count == 0) continue;
    profiles.push_back(&p);
    node_count += p.count;
  }
  if (Result<void> ok = validate(in, node_count); !ok) return ok.error();

  const double nodes = static_cast<double>(node_count);
  const double rate = in.messages_per_node_per_hour / kSecondsPerHour;
  double lambda = 0;          // network messages per second
  double mesh_endpoints = 0;  // N * Dm
  double non_mesh_endpoints = 0;
  double publisher_degree = 0;  // sum n p D, divided by lambda below
  double flood_extra = 0;       // X: flood-publish sends beyond the mesh, per second
  for (const RelayProfile* p : profiles) {
    const double n = static_cast<double>(p->count);
    const double publish = p->active_fraction * rate;
    const double d = static_cast<double>(p->gossip.d);
    const double non_mesh = static_cast<double>(p->connections - p->gossip.d);
    lambda += n * publish;
    mesh_endpoints += n * d;
    non_mesh_endpoints += n * non_mesh;
    publisher_degree += n * publish * d;
    if (p->gossip.flood_publish) flood_extra += n * publish * non_mesh;
  }
  const double mean_degree = mesh_endpoints / nodes;
  // With nobody publishing the source's degree does not matter; use the mean.
  const double source_degree = lambda > 0 ? publisher_degree / lambda : mean_degree;
  const double kappa = (mesh_endpoints - nodes + 1) / (mesh_endpoints - source_degree);
  const double chi = 1 - kappa;

  RefinedResult result;
  result.messages_per_second = lambda;
  result.mean_mesh_degree = mean_degree;
  result.kappa = kappa;
  result.waku_message_bytes = waku_message_bytes(in.payload_bytes, in.message);
  result.message_rpc_bytes = message_rpc_bytes(result.waku_message_bytes, in.message.pubsub_topic);
  result.message_wire = wire_cost(result.message_rpc_bytes, in.wire);
  result.idontwant_rpc_bytes = idontwant_rpc_bytes(1);
  result.idontwant_wire = wire_cost(result.idontwant_rpc_bytes, in.wire);
  result.idontwant_applies =
      in.idontwant && !profiles.empty() &&
      result.waku_message_bytes >= profiles.front()->gossip.idontwant_message_size_threshold;

  const Frame message_frame = fixed_frame(result.message_rpc_bytes, in.wire);
  const Frame idontwant_frame = fixed_frame(result.idontwant_rpc_bytes, in.wire);
  const std::string_view topic = in.message.pubsub_topic;
  const std::size_t data_bytes = result.waku_message_bytes;

  // Gossip emitted by one node of each profile.
  std::vector<GossipCost> gossip(profiles.size());
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const relay::GossipsubParams& g = profiles[i]->gossip;
    const double heartbeat = seconds(g.heartbeat_interval);
    const double window_mean = lambda * heartbeat * static_cast<double>(g.history_gossip);
    const std::size_t cap = g.max_ihave_length;
    GossipCost& c = gossip[i];
    c.ihave_per_second = static_cast<double>(gossip_targets(*profiles[i])) / heartbeat;
    c.window_nonempty = 1 - std::exp(-window_mean);
    c.ids_mean = poisson_expectation(
        window_mean, [cap](std::size_t k) { return static_cast<double>(std::min(k, cap)); });
    c.ihave = poisson_frame(
        window_mean, [&](std::size_t k) { return ihave_rpc_bytes(std::min(k, cap), topic); },
        in.wire);
    c.replies_mean = in.iwant_reply_ratio * c.ids_mean;
    c.iwant = poisson_frame(c.replies_mean, iwant_rpc_bytes, in.wire);
    c.reply = poisson_frame(
        c.replies_mean, [&](std::size_t j) { return message_rpc_bytes(data_bytes, topic, j); },
        in.wire);
  }
  if (!profiles.empty()) {
    result.ihave_ids_mean = gossip.front().ids_mean;
    result.ihave_rpc_bytes_mean = gossip.front().window_nonempty > 0
                                      ? gossip.front().ihave.app / gossip.front().window_nonempty
                                      : 0;
  }

  const double suppression = result.idontwant_applies ? in.idontwant_suppression : 0.0;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const RelayProfile& p = *profiles[i];
    const double d = static_cast<double>(p.gossip.d);
    const double non_mesh = static_cast<double>(p.connections - p.gossip.d);
    const double publish = p.active_fraction * rate;
    const double others = lambda - publish;  // messages this node did not publish, per second
    const double publish_fanout = p.gossip.flood_publish ? static_cast<double>(p.connections) : d;
    const double mesh_share = d / mesh_endpoints;
    const double non_mesh_share = non_mesh_endpoints > 0 ? non_mesh / non_mesh_endpoints : 0.0;

    ProfileRates r;
    r.name = p.name;
    r.count = p.count;
    r.d = p.gossip.d;
    r.d_lazy = p.gossip.d_lazy;
    r.connections = p.connections;
    r.publish_per_second = publish;

    // Points 1 and 2 of the header.
    const double copies_out =
        others * (d - 1) + publish * publish_fanout + flood_extra * non_mesh_share;
    const double copies_in =
        others * d * kappa + flood_extra * non_mesh_share + flood_extra * mesh_share;
    const double first_out = others * d * chi + publish * publish_fanout - flood_extra * mesh_share;
    const double duplicates_out = std::max(0.0, copies_out - first_out);
    const double duplicates_in = std::max(0.0, copies_in - others);
    r.copies_out_per_second = copies_out - suppression * duplicates_out;
    r.copies_in_per_second = copies_in - suppression * duplicates_in;
    r.duplicates_in_per_second = duplicates_in * (1 - suppression);

    // Point 3: one IDONTWANT per forward, none back to the sender or to the publisher.
    if (result.idontwant_applies) {
      r.idontwant_out_per_second = others * (d - 1) + flood_extra * non_mesh_share;
      r.idontwant_in_per_second = std::max(
          0.0, others * d * kappa - lambda * source_degree * mesh_share + flood_extra * mesh_share);
    }

    Flows flows;
    flows.send(ByteKind::kMessage, r.copies_out_per_second, message_frame);
    flows.receive(ByteKind::kMessage, r.copies_in_per_second, message_frame);
    flows.send(ByteKind::kIDontWant, r.idontwant_out_per_second, idontwant_frame);
    flows.receive(ByteKind::kIDontWant, r.idontwant_in_per_second, idontwant_frame);

    // Points 4 and 5: this node's own gossip and the replies it serves ...
    const GossipCost& own = gossip[i];
    r.gossip_targets = static_cast<double>(gossip_targets(p));
    flows.send(ByteKind::kIHave, own.ihave_per_second, own.ihave);
    flows.receive(ByteKind::kIWant, own.ihave_per_second, own.iwant);
    flows.send(ByteKind::kMessage, own.ihave_per_second, own.reply);
    r.iwant_replies_out_per_second = own.ihave_per_second * own.replies_mean;
    // ... and the gossip it receives from every profile, by its share of non-mesh links.
    r.ihave_out_per_second = own.ihave_per_second * own.window_nonempty;
    for (std::size_t q = 0; q < profiles.size(); ++q) {
      const GossipCost& from = gossip[q];
      const double frames =
          static_cast<double>(profiles[q]->count) * from.ihave_per_second * non_mesh_share;
      flows.receive(ByteKind::kIHave, frames, from.ihave);
      flows.send(ByteKind::kIWant, frames, from.iwant);
      flows.receive(ByteKind::kMessage, frames, from.reply);
      r.iwant_replies_in_per_second += frames * from.replies_mean;
      r.ihave_in_per_second += frames * from.window_nonempty;
    }
    // Point 6: GRAFT/PRUNE and subscriptions stay at zero.
    flows.to_rates(r.in, r.out);
    result.profiles.push_back(std::move(r));
  }

  result.all.name = "all";
  result.all.count = node_count;
  for (const ProfileRates& r : result.profiles) {
    add_scaled(result.all, r, static_cast<double>(r.count) / nodes);
  }
  if (result.profiles.size() == 1) {
    result.all.d = result.profiles.front().d;
    result.all.d_lazy = result.profiles.front().d_lazy;
    result.all.connections = result.profiles.front().connections;
  }
  return result;
}

// ------------------------------------------------------------------------------------------------
// Reports
// ------------------------------------------------------------------------------------------------

namespace {

namespace json = boost::json;

json::object kinds_json(const KindRates& rates) {
  json::object o;
  double total = 0;
  for (std::size_t k = 0; k < kByteKinds; ++k) {
    o[byte_kind_name(static_cast<ByteKind>(k))] = rates[k];
    total += rates[k];
  }
  o["total"] = total;
  return o;
}

json::object level_json(const LevelRates& l) {
  json::object o;
  o["app_bps"] = kinds_json(l.app);
  o["wire_bps"] = kinds_json(l.wire);
  return o;
}

json::object case4_json(const PublishedCase4& c) {
  json::object o;
  o["messages"] = c.messages;
  o["ihave"] = c.ihave;
  o["iwant"] = c.iwant;
  o["total"] = c.total();
  return o;
}

json::object profile_json(const ProfileRates& r, double published_in_out_bps) {
  json::object o;
  o["name"] = r.name;
  o["count"] = r.count;
  o["d"] = r.d;
  o["d_lazy"] = r.d_lazy;
  o["connections"] = r.connections;
  o["publish_per_second"] = r.publish_per_second;
  o["gossip_targets_per_heartbeat"] = r.gossip_targets;
  o["ihave_out_per_second"] = r.ihave_out_per_second;
  o["ihave_in_per_second"] = r.ihave_in_per_second;
  o["copies_in_per_second"] = r.copies_in_per_second;
  o["copies_out_per_second"] = r.copies_out_per_second;
  o["duplicates_in_per_second"] = r.duplicates_in_per_second;
  o["iwant_replies_in_per_second"] = r.iwant_replies_in_per_second;
  o["iwant_replies_out_per_second"] = r.iwant_replies_out_per_second;
  o["idontwant_in_per_second"] = r.idontwant_in_per_second;
  o["idontwant_out_per_second"] = r.idontwant_out_per_second;
  o["in"] = level_json(r.in);
  o["out"] = level_json(r.out);
  o["in_out_app_bps"] = r.in_out_app_bps();
  o["in_out_wire_bps"] = r.in_out_wire_bps();
  if (published_in_out_bps > 0) {
    o["wire_ratio_to_published"] = r.in_out_wire_bps() / published_in_out_bps;
  }
  return o;
}

json::object refined_json(const RefinedInputs& in, const RefinedResult& r,
                          double published_in_out_bps) {
  json::object inputs;
  json::array profiles_in;
  for (const RelayProfile& p : in.profiles) {
    json::object o;
    o["name"] = p.name;
    o["count"] = p.count;
    o["active_fraction"] = p.active_fraction;
    o["connections"] = p.connections;
    o["d"] = p.gossip.d;
    o["d_lazy"] = p.gossip.d_lazy;
    o["history_gossip"] = p.gossip.history_gossip;
    o["heartbeat_seconds"] = seconds(p.gossip.heartbeat_interval);
    o["gossip_factor"] = p.gossip.gossip_factor;
    o["flood_publish"] = p.gossip.flood_publish;
    o["idontwant_threshold_bytes"] = p.gossip.idontwant_message_size_threshold;
    profiles_in.push_back(std::move(o));
  }
  inputs["profiles"] = std::move(profiles_in);
  inputs["messages_per_node_per_hour"] = in.messages_per_node_per_hour;
  inputs["payload_bytes"] = in.payload_bytes;
  inputs["pubsub_topic"] = in.message.pubsub_topic;
  inputs["content_topic"] = in.message.content_topic;
  inputs["meta_bytes"] = in.message.meta_bytes;
  inputs["idontwant"] = in.idontwant;
  inputs["idontwant_suppression"] = in.idontwant_suppression;
  inputs["iwant_reply_ratio"] = in.iwant_reply_ratio;

  json::object sizes;
  sizes["waku_message_bytes"] = r.waku_message_bytes;
  sizes["message_rpc_bytes"] = r.message_rpc_bytes;
  sizes["message_wire_bytes"] = r.message_wire.sender_bytes;
  sizes["message_ack_bytes"] = r.message_wire.receiver_bytes;
  sizes["idontwant_rpc_bytes"] = r.idontwant_rpc_bytes;
  sizes["idontwant_wire_bytes"] = r.idontwant_wire.sender_bytes;
  sizes["ihave_ids_mean"] = r.ihave_ids_mean;
  sizes["ihave_rpc_bytes_mean"] = r.ihave_rpc_bytes_mean;

  json::object results;
  results["messages_per_second"] = r.messages_per_second;
  results["mean_mesh_degree"] = r.mean_mesh_degree;
  results["kappa"] = r.kappa;
  results["idontwant_applies"] = r.idontwant_applies;
  results["sizes"] = std::move(sizes);
  json::array profiles_out;
  for (const ProfileRates& p : r.profiles)
    profiles_out.push_back(profile_json(p, published_in_out_bps));
  results["profiles"] = std::move(profiles_out);
  results["all"] = profile_json(r.all, published_in_out_bps);

  json::object o;
  o["model"] = "refined: per second, per node, app and wire bytes (bits per second)";
  o["inputs"] = std::move(inputs);
  o["results"] = std::move(results);
  return o;
}

std::string kbps(double bits_per_second) { return fmt::format("{:.1f}", bits_per_second / 1e3); }

}  // namespace

json::object to_json(const PublishedInputs& in, const PublishedResult& r) {
  json::object inputs;
  inputs["nodes"] = in.nodes;
  inputs["d"] = in.d;
  inputs["messages_per_node_per_hour"] = in.messages_per_node_per_hour;
  inputs["message_size_mb"] = in.message_size_mb;
  inputs["gossip_message_size_mb"] = in.gossip_message_size_mb;
  inputs["d_lazy"] = in.d_lazy;
  inputs["mcache_gossip"] = in.mcache_gossip;
  inputs["reply_ratio"] = in.reply_ratio;
  inputs["shards_per_node"] = in.shards_per_node;
  inputs["delay_per_hop_seconds"] = in.delay_per_hop_seconds;
  inputs["peer_bandwidth_mbps"] = in.peer_bandwidth_mbps;

  json::object res;
  res["case1_mb_per_hour"] = r.case1;
  res["case2_mb_per_hour"] = r.case2;
  res["case3_2023_mb_per_hour"] = r.case3_2023;
  res["case3_2025_mb_per_hour"] = r.case3_2025;
  res["case4_2023_mb_per_hour"] = case4_json(r.case4_2023);
  res["case4_2025_mb_per_hour"] = case4_json(r.case4_2025);
  res["sharding1_2023_mb_per_hour"] = r.sharding1_2023;
  res["sharding2_2023_mb_per_hour"] = r.sharding2_2023;
  res["sharding1_2025_mb_per_hour"] = r.sharding1_2025;
  res["sharding2_2025_mb_per_hour"] = r.sharding2_2025;
  res["ingress_mbps"] = r.ingress_mbps;
  res["in_out_mb_per_hour"] = r.in_out_mb_per_hour;
  res["in_out_mbps"] = r.in_out_mbps;
  res["in_out_mbps_mib"] = r.in_out_mbps_mib;
  res["latency_hops"] = r.latency_hops;
  res["latency_rate_mbps"] = r.latency_rate_mbps;
  res["latency_2025_seconds"] = r.latency_2025_seconds;
  res["latency_2023_seconds"] = r.latency_2023_seconds;

  json::object o;
  o["model"] = "vacp2p/research waku_scalability (Feb-2023 case 4; MB = 10^6 B, ingress per node)";
  o["inputs"] = std::move(inputs);
  o["results"] = std::move(res);
  return o;
}

json::object to_json(const RefinedInputs& in, const RefinedResult& r) {
  return refined_json(in, r, 0.0);
}

json::object to_json(const Comparison& c) {
  json::object o;
  o["published"] = to_json(c.published_inputs, c.published);
  o["refined"] = refined_json(c.refined_inputs, c.refined, c.published.in_out_mbps * 1e6);
  return o;
}

std::string format_json(const Comparison& c) { return json::serialize(to_json(c)) + "\n"; }

std::string format_text(const Comparison& c) {
  const PublishedInputs& pi = c.published_inputs;
  const PublishedResult& p = c.published;
  std::string s;
  auto line = [&s](const std::string& text) {
    s += text;
    s += '\n';
  };

  line("Published model: vacp2p/research waku_scalability, Feb-2023 case 4 (the forum's");
  line("\"10K nodes per shard at ~4 Mbps\"). Ingress per node per shard; MB = 10^6 B.");
  line(
      fmt::format("  inputs: n = {:g} nodes, d = {:g}, {:g} msg/node/h, message {:g} MB ({:g} B), "
                  "gossip entry {:g} MB,",
                  pi.nodes, pi.d, pi.messages_per_node_per_hour, pi.message_size_mb,
                  pi.message_size_mb * 1e6, pi.gossip_message_size_mb));
  line(fmt::format("          d_lazy {:g}, mcache_gossip {:g}, IWANT reply ratio {:g}", pi.d_lazy,
                   pi.mcache_gossip, pi.reply_ratio));
  line(fmt::format("  {:<46}{:>12.2f} MB/h", "case 1: every message once (store)", p.case1));
  line(fmt::format("  {:<46}{:>12.2f} MB/h", "case 2: once per mesh edge", p.case2));
  line(fmt::format("  {:<46}{:>12.2f} MB/h", "case 3: forward to d-1 peers", p.case3_2023));
  line(fmt::format("  {:<46}{:>12.2f} MB/h  = messages {:.2f} + IHAVE {:.2f} + IWANT {:.2f}",
                   "case 4: with gossip (2023)", p.case4_2023.total(), p.case4_2023.messages,
                   p.case4_2023.ihave, p.case4_2023.iwant));
  line(fmt::format("  {:<46}{:>12.2f} MB/h  = messages {:.2f} + IHAVE {:.2f} + IWANT {:.2f}",
                   "case 4: with gossip (2025 formula)", p.case4_2025.total(),
                   p.case4_2025.messages, p.case4_2025.ihave, p.case4_2025.iwant));
  line(fmt::format("  {:<46}{:>12.2f} MB/h  (+1:1 chat shard: {:.2f}; 2025: {:.2f} / {:.2f})",
                   fmt::format("sharding, {:g} shards per node (2023)", pi.shards_per_node),
                   p.sharding1_2023, p.sharding2_2023, p.sharding1_2025, p.sharding2_2025));
  line(fmt::format("  {:<46}{:>12.3f} Mbps", "case 4 ingress", p.ingress_mbps));
  line(fmt::format("  {:<46}{:>12.3f} Mbps  ({:.2f} MB/h; {:.3f} Mbps if MB = MiB)",
                   "case 4 ingress + egress (x2)", p.in_out_mbps, p.in_out_mb_per_hour,
                   p.in_out_mbps_mib));
  line(fmt::format("  {:<46}{:>12.3f} s     ({} hops x ({:g} s + {:.3f} Mbit / {:g} Mbps))",
                   "latency (2025: ceil(log_d n) hops)", p.latency_2025_seconds, p.latency_hops,
                   pi.delay_per_hop_seconds, p.latency_rate_mbps, pi.peer_bandwidth_mbps));
  line(fmt::format("  {:<46}{:>12.3f} s", "latency (2023: log_d n x hop delay)",
                   p.latency_2023_seconds));
  line("");

  const RefinedInputs& ri = c.refined_inputs;
  const RefinedResult& r = c.refined;
  line("Refined model: per second, per node, expected values. app = encoded gossipsub RPC frames;");
  line("wire = app + varint prefix, yamux, Noise, TCP/IP headers and ACKs (wire_overhead.hpp).");
  line(
      fmt::format("  network: {:.3f} msg/s, mean mesh degree {:.2f}, copies received per message = "
                  "{:.4f} x D",
                  r.messages_per_second, r.mean_mesh_degree, r.kappa));
  line(fmt::format(
      "  message: payload {} B -> WakuMessage {} B -> RPC frame {} B -> wire {} B + {} B ACK",
      ri.payload_bytes, r.waku_message_bytes, r.message_rpc_bytes, r.message_wire.sender_bytes,
      r.message_wire.receiver_bytes));
  line(
      fmt::format("  IHAVE: {:.1f} ids per RPC, {:.0f} B; IDONTWANT: {} ({} B RPC, {} B on the "
                  "wire, suppression {:g}); IWANT ratio {:g}",
                  r.ihave_ids_mean, r.ihave_rpc_bytes_mean, r.idontwant_applies ? "on" : "off",
                  r.idontwant_rpc_bytes, r.idontwant_wire.sender_bytes, ri.idontwant_suppression,
                  ri.iwant_reply_ratio));

  std::vector<const ProfileRates*> tables;
  for (const ProfileRates& pr : r.profiles) tables.push_back(&pr);
  if (r.profiles.size() > 1) tables.push_back(&r.all);
  const double published_bps = p.in_out_mbps * 1e6;
  for (const ProfileRates* pr : tables) {
    line("");
    if (pr == &r.all) {
      line(fmt::format("  all {} nodes (mean)", pr->count));
    } else {
      line(fmt::format("  {}: {} nodes, D = {}, d_lazy {}, {} connections, IHAVE to {:g} peers",
                       pr->name, pr->count, pr->d, pr->d_lazy, pr->connections,
                       pr->gossip_targets));
    }
    line(fmt::format(
        "  copies in/out {:.2f}/{:.2f} msg/s ({:.2f} duplicates in), IWANT replies "
        "in/out {:.3f}/{:.3f}, IDONTWANT in/out {:.2f}/{:.2f} per s",
        pr->copies_in_per_second, pr->copies_out_per_second, pr->duplicates_in_per_second,
        pr->iwant_replies_in_per_second, pr->iwant_replies_out_per_second,
        pr->idontwant_in_per_second, pr->idontwant_out_per_second));
    line(fmt::format("    {:<16}{:>12}{:>12}{:>12}{:>12}", "kbit/s", "in app", "in wire", "out app",
                     "out wire"));
    for (std::size_t k = 0; k < kByteKinds; ++k) {
      line(fmt::format("    {:<16}{:>12}{:>12}{:>12}{:>12}",
                       byte_kind_name(static_cast<ByteKind>(k)), kbps(pr->in.app[k]),
                       kbps(pr->in.wire[k]), kbps(pr->out.app[k]), kbps(pr->out.wire[k])));
    }
    line(fmt::format("    {:<16}{:>12}{:>12}{:>12}{:>12}", "total", kbps(pr->in.app_total()),
                     kbps(pr->in.wire_total()), kbps(pr->out.app_total()),
                     kbps(pr->out.wire_total())));
    line(fmt::format(
        "    in + out: app {:#.4g} Mbps, wire {:#.4g} Mbps = {:.2f} x the published "
        "{:#.4g} Mbps",
        pr->in_out_app_bps() / 1e6, pr->in_out_wire_bps() / 1e6,
        published_bps > 0 ? pr->in_out_wire_bps() / published_bps : 0.0, p.in_out_mbps));
  }
  return s;
}

}  // namespace waku::sim::model
