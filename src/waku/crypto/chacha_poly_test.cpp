#include "waku/crypto/chacha_poly.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

Bytes32 key_of(const Bytes& bytes) {
  Bytes32 key{};
  EXPECT_EQ(bytes.size(), key.size());
  std::memcpy(key.data(), bytes.data(), std::min(bytes.size(), key.size()));
  return key;
}

ChaChaPolyNonce nonce_of(const Bytes& bytes) {
  ChaChaPolyNonce nonce{};
  EXPECT_EQ(bytes.size(), nonce.size());
  std::memcpy(nonce.data(), bytes.data(), std::min(bytes.size(), nonce.size()));
  return nonce;
}

// RFC 8439 §2.8.2.
const char* const kSunscreen =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
    "sunscreen would be it.";
const char* const kSunscreenSealed =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da927"
    "28b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b48"
    "31d7bc3ff4def08e4b7a9de576d26586cec64b6116"
    "1ae10b594f09e26a7e902ecbd0600691";

TEST(ChaChaPoly, Rfc8439AeadVector) {
  ChaChaPoly aead(key_of(hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")));
  const auto nonce = nonce_of(hex("070000004041424344454647"));
  const Bytes ad = hex("50515253c0c1c2c3c4c5c6c7");
  const Bytes plaintext = to_bytes(kSunscreen);
  Bytes sealed(plaintext.size() + kChaChaPolyTagSize);
  aead.seal(nonce, ad, plaintext, sealed);
  EXPECT_EQ(to_hex(sealed), kSunscreenSealed);

  Bytes opened(plaintext.size());
  ASSERT_TRUE(aead.open(nonce, ad, sealed, opened));
  EXPECT_EQ(opened, plaintext);

  // The same context serves further operations (it is reused across frames): seal again, in place.
  Bytes in_place = plaintext;
  in_place.resize(plaintext.size() + kChaChaPolyTagSize);
  aead.seal(nonce, ad, ByteView(in_place).first(plaintext.size()), in_place);
  EXPECT_EQ(to_hex(in_place), kSunscreenSealed);
  ASSERT_TRUE(aead.open(nonce, ad, in_place, std::span(in_place).first(plaintext.size())));
  EXPECT_EQ(
      Bytes(in_place.begin(), in_place.begin() + static_cast<std::ptrdiff_t>(plaintext.size())),
      plaintext);
}

TEST(ChaChaPoly, TamperingIsDetected) {
  ChaChaPoly aead(key_of(hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")));
  const auto nonce = nonce_of(hex("070000004041424344454647"));
  const Bytes ad = hex("50515253c0c1c2c3c4c5c6c7");
  const Bytes sealed = hex(kSunscreenSealed);
  Bytes out(sealed.size() - kChaChaPolyTagSize);
  for (const std::size_t index : {std::size_t{0}, sealed.size() / 2, sealed.size() - 1}) {
    Bytes bad = sealed;
    bad[index] ^= 0x01U;
    EXPECT_FALSE(aead.open(nonce, ad, bad, out)) << index;
  }
  Bytes bad_ad = ad;
  bad_ad[0] ^= 0x01U;
  EXPECT_FALSE(aead.open(nonce, bad_ad, sealed, out));
  EXPECT_FALSE(aead.open(ChaChaPoly::noise_nonce(0), ad, sealed, out));
  // A failure leaves the context usable.
  EXPECT_TRUE(aead.open(nonce, ad, sealed, out));
  EXPECT_EQ(out, to_bytes(kSunscreen));
}

TEST(ChaChaPoly, EmptyPlaintextIsJustATag) {
  ChaChaPoly aead(Bytes32{});
  Bytes sealed(kChaChaPolyTagSize);
  aead.seal(ChaChaPoly::noise_nonce(0), {}, {}, sealed);
  Bytes opened;
  EXPECT_TRUE(aead.open(ChaChaPoly::noise_nonce(0), {}, sealed, opened));
  EXPECT_FALSE(aead.open(ChaChaPoly::noise_nonce(1), {}, sealed, opened));
}

TEST(ChaChaPoly, NoiseNonceIsLittleEndianAfterFourZeroBytes) {
  EXPECT_EQ(to_hex(ChaChaPoly::noise_nonce(0)), "000000000000000000000000");
  EXPECT_EQ(to_hex(ChaChaPoly::noise_nonce(1)), "000000000100000000000000");
  EXPECT_EQ(to_hex(ChaChaPoly::noise_nonce(0x0102030405060708ULL)), "000000000807060504030201");
}

}  // namespace
}  // namespace waku::crypto
