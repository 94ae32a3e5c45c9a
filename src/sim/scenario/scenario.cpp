// Scenario files: TOML in, a validated Scenario out.
//
// Layout (every key is optional unless marked "required"; an unknown key anywhere is an error, so
// a typo never silently falls back to a default):
//
//   name = "community-10k"          # required
//   description = "..."
//   seed = 1                        # non-negative integer
//   duration = "1h"                 # durations are strings: "1h", "30m", "90s", "250ms", "1h30m",
//   warmup = "30s"                  #   "1.5h" (units h, m, s, ms, us, ns; "0" is zero)
//   cooldown = "10s"
//   cluster_id = 16
//   protected_shard = 32            # messages on it must carry the community signature
//   idontwant = true                # override for every router (false disables IDONTWANT)
//   idontwant_threshold = 8192      # override: send IDONTWANT for WakuMessages of >= 8192 bytes
//
//   [latency]                       # one-way, per connection
//   kind = "uniform"                # "constant" (min) | "uniform" (min, max)
//   min = "10ms"                    #   | "lognormal" (median, sigma, clamped to [min, max])
//   max = "150ms"
//
//   [[group]]                       # at least one
//   name = "fleet"                  # required, unique
//   profile = "fleet"               # router profile: "fleet" (nwaku) | "client" (go-waku)
//   count = 20                      # required
//   outbound = 20                   # peers it dials
//   max_connections = 150
//   uplink_mbps = 1000
//   downlink_mbps = 1000
//   active_fraction = 0.0           # share of the group that publishes traffic
//   shards = [32]                   # required, non-empty
//
//   [[traffic]]
//   name = "chat"                   # required, unique
//   shard = 32                      # required; some group must subscribe to it
//   rate_per_node_per_hour = 5      # Poisson, per active node of a group on the shard
//   size = { kind = "constant", mean = 2048 }   # bytes of payload; also
//          # { kind = "uniform", min = 1024, max = 4096 } and
//          # { kind = "exponential", mean = 4813, min = 256, max = 65536 } (clamped to [min, max])
//
//   [churn]        # leaves_per_node_per_hour, mean_offline, start, end, groups = ["member"]
//   [partition]    # start, heal (required), fraction (minority side, in (0, 1))
//   [loss]         # probability, start, end, retransmit
//   [attack]       # kind = "unsigned" | "bad-signature", count, messages_per_second, outbound,
//                  # start, end; needs protected_shard
//   [checkers]     # booleans: mesh_degree, no_duplicates, no_invalid, convergence
//
// For churn, loss and attack, `start` defaults to 0 and `end` to the scenario's duration as
// written in the file. Keys that the chosen `kind` does not use (a `median` on a uniform latency)
// are errors too: they would otherwise be silently ignored.
//
// Errors carry "<origin>:<line>:<column>: <field>: <what>" in their detail, so a user can go
// straight to the offending line.
#include "sim/scenario/scenario.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <system_error>
#include <utility>

#include "waku/message/waku_message.hpp"

