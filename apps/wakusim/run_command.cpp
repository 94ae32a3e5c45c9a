#include "run_command.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "sim/engine/simulation.hpp"
#include "sim/model/capacity_model.hpp"
#include "sim/report/plots.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim = waku::sim;

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "wakusim run: %s\n", message.c_str());
  return 1;
}

std::string describe(const waku::Error& error) {
  std::string text(error.context);
  if (!error.detail.empty()) text += ": " + error.detail;
  return text;
}

std::string reproduce_command(const sim::Scenario& scenario, const RunCommandOptions& options) {
  std::string command =
      fmt::format("wakusim run --scenario {} --seed {}", options.scenario, scenario.seed);
  if (options.nodes) command += fmt::format(" --nodes {}", *options.nodes);
  if (options.duration) command += fmt::format(" --duration {}", *options.duration);
  if (options.idontwant_threshold) {
    command += fmt::format(" --idontwant-threshold {}", *options.idontwant_threshold);
  }
  return command;
}

void print_progress(const sim::Progress& p) {
  std::fprintf(stderr,
               "  sim %7.1f / %.0f s | wall %6.1f s | %6.2f M events/s | RSS %6.0f MiB | "
               "%llu published, %llu delivered | %zu online\n",
               p.sim_seconds, p.sim_total_seconds, p.wall_seconds, p.events_per_second / 1e6,
               static_cast<double>(p.rss_bytes) / (1024.0 * 1024.0),
               static_cast<unsigned long long>(p.messages_published),  // NOLINT(google-runtime-int)
               static_cast<unsigned long long>(p.deliveries),          // NOLINT(google-runtime-int)
               p.nodes_online);
}

// Mean of a per-node field over the nodes of `group`; nullopt if the group has none.
std::optional<double> group_mean(const sim::RunResult& result, std::string_view group,
                                 std::uint32_t sim::NodeRecord::*field) {
  double sum = 0;
  std::size_t counted = 0;
  for (const sim::NodeRecord& node : result.node_records) {
    if (node.group != group) continue;
    sum += node.*field;
    ++counted;
  }
  if (counted == 0) return std::nullopt;
  return sum / static_cast<double>(counted);
}

// The refined model for the scenario's groups, with each group's connection count taken from the
// run (peers at the end, mean over the group), and the published model's headline figure.
struct ModelComparison {
  sim::model::RefinedResult refined;
  double published_in_out_mbps{0};
};

std::optional<ModelComparison> compare_with_model(const sim::Scenario& scenario,
                                                  const sim::RunResult& result) {
  namespace model = sim::model;
  if (scenario.traffic.empty()) return std::nullopt;
  model::RefinedInputs inputs;
  inputs.profiles.clear();
  for (const sim::NodeGroup& group : scenario.groups) {
    const auto peers = group_mean(result, group.name, &sim::NodeRecord::peers_at_end);
    const std::size_t connections =
        peers ? static_cast<std::size_t>(std::lround(*peers)) : group.outbound_target;
    model::RelayProfile profile = group.router_profile == "fleet"
                                      ? model::fleet_profile(group.count, connections)
                                      : model::member_profile(group.count, connections);
    profile.name = group.name;
    profile.active_fraction = group.active_fraction;
    if (auto threshold = scenario.idontwant_threshold_override()) {
      profile.gossip.idontwant_message_size_threshold = *threshold;
    }
    inputs.profiles.push_back(profile);
  }
  const sim::TrafficKind& traffic = scenario.traffic.front();
  inputs.messages_per_node_per_hour = traffic.rate_per_node_per_hour;
  inputs.payload_bytes = traffic.size.mean_bytes;
  auto refined = model::refined_for(inputs);
  if (!refined) return std::nullopt;
  model::PublishedInputs published_inputs;
  published_inputs.nodes = static_cast<double>(scenario.node_count());
  published_inputs.messages_per_node_per_hour = traffic.rate_per_node_per_hour;
  auto published = model::published_model(published_inputs);
  if (!published) return std::nullopt;
  return ModelComparison{*refined, published->in_out_mbps};
}

std::string format_comparison(const ModelComparison& comparison, const sim::RunResult& result) {
  // The model takes D from the profile; the simulated mesh is usually wider (inbound GRAFTs are
  // accepted up to d_high), which is most of the difference between the two.
  std::string out = "\nmodel vs simulation, in + out per node, Mbps (mean)\n";
  out +=
      fmt::format("  {:<12} {:>7} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "group", "model D",
                  "sim mesh", "model app", "sim app", "model wire", "sim wire", "published");
  const auto groups = sim::group_bandwidth(result);
  for (const auto& rates : comparison.refined.profiles) {
    const double mesh = group_mean(result, rates.name, &sim::NodeRecord::mesh_at_end).value_or(0);
    for (const auto& group : groups) {
      if (group.group != rates.name) continue;
      const double sim_app = (group.app.in.total.mean + group.app.out.total.mean) / 1e6;
      const double sim_wire = (group.wire.in.total.mean + group.wire.out.total.mean) / 1e6;
      out +=
          fmt::format("  {:<12} {:>7} {:>8.2f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f}\n",
                      rates.name, rates.d, mesh, rates.in_out_app_bps() / 1e6, sim_app,
                      rates.in_out_wire_bps() / 1e6, sim_wire, comparison.published_in_out_mbps);
    }
  }
  return out;
}

}  // namespace

