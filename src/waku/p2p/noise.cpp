#include "waku/p2p/noise.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <exception>

#include "waku/base/assert.hpp"
#include "waku/crypto/sha256.hpp"

#if __has_include("noise_payload.pb.h")
#include "noise_payload.pb.h"
#else
#include "proto/noise_payload.pb.h"
#endif

namespace waku::p2p {
namespace {

static_assert(kNoiseProtocolName.size() == 32, "the protocol name is used as h unhashed");
constexpr std::size_t kDhBytes = crypto::kX25519KeySize;

Bytes32 hmac_sha256(const Bytes32& key, ByteView data) {
  Bytes32 out{};
  unsigned int length = 0;
  WAKU_ASSERT(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
                   out.data(), &length) != nullptr);
  WAKU_ASSERT(length == out.size());
  return out;
}

// Noise HKDF (spec §4.3) with two outputs: HKDF-SHA256 with the chaining key as salt and no info.
std::pair<Bytes32, Bytes32> hkdf2(const Bytes32& chaining_key, ByteView input_key_material) {
  Bytes32 temp_key = hmac_sha256(chaining_key, input_key_material);
  const std::uint8_t one = 0x01;
  const Bytes32 out1 = hmac_sha256(temp_key, ByteView(&one, 1));
  std::array<std::uint8_t, 33> second_input{};
  std::copy(out1.begin(), out1.end(), second_input.begin());
  second_input[32] = 0x02;
  const Bytes32 out2 = hmac_sha256(temp_key, second_input);
  OPENSSL_cleanse(temp_key.data(), temp_key.size());
  return {out1, out2};
}

void append_frame_header(Bytes& out, std::size_t size) {
  WAKU_ASSERT(size <= kNoiseMaxMessageBytes);
  out.push_back(static_cast<std::uint8_t>(size >> 8U));
  out.push_back(static_cast<std::uint8_t>(size & 0xffU));
}

Bytes static_key_message(const crypto::X25519PublicKey& static_key) {
  Bytes message = to_bytes(kNoiseStaticKeyPrefix);
  message.insert(message.end(), static_key.begin(), static_key.end());
  return message;
}

Bytes encode_payload(const crypto::IdentityKey& identity,
                     const crypto::X25519PublicKey& static_key) {
  const Bytes signature = identity.sign(static_key_message(static_key));
  const Bytes& key = identity.public_key_protobuf();
  pb::NoiseHandshakePayload payload;
  payload.set_identity_key(key.data(), key.size());
  payload.set_identity_sig(signature.data(), signature.size());
  // No extensions: the muxer is negotiated with multistream-select (reference §A4, option (a)).
  std::string serialized;
  WAKU_ASSERT(payload.SerializeToString(&serialized));
  return to_bytes(serialized);
}

}  // namespace

// --- NoiseCipherState ---

Result<void> NoiseCipherState::encrypt_with_ad(ByteView associated_data, ByteView plaintext,
                                               Bytes& out) {
  if (!cipher_) {
    out.insert(out.end(), plaintext.begin(), plaintext.end());
    return ok();
  }
  if (nonce_ > kNoiseMaxNonce) return unexpected(Errc::kCryptoFailure, "noise: nonce exhausted");
  const std::size_t start = out.size();
  out.resize(start + plaintext.size() + kNoiseTagBytes);
  cipher_->seal(crypto::ChaChaPoly::noise_nonce(nonce_), associated_data, plaintext,
                std::span<std::uint8_t>(out).subspan(start));
  ++nonce_;
  return ok();
}

