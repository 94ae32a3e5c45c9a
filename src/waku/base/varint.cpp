#include "waku/base/varint.hpp"

namespace waku {

void append_uvarint(Bytes& out, std::uint64_t value) {
  while (value >= 0x80U) {
    out.push_back(static_cast<std::uint8_t>((value & 0x7fU) | 0x80U));
    value >>= 7U;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

Result<UvarintDecoded> decode_uvarint(ByteView in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < kUvarintMaxBytes; ++i) {
    if (i >= in.size()) return unexpected(Errc::kTruncated, "uvarint: truncated");
    const std::uint8_t byte = in[i];
    // The tenth byte holds bit 63 only; anything else overflows or continues past 10 bytes.
    if (i == kUvarintMaxBytes - 1 && byte > 1) {
      return unexpected(Errc::kBadEncoding, "uvarint: overflows 64 bits");
    }
    value |= static_cast<std::uint64_t>(byte & 0x7fU) << (7U * i);
    if ((byte & 0x80U) == 0) {
      if (byte == 0 && i > 0) return unexpected(Errc::kBadEncoding, "uvarint: not minimal");
      return UvarintDecoded{value, i + 1};
    }
  }
  WAKU_UNREACHABLE();  // the tenth byte either ends the varint or is rejected above
}

}  // namespace waku
