// Report writers: turn a RunResult into what people and scripts read after a run.
//
// `summary.json` (machine-readable, pretty-printed, with per-group bandwidth statistics, checks and
// the reproduce command), `nodes.csv` (one row per node, for ad-hoc analysis) and a compact table
// for the terminal. Bandwidth is reported as rates in bits per second over each node's online time
// in the measured window, so nodes that churned are not diluted by their offline time.
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/report/run_result.hpp"
#include "waku/base/result.hpp"

namespace waku::sim {

// Statistics over the nodes of a group, in bits per second. p50 and p99 are exact nearest-rank
// order statistics over the nodes (not interpolated): with 4 nodes p50 is the 2nd smallest.
struct RateStats {
  double mean{0};
  double p50{0};
  double p99{0};
};

struct DirectionBandwidth {
  RateStats total;
  std::array<RateStats, kByteKinds> by_kind{};  // indexed by ByteKind
};

struct LevelBandwidth {
  DirectionBandwidth in;
  DirectionBandwidth out;
};

struct GroupBandwidth {
  std::string group;
  std::string profile;            // the nodes' router profile; "mixed" if they differ
  std::size_t nodes{0};           // nodes in the group
  std::size_t measured_nodes{0};  // of those, online for a positive time (the statistics' basis)
  LevelBandwidth app;
  LevelBandwidth wire;
};

// One entry per group name in `result.node_records`, in order of first appearance.
std::vector<GroupBandwidth> group_bandwidth(const RunResult& result);

// Writes `summary.json`-style output to `path`. `extra`'s members are merged at the top level
// (overriding keys of the same name).
Result<void> write_summary_json(const RunResult& result, const std::filesystem::path& path,
                                const boost::json::object* extra = nullptr);

// Writes one header row and one row per node.
Result<void> write_nodes_csv(const RunResult& result, const std::filesystem::path& path);

// A compact multi-line table for the terminal (ends with a newline).
std::string format_summary_table(const RunResult& result);

}  // namespace waku::sim
