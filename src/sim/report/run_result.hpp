// RunResult: what one simulation run measured, in a form the reports (summary table, JSON, CSV,
// plots) and the tests read.
//
// The simulation fills it; report/ turns it into `summary.json`, `nodes.csv` and plots. Bytes are
// counted per node at two levels: application bytes (the encoded gossipsub RPC frames, as the
// router's peers receive them) and wire bytes (what the real stack puts on the wire for those
// frames: length prefix, yamux header, Noise length and tag, TCP/IP headers per segment; see
// network/wire_overhead.hpp). Both are split by kind.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/time.hpp"

namespace waku::sim {

enum class ByteKind : std::uint8_t {
  kMessage,  // publish entries (topic, data, framing of the Message)
  kIHave,
  kIWant,
  kIDontWant,
  kGraftPrune,
  kSubscriptions,
  kCount,
};
inline constexpr std::size_t kByteKinds = static_cast<std::size_t>(ByteKind::kCount);
std::string_view byte_kind_name(ByteKind kind);  // "message", "ihave", ..., "subscriptions"

using ByteSplit = std::array<std::uint64_t, kByteKinds>;

struct ByteCounters {
  ByteSplit app{};
  ByteSplit wire{};
  [[nodiscard]] std::uint64_t app_total() const;
  [[nodiscard]] std::uint64_t wire_total() const;
};

// Latency samples in a log-linear histogram: relative error below 1% from 1 µs to hours, fixed
// memory, so a 10,000-node hour (hundreds of millions of deliveries) costs nothing to record.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void add(Duration latency);  // negative values count as zero
  void merge(const LatencyHistogram& other);
  [[nodiscard]] std::uint64_t count() const { return count_; }
  // The smallest recorded value v such that at least q of the samples are <= v (within the
  // bucket resolution); q in [0, 1]. Zero when empty.
  [[nodiscard]] Duration percentile(double q) const;
  [[nodiscard]] Duration max() const { return max_; }
  [[nodiscard]] Duration mean() const;
  // (upper bound of bucket, cumulative fraction) for every non-empty bucket, ascending: the CDF.
  [[nodiscard]] std::vector<std::pair<Duration, double>> cdf() const;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_{0};
  Duration max_{0};
  long double sum_ns_{0};
};

struct NodeRecord {
  std::uint32_t index{0};
  std::string group;         // NodeGroup::name, or "attacker"
  std::string profile;       // router profile: fleet | client
  bool active{false};        // publishes traffic
  double online_seconds{0};  // time connected during the measured window (for rates)
  ByteCounters in;
  ByteCounters out;
  std::uint64_t published{0};
  std::uint64_t delivered{0};        // MessageDelivered to the application (own + received)
  std::uint64_t copies_received{0};  // message copies received (first + duplicates)
  std::uint64_t duplicates_received{0};
  std::uint32_t peers_at_end{0};
  std::uint32_t mesh_at_end{0};  // mesh size on the node's first shard
};

// Messages grouped by publication time, for "delivery over time".
struct TimelineBucket {
  double start_seconds{0};
  std::uint64_t published{0};
  std::uint64_t expected_deliveries{0};  // subscribers online at publication (excluding publisher)
  std::uint64_t deliveries{0};           // of those, delivered by the end of the run
};

struct CheckResult {
  std::string name;  // "mesh_degree", "no_duplicates", "no_invalid", "convergence"
  bool passed{true};
  std::uint64_t violations{0};
  std::string detail;  // first violation, human-readable
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed{0};
  std::size_t nodes{0};  // honest nodes (attackers not counted)
  double sim_seconds{0};
  double measured_seconds{0};  // window for bandwidth rates: after warmup to end
  double wall_seconds{0};
  std::uint64_t peak_rss_bytes{0};
  std::uint64_t events{0};
  std::uint64_t digest{0};
  std::uint64_t messages_published{0};   // honest publications
  std::uint64_t expected_deliveries{0};  // sum over messages of subscribers that should get it
  std::uint64_t deliveries{0};           // of those, delivered
  [[nodiscard]] double delivery_ratio() const;
  LatencyHistogram latency;  // publication to first delivery, every delivery
  // Message copies received beyond the first, per delivered message per node.
  double duplicates_per_message{0};
  std::uint64_t invalid_published{0};  // by attackers
  std::uint64_t invalid_delivered{0};  // to honest applications (must be 0)
  std::vector<NodeRecord> node_records;
  std::vector<TimelineBucket> timeline;
  std::vector<CheckResult> checks;
  [[nodiscard]] bool checks_passed() const;
  std::string reproduce_command;  // one line that reruns this exactly
};

}  // namespace waku::sim