Result<void> NoiseCipherState::decrypt_with_ad(ByteView associated_data, ByteView ciphertext,
                                               Bytes& out) {
  if (!cipher_) {
    out.insert(out.end(), ciphertext.begin(), ciphertext.end());
    return ok();
  }
  if (ciphertext.size() < kNoiseTagBytes) {
    return unexpected(Errc::kDecode, "noise: message shorter than its tag");
  }
  if (nonce_ > kNoiseMaxNonce) return unexpected(Errc::kCryptoFailure, "noise: nonce exhausted");
  const std::size_t start = out.size();
  out.resize(start + ciphertext.size() - kNoiseTagBytes);
  if (!cipher_->open(crypto::ChaChaPoly::noise_nonce(nonce_), associated_data, ciphertext,
                     std::span<std::uint8_t>(out).subspan(start))) {
    out.resize(start);
    return unexpected(Errc::kCryptoFailure, "noise: decryption failed");
  }
  ++nonce_;
  return ok();
}

// --- NoiseXXState ---

NoiseXXState::NoiseXXState(NoiseRole role, crypto::X25519PrivateKey static_key,
                           crypto::X25519PrivateKey ephemeral_key, ByteView prologue)
    : role_(role), s_(std::move(static_key)), e_(std::move(ephemeral_key)) {
  std::copy(kNoiseProtocolName.begin(), kNoiseProtocolName.end(), h_.begin());
  ck_ = h_;
  mix_hash(prologue);
}

bool NoiseXXState::is_my_turn_to_write() const {
  if (failed_ || step_ >= 3) return false;
  // Even steps are the initiator's messages.
  return (step_ % 2 == 0) == (role_ == NoiseRole::kInitiator);
}

void NoiseXXState::mix_hash(ByteView data) {
  h_ = crypto::Sha256().update(ByteView(h_)).update(data).finish();
}

void NoiseXXState::mix_key(const Bytes32& input_key_material) {
  auto [chaining_key, key] = hkdf2(ck_, input_key_material);
  ck_ = chaining_key;
  cipher_ = NoiseCipherState(key);
  OPENSSL_cleanse(key.data(), key.size());
}

Result<void> NoiseXXState::mix_dh(const crypto::X25519PrivateKey& own,
                                  const crypto::X25519PublicKey& peer) {
  auto shared = own.diffie_hellman(peer);
  if (!shared) return Unexpected{shared.error()};
  mix_key(*shared);
  OPENSSL_cleanse(shared->data(), shared->size());
  return ok();
}

Result<void> NoiseXXState::encrypt_and_hash(ByteView plaintext, Bytes& out) {
  const std::size_t start = out.size();
  WAKU_TRY_VOID(cipher_.encrypt_with_ad(h_, plaintext, out));
  mix_hash(ByteView(out).subspan(start));
  return ok();
}

Result<void> NoiseXXState::decrypt_and_hash(ByteView ciphertext, Bytes& out) {
  WAKU_TRY_VOID(cipher_.decrypt_with_ad(h_, ciphertext, out));
  mix_hash(ciphertext);
  return ok();
}

Result<void> NoiseXXState::fail(Error error) {
  failed_ = true;
  return Unexpected{std::move(error)};
}

Result<void> NoiseXXState::write_message(ByteView payload, Bytes& out) {
  if (!is_my_turn_to_write()) {
    return unexpected(Errc::kInvalidArgument, "noise: not this side's turn to write");
  }
  const auto& e_pub = e_.public_key();
  switch (step_) {
    case 0:  // -> e
      out.insert(out.end(), e_pub.begin(), e_pub.end());
      mix_hash(e_pub);
      break;
    case 1: {  // <- e, ee, s, es
      out.insert(out.end(), e_pub.begin(), e_pub.end());
      mix_hash(e_pub);
      if (auto r = mix_dh(e_, *re_); !r) return fail(r.error());
      if (auto r = encrypt_and_hash(s_.public_key(), out); !r) return fail(r.error());
      if (auto r = mix_dh(s_, *re_); !r) return fail(r.error());
      break;
    }
    default: {  // -> s, se
      if (auto r = encrypt_and_hash(s_.public_key(), out); !r) return fail(r.error());
      if (auto r = mix_dh(s_, *re_); !r) return fail(r.error());
      break;
    }
  }
  if (auto r = encrypt_and_hash(payload, out); !r) return fail(r.error());
  ++step_;
  return ok();
}