namespace waku::sim {

namespace generated {
// Defined in the file cmake/EmbedScenarios.cmake generates from scenarios/*.toml; the array ends
// with an empty sentinel that kBuiltinScenarioCount leaves out.
extern const std::pair<std::string_view, std::string_view> kBuiltinScenarios[];
extern const std::size_t kBuiltinScenarioCount;
}  // namespace generated

namespace {

// A WakuMessage is at most 150 KiB (message::kMaxMessageSizeBytes); 512 B stay for its other
// fields (content topic, timestamp, meta), as in SizeDistribution's default.
constexpr std::size_t kMaxPayloadBytes = message::kMaxMessageSizeBytes - 512;

__extension__ using Uint128 = unsigned __int128;  // exact products for scaling

// ---------------------------------------------------------------------------------------------
// Validation. Problems name the field by its path in the file ("group[1].active_fraction"), so
// parse_scenario can add the line it came from.

struct Problem {
  std::string field;
  std::string what;
};

using MaybeProblem = std::optional<Problem>;

MaybeProblem problem(std::string field, std::string what) {
  return Problem{std::move(field), std::move(what)};
}

bool finite_non_negative(double value) { return std::isfinite(value) && value >= 0.0; }

MaybeProblem check_fraction(const std::string& field, double value) {
  if (!std::isfinite(value) || value < 0.0 || value > 1.0) {
    return problem(field, fmt::format("{} is outside [0, 1]", value));
  }
  return std::nullopt;
}

// [start, end) must lie within the run and not be reversed.
MaybeProblem check_window(const std::string& section, Duration start, Duration end,
                          std::string_view end_key, Duration run) {
  if (start < Duration{0}) return problem(section + ".start", "is negative");
  if (end < start) {
    return problem(
        fmt::format("{}.{}", section, end_key),
        fmt::format("{} is before start ({})", format_duration(end), format_duration(start)));
  }
  if (end > run) {
    return problem(fmt::format("{}.{}", section, end_key),
                   fmt::format("{} is after the end of the run (duration {})", format_duration(end),
                               format_duration(run)));
  }
  return std::nullopt;
}

MaybeProblem check_size(const std::string& field, const SizeDistribution& size) {
  using Kind = SizeDistribution::Kind;
  const std::size_t largest = size.kind == Kind::kConstant ? size.mean_bytes : size.max_bytes;
  if (largest > kMaxPayloadBytes) {
    return problem(field + (size.kind == Kind::kConstant ? ".mean" : ".max"),
                   fmt::format("{} bytes exceeds the largest payload that fits a WakuMessage ({})",
                               largest, kMaxPayloadBytes));
  }
  if (size.kind != Kind::kConstant && size.max_bytes < size.min_bytes) {
    return problem(field + ".max",
                   fmt::format("{} is below min ({})", size.max_bytes, size.min_bytes));
  }
  if (size.kind == Kind::kExponential && size.mean_bytes == 0) {
    return problem(field + ".mean", "must be positive for an exponential distribution");
  }
  return std::nullopt;
}

MaybeProblem check_latency(const LatencyDistribution& latency) {
  using Kind = LatencyDistribution::Kind;
  if (latency.min < Duration{0}) return problem("latency.min", "is negative");
  if (latency.kind == Kind::kConstant) return std::nullopt;
  if (latency.max < latency.min) {
    return problem("latency.max", fmt::format("{} is below min ({})", format_duration(latency.max),
                                              format_duration(latency.min)));
  }
  if (latency.kind == Kind::kLogNormal) {
    if (latency.median < latency.min || latency.median > latency.max) {
      return problem(
          "latency.median",
          fmt::format("{} is outside [min, max] = [{}, {}]", format_duration(latency.median),
                      format_duration(latency.min), format_duration(latency.max)));
    }
    if (!std::isfinite(latency.sigma) || latency.sigma <= 0.0) {
      return problem("latency.sigma", fmt::format("{} must be positive", latency.sigma));
    }
  }
  return std::nullopt;
}

MaybeProblem check_groups(const Scenario& s) {
  if (s.groups.empty()) return problem("group", "at least one [[group]] is required");
  if (s.node_count() == 0) return problem("group", "every group has count = 0");
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    const NodeGroup& g = s.groups[i];
    const std::string at = fmt::format("group[{}]", i);
    if (g.name.empty()) return problem(at + ".name", "is empty");
    for (std::size_t j = 0; j < i; ++j) {
      if (s.groups[j].name == g.name) {
        return problem(at + ".name",
                       fmt::format("\"{}\" is also the name of group[{}]", g.name, j));
      }
    }
    if (g.router_profile != "fleet" && g.router_profile != "client") {
      return problem(at + ".profile", fmt::format("\"{}\" is not a router profile (fleet | client)",
                                                  g.router_profile));
    }
    if (g.max_connections == 0) return problem(at + ".max_connections", "must be at least 1");
    if (g.outbound_target > g.max_connections) {
      return problem(at + ".outbound", fmt::format("{} exceeds max_connections ({})",
                                                   g.outbound_target, g.max_connections));
    }
    if (!std::isfinite(g.uplink_mbps) || g.uplink_mbps <= 0.0) {
      return problem(at + ".uplink_mbps", fmt::format("{} must be positive", g.uplink_mbps));
    }
    if (!std::isfinite(g.downlink_mbps) || g.downlink_mbps <= 0.0) {
      return problem(at + ".downlink_mbps", fmt::format("{} must be positive", g.downlink_mbps));
    }
    if (auto p = check_fraction(at + ".active_fraction", g.active_fraction)) return p;
    if (g.shards.empty()) return problem(at + ".shards", "must list at least one shard");
    for (std::size_t a = 0; a < g.shards.size(); ++a) {
      for (std::size_t b = 0; b < a; ++b) {
        if (g.shards[a] == g.shards[b]) {
          return problem(at + ".shards", fmt::format("shard {} is listed twice", g.shards[a]));
        }
      }
    }
  }
  return std::nullopt;
}

bool subscribed(const NodeGroup& g, std::uint16_t shard) {
  return g.count > 0 && std::find(g.shards.begin(), g.shards.end(), shard) != g.shards.end();
}

bool any_group_on(const Scenario& s, std::uint16_t shard) {
  return std::any_of(s.groups.begin(), s.groups.end(),
                     [&](const NodeGroup& g) { return subscribed(g, shard); });
}

MaybeProblem check_traffic(const Scenario& s) {
  for (std::size_t i = 0; i < s.traffic.size(); ++i) {
    const TrafficKind& t = s.traffic[i];
    const std::string at = fmt::format("traffic[{}]", i);
    if (t.name.empty()) return problem(at + ".name", "is empty");
    for (std::size_t j = 0; j < i; ++j) {
      if (s.traffic[j].name == t.name) {
        return problem(at + ".name",
                       fmt::format("\"{}\" is also the name of traffic[{}]", t.name, j));
      }
    }
    if (!any_group_on(s, t.shard)) {
      return problem(at + ".shard", fmt::format("no group subscribes to shard {}", t.shard));
    }
    // A kind nobody can publish is almost certainly a mistake (all groups on the shard passive).
    const bool has_publisher = std::any_of(s.groups.begin(), s.groups.end(), [&](const auto& g) {
      return subscribed(g, t.shard) && g.active_fraction > 0.0;
    });
    if (!has_publisher) {
      return problem(at + ".shard", fmt::format("every group on shard {} has active_fraction = 0, "
                                                "so nobody publishes this traffic",
                                                t.shard));
    }
    if (!finite_non_negative(t.rate_per_node_per_hour)) {
      return problem(at + ".rate_per_node_per_hour",
                     fmt::format("{} must be a non-negative number", t.rate_per_node_per_hour));
    }
    if (auto p = check_size(at + ".size", t.size)) return p;
  }
  return std::nullopt;
}

MaybeProblem check_faults(const Scenario& s) {
  if (s.churn) {
    const ChurnConfig& c = *s.churn;
    if (!finite_non_negative(c.leaves_per_node_per_hour)) {
      return problem("churn.leaves_per_node_per_hour",
                     fmt::format("{} must be a non-negative number", c.leaves_per_node_per_hour));
    }
    if (c.mean_offline <= Duration{0}) return problem("churn.mean_offline", "must be positive");
    if (auto p = check_window("churn", c.start, c.end, "end", s.duration)) return p;
    for (std::size_t i = 0; i < c.groups.size(); ++i) {
      const bool known = std::any_of(s.groups.begin(), s.groups.end(),
                                     [&](const NodeGroup& g) { return g.name == c.groups[i]; });
      if (!known) {
        return problem("churn.groups", fmt::format("\"{}\" is not a group", c.groups[i]));
      }
    }
  }
  if (s.partition) {
    const PartitionConfig& p = *s.partition;
    if (!std::isfinite(p.fraction) || p.fraction <= 0.0 || p.fraction >= 1.0) {
      return problem("partition.fraction", fmt::format("{} is outside (0, 1)", p.fraction));
    }
    if (auto pr = check_window("partition", p.start, p.heal, "heal", s.duration)) return pr;
    if (p.heal == p.start) return problem("partition.heal", "equals start: an empty partition");
  }
  if (s.loss) {
    const LossConfig& l = *s.loss;
    if (auto p = check_fraction("loss.probability", l.probability)) return p;
    if (auto p = check_window("loss", l.start, l.end, "end", s.duration)) return p;
  }
  if (s.attack) {
    const AttackConfig& a = *s.attack;
    if (!s.protected_shard) {
      return problem("attack", "needs protected_shard: attackers publish invalid messages there");
    }
    if (!finite_non_negative(a.messages_per_second)) {
      return problem("attack.messages_per_second",
                     fmt::format("{} must be a non-negative number", a.messages_per_second));
    }
    if (a.count > 0 && a.outbound_target == 0) return problem("attack.outbound", "must be >= 1");
    if (auto p = check_window("attack", a.start, a.end, "end", s.duration)) return p;
  }
  return std::nullopt;
}

MaybeProblem find_problem(const Scenario& s) {
  if (s.name.empty()) return problem("name", "is empty");
  if (s.duration <= Duration{0}) return problem("duration", "must be positive");
  if (s.warmup < Duration{0}) return problem("warmup", "is negative");
  if (s.cooldown < Duration{0}) return problem("cooldown", "is negative");
  if (s.warmup + s.cooldown >= s.duration) {
    return problem("duration", fmt::format("{} leaves no publishing time after warmup ({}) and "
                                           "cooldown ({})",
                                           format_duration(s.duration), format_duration(s.warmup),
                                           format_duration(s.cooldown)));
  }
  if (auto p = check_latency(s.latency)) return p;
  if (auto p = check_groups(s)) return p;
  if (auto p = check_traffic(s)) return p;
  if (s.protected_shard && !any_group_on(s, *s.protected_shard)) {
    return problem("protected_shard",
                   fmt::format("no group subscribes to shard {}", *s.protected_shard));
  }
  if (s.idontwant_threshold && s.idontwant == std::optional<bool>{false}) {
    return problem("idontwant_threshold", "is set while idontwant = false: keep one of the two");
  }
  return check_faults(s);
}

// ---------------------------------------------------------------------------------------------
// Parsing. The readers throw ParseFailure on the first problem: dozens of fields each needing an
// early return would drown the layout in plumbing. parse_scenario catches it (and toml++'s own
// parse_error), so nothing escapes the API.

struct ParseFailure {
  Error error;
};

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  [[nodiscard]] std::string where(const toml::source_position& pos) const {
    if (!pos) return std::string(origin_);
    return fmt::format("{}:{}:{}", origin_, pos.line, pos.column);
  }

