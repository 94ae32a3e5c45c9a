#include "waku/p2p/connection.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "waku/crypto/ed25519.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/p2p/noise.hpp"

namespace waku::p2p {
namespace {

// Deterministic entropy for reproducible handshakes (keys differ per call).
class CountingEntropy final : public Entropy {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) byte = static_cast<std::uint8_t>(++counter_ * 37 + 11);
  }

 private:
  std::uint32_t counter_ = 0;
};

crypto::IdentityKey secp_identity(std::uint8_t fill) {
  return crypto::IdentityKey::secp256k1(
      crypto::Secp256k1PrivateKey::from_bytes(Bytes(32, fill)).value());
}

crypto::IdentityKey ed_identity(std::uint8_t fill) {
  return crypto::IdentityKey::ed25519(
      crypto::Ed25519PrivateKey::from_seed(Bytes(32, fill)).value());
}

struct Pair {
  crypto::IdentityKey dialer_key;
  crypto::IdentityKey listener_key;
  CountingEntropy entropy;
  Connection dialer;
  Connection listener;
  std::vector<ConnectionEvent> dialer_events;
  std::vector<ConnectionEvent> listener_events;

  Pair(crypto::IdentityKey a, crypto::IdentityKey b, std::vector<std::string> dialer_muxers,
       std::vector<std::string> listener_muxers)
      : dialer_key(std::move(a)),
        listener_key(std::move(b)),
        dialer(options(ConnectionRole::kDialer, std::move(dialer_muxers), listener_key.peer_id()),
               dialer_key, entropy),
        listener(options(ConnectionRole::kListener, std::move(listener_muxers), std::nullopt),
                 listener_key, entropy) {}

  static ConnectionOptions options(ConnectionRole role, std::vector<std::string> muxers,
                                   std::optional<crypto::PeerId> expected) {
    ConnectionOptions options;
    options.role = role;
    options.muxers = std::move(muxers);
    options.expected_peer = std::move(expected);
    options.protocols = {"/test/echo/1.0.0"};
    return options;
  }

  // Moves bytes both ways, `chunk` bytes at a time, until both sides are quiet.
  void run(std::size_t chunk = 1 << 20) {
    for (int round = 0; round < 100; ++round) {
      Bytes a;
      Bytes b;
      dialer.take_transmit(a);
      listener.take_transmit(b);
      if (a.empty() && b.empty()) break;
      for (std::size_t i = 0; i < a.size(); i += chunk) {
        const auto n = std::min(chunk, a.size() - i);
        ASSERT_TRUE(listener.handle_bytes(ByteView(a).subspan(i, n)));
      }
      for (std::size_t i = 0; i < b.size(); i += chunk) {
        const auto n = std::min(chunk, b.size() - i);
        ASSERT_TRUE(dialer.handle_bytes(ByteView(b).subspan(i, n)));
      }
      while (auto e = dialer.poll_event()) dialer_events.push_back(std::move(*e));
      while (auto e = listener.poll_event()) listener_events.push_back(std::move(*e));
    }
  }
};

template <typename T>
std::vector<T> events_of(const std::vector<ConnectionEvent>& events) {
  std::vector<T> out;
  for (const auto& event : events) {
    if (const auto* typed = std::get_if<T>(&event)) out.push_back(*typed);
  }
  return out;
}

Bytes data_of(const std::vector<ConnectionEvent>& events, StreamId stream) {
  Bytes out;
  for (const auto& data : events_of<StreamData>(events)) {
    if (data.stream == stream) out.insert(out.end(), data.data.begin(), data.data.end());
  }
  return out;
}

// Upgrades the pair, then opens a stream from the dialer and lets both sides agree on it.
std::optional<StreamId> open_echo_stream(Pair& pair) {
  pair.run();
  auto stream = pair.dialer.open_stream("/test/echo/1.0.0");
  if (!stream) return std::nullopt;
  pair.run();
  return *stream;
}

TEST(Connection, UpgradesAndAuthenticatesBothSides) {
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
    Pair pair(secp_identity(0x11), ed_identity(0x22), {std::string{kYamuxProtocol}},
              {std::string{kYamuxProtocol}, std::string{kMplexProtocol}});
    pair.run(chunk);
    ASSERT_TRUE(pair.dialer.is_established());
    ASSERT_TRUE(pair.listener.is_established());
    const auto at_dialer = events_of<ConnectionEstablished>(pair.dialer_events);
    const auto at_listener = events_of<ConnectionEstablished>(pair.listener_events);
    ASSERT_EQ(at_dialer.size(), 1U);
    ASSERT_EQ(at_listener.size(), 1U);
    // The reference's fixed identities (libp2p-wire.md §B4).
    EXPECT_EQ(at_dialer[0].peer.to_string(),
              "12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns");
    EXPECT_EQ(at_listener[0].peer.to_string(),
              "16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3");
    EXPECT_EQ(at_dialer[0].muxer, kYamuxProtocol);
    EXPECT_EQ(at_listener[0].muxer, kYamuxProtocol);
  }
}

