#include "runtime/config/node_config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "waku/archive/retention_policy.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/message/topics.hpp"
#include "waku/p2p/multiaddr.hpp"
#include "waku/relay/config.hpp"

namespace waku::runtime {

namespace {

constexpr std::string_view kEnvPrefix = "WAKUNODE2_";
// A config file larger than this is a mistake (the fleet's is under 4 KiB); refusing it keeps a
// wrong path (a database, a log) from being read into memory.
constexpr std::size_t kMaxConfigFileBytes = std::size_t{1024} * 1024;
// Upper bound for --max-msg-size (see codec::kMaxMessageSizeLimitBytes).
constexpr std::size_t kMaxMsgSizeLimitBytes = codec::kMaxMessageSizeLimitBytes;
constexpr std::uint32_t kMaxShardsInNetwork = message::kMaxShardIndex + 1U;

enum class Kind : std::uint8_t {
  kBool,   // --x, --x=true|false
  kValue,  // --x=value; given twice, the last wins
  kList,   // repeatable; from the environment, comma-separated; in TOML, an array
};

using Apply = Result<void> (*)(NodeConfig&, const std::string&);

struct OptionSpec {
  std::string_view name;
  Kind kind;
  std::string_view value_name;  // for --help
  std::string_view default_text;
  std::string_view help;
  Apply apply;
};

Error invalid(std::string detail) {
  return make_error(Errc::kInvalidConfig, "invalid configuration", std::move(detail));
}

// Apply functions return the reason only; the caller prefixes option, value and source.
Unexpected reason(std::string text) {
  return Unexpected{make_error(Errc::kInvalidConfig, "", std::move(text))};
}

template <typename T>
Result<T> parse_unsigned(const std::string& text, T max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || text.front() == '+' ||
      text.front() == '-') {
    return reason(fmt::format("expected a non-negative integer"));
  }
  if (value > max) return reason(fmt::format("must be at most {}", max));
  return static_cast<T>(value);
}

Result<std::uint16_t> parse_port(const std::string& text) {
  return parse_unsigned<std::uint16_t>(text, std::numeric_limits<std::uint16_t>::max());
}

Result<void> check_ip(const std::string& text) {
  boost::system::error_code error;
  (void)boost::asio::ip::make_address(text, error);
  if (error) return reason("expected an IPv4 or IPv6 address");
  return {};
}

Result<void> check_peer_multiaddr(const std::string& text) {
  auto address = p2p::Multiaddr::parse(text);
  if (!address) return reason("not a multiaddr: " + address.error().message());
  if (!address->tcp_endpoint()) return reason("expected a TCP multiaddr (/ip4|ip6|dns*/…/tcp/…)");
  if (!address->peer_id()) return reason("missing the peer id (/p2p/<peer id>)");
  return {};
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- per-option parsers ---

Result<void> apply_relay(NodeConfig& c, const std::string& v) {
  auto b = parse_bool(v);
  if (!b) return Unexpected{b.error()};
  c.relay = *b;
  return {};
}
Result<void> apply_cluster_id(NodeConfig& c, const std::string& v) {
  auto n = parse_unsigned<std::uint16_t>(v, std::numeric_limits<std::uint16_t>::max());
  if (!n) return Unexpected{n.error()};
  c.cluster_id = *n;
  return {};
}
Result<void> apply_num_shards(NodeConfig& c, const std::string& v) {
  auto n = parse_unsigned<std::uint32_t>(v, kMaxShardsInNetwork);
  if (!n) return Unexpected{n.error()};
  c.num_shards_in_network = *n == 0 ? std::nullopt : std::optional<std::uint32_t>(*n);
  return {};
}
Result<void> apply_shard(NodeConfig& c, const std::string& v) {
  auto n = parse_unsigned<std::uint16_t>(v, message::kMaxShardIndex);
  if (!n) return Unexpected{n.error()};
  if (std::find(c.shards.begin(), c.shards.end(), *n) == c.shards.end()) c.shards.push_back(*n);
  return {};
}
// "<shard>:<public key hex>", or nwaku's older "/waku/2/rs/<cluster>/<shard>:<public key hex>".
Result<void> apply_protected_shard(NodeConfig& c, const std::string& v) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos) return reason("expected <shard>:<public key hex>");
  const std::string shard_text = v.substr(0, colon);
  std::uint16_t shard = 0;
  if (!shard_text.empty() && shard_text.front() == '/') {
    auto topic = message::parse_pubsub_topic(shard_text);
    if (!topic) return reason("expected <shard>:<public key hex>; bad pubsub topic");
    if (topic->cluster_id != c.cluster_id) {
      return reason(fmt::format("the topic's cluster {} differs from --cluster-id={}",
                                topic->cluster_id, c.cluster_id));
    }
    shard = topic->shard_id;
  } else {
    auto n = parse_unsigned<std::uint16_t>(shard_text, message::kMaxShardIndex);
    if (!n) return reason("expected <shard>:<public key hex>; shard: " + n.error().message());
    shard = *n;
  }
  auto key = crypto::Secp256k1PublicKey::from_hex(v.substr(colon + 1));
  if (!key) return reason("bad secp256k1 public key: " + key.error().message());
  for (const auto& existing : c.protected_shards) {
    if (existing.shard == shard) return reason(fmt::format("shard {} is given twice", shard));
  }
  c.protected_shards.push_back(ProtectedShardConfig{shard, std::move(key).value()});
  return {};
}
Result<void> apply_max_msg_size(NodeConfig& c, const std::string& v) {
  auto n = parse_msg_size(v);
  if (!n) return Unexpected{n.error()};
  c.max_msg_size_bytes = *n;
  return {};
}
Result<void> apply_listen_address(NodeConfig& c, const std::string& v) {
  WAKU_TRY_VOID(check_ip(v));
  c.listen_address = v;
  return {};
}
Result<void> apply_tcp_port(NodeConfig& c, const std::string& v) {
  auto n = parse_port(v);
  if (!n) return Unexpected{n.error()};
  c.tcp_port = *n;
  return {};
}
Result<void> apply_max_connections(NodeConfig& c, const std::string& v) {
  auto n = parse_unsigned<std::size_t>(v, 100'000);
  if (!n) return Unexpected{n.error()};
  if (*n == 0) return reason("must be at least 1");
  c.max_connections = *n;
  return {};
}
Result<void> apply_staticnode(NodeConfig& c, const std::string& v) {
  WAKU_TRY_VOID(check_peer_multiaddr(v));
  if (std::find(c.staticnodes.begin(), c.staticnodes.end(), v) == c.staticnodes.end()) {
    c.staticnodes.push_back(v);
  }
  return {};
}
Result<void> apply_nodekey(NodeConfig& c, const std::string& v) {
  auto key = crypto::Secp256k1PrivateKey::from_hex(v);
  if (!key) return reason("expected 64 hex digits of a secp256k1 private key");
  c.nodekey_hex = v;
  return {};
}
Result<void> apply_rest(NodeConfig& c, const std::string& v) {
  auto b = parse_bool(v);
  if (!b) return Unexpected{b.error()};
  c.rest = *b;
  return {};
}
Result<void> apply_rest_address(NodeConfig& c, const std::string& v) {
  WAKU_TRY_VOID(check_ip(v));
  c.rest_address = v;
  return {};
}
Result<void> apply_rest_port(NodeConfig& c, const std::string& v) {
  auto n = parse_port(v);
  if (!n) return Unexpected{n.error()};
  c.rest_port = *n;
  return {};
}
Result<void> apply_rest_admin(NodeConfig& c, const std::string& v) {
  auto b = parse_bool(v);
  if (!b) return Unexpected{b.error()};
  c.rest_admin = *b;
  return {};
}
Result<void> apply_rest_cache(NodeConfig& c, const std::string& v) {
  auto n = parse_unsigned<std::size_t>(v, 100'000);
  if (!n) return Unexpected{n.error()};
  c.rest_relay_cache_capacity = *n;
  return {};
}
Result<void> apply_metrics_server(NodeConfig& c, const std::string& v) {
  auto b = parse_bool(v);
  if (!b) return Unexpected{b.error()};
  c.metrics_server = *b;
  return {};
}
Result<void> apply_metrics_address(NodeConfig& c, const std::string& v) {
  WAKU_TRY_VOID(check_ip(v));
  c.metrics_server_address = v;
  return {};
}
Result<void> apply_metrics_port(NodeConfig& c, const std::string& v) {
  auto n = parse_port(v);
  if (!n) return Unexpected{n.error()};
  c.metrics_server_port = *n;
  return {};
}
Result<void> apply_log_level(NodeConfig& c, const std::string& v) {
  static constexpr std::array<std::string_view, 7> kLevels = {"TRACE", "DEBUG", "INFO", "NOTICE",
                                                              "WARN",  "ERROR", "FATAL"};
  const std::string upper = to_upper(v);
  if (std::find(kLevels.begin(), kLevels.end(), upper) == kLevels.end()) {
    return reason("expected one of TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, FATAL");
  }
  c.log_level = upper;
  return {};
}
Result<void> apply_gossipsub_profile(NodeConfig& c, const std::string& v) {
  if (!relay::RouterConfig::profile(v)) return reason("expected fleet or client");
  c.gossipsub_profile = v;
  return {};
}
Result<void> apply_store(NodeConfig& c, const std::string& v) {
  auto b = parse_bool(v);
  if (!b) return Unexpected{b.error()};
  c.store = *b;
  return {};
}
Result<void> apply_store_db_url(NodeConfig& c, const std::string& v) {
  const auto scheme_end = v.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : v.substr(0, scheme_end);
  const bool known = scheme == "sqlite" || scheme == "postgres" || scheme == "postgresql";
  if (!known || scheme_end + 3 >= v.size()) {
    return reason(
        "expected sqlite://<path>, sqlite://:memory: or postgres://user:password@host:port/db");
  }
  c.store_message_db_url = v;
  return {};
}
Result<void> apply_retention(NodeConfig& c, const std::string& v) {
  // One parser for the option and the archive that applies it.
  auto policy = archive::parse_retention_policy(v);
  if (!policy) {
    return Unexpected{make_error(Errc::kInvalidConfig, "", policy.error().message())};
  }
  c.store_message_retention_policy = v;
  return {};
}
Result<void> apply_storenode(NodeConfig& c, const std::string& v) {
  // nwaku's default is "" (no store peer); accept it as unset.
  if (v.empty()) {
    c.storenode.reset();
    return {};
  }
  WAKU_TRY_VOID(check_peer_multiaddr(v));
  c.storenode = v;
  return {};
}
Result<void> apply_config_file(NodeConfig& c, const std::string& v) {
  if (v.empty()) return reason("expected a file path");
  c.config_file = v;
  return {};
}

// Order matters twice: --help lists options in this order, and options are applied in it
// (--cluster-id before --protected-shard, which checks topics against the cluster).
constexpr std::array kOptions = {
    OptionSpec{"config-file", Kind::kValue, "PATH", "",
               "TOML configuration file; keys are the option names", apply_config_file},
    OptionSpec{"log-level", Kind::kValue, "LEVEL", "INFO",
               "TRACE, DEBUG, INFO, NOTICE, WARN, ERROR or FATAL", apply_log_level},
    OptionSpec{"nodekey", Kind::kValue, "HEX", "",
               "secp256k1 private key (64 hex digits) of the node's identity; random if absent",
               apply_nodekey},
    OptionSpec{"listen-address", Kind::kValue, "IP", "0.0.0.0",
               "Address the libp2p TCP listener binds", apply_listen_address},
    OptionSpec{"tcp-port", Kind::kValue, "PORT", "60000", "libp2p TCP port", apply_tcp_port},
    OptionSpec{"max-connections", Kind::kValue, "N", "50", "Maximum number of libp2p connections",
               apply_max_connections},
    OptionSpec{"staticnode", Kind::kList, "MULTIADDR", "",
               "Peer to connect to and keep connected (repeatable): "
               "/ip4/<ip>/tcp/<port>/p2p/<peer id>",
               apply_staticnode},
    OptionSpec{"relay", Kind::kBool, "BOOL", "true", "Enable the relay protocol", apply_relay},
    OptionSpec{"cluster-id", Kind::kValue, "ID", "0", "Cluster id of the network",
               apply_cluster_id},
    OptionSpec{"num-shards-in-network", Kind::kValue, "N", "0",
               "Number of shards for autosharding; 0 means static sharding", apply_num_shards},
    OptionSpec{"shard", Kind::kList, "SHARD", "",
               "Relay shard to subscribe to (repeatable); default: all shards of the network "
               "with autosharding, else shard 0",
               apply_shard},
    OptionSpec{"protected-shard", Kind::kList, "SHARD:PUBKEY", "",
               "Shard whose messages must be signed by the secp256k1 key (repeatable)",
               apply_protected_shard},
    OptionSpec{"max-msg-size", Kind::kValue, "SIZE", "150KiB",
               "Maximum size of a Waku message: <n>B, <n>KB or <n>KiB", apply_max_msg_size},
    OptionSpec{"gossipsub-profile", Kind::kValue, "NAME", "fleet",
               "Gossipsub parameters: fleet (nwaku's, D=6) or client (go-waku's, D=4)",
               apply_gossipsub_profile},
    OptionSpec{"rest", Kind::kBool, "BOOL", "false", "Enable the REST API server", apply_rest},
    OptionSpec{"rest-address", Kind::kValue, "IP", "127.0.0.1", "Address of the REST server",
               apply_rest_address},
    OptionSpec{"rest-port", Kind::kValue, "PORT", "8645", "Port of the REST server",
               apply_rest_port},
    OptionSpec{"rest-admin", Kind::kBool, "BOOL", "false", "Enable the /admin/v1 REST routes",
               apply_rest_admin},
    OptionSpec{"rest-relay-cache-capacity", Kind::kValue, "N", "50",
               "Relay messages kept for GET /relay/v1/messages", apply_rest_cache},
    OptionSpec{"metrics-server", Kind::kBool, "BOOL", "false",
               "Enable the Prometheus metrics server", apply_metrics_server},
    OptionSpec{"metrics-server-address", Kind::kValue, "IP", "127.0.0.1",
               "Address of the metrics server", apply_metrics_address},
    OptionSpec{"metrics-server-port", Kind::kValue, "PORT", "8008", "Port of the metrics server",
               apply_metrics_port},
    OptionSpec{"store", Kind::kBool, "BOOL", "false", "Enable the store (archive) service",
               apply_store},
    OptionSpec{"store-message-db-url", Kind::kValue, "URL", "sqlite://store.sqlite3",
               "Archive database: sqlite://<path> or postgres://user:password@host:port/db",
               apply_store_db_url},
    OptionSpec{"store-message-retention-policy", Kind::kValue, "POLICY", "time:172800",
               "time:<seconds>, capacity:<messages>, size:<n>MB|GB or none; several joined by ;",
               apply_retention},
    OptionSpec{"storenode", Kind::kValue, "MULTIADDR", "",
               "Store peer to query: /ip4/<ip>/tcp/<port>/p2p/<peer id>", apply_storenode},
};

constexpr std::size_t kConfigFileIndex = 0;
static_assert(kOptions[kConfigFileIndex].name == "config-file");

std::string describe_source(ConfigSource source, std::string_view option_name,
                            std::string_view file) {
  switch (source) {
    case ConfigSource::kCommandLine: return "command line";
    case ConfigSource::kEnvironment:
      return fmt::format("environment variable {}", env_var_name(option_name));
    case ConfigSource::kFile: return fmt::format("config file {}", file);
    case ConfigSource::kDefault: break;
  }
  return "default";
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string_view::npos ? text.size() : comma;
    std::string item(text.substr(start, end - start));
    // Trim spaces, so "1, 32" works as well as "1,32".
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// A TOML scalar as the text the command line would carry. Floats, dates and tables have no
// meaning for any option.
Result<std::string> toml_scalar_text(const toml::node& node, std::string_view key) {
  if (const auto* s = node.as_string()) return std::string(s->get());
  if (const auto* i = node.as_integer()) {
    if (i->get() < 0) {
      return invalid(fmt::format("config key {}: negative numbers are not valid here", key));
    }
    return std::to_string(i->get());
  }
  if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  return invalid(fmt::format("config key {}: expected a string, an integer or a boolean", key));
}

struct FileValues {
  std::string path;
  std::map<std::string, std::vector<std::string>, std::less<>> values;
};

Result<FileValues> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid(fmt::format("cannot open config file {}", path));
  std::string text;
  std::array<char, 4096> chunk{};
  while (in) {
    in.read(chunk.data(), chunk.size());
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigFileBytes) {
      return invalid(
          fmt::format("config file {} is larger than {} bytes", path, kMaxConfigFileBytes));
    }
  }
  if (in.bad()) return invalid(fmt::format("cannot read config file {}", path));

  FileValues result;
  result.path = path;
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return invalid(fmt::format("config file {}:{}:{}: {}", path, e.source().begin.line,
                               e.source().begin.column, e.description()));
  } catch (const std::exception& e) {
    return invalid(fmt::format("config file {}: {}", path, e.what()));
  }
  for (const auto& [key_node, value] : root) {
    const std::string key(key_node.str());
    const auto spec = std::find_if(kOptions.begin(), kOptions.end(),
                                   [&](const OptionSpec& o) { return o.name == key; });
    if (spec == kOptions.end()) {
      return invalid(fmt::format("config file {}:{}: unknown option '{}'", path,
                                 key_node.source().begin.line, key));
    }
    if (spec->name == "config-file") {
      return invalid(
          fmt::format("config file {}: config-file cannot be set in a config file", path));
    }
    std::vector<std::string> texts;
    if (const auto* array = value.as_array()) {
      if (spec->kind != Kind::kList) {
        return invalid(fmt::format("config file {}: {} takes one value, not an array", path, key));
      }
      for (const auto& element : *array) {
        auto text_value = toml_scalar_text(element, key);
        if (!text_value) return Unexpected{text_value.error()};
        texts.push_back(std::move(text_value).value());
      }
    } else {
      auto text_value = toml_scalar_text(value, key);
      if (!text_value) return Unexpected{text_value.error()};
      texts.push_back(std::move(text_value).value());
    }
    result.values.emplace(key, std::move(texts));
  }
  return result;
}

