#include "model_command.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/model/capacity_model.hpp"

namespace model = waku::sim::model;

namespace {

// The published model's message size: 0.002 MB, printed by its code as "2.05 KB".
constexpr double kPublishedMessageBytes = 2000;

int fail(const waku::Error& error) {
  std::string text(error.context);
  if (!error.detail.empty()) text += ": " + error.detail;
  std::fprintf(stderr, "wakusim model: %s\n", text.c_str());
  return 1;
}

}  // namespace

void add_model_command(CLI::App& app, ModelCommandOptions& options) {
  auto* cmd = app.add_subcommand(
      "model",
      "Bandwidth of one relay shard: the published Waku model (817.25 MB/h, 3.63 Mbps at 10K "
      "nodes) and our refined per-second model (app and wire bytes, by kind, per profile)");
  cmd->add_option("--nodes", options.nodes, "Relay nodes in the shard (both models)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{1'000'000'000}));
  cmd->add_option("--d", options.d,
                  "Mesh degree of the published model and of fleet nodes in the refined model "
                  "(nwaku D)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{1000}));
  cmd->add_option("--rate", options.rate, "Messages per publishing node per hour")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--size", options.size_bytes,
                  "Message size in bytes. Default: the published model keeps its 0.002 MB "
                  "(2,000 B, shown as \"2.05 KB\") and the refined model uses a 2,048 B payload "
                  "(wrapped in a WakuMessage and an RPC); when given, both use it");
  cmd->add_option("--fleet", options.fleet,
                  "Fleet (nwaku: D from --d, d_lazy 6, silent) nodes among --nodes in the refined "
                  "model; the rest are members (go-waku)")
      ->capture_default_str();
  cmd->add_option("--member-d", options.member_d, "Members' mesh degree (go-waku D = 4)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  cmd->add_option("--fleet-connections", options.fleet_connections,
                  "Shard peers per fleet node (mesh + non-mesh)")
      ->capture_default_str();
  cmd->add_option("--member-connections", options.member_connections,
                  "Shard peers per member (mesh + non-mesh)")
      ->capture_default_str();
  cmd->add_option("--reply-ratio", options.reply_ratio,
                  "Share of IHAVE-advertised ids requested by IWANT (published: 0.01, \"a wild "
                  "guess\")")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--idontwant-suppression", options.idontwant_suppression,
                  "Share of duplicate copies IDONTWANT avoids; 0 = upper bound on bandwidth "
                  "(an IDONTWANT helps only if it arrives before the peer sends its copy)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  auto* no_idontwant = cmd->add_flag("--no-idontwant", options.no_idontwant,
                                     "Refined model without gossipsub v1.2 IDONTWANT");
  cmd->add_option("--idontwant-threshold", options.idontwant_threshold,
                  "Smallest encoded WakuMessage, in bytes, that gets an IDONTWANT (default 1024, "
                  "go-libp2p's)")
      ->excludes(no_idontwant);
  cmd->add_flag("--json", options.json, "Print JSON (rates in bits per second) instead of tables");
}

int run_model_command(const ModelCommandOptions& options) {
  if (options.fleet > options.nodes) {
    return fail(waku::make_error(waku::Errc::kInvalidArgument, "--fleet is larger than --nodes"));
  }
  model::Comparison c;
  model::PublishedInputs& published = c.published_inputs;
  published.nodes = static_cast<double>(options.nodes);
  published.d = static_cast<double>(options.d);
  published.messages_per_node_per_hour = options.rate;
  published.message_size_mb =
      static_cast<double>(options.size_bytes ? static_cast<double>(*options.size_bytes)
                                             : kPublishedMessageBytes) /
      1e6;
  published.reply_ratio = options.reply_ratio;
  waku::Result<model::PublishedResult> published_result = model::published_model(published);
  if (!published_result) return fail(published_result.error());
  c.published = published_result.value();

  model::RefinedInputs& refined = c.refined_inputs;
  // A small shard cannot give a node more peers than it has other nodes.
  const std::size_t most = options.nodes - 1;
  model::RelayProfile fleet =
      model::fleet_profile(options.fleet, std::min(options.fleet_connections, most));
  fleet.gossip.d = options.d;
  model::RelayProfile members = model::member_profile(options.nodes - options.fleet,
                                                      std::min(options.member_connections, most));
  members.gossip.d = options.member_d;
  if (options.idontwant_threshold) {
    fleet.gossip.idontwant_message_size_threshold = *options.idontwant_threshold;
    members.gossip.idontwant_message_size_threshold = *options.idontwant_threshold;
  }
  refined.profiles = {fleet, members};
  refined.messages_per_node_per_hour = options.rate;
  if (options.size_bytes) refined.payload_bytes = *options.size_bytes;
  refined.idontwant = !options.no_idontwant;
  refined.idontwant_suppression = options.idontwant_suppression;
  refined.iwant_reply_ratio = options.reply_ratio;
  waku::Result<model::RefinedResult> refined_result = model::refined_for(refined);
  if (!refined_result) return fail(refined_result.error());
  c.refined = refined_result.value();

  const std::string text = options.json ? model::format_json(c) : model::format_text(c);
  std::fputs(text.c_str(), stdout);
  return 0;
}
