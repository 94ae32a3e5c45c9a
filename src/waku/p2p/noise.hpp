// The libp2p secure channel: Noise_XX_25519_ChaChaPoly_SHA256 with the libp2p handshake payload
// (libp2p/specs noise/README.md), as a sans-I/O core.
//
// NoiseHandshake runs the three XX messages over the raw byte stream (each framed as a uint16
// big-endian length and the Noise message), proves our identity by signing our X25519 static key
// with the libp2p identity key, and checks the peer's proof; NoiseSession then encrypts and
// decrypts the transport frames. The lower layers (NoiseCipherState, NoiseXXState) are the plain
// Noise framework objects (Noise spec §5), exposed so that they can be checked against the
// published Noise test vectors. We send no extensions (so the muxer is negotiated with
// multistream-select inside the channel, which every libp2p implementation supports), and we
// decode but ignore the peer's. Errors from the peer are final: the host closes the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/entropy.hpp"
#include "waku/base/result.hpp"
#include "waku/crypto/chacha_poly.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/crypto/x25519.hpp"

namespace waku::p2p {

inline constexpr std::string_view kNoiseProtocol = "/noise";
// Exactly 32 bytes, so it is the initial handshake hash as is (Noise spec §5.2
// InitializeSymmetric).
inline constexpr std::string_view kNoiseProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";
// What the identity key signs, followed by the 32-byte X25519 static public key.
inline constexpr std::string_view kNoiseStaticKeyPrefix = "noise-libp2p-static-key:";
inline constexpr std::size_t kNoiseMaxMessageBytes = 65535;
inline constexpr std::size_t kNoiseTagBytes = crypto::kChaChaPolyTagSize;
inline constexpr std::size_t kNoiseMaxPlaintextBytes = kNoiseMaxMessageBytes - kNoiseTagBytes;
// The last usable nonce. Noise allows up to 2^64-2, but js-libp2p-noise stops after 2^32-1 (it has
// no rekey), so a longer-lived connection would fail on its side anyway.
inline constexpr std::uint64_t kNoiseMaxNonce = 0xffffffffULL;
// The peer's extensions.stream_muxers entries we keep (for logs; we negotiate with mss).
inline constexpr std::size_t kNoiseMaxRemoteMuxers = 16;
inline constexpr std::size_t kNoiseMaxMuxerNameBytes = 128;

// One direction of Noise encryption (Noise spec §5.1 CipherState): a key, or none yet, and the
// nonce counter. The OpenSSL context lives as long as the key, so frames cost no set-up.
class NoiseCipherState {
 public:
  NoiseCipherState() = default;  // no key: encryption passes the bytes through (spec §5.1)
  explicit NoiseCipherState(const Bytes32& key) : cipher_(std::in_place, key) {}

  [[nodiscard]] bool has_key() const { return cipher_.has_value(); }
  [[nodiscard]] std::uint64_t nonce() const { return nonce_; }
  // Noise SetNonce; tests use it to reach the nonce limit.
  void set_nonce(std::uint64_t nonce) { nonce_ = nonce; }

  // Appends ciphertext || tag (or the plaintext itself without a key) to `out`. `plaintext` must
  // not point into `out`. kCryptoFailure once the nonce passed kNoiseMaxNonce.
  Result<void> encrypt_with_ad(ByteView associated_data, ByteView plaintext, Bytes& out);
  // Appends the plaintext to `out` (`ciphertext` must not point into it). kCryptoFailure if the tag
  // does not verify (`out` is then unchanged and the nonce not advanced), kDecode if the
  // ciphertext is shorter than a tag.
  Result<void> decrypt_with_ad(ByteView associated_data, ByteView ciphertext, Bytes& out);

