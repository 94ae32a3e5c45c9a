#include "sim/report/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sim/report/plots.hpp"

namespace waku::sim {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr auto kMessage = static_cast<std::size_t>(ByteKind::kMessage);
constexpr auto kIHave = static_cast<std::size_t>(ByteKind::kIHave);

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            (std::string("waku_report_test_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

NodeRecord node(std::uint32_t index, std::string group, std::string profile, double online,
                std::uint64_t app_in_message, std::uint64_t app_in_ihave = 0) {
  NodeRecord n;
  n.index = index;
  n.group = std::move(group);
  n.profile = std::move(profile);
  n.active = index % 2 == 0;
  n.online_seconds = online;
  n.in.app[kMessage] = app_in_message;
  n.in.app[kIHave] = app_in_ihave;
  // Wire: 10% more than app, all attributed to the same kinds.
  n.in.wire[kMessage] = app_in_message * 11 / 10;
  n.in.wire[kIHave] = app_in_ihave * 11 / 10;
  n.out.app[kMessage] = app_in_message * 2;
  n.out.wire[kMessage] = app_in_message * 2;
  n.published = index;
  n.delivered = 100 + index;
  n.copies_received = 300;
  n.duplicates_received = 200;
  n.peers_at_end = 8;
  n.mesh_at_end = 6;
  return n;
}

// Fleet: 4 measured nodes with 1000..4000 message bytes in over 10 s, i.e. 800..3200 bps, plus
// one node never online (skipped by the statistics). Client: 2 nodes, interleaved to check the
// order of first appearance.
RunResult sample_result() {
  RunResult r;
  r.scenario = "unit";
  r.seed = 42;
  r.nodes = 7;
  r.sim_seconds = 120;
  r.measured_seconds = 100;
  r.wall_seconds = 2;
  r.peak_rss_bytes = 64ull << 20;
  r.events = 1'000'000;
  r.digest = 0xdeadbeef;
  r.messages_published = 10;
  r.expected_deliveries = 60;
  r.deliveries = 57;
  for (int ms = 1; ms <= 1000; ++ms) r.latency.add(std::chrono::milliseconds(ms));
  r.duplicates_per_message = 2.5;
  r.node_records = {
      node(0, "fleet", "fleet", 10, 1000, 500), node(1, "light,\"odd\"", "client", 20, 500),
      node(2, "fleet", "fleet", 10, 4000, 500), node(3, "fleet", "fleet", 10, 2000, 500),
      node(4, "fleet", "fleet", 0, 99999),      node(5, "light,\"odd\"", "client", 20, 1500),
      node(6, "fleet", "fleet", 10, 3000, 500),
  };
  r.timeline = {{0, 5, 30, 30}, {60, 5, 30, 27}};
  r.checks = {{"mesh_degree", true, 0, ""}, {"no_duplicates", false, 3, "node 5 got m1 twice"}};
  r.reproduce_command = "wakusim run unit --seed 42";
  return r;
}

TEST(GroupBandwidth, ExactOrderStatisticsPerGroup) {
  const auto groups = group_bandwidth(sample_result());
  ASSERT_EQ(groups.size(), 2u);
  const GroupBandwidth& fleet = groups[0];
  EXPECT_EQ(fleet.group, "fleet");
  EXPECT_EQ(fleet.profile, "fleet");
  EXPECT_EQ(fleet.nodes, 5u);
  EXPECT_EQ(fleet.measured_nodes, 4u);
  // Message rates 800, 1600, 2400, 3200 bps; ihave 400 bps each.
  const auto& msg = fleet.app.in.by_kind[kMessage];
  EXPECT_DOUBLE_EQ(msg.mean, 2000);
  EXPECT_DOUBLE_EQ(msg.p50, 1600);  // nearest rank: 2nd of 4
  EXPECT_DOUBLE_EQ(msg.p99, 3200);
  EXPECT_DOUBLE_EQ(fleet.app.in.by_kind[kIHave].p50, 400);
  EXPECT_DOUBLE_EQ(fleet.app.in.total.mean, 2400);
  EXPECT_DOUBLE_EQ(fleet.app.in.total.p50, 2000);
  EXPECT_DOUBLE_EQ(fleet.app.out.total.p99, 6400);
  EXPECT_DOUBLE_EQ(fleet.wire.in.by_kind[kMessage].p99, 3520);
  EXPECT_DOUBLE_EQ(fleet.app.in.by_kind[static_cast<std::size_t>(ByteKind::kIWant)].mean, 0);

  const GroupBandwidth& light = groups[1];
  EXPECT_EQ(light.group, "light,\"odd\"");
  EXPECT_EQ(light.profile, "client");
  EXPECT_EQ(light.nodes, 2u);
  // 500 and 1500 bytes over 20 s: 200 and 600 bps.
  EXPECT_DOUBLE_EQ(light.app.in.total.mean, 400);
  EXPECT_DOUBLE_EQ(light.app.in.total.p50, 200);
  EXPECT_DOUBLE_EQ(light.app.in.total.p99, 600);
}

TEST(GroupBandwidth, MixedProfilesAndEmpty) {
  RunResult r;
  EXPECT_TRUE(group_bandwidth(r).empty());
  r.node_records = {node(0, "g", "fleet", 1, 10), node(1, "g", "client", 1, 10)};
  const auto groups = group_bandwidth(r);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].profile, "mixed");
}

TEST(SummaryJson, RoundTripsValues) {
  const TempDir dir;
  const fs::path path = dir.path() / "summary.json";
  json::object extra{{"model", json::object{{"predicted_bps", 1234.5}}}, {"seed", "overridden"}};
  ASSERT_TRUE(write_summary_json(sample_result(), path, &extra).has_value());

  const std::string text = read_file(path);
  EXPECT_NE(text.find("\n  \"scenario\": \"unit\""), std::string::npos) << text;  // indented
  const json::object root = json::parse(text).as_object();

  EXPECT_EQ(root.at("scenario").as_string(), "unit");
  EXPECT_EQ(root.at("seed").as_string(), "overridden");  // extra wins
  EXPECT_EQ(json::value_to<std::uint64_t>(root.at("nodes")), 7u);
  EXPECT_EQ(root.at("digest").as_string(), "0x00000000deadbeef");
  EXPECT_EQ(json::value_to<std::uint64_t>(root.at("events")), 1'000'000u);
  EXPECT_DOUBLE_EQ(root.at("delivery_ratio").as_double(), 0.95);
  EXPECT_DOUBLE_EQ(root.at("sim_seconds").as_double(), 120.0);  // stays a double
  EXPECT_DOUBLE_EQ(root.at("duplicates_per_message").as_double(), 2.5);
  EXPECT_EQ(json::value_to<std::uint64_t>(root.at("invalid_delivered")), 0u);

  const json::object& latency = root.at("latency_ms").as_object();
  EXPECT_NEAR(latency.at("p50").as_double(), 500, 5);
  EXPECT_NEAR(latency.at("p99").as_double(), 990, 9.9);
  EXPECT_DOUBLE_EQ(latency.at("max").as_double(), 1000);
  EXPECT_DOUBLE_EQ(latency.at("mean").as_double(), 500.5);

  const json::object& bandwidth = root.at("bandwidth_bps").as_object();
  ASSERT_EQ(bandwidth.size(), 2u);
  EXPECT_EQ(bandwidth.begin()->key(), "fleet");  // order of first appearance
  const json::object& fleet = bandwidth.at("fleet").as_object();
  EXPECT_EQ(fleet.at("profile").as_string(), "fleet");
  EXPECT_EQ(json::value_to<std::uint64_t>(fleet.at("nodes")), 5u);
  const json::object& app_in = fleet.at("app").at("in").as_object();
  EXPECT_DOUBLE_EQ(app_in.at("p50").as_double(), 2000);
  EXPECT_DOUBLE_EQ(app_in.at("mean").as_double(), 2400);
  const json::object& by_kind = app_in.at("by_kind").as_object();
  EXPECT_EQ(by_kind.size(), kByteKinds);
  EXPECT_DOUBLE_EQ(by_kind.at("message").at("p50").as_double(), 1600);
  EXPECT_DOUBLE_EQ(by_kind.at("ihave").at("mean").as_double(), 400);
  EXPECT_DOUBLE_EQ(by_kind.at("graft_prune").at("p99").as_double(), 0);
  EXPECT_DOUBLE_EQ(fleet.at("wire").at("out").at("p99").as_double(), 6400);
  EXPECT_DOUBLE_EQ(bandwidth.at("light,\"odd\"").at("app").at("in").at("p99").as_double(), 600);

  const json::array& checks = root.at("checks").as_array();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].at("name").as_string(), "no_duplicates");
  EXPECT_FALSE(checks[1].at("passed").as_bool());
  EXPECT_EQ(json::value_to<std::uint64_t>(checks[1].at("violations")), 3u);
  EXPECT_EQ(checks[1].at("detail").as_string(), "node 5 got m1 twice");
  EXPECT_EQ(root.at("reproduce").as_string(), "wakusim run unit --seed 42");
  EXPECT_DOUBLE_EQ(root.at("model").at("predicted_bps").as_double(), 1234.5);
}

