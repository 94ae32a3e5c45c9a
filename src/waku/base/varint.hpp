// Unsigned LEB128 varints, as protobuf and the multiformats (multihash, multicodec, CID) use them.
//
// The decoder is strict because multiformats requires minimal encodings: a peer id or CID that
// could be spelled two ways would break equality and map keys. It never reads past 10 bytes, so
// it is safe on any peer-controlled input.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku {

// The longest encoding of a 64-bit value.
inline constexpr std::size_t kUvarintMaxBytes = 10;

void append_uvarint(Bytes& out, std::uint64_t value);

// Inline and branch-free: protobuf size computations call it for every field, mostly with
// constant tags the compiler then folds away.
constexpr std::size_t uvarint_size(std::uint64_t value) {
  // 7 bits per byte; zero takes one byte like the values up to 127.
  return (static_cast<std::size_t>(std::bit_width(value | 1U)) + 6) / 7;
}

struct UvarintDecoded {
  std::uint64_t value;
  std::size_t length;  // bytes consumed from the front of the input
};

// Decodes from the front of `in`. Errors: kTruncated when the input ends inside the varint;
// kBadEncoding for more than 10 bytes, a value above 2^64-1, or a non-minimal encoding (a
// trailing 0x00 group, e.g. 0x80 0x00 for zero).
Result<UvarintDecoded> decode_uvarint(ByteView in);

}  // namespace waku
