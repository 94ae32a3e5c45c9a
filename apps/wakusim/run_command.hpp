// `wakusim run`: load a scenario, run it with progress output, print the summary, write the
// report files (summary.json, nodes.csv, plots) and optionally the model next to the results.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

struct RunCommandOptions {
  std::string scenario;
  std::optional<std::size_t> nodes;
  std::optional<std::string> duration;
  std::optional<std::uint64_t> seed;
  std::optional<std::size_t> idontwant_threshold;
  std::string out_dir;
  bool compare_model{false};
  bool no_plots{false};
  bool quiet{false};
  unsigned threads{2};
  bool event_per_frame{false};
};

void add_run_command(CLI::App& app, RunCommandOptions& options);
// Exit status: 0 run completed and every checker passed; 1 bad input; 2 a checker failed.
int run_run_command(const RunCommandOptions& options);
