// Fuzzes the Waku metadata decoder: whatever decodes stays within the shard bound, and its
// nwaku-style re-encoding (shards written twice) decodes to the same value and is stable.
#include <cstddef>
#include <cstdint>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/codec/metadata_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace codec = waku::codec;
  const auto decoded = codec::decode_metadata(waku::ByteView(data, size));
  if (!decoded) return 0;
  WAKU_ASSERT(decoded->shards.size() <= codec::kMaxMetadataShards);
  const waku::Bytes encoded = codec::encode_metadata(*decoded);
  WAKU_ASSERT(encoded.size() <= codec::kMaxMetadataBytes);
  const auto again = codec::decode_metadata(encoded);
  WAKU_ASSERT(again.has_value() && *again == *decoded);
  WAKU_ASSERT(codec::encode_metadata(*again) == encoded);
  return 0;
}
