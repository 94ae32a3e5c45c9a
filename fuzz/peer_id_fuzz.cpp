// Fuzzes the peer-id and key decoders (waku::crypto) with one input read several ways: as peer-id
// text, as a multihash, as a libp2p PublicKey protobuf, as a varint, as base58btc/base32 text, as a
// secp256k1 public key and as signatures. Whatever decodes must re-encode to the same bytes and
// decode again to an equal value: the decoders are strict, so every value has one spelling.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/base/varint.hpp"
#include "waku/crypto/ed25519.hpp"
#include "waku/crypto/multibase.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/crypto/secp256k1.hpp"

namespace {

using waku::Bytes;
using waku::ByteView;
namespace crypto = waku::crypto;

bool same(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void check_peer_id(const crypto::PeerId& id) {
  WAKU_ASSERT(!id.empty());
  const auto from_text = crypto::PeerId::parse(id.to_string());
  WAKU_ASSERT(from_text.has_value() && *from_text == id);
  const auto from_cid = crypto::PeerId::parse(id.to_cid_string());
  WAKU_ASSERT(from_cid.has_value() && *from_cid == id);
  const auto from_bytes = crypto::PeerId::from_bytes(id.bytes());
  WAKU_ASSERT(from_bytes.has_value() && *from_bytes == id);
  if (const auto key = id.public_key()) {
    WAKU_ASSERT(crypto::PeerId::from_public_key(key->type, key->data) == id);
  } else {
    WAKU_ASSERT(id.bytes().size() == 34 && id.bytes()[0] == 0x12);
  }
}

const crypto::Secp256k1PrivateKey& fixed_secp256k1_key() {
  static const auto key = crypto::Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const std::string_view text = waku::as_chars(input);

  if (const auto id = crypto::PeerId::parse(text)) check_peer_id(*id);

  if (const auto id = crypto::PeerId::from_bytes(input)) {
    WAKU_ASSERT(same(id->bytes(), input));
    check_peer_id(*id);
  }

  if (const auto key = crypto::decode_public_key(input)) {
    WAKU_ASSERT(same(crypto::encode_public_key(key->type, key->data), input));
    const auto id = crypto::PeerId::from_public_key(key->type, key->data);
    // Hashed ids carry no key to re-validate; inlined ones must decode again.
    if (input.size() <= crypto::kMaxInlinePublicKeySize) check_peer_id(id);
  }

  if (const auto varint = waku::decode_uvarint(input)) {
    Bytes encoded;
    waku::append_uvarint(encoded, varint->value);
    WAKU_ASSERT(encoded.size() == varint->length);
    WAKU_ASSERT(waku::uvarint_size(varint->value) == varint->length);
    WAKU_ASSERT(same(encoded, input.first(varint->length)));
  }

  if (const auto bytes = crypto::base58btc_decode(text)) {
    WAKU_ASSERT(crypto::base58btc_encode(*bytes) == text);
  }
  if (const auto bytes = crypto::base32_decode(text)) {
    WAKU_ASSERT(crypto::base32_encode(*bytes) == text);
  }

  if (const auto key = crypto::Secp256k1PublicKey::parse(input)) {
    const Bytes compressed = key->compressed();
    const Bytes uncompressed = key->uncompressed();
    WAKU_ASSERT(same(input.size() == 33 ? compressed : uncompressed, input));
    WAKU_ASSERT(crypto::Secp256k1PublicKey::parse(compressed).value() == *key);
    WAKU_ASSERT(crypto::Secp256k1PublicKey::parse(uncompressed).value() == *key);
  }

  // Signature decoders on hostile bytes: must not crash; a forgery under a fixed key would be a
  // bug (or a miracle).
  const auto& signer = fixed_secp256k1_key();
  WAKU_ASSERT(!crypto::verify_der(signer.public_key(), waku::as_bytes("fuzz"), input));
  const waku::Bytes32 digest{};
  WAKU_ASSERT(!crypto::verify_compact(signer.public_key(), digest, input));
  if (const auto ed = crypto::Ed25519PublicKey::parse(input)) {
    (void)crypto::verify_ed25519(*ed, input, input);
  }
  return 0;
}
