// secp256k1 keys and ECDSA (libsecp256k1): Waku protected-shard signatures and libp2p identities.
//
// Two signature encodings over the same ECDSA: the 64-byte compact r||s that Waku's protected
// shards put in WakuMessage.meta (signed over a 32-byte app-message hash), and the DER encoding
// that libp2p uses for secp256k1 identities (signed over sha256(message)). Both sign with RFC 6979
// nonces, so signatures are deterministic, and both produce and accept only low-S signatures, as
// nwaku, go-waku and js-libp2p do.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/entropy.hpp"
#include "waku/base/result.hpp"

namespace waku::crypto {

inline constexpr std::size_t kSecp256k1CompressedSize = 33;
inline constexpr std::size_t kSecp256k1UncompressedSize = 65;
inline constexpr std::size_t kSecp256k1PrivateKeySize = 32;

class Secp256k1PublicKey {
 public:
  // 33 bytes (0x02/0x03 prefix) or 65 bytes (0x04 prefix) of a point on the curve. The "hybrid"
  // 0x06/0x07 form that libsecp256k1 would also accept is refused: nothing in Waku emits it.
  static Result<Secp256k1PublicKey> parse(ByteView bytes);
  // Hex of either form, with an optional 0x prefix (as nwaku's --protected-shard takes it).
  static Result<Secp256k1PublicKey> from_hex(std::string_view hex);

  [[nodiscard]] Bytes compressed() const;    // 33 bytes
  [[nodiscard]] Bytes uncompressed() const;  // 65 bytes

  friend bool operator==(const Secp256k1PublicKey& a, const Secp256k1PublicKey& b);

 private:
  friend class Secp256k1PrivateKey;
  friend bool verify_compact(const Secp256k1PublicKey&, const Bytes32&, ByteView);
  friend bool verify_der(const Secp256k1PublicKey&, ByteView, ByteView);
  Secp256k1PublicKey() = default;

  // libsecp256k1's opaque secp256k1_pubkey, held as bytes so that this header does not pull in
  // <secp256k1.h>; only the .cpp interprets it. Keeping the parsed form saves a point
  // decompression on every verification.
  std::array<std::uint8_t, 64> point_{};
};

class Secp256k1PrivateKey {
 public:
  // 32 bytes, big-endian, a scalar in [1, n-1].
  static Result<Secp256k1PrivateKey> from_bytes(ByteView bytes);
  static Result<Secp256k1PrivateKey> from_hex(std::string_view hex);
  static Secp256k1PrivateKey generate(Entropy& entropy);

  Secp256k1PrivateKey(const Secp256k1PrivateKey&) = default;
  Secp256k1PrivateKey(Secp256k1PrivateKey&&) = default;
  Secp256k1PrivateKey& operator=(const Secp256k1PrivateKey&) = default;
  Secp256k1PrivateKey& operator=(Secp256k1PrivateKey&&) = default;
  // Wipes the secret so that it does not linger in freed memory.
  ~Secp256k1PrivateKey();

  [[nodiscard]] const Bytes32& bytes() const { return key_; }
  [[nodiscard]] Secp256k1PublicKey public_key() const;

 private:
  explicit Secp256k1PrivateKey(const Bytes32& key) : key_(key) {}
  Bytes32 key_{};
};

using CompactSignature = std::array<std::uint8_t, 64>;

// ECDSA over a 32-byte digest, RFC 6979 nonce, low-S, serialised r||s (the Waku protected-shard
// `meta`).
CompactSignature sign_compact(const Secp256k1PrivateKey& key, const Bytes32& digest);
// False unless `signature` is exactly 64 bytes, r and s are in range, s is low, and it verifies.
bool verify_compact(const Secp256k1PublicKey& key, const Bytes32& digest, ByteView signature);

// libp2p: ECDSA over sha256(message), DER-encoded (at most 72 bytes), low-S.
Bytes sign_der(const Secp256k1PrivateKey& key, ByteView message);
// False unless `der_signature` is strict DER, low-S and valid for sha256(message).
bool verify_der(const Secp256k1PublicKey& key, ByteView message, ByteView der_signature);

}  // namespace waku::crypto
