#include "waku/codec/protobuf_walk.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace waku::codec {
namespace {

// Walks `bytes` to the end; the fields, or nullopt where the walk stopped.
std::optional<std::vector<WireField>> walk(const Bytes& bytes) {
  ByteView input(bytes);
  std::vector<WireField> fields;
  while (!input.empty()) {
    auto field = next_wire_field(input);
    if (!field) return std::nullopt;
    fields.push_back(*field);
  }
  return fields;
}

TEST(ProtobufWalk, ReadsEachWireTypeItFollows) {
  const Bytes bytes{0x08, 0x96, 0x01,                        // 1: varint 150
                    0x11, 1,    2,    3,   4,   5, 6, 7, 8,  // 2: fixed64
                    0x1a, 0x03, 'a',  'b', 'c',              // 3: length-delimited "abc"
                    0x25, 9,    8,    7,   6,                // 4: fixed32
                    0x82, 0x01, 0x00};                       // 16: empty length-delimited
  const auto fields = walk(bytes);
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->size(), 5U);
  const std::vector<std::uint32_t> numbers{1, 2, 3, 4, 16};
  const std::vector<std::uint8_t> types{0, 1, 2, 5, 2};
  const std::vector<std::size_t> whole_sizes{3, 9, 5, 5, 3};
  std::size_t offset = 0;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const WireField& f = (*fields)[i];
    EXPECT_EQ(f.number, numbers[i]) << i;
    EXPECT_EQ(f.wire_type, types[i]) << i;
    EXPECT_EQ(f.whole.data(), bytes.data() + offset) << i;
    EXPECT_EQ(f.whole.size(), whole_sizes[i]) << i;
    offset += whole_sizes[i];
  }
  EXPECT_EQ((*fields)[0].value.size(), 2U);  // the varint's bytes
  EXPECT_EQ((*fields)[2].value.data(), bytes.data() + 14);
  EXPECT_EQ((*fields)[2].value.size(), 3U);
  EXPECT_TRUE((*fields)[4].value.empty());
}

TEST(ProtobufWalk, StopsWhereTheRuntimeMustJudge) {
  const std::vector<Bytes> stops = {
      {0x0b, 0x08, 0x01, 0x0c},              // a group (field 1, start ... end)
      {0x0c},                                // an end-group without a start
      {0x0e, 0x00},                          // wire type 6
      {0x0f, 0x00},                          // wire type 7
      {0x02, 0x00},                          // field number 0
      {0x8a, 0x80, 0x80, 0x80, 0x10, 0x00},  // field number 2^29 (one above the largest)
      {0x88, 0x00, 0x01},                    // a non-minimal key
      {0x08, 0x81, 0x00},                    // a non-minimal varint value
      {0x08, 0x80},                          // a truncated varint
      {0x0a, 0x03, 'a', 'b'},                // a length past the end
      {0x09, 1, 2, 3},                       // a truncated fixed64
      {0x0d, 1, 2},                          // a truncated fixed32
  };
  for (std::size_t i = 0; i < stops.size(); ++i) {
    EXPECT_FALSE(walk(stops[i]).has_value()) << i;
  }
  // The largest field number is followed.
  const auto largest = walk(Bytes{0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00});
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->at(0).number, (1U << 29U) - 1);
}

TEST(ProtobufWalk, SplitsOneFieldFromTheRest) {
  const Bytes message{0x0a, 0x01, 'a',       // 1: "a"
                      0x10, 0x05,            // 2: varint 5
                      0x0a, 0x02, 'b', 'c',  // 1: "bc"
                      0x08, 0x07,            // 1 as a varint: not length-delimited, kept
                      0x1a, 0x01, 'z'};      // 3: "z"
  std::vector<std::string> values;
  Bytes rest{0xff};  // cleared by the split
  const auto collect = [&values](ByteView value) {
    values.emplace_back(as_chars(value));
    return true;
  };
  ASSERT_TRUE(split_field(message, 1, rest, collect));
  EXPECT_EQ(values, (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(rest, (Bytes{0x10, 0x05, 0x08, 0x07, 0x1a, 0x01, 'z'}));

  // A value the caller refuses, or a field the walk does not follow, stops it.
  EXPECT_FALSE(split_field(message, 1, rest, [](ByteView) { return false; }));
  EXPECT_FALSE(split_field(Bytes{0x0a, 0x01, 'a', 0x0b, 0x0c}, 1, rest, collect));
}

}  // namespace
}  // namespace waku::codec
