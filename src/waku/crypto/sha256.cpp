#include "waku/crypto/sha256.hpp"

namespace waku::crypto {

// SHA256_* is deprecated in OpenSSL 3 in favour of EVP; see the header for why we keep it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

Bytes32 sha256(ByteView data) {
  Bytes32 digest{};
  ::SHA256(data.data(), data.size(), digest.data());
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