Result<void> NoiseXXState::read_message(ByteView message, Bytes& payload) {
  if (failed_ || step_ >= 3 || is_my_turn_to_write()) {
    return unexpected(Errc::kInvalidArgument, "noise: not this side's turn to read");
  }
  const auto take_key = [&message](crypto::X25519PublicKey& key) {
    std::copy_n(message.begin(), key.size(), key.begin());
    message = message.subspan(key.size());
  };
  const std::size_t encrypted_key_bytes = kDhBytes + kNoiseTagBytes;
  switch (step_) {
    case 0: {  // -> e (the payload is in the clear; libp2p sends none)
      if (message.size() < kDhBytes) {
        return fail(make_error(Errc::kTruncated, "noise: message 1 too short"));
      }
      crypto::X25519PublicKey re{};
      take_key(re);
      re_ = re;
      mix_hash(re);
      break;
    }
    case 1: {  // <- e, ee, s, es
      if (message.size() < kDhBytes + encrypted_key_bytes + kNoiseTagBytes) {
        return fail(make_error(Errc::kTruncated, "noise: message 2 too short"));
      }
      crypto::X25519PublicKey re{};
      take_key(re);
      re_ = re;
      mix_hash(re);
      if (auto r = mix_dh(e_, *re_); !r) return fail(r.error());
      Bytes rs;
      if (auto r = decrypt_and_hash(message.first(encrypted_key_bytes), rs); !r) {
        return fail(r.error());
      }
      message = message.subspan(encrypted_key_bytes);
      rs_.emplace();
      std::copy(rs.begin(), rs.end(), rs_->begin());
      if (auto r = mix_dh(e_, *rs_); !r) return fail(r.error());
      break;
    }
    default: {  // -> s, se
      if (message.size() < encrypted_key_bytes + kNoiseTagBytes) {
        return fail(make_error(Errc::kTruncated, "noise: message 3 too short"));
      }
      Bytes rs;
      if (auto r = decrypt_and_hash(message.first(encrypted_key_bytes), rs); !r) {
        return fail(r.error());
      }
      message = message.subspan(encrypted_key_bytes);
      rs_.emplace();
      std::copy(rs.begin(), rs.end(), rs_->begin());
      if (auto r = mix_dh(e_, *rs_); !r) return fail(r.error());
      break;
    }
  }
  if (auto r = decrypt_and_hash(message, payload); !r) return fail(r.error());
  ++step_;
  return ok();
}

NoiseXXState::TransportKeys NoiseXXState::split() const {
  WAKU_ASSERT_MSG(is_complete(), "noise: split before the handshake completed");
  auto [k1, k2] = hkdf2(ck_, {});
  TransportKeys keys{NoiseCipherState(role_ == NoiseRole::kInitiator ? k1 : k2),
                     NoiseCipherState(role_ == NoiseRole::kInitiator ? k2 : k1)};
  OPENSSL_cleanse(k1.data(), k1.size());
  OPENSSL_cleanse(k2.data(), k2.size());
  return keys;
}

// --- NoiseFrameReader ---

std::optional<ByteView> NoiseFrameReader::next(ByteView& input) {
  if (pending_complete_) {
    pending_.clear();
    pending_complete_ = false;
  }
  if (pending_.empty() && input.size() >= 2) {
    const std::size_t size = (std::size_t{input[0]} << 8U) | input[1];
    if (input.size() >= 2 + size) {  // the common case: a whole frame, no copy
      const ByteView frame = input.subspan(2, size);
      input = input.subspan(2 + size);
      return frame;
    }
  }
  while (!input.empty()) {
    std::size_t wanted = 2;
    if (pending_.size() >= 2) wanted += (std::size_t{pending_[0]} << 8U) | pending_[1];
    const std::size_t take = std::min(wanted - pending_.size(), input.size());
    pending_.insert(pending_.end(), input.begin(),
                    input.begin() + static_cast<std::ptrdiff_t>(take));
    input = input.subspan(take);
    if (pending_.size() >= 2 &&
        pending_.size() == 2 + ((std::size_t{pending_[0]} << 8U) | pending_[1])) {
      pending_complete_ = true;
      return ByteView(pending_).subspan(2);
    }
  }
  return std::nullopt;
}