struct Resolved {
  ConfigSource source{ConfigSource::kDefault};
  std::vector<std::string> values;
};

Resolved resolve_from_cli_or_env(const OptionSpec& spec, const std::vector<std::string>& cli,
                                 bool cli_given,
                                 const std::map<std::string, std::string>& environment) {
  if (cli_given) return Resolved{ConfigSource::kCommandLine, cli};
  const auto env = environment.find(env_var_name(spec.name));
  // An empty variable counts as unset: `WAKUNODE2_X=` in a compose file means "no value".
  if (env != environment.end() && !env->second.empty()) {
    if (spec.kind == Kind::kList)
      return Resolved{ConfigSource::kEnvironment, split_list(env->second)};
    return Resolved{ConfigSource::kEnvironment, {env->second}};
  }
  return {};
}

Result<void> apply_option(NodeConfig& config, const OptionSpec& spec, const Resolved& resolved,
                          std::string_view file) {
  if (resolved.source == ConfigSource::kDefault) return {};
  const auto run = [&](const std::string& value) -> Result<void> {
    auto ok = spec.apply(config, value);
    if (ok) return {};
    return invalid(fmt::format("--{}={} (from {}): {}", spec.name, value,
                               describe_source(resolved.source, spec.name, file),
                               ok.error().detail));
  };
  if (spec.kind == Kind::kList) {
    for (const auto& value : resolved.values) WAKU_TRY_VOID(run(value));
    return {};
  }
  if (resolved.values.empty()) return {};
  return run(resolved.values.back());
}

