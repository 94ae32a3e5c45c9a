// libp2p identify: what a peer tells about itself on /ipfs/id/1.0.0 (answering the stream's
// opener) and /ipfs/id/push/1.0.0 (unprompted, on change): its public key, listen addresses,
// supported protocols, agent, and the address it sees us at.
//
// This is the codec for the message body; the host adds the uvarint length prefix and checks the
// key against the connection's peer id. The decoder bounds what a peer can make us hold
// (kMaxIdentifyBytes overall, at most kMaxIdentifyListenAddrs addresses and
// kMaxIdentifyProtocols protocol ids of at most kMaxProtocolIdBytes each) and ignores the signed
// peer record (field 8), which would need signed envelopes to be trusted (libp2p-wire.md §A6).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/p2p/multistream.hpp"

namespace waku::p2p {

inline constexpr std::string_view kIdentifyProtocol = "/ipfs/id/1.0.0";
inline constexpr std::string_view kIdentifyPushProtocol = "/ipfs/id/push/1.0.0";
// js-libp2p's MAX_IDENTIFY_MESSAGE_SIZE; also the frame limit for the length-prefixed read.
inline constexpr std::size_t kMaxIdentifyBytes = 8192;
inline constexpr std::size_t kMaxIdentifyListenAddrs = 64;
inline constexpr std::size_t kMaxIdentifyProtocols = 256;
inline constexpr std::string_view kIdentifyProtocolVersion = "ipfs/0.1.0";

struct IdentifyInfo {
  std::string protocol_version;  // "ipfs/0.1.0"
  std::string agent_version;
  Bytes public_key;                 // libp2p PublicKey protobuf
  std::vector<Bytes> listen_addrs;  // binary multiaddrs
  std::optional<Bytes> observed_addr;
  std::vector<std::string> protocols;
  friend bool operator==(const IdentifyInfo&, const IdentifyInfo&) = default;
};

// The protobuf body, no length prefix, fields in number order. Empty strings and an empty
// public key are omitted (for identify-push an absent field means "unchanged"; js requires the
// key in a reply, so a host always fills it). Field 8 is never written: js validates a present
// signed peer record against the peer id, and we do not sign envelopes.
Bytes encode_identify(const IdentifyInfo& info);

// Errors: body over kMaxIdentifyBytes or a protocol id over kMaxProtocolIdBytes (kTooLarge), not
// a protobuf message (kDecode), more than kMaxIdentifyProtocols protocols (kLimitExceeded).
// Listen addresses beyond the first kMaxIdentifyListenAddrs are dropped rather than failing the
// whole message: they are only dial hints, while the key and protocols still matter. Addresses
// are returned as sent; parse them with Multiaddr::from_bytes. An absent field decodes as empty.
Result<IdentifyInfo> decode_identify(ByteView body);

}  // namespace waku::p2p
