// Prefetch hints: ask the CPU to start loading memory that is about to be used.
//
// For hosts that know what runs next (the simulator's event queue): issuing the loads of the next
// events while the current one runs lets their cache misses overlap instead of queueing one behind
// another. A hint never changes behaviour; a wrong address costs a wasted load, never a fault.
#pragma once

#include <cstddef>
#include <cstdint>

namespace waku {

inline constexpr std::size_t kCacheLine = 64;

inline void prefetch(const void* address) { __builtin_prefetch(address, 0, 3); }

// Every cache line of [address, address + bytes).
inline void prefetch_bytes(const void* address, std::size_t bytes) {
  const auto start = reinterpret_cast<std::uintptr_t>(address) & ~(kCacheLine - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(address) + bytes;
  for (std::uintptr_t line = start; line < end; line += kCacheLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 3);
  }
}

template <typename T>
void prefetch_object(const T& object) {
  prefetch_bytes(&object, sizeof(T));
}

}  // namespace waku
