// 66/WAKU2-METADATA bodies (/vac/waku/metadata/1.0.0): the cluster id and shards a node reports
// on every new connection. nwaku disconnects a peer whose metadata is missing or names another
// cluster, so a node must both answer this protocol and read the answers correctly.
//
// Request and response share one shape. The encoding is byte-for-byte nwaku's
// (waku/waku_metadata/rpc.nim, minprotobuf): cluster_id (1) when present, each shard as an
// unpacked varint on field 2 (what js-waku and the spec schema read), then all shards packed on
// field 3 (what go-waku reads), written even when empty (`1a 00`). The decoder takes field 3 if it
// holds any shard, else field 2, each packed or unpacked, as nwaku does (waku-wire.md §9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::codec {

inline constexpr std::string_view kMetadataProtocol = "/vac/waku/metadata/1.0.0";
// nwaku reads at most this many bytes (RpcResponseMaxBytes): the frame limit for the host's
// length-prefixed read. Our own encoding of more than ~150 shards would not fit it.
inline constexpr std::size_t kMetadataReadLimitBytes = 1024;
// Bounds on decoding; a cluster has at most 1024 shards (relay sharding), each listed at most
// twice with a 5-byte varint and tag.
inline constexpr std::size_t kMaxMetadataShards = 1024;
inline constexpr std::size_t kMaxMetadataBytes = 16384;

struct WakuMetadata {
  std::optional<std::uint32_t> cluster_id;
  std::vector<std::uint32_t> shards;
  friend bool operator==(const WakuMetadata&, const WakuMetadata&) = default;
};

// The body (no length prefix), request and response alike.
Bytes encode_metadata(const WakuMetadata& metadata);

// Errors: body over kMaxMetadataBytes (kTooLarge), not a protobuf message (kDecode), more than
// kMaxMetadataShards shards in either field (kLimitExceeded). Shards are returned in wire order,
// duplicates kept.
Result<WakuMetadata> decode_metadata(ByteView body);

}  // namespace waku::codec
