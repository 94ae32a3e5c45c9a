// Instant and Duration: time as the protocol cores see it.
//
// Cores never read a clock: every input carries `now` as an Instant, a point on a monotonic
// timeline whose origin the host chooses (the real runtime: process start on steady_clock; the
// simulator: virtual time zero). Durations are std::chrono::nanoseconds so that units are types.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>

namespace waku {

using Duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;  // NOLINT(google-global-names-in-headers): 1s, 250ms, ...

class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant from_nanoseconds(std::int64_t ns) { return Instant(Duration(ns)); }
  static constexpr Instant origin() { return Instant(); }
  // Far future: "never" for deadlines that should not fire.
  static constexpr Instant max() { return Instant(Duration::max()); }

  [[nodiscard]] constexpr Duration since_origin() const { return since_origin_; }
  [[nodiscard]] constexpr std::int64_t nanoseconds() const { return since_origin_.count(); }

  constexpr Instant& operator+=(Duration d) {
    since_origin_ += d;
    return *this;
  }
  constexpr Instant& operator-=(Duration d) {
    since_origin_ -= d;
    return *this;
  }
  friend constexpr Instant operator+(Instant t, Duration d) { return t += d; }
  friend constexpr Instant operator-(Instant t, Duration d) { return t -= d; }
  friend constexpr Duration operator-(Instant a, Instant b) {
    return a.since_origin_ - b.since_origin_;
  }
  friend constexpr auto operator<=>(Instant, Instant) = default;

 private:
  constexpr explicit Instant(Duration d) : since_origin_(d) {}
  Duration since_origin_{0};
};

// Unix time in nanoseconds, as carried in WakuMessage.timestamp. Hosts pass it to cores that need
// wall-clock time (the protected-shard window, store eligibility) alongside the monotonic Instant.
struct UnixNanos {
  std::int64_t value{0};
  friend constexpr auto operator<=>(UnixNanos, UnixNanos) = default;
};

}  // namespace waku
