#include "waku/crypto/multibase.hpp"

#include <gtest/gtest.h>

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

TEST(Base58btc, KnownVectors) {
  // draft-msporny-base58 examples and multibase test vectors.
  EXPECT_EQ(base58btc_encode(as_bytes("Hello World!")), "2NEpo7TZRRrLZSi2U");
  EXPECT_EQ(base58btc_encode(as_bytes("The quick brown fox jumps over the lazy dog.")),
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z");
  EXPECT_EQ(base58btc_encode(hex("0000287fb4cd")), "11233QC4");
  EXPECT_EQ(base58btc_encode(ByteView{}), "");
  EXPECT_EQ(base58btc_encode(hex("00")), "1");
  EXPECT_EQ(base58btc_encode(hex("0000")), "11");
  EXPECT_EQ(base58btc_encode(hex("39")), "z");
  EXPECT_EQ(base58btc_encode(hex("3a")), "21");

  EXPECT_EQ(base58btc_decode("2NEpo7TZRRrLZSi2U").value(), to_bytes("Hello World!"));
  EXPECT_EQ(base58btc_decode("11233QC4").value(), hex("0000287fb4cd"));
  EXPECT_EQ(base58btc_decode("").value(), Bytes{});
  EXPECT_EQ(base58btc_decode("111").value(), Bytes(3, 0));
}

TEST(Base58btc, RejectsInvalidInput) {
  for (const std::string_view bad : {"0", "O", "I", "l", "2NEpo7TZ RRrLZSi2U", "abc+", "\xff"}) {
    EXPECT_EQ(base58btc_decode(bad).error().code, Errc::kBadEncoding) << bad;
  }
  EXPECT_EQ(base58btc_decode(std::string(kBase58MaxTextSize + 1, '2')).error().code,
            Errc::kTooLarge);
  EXPECT_TRUE(base58btc_decode(std::string(kBase58MaxTextSize, '2')).has_value());
}

TEST(Base58btc, RoundTripsEveryLeadingZeroCount) {
  for (std::size_t zeros = 0; zeros < 4; ++zeros) {
    Bytes bytes(zeros, 0);
    for (int i = 0; i < 40; ++i) bytes.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    EXPECT_EQ(base58btc_decode(base58btc_encode(bytes)).value(), bytes);
  }
}

TEST(Base32, Rfc4648Vectors) {
  // RFC 4648 §10, lower case and without padding.
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "my"},
      {"fo", "mzxq"},
      {"foo", "mzxw6"},
      {"foob", "mzxw6yq"},
      {"fooba", "mzxw6ytb"},
      {"foobar", "mzxw6ytboi"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base32_encode(as_bytes(plain)), encoded);
    EXPECT_EQ(base32_decode(encoded).value(), to_bytes(plain)) << encoded;
  }
}

TEST(Base32, RejectsNonCanonicalInput) {
  EXPECT_EQ(base32_decode("MZXW6").error().code, Errc::kBadEncoding);   // upper case
  EXPECT_EQ(base32_decode("mzxw6=").error().code, Errc::kBadEncoding);  // padding
  EXPECT_EQ(base32_decode("mzxw1").error().code, Errc::kBadEncoding);   // '1' not in alphabet
  EXPECT_EQ(base32_decode("m").error().code, Errc::kBadEncoding);       // 1 leftover char
  EXPECT_EQ(base32_decode("mzx").error().code, Errc::kBadEncoding);     // 3 leftover chars
  EXPECT_EQ(base32_decode("mzxw6y").error().code, Errc::kBadEncoding);  // 6 leftover chars
  // "f" is "my"; "mz" carries the same byte with a non-zero unused bit.
  EXPECT_EQ(base32_decode("mz").error().code, Errc::kBadEncoding);
}

}  // namespace
}  // namespace waku::crypto
