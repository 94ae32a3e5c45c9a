// Fuzzes the incremental length-prefixed reader against a one-shot reference parse of the same
// stream: whatever the chunking and however lazily frames are drained, the reader must yield the
// same frames and end in the same state (waiting or the same error). Input layout: byte 0 selects
// max_frame_bytes, byte 1 seeds the chunking, the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/rng.hpp"
#include "waku/base/varint.hpp"
#include "waku/codec/length_prefixed.hpp"

namespace {

struct Parsed {
  std::vector<waku::Bytes> frames;
  std::optional<waku::Errc> error;
  std::size_t leftover = 0;  // bytes of an incomplete last frame
};

Parsed reference_parse(waku::ByteView stream, std::size_t max_frame_bytes) {
  Parsed out;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    auto length = waku::decode_uvarint(stream.subspan(pos));
    if (!length) {
      if (length.error().code != waku::Errc::kTruncated) out.error = waku::Errc::kBadEncoding;
      break;
    }
    if (length->value > max_frame_bytes) {
      out.error = waku::Errc::kTooLarge;
      break;
    }
    const auto frame_size = static_cast<std::size_t>(length->value);
    if (stream.size() - pos - length->length < frame_size) break;
    const auto frame = stream.subspan(pos + length->length, frame_size);
    out.frames.emplace_back(frame.begin(), frame.end());
    pos += length->length + frame_size;
  }
  out.leftover = out.error ? 0 : stream.size() - pos;
  return out;
}

// Drains the reader; returns false once it reports an error.
bool drain(waku::codec::LengthPrefixedReader& reader, Parsed& got) {
  while (auto next = reader.next()) {
    if (!next->has_value()) {
      got.error = next->error().code;
      return false;
    }
    got.frames.push_back(std::move(*next).value());
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // 0..255, and now and then the full range.
  const std::size_t max_frame_bytes = data[0] == 0xff ? ~std::size_t{0} : data[0];
  waku::Rng rng(data[1]);
  const waku::ByteView stream(data + 2, size - 2);

  const Parsed expected = reference_parse(stream, max_frame_bytes);

  waku::codec::LengthPrefixedReader reader(max_frame_bytes);
  Parsed got;
  std::size_t pos = 0;
  bool ok = true;
  while (pos < stream.size() && ok) {
    const std::size_t chunk =
        1 + static_cast<std::size_t>(rng.uniform(rng.bernoulli(0.2) ? 300 : 8));
    const std::size_t take = chunk < stream.size() - pos ? chunk : stream.size() - pos;
    reader.feed(stream.subspan(pos, take));
    pos += take;
    WAKU_ASSERT(reader.buffered_bytes() <= pos);
    if (rng.bernoulli(0.7)) ok = drain(reader, got);
  }
  if (ok) ok = drain(reader, got);

  WAKU_ASSERT(got.frames == expected.frames);
  WAKU_ASSERT(got.error == expected.error);
  WAKU_ASSERT(reader.failed() == expected.error.has_value());
  WAKU_ASSERT(reader.buffered_bytes() == expected.leftover);
  for (const auto& frame : got.frames) WAKU_ASSERT(frame.size() <= max_frame_bytes);
  return 0;
}
