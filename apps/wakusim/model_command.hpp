// `wakusim model`: the published Waku Relay capacity model and our refined per-second model of
// one shard, side by side (sim/model/capacity_model.hpp), as text tables or JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>

struct ModelCommandOptions {
  std::size_t nodes{10'000};
  std::size_t d{6};                       // published d; fleet mesh degree in the refined model
  double rate{5.0};                       // messages per publishing node per hour
  std::optional<std::size_t> size_bytes;  // unset: published 2,000 B, refined payload 2,048 B
  std::size_t fleet{0};                   // fleet (nwaku) nodes among `nodes`
  std::size_t member_d{4};                // go-waku D
  std::size_t fleet_connections{40};
  std::size_t member_connections{12};
  double reply_ratio{0.01};  // IWANT share of advertised ids (both models)
  double idontwant_suppression{0.0};
  bool no_idontwant{false};
  std::optional<std::size_t> idontwant_threshold;
  bool json{false};
};

void add_model_command(CLI::App& app, ModelCommandOptions& options);
// Exit status: 0 printed; 1 bad input (message on stderr).
int run_model_command(const ModelCommandOptions& options);
