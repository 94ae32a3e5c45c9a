// Per-peer token buckets for the store server: each peer may send `requests` queries per
// `period`, with bursts of up to `burst`. nwaku answers a limited query with 429 rather than
// queueing it, and so do we, so that one busy client cannot keep the archive busy for others.
//
// Time is the caller's monotonic Instant; arithmetic is integer nanoseconds of "credit" (a
// request costs period / requests), so the limiter is exact and deterministic. The table is
// bounded: when it is full, idle peers (whose bucket has refilled, i.e. that carry no state) are
// forgotten first, then the peer seen least recently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "waku/base/time.hpp"
#include "waku/crypto/peer_id.hpp"

namespace waku::store {

struct RateLimitConfig {
  std::uint32_t requests{10};  // per period; 0 disables the limiter
  Duration period{1s};
  std::uint32_t burst{20};  // bucket size in requests; at least 1
  std::size_t max_peers{10'000};
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitConfig config);

  // Takes one token from the peer's bucket; false if it has none (answer 429).
  bool try_acquire(Instant now, const crypto::PeerId& peer);

  [[nodiscard]] std::size_t tracked_peers() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::int64_t credit_ns{0};
    Instant last;
  };
  void make_room(Instant now);
  [[nodiscard]] std::int64_t refilled(const Bucket& bucket, Instant now) const;

  RateLimitConfig config_;
  std::int64_t cost_ns_{0};
  std::int64_t capacity_ns_{0};
  std::map<crypto::PeerId, Bucket> buckets_;
};

}  // namespace waku::store
