#include "waku/p2p/multiaddr.hpp"

#include <gtest/gtest.h>

#include <string>

namespace waku::p2p {
namespace {

Bytes hex(std::string_view text) { return from_hex(text).value(); }

// libp2p-wire.md §A1/§A2: the secp256k1 id of private key 0x11..11, and an Ed25519 id.
constexpr std::string_view kSecpId = "16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3";
constexpr std::string_view kSecpIdHex =
    "002508021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
constexpr std::string_view kEdId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
constexpr std::string_view kEdIdHex =
    "0024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b";

struct Vector {
  std::string_view text;
  std::string hex;
};

// Vectors verified with @multiformats/multiaddr 12.5.1 (§A2), plus hand-computed ones.
TEST(Multiaddr, TextAndBytesRoundTrip) {
  const std::vector<Vector> vectors = {
      {"/ip4/127.0.0.1/tcp/60000", "047f00000106ea60"},
      {"/ip6/::1/tcp/60000", "290000000000000000000000000000000106ea60"},
      {"/dns4/example.com/tcp/443/wss", "360b6578616d706c652e636f6d0601bbde03"},
      {"/dns6/localhost/tcp/8000/ws", "37096c6f63616c686f7374061f40dd03"},
      {"/ip4/127.0.0.1/udp/9000/quic-v1", "047f00000191022328cd03"},
      {"/dns/node-01.example.org/tcp/30303",
       "3513"
       "6e6f64652d30312e6578616d706c652e6f7267"
       "06765f"},
      {"/ip4/0.0.0.0/tcp/0/ws",
       "04000000000600"
       "00dd03"},
      {"/ip6/2001:db8::1/udp/65535/quic-v1",
       "2920010db8000000000000000000000001"
       "9102ffffcd03"},
      {"/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws",
       "040102030406"
       "01bb"
       "c003"
       "c1030b6578616d706c652e636f6d"
       "dd03"},
  };
  for (const auto& vector : vectors) {
    const auto parsed = Multiaddr::parse(vector.text);
    ASSERT_TRUE(parsed.has_value()) << vector.text << ": " << parsed.error().message();
    EXPECT_EQ(to_hex(parsed->bytes()), vector.hex) << vector.text;
    EXPECT_EQ(parsed->to_string(), vector.text);
    const auto decoded = Multiaddr::from_bytes(hex(vector.hex));
    ASSERT_TRUE(decoded.has_value()) << vector.text;
    EXPECT_EQ(*decoded, *parsed);
    EXPECT_EQ(decoded->to_string(), vector.text);
  }
}

TEST(Multiaddr, PeerIdComponent) {
  const std::string text = "/ip4/127.0.0.1/tcp/60000/p2p/" + std::string(kEdId);
  const auto address = Multiaddr::parse(text).value();
  EXPECT_EQ(to_hex(address.bytes()), "047f00000106ea60a50326" + std::string(kEdIdHex));
  EXPECT_EQ(address.to_string(), text);
  EXPECT_EQ(address.peer_id(), crypto::PeerId::parse(kEdId).value());

  const std::string secp = "/dns4/node.example/tcp/60000/p2p/" + std::string(kSecpId);
  const auto secp_address = Multiaddr::parse(secp).value();
  EXPECT_EQ(to_hex(secp_address.bytes()),
            "360c6e6f64652e6578616d706c6506ea60a50327" + std::string(kSecpIdHex));
  EXPECT_EQ(secp_address.peer_id()->to_string(), kSecpId);
  EXPECT_EQ(Multiaddr::from_bytes(secp_address.bytes()).value().to_string(), secp);
}

TEST(Multiaddr, IpfsIsAnAliasOfP2p) {
  const auto legacy = Multiaddr::parse("/ip4/127.0.0.1/tcp/60000/ipfs/" + std::string(kSecpId));
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->to_string(), "/ip4/127.0.0.1/tcp/60000/p2p/" + std::string(kSecpId));
  // A CIDv1 peer id names the same peer and encodes to the same bytes.
  const auto id = crypto::PeerId::parse(kSecpId).value();
  const auto cid = Multiaddr::parse("/ip4/127.0.0.1/tcp/60000/p2p/" + id.to_cid_string());
  ASSERT_TRUE(cid.has_value());
  EXPECT_EQ(*cid, *legacy);
}

TEST(Multiaddr, CircuitAddress) {
  // §A2: <relay>/p2p/<relay id>/p2p-circuit/p2p/<destination id>.
  const std::string text = "/ip4/192.0.2.1/tcp/5002/p2p/" + std::string(kEdId) +
                           "/p2p-circuit/p2p/" + std::string(kSecpId);
  const auto address = Multiaddr::parse(text).value();
  EXPECT_EQ(to_hex(address.bytes()), "04c000020106138aa50326" + std::string(kEdIdHex) +
                                         "a202a50327" + std::string(kSecpIdHex));
  EXPECT_EQ(address.to_string(), text);
  EXPECT_EQ(address.peer_id()->to_string(), kSecpId);  // the destination, not the relay
  EXPECT_FALSE(address.tcp_endpoint().has_value());
  EXPECT_EQ(address.without_peer_id().to_string(),
            "/ip4/192.0.2.1/tcp/5002/p2p/" + std::string(kEdId) + "/p2p-circuit");
  EXPECT_FALSE(address.without_peer_id().peer_id().has_value());
}

TEST(Multiaddr, OnlyTheFinalPeerIdIsEdited) {
  const std::string prefix = "/ip4/1.2.3.4/tcp/1/p2p/" + std::string(kEdId);
  const auto doubled = Multiaddr::parse(prefix + "/p2p/" + std::string(kSecpId)).value();
  EXPECT_EQ(doubled.peer_id()->to_string(), kSecpId);
  EXPECT_EQ(doubled.without_peer_id().to_string(), prefix);
  EXPECT_EQ(doubled.with_peer_id(crypto::PeerId::parse(kEdId).value()).to_string(),
            prefix + "/p2p/" + std::string(kEdId));
  EXPECT_FALSE(doubled.tcp_endpoint().has_value());
}

TEST(Multiaddr, TcpEndpoint) {
  const auto ip4 = Multiaddr::parse("/ip4/127.0.0.1/tcp/60000/p2p/" + std::string(kSecpId));
  const auto endpoint = ip4->tcp_endpoint();
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 60000);
  EXPECT_EQ(endpoint->kind, TcpEndpoint::Kind::kIp4);

