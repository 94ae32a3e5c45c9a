#include "waku/crypto/ed25519.hpp"

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
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

PkeyPtr private_pkey(const std::array<std::uint8_t, kEd25519KeySize>& seed) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  WAKU_ASSERT_MSG(key != nullptr, "OpenSSL could not load an Ed25519 seed");
  return key;
}

}  // namespace

Result<Ed25519PublicKey> Ed25519PublicKey::parse(ByteView bytes) {
  if (bytes.size() != kEd25519KeySize) {
    return unexpected(Errc::kBadKey, "ed25519 public key: not 32 bytes");
  }
  Ed25519PublicKey key;
  std::copy(bytes.begin(), bytes.end(), key.key_.begin());
  return key;
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::from_seed(ByteView seed) {
  if (seed.size() != kEd25519KeySize) {
    return unexpected(Errc::kBadKey, "ed25519 seed: not 32 bytes");
  }
  Ed25519PrivateKey key;
  std::copy(seed.begin(), seed.end(), key.seed_.begin());
  const PkeyPtr pkey = private_pkey(key.seed_);
  std::size_t length = key.public_key_.key_.size();
  WAKU_ASSERT(EVP_PKEY_get_raw_public_key(pkey.get(), key.public_key_.key_.data(), &length) == 1);
  WAKU_ASSERT(length == kEd25519KeySize);
  return key;
}

Ed25519PrivateKey Ed25519PrivateKey::generate(Entropy& entropy) {
  // Every 32-byte string is a valid seed.
  std::array<std::uint8_t, kEd25519KeySize> seed{};
  entropy.fill(seed);
  auto key = from_seed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  WAKU_ASSERT(key.has_value());
  return std::move(key).value();
}

Ed25519PrivateKey::~Ed25519PrivateKey() { OPENSSL_cleanse(seed_.data(), seed_.size()); }

Ed25519Signature Ed25519PrivateKey::sign(ByteView message) const {
  const PkeyPtr pkey = private_pkey(seed_);
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  WAKU_ASSERT(ctx != nullptr);
  // Ed25519 hashes internally: no digest is configured (RFC 8032 "pure" mode).
  WAKU_ASSERT(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1);
  Ed25519Signature signature{};
  std::size_t length = signature.size();
  WAKU_ASSERT(
      EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) == 1);
  WAKU_ASSERT(length == signature.size());
  return signature;
}

bool verify_ed25519(const Ed25519PublicKey& key, ByteView message, ByteView signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  const PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.bytes().data(),
                                                 key.bytes().size()));
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  WAKU_ASSERT(ctx != nullptr);
  const bool valid = pkey != nullptr &&
                     EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
                     EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                      message.size()) == 1;
  // A rejected signature leaves entries on this thread's OpenSSL error queue; peers can send
  // many, so do not let them pile up.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace waku::crypto
