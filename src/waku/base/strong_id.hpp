// StrongId: an integer index that cannot be mixed up with another kind of index.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace waku {

template <typename Tag, typename Rep = std::uint32_t>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}
  [[nodiscard]] constexpr Rep value() const { return value_; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  Rep value_{0};
};

}  // namespace waku

template <typename Tag, typename Rep>
struct std::hash<waku::StrongId<Tag, Rep>> {
  std::size_t operator()(waku::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
