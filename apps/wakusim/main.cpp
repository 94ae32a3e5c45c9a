// wakusim: simulate a Waku relay shard with the real relay router, and the capacity model beside
// it.
//
//   wakusim run --scenario community-10k [--nodes N] [--duration D] [--seed S] [--out DIR]
//   wakusim model [--nodes N] [--d D] [--rate R] [--size BYTES] [--json]
//   wakusim scenarios
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "model_command.hpp"
#include "run_command.hpp"
#include "sim/scenario/scenario.hpp"

#ifdef WAKUSIM_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

// A large run reads its routers' state (1-2 GiB at 10,000 nodes) at random, so most reads miss
// the TLB with 4 KiB pages. mimalloc's segments on transparent huge pages (madvise) take 27 %
// off the 10,000-node hour (docs/benchmarks.md). MIMALLOC_LARGE_OS_PAGES=0 in the environment
// keeps the small pages, for comparisons.
void use_huge_pages() {
#ifdef WAKUSIM_MIMALLOC
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start, before any other thread exists
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_enable(mi_option_large_os_pages);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  use_huge_pages();
  CLI::App app{"wakusim: simulate a Waku relay shard with the same relay code the node runs"};
  app.set_version_flag("--version", std::string("wakusim ") + WAKU_VERSION);
  app.require_subcommand(1);

  RunCommandOptions run_options;
  add_run_command(app, run_options);
  ModelCommandOptions model_options;
  add_model_command(app, model_options);
  auto* list = app.add_subcommand("scenarios", "List the shipped scenarios");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 prints the help, the version or the message; its own codes for bad options (105,
    // 108, ...) would contradict the commands' documented exit status 1 for bad input.
    return app.exit(error) == 0 ? 0 : 1;
  }
  if (app.got_subcommand("run")) return run_run_command(run_options);
  if (app.got_subcommand("model")) return run_model_command(model_options);
  if (list->parsed()) {
    for (std::string_view name : waku::sim::builtin_scenario_names()) {
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    }
    return 0;
  }
  return 1;
}
