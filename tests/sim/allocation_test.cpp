// The engine's hot path does not allocate per event (issue 3, "no allocation per event"): two runs
// of one scenario that differ only in length must differ in allocations by a small fraction of
// the events between them. This executable replaces the global operator new to count calls, so
// it holds this test alone.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "community_scenario.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/scenario/scenario.hpp"

namespace {
std::atomic<std::uint64_t> allocations{0};
}  // namespace

// The replacements pair malloc with free by design; GCC cannot see that they replace each other.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every form that can meet
// the replaced operator delete must come from malloc, or AddressSanitizer (the debug build)
// reports an alloc-dealloc mismatch.
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }

namespace waku::sim {
namespace {

struct Counted {
  std::uint64_t allocations{0};
  std::uint64_t events{0};
};

Counted run(Duration duration) {
  auto simulation = Simulation::create(test_scenarios::community(120, 4, duration), SimOptions{});
  EXPECT_TRUE(simulation.has_value());
  const std::uint64_t before = allocations.load();
  const RunResult result = (*simulation)->run();
  EXPECT_GT(result.deliveries, 0U);
  return Counted{allocations.load() - before, result.events};
}

TEST(Allocations, FewerThanOneInTwentyEventsOnceWarm) {
  const Counted short_run = run(2min);
  const Counted long_run = run(4min);
  ASSERT_GT(long_run.events, short_run.events + 100'000);
  const double per_event = static_cast<double>(long_run.allocations - short_run.allocations) /
                           static_cast<double>(long_run.events - short_run.events);
  // Before the RPC recycler: 3.2 per event. What remains is per heartbeat or per publication
  // (score decay, message-cache windows, IWANT promises, each new message) and amortised growth.
  EXPECT_LT(per_event, 0.05) << long_run.allocations - short_run.allocations << " allocations in "
                             << long_run.events - short_run.events << " events";
  std::printf("allocations per event once warm: %.4f\n", per_event);
}

}  // namespace
}  // namespace waku::sim
