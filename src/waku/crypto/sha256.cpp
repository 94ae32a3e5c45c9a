#include "waku/crypto/sha256.hpp"

namespace waku::crypto {

// SHA256_* is deprecated in OpenSSL 3 in favour of EVP; see the header for why we keep it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

Bytes32 sha256(ByteView data) {
  // The low-level calls on a stack context: OpenSSL 3's one-shot ::SHA256 goes through
  // EVP_Q_digest, which fetches the algorithm (a lock) and allocates a context on every call.
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  Bytes32 digest{};
  SHA256_Final(digest.data(), &ctx);
  return digest;
}

Sha256::Sha256() { SHA256_Init(&ctx_); }

Sha256& Sha256::update(ByteView data) {
  WAKU_ASSERT(!finished_);
  SHA256_Update(&ctx_, data.data(), data.size());
  return *this;
}

Bytes32 Sha256::finish() {
  WAKU_ASSERT(!finished_);
  Bytes32 digest{};
  SHA256_Final(digest.data(), &ctx_);
  finished_ = true;
  return digest;
}

#pragma GCC diagnostic pop

}  // namespace waku::crypto