 private:
  std::optional<crypto::ChaChaPoly> cipher_;
  std::uint64_t nonce_{0};
};

enum class NoiseRole : std::uint8_t { kInitiator, kResponder };

// The XX pattern with raw payloads (Noise spec §5.3 HandshakeState, §7.5 XX):
//   -> e
//   <- e, ee, s, es
//   -> s, se
// No framing and no libp2p payload: NoiseHandshake adds those. Any error is final.
class NoiseXXState {
 public:
  NoiseXXState(NoiseRole role, crypto::X25519PrivateKey static_key,
               crypto::X25519PrivateKey ephemeral_key, ByteView prologue = {});

  // Appends this side's next handshake message, carrying `payload`, to `out`. kInvalidArgument if
  // it is not this side's turn.
  Result<void> write_message(ByteView payload, Bytes& out);
  // Reads the peer's next handshake message and appends its payload to `payload`.
  Result<void> read_message(ByteView message, Bytes& payload);

  [[nodiscard]] NoiseRole role() const { return role_; }
  // Messages written and read so far (3 when complete).
  [[nodiscard]] int messages() const { return step_; }
  [[nodiscard]] bool is_complete() const { return step_ == 3 && !failed_; }
  [[nodiscard]] bool has_failed() const { return failed_; }
  [[nodiscard]] bool is_my_turn_to_write() const;
  [[nodiscard]] const Bytes32& handshake_hash() const { return h_; }
  [[nodiscard]] const crypto::X25519PublicKey& local_static_key() const { return s_.public_key(); }
  // Known after message 2 (initiator) or 3 (responder).
  [[nodiscard]] const std::optional<crypto::X25519PublicKey>& remote_static_key() const {
    return rs_;
  }

  struct TransportKeys {
    NoiseCipherState send;
    NoiseCipherState receive;
  };
  // Noise Split(), after is_complete(): the initiator sends with the first key.
  [[nodiscard]] TransportKeys split() const;

 private:
  void mix_hash(ByteView data);
  void mix_key(const Bytes32& input_key_material);
  Result<void> mix_dh(const crypto::X25519PrivateKey& own, const crypto::X25519PublicKey& peer);
  Result<void> encrypt_and_hash(ByteView plaintext, Bytes& out);
  Result<void> decrypt_and_hash(ByteView ciphertext, Bytes& out);
  Result<void> fail(Error error);

  NoiseRole role_;
  int step_{0};
  bool failed_{false};
  Bytes32 ck_{};
  Bytes32 h_{};
  NoiseCipherState cipher_;
  crypto::X25519PrivateKey s_;
  crypto::X25519PrivateKey e_;
  std::optional<crypto::X25519PublicKey> re_;
  std::optional<crypto::X25519PublicKey> rs_;
};

// Splits a byte stream into uint16-BE length-prefixed frames, buffering at most one partial frame.
class NoiseFrameReader {
 public:
  // Takes bytes from the front of `input` until one frame is complete and returns its body (valid
  // until the next call), or nullopt once `input` is used up. A frame wholly inside `input` is
  // returned without copying.
  std::optional<ByteView> next(ByteView& input);
  [[nodiscard]] std::size_t buffered_bytes() const { return pending_.size(); }

 private:
  Bytes pending_;  // length prefix and body of a partial frame
  bool pending_complete_{false};
};

class NoiseSession {
 public:
  [[nodiscard]] const crypto::PeerId& remote_peer() const { return remote_peer_; }
  [[nodiscard]] const crypto::PublicKeyInfo& remote_key() const { return remote_key_; }
  // The peer's extensions.stream_muxers (at most kNoiseMaxRemoteMuxers; we do not act on them).
  [[nodiscard]] const std::vector<std::string>& remote_stream_muxers() const {
    return remote_muxers_;
  }

  // Ciphertext from the wire; frames are decrypted as they complete. Errors are final.
  Result<void> handle_bytes(ByteView ciphertext);
  // Everything decrypted so far (moves it out).
  Bytes take_plaintext() { return std::exchange(plaintext_, {}); }
  // The same without moving it: read it, then clear_plaintext(), which keeps the buffer's
  // capacity (a buffer handed out at every socket read had to be allocated, zero-filled and
  // regrown for the next one).
  [[nodiscard]] ByteView plaintext() const { return plaintext_; }
  void clear_plaintext() { plaintext_.clear(); }
  // Encrypts into frames of at most kNoiseMaxPlaintextBytes plaintext each, appended to `out`
  // (`plaintext` must not point into `out`); nothing for empty plaintext. Fails (kCryptoFailure,
  // appending nothing) if the frames would take the nonce past kNoiseMaxNonce.
  Result<void> encrypt(ByteView plaintext, Bytes& out);

