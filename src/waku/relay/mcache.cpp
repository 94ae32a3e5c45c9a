#include "waku/relay/mcache.hpp"

#include "waku/base/assert.hpp"
#include "waku/base/prefetch.hpp"

namespace waku::relay {

namespace {
constexpr std::size_t kMinIndexSlots = 64;
}  // namespace

MessageCache::MessageCache(std::size_t history_length, std::size_t history_gossip,
                           IdFingerprint fingerprint)
    : history_gossip_(history_gossip), fingerprint_(fingerprint), windows_(history_length) {
  WAKU_ASSERT(history_length > 0 && history_gossip <= history_length);
}

std::size_t MessageCache::find(const MessageId& id, std::uint64_t fingerprint) const {
  if (size_ == 0) return kNotFound;
  const std::uint32_t tag = tag_of(fingerprint);
  for (std::size_t i = home(fingerprint);; i = (i + 1) & mask_) {
    const Slot slot = index_[i];
    if (slot.entry_plus_one == 0) return kNotFound;
    if (slot.tag == tag && MessageIdEqual{}(entries_[slot.entry_plus_one - 1].id, id)) return i;
  }
}

bool MessageCache::put(RelayMessagePtr message, TopicIndex topic) {
  WAKU_ASSERT(message != nullptr);
  const MessageId& id = message->id;
  const std::uint64_t fingerprint = fingerprint_(id);
  if (2 * (size_ + 1) > index_.size()) {
    rehash(index_.empty() ? kMinIndexSlots : 2 * index_.size());
  }
  // One probe: it ends at the id (a duplicate) or at the empty slot the id goes into.
  const std::uint32_t tag = tag_of(fingerprint);
  std::size_t i = home(fingerprint);
  for (; index_[i].entry_plus_one != 0; i = (i + 1) & mask_) {
    if (index_[i].tag == tag && MessageIdEqual{}(entries_[index_[i].entry_plus_one - 1].id, id)) {
      return false;
    }
  }

  std::uint32_t entry = 0;
  if (free_entries_.empty()) {
    entry = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  } else {
    entry = free_entries_.back();
    free_entries_.pop_back();
  }
  Entry& e = entries_[entry];
  e.id = id;
  e.fingerprint = fingerprint;
  e.message = std::move(message);
  e.topic = topic;
  index_[i] = Slot{entry + 1, tag};
  ++size_;
  windows_.front().push_back(entry);
  return true;
}

const RelayMessage* MessageCache::get(const MessageId& id) const {
  const std::size_t i = find(id, fingerprint_(id));
  return i == kNotFound ? nullptr : entries_[index_[i].entry_plus_one - 1].message.get();
}

RelayMessagePtr MessageCache::serve(const MessageId& id, PeerKey peer, std::size_t max_serves) {
  const std::size_t i = find(id, fingerprint_(id));
  if (i == kNotFound) return nullptr;
  Entry& entry = entries_[index_[i].entry_plus_one - 1];
  for (auto& [who, count] : entry.serves) {
    if (who != peer) continue;
    if (count >= max_serves) return nullptr;
    ++count;
    return entry.message;
  }
  entry.serves.emplace_back(peer, 1U);
  return entry.message;
}

void MessageCache::gossip_ids(TopicIndex topic, std::vector<MessageId>& out) const {
  const std::size_t windows = history_gossip_ < windows_.size() ? history_gossip_ : windows_.size();
  for (std::size_t w = windows; w-- > 0;) {
    for (const std::uint32_t entry : windows_[w]) {
      if (entries_[entry].topic == topic) out.push_back(entries_[entry].id);
    }
  }
}

void MessageCache::erase_slot(std::size_t hole) {
  // Backward-shift deletion: move later members of the probe run into the hole when their home
  // slot does not lie cyclically in (hole, j], so every entry stays reachable from its home.
  for (std::size_t j = (hole + 1) & mask_; index_[j].entry_plus_one != 0; j = (j + 1) & mask_) {
    const std::size_t h = home(entries_[index_[j].entry_plus_one - 1].fingerprint);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    index_[hole] = index_[j];
    hole = j;
  }
  index_[hole] = Slot{};
  --size_;
}

void MessageCache::rehash(std::size_t capacity) {
  std::vector<Slot> old = std::move(index_);
  index_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (const Slot slot : old) {
    if (slot.entry_plus_one == 0) continue;
    std::size_t i = home(entries_[slot.entry_plus_one - 1].fingerprint);
    while (index_[i].entry_plus_one != 0) i = (i + 1) & mask_;
    index_[i] = slot;
  }
}

void MessageCache::drop_oldest_window() {
  std::vector<std::uint32_t> oldest = std::move(windows_.back());
  windows_.pop_back();
  // Under relay load a window holds tens of thousands of entries scattered over the slab and the
  // index, each a cache miss: load the entry kAhead positions on, and the index slot and message
  // of the one half-way there (whose entry is loaded by then), so the misses overlap.
  constexpr std::size_t kAhead = 8;
  for (std::size_t k = 0; k < oldest.size(); ++k) {
    if (k + kAhead < oldest.size()) prefetch(&entries_[oldest[k + kAhead]]);
    if (k + kAhead / 2 < oldest.size()) {
      const Entry& next = entries_[oldest[k + kAhead / 2]];
      prefetch(&index_[home(next.fingerprint)]);
      prefetch(next.message.get());
    }
    const std::uint32_t entry = oldest[k];
    Entry& e = entries_[entry];
    const std::size_t i = find(e.id, e.fingerprint);
    WAKU_ASSERT(i != kNotFound);
    erase_slot(i);
    e.message.reset();
    e.serves.clear();
    free_entries_.push_back(entry);
  }
  oldest.clear();
  windows_.push_front(std::move(oldest));  // reused: no allocation per heartbeat

  // A burst must not pin its memory forever; small tables stay, so that steady traffic does not
  // make them grow and shrink over and over.
  if (size_ == 0) {
    entries_ = {};
    free_entries_ = {};
  }
  if (index_.size() > kMinIndexSlots && 8 * size_ < index_.size()) rehash(index_.size() / 2);
}

}  // namespace waku::relay
