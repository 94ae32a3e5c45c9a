#include "waku/base/rng.hpp"

#include <cmath>

namespace waku {
namespace {

__extension__ using Uint128 = unsigned __int128;  // GCC and clang both have it on x86-64

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

Rng Rng::derive(std::uint64_t seed, std::uint64_t index) {
  // Mix the index through its own splitmix step so that neighbouring indices give unrelated
  // streams, then combine with the seed's.
  std::uint64_t seed_state = seed;
  std::uint64_t index_state = index ^ 0x6a09e667f3bcc909ULL;
  return Rng(splitmix64(seed_state) ^ splitmix64(index_state));
}

Rng Rng::fork() { return Rng(next_u64()); }

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17U;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::uniform(std::uint64_t bound) {
  WAKU_ASSERT(bound > 0);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  auto product = static_cast<Uint128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<Uint128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64U);
}

std::int64_t Rng::uniform_between(std::int64_t low, std::int64_t high) {
  WAKU_ASSERT(low <= high);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + uniform(span + 1));
}

double Rng::uniform_real() { return static_cast<double>(next_u64() >> 11U) * 0x1.0p-53; }

bool Rng::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return uniform_real() < p;
}

double Rng::exponential(double mean) {
  // 1 - u is in (0, 1], so the log is finite.
  return -std::log(1.0 - uniform_real()) * mean;
}

}  // namespace waku