  // Sets both nonce counters, for tests of the nonce limit.
  void set_nonces_for_testing(std::uint64_t send, std::uint64_t receive) {
    send_.set_nonce(send);
    receive_.set_nonce(receive);
  }
  void set_send_nonce_for_testing(std::uint64_t send) { send_.set_nonce(send); }

 private:
  friend class NoiseHandshake;
  NoiseSession(NoiseXXState::TransportKeys keys, crypto::PeerId remote_peer,
               crypto::PublicKeyInfo remote_key, std::vector<std::string> remote_muxers);

  NoiseCipherState send_;
  NoiseCipherState receive_;
  crypto::PeerId remote_peer_;
  crypto::PublicKeyInfo remote_key_;
  std::vector<std::string> remote_muxers_;
  NoiseFrameReader reader_;
  Bytes plaintext_;
  std::optional<Error> failure_;
};

// The X25519 key pairs of one handshake; fixed ones are for test vectors only (the static key must
// be fresh: nothing stores it).
struct NoiseKeys {
  crypto::X25519PrivateKey static_key;
  crypto::X25519PrivateKey ephemeral_key;
};

class NoiseHandshake {
 public:
  // expected_peer: the dial named /p2p/<id>: fail with Errc::kBadKey unless the responder proves
  // it. A fresh X25519 static key (per connection) and ephemeral key come from `entropy`.
  static NoiseHandshake initiator(const crypto::IdentityKey& identity, Entropy& entropy,
                                  std::optional<crypto::PeerId> expected_peer = std::nullopt);
  static NoiseHandshake responder(const crypto::IdentityKey& identity, Entropy& entropy);
  // With fixed X25519 keys (tests).
  static NoiseHandshake initiator(const crypto::IdentityKey& identity, NoiseKeys keys,
                                  std::optional<crypto::PeerId> expected_peer = std::nullopt);
  static NoiseHandshake responder(const crypto::IdentityKey& identity, NoiseKeys keys);

  // Wire bytes from the peer (any split: partial frames are buffered, at most one frame).
  // An error (bad length, decrypt failure, bad payload, bad signature, unexpected peer) is final.
  // Bytes after the last handshake message go to the session (and its errors are returned).
  Result<void> handle_bytes(ByteView bytes);
  // Bytes to write to the wire (uint16-BE length-prefixed handshake messages); initiator's msg1 is
  // available right after construction.
  Bytes take_transmit();
  [[nodiscard]] bool is_complete() const;
  [[nodiscard]] bool has_failed() const { return failure_.has_value(); }
  // After is_complete(): the transport session; bytes received after the last handshake message
  // are already buffered in it (call session.take_plaintext() after moving it out).
  NoiseSession into_session() &&;

 private:
  NoiseHandshake(NoiseRole role, const crypto::IdentityKey& identity, NoiseKeys keys,
                 std::optional<crypto::PeerId> expected_peer);
  Result<void> handle_message(ByteView message);
  Result<void> write_message(ByteView payload);
  Result<void> accept_remote_payload(ByteView payload);
  void start_session();

  NoiseXXState state_;
  Bytes local_payload_;  // our signed NoiseHandshakePayload
  std::optional<crypto::PeerId> expected_peer_;
  NoiseFrameReader reader_;
  Bytes transmit_;
  Bytes scratch_;  // decrypted payloads
  std::optional<Error> failure_;
  crypto::PeerId remote_peer_;
  crypto::PublicKeyInfo remote_key_;
  std::vector<std::string> remote_muxers_;
  std::optional<NoiseSession> session_;
};

}  // namespace waku::p2p