TEST(Connection, FallsBackToMplexWhenThatIsAllTheListenerHas) {
  Pair pair(secp_identity(0x11), secp_identity(0x33),
            {std::string{kYamuxProtocol}, std::string{kMplexProtocol}},
            {std::string{kMplexProtocol}});
  pair.run();
  const auto established = events_of<ConnectionEstablished>(pair.dialer_events);
  ASSERT_EQ(established.size(), 1U);
  EXPECT_EQ(established[0].muxer, kMplexProtocol);
}

TEST(Connection, NegotiatesStreamsAndCarriesDataBothWays) {
  for (const auto& muxer : {std::string{kYamuxProtocol}, std::string{kMplexProtocol}}) {
    Pair pair(secp_identity(0x11), secp_identity(0x33), {muxer}, {muxer});
    pair.run();
    auto stream = pair.dialer.open_stream("/test/echo/1.0.0");
    ASSERT_TRUE(stream);
    // Written before the protocol is agreed: held, then flushed.
    ASSERT_TRUE(pair.dialer.write(*stream, Bytes{'h', 'i'}));
    pair.run(5);
    const auto opened = events_of<StreamOpened>(pair.listener_events);
    ASSERT_EQ(opened.size(), 1U);
    EXPECT_EQ(opened[0].protocol, "/test/echo/1.0.0");
    EXPECT_EQ(opened[0].direction, StreamDirection::kInbound);
    EXPECT_EQ(data_of(pair.listener_events, opened[0].stream), (Bytes{'h', 'i'}));
    ASSERT_EQ(events_of<StreamOpened>(pair.dialer_events).size(), 1U);

    ASSERT_TRUE(pair.listener.write(opened[0].stream, Bytes{'y', 'o'}));
    pair.listener.close_write(opened[0].stream);
    pair.run();
    EXPECT_EQ(data_of(pair.dialer_events, *stream), (Bytes{'y', 'o'}));
    const auto closed = events_of<StreamClosed>(pair.dialer_events);
    ASSERT_EQ(closed.size(), 1U);
    EXPECT_EQ(closed[0].stream, *stream);
  }
}

// A host whose socket is busy holds what the streams write; taking it then seals all of it as one
// Noise frame, which the peer reads as the same stream bytes.
TEST(Connection, HeldWritesAreSealedTogether) {
  Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
            {std::string{kYamuxProtocol}});
  const auto stream = open_echo_stream(pair);
  ASSERT_TRUE(stream);
  ASSERT_EQ(events_of<StreamOpened>(pair.listener_events).size(), 1U);
  const StreamId inbound = events_of<StreamOpened>(pair.listener_events)[0].stream;

  Bytes expected;
  for (std::uint8_t i = 0; i < 3; ++i) {
    const Bytes chunk(100, i);
    ASSERT_TRUE(pair.dialer.write(*stream, chunk));
    pair.dialer.hold_transmit();
    expected.insert(expected.end(), chunk.begin(), chunk.end());
  }
  // Three yamux frames (12-byte headers), not sealed yet.
  EXPECT_EQ(pair.dialer.untaken_transmit_bytes(), 3 * (12 + 100U));
  Bytes wire;
  pair.dialer.take_transmit(wire);
  EXPECT_EQ(pair.dialer.untaken_transmit_bytes(), 0U);
  // One Noise frame: a 2-byte big-endian length, then the sealed bytes and their 16-byte tag.
  ASSERT_GE(wire.size(), 2U);
  EXPECT_EQ((std::size_t{wire[0]} << 8U) | wire[1], wire.size() - 2);
  EXPECT_EQ(wire.size(), 2 + 3 * (12 + 100U) + 16);

  ASSERT_TRUE(pair.listener.handle_bytes(wire));
  while (auto e = pair.listener.poll_event()) pair.listener_events.push_back(std::move(*e));
  EXPECT_EQ(data_of(pair.listener_events, inbound), expected);
}

