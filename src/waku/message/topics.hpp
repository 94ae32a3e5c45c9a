// Content topics, relay shards and autosharding (23/WAKU2-TOPICS, 51/WAKU2-RELAY-SHARDING).
//
// A content topic names what an application publishes ("/toychat/2/huilong/proto"); a pubsub
// topic names the gossipsub topic, which for static sharding is a relay shard
// ("/waku/2/rs/<cluster>/<shard>"). Autosharding derives the shard from the content topic's
// application and version, so publishers and subscribers agree without configuration. Parsers here
// take user and peer input and never assert.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "waku/base/result.hpp"

namespace waku::message {

// nwaku MaxShardIndex: 1024 shards per cluster.
inline constexpr std::uint16_t kMaxShardIndex = 1023;

struct ContentTopic {
  std::uint32_t generation{0};
  std::string application;
  std::string version;
  std::string name;
  std::string encoding;

  // "/{app}/{ver}/{name}/{enc}" or "/{gen}/{app}/{ver}/{name}/{enc}". Empty parts are rejected
  // (kInvalidTopic), and so is a generation above 0 (kUnsupported), as in nwaku.
  static Result<ContentTopic> parse(std::string_view text);
  // The four-part form when the generation is 0 (the generation is then implied).
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const ContentTopic&, const ContentTopic&) = default;
};

struct RelayShard {
  std::uint16_t cluster_id{0};
  std::uint16_t shard_id{0};

  // "/waku/2/rs/<cluster>/<shard>", decimal without leading zeros.
  [[nodiscard]] std::string pubsub_topic() const;

  friend auto operator<=>(const RelayShard&, const RelayShard&) = default;
};

// Strict: the prefix "/waku/2/rs/", then exactly two base-10 numbers without sign or leading
// zeros, each fitting uint16, and a shard at most kMaxShardIndex. Anything else is kInvalidTopic.
Result<RelayShard> parse_pubsub_topic(std::string_view text);

// Autosharding, generation 0: sha256(application || version), the last 8 bytes read big-endian,
// modulo num_shards (nwaku getGenZeroShard). num_shards must be in [1, kMaxShardIndex + 1].
Result<RelayShard> shard_for_content_topic(std::string_view content_topic, std::uint16_t cluster_id,
                                           std::uint32_t num_shards);

}  // namespace waku::message
