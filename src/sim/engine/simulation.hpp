// Simulation: many relay routers — the same relay::Router objects the node runs — on one
// simulated network in virtual time.
//
// The engine is discrete-event (engine/event_queue.hpp), on one thread or two: the nodes are
// split into two lanes that run side by side in windows shorter than any link latency
// (engine/simulation_state.hpp), deterministically. One seed drives
// everything: topology, latencies, traffic and faults draw from the simulation's Rng, and every
// node's own choices from Rng::derive(seed, node index), so adding a node does not perturb the
// others. The network sits above the secure channel and muxer: a router's Transmit becomes one
// application frame that serialises on the sender's uplink, travels the link's latency, queues on
// the receiver's downlink and is handed to the receiver's router. Bytes are counted per node at
// application and wire level, split by kind (report/run_result.hpp). Published messages are built
// once (encoded, hashed, decoded) and shared by every router that relays them.
//
// Checkers run inside: mesh degrees after heartbeats, no duplicate delivery to an application, no
// invalid message delivered on a protected shard, and delivery to every subscriber of messages
// published once the faults are over. The run ends with a 64-bit digest of its event trace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sim/report/run_result.hpp"
#include "sim/scenario/scenario.hpp"
#include "waku/base/result.hpp"

namespace waku::sim {

struct Engine;  // engine/simulation_state.hpp

struct Progress {
  double sim_seconds{0};
  double sim_total_seconds{0};
  double wall_seconds{0};
  std::uint64_t events{0};
  double events_per_second{0};  // over the last interval
  std::uint64_t rss_bytes{0};
  std::uint64_t messages_published{0};
  // Copies delivered so far to subscribers that were online at publication, as they happen (the
  // result's `deliveries` counts a message only once its record is final, 130 s after it was
  // published).
  std::uint64_t deliveries{0};
  std::size_t nodes_online{0};
};

struct SimOptions {
  // Called every `progress_interval_seconds` of wall time (and never on the hot path).
  std::function<void(const Progress&)> on_progress;
  double progress_interval_seconds{2.0};
  // The command line that reproduces the run, recorded in the result.
  std::string reproduce_command;
  // Threads to run on: 1 or 2. The result, digest included, does not depend on it.
  unsigned threads{1};
  // IDONTWANT-only frames handled just before their receiver's next event rather than as events
  // of their own (engine/simulation_state.hpp, DeferredIDontWant). Off: the same results, slower,
  // with another digest; for comparing the two.
  bool defer_idontwant{true};
  // How many may wait per node (at most 16, DeferredSlots::kCount); fewer in tests, so that
  // frames for full slots become events.
  std::size_t deferred_slots{16};
};

class Simulation {
 public:
  // Checks the scenario and builds the nodes; errors name the bad field.
  static Result<std::unique_ptr<Simulation>> create(const Scenario& scenario, SimOptions options);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  ~Simulation();

  // Runs to the scenario's duration and returns what was measured.
  RunResult run();

 private:
  explicit Simulation(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

}  // namespace waku::sim
