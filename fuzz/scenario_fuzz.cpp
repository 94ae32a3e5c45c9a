// Scenario files are user input: any text must give a Scenario or a clear error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/scenario/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto scenario = waku::sim::parse_scenario(text, "fuzz");
  if (scenario) {
    (void)scenario->validate();
    scenario->scale_to(1 + scenario->node_count() % 1000);
  }
  return 0;
}
