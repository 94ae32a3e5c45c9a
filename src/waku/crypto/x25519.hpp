// X25519 Diffie-Hellman (RFC 7748, via OpenSSL's EVP_PKEY_X25519): the DH function of the libp2p
// Noise handshake (Noise_XX_25519_ChaChaPoly_SHA256).
//
// Noise static and ephemeral keys are X25519 key pairs, separate from the libp2p identity key; the
// identity key signs the static public key. Shared secrets that come out all zero (the peer sent a
// small-order point) are refused, as OpenSSL does: no honest peer produces one.
#pragma once

#include <array>
#include <cstdint>

#include "waku/base/bytes.hpp"
#include "waku/base/entropy.hpp"
#include "waku/base/result.hpp"

namespace waku::crypto {

inline constexpr std::size_t kX25519KeySize = 32;

using X25519PublicKey = std::array<std::uint8_t, kX25519KeySize>;

class X25519PrivateKey {
 public:
  // Any 32 bytes are a valid private key: X25519 clamps the scalar itself.
  static X25519PrivateKey from_bytes(const Bytes32& scalar);
  static X25519PrivateKey generate(Entropy& entropy);

  X25519PrivateKey(const X25519PrivateKey&) = default;
  X25519PrivateKey(X25519PrivateKey&&) = default;
  X25519PrivateKey& operator=(const X25519PrivateKey&) = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) = default;
  // Wipes the scalar so that it does not linger in freed memory.
  ~X25519PrivateKey();

  [[nodiscard]] const Bytes32& bytes() const { return scalar_; }
  [[nodiscard]] const X25519PublicKey& public_key() const { return public_key_; }
  // X25519(scalar, peer). kBadKey if the result is all zero (a small-order peer point).
  [[nodiscard]] Result<Bytes32> diffie_hellman(const X25519PublicKey& peer) const;

 private:
  X25519PrivateKey() = default;
  Bytes32 scalar_{};
  X25519PublicKey public_key_{};
};

// The raw RFC 7748 function X25519(k, u), for test vectors; kBadKey on an all-zero output.
Result<Bytes32> x25519(const Bytes32& scalar, const X25519PublicKey& u_coordinate);

}  // namespace waku::crypto