Result<void> check_combination(const NodeConfig& config) {
  if (config.num_shards_in_network) {
    for (const auto shard : config.shards) {
      if (shard >= *config.num_shards_in_network) {
        return invalid(
            fmt::format("--shard={} is not a shard of the network "
                        "(--num-shards-in-network={})",
                        shard, *config.num_shards_in_network));
      }
    }
  }
  if (config.rest && config.metrics_server && config.rest_port == config.metrics_server_port &&
      config.rest_port != 0 && config.rest_address == config.metrics_server_address) {
    return invalid(
        fmt::format("--rest-port and --metrics-server-port are both {}", config.rest_port));
  }
  return {};
}

}  // namespace

NodeOptionCapture::NodeOptionCapture() : slots_(kOptions.size()) {}
NodeOptionCapture::~NodeOptionCapture() = default;

std::string env_var_name(std::string_view option_name) {
  std::string name(kEnvPrefix);
  for (const char c : option_name) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

Result<bool> parse_bool(std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "true" || lower == "yes" || lower == "y" || lower == "on" || lower == "1") {
    return true;
  }
  if (lower == "false" || lower == "no" || lower == "n" || lower == "off" || lower == "0") {
    return false;
  }
  return Unexpected{make_error(Errc::kInvalidConfig, "", "expected true or false")};
}

