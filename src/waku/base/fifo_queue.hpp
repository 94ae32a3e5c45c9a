// FifoQueue: a first-in first-out queue on one vector.
//
// std::deque allocates a map and a 512-byte block as soon as it exists, even when empty; a relay
// router keeps several queues per peer, and the simulator keeps millions of peers. This queue
// costs three words until used, releases each element as it is popped, and reclaims the popped
// prefix once it is at least half of the storage, so a drained queue holds no elements.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace waku {

template <typename T>
class FifoQueue {
 public:
  void push_back(T value) { items_.push_back(std::move(value)); }
  template <typename... Args>
  void emplace_back(Args&&... args) {
    items_.emplace_back(std::forward<Args>(args)...);
  }
  [[nodiscard]] bool empty() const { return head_ == items_.size(); }
  [[nodiscard]] std::size_t size() const { return items_.size() - head_; }
  [[nodiscard]] T& front() { return items_[head_]; }
  [[nodiscard]] const T& front() const { return items_[head_]; }
  [[nodiscard]] T& back() { return items_.back(); }  // the newest; the queue must not be empty
  void pop_front() {
    items_[head_] = T{};  // release what the element holds now, not at the next compaction
    ++head_;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 32 && 2 * head_ >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  // The queued elements, oldest first.
  [[nodiscard]] auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  [[nodiscard]] auto end() const { return items_.end(); }
  void clear() {
    items_.clear();
    head_ = 0;
  }

 private:
  std::vector<T> items_;
  std::size_t head_{0};
};

}  // namespace waku
