// Fuzzes the topic parsers (content topics, relay-shard pubsub topics, --protected-shard values)
// and checks that whatever parses round-trips through its printed form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "waku/base/bytes.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/protected_shard_validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto content = waku::message::ContentTopic::parse(text);
  if (content) {
    FUZZ_CHECK(content->generation == 0);
    const std::string printed = content->to_string();
    auto reparsed = waku::message::ContentTopic::parse(printed);
    FUZZ_CHECK(reparsed.has_value() && *reparsed == *content);
    // Autosharding accepts exactly what the content-topic parser accepts.
    auto shard = waku::message::shard_for_content_topic(text, 1, 1024);
    FUZZ_CHECK(shard.has_value() && shard->shard_id <= waku::message::kMaxShardIndex);
    FUZZ_CHECK(*shard == waku::message::shard_for_content_topic(printed, 1, 1024).value());
  } else {
    FUZZ_CHECK(!waku::message::shard_for_content_topic(text, 1, 8).has_value());
  }

  // The pubsub-topic parser is strict: anything it accepts is already in canonical form.
  auto relay_shard = waku::message::parse_pubsub_topic(text);
  if (relay_shard) {
    FUZZ_CHECK(relay_shard->shard_id <= waku::message::kMaxShardIndex);
    FUZZ_CHECK(relay_shard->pubsub_topic() == text);
  }

  constexpr std::uint16_t kCluster = 16;
  auto protected_shard = waku::relay::parse_protected_shard(text, kCluster);
  if (protected_shard) {
    const auto& shard = protected_shard->shard;
    FUZZ_CHECK(shard.cluster_id == kCluster && shard.shard_id <= waku::message::kMaxShardIndex);
    FUZZ_CHECK(waku::message::parse_pubsub_topic(shard.pubsub_topic()).value() == shard);
    // Both printed forms parse back to the same shard and key.
    const std::string key_hex = waku::to_hex(protected_shard->public_key.compressed());
    for (const std::string& form :
         {std::to_string(shard.shard_id) + ":" + key_hex, shard.pubsub_topic() + ":" + key_hex}) {
      auto again = waku::relay::parse_protected_shard(form, kCluster);
      FUZZ_CHECK(again.has_value() && again->shard == shard &&
                 again->public_key == protected_shard->public_key);
    }
  } else {
    FUZZ_CHECK(!protected_shard.error().detail.empty());
  }
  return 0;
}
