// Operator tools of the wakunode binary: keygen, hash, shard, sign, verify.
//
// Each tool is a subcommand that prints plain text, or one JSON object with --json. Bad arguments
// print one clear line on stderr and exit with status 2 (usage) or 1 (a value that is wrong).
#pragma once

#include <CLI/CLI.hpp>

namespace wakunode {

// Adds the tool subcommands to `app`. The returned callbacks report errors by throwing
// ToolError, which main() turns into a message and an exit status.
void add_tool_commands(CLI::App& app);

struct ToolError {
  std::string message;
};

}  // namespace wakunode