TEST(SummaryJson, EmptyResultIsValidJson) {
  const TempDir dir;
  const fs::path path = dir.path() / "summary.json";
  ASSERT_TRUE(write_summary_json(RunResult{}, path).has_value());
  const json::object root = json::parse(read_file(path)).as_object();
  EXPECT_DOUBLE_EQ(root.at("delivery_ratio").as_double(), 1.0);
  EXPECT_TRUE(root.at("bandwidth_bps").as_object().empty());
  EXPECT_TRUE(root.at("checks").as_array().empty());
  EXPECT_EQ(root.at("digest").as_string(), "0x0000000000000000");
}

TEST(SummaryJson, UnwritablePathIsAnErrorNamingIt) {
  const TempDir dir;
  const fs::path path = dir.path() / "missing" / "summary.json";
  const auto result = write_summary_json(sample_result(), path);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kIo);
  EXPECT_NE(result.error().message().find(path.string()), std::string::npos);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

TEST(NodesCsv, HeaderAndRows) {
  const TempDir dir;
  const fs::path path = dir.path() / "nodes.csv";
  RunResult r = sample_result();
  r.node_records[1].group = "light";  // keep the columns splittable by ','
  r.node_records[5].group = "light";
  ASSERT_TRUE(write_nodes_csv(r, path).has_value());
  const std::vector<std::string> lines = split(read_file(path), '\n');
  ASSERT_EQ(lines.size(), 1 + r.node_records.size());
  const std::vector<std::string> header = split(lines[0], ',');
  ASSERT_EQ(header.size(), 15 + 4 * kByteKinds);
  EXPECT_EQ(header[0], "index");
  EXPECT_EQ(header[11], "app_in_bps");
  EXPECT_EQ(header[14], "wire_out_bps");
  EXPECT_EQ(header[15], "app_in_message_bytes");
  EXPECT_EQ(header[15 + kByteKinds], "app_out_message_bytes");
  EXPECT_EQ(header.back(), "wire_out_subscriptions_bytes");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(split(lines[i], ',').size(), header.size()) << lines[i];
  }
  // Node 2: 4000 + 500 bytes over 10 s = 3600 bps in; 8000 bytes out = 6400 bps.
  const std::vector<std::string> row = split(lines[3], ',');
  EXPECT_EQ(row[0], "2");
  EXPECT_EQ(row[1], "fleet");
  EXPECT_EQ(row[3], "1");
  EXPECT_EQ(row[11], "3600.0");
  EXPECT_EQ(row[12], "6400.0");
  EXPECT_EQ(row[15], "4000");
  EXPECT_EQ(row[16], "500");
  // Node 4 was never online: rates are zero, bytes are still reported.
  const std::vector<std::string> offline = split(lines[5], ',');
  EXPECT_EQ(offline[11], "0.0");
  EXPECT_EQ(offline[15], "99999");
}

