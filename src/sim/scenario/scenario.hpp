// Scenario: everything that defines one simulation run, as read from a TOML file.
//
// A scenario is data, not code: the node groups (how many fleet nodes and community members,
// their gossipsub profile, connection limits, bandwidth, shards), the link model, the traffic,
// the faults and attackers, and which checkers run. The same seed and scenario give the same run
// bit for bit. Shipped scenarios live in `scenarios/*.toml` and are embedded into the binary, so
// `wakusim run --scenario community-10k` works from any directory. The TOML layout is documented
// in docs/simulation.md and in each shipped file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/result.hpp"
#include "waku/base/time.hpp"

namespace waku::sim {

// One-way link latency, drawn per connection (both directions use the same draw).
struct LatencyDistribution {
  enum class Kind : std::uint8_t { kConstant, kUniform, kLogNormal };
  Kind kind{Kind::kUniform};
  Duration min{10ms};     // kConstant uses min; kUniform draws in [min, max]
  Duration max{150ms};    // kLogNormal: the draw is clamped to [min, max]
  Duration median{50ms};  // kLogNormal
  double sigma{0.5};      // kLogNormal: standard deviation of ln(latency)
};

// Size of a published WakuMessage payload in bytes.
struct SizeDistribution {
  enum class Kind : std::uint8_t { kConstant, kUniform, kExponential };
  Kind kind{Kind::kConstant};
  std::size_t mean_bytes{2048};  // kConstant, kExponential
  std::size_t min_bytes{0};      // kUniform draws in [min, max]; kExponential clamps to it
  std::size_t max_bytes{150 * 1024 - 512};
};

// A class of nodes that share a role.
struct NodeGroup {
  std::string name;                      // "fleet", "member", ... (used in reports)
  std::string router_profile{"client"};  // relay::RouterConfig::profile name: fleet | client
  std::size_t count{0};
  std::size_t outbound_target{8};   // peers it dials (emulated discovery)
  std::size_t max_connections{50};  // inbound + outbound; dials beyond it are refused
  double uplink_mbps{38.0};         // serialisation rate of its uplink
  double downlink_mbps{83.0};
  // Fraction of the group that publishes traffic; the rest joins and relays only (inactive
  // members of the 100K/10%-active case).
  double active_fraction{1.0};
  std::vector<std::uint16_t> shards;  // relay shards it subscribes to (cluster from Scenario)
};

// A kind of application message (the Status mix) or the seed's single kind.
struct TrafficKind {
  std::string name;                    // "chat", "community-description", ...
  std::uint16_t shard{0};              // published on this shard by active members subscribed to it
  double rate_per_node_per_hour{5.0};  // Poisson rate per active publishing node
  SizeDistribution size;
};

// Nodes leave (all connections closed, router dropped) and come back later with the same identity
// and a fresh router, dialling new peers.
struct ChurnConfig {
  double leaves_per_node_per_hour{0.0};  // 0 disables churn
  Duration mean_offline{60s};            // exponential
  Duration start{0s};                    // churn happens in [start, end)
  Duration end{0s};
  std::vector<std::string> groups;  // affected group names; empty = all but "fleet"
};

// The nodes split into two sides; frames between the sides are lost until `heal`.
struct PartitionConfig {
  Duration start{0s};
  Duration heal{0s};
  double fraction{0.5};  // share of nodes on the minority side
};

// Each frame is lost with `probability` in [start, end). With a reliable transport (TCP under the
// muxer), `retransmit = true` turns a loss into a retransmission delay instead of a drop.
struct LossConfig {
  double probability{0.0};
  Duration start{0s};
  Duration end{0s};
  bool retransmit{true};
};

// Attacker nodes on a protected shard: they connect like members and publish messages that a
// protected-shard validator must reject.
struct AttackConfig {
  enum class Kind : std::uint8_t { kUnsigned, kBadSignature };
  Kind kind{Kind::kBadSignature};
  std::size_t count{0};              // attacker nodes
  double messages_per_second{10.0};  // per attacker
  std::size_t outbound_target{16};   // attackers connect more aggressively than members
  Duration start{0s};
  Duration end{0s};
};

struct CheckerConfig {
  bool mesh_degree{true};    // every subscribed node's mesh within [d_low, d_high] once warmed
  bool no_duplicates{true};  // no message delivered twice to one application
  bool no_invalid{true};     // no invalid message delivered on a protected shard
  bool convergence{true};    // after the faults, every message reaches every subscriber
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed{1};
  Duration duration{3600s};  // simulated time
  Duration warmup{30s};      // publishing starts after the mesh formed
  Duration cooldown{10s};    // publishing stops this long before the end, so messages settle
  std::uint16_t cluster_id{16};
  std::vector<NodeGroup> groups;
  std::vector<TrafficKind> traffic;
  // Shard whose messages carry a community signature checked by every relay node (0 = none).
  std::optional<std::uint16_t> protected_shard;
  LatencyDistribution latency;
  std::optional<ChurnConfig> churn;
  std::optional<PartitionConfig> partition;
  std::optional<LossConfig> loss;
  std::optional<AttackConfig> attack;
  CheckerConfig checkers;
  // Overrides applied to every router (on top of its profile), for what-if runs.
  std::optional<bool> idontwant;  // false disables IDONTWANT (threshold set above max size)
  // Smallest encoded WakuMessage, in bytes, for which a router sends IDONTWANT (the profiles'
  // default is go-libp2p's 1 KiB). Not allowed together with idontwant = false.
  std::optional<std::size_t> idontwant_threshold;

  [[nodiscard]] std::size_t node_count() const;  // sum over groups (attackers not included)
  // The IDONTWANT threshold every router uses instead of its profile's, if the scenario sets one
  // (SIZE_MAX when IDONTWANT is off).
  [[nodiscard]] std::optional<std::size_t> idontwant_threshold_override() const;
  // Scales every group's count so the total is `nodes` (each non-empty group keeps at least one).
  void scale_to(std::size_t nodes);
  // Consistency checks (counts, fractions, shards of traffic subscribed by some group, ...).
  [[nodiscard]] Result<void> validate() const;
};

// Durations as written in scenario files and on the command line: a sequence of <number><unit>
// with unit h, m, s, ms, us or ns and an optional fraction ("1h30m", "90s", "250ms", "1.5h"); "0"
// alone is zero. Anything else (spaces, signs, a missing unit) is Errc::kInvalidArgument with the
// reason in `detail`.
Result<Duration> parse_duration(std::string_view text);
// The inverse, for reports and error messages: "1h30m", "250ms", "0s".
std::string format_duration(Duration duration);

// Parses a scenario from TOML text. `origin` names the source in error messages.
Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view origin);

// A shipped scenario by name ("community-1k", ...), or nullopt.
std::optional<std::string_view> builtin_scenario_text(std::string_view name);
std::vector<std::string_view> builtin_scenario_names();

// NAME of a shipped scenario or a path to a TOML file.
Result<Scenario> load_scenario(std::string_view name_or_path);

}  // namespace waku::sim
