#include "sim/report/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string_view>
#include <utility>

namespace waku::sim {
namespace {

constexpr std::array<ByteKind, kByteKinds> kAllKinds = {
    ByteKind::kMessage,   ByteKind::kIHave,      ByteKind::kIWant,
    ByteKind::kIDontWant, ByteKind::kGraftPrune, ByteKind::kSubscriptions,
};

double rate_bps(std::uint64_t bytes, double seconds) {
  if (!(seconds > 0)) return 0.0;
  return static_cast<double>(bytes) * 8.0 / seconds;
}

// Nearest rank on sorted values: the ceil(q * n)-th smallest.
double nearest_rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

RateStats stats_of(std::vector<double> values) {
  RateStats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.p50 = nearest_rank(values, 0.50);
  s.p99 = nearest_rank(values, 0.99);
  return s;
}

// Per-node rates of one direction at one level, gathered before the statistics are taken.
struct DirectionSamples {
  std::vector<double> total;
  std::array<std::vector<double>, kByteKinds> by_kind;

  void add(const ByteSplit& split, double seconds) {
    std::uint64_t sum = 0;
    for (std::size_t k = 0; k < kByteKinds; ++k) {
      by_kind[k].push_back(rate_bps(split[k], seconds));
      sum += split[k];
    }
    total.push_back(rate_bps(sum, seconds));
  }

  [[nodiscard]] DirectionBandwidth stats() const {
    DirectionBandwidth d;
    d.total = stats_of(total);
    for (std::size_t k = 0; k < kByteKinds; ++k) d.by_kind[k] = stats_of(by_kind[k]);
    return d;
  }
};

struct GroupSamples {
  DirectionSamples app_in, app_out, wire_in, wire_out;
};

double ms(Duration d) { return static_cast<double>(d.count()) / 1e6; }

// --- JSON ---

// Sub-bit-per-second digits are noise to a reader of summary.json.
double round_bps(double bps) { return std::round(bps * 10.0) / 10.0; }

boost::json::object rate_json(const RateStats& s) {
  return boost::json::object{
      {"mean", round_bps(s.mean)}, {"p50", round_bps(s.p50)}, {"p99", round_bps(s.p99)}};
}

boost::json::object direction_json(const DirectionBandwidth& d) {
  boost::json::object o = rate_json(d.total);
  boost::json::object kinds;
  for (ByteKind kind : kAllKinds) {
    const auto name = byte_kind_name(kind);
    kinds[boost::json::string_view(name.data(), name.size())] =
        rate_json(d.by_kind[static_cast<std::size_t>(kind)]);
  }
  o["by_kind"] = std::move(kinds);
  return o;
}

boost::json::object level_json(const LevelBandwidth& l) {
  return boost::json::object{{"in", direction_json(l.in)}, {"out", direction_json(l.out)}};
}

// Doubles in their shortest round-trip form, but always recognisable as floating point ("1.0",
// not Boost's "1E0"), and null for non-finite values, which JSON cannot express.
void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  out += s;
}

// Boost.JSON 1.81 serializes compactly only; summary.json is also read by people.
void append_pretty(std::string& out, const boost::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      if (obj.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      bool first = true;
      for (const auto& member : obj) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        out += boost::json::serialize(boost::json::value(member.key()));
        out += ": ";
        append_pretty(out, member.value(), indent + 2);
      }
      out += "\n";
      out.append(static_cast<std::size_t>(indent), ' ');
      out += "}";
      return;
    }
    case boost::json::kind::array: {
      const auto& arr = v.get_array();
      if (arr.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      bool first = true;
      for (const auto& element : arr) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        append_pretty(out, element, indent + 2);
      }
      out += "\n";
      out.append(static_cast<std::size_t>(indent), ' ');
      out += "]";
      return;
    }
    case boost::json::kind::double_: append_double(out, v.get_double()); return;
    default:  // strings (escaped by Boost), integers, booleans, null
      out += boost::json::serialize(v);
      return;
  }
}

Result<void> write_file(const std::filesystem::path& path, std::string_view content,
                        const char* context) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return unexpected(make_error(Errc::kIo, context, "cannot open " + path.string()));
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) return unexpected(make_error(Errc::kIo, context, "cannot write " + path.string()));
  return ok();
}

// --- CSV ---

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// --- table ---

double mbps(double bps) { return bps / 1e6; }
double kbps(double bps) { return bps / 1e3; }

