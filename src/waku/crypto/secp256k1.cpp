#include "waku/crypto/secp256k1.hpp"

#include <openssl/crypto.h>
#include <secp256k1.h>

#include <cstring>

#include "waku/base/assert.hpp"
#include "waku/crypto/sha256.hpp"

namespace waku::crypto {
namespace {

// The longest DER ECDSA signature over a 256-bit group: 30 45 (02 21 00 <r>) (02 21 00 <s>).
constexpr std::size_t kMaxDerSignatureSize = 72;

static_assert(sizeof(secp256k1_pubkey) == 64,
              "Secp256k1PublicKey::point_ holds a secp256k1_pubkey");

// One context for the process, created on first use. It is only read after creation, which
// libsecp256k1 documents as safe from several threads. It is not randomised (blinding against
// side channels would need entropy here, and cores take entropy only from the host).
const secp256k1_context* context() {
  static secp256k1_context* const ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  WAKU_ASSERT(ctx != nullptr);
  return ctx;
}

secp256k1_pubkey load(const std::array<std::uint8_t, 64>& point) {
  secp256k1_pubkey pubkey;
  std::memcpy(pubkey.data, point.data(), point.size());
  return pubkey;
}

std::array<std::uint8_t, 64> store(const secp256k1_pubkey& pubkey) {
  std::array<std::uint8_t, 64> point{};
  std::memcpy(point.data(), pubkey.data, point.size());
  return point;
}

Bytes serialize(const std::array<std::uint8_t, 64>& point, std::size_t size, unsigned flags) {
  const secp256k1_pubkey pubkey = load(point);
  Bytes out(size);
  std::size_t length = out.size();
  WAKU_ASSERT(secp256k1_ec_pubkey_serialize(context(), out.data(), &length, &pubkey, flags) == 1);
  WAKU_ASSERT(length == size);
  return out;
}

secp256k1_ecdsa_signature sign_digest(const Secp256k1PrivateKey& key, const Bytes32& digest) {
  secp256k1_ecdsa_signature signature;
  // A null nonce function selects RFC 6979; the result is already normalised to low-S.
  WAKU_ASSERT_MSG(secp256k1_ecdsa_sign(context(), &signature, digest.data(), key.bytes().data(),
                                       nullptr, nullptr) == 1,
                  "secp256k1 signing failed with a validated key");
  return signature;
}

}  // namespace

Result<Secp256k1PublicKey> Secp256k1PublicKey::parse(ByteView bytes) {
  const bool compressed_form =
      bytes.size() == kSecp256k1CompressedSize && (bytes[0] == 0x02 || bytes[0] == 0x03);
  const bool uncompressed_form = bytes.size() == kSecp256k1UncompressedSize && bytes[0] == 0x04;
  if (!compressed_form && !uncompressed_form) {
    return unexpected(Errc::kBadKey, "secp256k1 public key: not a 33- or 65-byte encoding");
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ec_pubkey_parse(context(), &pubkey, bytes.data(), bytes.size()) != 1) {
    return unexpected(Errc::kBadKey, "secp256k1 public key: not a point on the curve");
  }
  Secp256k1PublicKey key;
  key.point_ = store(pubkey);
  return key;
}

Result<Secp256k1PublicKey> Secp256k1PublicKey::from_hex(std::string_view hex) {
  // Bound the work before decoding: the longest valid input is "0x" + 130 digits.
  if (hex.size() > 2 + 2 * kSecp256k1UncompressedSize) {
    return unexpected(Errc::kBadKey, "secp256k1 public key: hex too long");
  }
  auto bytes = waku::from_hex(hex);
  if (!bytes) return Unexpected{bytes.error()};
  return parse(*bytes);
}

Bytes Secp256k1PublicKey::compressed() const {
  return serialize(point_, kSecp256k1CompressedSize, SECP256K1_EC_COMPRESSED);
}

Bytes Secp256k1PublicKey::uncompressed() const {
  return serialize(point_, kSecp256k1UncompressedSize, SECP256K1_EC_UNCOMPRESSED);
}

bool operator==(const Secp256k1PublicKey& a, const Secp256k1PublicKey& b) {
  const secp256k1_pubkey pa = load(a.point_);
  const secp256k1_pubkey pb = load(b.point_);
  return secp256k1_ec_pubkey_cmp(context(), &pa, &pb) == 0;
}

Result<Secp256k1PrivateKey> Secp256k1PrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size() != kSecp256k1PrivateKeySize) {
    return unexpected(Errc::kBadKey, "secp256k1 private key: not 32 bytes");
  }
  if (secp256k1_ec_seckey_verify(context(), bytes.data()) != 1) {
    return unexpected(Errc::kBadKey, "secp256k1 private key: zero or not below the group order");
  }
  Bytes32 key{};
  std::memcpy(key.data(), bytes.data(), key.size());
  Secp256k1PrivateKey result(key);
  OPENSSL_cleanse(key.data(), key.size());
  return result;
}

