// SHA-256 (OpenSSL): message ids, deterministic message hashes, autosharding, peer ids.
#pragma once

#include <openssl/sha.h>

#include "waku/base/bytes.hpp"

namespace waku::crypto {

// One-shot digest.
Bytes32 sha256(ByteView data);

// Incremental digest, for hashes over several fields without concatenating them first.
// Uses OpenSSL's low-level SHA256_CTX directly: EVP would cost an allocation and a provider
// look-up per digest, and message hashes are computed on every receipt.
class Sha256 {
 public:
  Sha256();
  Sha256& update(ByteView data);
  Sha256& update(std::string_view text) { return update(as_bytes(text)); }
  // Returns the digest; the object may not be updated afterwards.
  Bytes32 finish();

 private:
  SHA256_CTX ctx_{};
  bool finished_{false};
};

}  // namespace waku::crypto
