// ChaCha20-Poly1305 AEAD (RFC 8439, via OpenSSL's EVP_chacha20_poly1305): the cipher of the libp2p
// Noise handshake and of every Noise transport frame.
//
// A ChaChaPoly object holds one key and one OpenSSL context for its whole life, so that sealing or
// opening a frame costs no allocation and no algorithm look-up: every relayed byte of a Noise
// connection passes through here.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "waku/base/bytes.hpp"

// OpenSSL's context type, declared here so that this header does not pull in <openssl/evp.h>.
struct evp_cipher_ctx_st;

namespace waku::crypto {

inline constexpr std::size_t kChaChaPolyKeySize = 32;
inline constexpr std::size_t kChaChaPolyNonceSize = 12;
inline constexpr std::size_t kChaChaPolyTagSize = 16;

using ChaChaPolyNonce = std::array<std::uint8_t, kChaChaPolyNonceSize>;

class ChaChaPoly {
 public:
  explicit ChaChaPoly(const Bytes32& key);
  ChaChaPoly(ChaChaPoly&&) noexcept = default;
  ChaChaPoly& operator=(ChaChaPoly&&) noexcept = default;
  ChaChaPoly(const ChaChaPoly&) = delete;
  ChaChaPoly& operator=(const ChaChaPoly&) = delete;
  ~ChaChaPoly();

  // The Noise nonce: 4 zero bytes, then the 64-bit counter little-endian (Noise spec §12.3).
  static ChaChaPolyNonce noise_nonce(std::uint64_t counter);

  // Writes ciphertext || tag (plaintext.size() + 16 bytes) to `out`, which must be exactly that
  // long. `out` may start at plaintext.data() (in place); other overlaps are not allowed.
  void seal(const ChaChaPolyNonce& nonce, ByteView associated_data, ByteView plaintext,
            std::span<std::uint8_t> out);
  // Checks the tag of `sealed` (ciphertext || tag, at least 16 bytes) and writes the plaintext
  // (sealed.size() - 16 bytes) to `out`, which must be exactly that long; same aliasing rule as
  // seal(). False (and `out` unspecified) if the tag does not verify.
  [[nodiscard]] bool open(const ChaChaPolyNonce& nonce, ByteView associated_data, ByteView sealed,
                          std::span<std::uint8_t> out);

 private:
  struct CtxFree {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_cipher_ctx_st, CtxFree> ctx_;
};

}  // namespace waku::crypto