  [[noreturn]] void fail(Errc code, const char* context, const toml::source_position& pos,
                         std::string_view field, std::string_view what) const {
    throw ParseFailure{
        make_error(code, context, fmt::format("{}: {}: {}", where(pos), field, what))};
  }

  void remember(std::string field, const toml::source_position& pos) {
    positions_.emplace(std::move(field), pos);
  }

  // The position a validation problem refers to: the field itself, else the closest enclosing
  // table that was read ("group[1].count" -> "group[1]").
  [[nodiscard]] toml::source_position position_of(std::string field) const {
    while (true) {
      if (auto it = positions_.find(field); it != positions_.end()) return it->second;
      const auto cut = field.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) return {};
      field.resize(cut);
    }
  }

 private:
  std::string_view origin_;
  std::map<std::string, toml::source_position> positions_;
};

// One TOML table being read: tracks which keys were consumed, so finish() can reject the rest.
class Section {
 public:
  Section(Parser& parser, const toml::node& node, std::string path, std::string_view what)
      : parser_(parser), path_(std::move(path)) {
    table_ = node.as_table();
    if (table_ == nullptr) {
      parser_.fail(Errc::kInvalidConfig, "scenario: wrong type", node.source().begin, path_,
                   fmt::format("expected {}, got {}", what, type_name(node)));
    }
    parser_.remember(path_, node.source().begin);
  }

