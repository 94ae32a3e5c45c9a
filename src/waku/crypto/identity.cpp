#include "waku/crypto/identity.hpp"

namespace waku::crypto {

IdentityKey::IdentityKey(Key key, PublicKeyInfo public_key)
    : key_(std::move(key)),
      public_key_(std::move(public_key)),
      public_key_protobuf_(encode_public_key(public_key_.type, public_key_.data)),
      peer_id_(PeerId::from_public_key(public_key_.type, public_key_.data)) {}

IdentityKey IdentityKey::secp256k1(Secp256k1PrivateKey key) {
  PublicKeyInfo info{KeyType::kSecp256k1, key.public_key().compressed()};
  return {Key(std::move(key)), std::move(info)};
}

IdentityKey IdentityKey::ed25519(Ed25519PrivateKey key) {
  const auto& raw = key.public_key().bytes();
  PublicKeyInfo info{KeyType::kEd25519, Bytes(raw.begin(), raw.end())};
  return {Key(std::move(key)), std::move(info)};
}

KeyType IdentityKey::type() const { return public_key_.type; }

Bytes IdentityKey::sign(ByteView message) const {
  if (const auto* secp = std::get_if<Secp256k1PrivateKey>(&key_)) return sign_der(*secp, message);
  const auto signature = std::get<Ed25519PrivateKey>(key_).sign(message);
  return {signature.begin(), signature.end()};
}

}  // namespace waku::crypto
