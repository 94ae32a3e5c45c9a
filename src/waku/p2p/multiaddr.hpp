// Multiaddrs: self-describing network addresses ("/ip4/1.2.3.4/tcp/60000/p2p/16Uiu2...").
//
// They arrive from users (static nodes, bootstrap lists), from config files and, in binary
// form, from peers (identify listenAddrs and observedAddr, peer exchange, relay), so the parser
// is strict and bounded: a known protocol table only (multiformats protocols.csv; an unknown code
// or name is kUnsupported), minimal varints, at most kMaxMultiaddrBytes, and every value
// validated (IP addresses, ports, peer ids as multihashes, host names as printable text without
// '/'). A Multiaddr always holds its canonical binary form, so equality is byte equality and
// to_string/from_bytes round-trip exactly (libp2p-wire.md §A2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/crypto/peer_id.hpp"

namespace waku::p2p {

// Bounds on peer and user input; the longest useful address (a circuit address with two
// hashed peer ids) is far below either.
inline constexpr std::size_t kMaxMultiaddrBytes = 1024;
inline constexpr std::size_t kMaxMultiaddrTextSize = 4096;

// Protocol codes used outside this file (multiformats protocols.csv).
inline constexpr std::uint64_t kMultiaddrIp4 = 4;
inline constexpr std::uint64_t kMultiaddrTcp = 6;
inline constexpr std::uint64_t kMultiaddrIp6 = 41;
inline constexpr std::uint64_t kMultiaddrDns = 53;
inline constexpr std::uint64_t kMultiaddrDns4 = 54;
inline constexpr std::uint64_t kMultiaddrDns6 = 55;
inline constexpr std::uint64_t kMultiaddrP2p = 421;

struct TcpEndpoint {
  std::string host;  // dotted quad, IPv6 text without brackets, or a DNS name
  std::uint16_t port{0};
  enum class Kind : std::uint8_t { kIp4, kIp6, kDns, kDns4, kDns6 } kind{Kind::kIp4};
  friend bool operator==(const TcpEndpoint&, const TcpEndpoint&) = default;
};

class Multiaddr {
 public:
  // The empty address (no component). Only the default and without_peer_id() on a bare
  // "/p2p/<id>" produce it; parse and from_bytes refuse it.
  Multiaddr() = default;

  // "/ip4/1.2.3.4/tcp/60000/p2p/16U..."; "/ipfs/" is accepted for "/p2p/", and a peer id may be
  // base58btc or a CIDv1. Errors: kUnsupported for an unknown protocol name, kInvalidArgument
  // for a malformed value, kTooLarge beyond the bounds above.
  static Result<Multiaddr> parse(std::string_view text);
  // Binary form (identify listenAddrs). Errors: kUnsupported for an unknown code, kTruncated,
  // kBadEncoding (non-minimal varint, invalid value), kTooLarge.
  static Result<Multiaddr> from_bytes(ByteView bytes);

  // Peer ids print as base58btc, IPv6 addresses in RFC 5952 form, "/p2p/" (never "/ipfs/").
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] const Bytes& bytes() const { return bytes_; }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }

  // The address dialled over plain TCP: exactly ip4|ip6|dns|dns4|dns6 then tcp, optionally
  // followed by /p2p/<id>. Anything else (ws, wss, tls, p2p-circuit, udp, ...) is nullopt, so a
  // host never speaks raw multistream to a websocket or relay address.
  [[nodiscard]] std::optional<TcpEndpoint> tcp_endpoint() const;
  // The peer the address leads to: the final component if it is /p2p/ (for a circuit address,
  // the destination, not the relay).
  [[nodiscard]] std::optional<crypto::PeerId> peer_id() const;
  // Drops a final /p2p/ component, if any.
  [[nodiscard]] Multiaddr without_peer_id() const;
  // Replaces a final /p2p/ component, if any, by /p2p/<id>. The result may exceed
  // kMaxMultiaddrBytes by the id's size (about 40 bytes) if this address was already near it.
  [[nodiscard]] Multiaddr with_peer_id(const crypto::PeerId& id) const;

  // Fails (kInvalidArgument) if the host is not valid for its kind or, for DNS names, is empty,
  // contains '/' or non-printable characters.
  static Result<Multiaddr> try_from_tcp(const TcpEndpoint& endpoint);
  // For endpoints the program made (an asio endpoint, tcp_endpoint()): asserts try_from_tcp.
  static Multiaddr from_tcp(const TcpEndpoint& endpoint);

  friend bool operator==(const Multiaddr&, const Multiaddr&) = default;

 private:
  explicit Multiaddr(Bytes bytes) : bytes_(std::move(bytes)) {}
  Bytes bytes_;
};

}  // namespace waku::p2p