  [[nodiscard]] std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  // The node under `key`, or nullptr; either way the key counts as known.
  const toml::node* find(std::string_view key) {
    known_.push_back(key);
    const toml::node* node = table_->get(key);
    if (node != nullptr) parser_.remember(field(key), node->source().begin);
    return node;
  }

  const toml::node& require(std::string_view key) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      parser_.fail(Errc::kMissingField, "scenario: missing key", table_->source().begin, field(key),
                   "is required");
    }
    return *node;
  }

  [[noreturn]] void wrong_type(std::string_view key, const toml::node& node,
                               std::string_view expected) const {
    parser_.fail(Errc::kInvalidConfig, "scenario: wrong type", node.source().begin, field(key),
                 fmt::format("expected {}, got {}", expected, type_name(node)));
  }

  [[noreturn]] void invalid(std::string_view key, const toml::node& node,
                            std::string_view what) const {
    parser_.fail(Errc::kInvalidConfig, "scenario: invalid value", node.source().begin, field(key),
                 what);
  }

  // --- typed readers: leave `out` alone when the key is absent ---

  void read(std::string_view key, std::string& out) {
    if (const toml::node* node = find(key)) out = string_of(key, *node);
  }

  void read(std::string_view key, bool& out) {
    if (const toml::node* node = find(key)) out = bool_of(key, *node);
  }

  void read(std::string_view key, std::optional<bool>& out) {
    if (const toml::node* node = find(key)) out = bool_of(key, *node);
  }

  void read(std::string_view key, double& out) {
    if (const toml::node* node = find(key)) out = number_of(key, *node);
  }

  void read(std::string_view key, Duration& out) {
    if (const toml::node* node = find(key)) out = duration_of(key, *node);
  }

  template <typename Int>
  requires std::is_unsigned_v<Int>
  void read(std::string_view key, Int& out) {
    if (const toml::node* node = find(key)) out = unsigned_of<Int>(key, *node);
  }

  void read(std::string_view key, std::vector<std::uint16_t>& out) {
    const toml::node* node = find(key);
    if (node == nullptr) return;
    const toml::array* array = node->as_array();
    if (array == nullptr) wrong_type(key, *node, "an array of integers");
    out.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
      out.push_back(unsigned_of<std::uint16_t>(fmt::format("{}[{}]", key, i), *array->get(i)));
    }
  }

  void read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = find(key);
    if (node == nullptr) return;
    const toml::array* array = node->as_array();
    if (array == nullptr) wrong_type(key, *node, "an array of strings");
    out.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
      out.push_back(string_of(fmt::format("{}[{}]", key, i), *array->get(i)));
    }
  }

  std::string string_of(std::string_view key, const toml::node& node) const {
    const auto* value = node.as_string();
    if (value == nullptr) wrong_type(key, node, "a string");
    return value->get();
  }

  bool bool_of(std::string_view key, const toml::node& node) const {
    const auto* value = node.as_boolean();
    if (value == nullptr) wrong_type(key, node, "a boolean");
    return value->get();
  }

  // Integers are accepted where a number is expected ("uplink_mbps = 1000").
  double number_of(std::string_view key, const toml::node& node) const {
    double result = 0.0;
    if (const auto* f = node.as_floating_point()) {
      result = f->get();
    } else if (const auto* i = node.as_integer()) {
      result = static_cast<double>(i->get());
    } else {
      wrong_type(key, node, "a number");
    }
    if (!std::isfinite(result)) invalid(key, node, "must be a finite number");
    return result;
  }

  template <typename Int>
  Int unsigned_of(std::string_view key, const toml::node& node) const {
    const auto* value = node.as_integer();
    if (value == nullptr) wrong_type(key, node, "an integer");
    const std::int64_t v = value->get();
    if (v < 0) invalid(key, node, fmt::format("{} is negative", v));
    if (static_cast<std::uint64_t>(v) > std::numeric_limits<Int>::max()) {
      invalid(key, node, fmt::format("{} exceeds {}", v, std::numeric_limits<Int>::max()));
    }
    return static_cast<Int>(v);
  }

  Duration duration_of(std::string_view key, const toml::node& node) const {
    const auto* value = node.as_string();
    if (value == nullptr) {
      wrong_type(key, node, "a duration string such as \"90s\" or \"1h30m\"");
    }
    auto parsed = parse_duration(value->get());
    if (!parsed) {
      parser_.fail(Errc::kInvalidConfig, "scenario: bad duration", node.source().begin, field(key),
                   parsed.error().detail);
    }
    return *parsed;
  }

  // Fails if any of `keys` is present: they do not apply to `kind`.
  void reject_for_kind(std::initializer_list<std::string_view> keys, std::string_view kind) {
    for (std::string_view key : keys) {
      known_.push_back(key);
      if (const toml::node* node = table_->get(key)) {
        parser_.fail(Errc::kInvalidConfig, "scenario: unknown key", node->source().begin,
                     field(key), fmt::format("is not used by kind \"{}\"", kind));
      }
    }
  }

  // Every key of the table must have been asked for.
  void finish() const {
    for (auto&& [key, node] : *table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) == known_.end()) {
        parser_.fail(Errc::kInvalidConfig, "scenario: unknown key", key.source().begin,
                     field(key.str()), "unknown key");
      }
    }
  }

  [[nodiscard]] const toml::table& table() const { return *table_; }

 private:
  Parser& parser_;
  const toml::table* table_{nullptr};
  std::string path_;
  std::vector<std::string_view> known_;
};