  const auto ip6 = Multiaddr::parse("/ip6/2001:0db8:0:0::1/tcp/1")->tcp_endpoint();
  EXPECT_EQ(ip6, (TcpEndpoint{"2001:db8::1", 1, TcpEndpoint::Kind::kIp6}));
  EXPECT_EQ(Multiaddr::parse("/dns/x.example/tcp/30303")->tcp_endpoint(),
            (TcpEndpoint{"x.example", 30303, TcpEndpoint::Kind::kDns}));
  EXPECT_EQ(Multiaddr::parse("/dns4/x.example/tcp/1")->tcp_endpoint()->kind,
            TcpEndpoint::Kind::kDns4);
  EXPECT_EQ(Multiaddr::parse("/dns6/x.example/tcp/1")->tcp_endpoint()->kind,
            TcpEndpoint::Kind::kDns6);

  // Not plain TCP.
  EXPECT_FALSE(Multiaddr::parse("/dns4/example.com/tcp/443/wss")->tcp_endpoint());
  EXPECT_FALSE(Multiaddr::parse("/ip4/127.0.0.1/udp/9000/quic-v1")->tcp_endpoint());
  EXPECT_FALSE(Multiaddr::parse("/dnsaddr/example.com")->tcp_endpoint());
  EXPECT_FALSE(Multiaddr::parse("/ip4/127.0.0.1")->tcp_endpoint());
  EXPECT_FALSE(Multiaddr::parse("/p2p/" + std::string(kSecpId))->tcp_endpoint());
}