Result<Secp256k1PrivateKey> Secp256k1PrivateKey::from_hex(std::string_view hex) {
  if (hex.size() > 2 + 2 * kSecp256k1PrivateKeySize) {
    return unexpected(Errc::kBadKey, "secp256k1 private key: hex too long");
  }
  auto bytes = waku::from_hex(hex);
  if (!bytes) return Unexpected{bytes.error()};
  auto key = from_bytes(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

Secp256k1PrivateKey Secp256k1PrivateKey::generate(Entropy& entropy) {
  // A uniformly random 32-byte string is a valid scalar except with probability ~2^-128, so
  // running out of attempts means the entropy source is broken.
  constexpr int kAttempts = 64;
  Bytes32 candidate{};
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    entropy.fill(candidate);
    if (secp256k1_ec_seckey_verify(context(), candidate.data()) == 1) {
      Secp256k1PrivateKey key(candidate);
      OPENSSL_cleanse(candidate.data(), candidate.size());
      return key;
    }
  }
  WAKU_ASSERT_MSG(false, "entropy source produced no valid secp256k1 scalar");
  WAKU_UNREACHABLE();
}

Secp256k1PrivateKey::~Secp256k1PrivateKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

Secp256k1PublicKey Secp256k1PrivateKey::public_key() const {
  secp256k1_pubkey pubkey;
  WAKU_ASSERT(secp256k1_ec_pubkey_create(context(), &pubkey, key_.data()) == 1);
  Secp256k1PublicKey result;
  result.point_ = store(pubkey);
  return result;
}

CompactSignature sign_compact(const Secp256k1PrivateKey& key, const Bytes32& digest) {
  const secp256k1_ecdsa_signature signature = sign_digest(key, digest);
  CompactSignature out{};
  WAKU_ASSERT(secp256k1_ecdsa_signature_serialize_compact(context(), out.data(), &signature) == 1);
  return out;
}

bool verify_compact(const Secp256k1PublicKey& key, const Bytes32& digest, ByteView signature) {
  if (signature.size() != std::tuple_size_v<CompactSignature>) return false;
  secp256k1_ecdsa_signature parsed;
  // Fails when r or s is not below the group order.
  if (secp256k1_ecdsa_signature_parse_compact(context(), &parsed, signature.data()) != 1) {
    return false;
  }
  const secp256k1_pubkey pubkey = load(key.point_);
  // Rejects high-S (no normalisation here on purpose: nwaku and go-waku reject it too).
  return secp256k1_ecdsa_verify(context(), &parsed, digest.data(), &pubkey) == 1;
}

Bytes sign_der(const Secp256k1PrivateKey& key, ByteView message) {
  const secp256k1_ecdsa_signature signature = sign_digest(key, sha256(message));
  Bytes out(kMaxDerSignatureSize);
  std::size_t length = out.size();
  WAKU_ASSERT(secp256k1_ecdsa_signature_serialize_der(context(), out.data(), &length, &signature) ==
              1);
  out.resize(length);
  return out;
}

bool verify_der(const Secp256k1PublicKey& key, ByteView message, ByteView der_signature) {
  // Empty input would hand libsecp256k1 a null pointer, which it treats as a caller bug.
  if (der_signature.empty() || der_signature.size() > kMaxDerSignatureSize) return false;
  secp256k1_ecdsa_signature parsed;
  if (secp256k1_ecdsa_signature_parse_der(context(), &parsed, der_signature.data(),
                                          der_signature.size()) != 1) {
    return false;
  }
  // Only the canonical encoding is accepted, so that a signature has exactly one byte form.
  std::array<std::uint8_t, kMaxDerSignatureSize> canonical{};
  std::size_t length = canonical.size();
  WAKU_ASSERT(
      secp256k1_ecdsa_signature_serialize_der(context(), canonical.data(), &length, &parsed) == 1);
  if (length != der_signature.size() ||
      std::memcmp(canonical.data(), der_signature.data(), length) != 0) {
    return false;
  }
  const secp256k1_pubkey pubkey = load(key.point_);
  const Bytes32 digest = sha256(message);
  return secp256k1_ecdsa_verify(context(), &parsed, digest.data(), &pubkey) == 1;
}

}  // namespace waku::crypto
