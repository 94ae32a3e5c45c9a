// The wakunode configuration: nwaku's option names and defaults, read from the command line, the
// environment and a TOML file.
//
// Operators move between nwaku and this node with the same configuration, so option names, value
// syntax, environment variable names (WAKUNODE2_ + the option in SCREAMING_SNAKE_CASE) and TOML
// keys (the option names verbatim) follow nwaku (waku-operators.md §1). Precedence is nwaku's:
// command line, then environment, then the file named by --config-file (or
// WAKUNODE2_CONFIG_FILE), then the default. Every value is validated here, so the node never
// starts with a configuration it would reject later; an error's message() is what the user should
// read, and the caller exits with status 2. docs/configuration.md lists every option.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/result.hpp"
#include "waku/crypto/secp256k1.hpp"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11 names its namespace
class App;
class Option;
}  // namespace CLI

namespace waku::runtime {

struct ProtectedShardConfig {
  std::uint16_t shard{0};
  crypto::Secp256k1PublicKey key;
};

// Defaults are nwaku's (waku-org/nwaku tools/confutils/cli_args.nim, v0.37) unless noted.
struct NodeConfig {
  bool relay{true};
  std::uint16_t cluster_id{0};
  std::vector<std::uint16_t> shards;
  // Unset (nwaku: --num-shards-in-network=0) means static sharding; nwaku v0.37 defaulted to 1,
  // logos-delivery to 0. We follow the latter: autosharding only when asked for.
  std::optional<std::uint32_t> num_shards_in_network;
  std::vector<ProtectedShardConfig> protected_shards;
  std::size_t max_msg_size_bytes{std::size_t{150} * 1024};
  std::string listen_address{"0.0.0.0"};
  std::uint16_t tcp_port{60000};
  std::size_t max_connections{50};  // nwaku v0.37; later releases use 150
  std::vector<std::string> staticnodes;
  std::optional<std::string> nodekey_hex;
  bool rest{false};  // nwaku v0.30-v0.37 enabled REST by default; later releases do not
  std::string rest_address{"127.0.0.1"};
  std::uint16_t rest_port{8645};
  bool rest_admin{false};                     // enables /admin/v1/* (nwaku --rest-admin)
  std::size_t rest_relay_cache_capacity{50};  // messages kept for GET /relay/v1/messages
  bool metrics_server{false};
  std::string metrics_server_address{"127.0.0.1"};
  std::uint16_t metrics_server_port{8008};
  std::string log_level{"INFO"};           // upper case: TRACE DEBUG INFO NOTICE WARN ERROR FATAL
  std::string gossipsub_profile{"fleet"};  // ours: fleet (nwaku's D=6) or client (go-waku's D=4)
  bool store{false};
  std::string store_message_db_url{"sqlite://store.sqlite3"};
  std::string store_message_retention_policy{"time:172800"};
  std::optional<std::string> storenode;
  std::optional<std::string> config_file;  // the file that was read, if any
};

// Where a resolved option came from: `environment` and `file` keep the variable and file names so
// that error messages can point at them.
enum class ConfigSource : std::uint8_t { kDefault, kCommandLine, kEnvironment, kFile };

// What add_node_options captures from the command line, before the environment and the file are
// consulted. Owned by the caller and kept alive until finish_node_config.
class NodeOptionCapture {
 public:
  NodeOptionCapture();
  ~NodeOptionCapture();
  NodeOptionCapture(const NodeOptionCapture&) = delete;
  NodeOptionCapture& operator=(const NodeOptionCapture&) = delete;

 private:
  friend void add_node_options(CLI::App& app, NodeOptionCapture& capture);
  friend Result<NodeConfig> finish_node_config(
      const NodeOptionCapture& capture, const std::map<std::string, std::string>& environment);
  // One slot per option, in the option table's order; CLI11 writes the raw strings into them.
  struct Slot {
    std::vector<std::string> values;
    CLI::Option* option{nullptr};
  };
  std::vector<Slot> slots_;
};

// Registers every node option on `app` (typically the top-level app, next to tool subcommands).
// Values are captured as text; nothing is validated until finish_node_config.
void add_node_options(CLI::App& app, NodeOptionCapture& capture);

// Applies the precedence (command line > environment > --config-file TOML > default), parses and
// validates every option. Call after app.parse() succeeded.
Result<NodeConfig> finish_node_config(const NodeOptionCapture& capture,
                                      const std::map<std::string, std::string>& environment);

// The whole thing for a program without subcommands (and for tests): `args` excludes argv[0].
// CLI11's parse errors (unknown option, missing value) become errors here too. --help is not
// handled: callers that want it use add_node_options on their own CLI::App.
Result<NodeConfig> load_node_config(std::span<const std::string> args,
                                    const std::map<std::string, std::string>& environment);

// The process environment as a map (for main; tests inject their own).
std::map<std::string, std::string> process_environment();

// "tcp-port" -> "WAKUNODE2_TCP_PORT".
std::string env_var_name(std::string_view option_name);

// nwaku's parseMsgSize: "<number>[.<fraction>] <unit>" with unit B, KB (1000) or KiB (1024), case
// insensitive, optional spaces; e.g. "150KiB", "1.5 KB", "512B".
Result<std::size_t> parse_msg_size(std::string_view text);

// nwaku's Nim parseBool: true/yes/y/on/1 and false/no/n/off/0, case-insensitive.
Result<bool> parse_bool(std::string_view text);

}  // namespace waku::runtime