// --- NoiseSession ---

NoiseSession::NoiseSession(NoiseXXState::TransportKeys keys, crypto::PeerId remote_peer,
                           crypto::PublicKeyInfo remote_key, std::vector<std::string> remote_muxers)
    : send_(std::move(keys.send)),
      receive_(std::move(keys.receive)),
      remote_peer_(std::move(remote_peer)),
      remote_key_(std::move(remote_key)),
      remote_muxers_(std::move(remote_muxers)) {}

Result<void> NoiseSession::handle_bytes(ByteView ciphertext) {
  if (failure_) return Unexpected{*failure_};
  while (const auto frame = reader_.next(ciphertext)) {
    if (auto r = receive_.decrypt_with_ad({}, *frame, plaintext_); !r) {
      failure_ = r.error();
      return r;
    }
  }
  return ok();
}

Result<void> NoiseSession::encrypt(ByteView plaintext, Bytes& out) {
  if (plaintext.empty()) return ok();
  const std::size_t frames =
      (plaintext.size() + kNoiseMaxPlaintextBytes - 1) / kNoiseMaxPlaintextBytes;
  // All frames or none: a partial write would desynchronise the peer's nonce.
  if (send_.nonce() > kNoiseMaxNonce || kNoiseMaxNonce - send_.nonce() < frames - 1) {
    return unexpected(Errc::kCryptoFailure, "noise: nonce exhausted");
  }
  out.reserve(out.size() + plaintext.size() + frames * (2 + kNoiseTagBytes));
  while (!plaintext.empty()) {
    const std::size_t chunk = std::min(plaintext.size(), kNoiseMaxPlaintextBytes);
    append_frame_header(out, chunk + kNoiseTagBytes);
    WAKU_TRY_VOID(send_.encrypt_with_ad({}, plaintext.first(chunk), out));
    plaintext = plaintext.subspan(chunk);
  }
  return ok();
}

// --- NoiseHandshake ---

NoiseHandshake::NoiseHandshake(NoiseRole role, const crypto::IdentityKey& identity, NoiseKeys keys,
                               std::optional<crypto::PeerId> expected_peer)
    : state_(role, std::move(keys.static_key), std::move(keys.ephemeral_key)),
      local_payload_(encode_payload(identity, state_.local_static_key())),
      expected_peer_(std::move(expected_peer)) {
  if (role == NoiseRole::kInitiator) {
    // Message 1 carries no payload (the identity goes in message 3, encrypted).
    WAKU_ASSERT(write_message({}).has_value());
  }
}

NoiseHandshake NoiseHandshake::initiator(const crypto::IdentityKey& identity, Entropy& entropy,
                                         std::optional<crypto::PeerId> expected_peer) {
  // Static first, then ephemeral: the order only matters for deterministic test entropy.
  auto static_key = crypto::X25519PrivateKey::generate(entropy);
  auto ephemeral_key = crypto::X25519PrivateKey::generate(entropy);
  return initiator(identity, NoiseKeys{std::move(static_key), std::move(ephemeral_key)},
                   std::move(expected_peer));
}

NoiseHandshake NoiseHandshake::responder(const crypto::IdentityKey& identity, Entropy& entropy) {
  auto static_key = crypto::X25519PrivateKey::generate(entropy);
  auto ephemeral_key = crypto::X25519PrivateKey::generate(entropy);
  return responder(identity, NoiseKeys{std::move(static_key), std::move(ephemeral_key)});
}

NoiseHandshake NoiseHandshake::initiator(const crypto::IdentityKey& identity, NoiseKeys keys,
                                         std::optional<crypto::PeerId> expected_peer) {
  return {NoiseRole::kInitiator, identity, std::move(keys), std::move(expected_peer)};
}

