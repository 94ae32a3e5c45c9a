// Byte buffers: owned bytes, read-only views, and shared immutable payloads.
//
// A relayed message is received by thousands of simulated nodes and queued for many peers in the
// real node; SharedBytes lets every holder point at one immutable buffer instead of copying it.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/result.hpp"

namespace waku {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Bytes32 = std::array<std::uint8_t, 32>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string_view as_chars(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline Bytes to_bytes(std::string_view text) {
  const auto view = as_bytes(text);
  return {view.begin(), view.end()};
}

// Lower-case hex without a prefix.
std::string to_hex(ByteView bytes);
// Accepts upper or lower case and an optional "0x" prefix; rejects odd lengths and non-hex.
Result<Bytes> from_hex(std::string_view text);

// An immutable byte buffer shared by reference count. Copying a SharedBytes copies a pointer.
class SharedBytes {
 public:
  SharedBytes() = default;
  explicit SharedBytes(Bytes bytes) {
    auto owned = std::make_shared<const Bytes>(std::move(bytes));
    view_ = *owned;
    owner_ = std::move(owned);
  }
  // One allocation holds the count and the bytes (moving a Bytes in costs two): every received
  // message's data is copied out of its frame this way.
  static SharedBytes copy_of(ByteView bytes) {
    SharedBytes out;
    if (bytes.empty()) return out;
    auto buffer = std::make_shared_for_overwrite<std::uint8_t[]>(bytes.size());
    std::memcpy(buffer.get(), bytes.data(), bytes.size());
    out.view_ = ByteView(buffer.get(), bytes.size());
    out.owner_ = std::move(buffer);
    return out;
  }

  [[nodiscard]] ByteView view() const { return view_; }
  [[nodiscard]] const std::uint8_t* data() const { return view_.data(); }
  [[nodiscard]] std::size_t size() const { return view_.size(); }
  [[nodiscard]] bool empty() const { return view_.empty(); }
  operator ByteView() const { return view_; }  // NOLINT: a view of shared bytes is always safe

  friend bool operator==(const SharedBytes& a, const SharedBytes& b) {
    return std::ranges::equal(a.view_, b.view_);
  }

 private:
  std::shared_ptr<const void> owner_;  // a Bytes or an array; keeps view_'s bytes alive
  ByteView view_;
};

// Read-only bytes that are owned or a slice of a SharedBytes buffer. A WakuMessage's payload is
// one: a received message's payload is a slice of the encoded message it arrived in, which the
// relay keeps for forwarding anyway, instead of a second copy. Copying shares the buffer.
class SharedSlice {
 public:
  SharedSlice() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): owned bytes are their own whole slice
  SharedSlice(Bytes bytes) : owner_(std::move(bytes)), view_(owner_.view()) {}
  // `part` must lie within `owner`'s bytes.
  SharedSlice(SharedBytes owner, ByteView part) : owner_(std::move(owner)), view_(part) {}

  [[nodiscard]] ByteView view() const { return view_; }
  [[nodiscard]] const std::uint8_t* data() const { return view_.data(); }
  [[nodiscard]] std::size_t size() const { return view_.size(); }
  [[nodiscard]] bool empty() const { return view_.empty(); }
  [[nodiscard]] auto begin() const { return view_.begin(); }
  [[nodiscard]] auto end() const { return view_.end(); }
  [[nodiscard]] std::uint8_t operator[](std::size_t i) const { return view_[i]; }
  operator ByteView() const { return view_; }  // NOLINT: the slice keeps its buffer alive
  [[nodiscard]] Bytes to_bytes() const { return {view_.begin(), view_.end()}; }

  friend bool operator==(const SharedSlice& a, const SharedSlice& b) {
    return std::ranges::equal(a.view_, b.view_);
  }
  friend bool operator==(const SharedSlice& a, const Bytes& b) {
    return std::ranges::equal(a.view_, b);
  }

 private:
  SharedBytes owner_;  // empty for an empty slice
  ByteView view_;      // points into owner_'s buffer, which does not move with owner_
};

// Big-endian helpers for the fixed-width integers that hashes and wire formats use.
inline void append_u64_be(Bytes& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> static_cast<unsigned>(shift)));
  }
}
inline std::array<std::uint8_t, 8> u64_be(std::uint64_t value) {
  std::array<std::uint8_t, 8> out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (56U - 8U * i));
  }
  return out;
}
inline std::array<std::uint8_t, 8> u64_le(std::uint64_t value) {
  std::array<std::uint8_t, 8> out{};
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8U * i));
  return out;
}
// The first 8 bytes as a big-endian integer (fewer when `bytes` is shorter). Hashes message ids
// on hot paths, hence the single load.
inline std::uint64_t load_u64_be(ByteView bytes) {
  std::uint64_t value = 0;
  if (bytes.size() >= 8) {
    std::memcpy(&value, bytes.data(), 8);
    if constexpr (std::endian::native == std::endian::little) value = __builtin_bswap64(value);
    return value;
  }
  for (const std::uint8_t byte : bytes) value = (value << 8U) | byte;
  return value;
}

}  // namespace waku
