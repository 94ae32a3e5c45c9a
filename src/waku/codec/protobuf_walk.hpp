// Walking the top-level fields of an encoded protobuf message without the protobuf runtime.
//
// A relay receives every message's bytes twice nested (the data of a gossipsub message, whose
// payload field is most of it), and the generated parser copies each bytes field into a string.
// Walking the fields instead lets a decoder take those large fields as views of its input and
// leave the rest to the runtime. The walk follows only what it checks cheaply; at anything else it
// stops, and the caller parses the whole input with the runtime, which stays the judge of every
// input the walk does not accept.
#pragma once

#include <cstdint>
#include <optional>

#include "waku/base/bytes.hpp"

namespace waku::codec {

// Wire type 2: the only one whose value the walk hands out as a view.
constexpr std::uint8_t kWireLengthDelimited = 2;

struct WireField {
  std::uint32_t number = 0;
  std::uint8_t wire_type = 0;  // 0 (varint), 1 (fixed64), 2 (length-delimited) or 5 (fixed32)
  ByteView value;              // for wire type 2 the content, otherwise the encoded value
  ByteView whole;              // the field's bytes from its key on
};

// Takes the next field from the front of `input`. nullopt (and `input` unspecified) at what the
// walk does not follow: a group (wire types 3 and 4), wire types 6 and 7, field number 0 or above
// 2^29 - 1, a varint that is not minimal, a field that runs past the end of the input.
std::optional<WireField> next_wire_field(ByteView& input);

// Walks all of `message`: the value of each length-delimited occurrence of field `number` goes to
// `on_value` (false from it stops the walk), every other field is appended whole to `rest`
// (cleared first), in order, for the runtime to parse. False if the walk or `on_value` stopped.
template <typename OnValue>
bool split_field(ByteView message, std::uint32_t number, Bytes& rest, OnValue&& on_value) {
  rest.clear();
  while (!message.empty()) {
    const auto field = next_wire_field(message);
    if (!field) return false;
    if (field->number == number && field->wire_type == kWireLengthDelimited) {
      if (!on_value(field->value)) return false;
    } else {
      rest.insert(rest.end(), field->whole.begin(), field->whole.end());
    }
  }
  return true;
}

}  // namespace waku::codec