std::string kind_split(const DirectionBandwidth& d) {
  std::string s;
  for (ByteKind kind : kAllKinds) {
    s += fmt::format(" {} {:.1f}", byte_kind_name(kind),
                     kbps(d.by_kind[static_cast<std::size_t>(kind)].mean));
  }
  return s;
}

}  // namespace

std::vector<GroupBandwidth> group_bandwidth(const RunResult& result) {
  std::vector<GroupBandwidth> groups;
  std::vector<GroupSamples> samples;
  for (const NodeRecord& node : result.node_records) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const GroupBandwidth& g) { return g.group == node.group; });
    if (it == groups.end()) {
      GroupBandwidth g;
      g.group = node.group;
      g.profile = node.profile;
      groups.push_back(std::move(g));
      samples.emplace_back();
      it = std::prev(groups.end());
    }
    const auto i = static_cast<std::size_t>(it - groups.begin());
    GroupBandwidth& g = groups[i];
    ++g.nodes;
    if (g.profile != node.profile) g.profile = "mixed";
    if (!(node.online_seconds > 0)) continue;
    ++g.measured_nodes;
    GroupSamples& s = samples[i];
    s.app_in.add(node.in.app, node.online_seconds);
    s.app_out.add(node.out.app, node.online_seconds);
    s.wire_in.add(node.in.wire, node.online_seconds);
    s.wire_out.add(node.out.wire, node.online_seconds);
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i].app = {samples[i].app_in.stats(), samples[i].app_out.stats()};
    groups[i].wire = {samples[i].wire_in.stats(), samples[i].wire_out.stats()};
  }
  return groups;
}

Result<void> write_summary_json(const RunResult& result, const std::filesystem::path& path,
                                const boost::json::object* extra) {
  boost::json::object root;
  try {
    root["scenario"] = result.scenario;
    root["seed"] = result.seed;
    root["nodes"] = static_cast<std::uint64_t>(result.nodes);
    root["sim_seconds"] = result.sim_seconds;
    root["measured_seconds"] = result.measured_seconds;
    root["wall_seconds"] = result.wall_seconds;
    root["peak_rss_bytes"] = result.peak_rss_bytes;
    root["events"] = result.events;
    root["digest"] = fmt::format("0x{:016x}", result.digest);
    root["messages_published"] = result.messages_published;
    root["expected_deliveries"] = result.expected_deliveries;
    root["deliveries"] = result.deliveries;
    root["delivery_ratio"] = result.delivery_ratio();
    const LatencyHistogram& lat = result.latency;
    root["latency_ms"] = boost::json::object{
        {"p50", ms(lat.percentile(0.50))}, {"p95", ms(lat.percentile(0.95))},
        {"p99", ms(lat.percentile(0.99))}, {"max", ms(lat.max())},
        {"mean", ms(lat.mean())},
    };
    root["duplicates_per_message"] = result.duplicates_per_message;
    root["invalid_published"] = result.invalid_published;
    root["invalid_delivered"] = result.invalid_delivered;

    boost::json::object bandwidth;
    for (const GroupBandwidth& g : group_bandwidth(result)) {
      bandwidth[g.group] = boost::json::object{
          {"profile", g.profile},
          {"nodes", static_cast<std::uint64_t>(g.nodes)},
          {"app", level_json(g.app)},
          {"wire", level_json(g.wire)},
      };
    }
    root["bandwidth_bps"] = std::move(bandwidth);

    boost::json::array checks;
    for (const CheckResult& c : result.checks) {
      checks.push_back(boost::json::object{
          {"name", c.name},
          {"passed", c.passed},
          {"violations", c.violations},
          {"detail", c.detail},
      });
    }
    root["checks"] = std::move(checks);
    root["reproduce"] = result.reproduce_command;

    if (extra != nullptr) {
      for (const auto& member : *extra) root[member.key()] = member.value();
    }
  } catch (const std::exception& e) {  // allocation failure inside Boost.JSON
    return unexpected(
        make_error(Errc::kInternal, "summary json: cannot build", path.string() + ": " + e.what()));
  }

  std::string text;
  append_pretty(text, boost::json::value(std::move(root)), 0);
  text += "\n";
  return write_file(path, text, "summary json");
}

