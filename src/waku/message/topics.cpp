#include "waku/message/topics.hpp"

#include <array>
#include <cstddef>

#include "waku/crypto/sha256.hpp"

namespace waku::message {
namespace {

constexpr std::string_view kRelayShardPrefix = "/waku/2/rs/";

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Base-10 without sign or leading zeros ("0" itself is fine).
Result<std::uint16_t> parse_canonical_u16(std::string_view text) {
  if (!is_digits(text) || text.size() > 5 || (text.size() > 1 && text.front() == '0')) {
    return unexpected(Errc::kInvalidTopic, "pubsub topic: not a canonical decimal number");
  }
  std::uint32_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  if (value > 0xffff) {
    return unexpected(Errc::kInvalidTopic, "pubsub topic: number does not fit 16 bits");
  }
  return static_cast<std::uint16_t>(value);
}

// Splits "/a/b/c" into {"a","b","c"}; returns how many parts there were, filling at most
// parts.size() of them (the count tells the caller when there were too many).
template <std::size_t N>
std::size_t split_after_slash(std::string_view text, std::array<std::string_view, N>& parts) {
  std::size_t count = 0;
  std::size_t start = 1;  // skip the leading '/'
  while (true) {
    const std::size_t slash = text.find('/', start);
    const std::string_view part = text.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (count < N) parts[count] = part;
    ++count;
    if (slash == std::string_view::npos || count > N) return count;
    start = slash + 1;
  }
}

}  // namespace

Result<ContentTopic> ContentTopic::parse(std::string_view text) {
  if (text.empty() || text.front() != '/') {
    return unexpected(Errc::kInvalidTopic, "content topic: must start with '/'");
  }
  std::array<std::string_view, 5> parts;
  const std::size_t count = split_after_slash(text, parts);
  if (count != 4 && count != 5) {
    return unexpected(Errc::kInvalidTopic,
                      "content topic: expected /{app}/{version}/{name}/{encoding}, optionally "
                      "with a /{generation} prefix");
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (parts[i].empty()) return unexpected(Errc::kInvalidTopic, "content topic: empty part");
  }
  ContentTopic topic;
  std::size_t first = 0;
  if (count == 5) {
    const std::string_view generation = parts[0];
    if (!is_digits(generation)) {
      return unexpected(Errc::kInvalidTopic, "content topic: generation is not a number");
    }
    // Only generation 0 exists; any other run of digits (however long) is a later generation.
    if (generation.find_first_not_of('0') != std::string_view::npos) {
      return unexpected(Errc::kUnsupported, "content topic: generation > 0 is not supported");
    }
    first = 1;
  }
  topic.application = std::string(parts[first]);
  topic.version = std::string(parts[first + 1]);
  topic.name = std::string(parts[first + 2]);
  topic.encoding = std::string(parts[first + 3]);
  return topic;
}

std::string ContentTopic::to_string() const {
  std::string out;
  if (generation != 0) out += "/" + std::to_string(generation);
  out += "/" + application + "/" + version + "/" + name + "/" + encoding;
  return out;
}

std::string RelayShard::pubsub_topic() const {
  return std::string(kRelayShardPrefix) + std::to_string(cluster_id) + "/" +
         std::to_string(shard_id);
}

Result<RelayShard> parse_pubsub_topic(std::string_view text) {
  if (!text.starts_with(kRelayShardPrefix)) {
    return unexpected(Errc::kInvalidTopic, "pubsub topic: expected prefix /waku/2/rs/");
  }
  const std::string_view rest = text.substr(kRelayShardPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return unexpected(Errc::kInvalidTopic, "pubsub topic: expected /waku/2/rs/<cluster>/<shard>");
  }
  // A further '/' lands in the shard part and fails the digit check.
  auto cluster = parse_canonical_u16(rest.substr(0, slash));
  if (!cluster) return unexpected(cluster.error());
  auto shard = parse_canonical_u16(rest.substr(slash + 1));
  if (!shard) return unexpected(shard.error());
  if (*shard > kMaxShardIndex) {
    return unexpected(Errc::kInvalidTopic, "pubsub topic: shard above 1023");
  }
  return RelayShard{*cluster, *shard};
}

Result<RelayShard> shard_for_content_topic(std::string_view content_topic, std::uint16_t cluster_id,
                                           std::uint32_t num_shards) {
  if (num_shards == 0 || num_shards > std::uint32_t{kMaxShardIndex} + 1) {
    return unexpected(Errc::kInvalidArgument, "autosharding: shard count must be in [1, 1024]");
  }
  auto topic = ContentTopic::parse(content_topic);
  if (!topic) return unexpected(topic.error());
  crypto::Sha256 hasher;
  hasher.update(std::string_view(topic->application));
  hasher.update(std::string_view(topic->version));
  const Bytes32 digest = hasher.finish();
  // Only the last 8 bytes: "hash mod N" over all 32 bytes agrees only for powers of two.
  const std::uint64_t tail = load_u64_be(ByteView(digest).subspan(24));
  return RelayShard{cluster_id, static_cast<std::uint16_t>(tail % num_shards)};
}

}  // namespace waku::message
