#include "tools.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/crypto/entropy.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/message_hash.hpp"
#include "waku/message/protected_shard.hpp"
#include "waku/message/topics.hpp"
#include "waku/message/waku_message.hpp"

namespace wakunode {
namespace {

using waku::Bytes;

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Prints `fields` as "name: value" lines, or as one JSON object of strings.
void print_fields(bool json, const std::vector<std::pair<std::string, std::string>>& fields) {
  if (json) {
    std::string out = "{";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ", ";
      out += fmt::format("\"{}\": \"{}\"", fields[i].first, json_escape(fields[i].second));
    }
    fmt::print("{}}}\n", out);
    return;
  }
  if (fields.size() == 1) {
    fmt::print("{}\n", fields[0].second);
    return;
  }
  for (const auto& [name, value] : fields) fmt::print("{}: {}\n", name, value);
}

Bytes parse_hex_option(std::string_view option, const std::string& text) {
  auto bytes = waku::from_hex(text);
  if (!bytes) throw ToolError{fmt::format("{}: {}", option, bytes.error().message())};
  return std::move(bytes).value();
}

std::int64_t parse_timestamp(const std::string& text) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty()) {
    throw ToolError{fmt::format("--timestamp: '{}' is not a Unix time in nanoseconds", text)};
  }
  return value;
}

struct MessageOptions {
  std::string pubsub_topic;
  std::string content_topic;
  std::string payload_hex;
  std::string meta_hex;
  std::string timestamp;
  bool ephemeral{false};

  [[nodiscard]] waku::message::WakuMessage build() const {
    waku::message::WakuMessage message;
    message.payload = parse_hex_option("--payload-hex", payload_hex);
    message.content_topic = content_topic;
    message.timestamp = parse_timestamp(timestamp);
    if (!meta_hex.empty()) {
      message.meta = parse_hex_option("--meta-hex", meta_hex);
      if (message.meta->size() > waku::message::kMaxMetaSizeBytes) {
        throw ToolError{fmt::format("--meta-hex: {} bytes; meta is at most {} bytes",
                                    message.meta->size(), waku::message::kMaxMetaSizeBytes)};
      }
    }
    if (ephemeral) message.ephemeral = true;
    return message;
  }
};

void add_message_options(CLI::App& command, MessageOptions& options, bool with_meta) {
  command.add_option("--pubsub-topic", options.pubsub_topic, "Pubsub topic, e.g. /waku/2/rs/16/32")
      ->required();
  command
      .add_option("--content-topic", options.content_topic, "Content topic, e.g. /app/1/chat/proto")
      ->required();
  command.add_option("--payload-hex", options.payload_hex, "Payload as hex (0x optional)")
      ->required();
  if (with_meta)
    command.add_option("--meta-hex", options.meta_hex, "Meta as hex (at most 64 bytes)");
  command.add_option("--timestamp", options.timestamp, "Message timestamp, Unix nanoseconds")
      ->required();
}

void add_keygen(CLI::App& app) {
  auto* command = app.add_subcommand(
      "keygen", "Generate a secp256k1 key pair (for --nodekey or a protected-shard key)");
  auto json = std::make_shared<bool>(false);
  auto private_key = std::make_shared<std::string>();
  command->add_flag("--json", *json, "Print one JSON object");
  command->add_option("--private-key", *private_key,
                      "Derive the public key and peer id of this key (hex) instead of a new one");
  command->callback([json, private_key] {
    auto key = waku::crypto::Secp256k1PrivateKey::generate(waku::crypto::system_entropy());
    if (!private_key->empty()) {
      auto given = waku::crypto::Secp256k1PrivateKey::from_hex(*private_key);
      if (!given) throw ToolError{"--private-key: " + given.error().message()};
      key = std::move(given).value();
    }
    const auto public_key = key.public_key();
    const auto compressed = public_key.compressed();
    const auto peer_id =
        waku::crypto::PeerId::from_public_key(waku::crypto::KeyType::kSecp256k1, compressed);
    print_fields(*json, {{"private_key", waku::to_hex(key.bytes())},
                         {"public_key", waku::to_hex(compressed)},
                         {"public_key_uncompressed", waku::to_hex(public_key.uncompressed())},
                         {"peer_id", peer_id.to_string()}});
  });
}

void add_hash(CLI::App& app) {
  auto* command =
      app.add_subcommand("hash", "Print the deterministic message hash (store key) of a message");
  auto options = std::make_shared<MessageOptions>();
  auto json = std::make_shared<bool>(false);
  add_message_options(*command, *options, /*with_meta=*/true);
  command->add_flag("--json", *json, "Print one JSON object");
  command->callback([options, json] {
    const auto message = options->build();
    const auto hash = waku::message::deterministic_message_hash(options->pubsub_topic, message);
    print_fields(*json, {{"message_hash", waku::to_hex(hash)}});
  });
}

void add_shard(CLI::App& app) {
  auto* command = app.add_subcommand(
      "shard", "Print the pubsub topic that autosharding assigns to a content topic");
  struct Options {
    std::string content_topic;
    std::uint32_t num_shards{0};
    std::uint16_t cluster_id{0};
    bool json{false};
  };
  auto options = std::make_shared<Options>();
  command->add_option("--content-topic", options->content_topic, "Content topic")->required();
  command
      ->add_option("--num-shards", options->num_shards,
                   "Shards in the network (nwaku --num-shards-in-network)")
      ->required()
      ->check(CLI::Range(1U, 1024U));
  command->add_option("--cluster-id", options->cluster_id, "Cluster id")->capture_default_str();
  command->add_flag("--json", options->json, "Print one JSON object");
  command->callback([options] {
    auto shard = waku::message::shard_for_content_topic(options->content_topic, options->cluster_id,
                                                        options->num_shards);
    if (!shard) {
      throw ToolError{
          fmt::format("--content-topic '{}': {}", options->content_topic, shard.error().message())};
    }
    if (options->json) {
      fmt::print("{{\"pubsub_topic\": \"{}\", \"cluster_id\": {}, \"shard\": {}}}\n",
                 shard->pubsub_topic(), shard->cluster_id, shard->shard_id);
    } else {
      fmt::print("{}\n", shard->pubsub_topic());
    }
  });
}

void add_sign(CLI::App& app) {
  auto* command = app.add_subcommand(
      "sign", "Sign a message for a protected shard; prints the 64-byte meta value as hex");
  auto options = std::make_shared<MessageOptions>();
  auto private_key_hex = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  command->add_option("--private-key", *private_key_hex, "The shard's secp256k1 private key (hex)")
      ->required();
  add_message_options(*command, *options, /*with_meta=*/false);
  command->add_flag("--ephemeral", options->ephemeral, "The message is ephemeral");
  command->add_flag("--json", *json, "Print one JSON object");
  command->callback([options, private_key_hex, json] {
    auto key = waku::crypto::Secp256k1PrivateKey::from_hex(*private_key_hex);
    if (!key) throw ToolError{fmt::format("--private-key: {}", key.error().message())};
    const auto message = options->build();
    const auto signature = waku::message::sign_message(*key, options->pubsub_topic, message);
    print_fields(*json, {{"meta", waku::to_hex(signature)}});
  });
}

}  // namespace

void add_tool_commands(CLI::App& app) {
  add_keygen(app);
  add_hash(app);
  add_shard(app);
  add_sign(app);
}

}  // namespace wakunode
