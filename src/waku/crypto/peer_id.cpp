#include "waku/crypto/peer_id.hpp"

#include "waku/base/varint.hpp"
#include "waku/crypto/multibase.hpp"
#include "waku/crypto/sha256.hpp"

namespace waku::crypto {
namespace {

// Protobuf tags of PublicKey: field 1 varint, field 2 length-delimited.
constexpr std::uint8_t kTypeTag = 0x08;
constexpr std::uint8_t kDataTag = 0x12;
constexpr std::uint64_t kCidVersion1 = 1;
constexpr std::size_t kSha256Size = 32;

// A CID body: <version 1> <codec libp2p-key> <multihash>.
Result<PeerId> peer_id_from_cid(ByteView cid) {
  const auto version = decode_uvarint(cid);
  if (!version) return Unexpected{version.error()};
  if (version->value != kCidVersion1) {
    return unexpected(Errc::kUnsupported, "peer id: CID version is not 1");
  }
  cid = cid.subspan(version->length);
  const auto codec = decode_uvarint(cid);
  if (!codec) return Unexpected{codec.error()};
  if (codec->value != kMulticodecLibp2pKey) {
    return unexpected(Errc::kUnsupported, "peer id: CID codec is not libp2p-key");
  }
  return PeerId::from_bytes(cid.subspan(codec->length));
}

}  // namespace

Bytes encode_public_key(KeyType type, ByteView data) {
  Bytes out;
  out.reserve(2 + 1 + uvarint_size(data.size()) + data.size());
  out.push_back(kTypeTag);
  append_uvarint(out, static_cast<std::uint64_t>(type));
  out.push_back(kDataTag);
  append_uvarint(out, data.size());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Result<PublicKeyInfo> decode_public_key(ByteView protobuf) {
  if (protobuf.empty()) return unexpected(Errc::kTruncated, "public key: empty");
  if (protobuf[0] != kTypeTag) return unexpected(Errc::kDecode, "public key: Type must come first");
  const auto type = decode_uvarint(protobuf.subspan(1));
  if (!type) return Unexpected{type.error()};
  if (type->value > static_cast<std::uint64_t>(KeyType::kEcdsa)) {
    return unexpected(Errc::kUnsupported, "public key: unknown key type");
  }
  ByteView rest = protobuf.subspan(1 + type->length);
  if (rest.empty()) return unexpected(Errc::kMissingField, "public key: no Data");
  if (rest[0] != kDataTag) return unexpected(Errc::kDecode, "public key: Data must follow Type");
  const auto length = decode_uvarint(rest.subspan(1));
  if (!length) return Unexpected{length.error()};
  rest = rest.subspan(1 + length->length);
  if (length->value > kMaxPublicKeyDataSize) {
    return unexpected(Errc::kTooLarge, "public key: Data too large");
  }
  if (rest.size() < length->value) return unexpected(Errc::kTruncated, "public key: Data cut off");
  if (rest.size() > length->value) {
    return unexpected(Errc::kDecode, "public key: bytes after Data");
  }

  PublicKeyInfo info{static_cast<KeyType>(type->value), Bytes(rest.begin(), rest.end())};
  switch (info.type) {
    case KeyType::kEd25519:
      if (info.data.size() != kEd25519KeySize) {
        return unexpected(Errc::kBadKey, "public key: Ed25519 key is not 32 bytes");
      }
      break;
    case KeyType::kSecp256k1:
      // libp2p always carries the compressed form.
      if (info.data.size() != kSecp256k1CompressedSize ||
          !Secp256k1PublicKey::parse(info.data).has_value()) {
        return unexpected(Errc::kBadKey, "public key: not a compressed secp256k1 point");
      }
      break;
    case KeyType::kRsa:
    case KeyType::kEcdsa:
      if (info.data.empty()) return unexpected(Errc::kBadKey, "public key: empty key data");
      break;
  }
  return info;
}

bool verify_libp2p_signature(const PublicKeyInfo& key, ByteView message, ByteView signature) {
  switch (key.type) {
    case KeyType::kEd25519: {
      const auto parsed = Ed25519PublicKey::parse(key.data);
      return parsed && verify_ed25519(*parsed, message, signature);
    }
    case KeyType::kSecp256k1: {
      const auto parsed = Secp256k1PublicKey::parse(key.data);
      return parsed && verify_der(*parsed, message, signature);
    }
    case KeyType::kRsa:
    case KeyType::kEcdsa: return false;
  }
  return false;
}

PeerId PeerId::from_public_key(KeyType type, ByteView key_data) {
  const Bytes serialized = encode_public_key(type, key_data);
  Bytes multihash;
  if (serialized.size() <= kMaxInlinePublicKeySize) {
    multihash.reserve(2 + serialized.size());
    append_uvarint(multihash, kMultihashIdentity);
    append_uvarint(multihash, serialized.size());
    multihash.insert(multihash.end(), serialized.begin(), serialized.end());
  } else {
    const Bytes32 digest = sha256(serialized);
    multihash.reserve(2 + digest.size());
    append_uvarint(multihash, kMultihashSha256);
    append_uvarint(multihash, digest.size());
    multihash.insert(multihash.end(), digest.begin(), digest.end());
  }
  return PeerId(std::move(multihash));
}

PeerId PeerId::from_ed25519(const Ed25519PublicKey& key) {
  return from_public_key(KeyType::kEd25519, key.bytes());
}

PeerId PeerId::from_secp256k1(const Secp256k1PublicKey& key) {
  return from_public_key(KeyType::kSecp256k1, key.compressed());
}

Result<PeerId> PeerId::from_bytes(ByteView multihash) {
  const auto code = decode_uvarint(multihash);
  if (!code) return Unexpected{code.error()};
  const auto length = decode_uvarint(multihash.subspan(code->length));
  if (!length) return Unexpected{length.error()};
  const ByteView digest = multihash.subspan(code->length + length->length);
  if (digest.size() < length->value) return unexpected(Errc::kTruncated, "peer id: digest cut off");
  if (digest.size() > length->value)
    return unexpected(Errc::kDecode, "peer id: bytes after digest");

  if (code->value == kMultihashIdentity) {
    if (digest.size() > kMaxInlinePublicKeySize) {
      return unexpected(Errc::kTooLarge, "peer id: inline key longer than 42 bytes");
    }
    const auto key = decode_public_key(digest);
    if (!key) return Unexpected{key.error()};
  } else if (code->value == kMultihashSha256) {
    if (digest.size() != kSha256Size) {
      return unexpected(Errc::kBadEncoding, "peer id: sha2-256 digest is not 32 bytes");
    }
  } else {
    return unexpected(Errc::kUnsupported, "peer id: multihash is neither identity nor sha2-256");
  }
  return PeerId(Bytes(multihash.begin(), multihash.end()));
}

Result<PeerId> PeerId::parse(std::string_view text) {
  if (text.empty()) return unexpected(Errc::kDecode, "peer id: empty text");
  if (text.size() > kMaxPeerIdTextSize) return unexpected(Errc::kTooLarge, "peer id: too long");
  // peer-ids.md: "1..." and "Qm..." are bare base58btc multihashes; anything else is a multibase
  // CID.
  if (text[0] == '1' || text.starts_with("Qm")) {
    const auto multihash = base58btc_decode(text);
    if (!multihash) return Unexpected{multihash.error()};
    return from_bytes(*multihash);
  }
  const char multibase = text[0];
  text.remove_prefix(1);
  if (multibase == 'b') {
    const auto cid = base32_decode(text);
    if (!cid) return Unexpected{cid.error()};
    return peer_id_from_cid(*cid);
  }
  if (multibase == 'z') {
    const auto cid = base58btc_decode(text);
    if (!cid) return Unexpected{cid.error()};
    return peer_id_from_cid(*cid);
  }
  return unexpected(Errc::kUnsupported, "peer id: unsupported multibase prefix");
}

std::string PeerId::to_string() const { return base58btc_encode(bytes_); }

std::string PeerId::to_cid_string() const {
  Bytes cid;
  cid.reserve(2 + bytes_.size());
  append_uvarint(cid, kCidVersion1);
  append_uvarint(cid, kMulticodecLibp2pKey);
  cid.insert(cid.end(), bytes_.begin(), bytes_.end());
  return "b" + base32_encode(cid);
}

std::optional<PublicKeyInfo> PeerId::public_key() const {
  if (bytes_.size() < 2 || bytes_[0] != kMultihashIdentity) return std::nullopt;
  // from_bytes validated the layout: one-byte code, one-byte length (<= 42), then the key.
  auto key = decode_public_key(ByteView(bytes_).subspan(2));
  if (!key) return std::nullopt;
  return std::move(key).value();
}

}  // namespace waku::crypto
