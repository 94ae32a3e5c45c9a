// Fuzzes the identify decoder: whatever decodes respects the documented bounds and is a fixed
// point of decode(encode(.)); re-encoding never grows the message (it drops unknown fields, the
// signed peer record, empty strings and addresses beyond the 64th).
#include <cstddef>
#include <cstdint>

#include "waku/base/assert.hpp"
#include "waku/base/bytes.hpp"
#include "waku/p2p/identify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace p2p = waku::p2p;
  const auto decoded = p2p::decode_identify(waku::ByteView(data, size));
  if (!decoded) return 0;
  WAKU_ASSERT(size <= p2p::kMaxIdentifyBytes);
  WAKU_ASSERT(decoded->listen_addrs.size() <= p2p::kMaxIdentifyListenAddrs);
  WAKU_ASSERT(decoded->protocols.size() <= p2p::kMaxIdentifyProtocols);
  for (const auto& protocol : decoded->protocols) {
    WAKU_ASSERT(protocol.size() <= p2p::kMaxProtocolIdBytes);
  }
  const waku::Bytes encoded = p2p::encode_identify(*decoded);
  WAKU_ASSERT(encoded.size() <= size);
  const auto again = p2p::decode_identify(encoded);
  WAKU_ASSERT(again.has_value() && *again == *decoded);
  WAKU_ASSERT(p2p::encode_identify(*again) == encoded);
  return 0;
}
