#include "waku/crypto/peer_id.hpp"

#include <gtest/gtest.h>

#include <map>
#include <unordered_set>

#include "waku/base/varint.hpp"
#include "waku/crypto/multibase.hpp"
#include "waku/crypto/sha256.hpp"

namespace waku::crypto {
namespace {

Bytes hex(std::string_view text) { return waku::from_hex(text).value(); }

// libp2p-wire.md §A1 computed vectors.
TEST(PeerId, Secp256k1VectorFromPrivateKey) {
  const auto key = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  const Bytes compressed = key.public_key().compressed();
  EXPECT_EQ(to_hex(encode_public_key(KeyType::kSecp256k1, compressed)),
            "08021221034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
  const PeerId id = PeerId::from_secp256k1(key.public_key());
  EXPECT_EQ(id, PeerId::from_public_key(KeyType::kSecp256k1, compressed));
  EXPECT_EQ(id.to_string(), "16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3");
  EXPECT_EQ(PeerId::parse("16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3").value(), id);
  const auto inline_key = id.public_key();
  ASSERT_TRUE(inline_key.has_value());
  EXPECT_EQ(inline_key->type, KeyType::kSecp256k1);
  EXPECT_EQ(inline_key->data, compressed);
}

TEST(PeerId, Ed25519VectorFromSeed) {
  const auto key = Ed25519PrivateKey::from_seed(Bytes(32, 0x22)).value();
  const auto& raw = key.public_key().bytes();
  EXPECT_EQ(to_hex(encode_public_key(KeyType::kEd25519, raw)),
            "08011220a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0");
  const PeerId id = PeerId::from_ed25519(key.public_key());
  EXPECT_EQ(id.to_string(), "12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns");
  EXPECT_EQ(PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns").value(), id);
  EXPECT_EQ(PeerId::parse(id.to_cid_string()).value(), id);
}

TEST(PeerId, SpecEd25519Key) {
  const Bytes protobuf =
      hex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  const auto info = decode_public_key(protobuf).value();
  EXPECT_EQ(info.type, KeyType::kEd25519);
  EXPECT_EQ(to_hex(info.data), "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  EXPECT_EQ(encode_public_key(info.type, info.data), protobuf);

  const PeerId id = PeerId::from_public_key(info.type, info.data);
  EXPECT_EQ(to_hex(id.bytes()), "0024" + to_hex(protobuf));
  EXPECT_EQ(id.to_string(), "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  EXPECT_EQ(id.to_cid_string(),
            "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
  EXPECT_EQ(
      PeerId::parse("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6").value(),
      id);
  EXPECT_EQ(PeerId::from_bytes(id.bytes()).value(), id);
  EXPECT_EQ(id.public_key().value(), info);
}

TEST(PeerId, SpecSecp256k1Key) {
  const Bytes protobuf =
      hex("08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99");
  const auto info = decode_public_key(protobuf).value();
  EXPECT_EQ(info.type, KeyType::kSecp256k1);
  const PeerId id = PeerId::from_public_key(info.type, info.data);
  EXPECT_EQ(id.to_string(), "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY");
  EXPECT_EQ(id.to_cid_string(),
            "bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte");
  EXPECT_EQ(
      PeerId::parse("bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte").value(),
      id);
  // The same key given as a private key in the spec.
  const auto key = Secp256k1PrivateKey::from_hex(
                       "53dadf1d5a164d6b4acdb15e24aa4c5b1d3461bdbd42abedb0a4404d56ced8fb")
                       .value();
  EXPECT_EQ(PeerId::from_secp256k1(key.public_key()), id);
}

TEST(PeerId, HashedPeerIdAndCidExample) {
  const auto id = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  ASSERT_EQ(id.bytes().size(), 34U);
  EXPECT_EQ(id.bytes()[0], 0x12);
  EXPECT_EQ(id.bytes()[1], 0x20);
  EXPECT_EQ(id.to_string(), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  EXPECT_EQ(id.to_cid_string(), "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  EXPECT_EQ(PeerId::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe").value(),
            id);
  EXPECT_FALSE(id.public_key().has_value());
  // The same CID in multibase base58btc ("z...").
  Bytes cid{0x01, 0x72};
  cid.insert(cid.end(), id.bytes().begin(), id.bytes().end());
  EXPECT_EQ(PeerId::parse("z" + base58btc_encode(cid)).value(), id);
}

TEST(PeerId, LargeKeysAreHashed) {
  const Bytes rsa_like(270, 0x5a);
  const PeerId id = PeerId::from_public_key(KeyType::kRsa, rsa_like);
  const Bytes32 digest = sha256(encode_public_key(KeyType::kRsa, rsa_like));
  Bytes expected{0x12, 0x20};
  expected.insert(expected.end(), digest.begin(), digest.end());
  EXPECT_EQ(id.bytes(), expected);
  EXPECT_TRUE(id.to_string().starts_with("Qm"));
  EXPECT_EQ(PeerId::parse(id.to_string()).value(), id);
  EXPECT_FALSE(id.public_key().has_value());

  // The 42-byte boundary: a 38-byte payload serialises to exactly 42 bytes and is inlined; 39
  // bytes give 43 and are hashed.
  EXPECT_EQ(PeerId::from_public_key(KeyType::kEcdsa, Bytes(38, 1)).bytes()[0], 0x00);
  EXPECT_EQ(PeerId::from_public_key(KeyType::kEcdsa, Bytes(39, 1)).bytes()[0], 0x12);
}

TEST(PeerId, ParseRejectsBadText) {
  EXPECT_EQ(PeerId::parse("").error().code, Errc::kDecode);
  EXPECT_EQ(PeerId::parse(std::string(kMaxPeerIdTextSize + 1, '1')).error().code, Errc::kTooLarge);
  // Not base58 (0, O, I, l) or truncated.
  EXPECT_FALSE(PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4N0").has_value());
  EXPECT_FALSE(PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4N").has_value());
  EXPECT_FALSE(PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5").has_value());
  EXPECT_FALSE(PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns ").has_value());
  // Upper-case base32 and unknown multibase prefixes are not accepted.
  EXPECT_EQ(PeerId::parse("BAFZAAJAIAEJCAHWR5D5OFRFBIS4L5D6UWR57HU5TJODRYPFM6YAQ6DSC2R2PZYT6")
                .error()
                .code,
            Errc::kUnsupported);
  EXPECT_EQ(PeerId::parse("fzzz").error().code, Errc::kUnsupported);
  // A CIDv1 with the dag-pb codec (0x70) instead of libp2p-key.
  const auto hashed = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  Bytes dag_pb{0x01, 0x70};
  dag_pb.insert(dag_pb.end(), hashed.bytes().begin(), hashed.bytes().end());
  EXPECT_EQ(PeerId::parse("b" + base32_encode(dag_pb)).error().code, Errc::kUnsupported);
  // CID version 2.
  Bytes v2{0x02, 0x72};
  v2.insert(v2.end(), hashed.bytes().begin(), hashed.bytes().end());
  EXPECT_EQ(PeerId::parse("b" + base32_encode(v2)).error().code, Errc::kUnsupported);
}

TEST(PeerId, FromBytesValidatesTheMultihash) {
  const auto id = PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns").value();
  const Bytes& good = id.bytes();
  EXPECT_EQ(PeerId::from_bytes(good).value(), id);

  EXPECT_EQ(PeerId::from_bytes(Bytes{}).error().code, Errc::kTruncated);
  EXPECT_EQ(PeerId::from_bytes(ByteView(good).first(good.size() - 1)).error().code,
            Errc::kTruncated);
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_EQ(PeerId::from_bytes(trailing).error().code, Errc::kDecode);
  // sha2-512 (0x13) and a sha2-256 digest of the wrong size.
  Bytes sha512{0x13, 0x40};
  sha512.resize(2 + 64, 0xab);
  EXPECT_EQ(PeerId::from_bytes(sha512).error().code, Errc::kUnsupported);
  Bytes short_sha256{0x12, 0x10};
  short_sha256.resize(2 + 16, 0xab);
  EXPECT_EQ(PeerId::from_bytes(short_sha256).error().code, Errc::kBadEncoding);
  // Identity multihash whose content is not a valid key, or is too long to have been inlined.
  Bytes garbage{0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
  EXPECT_FALSE(PeerId::from_bytes(garbage).has_value());
  Bytes long_identity{0x00, 43};
  const Bytes ecdsa = encode_public_key(KeyType::kEcdsa, Bytes(39, 1));
  ASSERT_EQ(ecdsa.size(), 43U);
  long_identity.insert(long_identity.end(), ecdsa.begin(), ecdsa.end());
  EXPECT_EQ(PeerId::from_bytes(long_identity).error().code, Errc::kTooLarge);
  // Non-minimal length varint (0x80 0x00 style).
  Bytes non_minimal{0x00, 0xa4, 0x00};
  non_minimal.insert(non_minimal.end(), good.begin() + 2, good.end());
  EXPECT_EQ(PeerId::from_bytes(non_minimal).error().code, Errc::kBadEncoding);
}

TEST(PublicKeyProtobuf, DecodeIsStrict) {
  const Bytes ed = hex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  ASSERT_TRUE(decode_public_key(ed).has_value());

  EXPECT_EQ(decode_public_key(Bytes{}).error().code, Errc::kTruncated);
  // Unknown key type 4.
  Bytes unknown = ed;
  unknown[1] = 0x04;
  EXPECT_EQ(decode_public_key(unknown).error().code, Errc::kUnsupported);
  // Fields in the wrong order.
  Bytes swapped{0x12, 0x20};
  swapped.insert(swapped.end(), ed.begin() + 4, ed.end());
  swapped.push_back(0x08);
  swapped.push_back(0x01);
  EXPECT_EQ(decode_public_key(swapped).error().code, Errc::kDecode);
  // Missing Data, truncated Data, extra bytes, extra field.
  EXPECT_EQ(decode_public_key(Bytes{0x08, 0x01}).error().code, Errc::kMissingField);
  EXPECT_EQ(decode_public_key(ByteView(ed).first(ed.size() - 1)).error().code, Errc::kTruncated);
  Bytes extra = ed;
  extra.push_back(0x18);
  extra.push_back(0x01);
  EXPECT_EQ(decode_public_key(extra).error().code, Errc::kDecode);
  // Non-minimal varints for the type and for the length.
  Bytes type_non_minimal{0x08, 0x81, 0x00, 0x12, 0x20};
  type_non_minimal.insert(type_non_minimal.end(), ed.begin() + 4, ed.end());
  EXPECT_EQ(decode_public_key(type_non_minimal).error().code, Errc::kBadEncoding);
  Bytes length_non_minimal{0x08, 0x01, 0x12, 0xa0, 0x00};
  length_non_minimal.insert(length_non_minimal.end(), ed.begin() + 4, ed.end());
  EXPECT_EQ(decode_public_key(length_non_minimal).error().code, Errc::kBadEncoding);
  // Wrong key sizes for the type; an off-curve secp256k1 point.
  EXPECT_EQ(decode_public_key(encode_public_key(KeyType::kEd25519, Bytes(31, 1))).error().code,
            Errc::kBadKey);
  Bytes off_curve(33, 0x00);
  off_curve[0] = 0x02;
  off_curve[32] = 0x05;
  EXPECT_EQ(decode_public_key(encode_public_key(KeyType::kSecp256k1, off_curve)).error().code,
            Errc::kBadKey);
  // Oversized data, declared and actual.
  Bytes huge{0x08, 0x00, 0x12};
  append_uvarint(huge, kMaxPublicKeyDataSize + 1);
  EXPECT_EQ(decode_public_key(huge).error().code, Errc::kTooLarge);
  const Bytes rsa = encode_public_key(KeyType::kRsa, Bytes(300, 7));
  EXPECT_EQ(decode_public_key(rsa).value().data, Bytes(300, 7));
}

TEST(PublicKeyProtobuf, VerifiesLibp2pSignatures) {
  const auto ed = Ed25519PrivateKey::from_seed(Bytes(32, 0x22)).value();
  const PublicKeyInfo ed_info{
      KeyType::kEd25519, Bytes(ed.public_key().bytes().begin(), ed.public_key().bytes().end())};
  const auto message = as_bytes("noise-libp2p-static-key:abc");
  EXPECT_TRUE(verify_libp2p_signature(ed_info, message, ed.sign(message)));
  EXPECT_FALSE(verify_libp2p_signature(ed_info, as_bytes("other"), ed.sign(message)));

  const auto secp = Secp256k1PrivateKey::from_bytes(Bytes(32, 0x11)).value();
  const PublicKeyInfo secp_info{KeyType::kSecp256k1, secp.public_key().compressed()};
  EXPECT_TRUE(verify_libp2p_signature(secp_info, message, sign_der(secp, message)));
  EXPECT_FALSE(verify_libp2p_signature(secp_info, as_bytes("other"), sign_der(secp, message)));

  EXPECT_FALSE(verify_libp2p_signature({KeyType::kRsa, Bytes(300, 1)}, message, Bytes(256, 1)));
}

TEST(PeerId, OrderingHashAndDefault) {
  const auto a = PeerId::parse("12D3KooWLdJAwPtyQ5RFnr9wGXsQzpf3P2SeqFbYkqbfVehLu4Ns").value();
  const auto b = PeerId::parse("16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3").value();
  const auto c = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  const PeerId empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_LT(empty, a);
  // Byte order: identity (0x00 0x24 ...) < identity (0x00 0x25 ...) < sha2-256 (0x12 ...).
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  std::map<PeerId, int> ordered{{c, 3}, {a, 1}, {b, 2}};
  EXPECT_EQ(ordered.begin()->second, 1);
  std::unordered_set<PeerId> set{a, b, c, a};
  EXPECT_EQ(set.size(), 3U);
  EXPECT_NE(std::hash<PeerId>{}(a), std::hash<PeerId>{}(b));
}

}  // namespace
}  // namespace waku::crypto