TEST(NodesCsv, QuotesFieldsWithCommas) {
  const TempDir dir;
  const fs::path path = dir.path() / "nodes.csv";
  ASSERT_TRUE(write_nodes_csv(sample_result(), path).has_value());
  EXPECT_NE(read_file(path).find("\n1,\"light,\"\"odd\"\"\",client,"), std::string::npos);
}

TEST(NodesCsv, UnwritablePathIsAnError) {
  const TempDir dir;
  const fs::path path = dir.path() / "no" / "nodes.csv";
  const auto result = write_nodes_csv(sample_result(), path);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find(path.string()), std::string::npos);
}

TEST(SummaryTable, ContainsTheNumbers) {
  const std::string table = format_summary_table(sample_result());
  for (const char* expected : {
           "unit",
           "0x00000000deadbeef",
           "1000000",          // events
           "500000 events/s",  // 1e6 events in 2 s
           "64.0 MiB",         // peak RSS
           "95.0000%",         // 57 / 60
           "p50 501.2",        // latency: upper bound of the bucket holding 500 ms
           "max 1000.0",
           "duplicates/message 2.50",
           "fleet (fleet)",
           "0.002 / 0.004",  // fleet app in mean/p99 Mbps: 2400 / 3600 bps
           "message 2.0",    // fleet mean app in kbps by kind
           "ihave 0.4",
           "FAIL no_duplicates (3 violations): node 5 got m1 twice",
           "PASS mesh_degree",
           "wakusim run unit --seed 42",
       }) {
    EXPECT_NE(table.find(expected), std::string::npos) << expected << "\n" << table;
  }
}

bool have_gnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

TEST(Plots, RendersNonEmptyPngs) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot not installed";
  const TempDir dir;
  const fs::path out = dir.path() / "plots with 'quote'";
  const auto rendered = render_plots(sample_result(), out);
  ASSERT_TRUE(rendered.has_value()) << rendered.error().message();
  ASSERT_EQ(rendered->size(), 3u);
  for (const fs::path& png : *rendered) {
    EXPECT_EQ(png.parent_path(), out);
    EXPECT_EQ(png.extension(), ".png");
    EXPECT_GT(fs::file_size(png), 1000u) << png;
    EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
  }
  EXPECT_TRUE(fs::exists(out / "plots.gp"));
  EXPECT_TRUE(fs::exists(out / "latency_cdf.dat"));
}

TEST(Plots, NothingToPlotRendersNothing) {
  if (!have_gnuplot()) GTEST_SKIP() << "gnuplot not installed";
  const TempDir dir;
  const auto rendered = render_plots(RunResult{}, dir.path());
  ASSERT_TRUE(rendered.has_value());
  EXPECT_TRUE(rendered->empty());
}

TEST(Plots, MissingGnuplotSaysWhatToInstall) {
  const TempDir dir;
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  ::setenv("PATH", (dir.path() / "empty").c_str(), 1);
  const auto rendered = render_plots(sample_result(), dir.path());
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(rendered.has_value());
  EXPECT_EQ(rendered.error().code, Errc::kNotFound);
  EXPECT_NE(rendered.error().message().find("gnuplot-nox"), std::string::npos);
}

}  // namespace
}  // namespace waku::sim
