#include "waku/crypto/x25519.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "waku/base/assert.hpp"

namespace waku::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

PkeyPtr private_pkey(const Bytes32& scalar) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  WAKU_ASSERT_MSG(key != nullptr, "OpenSSL could not load an X25519 private key");
  return key;
}

}  // namespace

X25519PrivateKey X25519PrivateKey::from_bytes(const Bytes32& scalar) {
  X25519PrivateKey key;
  key.scalar_ = scalar;
  const PkeyPtr pkey = private_pkey(scalar);
  std::size_t length = key.public_key_.size();
  WAKU_ASSERT(EVP_PKEY_get_raw_public_key(pkey.get(), key.public_key_.data(), &length) == 1);
  WAKU_ASSERT(length == kX25519KeySize);
  return key;
}

X25519PrivateKey X25519PrivateKey::generate(Entropy& entropy) {
  Bytes32 scalar{};
  entropy.fill(scalar);
  X25519PrivateKey key = from_bytes(scalar);
  OPENSSL_cleanse(scalar.data(), scalar.size());
  return key;
}

X25519PrivateKey::~X25519PrivateKey() { OPENSSL_cleanse(scalar_.data(), scalar_.size()); }

Result<Bytes32> X25519PrivateKey::diffie_hellman(const X25519PublicKey& peer) const {
  return x25519(scalar_, peer);
}

Result<Bytes32> x25519(const Bytes32& scalar, const X25519PublicKey& u_coordinate) {
  const PkeyPtr own = private_pkey(scalar);
  // Every 32-byte string is accepted as a u-coordinate (RFC 7748 §5: the top bit is masked).
  const PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u_coordinate.data(),
                                                 u_coordinate.size()));
  WAKU_ASSERT(peer != nullptr);
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
  WAKU_ASSERT(ctx != nullptr);
  WAKU_ASSERT(EVP_PKEY_derive_init(ctx.get()) == 1);
  WAKU_ASSERT(EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1);
  Bytes32 shared{};
  std::size_t length = shared.size();
  // OpenSSL fails the derivation when the result is all zero (RFC 7748 §6.1's optional check).
  if (EVP_PKEY_derive(ctx.get(), shared.data(), &length) != 1 || length != shared.size()) {
    // Peers choose the point: keep the failure off this thread's OpenSSL error queue.
    ERR_clear_error();
    return unexpected(Errc::kBadKey, "x25519: small-order public key");
  }
  return shared;
}

}  // namespace waku::crypto
