// The node's libp2p identity key: the key its peer id is derived from, which signs the Noise static
// key during the handshake (and, later, signed peer records).
//
// libp2p allows several key types; a node holds one. Ed25519 is what js-libp2p and go-libp2p
// generate by default, secp256k1 is what nwaku and go-waku use (the same key as their ENR).
#pragma once

#include <variant>

#include "waku/base/bytes.hpp"
#include "waku/crypto/ed25519.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/crypto/secp256k1.hpp"

namespace waku::crypto {

class IdentityKey {
 public:
  static IdentityKey secp256k1(Secp256k1PrivateKey key);
  static IdentityKey ed25519(Ed25519PrivateKey key);

  [[nodiscard]] KeyType type() const;
  // The libp2p PublicKey protobuf (encode_public_key(type, data)), as sent in the Noise handshake
  // payload and in identify.
  [[nodiscard]] const Bytes& public_key_protobuf() const { return public_key_protobuf_; }
  [[nodiscard]] const PublicKeyInfo& public_key() const { return public_key_; }
  [[nodiscard]] const PeerId& peer_id() const { return peer_id_; }
  // The libp2p signing rule (peer-ids.md): Ed25519 over the raw bytes (64 bytes); secp256k1 ECDSA
  // over sha256(message), DER-encoded, low-S. verify_libp2p_signature() checks either.
  [[nodiscard]] Bytes sign(ByteView message) const;

 private:
  using Key = std::variant<Secp256k1PrivateKey, Ed25519PrivateKey>;
  IdentityKey(Key key, PublicKeyInfo public_key);

  Key key_;
  PublicKeyInfo public_key_;
  Bytes public_key_protobuf_;
  PeerId peer_id_;
};

}  // namespace waku::crypto
