// wakunode: the Waku node (relay on static shards over TCP/Noise/yamux|mplex, REST API, metrics)
// and its operator tools (keygen, hash, shard, sign).
//
// Options carry nwaku's names and defaults and may also come from WAKUNODE2_* environment
// variables or a TOML --config-file (docs/configuration.md); the precedence is command line,
// environment, file, default.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "runtime/config/node_config.hpp"
#include "runtime/node/run_node.hpp"
#include "tools.hpp"

int main(int argc, char** argv) {
  CLI::App app{"wakunode: a Waku v2 node (relay on static shards) and operator tools", "wakunode"};
  app.set_version_flag("--version", WAKU_VERSION);
  waku::runtime::NodeOptionCapture capture;
  waku::runtime::add_node_options(app, capture);
  wakunode::add_tool_commands(app);
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "wakunode: {}\nRun 'wakunode --help' for the options.\n", error.what());
    return 2;
  } catch (const wakunode::ToolError& error) {
    const auto* command = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
    fmt::print(stderr, "wakunode {}: {}\n", command->get_name(), error.message);
    return 1;
  }
  if (!app.get_subcommands().empty()) return 0;
  auto config = waku::runtime::finish_node_config(capture, waku::runtime::process_environment());
  if (!config) {
    fmt::print(stderr, "wakunode: {}\n", config.error().message());
    return 2;
  }
  return waku::runtime::run_node(*config);
}
