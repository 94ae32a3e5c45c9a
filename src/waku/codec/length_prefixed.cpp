#include "waku/codec/length_prefixed.hpp"

#include "waku/base/varint.hpp"

namespace waku::codec {

void append_length_prefixed(Bytes& out, ByteView frame) {
  append_uvarint(out, frame.size());
  out.insert(out.end(), frame.begin(), frame.end());
}

std::size_t length_prefixed_size(std::size_t frame_size) {
  return uvarint_size(frame_size) + frame_size;
}

LengthPrefixedReader::LengthPrefixedReader(std::size_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes) {}

void LengthPrefixedReader::feed(ByteView bytes) {
  if (error_) return;
  // Compact once per feed, not per frame: frames consumed since the last feed are dropped from
  // the front in one move, so each buffered byte is moved at most once per frame boundary.
  if (offset_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset_));
    offset_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void LengthPrefixedReader::feed(Bytes&& bytes) {
  if (error_ || buffered_bytes() > 0) {
    feed(ByteView(bytes));
    return;
  }
  buffer_ = std::move(bytes);
  offset_ = 0;
}

std::optional<Result<Bytes>> LengthPrefixedReader::next() {
  auto frame = next_view();
  if (!frame) return std::nullopt;
  if (!*frame) return Result<Bytes>(frame->error());
  Bytes out(frame->value().begin(), frame->value().end());
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  return Result<Bytes>(std::move(out));
}

std::optional<Result<ByteView>> LengthPrefixedReader::next_view() {
  if (error_) return Result<ByteView>(*error_);
  const ByteView pending = ByteView(buffer_).subspan(offset_);
  if (pending.empty()) return std::nullopt;

  auto length = decode_uvarint(pending);
  if (!length.has_value()) {
    // A varint cut short by the chunking just waits; decode_uvarint never reports truncation
    // once 10 bytes are available, so a peer cannot stall us with an endless varint.
    if (length.error().code == Errc::kTruncated) return std::nullopt;
    error_ = make_error(Errc::kBadEncoding, "length-prefixed: malformed length varint");
  } else if (length->value > max_frame_bytes_) {
    error_ = make_error(Errc::kTooLarge, "length-prefixed: frame longer than the maximum");
  }
  if (error_) {
    buffer_.clear();
    buffer_.shrink_to_fit();
    offset_ = 0;
    return Result<ByteView>(*error_);
  }

  // length->value <= max_frame_bytes_ (a size_t), so the cast below is exact.
  const auto frame_size = static_cast<std::size_t>(length->value);
  if (pending.size() - length->length < frame_size) return std::nullopt;
  offset_ += length->length + frame_size;
  // The consumed bytes stay in the buffer until the next feed() compacts it.
  return Result<ByteView>(pending.subspan(length->length, frame_size));
}

}  // namespace waku::codec
