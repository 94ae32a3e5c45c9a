#include "waku/codec/length_prefixed.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace waku::codec {
namespace {

Bytes filled(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// Drains every complete frame; stops at nullopt or an error (returned through `error`).
std::vector<Bytes> drain(LengthPrefixedReader& reader, std::optional<Error>* error = nullptr) {
  std::vector<Bytes> frames;
  while (auto next = reader.next()) {
    if (!next->has_value()) {
      if (error != nullptr) *error = next->error();
      break;
    }
    frames.push_back(std::move(*next).value());
  }
  return frames;
}

TEST(LengthPrefixed, AppendsUvarintLengthThenFrame) {
  Bytes out;
  append_length_prefixed(out, Bytes{0xaa, 0xbb});
  EXPECT_EQ(out, (Bytes{0x02, 0xaa, 0xbb}));
  append_length_prefixed(out, Bytes{});
  EXPECT_EQ(out, (Bytes{0x02, 0xaa, 0xbb, 0x00}));

  Bytes big_out;
  const Bytes big = filled(300, 0);
  append_length_prefixed(big_out, big);
  ASSERT_EQ(big_out.size(), 302U);
  EXPECT_EQ(big_out[0], 0xac);  // 300 = 0b10_0101100
  EXPECT_EQ(big_out[1], 0x02);
  EXPECT_EQ(length_prefixed_size(300), 302U);
  EXPECT_EQ(length_prefixed_size(127), 128U);
  EXPECT_EQ(length_prefixed_size(128), 130U);
}

TEST(LengthPrefixed, ReassemblesFramesSplitAtEveryByteBoundary) {
  const std::vector<Bytes> frames = {filled(3, 1), {}, filled(200, 7), filled(1, 9)};
  Bytes stream;
  for (const auto& f : frames) append_length_prefixed(stream, f);

  // Every pair of cut points: three feeds of any sizes.
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); b += 7) {
      LengthPrefixedReader reader(1024);
      std::vector<Bytes> got;
      const ByteView view(stream);
      for (const auto& part : {view.subspan(0, a), view.subspan(a, b - a), view.subspan(b)}) {
        reader.feed(part);
        for (auto& f : drain(reader)) got.push_back(std::move(f));
      }
      ASSERT_EQ(got, frames) << "cuts at " << a << ", " << b;
      EXPECT_EQ(reader.buffered_bytes(), 0U);
    }
  }

  // One byte at a time.
  LengthPrefixedReader reader(1024);
  std::vector<Bytes> got;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    reader.feed(ByteView(stream).subspan(i, 1));
    for (auto& f : drain(reader)) got.push_back(std::move(f));
  }
  EXPECT_EQ(got, frames);
}

