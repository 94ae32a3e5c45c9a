#include "runtime/node/log.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>

namespace waku::runtime {

namespace {

constexpr std::array<std::string_view, 7> kLevelNames{"TRACE", "DEBUG", "INFO", "NOTICE",
                                                      "WARN",  "ERROR", "FATAL"};
std::atomic<LogLevel> g_level{LogLevel::kInfo};

}  // namespace

Result<LogLevel> parse_log_level(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "WARNING") upper = "WARN";
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == upper) return static_cast<LogLevel>(i);
  }
  Error error{Errc::kInvalidArgument, "log level"};
  error.detail = fmt::format(
      "unknown log level '{}' (TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, "
      "FATAL)",
      name);
  return unexpected(std::move(error));
}

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }

bool log_enabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

void write_log_line(LogLevel level, std::string_view line) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  // One fprintf per line: stderr is unbuffered, so lines from the REST and worker threads do not
  // interleave mid-line.
  std::fprintf(stderr, "%s %lld.%03lld %.*s\n", kLevelNames[static_cast<std::size_t>(level)].data(),
               static_cast<long long>(ms / 1000), static_cast<long long>(ms % 1000),
               static_cast<int>(line.size()), line.data());
}

}  // namespace waku::runtime
