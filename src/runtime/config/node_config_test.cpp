#include "runtime/config/node_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "waku/base/bytes.hpp"

namespace waku::runtime {
namespace {

using Env = std::map<std::string, std::string>;

// A compressed secp256k1 public key: the generator point G.
constexpr const char* kKeyG = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
constexpr const char* kPeer =
    "/ip4/10.0.0.1/tcp/30303/p2p/16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ";
constexpr const char* kNodeKey = "0000000000000000000000000000000000000000000000000000000000000001";

Result<NodeConfig> load(std::vector<std::string> args, const Env& env = {}) {
  return load_node_config(args, env);
}

std::string error_of(const Result<NodeConfig>& result) {
  EXPECT_FALSE(result.has_value());
  return result.has_value() ? "" : result.error().message();
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("wakunode_config_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter_++) + ".toml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(NodeConfig, DefaultsAreNwakus) {
  auto config = load({});
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config->relay);
  EXPECT_EQ(config->cluster_id, 0);
  EXPECT_TRUE(config->shards.empty());
  EXPECT_FALSE(config->num_shards_in_network.has_value());
  EXPECT_EQ(config->max_msg_size_bytes, 153600U);
  EXPECT_EQ(config->listen_address, "0.0.0.0");
  EXPECT_EQ(config->tcp_port, 60000);
  EXPECT_EQ(config->max_connections, 50U);
  EXPECT_FALSE(config->rest);
  EXPECT_EQ(config->rest_address, "127.0.0.1");
  EXPECT_EQ(config->rest_port, 8645);
  EXPECT_FALSE(config->rest_admin);
  EXPECT_EQ(config->rest_relay_cache_capacity, 50U);
  EXPECT_FALSE(config->metrics_server);
  EXPECT_EQ(config->metrics_server_address, "127.0.0.1");
  EXPECT_EQ(config->metrics_server_port, 8008);
  EXPECT_EQ(config->log_level, "INFO");
  EXPECT_EQ(config->gossipsub_profile, "fleet");
  EXPECT_FALSE(config->store);
  EXPECT_EQ(config->store_message_db_url, "sqlite://store.sqlite3");
  EXPECT_EQ(config->store_message_retention_policy, "time:172800");
  EXPECT_FALSE(config->storenode.has_value());
  EXPECT_FALSE(config->nodekey_hex.has_value());
  EXPECT_FALSE(config->config_file.has_value());
}

TEST(NodeConfig, EveryOptionFromTheCommandLine) {
  auto config = load({"--relay=false",
                      "--cluster-id=16",
                      "--num-shards-in-network=8",
                      "--shard=1",
                      "--shard",
                      "7",
                      "--shard=1",  // duplicates collapse
                      "--protected-shard=1:" + std::string(kKeyG),
                      "--max-msg-size=1024KiB",
                      "--listen-address=::",
                      "--tcp-port=30303",
                      "--max-connections=500",
                      "--staticnode=" + std::string(kPeer),
                      "--nodekey=" + std::string(kNodeKey),
                      "--rest",
                      "--rest-address=0.0.0.0",
                      "--rest-port=9000",
                      "--rest-admin=true",
                      "--rest-relay-cache-capacity=7",
                      "--metrics-server=yes",
                      "--metrics-server-address=0.0.0.0",
                      "--metrics-server-port=9001",
                      "--log-level=debug",
                      "--gossipsub-profile=client",
                      "--store=true",
                      "--store-message-db-url=postgres://u:p@db:5432/waku",
                      "--store-message-retention-policy=size:250GB",
                      "--storenode=" + std::string(kPeer)});
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_FALSE(config->relay);
  EXPECT_EQ(config->cluster_id, 16);
  EXPECT_EQ(config->num_shards_in_network, 8U);
  EXPECT_EQ(config->shards, (std::vector<std::uint16_t>{1, 7}));
  ASSERT_EQ(config->protected_shards.size(), 1U);
  EXPECT_EQ(config->protected_shards[0].shard, 1);
  EXPECT_EQ(to_hex(config->protected_shards[0].key.compressed()), kKeyG);
  EXPECT_EQ(config->max_msg_size_bytes, 1024U * 1024U);
  EXPECT_EQ(config->listen_address, "::");
  EXPECT_EQ(config->tcp_port, 30303);
  EXPECT_EQ(config->max_connections, 500U);
  EXPECT_EQ(config->staticnodes, std::vector<std::string>{kPeer});
  EXPECT_EQ(config->nodekey_hex, std::string(kNodeKey));
  EXPECT_TRUE(config->rest);
  EXPECT_EQ(config->rest_address, "0.0.0.0");
  EXPECT_EQ(config->rest_port, 9000);
  EXPECT_TRUE(config->rest_admin);
  EXPECT_EQ(config->rest_relay_cache_capacity, 7U);
  EXPECT_TRUE(config->metrics_server);
  EXPECT_EQ(config->metrics_server_address, "0.0.0.0");
  EXPECT_EQ(config->metrics_server_port, 9001);
  EXPECT_EQ(config->log_level, "DEBUG");
  EXPECT_EQ(config->gossipsub_profile, "client");
  EXPECT_TRUE(config->store);
  EXPECT_EQ(config->store_message_db_url, "postgres://u:p@db:5432/waku");
  EXPECT_EQ(config->store_message_retention_policy, "size:250GB");
  EXPECT_EQ(config->storenode, std::string(kPeer));
}

TEST(NodeConfig, BooleanForms) {
  EXPECT_TRUE(load({"--rest"})->rest);
  EXPECT_TRUE(load({"--rest=true"})->rest);
  EXPECT_FALSE(load({"--rest=false"})->rest);
  EXPECT_FALSE(load({"--relay=0"})->relay);
  EXPECT_TRUE(load({"--relay=false", "--relay=true"})->relay);  // the last one wins
  EXPECT_NE(error_of(load({"--rest=maybe"})).find("--rest=maybe (from command line)"),
            std::string::npos);
  // nwaku does not take the value of a boolean as the next argument.
  EXPECT_FALSE(load({"--rest", "false"}).has_value());
}

TEST(NodeConfig, LegacyProtectedTopicForm) {
  auto config =
      load({"--cluster-id=16", "--protected-shard=/waku/2/rs/16/128:" + std::string(kKeyG)});
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ASSERT_EQ(config->protected_shards.size(), 1U);
  EXPECT_EQ(config->protected_shards[0].shard, 128);
  EXPECT_NE(error_of(load({"--protected-shard=/waku/2/rs/16/128:" + std::string(kKeyG)}))
                .find("differs from --cluster-id=0"),
            std::string::npos);
}

TEST(NodeConfig, PrecedenceCommandLineThenEnvironmentThenFileThenDefault) {
  TempFile file(
      "tcp-port = 1111\n"
      "rest-port = 2222\n"
      "metrics-server-port = 3333\n"
      "cluster-id = 16\n"
      "shard = [1, 32, 64]\n"
      "max-msg-size = '1024KiB'\n"
      "relay = false\n");
  const Env env = {{"WAKUNODE2_CONFIG_FILE", file.path()},
                   {"WAKUNODE2_TCP_PORT", "4444"},
                   {"WAKUNODE2_REST_PORT", "5555"},
                   {"UNRELATED", "x"}};
  auto config = load({"--tcp-port=6666"}, env);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->tcp_port, 6666);             // command line over environment and file
  EXPECT_EQ(config->rest_port, 5555);            // environment over file
  EXPECT_EQ(config->metrics_server_port, 3333);  // file over default
  EXPECT_EQ(config->cluster_id, 16);
  EXPECT_EQ(config->shards, (std::vector<std::uint16_t>{1, 32, 64}));
  EXPECT_EQ(config->max_msg_size_bytes, 1048576U);
  EXPECT_FALSE(config->relay);
  EXPECT_EQ(config->rest_address, "127.0.0.1");  // default
  EXPECT_EQ(config->config_file, file.path());

  // A repeatable option from the command line replaces the file's list entirely.
  auto shards = load({"--shard=5"}, env);
  ASSERT_TRUE(shards.has_value()) << shards.error().message();
  EXPECT_EQ(shards->shards, std::vector<std::uint16_t>{5});
  // From the environment, lists are comma-separated.
  auto env_shards = load({}, {{"WAKUNODE2_SHARD", "3, 4,5"}});
  ASSERT_TRUE(env_shards.has_value()) << env_shards.error().message();
  EXPECT_EQ(env_shards->shards, (std::vector<std::uint16_t>{3, 4, 5}));
}

TEST(NodeConfig, ConfigFileFromTheCommandLine) {
  TempFile file(
      "rest = true\n"
      "rest-admin = true\n"
      "protected-shard = ['1:" +
      std::string(kKeyG) +
      "']\n"
      "staticnode = ['" +
      std::string(kPeer) +
      "']\n"
      "store-message-retention-policy = 'time:3600;size:1GB;capacity:100'\n"
      "log-level = 'WARN'\n");
  auto config = load({"--config-file=" + file.path()});
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config->rest);
  EXPECT_TRUE(config->rest_admin);
  EXPECT_EQ(config->protected_shards.size(), 1U);
  EXPECT_EQ(config->staticnodes, std::vector<std::string>{kPeer});
  EXPECT_EQ(config->log_level, "WARN");
}

TEST(NodeConfig, FileErrorsNameTheFileAndKey) {
  TempFile bad_toml("tcp-port = = 3\n");
  EXPECT_NE(error_of(load({"--config-file=" + bad_toml.path()})).find(bad_toml.path() + ":1:"),
            std::string::npos);
  TempFile unknown("dns-discovery = true\n");
  EXPECT_NE(
      error_of(load({"--config-file=" + unknown.path()})).find("unknown option 'dns-discovery'"),
      std::string::npos);
  TempFile bad_value("tcp-port = 70000\n");
  const auto message = error_of(load({"--config-file=" + bad_value.path()}));
  EXPECT_NE(message.find("--tcp-port=70000 (from config file " + bad_value.path() + ")"),
            std::string::npos)
      << message;
  TempFile array_for_scalar("tcp-port = [1, 2]\n");
  EXPECT_NE(error_of(load({"--config-file=" + array_for_scalar.path()})).find("not an array"),
            std::string::npos);
  TempFile float_value("cluster-id = 1.5\n");
  EXPECT_FALSE(load({"--config-file=" + float_value.path()}).has_value());
  TempFile nested("config-file = 'x.toml'\n");
  EXPECT_FALSE(load({"--config-file=" + nested.path()}).has_value());
  EXPECT_NE(error_of(load({"--config-file=/nonexistent/wakunode.toml"})).find("cannot open"),
            std::string::npos);
}

TEST(NodeConfig, EnvironmentErrorsNameTheVariable) {
  const auto message = error_of(load({}, {{"WAKUNODE2_CLUSTER_ID", "-1"}}));
  EXPECT_NE(message.find("--cluster-id=-1 (from environment variable WAKUNODE2_CLUSTER_ID)"),
            std::string::npos)
      << message;
  // An empty variable counts as unset.
  EXPECT_EQ(load({}, {{"WAKUNODE2_TCP_PORT", ""}})->tcp_port, 60000);
}

TEST(NodeConfig, InvalidValuesAreRejected) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"},
      {"--tcp-port"},
      {"--tcp-port=65536"},
      {"--tcp-port=+5"},
      {"--tcp-port=5x"},
      {"--cluster-id=65536"},
      {"--shard=1024"},
      {"--num-shards-in-network=1025"},
      {"--num-shards-in-network=2", "--shard=2"},
      {"--protected-shard=1"},
      {"--protected-shard=1:zz"},
      {"--protected-shard=x:" + std::string(kKeyG)},
      {"--protected-shard=1:" + std::string(kKeyG), "--protected-shard=1:" + std::string(kKeyG)},
      {"--max-msg-size=150"},
      {"--max-msg-size=150MiB"},
      {"--max-msg-size=1iB"},
      {"--max-msg-size=0B"},
      {"--listen-address=localhost"},
      {"--rest-address=1.2.3"},
      {"--max-connections=0"},
      {"--staticnode=/ip4/1.2.3.4/tcp/1"},  // no peer id
      {"--staticnode=not-a-multiaddr"},
      {"--nodekey=abc"},
      {"--log-level=LOUD"},
      {"--gossipsub-profile=huge"},
      {"--store-message-db-url=mysql://x"},
      {"--store-message-db-url=sqlite://"},
      {"--store-message-retention-policy=time:abc"},
      {"--store-message-retention-policy=size:10TB"},
      {"--store-message-retention-policy=forever:1"},
      {"--storenode=/ip4/1.2.3.4/udp/1"},
      {"--rest", "--metrics-server", "--rest-port=9000", "--metrics-server-port=9000"},
      {"positional"},
  };
  for (const auto& args : cases) {
    auto config = load(args);
    EXPECT_FALSE(config.has_value()) << args.front();
    if (!config) {
      EXPECT_EQ(config.error().code, Errc::kInvalidConfig);
    }
  }
}

