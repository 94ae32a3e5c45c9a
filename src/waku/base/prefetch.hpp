// Prefetch hints: ask the CPU to start loading memory that is about to be used.
//
// For hosts that know what runs next (the simulator's event queue): issuing the loads of the next
// events while the current one runs lets their cache misses overlap instead of queueing one behind
// another. A hint never changes behaviour; a wrong address costs a wasted load, never a fault.
#pragma once

#include <cstddef>

namespace waku {

inline constexpr std::size_t kCacheLine = 64;

inline void prefetch(const void* address) { __builtin_prefetch(address, 0, 3); }

// Every cache line of [address, address + bytes): one hint per line, and one for the last byte,
// whose line the stride misses when the range does not start on a line boundary.
inline void prefetch_bytes(const void* address, std::size_t bytes) {
  if (bytes == 0) return;
  const auto* first = static_cast<const char*>(address);
  for (std::size_t offset = 0; offset < bytes; offset += kCacheLine) prefetch(first + offset);
  prefetch(first + bytes - 1);
}

template <typename T>
void prefetch_object(const T& object) {
  prefetch_bytes(&object, sizeof(T));
}

}  // namespace waku
