// CountingEntropy: the deterministic Entropy of tests and fuzz targets. Its bytes count up from a
// chosen start (wrapping at 256), so keys and handshakes come out the same on every run. Never for
// a real key: that is what crypto::system_entropy() is for.
#pragma once

#include <cstdint>
#include <span>

#include "waku/base/entropy.hpp"

namespace waku {

class CountingEntropy final : public Entropy {
 public:
  explicit CountingEntropy(std::uint8_t start = 0) : next_(start) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) byte = next_++;
  }

 private:
  std::uint8_t next_;
};

}  // namespace waku
