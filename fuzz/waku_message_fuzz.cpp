// Fuzzes the WakuMessage decoder (copying, and slicing the payload out of shared bytes) and
// everything a relay derives from a decoded message: the encode/decode round trip, the
// deterministic hash, autosharding of its content topic and the protected-shard signature check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_check.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/message_hash.hpp"
#include "waku/message/protected_shard.hpp"
#include "waku/message/topics.hpp"

namespace {

const waku::crypto::Secp256k1PublicKey& fixed_key() {
  // The 57/STATUS-SIMPLE-SCALING test-vector key.
  static const auto key = waku::crypto::Secp256k1PublicKey::from_hex(
                              "049c5fac802da41e07e6cdf51c3b9a6351ad5e65921527f2df5b7d59fd9b56ab02"
                              "bab736cdcfc37f25095e78127500da371947217a8cd5186ab890ea866211c3f6")
                              .value();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const waku::ByteView input(data, size);
  auto decoded = waku::codec::decode_waku_message(input);
  // Decoding shared bytes (the payload sliced out of them by our own field walk) agrees with the
  // copying decoder on every input: same verdict, same message.
  const waku::SharedBytes shared = waku::SharedBytes::copy_of(input);
  const auto sliced = waku::codec::decode_waku_message(shared);
  FUZZ_CHECK(sliced.has_value() == decoded.has_value());
  if (!decoded) return 0;
  FUZZ_CHECK(*sliced == *decoded);
  const waku::message::WakuMessage& message = *decoded;
  FUZZ_CHECK(!message.meta || message.meta->size() <= waku::message::kMaxMetaSizeBytes);

  // Re-encoding never grows a message (unknown fields and non-canonical varints only shrink), so
  // it decodes again, to the same struct, and is a fixed point of encode(decode(.)).
  const waku::Bytes encoded = waku::codec::encode_waku_message(message);
  FUZZ_CHECK(encoded.size() <= size);
  auto again = waku::codec::decode_waku_message(encoded);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == message);
  FUZZ_CHECK(waku::codec::encode_waku_message(*again) == encoded);

  constexpr std::string_view kTopic = "/waku/2/rs/16/128";
  const waku::Bytes32 hash = waku::message::deterministic_message_hash(kTopic, message);
  FUZZ_CHECK(waku::message::message_hash_hex(hash).size() == 66);
  FUZZ_CHECK(hash == waku::message::deterministic_message_hash(kTopic, *again));

  auto shard = waku::message::shard_for_content_topic(message.content_topic, 1, 8);
  if (shard) FUZZ_CHECK(shard->shard_id < 8);

  // Judge the message at its own timestamp and at a fixed time; neither may crash, and a random
  // message must essentially never carry a valid signature.
  const auto at_own_time = waku::message::check_signed_message(
      fixed_key(), kTopic, message, waku::UnixNanos{message.timestamp_or_zero()});
  FUZZ_CHECK(at_own_time != waku::message::SignatureCheck::kOutsideWindow);
  (void)waku::message::check_signed_message(fixed_key(), kTopic, message,
                                            waku::UnixNanos{1'700'000'000'000'000'000});
  return 0;
}
