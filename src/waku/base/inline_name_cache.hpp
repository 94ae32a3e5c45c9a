// InlineNameCache: the last few names looked up in a string-keyed map, and what they mapped to,
// kept inline in the owner's memory.
//
// The router and its peer score look a pubsub topic up by name for every received message and
// IHAVE. Waku topics such as "/waku/2/rs/16/32" are 16 bytes, one more than libstdc++'s
// short-string buffer, so comparing against a std::string key reads the key's own heap block (and
// a std::map lookup its node as well): across 10,000 simulated routers, cache misses on every
// receipt (~7 % of the simulator's time). A hit here compares against bytes beside the owner's
// other hot fields and reads no heap. The cache is only ever a shortcut: the owner remembers what
// its map answered and clears the cache whenever a name stops meaning what was remembered.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace waku {

template <typename Value, std::size_t Entries = 4>
class InlineNameCache {
 public:
  // Longer names are never cached (lookups of them always miss).
  static constexpr std::size_t kMaxNameBytes = 30;

  // The value remembered for `name`, or nullptr.
  [[nodiscard]] const Value* find(std::string_view name) const {
    for (const Entry& entry : entries_) {
      // An unused entry's size (kUnused) never equals a name's.
      if (entry.size == name.size() &&
          std::memcmp(entry.chars.data(), name.data(), name.size()) == 0) {
        return &entry.value;
      }
    }
    return nullptr;
  }

  // Remembers `name` -> `value`, replacing the oldest entry when full. The name must not be cached
  // already (find it first).
  void remember(std::string_view name, Value value) {
    if (name.size() > kMaxNameBytes) return;
    Entry& entry = entries_[next_];
    next_ = (next_ + 1) % Entries;
    std::memcpy(entry.chars.data(), name.data(), name.size());
    entry.size = static_cast<std::uint8_t>(name.size());
    entry.value = value;
  }

  void clear() { entries_ = {}; }

 private:
  static constexpr std::uint8_t kUnused = 0xff;
  static_assert(kMaxNameBytes < kUnused);

  struct Entry {
    std::array<char, kMaxNameBytes> chars{};
    std::uint8_t size{kUnused};
    Value value{};
  };
  std::array<Entry, Entries> entries_{};
  std::size_t next_{0};
};

}  // namespace waku
