// Rng: the seeded, reproducible random source of every protocol core.
//
// xoshiro256** seeded through splitmix64, with our own uniform/shuffle/sample, because
// the standard library's random distributions and shuffle produce different sequences on different
// standard libraries and a simulation must replay bit for bit from its seed. Per-node generators
// are derived with `Rng::derive(seed, index)` so that adding a node does not perturb the others.
// Not for keys or nonces: those come from an Entropy source (waku/base/entropy.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "waku/base/assert.hpp"

namespace waku {

// One step of splitmix64: advances `state` and returns a well-mixed 64-bit value.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // The generator of child `index` of `seed` (e.g. node `index` of a simulation).
  static Rng derive(std::uint64_t seed, std::uint64_t index);

  // A child generator whose stream is independent of this one's continuation.
  Rng fork();

  std::uint64_t next_u64();

  // Uniform in [0, bound); bound must be > 0. Unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform(std::uint64_t bound);
  // Uniform in [low, high] (inclusive); low <= high.
  std::int64_t uniform_between(std::int64_t low, std::int64_t high);
  // Uniform double in [0, 1) with 53 random bits.
  double uniform_real();
  // True with probability p (p outside [0,1] is clamped).
  bool bernoulli(double p);
  // Exponentially distributed with the given mean (for Poisson arrivals).
  double exponential(double mean);

  // Fisher–Yates, in place.
  template <typename T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(uniform(i));
      using std::swap;
      swap(items[i - 1], items[j]);
    }
  }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    shuffle(std::span<T>(items));
  }

  // Up to `count` distinct elements of `items`, in random order (partial Fisher–Yates on a copy).
  template <typename T>
  std::vector<T> sample(std::span<const T> items, std::size_t count) {
    std::vector<T> pool(items.begin(), items.end());
    sample_in_place(pool, count);
    return pool;
  }
  template <typename T>
  std::vector<T> sample(const std::vector<T>& items, std::size_t count) {
    return sample(std::span<const T>(items), count);
  }
  // The same draws on `items` itself, which keeps the sample (no copy, no allocation).
  template <typename T>
  void sample_in_place(std::vector<T>& items, std::size_t count) {
    const std::size_t take = count < items.size() ? count : items.size();
    for (std::size_t i = 0; i < take; ++i) {
      const auto j = i + static_cast<std::size_t>(uniform(items.size() - i));
      using std::swap;
      swap(items[i], items[j]);
    }
    items.resize(take);
  }

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace waku
