// The operating system's entropy source (OpenSSL RAND_bytes), for key generation in the real host.
//
// Cores never call this themselves: they take an Entropy& from the host so that the simulator and
// tests can substitute a deterministic source (see waku/base/entropy.hpp).
#pragma once

#include "waku/base/entropy.hpp"

namespace waku::crypto {

// A process-wide source backed by OpenSSL's CSPRNG. fill() asserts if OpenSSL cannot produce
// bytes: continuing with predictable keys would be worse than stopping.
waku::Entropy& system_entropy();

}  // namespace waku::crypto