LatencyDistribution read_latency(Section& sec) {
  LatencyDistribution latency;
  std::string kind = "uniform";
  sec.read("kind", kind);
  if (kind == "constant") {
    latency.kind = LatencyDistribution::Kind::kConstant;
    sec.read("min", latency.min);
    sec.reject_for_kind({"max", "median", "sigma"}, kind);
  } else if (kind == "uniform") {
    latency.kind = LatencyDistribution::Kind::kUniform;
    sec.read("min", latency.min);
    sec.read("max", latency.max);
    sec.reject_for_kind({"median", "sigma"}, kind);
  } else if (kind == "lognormal") {
    latency.kind = LatencyDistribution::Kind::kLogNormal;
    sec.read("min", latency.min);
    sec.read("max", latency.max);
    sec.read("median", latency.median);
    sec.read("sigma", latency.sigma);
  } else {
    sec.invalid("kind", *sec.find("kind"),
                fmt::format("\"{}\" is not a latency kind (constant | uniform | lognormal)", kind));
  }
  sec.finish();
  return latency;
}

SizeDistribution read_size(Section& sec) {
  SizeDistribution size;
  std::string kind = "constant";
  sec.read("kind", kind);
  if (kind == "constant") {
    size.kind = SizeDistribution::Kind::kConstant;
    sec.read("mean", size.mean_bytes);
    sec.reject_for_kind({"min", "max"}, kind);
  } else if (kind == "uniform") {
    size.kind = SizeDistribution::Kind::kUniform;
    sec.require("min");
    sec.require("max");
    sec.read("min", size.min_bytes);
    sec.read("max", size.max_bytes);
    sec.reject_for_kind({"mean"}, kind);
  } else if (kind == "exponential") {
    size.kind = SizeDistribution::Kind::kExponential;
    sec.read("mean", size.mean_bytes);
    sec.read("min", size.min_bytes);
    sec.read("max", size.max_bytes);
  } else {
    sec.invalid("kind", *sec.find("kind"),
                fmt::format("\"{}\" is not a size kind (constant | uniform | exponential)", kind));
  }
  sec.finish();
  return size;
}

