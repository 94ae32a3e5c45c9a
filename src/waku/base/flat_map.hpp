// FlatMap: a map kept as a vector of (key, value) pairs sorted by key.
//
// For small maps probed on every input, like a router's peers (tens of entries, looked up for
// every received RPC): a binary search over one or two cache lines of keys replaces the chain of
// dependent cache misses of a std::map, and iteration stays in key order, so choices made while
// iterating are deterministic. Inserting or erasing moves later elements, so references and
// iterators are invalidated by both; do neither while holding one. Keys are stored mutable so
// that `auto& [key, value]` works; never assign to a key.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "waku/base/assert.hpp"

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
    const auto it = lower_bound(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  [[nodiscard]] const_iterator find(const K& key) const {
    const auto it = lower_bound(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  [[nodiscard]] bool contains(const K& key) const { return find(key) != end(); }
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
    auto it = lower_bound(key);
    if (it != items_.end() && it->first == key) return {it, false};
    it = items_.emplace(it, std::piecewise_construct, std::forward_as_tuple(key),
                        std::forward_as_tuple(std::forward<Args>(args)...));
    return {it, true};
  }
  std::pair<iterator, bool> emplace(const K& key, V value) {
    return try_emplace(key, std::move(value));
  }
  iterator erase(iterator it) { return items_.erase(it); }
  std::size_t erase(const K& key) {
    const auto it = find(key);
    if (it == end()) return 0;
    items_.erase(it);
    return 1;
  }
  void clear() { items_.clear(); }

 private:
  iterator lower_bound(const K& key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& item, const K& k) { return item.first < k; });
  }
  const_iterator lower_bound(const K& key) const {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& item, const K& k) { return item.first < k; });
  }

  std::vector<value_type> items_;
};

}  // namespace waku
