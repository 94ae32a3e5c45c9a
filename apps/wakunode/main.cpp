// wakunode: the Waku node and its operator tools.
//
// Today the binary carries the operator tools (keygen, hash, shard, sign) and prints the node's
// identity and relay configuration when run without a subcommand; the libp2p host that puts the
// relay router on the wire is the next milestone (issue "wakunode: a real relay node").
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "tools.hpp"
#include "waku/crypto/entropy.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/config.hpp"

namespace {

struct NodeOptions {
  std::string nodekey;
  std::uint16_t cluster_id{0};
  std::vector<std::uint16_t> shards;
  std::string gossipsub_profile{"fleet"};
};

int run_node(const NodeOptions& options) {
  auto key = waku::crypto::Secp256k1PrivateKey::generate(waku::crypto::system_entropy());
  if (!options.nodekey.empty()) {
    auto given = waku::crypto::Secp256k1PrivateKey::from_hex(options.nodekey);
    if (!given) {
      fmt::print(stderr, "wakunode: --nodekey: {}\n", given.error().message());
      return 2;
    }
    key = std::move(given).value();
  }
  const auto peer_id = waku::crypto::PeerId::from_public_key(waku::crypto::KeyType::kSecp256k1,
                                                             key.public_key().compressed());
  auto config = waku::relay::RouterConfig::profile(options.gossipsub_profile);
  if (!config) {
    fmt::print(stderr, "wakunode: --gossipsub-profile: {}\n", config.error().message());
    return 2;
  }
  fmt::print("wakunode {}\n", WAKU_VERSION);
  fmt::print("peer id:           {}\n", peer_id.to_string());
  const auto shards = options.shards.empty() ? std::vector<std::uint16_t>{0} : options.shards;
  for (const auto shard : shards) {
    fmt::print("relay shard:       {}\n",
               waku::message::RelayShard{options.cluster_id, shard}.pubsub_topic());
  }
  const auto& gossip = config->gossip;
  fmt::print(
      "gossipsub profile: {} (d={} d_low={} d_high={} d_lazy={} heartbeat={}ms)\n",
      options.gossipsub_profile, gossip.d, gossip.d_low, gossip.d_high, gossip.d_lazy,
      std::chrono::duration_cast<std::chrono::milliseconds>(gossip.heartbeat_interval).count());
  fmt::print(
      "\nThe relay router, message model and tools are ready; the libp2p host (TCP, Noise, yamux)\n"
      "that connects this node to peers is not implemented yet. Try `wakunode --help`.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wakunode: a Waku v2 node (relay on static shards) and operator tools", "wakunode"};
  app.set_version_flag("--version", WAKU_VERSION);
  NodeOptions node_options;
  app.add_option("--nodekey", node_options.nodekey,
                 "secp256k1 private key (hex) of the node's identity; a fresh one if absent");
  app.add_option("--cluster-id", node_options.cluster_id, "Cluster id")->capture_default_str();
  app.add_option("--shard", node_options.shards, "Relay shard to subscribe to (repeatable)");
  app.add_option("--gossipsub-profile", node_options.gossipsub_profile,
                 "Gossipsub parameters: fleet (nwaku's) or client (go-waku's, D=4)")
      ->capture_default_str();
  wakunode::add_tool_commands(app);
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const wakunode::ToolError& error) {
    const auto* command = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
    fmt::print(stderr, "wakunode {}: {}\n", command->get_name(), error.message);
    return 1;
  }
  if (app.get_subcommands().empty()) return run_node(node_options);
  return 0;
}
