// EventQueue: the simulator's agenda, a 4-ary min-heap of small POD events in virtual time.
//
// Ties are broken by a sequence number assigned at push, so two runs with the same seed pop the
// same events in the same order. Events are 24 bytes and carry indices, never pointers or
// callables, so pushing one never allocates once the heap has grown to its working size. A
// 4-ary heap halves the depth of a binary one; at 10,000 nodes the heap holds ~10^5 events and
// its upper levels stay in cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace waku::sim {

// The first five are node events, run in the node's lane; the others are topology events, run
// alone between windows (simulation_state.hpp).
enum class EventKind : std::uint8_t {
  kFrameArrive,   // a frame reached the receiver's downlink (node = receiver, a = conn, b = slot)
  kFrameDeliver,  // the downlink finished receiving it (after queueing)
  kWake,          // the node's router asked for handle_timeout (stale unless it matches)
  kPublish,       // node publishes traffic kind `a`
  kAttack,        // attacker node publishes an invalid message
  kStart,         // node comes online (first start or rejoin after churn)
  kLeave,         // churn: node goes offline
  kDiscover,      // node dials peers up to its outbound target
  kConnected,     // connection `a` finished its handshakes
  kCheck,         // periodic checkers and message bookkeeping (node unused)
};

struct Event {
  std::int64_t time_ns{0};
  std::uint32_t sequence{0};  // tie-break; wraps only after 4 billion pushes at one instant
  std::uint32_t node{0};
  std::uint32_t a{0};
  std::uint32_t b{0};
  EventKind kind{EventKind::kWake};
};

class EventQueue {
 public:
  void push(std::int64_t time_ns, EventKind kind, std::uint32_t node, std::uint32_t a = 0,
            std::uint32_t b = 0) {
    heap_.push_back(Event{time_ns, next_sequence_++, node, a, b, kind});
    sift_up(heap_.size() - 1);
  }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  [[nodiscard]] const Event& top() const { return heap_.front(); }
  // The event pop() returns after the top one unless something earlier is pushed in between: a
  // child of the root. For prefetching; nullptr with fewer than two events.
  [[nodiscard]] const Event* peek_second() const {
    const std::size_t n = heap_.size();
    if (n < 2) return nullptr;
    std::size_t best = 1;
    for (std::size_t c = 2; c <= kArity && c < n; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    return &heap_[best];
  }
  Event pop() {
    Event out = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return out;
  }

 private:
  static constexpr std::size_t kArity = 4;
  static bool before(const Event& x, const Event& y) {
    // Sequence numbers compare modulo 2^32 so that a wrap cannot reorder nearby pushes.
    return x.time_ns < y.time_ns ||
           (x.time_ns == y.time_ns && static_cast<std::int32_t>(x.sequence - y.sequence) < 0);
  }
  void sift_up(std::size_t i) {
    const Event moving = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!before(moving, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = moving;
  }
  void sift_down(std::size_t i) {
    const Event moving = heap_[i];
    const std::size_t n = heap_.size();
    for (;;) {
      const std::size_t first = i * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (before(heap_[c], heap_[best])) best = c;
      }
      if (!before(heap_[best], moving)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = moving;
  }

  std::vector<Event> heap_;
  std::uint32_t next_sequence_{0};
};

}  // namespace waku::sim
