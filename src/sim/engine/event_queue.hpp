// EventQueue: the simulator's agenda of small POD events in virtual time.
//
// Ties are broken by a sequence number assigned at push, so two runs with the same seed pop the
// same events in the same order. Events are 24 bytes and carry indices, never pointers or
// callables, so pushing one never allocates once the queue has grown to its working size.
//
// Layout: a timing wheel of 0.5 ms buckets over the next ~2 s, a 4-ary min-heap holding only the
// current bucket, and a heap of the rare events further ahead (publications, churn). At 10,000
// nodes a lane holds ~10^5 events; as one heap its lower levels missed the cache on every push and
// pop (~7 % of the run's instructions and 5 % of its cache misses). Now a push appends to a
// bucket and a pop sifts a heap of a few hundred events that stays in L1; a bucket is read once,
// in order, when its turn comes. The order of pops is the heap's: (time, sequence).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace waku::sim {

// The first five are node events, run in the node's lane; the others are topology events, run
// alone between windows (simulation_state.hpp).
enum class EventKind : std::uint8_t {
  kFrameArrive,   // a frame reached the receiver's downlink (node = receiver, a = conn, b = frame)
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

// The queue's order: by time, then by sequence number. Sequence numbers compare modulo 2^32, so
// that a wrap cannot reorder nearby pushes.
inline bool runs_before(std::int64_t time_a, std::uint32_t sequence_a, std::int64_t time_b,
                        std::uint32_t sequence_b) {
  return time_a < time_b ||
         (time_a == time_b && static_cast<std::int32_t>(sequence_a - sequence_b) < 0);
}

class EventQueue {
 public:
  void push(std::int64_t time_ns, EventKind kind, std::uint32_t node, std::uint32_t a = 0,
            std::uint32_t b = 0) {
    push(Event{time_ns, next_sequence_++, node, a, b, kind});
  }
  // The sequence number the next push would get, for an event that may never be pushed (a
  // deferred frame, simulation_state.hpp): its place among ties is kept either way.
  std::uint32_t take_sequence() { return next_sequence_++; }
  // An event whose sequence number was taken earlier.
  void push(const Event& event) {
    ++size_;
    const std::int64_t bucket = bucket_of(event.time_ns);
    if (bucket <= cursor_) {
      // The current bucket, or (before the first pops, or out of order) an earlier one: the heap
      // orders whatever it holds.
      heap_.push_back(event);
      sift_up(heap_, heap_.size() - 1);
      return;
    }
    if (bucket - cursor_ < kBuckets) {
      append(static_cast<std::size_t>(bucket) & kSlotMask, event);
    } else {
      far_.push_back(event);
      sift_up(far_, far_.size() - 1);
    }
    if (heap_.empty()) load_next_bucket();
  }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }
  // The earliest event. The heap holds it: it is empty only when the whole queue is.
  [[nodiscard]] const Event& top() const { return heap_.front(); }
  // The event pop() returns after the top one unless something earlier is pushed in between: a
  // child of the root, or nullptr when the heap holds fewer than two (the next is then in a later
  // bucket). For prefetching only.
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
    const Event out = pop_from(heap_);
    --size_;
    if (heap_.empty() && size_ > 0) load_next_bucket();
    return out;
  }

 private:
  static constexpr std::size_t kArity = 4;
  static constexpr int kBucketShift =
      19;  // 2^19 ns = 0.52 ms: a few hundred events at 10,000 nodes
  static constexpr std::int64_t kBuckets = 4096;  // 2.1 s ahead, past the 1 s heartbeat wake-ups
  static constexpr std::size_t kSlotMask = kBuckets - 1;

  static std::int64_t bucket_of(std::int64_t time_ns) { return time_ns >> kBucketShift; }
  static bool before(const Event& x, const Event& y) {
    return runs_before(x.time_ns, x.sequence, y.time_ns, y.sequence);
  }

  // Invariant: every event in the wheel or in far_ is in a bucket after cursor_, and every event
  // in heap_ in cursor_'s bucket or before. So the heap's top is the earliest event, and when
  // the heap runs dry the next bucket in time becomes the current one.
  void load_next_bucket() {
    const std::int64_t wheel = next_occupied_bucket();
    const std::int64_t far = far_.empty() ? kNone : bucket_of(far_.front().time_ns);
    cursor_ = std::min(wheel, far);
    if (wheel == cursor_) take(static_cast<std::size_t>(cursor_) & kSlotMask);
    while (!far_.empty() && bucket_of(far_.front().time_ns) == cursor_) {
      heap_.push_back(pop_from(far_));
    }
    for (std::size_t i = heap_.size() / kArity + 1; i-- > 0;) sift_down(heap_, i);
  }
  // The first occupied bucket after cursor_ (the cursor's own slot is always empty), or kNone.
  std::int64_t next_occupied_bucket() const {
    for (std::int64_t offset = 1; offset < kBuckets;) {
      const auto slot = static_cast<std::size_t>(cursor_ + offset) & kSlotMask;
      const std::uint64_t bits = occupied_[slot / 64] >> (slot % 64);
      if (bits != 0) {
        const std::int64_t found = offset + std::countr_zero(bits);
        return found < kBuckets ? cursor_ + found : kNone;
      }
      offset += static_cast<std::int64_t>(64 - slot % 64);
    }
    return kNone;
  }

  // A bucket is a list of chunks from a shared pool, so the wheel holds what is queued rather
  // than every bucket's largest size, and a push writes into the chunk freed last, still cached.
  void append(std::size_t slot, const Event& event) {
    Bucket& bucket = buckets_[slot];
    if (bucket.last == kNoChunk || bucket.last_size == kChunkEvents) {
      const std::uint32_t chunk = new_chunk();
      if (bucket.last == kNoChunk) {
        bucket.first = chunk;
        occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
      } else {
        chunks_[bucket.last].next = chunk;
      }
      bucket.last = chunk;
      bucket.last_size = 0;
    }
    chunks_[bucket.last].events[bucket.last_size++] = event;
  }
  // Moves the bucket's events to the heap (unordered; the caller heapifies) and frees its chunks.
  void take(std::size_t slot) {
    Bucket& bucket = buckets_[slot];
    for (std::uint32_t chunk = bucket.first; chunk != kNoChunk;) {
      const Chunk& c = chunks_[chunk];
      const std::size_t n = chunk == bucket.last ? bucket.last_size : kChunkEvents;
      heap_.insert(heap_.end(), c.events.begin(),
                   c.events.begin() + static_cast<std::ptrdiff_t>(n));
      free_chunks_.push_back(chunk);
      chunk = c.next;
    }
    bucket = Bucket{};
    occupied_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
  }
  std::uint32_t new_chunk() {
    std::uint32_t chunk = 0;
    if (free_chunks_.empty()) {
      chunk = static_cast<std::uint32_t>(chunks_.size());
      chunks_.emplace_back();
    } else {
      chunk = free_chunks_.back();
      free_chunks_.pop_back();
    }
    chunks_[chunk].next = kNoChunk;
    return chunk;
  }

  static Event pop_from(std::vector<Event>& heap) {
    const Event out = heap.front();
    heap.front() = heap.back();
    heap.pop_back();
    if (!heap.empty()) sift_down(heap, 0);
    return out;
  }
  static void sift_up(std::vector<Event>& heap, std::size_t i) {
    const Event moving = heap[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!before(moving, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = moving;
  }
  static void sift_down(std::vector<Event>& heap, std::size_t i) {
    const Event moving = heap[i];
    const std::size_t n = heap.size();
    for (;;) {
      const std::size_t first = i * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (before(heap[c], heap[best])) best = c;
      }
      if (!before(heap[best], moving)) break;
      heap[i] = heap[best];
      i = best;
    }
    heap[i] = moving;
  }

  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  static constexpr std::uint32_t kNoChunk = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t kChunkEvents = 32;

  struct Chunk {
    std::array<Event, kChunkEvents> events;
    std::uint32_t next{kNoChunk};
  };
  struct Bucket {
    std::uint32_t first{kNoChunk};
    std::uint32_t last{kNoChunk};
    std::size_t last_size{0};  // events in the last chunk; the others are full
  };

  std::vector<Event> heap_;  // the current bucket (and anything earlier)
  std::vector<Bucket> buckets_ = std::vector<Bucket>(kBuckets);
  std::array<std::uint64_t, kBuckets / 64> occupied_{};  // which buckets_ hold events
  std::vector<Chunk> chunks_;
  std::vector<std::uint32_t> free_chunks_;
  std::vector<Event> far_;  // a heap of events past the wheel
  std::int64_t cursor_{0};  // the current bucket
  std::size_t size_{0};
  std::uint32_t next_sequence_{0};
};

}  // namespace waku::sim