NodeGroup read_group(Section& sec) {
  NodeGroup g;
  g.name = sec.string_of("name", sec.require("name"));
  sec.read("profile", g.router_profile);
  g.count = sec.unsigned_of<std::size_t>("count", sec.require("count"));
  sec.read("outbound", g.outbound_target);
  sec.read("max_connections", g.max_connections);
  sec.read("uplink_mbps", g.uplink_mbps);
  sec.read("downlink_mbps", g.downlink_mbps);
  sec.read("active_fraction", g.active_fraction);
  sec.require("shards");
  sec.read("shards", g.shards);
  sec.finish();
  return g;
}

TrafficKind read_traffic(Parser& parser, Section& sec) {
  TrafficKind t;
  t.name = sec.string_of("name", sec.require("name"));
  t.shard = sec.unsigned_of<std::uint16_t>("shard", sec.require("shard"));
  sec.read("rate_per_node_per_hour", t.rate_per_node_per_hour);
  if (const toml::node* node = sec.find("size")) {
    Section size(parser, *node, sec.field("size"), "a table such as { kind = \"constant\", ... }");
    t.size = read_size(size);
  }
  sec.finish();
  return t;
}

// The array of tables under `key` ([[group]]), or an empty one.
const toml::array* array_of_tables(Parser& parser, Section& sec, std::string_view key) {
  const toml::node* node = sec.find(key);
  if (node == nullptr) return nullptr;
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    parser.fail(Errc::kInvalidConfig, "scenario: wrong type", node->source().begin, sec.field(key),
                fmt::format("expected an array of tables ([[{}]]), got {}", key, type_name(*node)));
  }
  return array;
}

