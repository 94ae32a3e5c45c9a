#include "waku/relay/protected_shard_validator.hpp"

#include <fmt/format.h>

#include "waku/message/protected_shard.hpp"

namespace waku::relay {
namespace {

constexpr const char* kContext = "protected shard";

Error parse_error(Errc code, std::string detail) {
  return make_error(code, kContext, std::move(detail));
}

// Base-10 shard number without sign or leading zeros, at most kMaxShardIndex.
Result<std::uint16_t> parse_shard_number(std::string_view text) {
  const bool digits =
      !text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == text.npos;
  if (!digits || (text.size() > 1 && text.front() == '0')) {
    return parse_error(Errc::kInvalidArgument,
                       fmt::format("'{}' is neither a shard number nor a pubsub topic "
                                   "/waku/2/rs/<cluster>/<shard>",
                                   text));
  }
  std::uint32_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  if (value > message::kMaxShardIndex) {
    return parse_error(Errc::kOutOfRange, fmt::format("shard {} is above the maximum {}", value,
                                                      message::kMaxShardIndex));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<ProtectedShard> parse_protected_shard(std::string_view text, std::uint16_t cluster_id) {
  const std::size_t colon = text.find(':');
  if (colon == text.npos || text.find(':', colon + 1) != text.npos) {
    return parse_error(Errc::kInvalidArgument,
                       fmt::format("expected <shard>:<hex public key>, got '{}'", text));
  }
  const std::string_view shard_text = text.substr(0, colon);
  const std::string_view key_text = text.substr(colon + 1);

  message::RelayShard shard{cluster_id, 0};
  if (shard_text.starts_with('/')) {
    auto topic = message::parse_pubsub_topic(shard_text);
    if (!topic) {
      return parse_error(Errc::kInvalidTopic,
                         fmt::format("'{}' is not a pubsub topic /waku/2/rs/<cluster>/<shard> "
                                     "({})",
                                     shard_text, topic.error().message()));
    }
    // nwaku silently keeps only the shard number here; a different cluster is almost certainly
    // a configuration mistake, and protecting the wrong topic would leave the real one open.
    if (topic->cluster_id != cluster_id) {
      return parse_error(Errc::kInvalidArgument,
                         fmt::format("'{}' is in cluster {}, but this node is in cluster {}",
                                     shard_text, topic->cluster_id, cluster_id));
    }
    shard = *topic;
  } else {
    auto number = parse_shard_number(shard_text);
    if (!number) return unexpected(std::move(number).error());
    shard.shard_id = *number;
  }

  auto key = crypto::Secp256k1PublicKey::from_hex(key_text);
  if (!key) {
    return parse_error(Errc::kBadKey,
                       fmt::format("'{}' is not a hex secp256k1 public key, compressed (33 "
                                   "bytes) or uncompressed (65 bytes) ({})",
                                   key_text, key.error().message()));
  }
  return ProtectedShard{shard, std::move(key).value()};
}

ProtectedShardValidator::ProtectedShardValidator(std::vector<ProtectedShard> shards) {
  for (auto& entry : shards) {
    keys_.emplace(entry.shard.pubsub_topic(), entry.public_key);
  }
}

Verdict ProtectedShardValidator::validate(const ValidationContext& context,
                                          const RelayMessage& message) {
  const auto found = keys_.find(message.topic);
  if (found == keys_.end()) return Verdict::kAccept;
  const bool valid =
      message.decoded.has_value() &&
      message::check_signed_message(found->second, message.topic, *message.decoded,
                                    context.unix_now) == message::SignatureCheck::kValid;
  if (valid) {
    ++counters_.accepted;
    return Verdict::kAccept;
  }
  ++counters_.rejected;
  return Verdict::kReject;
}

}  // namespace waku::relay
