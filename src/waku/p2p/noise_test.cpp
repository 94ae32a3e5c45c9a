#include "waku/p2p/noise.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "waku/base/counting_entropy.hpp"

namespace waku::p2p {
namespace {

using crypto::IdentityKey;

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

Bytes32 hex32(std::string_view text) {
  const Bytes bytes = hex(text);
  Bytes32 out{};
  EXPECT_EQ(bytes.size(), out.size());
  std::memcpy(out.data(), bytes.data(), std::min(bytes.size(), out.size()));
  return out;
}

IdentityKey ed25519_identity(std::uint8_t fill) {
  return IdentityKey::ed25519(crypto::Ed25519PrivateKey::from_seed(Bytes(32, fill)).value());
}
IdentityKey secp256k1_identity(std::uint8_t fill) {
  return IdentityKey::secp256k1(crypto::Secp256k1PrivateKey::from_bytes(Bytes(32, fill)).value());
}

Bytes frame(ByteView body) {
  Bytes out{static_cast<std::uint8_t>(body.size() >> 8U),
            static_cast<std::uint8_t>(body.size() & 0xffU)};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

ByteView body_of(const Bytes& framed) {
  EXPECT_GE(framed.size(), 2U);
  EXPECT_EQ(framed.size() - 2, (std::size_t{framed[0]} << 8U) | framed[1]);
  return ByteView(framed).subspan(2);
}

// The payload a libp2p peer sends, encoded by hand (fields 1 and 2, lengths below 128).
Bytes payload_bytes(ByteView identity_key, ByteView signature) {
  Bytes out{0x0a, static_cast<std::uint8_t>(identity_key.size())};
  out.insert(out.end(), identity_key.begin(), identity_key.end());
  out.push_back(0x12);
  out.push_back(static_cast<std::uint8_t>(signature.size()));
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

Bytes static_key_message(const crypto::X25519PublicKey& key) {
  Bytes message = to_bytes("noise-libp2p-static-key:");
  message.insert(message.end(), key.begin(), key.end());
  return message;
}

enum class Feed : std::uint8_t { kAllAtOnce, kByteByByte };

Result<void> feed(NoiseHandshake& handshake, ByteView bytes, Feed how) {
  if (how == Feed::kAllAtOnce) return handshake.handle_bytes(bytes);
  for (const auto byte : bytes) WAKU_TRY_VOID(handshake.handle_bytes(ByteView(&byte, 1)));
  return ok();
}

struct Sessions {
  NoiseSession initiator;
  NoiseSession responder;
};

Sessions handshake(const IdentityKey& initiator_id, const IdentityKey& responder_id, Feed how) {
  CountingEntropy entropy_i(0x10);
  CountingEntropy entropy_r(0x90);
  auto initiator = NoiseHandshake::initiator(initiator_id, entropy_i, responder_id.peer_id());
  auto responder = NoiseHandshake::responder(responder_id, entropy_r);
  EXPECT_TRUE(feed(responder, initiator.take_transmit(), how).has_value());
  EXPECT_FALSE(responder.is_complete());
  EXPECT_TRUE(feed(initiator, responder.take_transmit(), how).has_value());
  EXPECT_TRUE(initiator.is_complete());
  EXPECT_TRUE(feed(responder, initiator.take_transmit(), how).has_value());
  EXPECT_TRUE(responder.is_complete());
  EXPECT_TRUE(initiator.take_transmit().empty());
  EXPECT_TRUE(responder.take_transmit().empty());
  return {std::move(initiator).into_session(), std::move(responder).into_session()};
}

Bytes encrypt(NoiseSession& session, ByteView plaintext) {
  Bytes out;
  EXPECT_TRUE(session.encrypt(plaintext, out).has_value());
  return out;
}

// Cacophony's Noise_XX_25519_ChaChaPoly_SHA256 vector (haskell-cryptography/cacophony
// vectors/cacophony.txt): messages alternate initiator, responder, ...; the first three are the
// handshake, the rest transport messages.
TEST(NoiseXXState, CacophonyVector) {
  const Bytes prologue = hex("4a6f686e2047616c74");
  const auto init_static = crypto::X25519PrivateKey::from_bytes(
      hex32("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1"));
  const auto resp_static = crypto::X25519PrivateKey::from_bytes(
      hex32("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893"));
  NoiseXXState initiator(NoiseRole::kInitiator, init_static,
                         crypto::X25519PrivateKey::from_bytes(hex32(
                             "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a")),
                         prologue);
  NoiseXXState responder(NoiseRole::kResponder, resp_static,
                         crypto::X25519PrivateKey::from_bytes(hex32(
                             "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b")),
                         prologue);
  struct Message {
    const char* payload;
    const char* ciphertext;
  };
  const Message messages[] = {
      {"4c756477696720766f6e204d69736573",
       "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
       "4c756477696720766f6e204d69736573"},
      {"4d757272617920526f746862617264",
       "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b"
       "6"
       "5285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412"
       "f"
       "8a0db50f8814c7194e83f23dbd8d162c9326ad"},
      {"462e20412e20486179656b",
       "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be086"
       "5"
       "b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
      {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
      {"4a65616e2d426170746973746520536179",
       "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
      {"457567656e2042f6686d20766f6e2042617765726b",
       "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
  };
  for (int i = 0; i < 3; ++i) {
    NoiseXXState& writer = i % 2 == 0 ? initiator : responder;
    NoiseXXState& reader = i % 2 == 0 ? responder : initiator;
    EXPECT_FALSE(reader.is_my_turn_to_write());
    Bytes written;
    ASSERT_TRUE(writer.write_message(hex(messages[i].payload), written).has_value());
    EXPECT_EQ(to_hex(written), messages[i].ciphertext) << "handshake message " << i;
    Bytes payload;
    ASSERT_TRUE(reader.read_message(written, payload).has_value());
    EXPECT_EQ(to_hex(payload), messages[i].payload);
  }
  ASSERT_TRUE(initiator.is_complete());
  ASSERT_TRUE(responder.is_complete());
  EXPECT_EQ(to_hex(initiator.handshake_hash()),
            "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e");
  EXPECT_EQ(responder.handshake_hash(), initiator.handshake_hash());
  EXPECT_EQ(initiator.remote_static_key(), resp_static.public_key());
  EXPECT_EQ(responder.remote_static_key(), init_static.public_key());

  auto i_keys = initiator.split();
  auto r_keys = responder.split();
  for (std::size_t i = 3; i < std::size(messages); ++i) {
    NoiseCipherState& send = i % 2 == 0 ? i_keys.send : r_keys.send;
    NoiseCipherState& receive = i % 2 == 0 ? r_keys.receive : i_keys.receive;
    Bytes written;
    ASSERT_TRUE(send.encrypt_with_ad({}, hex(messages[i].payload), written).has_value());
    EXPECT_EQ(to_hex(written), messages[i].ciphertext) << "transport message " << i;
    Bytes payload;
    ASSERT_TRUE(receive.decrypt_with_ad({}, written, payload).has_value());
    EXPECT_EQ(to_hex(payload), messages[i].payload);
  }
}

TEST(NoiseXXState, TurnOrderIsEnforced) {
  CountingEntropy entropy(1);
  NoiseXXState initiator(NoiseRole::kInitiator, crypto::X25519PrivateKey::generate(entropy),
                         crypto::X25519PrivateKey::generate(entropy));
  Bytes out;
  Bytes payload;
  EXPECT_FALSE(initiator.read_message(Bytes(32, 9), payload).has_value());
  ASSERT_TRUE(initiator.write_message({}, out).has_value());
  EXPECT_EQ(out.size(), 32U);
  EXPECT_FALSE(initiator.write_message({}, out).has_value());
}

class NoiseHandshakeTest : public ::testing::TestWithParam<std::tuple<bool, Feed>> {};

TEST_P(NoiseHandshakeTest, CompletesAndCarriesTransportBothWays) {
  const auto [use_secp256k1, how] = GetParam();
  const IdentityKey initiator_id =
      use_secp256k1 ? secp256k1_identity(0x11) : ed25519_identity(0x22);
  const IdentityKey responder_id =
      use_secp256k1 ? secp256k1_identity(0x33) : ed25519_identity(0x44);
  auto [initiator, responder] = handshake(initiator_id, responder_id, how);

  EXPECT_EQ(initiator.remote_peer(), responder_id.peer_id());
  EXPECT_EQ(responder.remote_peer(), initiator_id.peer_id());
  EXPECT_EQ(initiator.remote_key(), responder_id.public_key());
  EXPECT_EQ(responder.remote_key(), initiator_id.public_key());
  EXPECT_TRUE(initiator.remote_stream_muxers().empty());

  const Bytes hello = to_bytes("/multistream/1.0.0\n");
  ASSERT_TRUE(responder.handle_bytes(encrypt(initiator, hello)).has_value());
  EXPECT_EQ(responder.take_plaintext(), hello);
  const Bytes reply = to_bytes("/yamux/1.0.0\n");
  const Bytes wire = encrypt(responder, reply);
  for (const auto byte : wire) ASSERT_TRUE(initiator.handle_bytes(ByteView(&byte, 1)).has_value());
  EXPECT_EQ(initiator.take_plaintext(), reply);
  EXPECT_TRUE(initiator.take_plaintext().empty());
}

INSTANTIATE_TEST_SUITE_P(
    KeysAndFeeds, NoiseHandshakeTest,
    ::testing::Combine(::testing::Bool(), ::testing::Values(Feed::kAllAtOnce, Feed::kByteByByte)));

// libp2p-wire.md §B5: msg1 is 00 20 + e. Without extensions and with an Ed25519 identity the
// payload is 2+36 (key) + 2+64 (signature) = 104 bytes, so msg2 = 32 + 48 + 104 + 16 = 200 and
// msg3 = 48 + 104 + 16 = 168. A 12-byte transport message (a yamux header) is 00 1c + 28 bytes.
TEST(NoiseHandshake, FrameSizesMatchTheWireTrace) {
  CountingEntropy entropy_i(1);
  CountingEntropy entropy_r(100);
  const auto initiator_id = ed25519_identity(1);
  const auto responder_id = ed25519_identity(2);
  auto initiator = NoiseHandshake::initiator(initiator_id, entropy_i);
  auto responder = NoiseHandshake::responder(responder_id, entropy_r);
  EXPECT_TRUE(responder.take_transmit().empty());
  const Bytes msg1 = initiator.take_transmit();
  ASSERT_EQ(msg1.size(), 34U);
  EXPECT_EQ(msg1[0], 0x00);
  EXPECT_EQ(msg1[1], 0x20);
  ASSERT_TRUE(responder.handle_bytes(msg1).has_value());
  const Bytes msg2 = responder.take_transmit();
  ASSERT_EQ(msg2.size(), 202U);
  EXPECT_EQ(to_hex(ByteView(msg2).first(2)), "00c8");
  ASSERT_TRUE(initiator.handle_bytes(msg2).has_value());
  const Bytes msg3 = initiator.take_transmit();
  ASSERT_EQ(msg3.size(), 170U);
  EXPECT_EQ(to_hex(ByteView(msg3).first(2)), "00a8");
  ASSERT_TRUE(responder.handle_bytes(msg3).has_value());
  auto session = std::move(initiator).into_session();
  const Bytes frame12 = encrypt(session, Bytes(12, 0));
  ASSERT_EQ(frame12.size(), 30U);
  EXPECT_EQ(to_hex(ByteView(frame12).first(2)), "001c");
}

TEST(NoiseSession, LargeMessagesAreSplitIntoMaximalFrames) {
  auto [initiator, responder] =
      handshake(ed25519_identity(5), secp256k1_identity(6), Feed::kAllAtOnce);
  Bytes big(2 * kNoiseMaxPlaintextBytes + 1000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7 + 3);
  Bytes wire = {0xaa};  // encrypt appends
  ASSERT_TRUE(initiator.encrypt(big, wire).has_value());
  ASSERT_EQ(wire.size(), 1 + big.size() + 3 * (2 + kNoiseTagBytes));
  EXPECT_EQ(to_hex(ByteView(wire).subspan(1, 2)), "ffff");
  EXPECT_EQ(to_hex(ByteView(wire).subspan(1 + 65537, 2)), "ffff");
  EXPECT_EQ(to_hex(ByteView(wire).subspan(1 + 2 * 65537, 2)), "03f8");  // 1000 + 16
  // Delivered in uneven pieces: frames decrypt as they complete.
  ByteView rest = ByteView(wire).subspan(1);
  std::size_t piece = 1;
  Bytes received;
  while (!rest.empty()) {
    const std::size_t take = std::min(piece, rest.size());
    ASSERT_TRUE(responder.handle_bytes(rest.first(take)).has_value());
    rest = rest.subspan(take);
    piece = piece * 3 + 1;
    const Bytes got = responder.take_plaintext();
    received.insert(received.end(), got.begin(), got.end());
  }
  EXPECT_EQ(received, big);
  // And the other way, a frame at exactly the maximum.
  const Bytes max(kNoiseMaxPlaintextBytes, 0x5a);
  const Bytes max_wire = encrypt(responder, max);
  EXPECT_EQ(max_wire.size(), 2 + kNoiseMaxMessageBytes);
  ASSERT_TRUE(initiator.handle_bytes(max_wire).has_value());
  EXPECT_EQ(initiator.take_plaintext(), max);
  Bytes none;
  ASSERT_TRUE(initiator.encrypt({}, none).has_value());
  EXPECT_TRUE(none.empty());
}

TEST(NoiseSession, TamperedCiphertextFailsForGood) {
  auto [initiator, responder] =
      handshake(ed25519_identity(5), ed25519_identity(6), Feed::kAllAtOnce);
  Bytes wire = encrypt(initiator, to_bytes("hello"));
  wire[5] ^= 0x01U;
  const auto result = responder.handle_bytes(wire);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kCryptoFailure);
  EXPECT_TRUE(responder.take_plaintext().empty());
  // Final: even a genuine frame is refused afterwards.
  EXPECT_FALSE(responder.handle_bytes(encrypt(initiator, to_bytes("again"))).has_value());
}

TEST(NoiseSession, ReplayedAndTooShortFramesFail) {
  {
    auto [initiator, responder] =
        handshake(ed25519_identity(5), ed25519_identity(6), Feed::kAllAtOnce);
    const Bytes wire = encrypt(initiator, to_bytes("once"));
    ASSERT_TRUE(responder.handle_bytes(wire).has_value());
    EXPECT_FALSE(responder.handle_bytes(wire).has_value());  // nonce moved on
  }
  {
    auto [initiator, responder] =
        handshake(ed25519_identity(5), ed25519_identity(6), Feed::kAllAtOnce);
    const auto result = responder.handle_bytes(frame(Bytes(15, 0)));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, Errc::kDecode);
  }
}

TEST(NoiseSession, NonceLimitFollowsJsLibp2pNoise) {
  auto [initiator, responder] =
      handshake(ed25519_identity(5), ed25519_identity(6), Feed::kAllAtOnce);
  initiator.set_nonces_for_testing(kNoiseMaxNonce, 0);
  responder.set_nonces_for_testing(0, kNoiseMaxNonce);
  Bytes out;
  // Two frames would need nonces 2^32-1 and 2^32: nothing is written.
  const auto two_frames = initiator.encrypt(Bytes(kNoiseMaxPlaintextBytes + 1, 1), out);
  ASSERT_FALSE(two_frames.has_value());
  EXPECT_EQ(two_frames.error().code, Errc::kCryptoFailure);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(initiator.encrypt(to_bytes("last"), out).has_value());
  ASSERT_TRUE(responder.handle_bytes(out).has_value());
  EXPECT_EQ(responder.take_plaintext(), to_bytes("last"));
  out.clear();
  EXPECT_FALSE(initiator.encrypt(to_bytes("more"), out).has_value());
  EXPECT_TRUE(out.empty());
}

TEST(NoiseHandshake, TransportBytesAfterTheLastMessageAreKept) {
  CountingEntropy entropy_i(1);
  CountingEntropy entropy_r(100);
  auto initiator = NoiseHandshake::initiator(ed25519_identity(1), entropy_i);
  auto responder = NoiseHandshake::responder(secp256k1_identity(2), entropy_r);
  ASSERT_TRUE(responder.handle_bytes(initiator.take_transmit()).has_value());
  ASSERT_TRUE(initiator.handle_bytes(responder.take_transmit()).has_value());
  // The initiator may write at once: msg3 and its first frames reach the responder together.
  Bytes wire = initiator.take_transmit();
  auto session = std::move(initiator).into_session();
  const Bytes data = to_bytes("/multistream/1.0.0\n");
  ASSERT_TRUE(session.encrypt(data, wire).has_value());
  ASSERT_TRUE(responder.handle_bytes(wire).has_value());
  ASSERT_TRUE(responder.is_complete());
  auto responder_session = std::move(responder).into_session();
  EXPECT_EQ(responder_session.take_plaintext(), data);
}

TEST(NoiseHandshake, WrongExpectedPeerFails) {
  CountingEntropy entropy_i(1);
  CountingEntropy entropy_r(100);
  auto initiator =
      NoiseHandshake::initiator(ed25519_identity(1), entropy_i, ed25519_identity(3).peer_id());
  auto responder = NoiseHandshake::responder(ed25519_identity(2), entropy_r);
  ASSERT_TRUE(responder.handle_bytes(initiator.take_transmit()).has_value());
  const auto result = initiator.handle_bytes(responder.take_transmit());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kBadKey);
  EXPECT_TRUE(initiator.has_failed());
  EXPECT_FALSE(initiator.is_complete());
  EXPECT_TRUE(initiator.take_transmit().empty());  // msg3 is never sent
  EXPECT_FALSE(initiator.handle_bytes(Bytes{0, 0}).has_value());
}

TEST(NoiseHandshake, TamperedHandshakeMessageFails) {
  for (const std::size_t index : {std::size_t{2}, std::size_t{40}, std::size_t{100}}) {
    CountingEntropy entropy_i(1);
    CountingEntropy entropy_r(100);
    auto initiator = NoiseHandshake::initiator(ed25519_identity(1), entropy_i);
    auto responder = NoiseHandshake::responder(ed25519_identity(2), entropy_r);
    ASSERT_TRUE(responder.handle_bytes(initiator.take_transmit()).has_value());
    Bytes msg2 = responder.take_transmit();
    msg2[index] ^= 0x01U;
    const auto result = initiator.handle_bytes(msg2);
    ASSERT_FALSE(result.has_value()) << index;
    // A changed ephemeral key changes every key after it; either way the tag check fails.
    EXPECT_EQ(result.error().code, Errc::kCryptoFailure) << index;
  }
}

// A hand-driven responder, to send payloads an honest NoiseHandshake never would.
struct FakeResponder {
  NoiseXXState state;
  Result<void> send(NoiseHandshake& initiator, ByteView payload) {
    Bytes ignored;
    const Bytes msg1 = initiator.take_transmit();
    WAKU_TRY_VOID(state.read_message(body_of(msg1), ignored));
    Bytes msg2;
    WAKU_TRY_VOID(state.write_message(payload, msg2));
    return initiator.handle_bytes(frame(msg2));
  }
};

FakeResponder fake_responder(std::uint8_t seed) {
  CountingEntropy entropy(seed);
  auto static_key = crypto::X25519PrivateKey::generate(entropy);
  auto ephemeral_key = crypto::X25519PrivateKey::generate(entropy);
  return {NoiseXXState(NoiseRole::kResponder, static_key, ephemeral_key)};
}

Errc initiator_error_for(FakeResponder&& fake, ByteView payload) {
  CountingEntropy entropy(1);
  auto initiator = NoiseHandshake::initiator(ed25519_identity(1), entropy);
  const auto result = fake.send(initiator, payload);
  EXPECT_FALSE(result.has_value());
  EXPECT_FALSE(initiator.is_complete());
  return result.has_value() ? Errc::kInternal : result.error().code;
}

TEST(NoiseHandshake, GoodPayloadFromAHandDrivenPeerIsAccepted) {
  // The control for the failure cases below: the same construction with a correct signature.
  for (const auto& identity : {ed25519_identity(7), secp256k1_identity(7)}) {
    auto fake = fake_responder(50);
    const Bytes payload =
        payload_bytes(identity.public_key_protobuf(),
                      identity.sign(static_key_message(fake.state.local_static_key())));
    CountingEntropy entropy(1);
    auto initiator = NoiseHandshake::initiator(ed25519_identity(1), entropy, identity.peer_id());
    ASSERT_TRUE(fake.send(initiator, payload).has_value());
    ASSERT_TRUE(initiator.is_complete());
    EXPECT_EQ(std::move(initiator).into_session().remote_peer(), identity.peer_id());
  }
}

TEST(NoiseHandshake, BadSignatureFails) {
  for (const auto& identity : {ed25519_identity(7), secp256k1_identity(7)}) {
    const auto fake_static = fake_responder(50).state.local_static_key();
    // Signed over another static key.
    auto other = fake_static;
    other[0] ^= 0x01U;
    const Bytes payload =
        payload_bytes(identity.public_key_protobuf(), identity.sign(static_key_message(other)));
    EXPECT_EQ(initiator_error_for(fake_responder(50), payload), Errc::kBadSignature);
    // Signed by another identity.
    const auto mallory = ed25519_identity(8);
    const Bytes stolen = payload_bytes(identity.public_key_protobuf(),
                                       mallory.sign(static_key_message(fake_static)));
    EXPECT_EQ(initiator_error_for(fake_responder(50), stolen), Errc::kBadSignature);
  }
}

TEST(NoiseHandshake, MalformedPayloadsFail) {
  const auto identity = ed25519_identity(7);
  const Bytes signature(64, 1);
  EXPECT_EQ(initiator_error_for(fake_responder(50), {}), Errc::kMissingField);
  EXPECT_EQ(initiator_error_for(fake_responder(50), Bytes{0x0a, 0x05, 0x01}), Errc::kDecode);
  const Bytes key_only = {0x0a, 0x01, 0x00};
  EXPECT_EQ(initiator_error_for(fake_responder(50), key_only), Errc::kMissingField);
  // An RSA key: not supported.
  const Bytes rsa_key = crypto::encode_public_key(crypto::KeyType::kRsa, Bytes(40, 3));
  EXPECT_EQ(initiator_error_for(fake_responder(50), payload_bytes(rsa_key, signature)),
            Errc::kUnsupported);
  // An Ed25519 key of the wrong size.
  const Bytes short_key = {0x08, 0x01, 0x12, 0x02, 0x00, 0x00};
  EXPECT_NE(initiator_error_for(fake_responder(50), payload_bytes(short_key, signature)),
            Errc::kInternal);
}

TEST(NoiseHandshake, ResponderChecksTheInitiatorSignature) {
  CountingEntropy entropy_r(100);
  auto responder = NoiseHandshake::responder(ed25519_identity(2), entropy_r);
  CountingEntropy entropy(7);
  NoiseXXState fake(NoiseRole::kInitiator, crypto::X25519PrivateKey::generate(entropy),
                    crypto::X25519PrivateKey::generate(entropy));
  Bytes msg1;
  ASSERT_TRUE(fake.write_message({}, msg1).has_value());
  ASSERT_TRUE(responder.handle_bytes(frame(msg1)).has_value());
  Bytes payload;
  ASSERT_TRUE(fake.read_message(body_of(responder.take_transmit()), payload).has_value());
  const auto identity = secp256k1_identity(9);
  auto other = fake.local_static_key();
  other[31] ^= 0x80U;
  Bytes msg3;
  ASSERT_TRUE(fake.write_message(payload_bytes(identity.public_key_protobuf(),
                                               identity.sign(static_key_message(other))),
                                 msg3)
                  .has_value());
  const auto result = responder.handle_bytes(frame(msg3));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
  EXPECT_FALSE(responder.is_complete());
}

TEST(NoiseHandshake, ShortOrSmallOrderFirstMessageFails) {
  {
    CountingEntropy entropy(100);
    auto responder = NoiseHandshake::responder(ed25519_identity(2), entropy);
    const auto result = responder.handle_bytes(frame(Bytes(31, 7)));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, Errc::kTruncated);
  }
  {
    // An all-zero ephemeral key is a small-order point: the DH for msg2 fails.
    CountingEntropy entropy(100);
    auto responder = NoiseHandshake::responder(ed25519_identity(2), entropy);
    const auto result = responder.handle_bytes(frame(Bytes(32, 0)));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, Errc::kBadKey);
  }
}

TEST(NoiseFrameReader, BuffersAtMostOneFrame) {
  NoiseFrameReader reader;
  const Bytes wire = {0x00, 0x03, 'a', 'b', 'c', 0x00, 0x00, 0x00, 0x02, 'x'};
  ByteView input = wire;
  auto first = reader.next(input);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(as_chars(*first), "abc");
  auto empty = reader.next(input);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(reader.next(input).has_value());
  EXPECT_EQ(reader.buffered_bytes(), 3U);
  const Bytes more = {'y', 0x00};
  input = more;
  auto second = reader.next(input);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(as_chars(*second), "xy");
  EXPECT_EQ(input.size(), 1U);
  EXPECT_FALSE(reader.next(input).has_value());
  EXPECT_EQ(reader.buffered_bytes(), 1U);
}

}  // namespace
}  // namespace waku::p2p
