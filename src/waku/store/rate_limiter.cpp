#include "waku/store/rate_limiter.hpp"

#include <algorithm>

namespace waku::store {

RateLimiter::RateLimiter(RateLimitConfig config) : config_(config) {
  if (config_.requests == 0) return;
  config_.burst = std::max<std::uint32_t>(config_.burst, 1);
  config_.max_peers = std::max<std::size_t>(config_.max_peers, 1);
  cost_ns_ = std::max<std::int64_t>(config_.period.count() / config_.requests, 1);
  capacity_ns_ = cost_ns_ * static_cast<std::int64_t>(config_.burst);
}

std::int64_t RateLimiter::refilled(const Bucket& bucket, Instant now) const {
  const std::int64_t elapsed = std::max<std::int64_t>((now - bucket.last).count(), 0);
  // Both terms are at most capacity_ns_, far below overflow.
  return std::min(capacity_ns_, bucket.credit_ns + std::min(elapsed, capacity_ns_));
}

void RateLimiter::make_room(Instant now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = refilled(it->second, now) == capacity_ns_ ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < config_.max_peers) return;
  const auto oldest =
      std::min_element(buckets_.begin(), buckets_.end(),
                       [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
  buckets_.erase(oldest);
}

bool RateLimiter::try_acquire(Instant now, const crypto::PeerId& peer) {
  if (config_.requests == 0) return true;
  auto it = buckets_.find(peer);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_peers) make_room(now);
    it = buckets_.emplace(peer, Bucket{capacity_ns_, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.credit_ns = refilled(bucket, now);
  bucket.last = std::max(bucket.last, now);
  if (bucket.credit_ns < cost_ns_) return false;
  bucket.credit_ns -= cost_ns_;
  return true;
}

}  // namespace waku::store