void add_run_command(CLI::App& app, RunCommandOptions& options) {
  auto* run = app.add_subcommand("run", "Run a scenario and report bandwidth, delivery, latency");
  run->add_option("--scenario", options.scenario,
                  "A shipped scenario name (see `wakusim scenarios`) or a TOML file")
      ->required();
  run->add_option("--nodes", options.nodes,
                  "Scale the scenario's groups to this many nodes in total")
      ->check(CLI::Range(std::size_t{2}, std::size_t{10'000'000}));
  run->add_option("--duration", options.duration, "Simulated time, e.g. 1h, 10m, 90s");
  run->add_option("--seed", options.seed, "Seed for everything random (default: the scenario's)");
  run->add_option("--idontwant-threshold", options.idontwant_threshold,
                  "Every router sends IDONTWANT for WakuMessages of at least this many bytes "
                  "(overrides the scenario; the profiles' default is 1024)");
  run->add_option("--out", options.out_dir,
                  "Directory for summary.json, nodes.csv and plots (created if missing)");
  run->add_flag("--compare-model", options.compare_model,
                "Print the capacity model next to the simulated bandwidth");
  run->add_flag("--no-plots", options.no_plots, "Do not render plots (still writes data files)");
  run->add_flag("--quiet", options.quiet, "No progress output");
  run->add_option("--threads", options.threads,
                  "Threads to run on, 1 or 2 (default 2); the results do not depend on it")
      ->check(CLI::Range(1U, 2U));
  run->add_flag("--event-per-frame", options.event_per_frame,
                "Run IDONTWANT-only frames as events of their own rather than just before their "
                "receiver's next event (slower; the same results with another digest)");
}

int run_run_command(const RunCommandOptions& options) {
  auto loaded = sim::load_scenario(options.scenario);
  if (!loaded) return fail(describe(loaded.error()));
  sim::Scenario scenario = std::move(*loaded);
  if (options.nodes) scenario.scale_to(*options.nodes);
  if (options.duration) {
    auto duration = sim::parse_duration(*options.duration);
    if (!duration) return fail("--duration: " + describe(duration.error()));
    scenario.duration = *duration;
  }
  if (options.seed) scenario.seed = *options.seed;
  if (options.idontwant_threshold) {
    scenario.idontwant.reset();  // the command line wins over the file's `idontwant = false`
    scenario.idontwant_threshold = options.idontwant_threshold;
  }
  if (auto valid = scenario.validate(); !valid) return fail(describe(valid.error()));

  sim::SimOptions sim_options;
  sim_options.reproduce_command = reproduce_command(scenario, options);
  sim_options.threads = options.threads;
  sim_options.defer_idontwant = !options.event_per_frame;
  if (!options.quiet) sim_options.on_progress = print_progress;
  auto simulation = sim::Simulation::create(scenario, sim_options);
  if (!simulation) return fail(describe(simulation.error()));
  if (!options.quiet) {
    std::fprintf(stderr, "wakusim: %s, %zu nodes, %.0f s simulated, seed %llu\n",
                 scenario.name.c_str(), scenario.node_count(),
                 std::chrono::duration<double>(scenario.duration).count(),
                 static_cast<unsigned long long>(scenario.seed));  // NOLINT(google-runtime-int)
  }
  const sim::RunResult result = (*simulation)->run();
  std::fputs(sim::format_summary_table(result).c_str(), stdout);
  std::optional<ModelComparison> comparison;
  if (options.compare_model) {
    comparison = compare_with_model(scenario, result);
    if (comparison) {
      std::fputs(format_comparison(*comparison, result).c_str(), stdout);
    } else {
      std::fprintf(stderr, "wakusim run: the model cannot describe this scenario\n");
    }
  }

  if (!options.out_dir.empty()) {
    const std::filesystem::path dir(options.out_dir);
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) return fail(fmt::format("cannot create {}: {}", dir.string(), error.message()));
    boost::json::object extra;
    if (comparison) {
      boost::json::object model;
      model["published_in_out_mbps"] = comparison->published_in_out_mbps;
      boost::json::object per_group;
      for (const auto& rates : comparison->refined.profiles) {
        boost::json::object entry;
        entry["app_in_out_bps"] = rates.in_out_app_bps();
        entry["wire_in_out_bps"] = rates.in_out_wire_bps();
        per_group[rates.name] = std::move(entry);
      }
      model["refined"] = std::move(per_group);
      extra["model"] = std::move(model);
    }
    if (auto written =
            sim::write_summary_json(result, dir / "summary.json", comparison ? &extra : nullptr);
        !written) {
      return fail(describe(written.error()));
    }
    if (auto written = sim::write_nodes_csv(result, dir / "nodes.csv"); !written) {
      return fail(describe(written.error()));
    }
    if (!options.no_plots) {
      auto plots = sim::render_plots(result, dir);
      if (!plots) {
        std::fprintf(stderr, "wakusim run: plots skipped: %s\n", describe(plots.error()).c_str());
      }
    }
    std::printf("results in %s\n", dir.string().c_str());
  }
  if (!result.checks_passed()) {
    std::fprintf(stderr, "wakusim run: a checker failed; reproduce with: %s\n",
                 result.reproduce_command.c_str());
    return 2;
  }
  return 0;
}
