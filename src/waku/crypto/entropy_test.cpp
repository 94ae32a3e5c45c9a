#include "waku/crypto/entropy.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace waku::crypto {
namespace {

TEST(SystemEntropy, FillsWithFreshBytes) {
  std::array<std::uint8_t, 32> a{};
  std::array<std::uint8_t, 32> b{};
  system_entropy().fill(a);
  system_entropy().fill(b);
  // Each check fails by chance with probability 2^-256.
  EXPECT_NE(a, (std::array<std::uint8_t, 32>{}));
  EXPECT_NE(a, b);
  EXPECT_EQ(&system_entropy(), &system_entropy());
}

TEST(SystemEntropy, EmptyRequestIsFine) { system_entropy().fill(std::span<std::uint8_t>{}); }

}  // namespace
}  // namespace waku::crypto
