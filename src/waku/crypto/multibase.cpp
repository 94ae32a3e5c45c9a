#include "waku/crypto/multibase.hpp"

#include <array>
#include <cstdint>

namespace waku::crypto {
namespace {

constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

template <std::size_t N>
constexpr std::array<std::int8_t, 256> reverse_table(std::string_view alphabet) {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (std::size_t i = 0; i < N; ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr auto kBase58Values = reverse_table<58>(kBase58Alphabet);
constexpr auto kBase32Values = reverse_table<32>(kBase32Alphabet);

}  // namespace

std::string base58btc_encode(ByteView bytes) {
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  // Base-58 digits, least significant first. log(256)/log(58) < 1.366.
  std::vector<std::uint8_t> digits;
  digits.reserve((bytes.size() - zeros) * 138 / 100 + 1);
  for (std::size_t i = zeros; i < bytes.size(); ++i) {
    std::uint32_t carry = bytes[i];
    for (auto& digit : digits) {
      carry += static_cast<std::uint32_t>(digit) << 8U;
      digit = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string text(zeros, '1');
  text.reserve(zeros + digits.size());
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) text.push_back(kBase58Alphabet[*it]);
  return text;
}

Result<Bytes> base58btc_decode(std::string_view text) {
  if (text.size() > kBase58MaxTextSize) {
    return unexpected(Errc::kTooLarge, "base58btc: text too long");
  }
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  // Base-256 bytes, least significant first. log(58)/log(256) < 0.733.
  Bytes value;
  value.reserve((text.size() - ones) * 733 / 1000 + 1);
  for (std::size_t i = ones; i < text.size(); ++i) {
    const std::int8_t digit = kBase58Values[static_cast<unsigned char>(text[i])];
    if (digit < 0) return unexpected(Errc::kBadEncoding, "base58btc: invalid character");
    auto carry = static_cast<std::uint32_t>(static_cast<std::uint8_t>(digit));  // digit >= 0 here
    for (auto& byte : value) {
      carry += static_cast<std::uint32_t>(byte) * 58U;
      byte = static_cast<std::uint8_t>(carry & 0xffU);
      carry >>= 8U;
    }
    while (carry > 0) {
      value.push_back(static_cast<std::uint8_t>(carry & 0xffU));
      carry >>= 8U;
    }
  }
  Bytes out(ones, 0);
  out.insert(out.end(), value.rbegin(), value.rend());
  return out;
}

std::string base32_encode(ByteView bytes) {
  std::string text;
  text.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const auto byte : bytes) {
    buffer = ((buffer << 8U) | byte) & 0xfffU;  // at most 12 bits are pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text.push_back(kBase32Alphabet[(buffer >> bits) & 0x1fU]);
    }
  }
  if (bits > 0) text.push_back(kBase32Alphabet[(buffer << (5U - bits)) & 0x1fU]);
  return text;
}

Result<Bytes> base32_decode(std::string_view text) {
  // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters cannot end on a byte.
  const std::size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return unexpected(Errc::kBadEncoding, "base32: impossible length");
  }
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const std::int8_t value = kBase32Values[static_cast<unsigned char>(c)];
    if (value < 0) return unexpected(Errc::kBadEncoding, "base32: invalid character");
    buffer = ((buffer << 5U) | static_cast<std::uint32_t>(value)) & 0xfffU;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
  }
  // Fewer than 5 bits remain; the canonical encoding pads them with zeros.
  if ((buffer & ((1U << bits) - 1U)) != 0) {
    return unexpected(Errc::kBadEncoding, "base32: non-zero trailing bits");
  }
  return out;
}

}  // namespace waku::crypto
