// A small Prometheus registry: counters, gauges and histograms, plain or in labelled families,
// rendered in the Prometheus text exposition format (version 0.0.4).
//
// Dashboards built for nwaku query metric names such as waku_node_messages_total and
// libp2p_gossipsub_peers_per_topic_mesh; node_metrics.hpp registers those names, and this file
// only knows the format. Counters are declared by their base name and exposed with the `_total`
// suffix, as nim-metrics (and the official client libraries) do. Updates are cheap and safe from
// any thread (atomics; a mutex only when a family creates a child or a histogram observes), so
// the database workers can record durations too. Label sets per family are capped: a family that
// hits the cap folds further label sets into one child labelled "overflow", so peer-controlled
// label values (topics) cannot grow memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace waku::runtime::metrics {

class Counter {
 public:
  void inc(double amount = 1.0);
  // For collectors that mirror a monotonic count kept elsewhere (the node's own counters).
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds`: strictly increasing upper bounds; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum{0.0};
    std::uint64_t count{0};
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
  double sum_{0.0};
  std::uint64_t count_{0};
};

// Default buckets for durations in seconds (the client libraries' defaults).
std::vector<double> default_duration_buckets();

enum class MetricType : std::uint8_t { kCounter, kGauge, kHistogram };

// A metric name with one child per label-value tuple.
template <typename Metric>
class Family {
 public:
  // The child for these label values (one per label name, in order). Creates it on first use.
  Metric& labels(std::span<const std::string_view> values);
  Metric& labels(std::initializer_list<std::string_view> values) {
    return labels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  // Removes a child (e.g. a topic the node left), so that it is no longer exposed.
  void remove(std::initializer_list<std::string_view> values);
  [[nodiscard]] std::size_t size() const;

 private:
  friend class Registry;
  Family(std::vector<std::string> label_names, std::size_t max_children,
         std::vector<double> buckets);
  std::unique_ptr<Metric> make() const;

  std::vector<std::string> label_names_;
  std::size_t max_children_;
  std::vector<double> buckets_;  // histograms only
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

class Registry {
 public:
  static constexpr std::size_t kDefaultMaxChildren = 1000;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names and labels are the program's, not the user's: an invalid name or registering the same
  // name twice is a broken invariant (asserted). Counter names are given without "_total".
  Counter& counter(std::string_view name, std::string_view help);
  Gauge& gauge(std::string_view name, std::string_view help);
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> buckets);
  Family<Counter>& counter_family(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names,
                                  std::size_t max_children = kDefaultMaxChildren);
  Family<Gauge>& gauge_family(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names,
                              std::size_t max_children = kDefaultMaxChildren);
  Family<Histogram>& histogram_family(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> buckets,
                                      std::size_t max_children = kDefaultMaxChildren);

  // Run before every render(), on the rendering thread: a place to copy values kept elsewhere
  // (node counters, mesh sizes) into the registry, so that they cost nothing between scrapes.
  void add_collector(std::function<void()> collector);

  // The text exposition format; metrics in registration order, children by label values.
  std::string render() const;

 private:
  struct Entry {
    std::string name;  // as exposed (counters with _total)
    std::string help;
    MetricType type;
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
  };
  Entry& add_entry(std::string_view name, std::string_view help, MetricType type);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::function<void()>> collectors_;
};

// Prometheus number formatting: integers without a fraction, "+Inf", "-Inf", "NaN", otherwise
// the shortest representation that reads back exactly.
std::string format_value(double value);

}  // namespace waku::runtime::metrics
