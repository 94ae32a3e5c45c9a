#include "waku/crypto/entropy.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstddef>

#include "waku/base/assert.hpp"

namespace waku::crypto {
namespace {

class SystemEntropy final : public waku::Entropy {
 public:
  void fill(std::span<std::uint8_t> out) override {
    // RAND_bytes takes an int length; feed larger requests in chunks.
    constexpr std::size_t kChunk = static_cast<std::size_t>(INT_MAX);
    while (!out.empty()) {
      const std::size_t n = std::min(out.size(), kChunk);
      WAKU_ASSERT_MSG(RAND_bytes(out.data(), static_cast<int>(n)) == 1,
                      "OpenSSL RAND_bytes failed");
      out = out.subspan(n);
    }
  }
};

}  // namespace

waku::Entropy& system_entropy() {
  static SystemEntropy source;
  return source;
}

}  // namespace waku::crypto
