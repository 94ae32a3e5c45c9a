// FlatMap: a map kept as a vector of (key, value) pairs sorted by key, with the keys repeated in
// a vector of their own.
//
// For small maps probed on every input, like a router's peers (tens of entries, looked up for
// every received RPC): the binary search runs over the keys alone, one or two cache lines, and
// touches the value's line once at the end. Searching the pairs instead put every probe on its
// own cache line when the values are large (a router's PeerState is ~430 bytes): at 10,000
// simulated routers, whose state is never in cache, that search was 12 % of the run. Iteration
// stays in key order, so choices made while iterating are deterministic. Inserting or erasing
// moves later elements, so references and iterators are invalidated by both; do neither while
// holding one. Keys are stored mutable so that `auto& [key, value]` works; never assign to a key.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/prefetch.hpp"

namespace waku {

template <typename K, typename V>
class FlatMap {
 public:
  using value_type = std::pair<K, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  [[nodiscard]] iterator begin() { return items_.begin(); }
  [[nodiscard]] iterator end() { return items_.end(); }
  [[nodiscard]] const_iterator begin() const { return items_.begin(); }
  [[nodiscard]] const_iterator end() const { return items_.end(); }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] bool empty() const { return items_.empty(); }

  [[nodiscard]] iterator find(const K& key) {
    const std::size_t i = lower_bound(key);
    return i != keys_.size() && keys_[i] == key ? items_.begin() + offset(i) : items_.end();
  }
  [[nodiscard]] const_iterator find(const K& key) const {
    const std::size_t i = lower_bound(key);
    return i != keys_.size() && keys_[i] == key ? items_.begin() + offset(i) : items_.end();
  }
  [[nodiscard]] bool contains(const K& key) const {
    const std::size_t i = lower_bound(key);
    return i != keys_.size() && keys_[i] == key;
  }
  [[nodiscard]] V& at(const K& key) {
    const auto it = find(key);
    WAKU_ASSERT_MSG(it != end(), "FlatMap::at: missing key");
    return it->second;
  }
  [[nodiscard]] const V& at(const K& key) const {
    const auto it = find(key);
    WAKU_ASSERT_MSG(it != end(), "FlatMap::at: missing key");
    return it->second;
  }

  template <typename... Args>
  std::pair<iterator, bool> try_emplace(const K& key, Args&&... args) {
    const std::size_t i = lower_bound(key);
    if (i != keys_.size() && keys_[i] == key) return {items_.begin() + offset(i), false};
    const auto it = items_.emplace(items_.begin() + offset(i), std::piecewise_construct,
                                   std::forward_as_tuple(key),
                                   std::forward_as_tuple(std::forward<Args>(args)...));
    keys_.insert(keys_.begin() + offset(i), key);
    return {it, true};
  }
  std::pair<iterator, bool> emplace(const K& key, V value) {
    return try_emplace(key, std::move(value));
  }
  iterator erase(iterator it) {
    keys_.erase(keys_.begin() + (it - items_.begin()));
    return items_.erase(it);
  }
  std::size_t erase(const K& key) {
    const auto it = find(key);
    if (it == end()) return 0;
    erase(it);
    return 1;
  }
  // A hint: starts loading the keys the next lookup will search.
  void prefetch_keys() const { prefetch_bytes(keys_.data(), keys_.size() * sizeof(K)); }
  void clear() {
    items_.clear();
    keys_.clear();
  }

 private:
  std::size_t lower_bound(const K& key) const {
    return static_cast<std::size_t>(std::lower_bound(keys_.begin(), keys_.end(), key) -
                                    keys_.begin());
  }
  static std::ptrdiff_t offset(std::size_t i) { return static_cast<std::ptrdiff_t>(i); }

  std::vector<value_type> items_;
  std::vector<K> keys_;  // items_[i].first == keys_[i]
};

}  // namespace waku