TEST(Multiaddr, FromTcpAndPeerIdEditing) {
  const auto address = Multiaddr::from_tcp({"127.0.0.1", 60000, TcpEndpoint::Kind::kIp4});
  EXPECT_EQ(to_hex(address.bytes()), "047f00000106ea60");
  EXPECT_EQ(Multiaddr::from_tcp({"::1", 60000, TcpEndpoint::Kind::kIp6}).to_string(),
            "/ip6/::1/tcp/60000");
  EXPECT_EQ(Multiaddr::from_tcp({"example.com", 443, TcpEndpoint::Kind::kDns4}).to_string(),
            "/dns4/example.com/tcp/443");
  EXPECT_FALSE(Multiaddr::try_from_tcp({"not-an-ip", 1, TcpEndpoint::Kind::kIp4}).has_value());
  EXPECT_FALSE(Multiaddr::try_from_tcp({"a/b", 1, TcpEndpoint::Kind::kDns}).has_value());
  EXPECT_FALSE(Multiaddr::try_from_tcp({"", 1, TcpEndpoint::Kind::kDns}).has_value());

  const auto secp = crypto::PeerId::parse(kSecpId).value();
  const auto ed = crypto::PeerId::parse(kEdId).value();
  const Multiaddr with_secp = address.with_peer_id(secp);
  EXPECT_EQ(to_hex(with_secp.bytes()), "047f00000106ea60a50327" + std::string(kSecpIdHex));
  EXPECT_EQ(with_secp.peer_id(), secp);
  EXPECT_EQ(with_secp.without_peer_id(), address);
  // Replaces, does not append.
  const Multiaddr with_ed = with_secp.with_peer_id(ed);
  EXPECT_EQ(with_ed.to_string(), "/ip4/127.0.0.1/tcp/60000/p2p/" + std::string(kEdId));
  EXPECT_EQ(address.without_peer_id(), address);
  EXPECT_FALSE(address.peer_id().has_value());

  // A bare /p2p/ address loses its only component.
  const auto bare = Multiaddr::parse("/p2p/" + std::string(kSecpId)).value();
  EXPECT_TRUE(bare.without_peer_id().empty());
  EXPECT_EQ(bare.without_peer_id().to_string(), "");
  EXPECT_EQ(bare.without_peer_id().with_peer_id(secp), bare);
}

TEST(Multiaddr, RefusesMalformedText) {
  const auto code = [](std::string_view text) {
    const auto parsed = Multiaddr::parse(text);
    return parsed.has_value() ? Errc::kInternal : parsed.error().code;
  };
  EXPECT_EQ(code("/foo/1"), Errc::kUnsupported);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp/1/unix/x"), Errc::kUnsupported);
  EXPECT_EQ(code(""), Errc::kInvalidArgument);
  EXPECT_EQ(code("/"), Errc::kInvalidArgument);
  EXPECT_EQ(code("ip4/1.2.3.4"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4//tcp/1"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/256.0.0.1"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/01.2.3.4"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/::1"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip6/1.2.3.4"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip6/1::2::3"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp/65536"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp/-1"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp/080"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp/ws"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/ip4/1.2.3.4/tcp"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/dns4/bad name/tcp/1"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/p2p/16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB"),  // one short
            Errc::kInvalidArgument);
  EXPECT_EQ(code("/p2p/not-a-peer-id"), Errc::kInvalidArgument);
  EXPECT_EQ(code("/dns4/" + std::string(1100, 'a')), Errc::kTooLarge);
  EXPECT_EQ(code(std::string(5000, '/')), Errc::kTooLarge);
  EXPECT_TRUE(Multiaddr::parse("/ip4/0.0.0.0/tcp/65535").has_value());
}

TEST(Multiaddr, RefusesMalformedBytes) {
  const auto code = [](std::string_view text) {
    const auto decoded = Multiaddr::from_bytes(hex(text));
    return decoded.has_value() ? Errc::kInternal : decoded.error().code;
  };
  EXPECT_EQ(code(""), Errc::kDecode);
  EXPECT_EQ(code("7f"), Errc::kUnsupported);  // code 127 is not in the table
  EXPECT_EQ(code("047f000001"
                 "e003"),
            Errc::kInternal);  // http (480) is known
  EXPECT_EQ(code("047f000001"
                 "ff7f"),
            Errc::kUnsupported);
  EXPECT_EQ(code("047f00"), Errc::kTruncated);
  EXPECT_EQ(code("047f00000106ea"), Errc::kTruncated);
  EXPECT_EQ(code("8400"), Errc::kBadEncoding);                      // non-minimal code varint
  EXPECT_EQ(code("36"), Errc::kTruncated);                          // dns4 without its length
  EXPECT_EQ(code("360b6578616d"), Errc::kTruncated);                // length beyond the end
  EXPECT_EQ(code("3600"), Errc::kBadEncoding);                      // empty name
  EXPECT_EQ(code("36032f2f2f"), Errc::kBadEncoding);                // '/' in a name
  EXPECT_EQ(code("3603610a62"), Errc::kBadEncoding);                // control character in a name
  EXPECT_EQ(code("a503020000"), Errc::kBadEncoding);                // not a peer id multihash
  EXPECT_EQ(code("a503ffffffffffffffffff7f"), Errc::kBadEncoding);  // length above 2^64-1
  Bytes large;
  for (int i = 0; i < 205; ++i) {
    const Bytes part = hex("047f000001");
    large.insert(large.end(), part.begin(), part.end());
  }
  EXPECT_EQ(Multiaddr::from_bytes(large).error().code, Errc::kTooLarge);
}

}  // namespace
}  // namespace waku::p2p