NoiseHandshake NoiseHandshake::responder(const crypto::IdentityKey& identity, NoiseKeys keys) {
  return {NoiseRole::kResponder, identity, std::move(keys), std::nullopt};
}

bool NoiseHandshake::is_complete() const { return session_.has_value(); }

Bytes NoiseHandshake::take_transmit() { return std::exchange(transmit_, {}); }

NoiseSession NoiseHandshake::into_session() && {
  WAKU_ASSERT_MSG(session_.has_value(), "noise: into_session before the handshake completed");
  return std::move(*session_);
}

Result<void> NoiseHandshake::handle_bytes(ByteView bytes) {
  if (failure_) return Unexpected{*failure_};
  if (session_) return session_->handle_bytes(bytes);
  while (const auto message = reader_.next(bytes)) {
    if (auto r = handle_message(*message); !r) {
      failure_ = r.error();
      return r;
    }
    // Whatever follows the last handshake message is the peer's first transport frames.
    if (session_) return session_->handle_bytes(bytes);
  }
  return ok();
}

Result<void> NoiseHandshake::write_message(ByteView payload) {
  Bytes message;
  WAKU_TRY_VOID(state_.write_message(payload, message));
  append_frame_header(transmit_, message.size());
  transmit_.insert(transmit_.end(), message.begin(), message.end());
  return ok();
}

Result<void> NoiseHandshake::handle_message(ByteView message) {
  scratch_.clear();
  WAKU_TRY_VOID(state_.read_message(message, scratch_));
  if (state_.messages() == 1) {  // responder after message 1; its payload (if any) is ignored
    return write_message(local_payload_);
  }
  WAKU_TRY_VOID(accept_remote_payload(scratch_));
  if (state_.role() == NoiseRole::kInitiator) WAKU_TRY_VOID(write_message(local_payload_));
  start_session();
  return ok();
}

Result<void> NoiseHandshake::accept_remote_payload(ByteView payload) {
  pb::NoiseHandshakePayload decoded;
  bool parsed = false;
  try {
    parsed = decoded.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
  } catch (const std::exception&) {
    parsed = false;
  }
  if (!parsed) return unexpected(Errc::kDecode, "noise: bad handshake payload");
  if (!decoded.has_identity_key() || !decoded.has_identity_sig()) {
    return unexpected(Errc::kMissingField, "noise: handshake payload without identity");
  }
  auto key = crypto::decode_public_key(as_bytes(decoded.identity_key()));
  if (!key) return Unexpected{key.error()};
  if (key->type != crypto::KeyType::kEd25519 && key->type != crypto::KeyType::kSecp256k1) {
    return unexpected(Errc::kUnsupported, "noise: identity key type not supported");
  }
  WAKU_ASSERT(state_.remote_static_key().has_value());
  if (!crypto::verify_libp2p_signature(*key, static_key_message(*state_.remote_static_key()),
                                       as_bytes(decoded.identity_sig()))) {
    return unexpected(Errc::kBadSignature, "noise: bad static key signature");
  }
  auto peer = crypto::PeerId::from_public_key(key->type, key->data);
  if (expected_peer_ && peer != *expected_peer_) {
    return unexpected(Errc::kBadKey, "noise: unexpected peer");
  }
  remote_peer_ = std::move(peer);
  remote_key_ = std::move(*key);
  remote_muxers_.clear();
  if (decoded.has_extensions()) {
    for (const auto& muxer : decoded.extensions().stream_muxers()) {
      if (remote_muxers_.size() >= kNoiseMaxRemoteMuxers) break;
      if (muxer.size() <= kNoiseMaxMuxerNameBytes) remote_muxers_.push_back(muxer);
    }
  }
  return ok();
}

void NoiseHandshake::start_session() {
  session_.emplace(NoiseSession(state_.split(), std::move(remote_peer_), std::move(remote_key_),
                                std::move(remote_muxers_)));
}

}  // namespace waku::p2p
