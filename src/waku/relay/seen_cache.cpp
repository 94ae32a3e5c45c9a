#include "waku/relay/seen_cache.hpp"

namespace waku::relay {

bool FingerprintSet::contains(std::uint64_t fingerprint) const {
  if (size_ == 0) return false;
  for (std::size_t i = home(fingerprint);; i = (i + 1) & mask_) {
    if (slots_[i] == 0) return false;
    if (slots_[i] == fingerprint) return true;
  }
}

bool FingerprintSet::insert(std::uint64_t fingerprint) {
  // Load factor at most 1/2 keeps probe sequences short.
  if (2 * (size_ + 1) > slots_.size()) grow();
  std::size_t i = home(fingerprint);
  for (; slots_[i] != 0; i = (i + 1) & mask_) {
    if (slots_[i] == fingerprint) return false;
  }
  slots_[i] = fingerprint;
  ++size_;
  return true;
}

bool FingerprintSet::erase(std::uint64_t fingerprint) {
  if (size_ == 0) return false;
  std::size_t hole = home(fingerprint);
  for (;; hole = (hole + 1) & mask_) {
    if (slots_[hole] == 0) return false;
    if (slots_[hole] == fingerprint) break;
  }
  // Backward-shift deletion: move later members of the probe run into the hole when their home
  // slot does not lie cyclically in (hole, j], so every entry stays reachable from its home.
  for (std::size_t j = (hole + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
    const std::size_t h = home(slots_[j]);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = 0;
  --size_;
  shrink_if_sparse();
  return true;
}

void FingerprintSet::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  const std::size_t capacity = old.empty() ? 16 : 2 * old.size();
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  size_ = 0;
  for (const std::uint64_t fingerprint : old) {
    if (fingerprint != 0) insert(fingerprint);
  }
}

void FingerprintSet::shrink_if_sparse() {
  // A burst (an IDONTWANT flood, a traffic peak) must not pin its table size forever; small
  // tables stay, so that steady traffic does not make them grow and shrink over and over.
  if (slots_.size() <= 512 || 16 * size_ >= slots_.size()) return;
  std::vector<std::uint64_t> old = std::move(slots_);
  const std::size_t capacity = old.size() / 4;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  size_ = 0;
  for (const std::uint64_t fingerprint : old) {
    if (fingerprint != 0) insert(fingerprint);
  }
}

bool SeenCache::insert(Instant now, const MessageId& id) {
  const std::uint64_t fingerprint = fingerprint_(id);
  if (!ids_.insert(fingerprint)) return false;
  by_expiry_.push_back({now + ttl_, fingerprint});
  return true;
}

void SeenCache::expire(Instant now) {
  // Insertion times are non-decreasing (time never runs backwards for a core), so the front is
  // always the next to expire.
  while (!by_expiry_.empty() && by_expiry_.front().first <= now) {
    ids_.erase(by_expiry_.front().second);
    by_expiry_.pop_front();
  }
}

bool ExpiringIdSet::insert(const MessageId& id, std::uint64_t tick) {
  const std::uint64_t fingerprint = fingerprint_(id);
  if (!ids_.insert(fingerprint)) return false;
  order_.push_back({tick, fingerprint});
  return true;
}

void ExpiringIdSet::expire_through(std::uint64_t tick) {
  while (!order_.empty() && order_.front().first <= tick) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace waku::relay