Scenario read_scenario(Parser& parser, const toml::table& root) {
  Scenario s;
  Section top(parser, root, "", "a table");
  s.name = top.string_of("name", top.require("name"));
  top.read("description", s.description);
  top.read("seed", s.seed);
  top.read("duration", s.duration);
  top.read("warmup", s.warmup);
  top.read("cooldown", s.cooldown);
  top.read("cluster_id", s.cluster_id);
  if (const toml::node* node = top.find("protected_shard")) {
    s.protected_shard = top.unsigned_of<std::uint16_t>("protected_shard", *node);
  }
  top.read("idontwant", s.idontwant);
  if (const toml::node* node = top.find("idontwant_threshold")) {
    s.idontwant_threshold = top.unsigned_of<std::size_t>("idontwant_threshold", *node);
  }

  if (const toml::node* node = top.find("latency")) {
    Section sec(parser, *node, "latency", "a table ([latency])");
    s.latency = read_latency(sec);
  }
  if (const toml::array* groups = array_of_tables(parser, top, "group")) {
    for (std::size_t i = 0; i < groups->size(); ++i) {
      Section sec(parser, *groups->get(i), fmt::format("group[{}]", i), "a table");
      s.groups.push_back(read_group(sec));
    }
  }
  if (const toml::array* traffic = array_of_tables(parser, top, "traffic")) {
    for (std::size_t i = 0; i < traffic->size(); ++i) {
      Section sec(parser, *traffic->get(i), fmt::format("traffic[{}]", i), "a table");
      s.traffic.push_back(read_traffic(parser, sec));
    }
  }
  if (const toml::node* node = top.find("churn")) {
    Section sec(parser, *node, "churn", "a table ([churn])");
    ChurnConfig c;
    c.end = s.duration;
    sec.read("leaves_per_node_per_hour", c.leaves_per_node_per_hour);
    sec.read("mean_offline", c.mean_offline);
    sec.read("start", c.start);
    sec.read("end", c.end);
    sec.read("groups", c.groups);
    sec.finish();
    s.churn = std::move(c);
  }
  if (const toml::node* node = top.find("partition")) {
    Section sec(parser, *node, "partition", "a table ([partition])");
    PartitionConfig p;
    sec.read("start", p.start);
    p.heal = sec.duration_of("heal", sec.require("heal"));
    sec.read("fraction", p.fraction);
    sec.finish();
    s.partition = p;
  }
  if (const toml::node* node = top.find("loss")) {
    Section sec(parser, *node, "loss", "a table ([loss])");
    LossConfig l;
    l.end = s.duration;
    sec.read("probability", l.probability);
    sec.read("start", l.start);
    sec.read("end", l.end);
    sec.read("retransmit", l.retransmit);
    sec.finish();
    s.loss = l;
  }
  if (const toml::node* node = top.find("attack")) {
    Section sec(parser, *node, "attack", "a table ([attack])");
    AttackConfig a;
    a.end = s.duration;
    std::string kind = "bad-signature";
    sec.read("kind", kind);
    if (kind == "unsigned") {
      a.kind = AttackConfig::Kind::kUnsigned;
    } else if (kind == "bad-signature") {
      a.kind = AttackConfig::Kind::kBadSignature;
    } else {
      sec.invalid("kind", *sec.find("kind"),
                  fmt::format("\"{}\" is not an attack kind (unsigned | bad-signature)", kind));
    }
    sec.read("count", a.count);
    sec.read("messages_per_second", a.messages_per_second);
    sec.read("outbound", a.outbound_target);
    sec.read("start", a.start);
    sec.read("end", a.end);
    sec.finish();
    s.attack = a;
  }
  if (const toml::node* node = top.find("checkers")) {
    Section sec(parser, *node, "checkers", "a table ([checkers])");
    sec.read("mesh_degree", s.checkers.mesh_degree);
    sec.read("no_duplicates", s.checkers.no_duplicates);
    sec.read("no_invalid", s.checkers.no_invalid);
    sec.read("convergence", s.checkers.convergence);
    sec.finish();
  }
  top.finish();
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Scenario

std::size_t Scenario::node_count() const {
  std::size_t total = 0;
  for (const NodeGroup& g : groups) total += g.count;
  return total;
}

// Largest-remainder (Hamilton) apportionment: floors of the exact quotas, then the leftover nodes
// to the largest remainders (ties to the earlier group, so the result is deterministic). A
// non-empty group that rounds to zero takes one node from the largest group, so a scaled-down
// community keeps its fleet. With fewer nodes than non-empty groups, every one of them keeps one
// node and the total exceeds `nodes`.
void Scenario::scale_to(std::size_t nodes) {
  const std::size_t total = node_count();
  if (total == 0 || nodes == total) return;
  std::vector<Uint128> remainders(groups.size());
  std::vector<bool> was_empty(groups.size());
  std::size_t assigned = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    was_empty[i] = groups[i].count == 0;
    const Uint128 exact = static_cast<Uint128>(groups[i].count) * nodes;  // quota * total
    remainders[i] = exact % total;
    groups[i].count = static_cast<std::size_t>(exact / total);
    assigned += groups[i].count;
  }
  std::vector<std::size_t> order(groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  // The leftover is below the number of groups: each floor loses less than one node.
  for (std::size_t k = 0; assigned < nodes && k < order.size(); ++k, ++assigned) {
    ++groups[order[k]].count;
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (was_empty[i] || groups[i].count > 0) continue;
    groups[i].count = 1;
    auto donor = std::max_element(groups.begin(), groups.end(),
                                  [](const auto& a, const auto& b) { return a.count < b.count; });
    if (donor->count > 1) --donor->count;  // else fewer nodes than groups: keep one each
  }
}

std::optional<std::size_t> Scenario::idontwant_threshold_override() const {
  if (idontwant == std::optional<bool>{false}) return SIZE_MAX;
  return idontwant_threshold;
}

Result<void> Scenario::validate() const {
  if (auto p = find_problem(*this)) {
    return make_error(Errc::kInvalidConfig, "scenario: invalid value",
                      fmt::format("{}: {}", p->field, p->what));
  }
  return ok();
}

Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view origin) {
  Parser parser(origin);
  Scenario scenario;
  try {
    const toml::table root = toml::parse(toml_text, origin);
    scenario = read_scenario(parser, root);
  } catch (const toml::parse_error& e) {
    return make_error(Errc::kDecode, "scenario: invalid TOML",
                      fmt::format("{}: {}", parser.where(e.source().begin), e.description()));
  } catch (const ParseFailure& failure) {
    return failure.error;
  }
  if (auto p = find_problem(scenario)) {
    return make_error(
        Errc::kInvalidConfig, "scenario: invalid value",
        fmt::format("{}: {}: {}", parser.where(parser.position_of(p->field)), p->field, p->what));
  }
  return scenario;
}

