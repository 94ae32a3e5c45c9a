// libp2p peer ids and the PublicKey protobuf they are derived from (libp2p/specs peer-ids.md).
//
// A peer id is a multihash of the peer's serialised public key: the key itself (identity
// multihash) when the protobuf is at most 42 bytes, as for Ed25519 and secp256k1, otherwise its
// sha2-256. Its text forms are raw base58btc ("12D3KooW...", "16Uiu2H...", "Qm...", what nwaku,
// go-waku and js-waku print) and CIDv1 with the libp2p-key codec in base32 ("bafz..."). Every
// decoder here is strict and bounded because peer ids arrive from peers (identify, peer exchange,
// ENRs) and from users.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/crypto/ed25519.hpp"
#include "waku/crypto/secp256k1.hpp"

namespace waku::crypto {

// The libp2p KeyType enum; the values are on the wire.
enum class KeyType : std::uint8_t { kRsa = 0, kEd25519 = 1, kSecp256k1 = 2, kEcdsa = 3 };

struct PublicKeyInfo {
  KeyType type{KeyType::kEd25519};
  Bytes data;  // Ed25519: 32 raw bytes; secp256k1: 33-byte compressed point; RSA/ECDSA: DER
  friend bool operator==(const PublicKeyInfo&, const PublicKeyInfo&) = default;
};

// Larger key data is refused when decoding: an 8192-bit RSA key in PKIX DER is about 1.1 KB.
inline constexpr std::size_t kMaxPublicKeyDataSize = 4096;
// Serialised keys up to this size are inlined into the peer id (identity multihash).
inline constexpr std::size_t kMaxInlinePublicKeySize = 42;
// Text peer ids longer than this are refused before decoding (the longest real one is a
// 65-character CID).
inline constexpr std::size_t kMaxPeerIdTextSize = 128;

// Multiformats codes used here (multiformats/multicodec table.csv).
inline constexpr std::uint64_t kMultihashIdentity = 0x00;
inline constexpr std::uint64_t kMultihashSha256 = 0x12;
inline constexpr std::uint64_t kMulticodecLibp2pKey = 0x72;

// The deterministic PublicKey protobuf: 08 <type> 12 <varint length> <data>.
Bytes encode_public_key(KeyType type, ByteView data);
// Strict: exactly the two fields in tag order with minimal varints and nothing else; an unknown
// key type is kUnsupported. Ed25519 data must be 32 bytes and secp256k1 data a valid compressed
// point; RSA and ECDSA data are only bounded (kMaxPublicKeyDataSize), not parsed.
Result<PublicKeyInfo> decode_public_key(ByteView protobuf);

// Verifies a libp2p signature (Noise handshake payload, signed envelopes) with a key from the
// wire: Ed25519 (RFC 8032) or secp256k1 (DER over sha256). RSA and ECDSA keys are not
// supported and verify nothing.
bool verify_libp2p_signature(const PublicKeyInfo& key, ByteView message, ByteView signature);

class PeerId {
 public:
  // The empty id: belongs to no peer and orders before every real one. Only for default-
  // initialised members and containers; every factory below yields a non-empty id.
  PeerId() = default;

  // Identity multihash of the serialised key if it is at most 42 bytes, else sha2-256.
  static PeerId from_public_key(KeyType type, ByteView key_data);
  static PeerId from_ed25519(const Ed25519PublicKey& key);
  static PeerId from_secp256k1(const Secp256k1PublicKey& key);
  // Accepts an identity multihash holding a valid key (decode_public_key) of at most 42 bytes,
  // or a sha2-256 multihash; other hash functions are kUnsupported.
  static Result<PeerId> from_bytes(ByteView multihash);
  // base58btc multihash (text starting with "1" or "Qm"), or a multibase CIDv1 with codec
  // libp2p-key: base32 ("b...") or base58btc ("z..."). At most kMaxPeerIdTextSize characters.
  static Result<PeerId> parse(std::string_view text);

  [[nodiscard]] const Bytes& bytes() const { return bytes_; }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }
  // base58btc, as js-libp2p, go-libp2p and nwaku print it.
  [[nodiscard]] std::string to_string() const;
  // CIDv1, libp2p-key, multibase base32 ("bafz...").
  [[nodiscard]] std::string to_cid_string() const;
  // The key inlined in an identity multihash; nullopt for a hashed (sha2-256) id.
  [[nodiscard]] std::optional<PublicKeyInfo> public_key() const;

  friend bool operator==(const PeerId&, const PeerId&) = default;
  friend std::strong_ordering operator<=>(const PeerId& a, const PeerId& b) {
    return a.bytes_ <=> b.bytes_;
  }

 private:
  explicit PeerId(Bytes multihash) : bytes_(std::move(multihash)) {}
  Bytes bytes_;
};

}  // namespace waku::crypto

// For unordered containers (whose iteration order nothing may depend on). FNV-1a over the bytes.
template <>
struct std::hash<waku::crypto::PeerId> {
  std::size_t operator()(const waku::crypto::PeerId& id) const noexcept {
    std::uint64_t state = 0xcbf29ce484222325ULL;
    for (const auto byte : id.bytes()) state = (state ^ byte) * 0x100000001b3ULL;
    return static_cast<std::size_t>(state);
  }
};
