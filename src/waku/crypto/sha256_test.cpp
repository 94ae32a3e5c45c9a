#include "waku/crypto/sha256.hpp"

#include <gtest/gtest.h>

namespace waku::crypto {
namespace {

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256(ByteView{})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalMatchesOneShot) {
  Sha256 hasher;
  hasher.update("a").update(ByteView{}).update("bc");
  EXPECT_EQ(hasher.finish(), sha256(as_bytes("abc")));
}

}  // namespace
}  // namespace waku::crypto
