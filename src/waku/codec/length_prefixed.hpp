// Unsigned-varint length-prefixed frames, the framing of every libp2p and Waku stream protocol
// (gossipsub RPCs, store/lightpush/filter requests and responses, identify, ...).
//
// The reader is incremental because a byte stream arrives in arbitrary chunks (Noise frames,
// yamux windows, TCP segments), and defensive because the length comes from the peer: a length
// above the configured maximum is a sticky error before any byte of the frame is buffered, so a
// peer cannot make us allocate what it announces, only what it actually sends. Length varints
// must be minimal (multiformats unsigned-varint); no libp2p implementation writes them otherwise.
#pragma once

#include <cstddef>
#include <optional>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::codec {

// Appends uvarint(frame.size()) followed by the frame.
void append_length_prefixed(Bytes& out, ByteView frame);

// Bytes a frame of `frame_size` bytes occupies on the stream, prefix included (the simulator
// counts bytes this way).
std::size_t length_prefixed_size(std::size_t frame_size);

// Incremental reader for a byte stream: feed() any chunking; next() yields complete frames in
// order. The host should drain next() after each feed(): bytes are buffered until consumed.
class LengthPrefixedReader {
 public:
  explicit LengthPrefixedReader(std::size_t max_frame_bytes);

  // Bytes after an error are discarded (the stream must be reset anyway).
  void feed(ByteView bytes);
  // The same, taking `bytes` over instead of copying them when nothing is buffered (the common
  // case: stream data that ends at a frame boundary).
  void feed(Bytes&& bytes);

  // nullopt: need more bytes; a value: the next frame; an error: a length above
  // max_frame_bytes (kTooLarge) or a malformed length varint (kBadEncoding). Errors are sticky.
  std::optional<Result<Bytes>> next();
  // The same, without copying: the frame is a view into the reader's buffer, valid until the
  // next feed() (next_view() and next() leave earlier frames in place).
  std::optional<Result<ByteView>> next_view();

  // Fed bytes not yet returned as frames.
  [[nodiscard]] std::size_t buffered_bytes() const { return buffer_.size() - offset_; }
  [[nodiscard]] bool failed() const { return error_.has_value(); }

 private:
  std::size_t max_frame_bytes_;
  Bytes buffer_;
  std::size_t offset_{0};  // start of the unconsumed bytes in buffer_
  std::optional<Error> error_;
};

}  // namespace waku::codec
