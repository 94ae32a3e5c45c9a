// Ed25519 keys and signatures (RFC 8032, via OpenSSL's EVP_PKEY_ED25519): libp2p peer identities.
//
// Ed25519 is the key type every libp2p implementation must support and the default identity of
// js-libp2p and go-libp2p nodes; the Noise handshake and signed peer records are signed with it.
#pragma once

#include <array>
#include <cstdint>

#include "waku/base/bytes.hpp"
#include "waku/base/entropy.hpp"
#include "waku/base/result.hpp"

namespace waku::crypto {

inline constexpr std::size_t kEd25519KeySize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureSize>;

class Ed25519PublicKey {
 public:
  // Exactly 32 bytes. Whether they decode to a curve point is only learnt when verifying (an
  // undecodable key verifies nothing), as in OpenSSL and libsodium.
  static Result<Ed25519PublicKey> parse(ByteView bytes);

  [[nodiscard]] const std::array<std::uint8_t, kEd25519KeySize>& bytes() const { return key_; }

  friend bool operator==(const Ed25519PublicKey&, const Ed25519PublicKey&) = default;

 private:
  friend class Ed25519PrivateKey;
  Ed25519PublicKey() = default;
  std::array<std::uint8_t, kEd25519KeySize> key_{};
};

class Ed25519PrivateKey {
 public:
  // The 32-byte RFC 8032 seed (the first half of libp2p's 64-byte PrivateKey.Data).
  static Result<Ed25519PrivateKey> from_seed(ByteView seed);
  static Ed25519PrivateKey generate(Entropy& entropy);

  Ed25519PrivateKey(const Ed25519PrivateKey&) = default;
  Ed25519PrivateKey(Ed25519PrivateKey&&) = default;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) = default;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) = default;
  // Wipes the seed so that it does not linger in freed memory.
  ~Ed25519PrivateKey();

  [[nodiscard]] const std::array<std::uint8_t, kEd25519KeySize>& seed() const { return seed_; }
  [[nodiscard]] const Ed25519PublicKey& public_key() const { return public_key_; }
  [[nodiscard]] Ed25519Signature sign(ByteView message) const;

 private:
  Ed25519PrivateKey() = default;
  std::array<std::uint8_t, kEd25519KeySize> seed_{};
  Ed25519PublicKey public_key_;
};

// False unless `signature` is 64 bytes and a valid RFC 8032 signature of `message` by `key`.
bool verify_ed25519(const Ed25519PublicKey& key, ByteView message, ByteView signature);

}  // namespace waku::crypto
