#include "waku/p2p/identify.hpp"

#include <gtest/gtest.h>

#include <string>

#include "waku/crypto/peer_id.hpp"
#include "waku/p2p/multiaddr.hpp"

namespace waku::p2p {
namespace {

Bytes hex(std::string_view text) { return from_hex(text).value(); }

// The secp256k1 key of private key 0x11..11 (libp2p-wire.md §A1), PublicKey protobuf.
constexpr std::string_view kKeyHex =
    "08021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";

IdentifyInfo sample() {
  IdentifyInfo info;
  info.protocol_version = std::string(kIdentifyProtocolVersion);
  info.agent_version = "waku-cpp/0.1";
  info.public_key = hex(kKeyHex);
  info.listen_addrs.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/60000").value().bytes());
  info.observed_addr = Multiaddr::parse("/ip4/192.168.0.1/tcp/60001").value().bytes();
  info.protocols = {std::string(kIdentifyProtocol), "/vac/waku/relay/2.0.0"};
  return info;
}

// Expected bytes written out field by field (tag = field << 3 | 2), independent of protobuf.
constexpr std::string_view kSampleHex =
    "0a25"
    "08021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"  // 1
    "1208"
    "047f00000106ea60"  // 2
    "1a0e"
    "2f697066732f69642f312e302e30"  // 3
    "1a15"
    "2f7661632f77616b752f72656c61792f322e302e30"  // 3
    "2208"
    "04c0a8000106ea61"  // 4
    "2a0a"
    "697066732f302e312e30"  // 5
    "320c"
    "77616b752d6370702f302e31";  // 6

TEST(Identify, EncodesFieldNumbersInOrder) {
  EXPECT_EQ(to_hex(encode_identify(sample())), kSampleHex);
}

TEST(Identify, RoundTrip) {
  const auto decoded = decode_identify(hex(kSampleHex));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(*decoded, sample());
  EXPECT_EQ(crypto::decode_public_key(decoded->public_key).value().type,
            crypto::KeyType::kSecp256k1);
  EXPECT_EQ(Multiaddr::from_bytes(decoded->listen_addrs.at(0)).value().to_string(),
            "/ip4/127.0.0.1/tcp/60000");
  EXPECT_EQ(encode_identify(*decoded), hex(kSampleHex));
}

TEST(Identify, EmptyFieldsAreOmittedAndDecodeAsAbsent) {
  EXPECT_TRUE(encode_identify(IdentifyInfo{}).empty());
  IdentifyInfo only_protocols;
  only_protocols.protocols = {"/ipfs/ping/1.0.0"};
  EXPECT_EQ(to_hex(encode_identify(only_protocols)), "1a102f697066732f70696e672f312e302e30");

  const auto empty = decode_identify({});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(*empty, IdentifyInfo{});
  EXPECT_FALSE(empty->observed_addr.has_value());
}

TEST(Identify, FieldOrderOnTheWireDoesNotMatterAndExtrasAreIgnored) {
  // go and js write protocolVersion (5) and agentVersion (6) first; field 8 (signed peer
  // record) and an unknown field 9 are skipped.
  const Bytes body =
      hex("2a0a697066732f302e312e30"  // 5 "ipfs/0.1.0"
          "4203010203"                // 8, 3 bytes
          "4a00"                      // 9, empty
          "0a25"
          "08021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
  const auto decoded = decode_identify(body);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->protocol_version, "ipfs/0.1.0");
  EXPECT_EQ(decoded->public_key, hex(kKeyHex));
  EXPECT_TRUE(decoded->protocols.empty());
}

TEST(Identify, Bounds) {
  EXPECT_EQ(decode_identify(Bytes(kMaxIdentifyBytes + 1, 0)).error().code, Errc::kTooLarge);
  EXPECT_EQ(decode_identify(hex("0a05aa")).error().code, Errc::kDecode);  // truncated field
  EXPECT_EQ(decode_identify(hex("ff")).error().code, Errc::kDecode);

  IdentifyInfo many_protocols;
  for (std::size_t i = 0; i <= kMaxIdentifyProtocols; ++i) {
    many_protocols.protocols.push_back("/p/" + std::to_string(i));
  }
  const Bytes too_many = encode_identify(many_protocols);
  ASSERT_LE(too_many.size(), kMaxIdentifyBytes);
  EXPECT_EQ(decode_identify(too_many).error().code, Errc::kLimitExceeded);
  many_protocols.protocols.pop_back();
  EXPECT_TRUE(decode_identify(encode_identify(many_protocols)).has_value());

  IdentifyInfo long_protocol;
  long_protocol.protocols = {std::string(kMaxProtocolIdBytes + 1, 'p')};
  EXPECT_EQ(decode_identify(encode_identify(long_protocol)).error().code, Errc::kTooLarge);

  // Addresses beyond the 64th are dropped, the rest of the message kept.
  IdentifyInfo many_addrs = sample();
  const Bytes address = many_addrs.listen_addrs.front();
  many_addrs.listen_addrs.assign(kMaxIdentifyListenAddrs + 10, address);
  const auto decoded = decode_identify(encode_identify(many_addrs));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->listen_addrs.size(), kMaxIdentifyListenAddrs);
  EXPECT_EQ(decoded->protocols, sample().protocols);
}

}  // namespace
}  // namespace waku::p2p
