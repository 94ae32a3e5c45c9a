#include "waku/relay/seen_cache.hpp"

namespace waku::relay {

bool FlatIdSet::contains(const MessageId& id) const {
  if (size_ == 0) return false;
  const MessageIdEqual equal;
  for (std::size_t i = home(id);; i = (i + 1) & mask_) {
    if (used_[i] == 0) return false;
    if (equal(slots_[i], id)) return true;
  }
}

bool FlatIdSet::insert(const MessageId& id) {
  // Load factor at most 1/2 keeps probe sequences short.
  if (2 * (size_ + 1) > slots_.size()) grow();
  const MessageIdEqual equal;
  std::size_t i = home(id);
  for (; used_[i] != 0; i = (i + 1) & mask_) {
    if (equal(slots_[i], id)) return false;
  }
  slots_[i] = id;
  used_[i] = 1;
  ++size_;
  return true;
}

bool FlatIdSet::erase(const MessageId& id) {
  if (size_ == 0) return false;
  const MessageIdEqual equal;
  std::size_t hole = home(id);
  for (;; hole = (hole + 1) & mask_) {
    if (used_[hole] == 0) return false;
    if (equal(slots_[hole], id)) break;
  }
  // Backward-shift deletion: move later members of the probe run into the hole when their home
  // slot does not lie cyclically in (hole, j], so every id stays reachable from its home.
  for (std::size_t j = (hole + 1) & mask_; used_[j] != 0; j = (j + 1) & mask_) {
    const std::size_t h = home(slots_[j]);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  used_[hole] = 0;
  --size_;
  return true;
}

void FlatIdSet::grow() {
  std::vector<MessageId> old_slots = std::move(slots_);
  std::vector<std::uint8_t> old_used = std::move(used_);
  const std::size_t capacity = old_slots.empty() ? 64 : 2 * old_slots.size();
  slots_.assign(capacity, MessageId{});
  used_.assign(capacity, 0);
  mask_ = capacity - 1;
  size_ = 0;
  for (std::size_t i = 0; i < old_slots.size(); ++i) {
    if (old_used[i] != 0) insert(old_slots[i]);
  }
}

bool SeenCache::insert(Instant now, const MessageId& id) {
  if (!ids_.insert(id)) return false;
  by_expiry_.emplace_back(now + ttl_, id);
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

}  // namespace waku::relay