Result<std::size_t> parse_msg_size(std::string_view text) {
  const auto fail = [] {
    return Unexpected{
        make_error(Errc::kInvalidConfig, "", "expected a size such as 150KiB, 1024KB or 512B")};
  };
  std::size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_spaces();
  // Digits, then an optional fraction after '.' or ',' (nwaku accepts both).
  std::string number;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) number += text[i++];
  if (number.empty() || number.size() > 15) return fail();
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    number += '.';
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (number.size() < 30) number += text[i];
      ++i;
    }
  }
  skip_spaces();
  const std::string unit = to_lower(text.substr(i));
  double multiplier = 0;
  if (unit == "b") {
    multiplier = 1;
  } else if (unit == "kb") {
    multiplier = 1000;
  } else if (unit == "kib") {
    multiplier = 1024;
  } else {
    return fail();
  }
  double value = 0;
  std::istringstream stream(number);
  stream.imbue(std::locale::classic());
  stream >> value;
  if (stream.fail()) return fail();
  const double bytes = std::floor(value * multiplier);
  if (bytes < 1) return Unexpected{make_error(Errc::kInvalidConfig, "", "must be at least 1B")};
  if (bytes > static_cast<double>(kMaxMsgSizeLimitBytes)) {
    return Unexpected{make_error(Errc::kInvalidConfig, "",
                                 fmt::format("must be at most {}B", kMaxMsgSizeLimitBytes))};
  }
  return static_cast<std::size_t>(bytes);
}

