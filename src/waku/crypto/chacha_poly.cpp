#include "waku/crypto/chacha_poly.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>

#include "waku/base/assert.hpp"

namespace waku::crypto {
namespace {

// Fetched once: EVP_chacha20_poly1305() would make OpenSSL 3 look the implementation up again at
// every (re)initialisation.
const EVP_CIPHER* cipher() {
  static EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  WAKU_ASSERT_MSG(fetched != nullptr, "OpenSSL has no ChaCha20-Poly1305");
  return fetched;
}

int to_int(std::size_t size) {
  WAKU_ASSERT(size <= static_cast<std::size_t>(INT_MAX));
  return static_cast<int>(size);
}

}  // namespace

void ChaChaPoly::CtxFree::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

ChaChaPoly::ChaChaPoly(const Bytes32& key) : ctx_(EVP_CIPHER_CTX_new()) {
  WAKU_ASSERT(ctx_ != nullptr);
  // The key is set once; each seal/open then only sets the nonce and the direction.
  WAKU_ASSERT(EVP_CipherInit_ex(ctx_.get(), cipher(), nullptr, key.data(), nullptr, 1) == 1);
}

ChaChaPoly::~ChaChaPoly() = default;

ChaChaPolyNonce ChaChaPoly::noise_nonce(std::uint64_t counter) {
  ChaChaPolyNonce nonce{};
  const auto le = u64_le(counter);
  std::copy(le.begin(), le.end(), nonce.begin() + 4);
  return nonce;
}

void ChaChaPoly::seal(const ChaChaPolyNonce& nonce, ByteView associated_data, ByteView plaintext,
                      std::span<std::uint8_t> out) {
  WAKU_ASSERT(ctx_ != nullptr);
  WAKU_ASSERT(out.size() == plaintext.size() + kChaChaPolyTagSize);
  EVP_CIPHER_CTX* ctx = ctx_.get();
  WAKU_ASSERT(EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) == 1);
  int length = 0;
  if (!associated_data.empty()) {
    WAKU_ASSERT(EVP_CipherUpdate(ctx, nullptr, &length, associated_data.data(),
                                 to_int(associated_data.size())) == 1);
  }
  if (!plaintext.empty()) {
    WAKU_ASSERT(EVP_CipherUpdate(ctx, out.data(), &length, plaintext.data(),
                                 to_int(plaintext.size())) == 1);
    WAKU_ASSERT(static_cast<std::size_t>(length) == plaintext.size());
  }
  // A stream cipher: Final writes nothing, but give it a valid buffer all the same.
  std::array<std::uint8_t, kChaChaPolyTagSize> unused{};
  WAKU_ASSERT(EVP_CipherFinal_ex(ctx, unused.data(), &length) == 1);
  WAKU_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, to_int(kChaChaPolyTagSize),
                                  out.data() + plaintext.size()) == 1);
}

bool ChaChaPoly::open(const ChaChaPolyNonce& nonce, ByteView associated_data, ByteView sealed,
                      std::span<std::uint8_t> out) {
  WAKU_ASSERT(ctx_ != nullptr);
  WAKU_ASSERT(sealed.size() >= kChaChaPolyTagSize);
  const std::size_t text_size = sealed.size() - kChaChaPolyTagSize;
  WAKU_ASSERT(out.size() == text_size);
  EVP_CIPHER_CTX* ctx = ctx_.get();
  WAKU_ASSERT(EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) == 1);
  // OpenSSL takes the expected tag through a non-const pointer.
  std::array<std::uint8_t, kChaChaPolyTagSize> tag{};
  std::copy(sealed.begin() + static_cast<std::ptrdiff_t>(text_size), sealed.end(), tag.begin());
  WAKU_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, to_int(tag.size()), tag.data()) == 1);
  int length = 0;
  if (!associated_data.empty()) {
    WAKU_ASSERT(EVP_CipherUpdate(ctx, nullptr, &length, associated_data.data(),
                                 to_int(associated_data.size())) == 1);
  }
  if (text_size != 0) {
    WAKU_ASSERT(EVP_CipherUpdate(ctx, out.data(), &length, sealed.data(), to_int(text_size)) == 1);
    WAKU_ASSERT(static_cast<std::size_t>(length) == text_size);
  }
  std::array<std::uint8_t, kChaChaPolyTagSize> unused{};
  if (EVP_CipherFinal_ex(ctx, unused.data(), &length) != 1) {
    // Peers choose the bytes: keep failures off this thread's OpenSSL error queue.
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace waku::crypto