Result<void> write_nodes_csv(const RunResult& result, const std::filesystem::path& path) {
  std::string text =
      "index,group,profile,active,online_seconds,published,delivered,copies_received,"
      "duplicates_received,peers_at_end,mesh_at_end,app_in_bps,app_out_bps,wire_in_bps,"
      "wire_out_bps";
  for (const char* level : {"app", "wire"}) {
    for (const char* dir : {"in", "out"}) {
      for (ByteKind kind : kAllKinds) {
        text += fmt::format(",{}_{}_{}_bytes", level, dir, byte_kind_name(kind));
      }
    }
  }
  text += '\n';
  for (const NodeRecord& n : result.node_records) {
    text += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{:.1f},{:.1f},{:.1f},{:.1f}", n.index, csv_field(n.group),
        csv_field(n.profile), n.active ? 1 : 0, n.online_seconds, n.published, n.delivered,
        n.copies_received, n.duplicates_received, n.peers_at_end, n.mesh_at_end,
        rate_bps(n.in.app_total(), n.online_seconds), rate_bps(n.out.app_total(), n.online_seconds),
        rate_bps(n.in.wire_total(), n.online_seconds),
        rate_bps(n.out.wire_total(), n.online_seconds));
    for (const ByteSplit* split : {&n.in.app, &n.out.app, &n.in.wire, &n.out.wire}) {
      for (std::uint64_t bytes : *split) text += fmt::format(",{}", bytes);
    }
    text += '\n';
  }
  return write_file(path, text, "nodes csv");
}

std::string format_summary_table(const RunResult& r) {
  std::string out;
  const auto line = [&out](std::string_view s) {
    out += s;
    out += '\n';
  };
  const double events_per_s =
      r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0.0;
  line(fmt::format("scenario   {}  (seed {})", r.scenario, r.seed));
  line(fmt::format("nodes      {}   sim {:.1f} s (measured {:.1f} s)   wall {:.2f} s", r.nodes,
                   r.sim_seconds, r.measured_seconds, r.wall_seconds));
  line(fmt::format("events     {}   ({:.0f} events/s)   peak RSS {:.1f} MiB   digest 0x{:016x}",
                   r.events, events_per_s,
                   static_cast<double>(r.peak_rss_bytes) / (1024.0 * 1024.0), r.digest));
  line(fmt::format("published  {}   delivery {:.4f}% ({} / {})   duplicates/message {:.2f}",
                   r.messages_published, r.delivery_ratio() * 100.0, r.deliveries,
                   r.expected_deliveries, r.duplicates_per_message));
  line(fmt::format("latency ms p50 {:.1f}   p95 {:.1f}   p99 {:.1f}   max {:.1f}   mean {:.1f}",
                   ms(r.latency.percentile(0.50)), ms(r.latency.percentile(0.95)),
                   ms(r.latency.percentile(0.99)), ms(r.latency.max()), ms(r.latency.mean())));
  if (r.invalid_published > 0 || r.invalid_delivered > 0) {
    line(fmt::format("invalid    published {}   delivered {}", r.invalid_published,
                     r.invalid_delivered));
  }

  const std::vector<GroupBandwidth> groups = group_bandwidth(r);
  if (!groups.empty()) {
    line("");
    line(fmt::format("{:<24} {:>6}  {:>17}  {:>17}  {:>17}  {:>17}", "bandwidth Mbps", "nodes",
                     "app in mean/p99", "app out mean/p99", "wire in mean/p99",
                     "wire out mean/p99"));
    const auto pair = [](const RateStats& s) {
      return fmt::format("{:.3f} / {:.3f}", mbps(s.mean), mbps(s.p99));
    };
    for (const GroupBandwidth& g : groups) {
      line(fmt::format("{:<24} {:>6}  {:>17}  {:>17}  {:>17}  {:>17}",
                       fmt::format("{} ({})", g.group, g.profile), g.nodes, pair(g.app.in.total),
                       pair(g.app.out.total), pair(g.wire.in.total), pair(g.wire.out.total)));
      line(fmt::format("  in kbps mean, app: {}", kind_split(g.app.in).substr(1)));
      line(fmt::format("  in kbps mean, wire:{}", kind_split(g.wire.in)));
    }
  }

  if (!r.checks.empty()) {
    line("");
    line(fmt::format("checks     {}", r.checks_passed() ? "PASS" : "FAIL"));
    for (const CheckResult& c : r.checks) {
      std::string s = fmt::format("  {} {}", c.passed ? "PASS" : "FAIL", c.name);
      if (c.violations > 0) s += fmt::format(" ({} violations)", c.violations);
      if (!c.detail.empty()) s += fmt::format(": {}", c.detail);
      line(s);
    }
  }
  if (!r.reproduce_command.empty()) {
    line("");
    line(fmt::format("reproduce  {}", r.reproduce_command));
  }
  return out;
}

}  // namespace waku::sim
