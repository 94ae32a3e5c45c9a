// Entropy: unpredictable bytes for keys and nonces.
//
// Kept apart from Rng on purpose: Rng is reproducible from a seed (simulation, protocol choices),
// Entropy must not be. Cores that generate keys take an Entropy& from the host; the real host
// passes the operating system's source (waku::crypto::system_entropy()), tests may pass a
// deterministic one.
#pragma once

#include <cstdint>
#include <span>

namespace waku {

class Entropy {
 public:
  virtual ~Entropy() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

}  // namespace waku