std::optional<std::string_view> builtin_scenario_text(std::string_view name) {
  for (std::size_t i = 0; i < generated::kBuiltinScenarioCount; ++i) {
    if (generated::kBuiltinScenarios[i].first == name)
      return generated::kBuiltinScenarios[i].second;
  }
  return std::nullopt;
}

std::vector<std::string_view> builtin_scenario_names() {
  std::vector<std::string_view> names;
  names.reserve(generated::kBuiltinScenarioCount);
  for (std::size_t i = 0; i < generated::kBuiltinScenarioCount; ++i) {
    names.push_back(generated::kBuiltinScenarios[i].first);
  }
  return names;
}

Result<Scenario> load_scenario(std::string_view name_or_path) {
  if (auto text = builtin_scenario_text(name_or_path)) {
    return parse_scenario(*text, fmt::format("builtin:{}", name_or_path));
  }
  const std::filesystem::path path{std::string(name_or_path)};
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    std::string names;
    for (std::string_view name : builtin_scenario_names()) {
      names += names.empty() ? "" : ", ";
      names += name;
    }
    return make_error(
        Errc::kNotFound, "scenario: not found",
        fmt::format("\"{}\" is neither a built-in scenario ({}) nor a file", name_or_path, names));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return make_error(Errc::kIo, "scenario: cannot read",
                      fmt::format("{}: not a regular file", name_or_path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return make_error(Errc::kIo, "scenario: cannot read",
                      fmt::format("{}: {}", name_or_path, std::generic_category().message(errno)));
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    return make_error(Errc::kIo, "scenario: cannot read",
                      fmt::format("{}: read error", name_or_path));
  }
  return parse_scenario(text, name_or_path);
}

}  // namespace waku::sim
