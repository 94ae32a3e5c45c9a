// base58btc and base32 (RFC 4648, lower case, no padding): the text encodings of peer ids and CIDs.
//
// Legacy peer ids ("12D3KooW...", "16Uiu2H...", "Qm...") are raw base58btc of the multihash; CIDv1
// peer ids are multibase base32 ("b..."). Both decoders are strict (one spelling per byte string)
// so that text forms of a peer id round-trip exactly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::crypto {

// base58 conversion is quadratic in the length; longer inputs are refused with kTooLarge. Far
// more than any multihash or CID needs (a sha2-512 CID is under 100 characters).
inline constexpr std::size_t kBase58MaxTextSize = 1024;

// Bitcoin alphabet; each leading zero byte is one leading '1'.
std::string base58btc_encode(ByteView bytes);
// Rejects characters outside the alphabet (including whitespace) and inputs longer than
// kBase58MaxTextSize.
Result<Bytes> base58btc_decode(std::string_view text);

// RFC 4648 base32, alphabet "abcdefghijklmnopqrstuvwxyz234567", no padding.
std::string base32_encode(ByteView bytes);
// Lower case only, no padding; rejects impossible lengths (1, 3 or 6 characters left over) and
// non-zero unused trailing bits, so only the canonical encoding is accepted.
Result<Bytes> base32_decode(std::string_view text);

}  // namespace waku::crypto