TEST(NodeConfig, MsgSizeUnitsAreNwakus) {
  EXPECT_EQ(parse_msg_size("150KiB").value(), 153600U);
  EXPECT_EQ(parse_msg_size("150 KB").value(), 150000U);
  EXPECT_EQ(parse_msg_size("1.5kib").value(), 1536U);
  EXPECT_EQ(parse_msg_size("2,5KB").value(), 2500U);
  EXPECT_EQ(parse_msg_size("512B").value(), 512U);
  EXPECT_FALSE(parse_msg_size("KiB").has_value());
  EXPECT_FALSE(parse_msg_size("-5KB").has_value());
}

TEST(NodeConfig, EnvVarNames) {
  EXPECT_EQ(env_var_name("tcp-port"), "WAKUNODE2_TCP_PORT");
  EXPECT_EQ(env_var_name("store-message-db-url"), "WAKUNODE2_STORE_MESSAGE_DB_URL");
}

TEST(NodeConfig, OptionsLiveOnACallersAppNextToSubcommands) {
  CLI::App app{"wakunode"};
  NodeOptionCapture capture;
  add_node_options(app, capture);
  bool ran = false;
  app.add_subcommand("keygen", "tool")->callback([&] { ran = true; });
  std::vector<std::string> args = {"keygen"};
  app.parse(args);
  EXPECT_TRUE(ran);

  CLI::App node_app{"wakunode"};
  NodeOptionCapture node_capture;
  add_node_options(node_app, node_capture);
  std::vector<std::string> reversed = {"--rest-port=1", "--rest"};
  node_app.parse(reversed);
  auto config = finish_node_config(node_capture, {{"WAKUNODE2_REST_PORT", "2"}});
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config->rest);
  EXPECT_EQ(config->rest_port, 1);
  EXPECT_NE(node_app.help().find("WAKUNODE2_TCP_PORT"), std::string::npos);
}

}  // namespace
}  // namespace waku::runtime
