#include "waku/base/varint.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace waku {
namespace {

Bytes encode(std::uint64_t value) {
  Bytes out;
  append_uvarint(out, value);
  return out;
}

TEST(Uvarint, EncodesEdgeValues) {
  EXPECT_EQ(encode(0), (Bytes{0x00}));
  EXPECT_EQ(encode(1), (Bytes{0x01}));
  EXPECT_EQ(encode(127), (Bytes{0x7f}));
  EXPECT_EQ(encode(128), (Bytes{0x80, 0x01}));
  EXPECT_EQ(encode(300), (Bytes{0xac, 0x02}));
  EXPECT_EQ(encode(16383), (Bytes{0xff, 0x7f}));
  EXPECT_EQ(encode(16384), (Bytes{0x80, 0x80, 0x01}));
  EXPECT_EQ(encode(std::numeric_limits<std::uint64_t>::max()),
            (Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(Uvarint, SizeMatchesEncoding) {
  for (const std::uint64_t value :
       {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{16383},
        std::uint64_t{16384}, std::uint64_t{1} << 35U, std::uint64_t{1} << 63U,
        std::numeric_limits<std::uint64_t>::max()}) {
    EXPECT_EQ(uvarint_size(value), encode(value).size()) << value;
  }
  EXPECT_EQ(uvarint_size(std::numeric_limits<std::uint64_t>::max()), 10U);
}

TEST(Uvarint, DecodesEdgeValuesAndReportsLength) {
  for (const std::uint64_t value :
       {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{300},
        std::uint64_t{1} << 63U, std::numeric_limits<std::uint64_t>::max()}) {
    Bytes bytes = encode(value);
    const std::size_t length = bytes.size();
    bytes.push_back(0xaa);  // trailing data is left alone
    const auto decoded = decode_uvarint(bytes);
    ASSERT_TRUE(decoded.has_value()) << value;
    EXPECT_EQ(decoded->value, value);
    EXPECT_EQ(decoded->length, length);
  }
}

TEST(Uvarint, RejectsTruncation) {
  EXPECT_EQ(decode_uvarint(Bytes{}).error().code, Errc::kTruncated);
  EXPECT_EQ(decode_uvarint(Bytes{0x80}).error().code, Errc::kTruncated);
  EXPECT_EQ(decode_uvarint(Bytes{0xff, 0xff, 0xff}).error().code, Errc::kTruncated);
}

TEST(Uvarint, RejectsOverflowAndOverlongInput) {
  // 11 bytes: nine continuation bytes, a tenth with the continuation bit, then a terminator.
  const Bytes eleven{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01};
  EXPECT_EQ(decode_uvarint(eleven).error().code, Errc::kBadEncoding);
  // 10 bytes whose last one carries bits above 63.
  const Bytes too_big{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  EXPECT_EQ(decode_uvarint(too_big).error().code, Errc::kBadEncoding);
}

TEST(Uvarint, RejectsNonMinimal) {
  EXPECT_EQ(decode_uvarint(Bytes{0x80, 0x00}).error().code, Errc::kBadEncoding);
  EXPECT_EQ(decode_uvarint(Bytes{0xff, 0x80, 0x00}).error().code, Errc::kBadEncoding);
  EXPECT_EQ(decode_uvarint(Bytes{0x81, 0x00}).error().code, Errc::kBadEncoding);
}

}  // namespace
}  // namespace waku
