#include "waku/codec/protobuf_walk.hpp"

#include "waku/base/varint.hpp"

namespace waku::codec {

std::optional<WireField> next_wire_field(ByteView& input) {
  constexpr std::uint64_t kMaxFieldNumber = (std::uint64_t{1} << 29U) - 1;
  const ByteView start = input;
  const auto key = decode_uvarint(input);
  if (!key) return std::nullopt;
  WireField field;
  const std::uint64_t number = key->value >> 3U;
  if (number == 0 || number > kMaxFieldNumber) return std::nullopt;
  field.number = static_cast<std::uint32_t>(number);
  field.wire_type = static_cast<std::uint8_t>(key->value & 7U);
  ByteView rest = input.subspan(key->length);
  std::size_t value_offset = 0;  // of the value within rest (past a length prefix)
  std::size_t value_size = 0;
  switch (field.wire_type) {
    case 0: {
      const auto value = decode_uvarint(rest);
      if (!value) return std::nullopt;
      value_size = value->length;
      break;
    }
    case 1: value_size = 8; break;
    case kWireLengthDelimited: {
      const auto length = decode_uvarint(rest);
      if (!length || length->value > rest.size() - length->length) return std::nullopt;
      value_offset = length->length;
      value_size = static_cast<std::size_t>(length->value);
      break;
    }
    case 5: value_size = 4; break;
    default: return std::nullopt;
  }
  if (value_offset + value_size > rest.size()) return std::nullopt;
  field.value = rest.subspan(value_offset, value_size);
  const std::size_t whole_size = key->length + value_offset + value_size;
  field.whole = start.first(whole_size);
  input = start.subspan(whole_size);
  return field;
}

}  // namespace waku::codec
