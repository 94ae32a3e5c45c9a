#include "waku/p2p/identify.hpp"

#include <algorithm>
#include <limits>

// See waku_message_codec.cpp: both include layouts of the generated files are accepted.
#if __has_include("identify.pb.h")
#include "identify.pb.h"
#else
#include "proto/identify.pb.h"
#endif

namespace waku::p2p {
namespace {

const char* chars(const Bytes& bytes) { return as_chars(bytes).data(); }

}  // namespace

Bytes encode_identify(const IdentifyInfo& info) {
  pb::Identify proto;
  if (!info.public_key.empty())
    proto.set_public_key(chars(info.public_key), info.public_key.size());
  for (const auto& address : info.listen_addrs) {
    proto.add_listen_addrs(chars(address), address.size());
  }
  for (const auto& protocol : info.protocols) proto.add_protocols(protocol);
  if (info.observed_addr) {
    proto.set_observed_addr(chars(*info.observed_addr), info.observed_addr->size());
  }
  if (!info.protocol_version.empty()) proto.set_protocol_version(info.protocol_version);
  if (!info.agent_version.empty()) proto.set_agent_version(info.agent_version);

  Bytes out(proto.ByteSizeLong());
  const bool serialized = proto.SerializeToArray(out.data(), static_cast<int>(out.size()));
  WAKU_ASSERT_MSG(serialized, "serializing an Identify message into a buffer of its own size");
  return out;
}

Result<IdentifyInfo> decode_identify(ByteView body) {
  static_assert(kMaxIdentifyBytes <= std::numeric_limits<int>::max());
  if (body.size() > kMaxIdentifyBytes) {
    return unexpected(Errc::kTooLarge, "identify: message longer than 8 KiB");
  }
  pb::Identify proto;
  if (!proto.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return unexpected(Errc::kDecode, "identify: not a valid protobuf message");
  }
  if (static_cast<std::size_t>(proto.protocols_size()) > kMaxIdentifyProtocols) {
    return unexpected(Errc::kLimitExceeded, "identify: more than 256 protocols");
  }

  IdentifyInfo info;
  info.protocol_version = proto.protocol_version();
  info.agent_version = proto.agent_version();
  info.public_key = to_bytes(proto.public_key());
  const int addresses =
      std::min(proto.listen_addrs_size(), static_cast<int>(kMaxIdentifyListenAddrs));
  info.listen_addrs.reserve(static_cast<std::size_t>(addresses));
  for (int i = 0; i < addresses; ++i) info.listen_addrs.push_back(to_bytes(proto.listen_addrs(i)));
  if (proto.has_observed_addr()) info.observed_addr = to_bytes(proto.observed_addr());
  info.protocols.reserve(static_cast<std::size_t>(proto.protocols_size()));
  for (const auto& protocol : proto.protocols()) {
    if (protocol.size() > kMaxProtocolIdBytes) {
      return unexpected(Errc::kTooLarge, "identify: protocol id longer than 1024 bytes");
    }
    info.protocols.push_back(protocol);
  }
  return info;
}

}  // namespace waku::p2p
