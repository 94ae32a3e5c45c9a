#include "waku/codec/metadata_codec.hpp"

#include <limits>

// See waku_message_codec.cpp: both include layouts of the generated files are accepted.
#if __has_include("waku_metadata.pb.h")
#include "waku_metadata.pb.h"
#else
#include "proto/waku_metadata.pb.h"
#endif

namespace waku::codec {

Bytes encode_metadata(const WakuMetadata& metadata) {
  pb::WakuMetadata proto;
  if (metadata.cluster_id) proto.set_cluster_id(*metadata.cluster_id);
  for (const auto shard : metadata.shards) {
    proto.add_shards(shard);
    proto.add_shards_packed(shard);
  }
  Bytes out(proto.ByteSizeLong());
  const bool serialized = proto.SerializeToArray(out.data(), static_cast<int>(out.size()));
  WAKU_ASSERT_MSG(serialized, "serializing a WakuMetadata message into a buffer of its own size");
  // A generated serializer omits an empty packed field; nwaku's writePacked does not. Field 3 is
  // the last field, so appending keeps field-number order and the bytes equal nwaku's.
  if (metadata.shards.empty()) {
    out.push_back(0x1a);  // field 3, wire type 2
    out.push_back(0x00);  // length 0
  }
  return out;
}

Result<WakuMetadata> decode_metadata(ByteView body) {
  static_assert(kMaxMetadataBytes <= std::numeric_limits<int>::max());
  if (body.size() > kMaxMetadataBytes) {
    return unexpected(Errc::kTooLarge, "waku metadata: longer than 16 KiB");
  }
  pb::WakuMetadata proto;
  if (!proto.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return unexpected(Errc::kDecode, "waku metadata: not a valid protobuf message");
  }
  if (static_cast<std::size_t>(proto.shards_size()) > kMaxMetadataShards ||
      static_cast<std::size_t>(proto.shards_packed_size()) > kMaxMetadataShards) {
    return unexpected(Errc::kLimitExceeded, "waku metadata: more than 1024 shards");
  }
  WakuMetadata out;
  if (proto.has_cluster_id()) out.cluster_id = proto.cluster_id();
  const auto& shards = proto.shards_packed_size() > 0 ? proto.shards_packed() : proto.shards();
  out.shards.assign(shards.begin(), shards.end());
  return out;
}

}  // namespace waku::codec