// After kNoiseMaxNonce frames nothing can be sealed: the connection says so (the host closes it)
// instead of dropping what the streams wrote while the peer waits for it.
TEST(Connection, RunningOutOfNoncesIsReportedNotSilent) {
  Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
            {std::string{kYamuxProtocol}});
  const auto stream = open_echo_stream(pair);
  ASSERT_TRUE(stream);
  pair.dialer.set_send_nonce_for_testing(kNoiseMaxNonce);
  ASSERT_TRUE(pair.dialer.write(*stream, Bytes{'l', 'a', 's', 't'}));
  Bytes wire;
  pair.dialer.take_transmit(wire);
  EXPECT_FALSE(wire.empty());  // the last nonce is still usable
  EXPECT_FALSE(pair.dialer.sealing_failure().has_value());

  ASSERT_TRUE(pair.dialer.write(*stream, Bytes{'m', 'o', 'r', 'e'}));
  wire.clear();
  pair.dialer.take_transmit(wire);
  EXPECT_TRUE(wire.empty());
  ASSERT_TRUE(pair.dialer.sealing_failure().has_value());
  EXPECT_EQ(pair.dialer.sealing_failure()->code, Errc::kCryptoFailure);
  EXPECT_EQ(pair.dialer.untaken_transmit_bytes(), 0U);  // dropped, not piling up
}

TEST(Connection, RefusedProtocolFailsTheStreamNotTheConnection) {
  Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
            {std::string{kYamuxProtocol}});
  pair.run();
  auto stream = pair.dialer.open_stream("/not/spoken/1.0.0");
  ASSERT_TRUE(stream);
  pair.run();
  const auto failed = events_of<StreamFailed>(pair.dialer_events);
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].protocol, "/not/spoken/1.0.0");
  EXPECT_TRUE(events_of<StreamOpened>(pair.listener_events).empty());
  EXPECT_TRUE(pair.dialer.is_established());
}

TEST(Connection, WrongExpectedPeerFailsTheHandshake) {
  CountingEntropy entropy;
  const auto dialer_key = secp_identity(0x11);
  const auto listener_key = secp_identity(0x33);
  const auto someone_else = secp_identity(0x44);
  Connection dialer(
      Pair::options(ConnectionRole::kDialer, {std::string{kYamuxProtocol}}, someone_else.peer_id()),
      dialer_key, entropy);
  Connection listener(
      Pair::options(ConnectionRole::kListener, {std::string{kYamuxProtocol}}, std::nullopt),
      listener_key, entropy);
  bool failed = false;
  for (int round = 0; round < 10 && !failed; ++round) {
    Bytes a;
    Bytes b;
    dialer.take_transmit(a);
    listener.take_transmit(b);
    if (!a.empty()) {
      ASSERT_TRUE(listener.handle_bytes(a));
    }
    if (!b.empty()) failed = !dialer.handle_bytes(b);
  }
  EXPECT_TRUE(failed);
  EXPECT_FALSE(dialer.is_established());
}

TEST(Connection, GarbageAtEachStageIsAnError) {
  CountingEntropy entropy;
  const auto key = secp_identity(0x11);
  const Bytes garbage(64, 0xff);
  {
    // Before multistream: not a multistream header.
    Connection listener(Pair::options(ConnectionRole::kListener, {}, std::nullopt), key, entropy);
    EXPECT_FALSE(listener.handle_bytes(garbage));
  }
  {
    // During Noise: a handshake message that does not decrypt.
    Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
              {std::string{kYamuxProtocol}});
    Bytes a;
    pair.dialer.take_transmit(a);
    ASSERT_TRUE(pair.listener.handle_bytes(a));
    Bytes b;
    pair.listener.take_transmit(b);
    ASSERT_TRUE(pair.dialer.handle_bytes(b));  // multistream done; msg1 now in flight
    a.clear();
    pair.dialer.take_transmit(a);
    ASSERT_TRUE(pair.listener.handle_bytes(a));
    b.clear();
    pair.listener.take_transmit(b);  // msg2
    ASSERT_GT(b.size(), 40U);
    b[b.size() - 1] ^= 0x01;  // break the payload's tag
    EXPECT_FALSE(pair.dialer.handle_bytes(b));
  }
  {
    // After the handshake: a frame that does not decrypt.
    Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
              {std::string{kYamuxProtocol}});
    pair.run();
    ASSERT_TRUE(pair.listener.is_established());
    const Bytes frame{0x00, 0x20, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                      16,   17,   18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    EXPECT_FALSE(pair.listener.handle_bytes(frame));
  }
}

TEST(Connection, NegotiatingStreamsAreBounded) {
  Pair pair(secp_identity(0x11), secp_identity(0x33), {std::string{kYamuxProtocol}},
            {std::string{kYamuxProtocol}});
  pair.run();
  const std::size_t limit = ConnectionOptions{}.max_negotiating_streams;
  for (std::size_t i = 0; i < limit; ++i) ASSERT_TRUE(pair.dialer.open_stream("/test/echo/1.0.0"));
  const auto refused = pair.dialer.open_stream("/test/echo/1.0.0");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kLimitExceeded);
  pair.run();
  EXPECT_EQ(events_of<StreamOpened>(pair.listener_events).size(), limit);
  // Once agreed, they no longer count: new streams can be opened again.
  EXPECT_TRUE(pair.dialer.open_stream("/test/echo/1.0.0"));
}

}  // namespace
}  // namespace waku::p2p