TEST(LengthPrefixed, PartialFrameWaitsAndIsBuffered) {
  LengthPrefixedReader reader(1024);
  reader.feed(Bytes{0x04, 0x01, 0x02});
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_EQ(reader.buffered_bytes(), 3U);
  reader.feed(Bytes{0x03, 0x04, 0x01});
  auto frame = reader.next();
  ASSERT_TRUE(frame.has_value());
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ(frame->value(), (Bytes{0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(reader.buffered_bytes(), 1U);  // the start of the next frame
  EXPECT_FALSE(reader.next().has_value());
}

TEST(LengthPrefixed, RejectsOversizeLengthWithoutWaitingOrAllocating) {
  LengthPrefixedReader reader(1000);
  // 1001 announced; not one byte of the body has arrived.
  reader.feed(Bytes{0xe9, 0x07});
  auto next = reader.next();
  ASSERT_TRUE(next.has_value());
  ASSERT_FALSE(next->has_value());
  EXPECT_EQ(next->error().code, Errc::kTooLarge);
  EXPECT_EQ(reader.buffered_bytes(), 0U);
  EXPECT_TRUE(reader.failed());

  // Sticky: later bytes are discarded and the error repeats.
  reader.feed(Bytes{0x01, 0x00});
  EXPECT_EQ(reader.buffered_bytes(), 0U);
  next = reader.next();
  ASSERT_TRUE(next.has_value());
  ASSERT_FALSE(next->has_value());
  EXPECT_EQ(next->error().code, Errc::kTooLarge);

  // 2^63 announced: rejected, nothing of that size is ever reserved (ASan would notice).
  LengthPrefixedReader huge(1000);
  huge.feed(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  std::optional<Error> error;
  EXPECT_TRUE(drain(huge, &error).empty());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, Errc::kTooLarge);

  // Exactly the maximum is fine.
  LengthPrefixedReader exact(3);
  exact.feed(Bytes{0x03, 0x0a, 0x0b, 0x0c});
  EXPECT_EQ(drain(exact), std::vector<Bytes>{(Bytes{0x0a, 0x0b, 0x0c})});
}

TEST(LengthPrefixed, TruncatedVarintWaits) {
  LengthPrefixedReader reader(1U << 20U);
  reader.feed(Bytes{0x80});
  EXPECT_FALSE(reader.next().has_value());
  reader.feed(Bytes{0x81});
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_FALSE(reader.failed());
  reader.feed(Bytes{0x00});  // 0x80 0x81 0x00: non-minimal (a trailing zero group)
  auto next = reader.next();
  ASSERT_TRUE(next.has_value());
  ASSERT_FALSE(next->has_value());
  EXPECT_EQ(next->error().code, Errc::kBadEncoding);

  // 0x80 0x01 = 128: waits for the 128 bytes, then yields them.
  LengthPrefixedReader second(1U << 20U);
  second.feed(Bytes{0x80});
  EXPECT_FALSE(second.next().has_value());
  second.feed(Bytes{0x01});
  EXPECT_FALSE(second.next().has_value());
  second.feed(filled(128, 0));
  EXPECT_EQ(drain(second), std::vector<Bytes>{filled(128, 0)});
}

TEST(LengthPrefixed, TenByteVarintOverflowIsAnError) {
  // Ten continuation-flagged bytes can never end a 64-bit varint.
  LengthPrefixedReader reader(std::numeric_limits<std::size_t>::max());
  for (int i = 0; i < 9; ++i) {
    reader.feed(Bytes{0xff});
    EXPECT_FALSE(reader.next().has_value()) << i;
  }
  reader.feed(Bytes{0xff});
  auto next = reader.next();
  ASSERT_TRUE(next.has_value());
  ASSERT_FALSE(next->has_value());
  EXPECT_EQ(next->error().code, Errc::kBadEncoding);

  // A tenth byte above 1 overflows 64 bits.
  LengthPrefixedReader overflow(std::numeric_limits<std::size_t>::max());
  overflow.feed(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  std::optional<Error> error;
  EXPECT_TRUE(drain(overflow, &error).empty());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, Errc::kBadEncoding);
}

TEST(LengthPrefixed, ManyFramesInOneFeed) {
  Bytes stream;
  std::vector<Bytes> frames;
  for (std::size_t i = 0; i < 1000; ++i) {
    frames.push_back(filled(i % 17, static_cast<std::uint8_t>(i)));
    append_length_prefixed(stream, frames.back());
  }
  stream.push_back(0x05);  // the start of one more
  LengthPrefixedReader reader(64);
  reader.feed(stream);
  EXPECT_EQ(drain(reader), frames);
  EXPECT_EQ(reader.buffered_bytes(), 1U);
  reader.feed(filled(5, 0));
  EXPECT_EQ(drain(reader), std::vector<Bytes>{filled(5, 0)});
  EXPECT_EQ(reader.buffered_bytes(), 0U);
}

TEST(LengthPrefixed, ViewsStayValidUntilTheNextFeed) {
  Bytes stream;
  append_length_prefixed(stream, filled(3, 10));
  append_length_prefixed(stream, filled(4, 20));
  stream.push_back(0x02);  // a third frame, cut short
  LengthPrefixedReader reader(64);
  reader.feed(stream);
  auto first = reader.next_view();
  auto second = reader.next_view();
  ASSERT_TRUE(first && *first && second && *second);
  EXPECT_FALSE(reader.next_view());  // the third waits
  // Both views still read their frames after later calls (the buffer is compacted by feed).
  EXPECT_EQ(Bytes(first->value().begin(), first->value().end()), filled(3, 10));
  EXPECT_EQ(Bytes(second->value().begin(), second->value().end()), filled(4, 20));
  EXPECT_EQ(reader.buffered_bytes(), 1U);
  reader.feed(filled(2, 30));
  EXPECT_EQ(drain(reader), std::vector<Bytes>{filled(2, 30)});

  LengthPrefixedReader failing(4);
  failing.feed(filled(1, 9));  // a length of 9 > 4
  auto error = failing.next_view();
  ASSERT_TRUE(error.has_value());
  EXPECT_FALSE(error->has_value());
  EXPECT_EQ(error->error().code, Errc::kTooLarge);
}

}  // namespace
}  // namespace waku::codec