void add_node_options(CLI::App& app, NodeOptionCapture& capture) {
  for (std::size_t i = 0; i < kOptions.size(); ++i) {
    const OptionSpec& spec = kOptions[i];
    auto& slot = capture.slots_[i];
    const std::string flag = fmt::format("--{}", spec.name);
    std::string help = fmt::format("{} [env {}]", spec.help, env_var_name(spec.name));
    CLI::Option* option = nullptr;
    if (spec.kind == Kind::kBool) {
      // A flag with a string target: bare --rest yields "true", --rest=false yields "false";
      // parse_bool validates it later. `--rest false` (space) stays an error, as in nwaku.
      help = fmt::format("{} (--{}[=true|false])", help, spec.name);
      option = app.add_flag(flag, slot.values, help);
    } else {
      option =
          app.add_option(flag, slot.values, help)
              ->type_name(std::string(spec.value_name))
              ->expected(1)
              ->allow_extra_args(false)
              ->multi_option_policy(spec.kind == Kind::kList ? CLI::MultiOptionPolicy::TakeAll
                                                             : CLI::MultiOptionPolicy::TakeLast);
    }
    if (!spec.default_text.empty()) option->default_str(std::string(spec.default_text));
    slot.option = option;
  }
}

Result<NodeConfig> finish_node_config(const NodeOptionCapture& capture,
                                      const std::map<std::string, std::string>& environment) {
  std::vector<Resolved> resolved(kOptions.size());
  for (std::size_t i = 0; i < kOptions.size(); ++i) {
    const auto& slot = capture.slots_[i];
    const bool given = slot.option != nullptr && slot.option->count() > 0;
    resolved[i] = resolve_from_cli_or_env(kOptions[i], slot.values, given, environment);
  }

  NodeConfig config;
  WAKU_TRY_VOID(apply_option(config, kOptions[kConfigFileIndex], resolved[kConfigFileIndex], ""));
  FileValues file;
  if (config.config_file) {
    auto loaded = read_config_file(*config.config_file);
    if (!loaded) return Unexpected{loaded.error()};
    file = std::move(loaded).value();
  }
  for (std::size_t i = 0; i < kOptions.size(); ++i) {
    if (i == kConfigFileIndex) continue;
    if (resolved[i].source == ConfigSource::kDefault) {
      const auto it = file.values.find(kOptions[i].name);
      if (it != file.values.end()) resolved[i] = Resolved{ConfigSource::kFile, it->second};
    }
    WAKU_TRY_VOID(apply_option(config, kOptions[i], resolved[i], file.path));
  }
  WAKU_TRY_VOID(check_combination(config));
  return config;
}

Result<NodeConfig> load_node_config(std::span<const std::string> args,
                                    const std::map<std::string, std::string>& environment) {
  CLI::App app{"wakunode", "wakunode"};
  app.set_help_flag();  // no --help here: see the header
  NodeOptionCapture capture;
  add_node_options(app, capture);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    return invalid(error.what());
  }
  return finish_node_config(capture, environment);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> result;
  // `environ` rather than getenv: we want every WAKUNODE2_ variable, and reading it once at
  // start-up, before any thread exists, has no data race.
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {  // NOLINT
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    result.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return result;
}

}  // namespace waku::runtime
