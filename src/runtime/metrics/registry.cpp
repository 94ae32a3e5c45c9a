#include "runtime/metrics/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "waku/base/assert.hpp"

namespace waku::runtime::metrics {

namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="x",b="y"}` (plus an extra label such as le), or "" without labels.
std::string label_text(const std::vector<std::string>& names,
                       const std::vector<std::string>& values, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{}=\"{}\"", names[i], escape_label_value(values[i]));
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += fmt::format("{}=\"{}\"", extra_name, extra_value);
  }
  out += '}';
  return out;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

void Counter::inc(double amount) {
  // Counters only go up; a negative amount is a caller bug, ignored rather than corrupting.
  if (!(amount >= 0)) return;
  value_.fetch_add(amount, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  WAKU_ASSERT_MSG(std::is_sorted(bounds_.begin(), bounds_.end()) &&
                      std::adjacent_find(bounds_.begin(), bounds_.end()) == bounds_.end(),
                  "histogram bounds must increase strictly");
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double value) {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot out;
  out.bounds = bounds_;
  std::uint64_t running = 0;
  for (const auto c : counts_) {
    running += c;
    out.cumulative_counts.push_back(running);
  }
  out.sum = sum_;
  out.count = count_;
  return out;
}

std::vector<double> default_duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
}

// --- Family ---

template <typename Metric>
Family<Metric>::Family(std::vector<std::string> label_names, std::size_t max_children,
                       std::vector<double> buckets)
    : label_names_(std::move(label_names)),
      max_children_(std::max<std::size_t>(max_children, 1)),
      buckets_(std::move(buckets)) {}

template <typename Metric>
std::unique_ptr<Metric> Family<Metric>::make() const {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(buckets_);
  } else {
    return std::make_unique<Metric>();
  }
}

template <typename Metric>
Metric& Family<Metric>::labels(std::span<const std::string_view> values) {
  WAKU_ASSERT_MSG(values.size() == label_names_.size(), "metric: wrong number of label values");
  std::vector<std::string> key(values.begin(), values.end());
  std::lock_guard lock(mutex_);
  auto it = children_.find(key);
  if (it != children_.end()) return *it->second;
  if (children_.size() + 1 >= max_children_) {
    // Keep one slot for the overflow child.
    key.assign(label_names_.size(), "overflow");
    it = children_.find(key);
    if (it != children_.end()) return *it->second;
  }
  auto [inserted, ok] = children_.emplace(std::move(key), make());
  return *inserted->second;
}

template <typename Metric>
void Family<Metric>::remove(std::initializer_list<std::string_view> values) {
  std::vector<std::string> key(values.begin(), values.end());
  std::lock_guard lock(mutex_);
  children_.erase(key);
}

template <typename Metric>
std::size_t Family<Metric>::size() const {
  std::lock_guard lock(mutex_);
  return children_.size();
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry ---

Registry::Entry& Registry::add_entry(std::string_view name, std::string_view help,
                                     MetricType type) {
  WAKU_ASSERT_MSG(valid_name(name, true), "metric: invalid name");
  std::string exposed(name);
  if (type == MetricType::kCounter) exposed += "_total";
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries_) {
    WAKU_ASSERT_MSG(entry->name != exposed, "metric: registered twice");
  }
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(exposed);
  entry->help = std::string(help);
  entry->type = type;
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

Family<Counter>& Registry::counter_family(std::string_view name, std::string_view help,
                                          std::vector<std::string> label_names,
                                          std::size_t max_children) {
  for (const auto& label : label_names) {
    WAKU_ASSERT_MSG(valid_name(label, false), "metric: invalid label name");
  }
  auto& entry = add_entry(name, help, MetricType::kCounter);
  entry.counters.reset(new Family<Counter>(std::move(label_names), max_children, {}));
  return *entry.counters;
}

Family<Gauge>& Registry::gauge_family(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names,
                                      std::size_t max_children) {
  for (const auto& label : label_names) {
    WAKU_ASSERT_MSG(valid_name(label, false), "metric: invalid label name");
  }
  auto& entry = add_entry(name, help, MetricType::kGauge);
  entry.gauges.reset(new Family<Gauge>(std::move(label_names), max_children, {}));
  return *entry.gauges;
}

Family<Histogram>& Registry::histogram_family(std::string_view name, std::string_view help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> buckets,
                                              std::size_t max_children) {
  for (const auto& label : label_names) {
    WAKU_ASSERT_MSG(valid_name(label, false) && label != "le", "metric: invalid label name");
  }
  auto& entry = add_entry(name, help, MetricType::kHistogram);
  entry.histograms.reset(
      new Family<Histogram>(std::move(label_names), max_children, std::move(buckets)));
  return *entry.histograms;
}

Counter& Registry::counter(std::string_view name, std::string_view help) {
  return counter_family(name, help, {}).labels({});
}

Gauge& Registry::gauge(std::string_view name, std::string_view help) {
  return gauge_family(name, help, {}).labels({});
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               std::vector<double> buckets) {
  return histogram_family(name, help, {}, std::move(buckets)).labels({});
}

void Registry::add_collector(std::function<void()> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect();

  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", entry->name, escape_help(entry->help),
                       entry->name, type_name(entry->type));
    const auto render_simple = [&](const auto& family) {
      std::lock_guard family_lock(family.mutex_);
      for (const auto& [values, metric] : family.children_) {
        out += fmt::format("{}{} {}\n", entry->name, label_text(family.label_names_, values),
                           format_value(metric->value()));
      }
    };
    if (entry->counters) render_simple(*entry->counters);
    if (entry->gauges) render_simple(*entry->gauges);
    if (entry->histograms) {
      const auto& family = *entry->histograms;
      std::lock_guard family_lock(family.mutex_);
      for (const auto& [values, metric] : family.children_) {
        const auto snap = metric->snapshot();
        for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
          const std::string le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : "+Inf";
          out += fmt::format("{}_bucket{} {}\n", entry->name,
                             label_text(family.label_names_, values, "le", le),
                             snap.cumulative_counts[i]);
        }
        const auto labels = label_text(family.label_names_, values);
        out += fmt::format("{}_sum{} {}\n", entry->name, labels, format_value(snap.sum));
        out += fmt::format("{}_count{} {}\n", entry->name, labels, snap.count);
      }
    }
  }
  return out;
}

}  // namespace waku::runtime::metrics
