// Logging for the real host: leveled lines on stderr, in nwaku's level names (TRACE, DEBUG, INFO,
// NOTICE, WARN, ERROR, FATAL). One process-wide level, set once at start-up from --log-level.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

#include "waku/base/result.hpp"

namespace waku::runtime {

enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kNotice, kWarn, kError, kFatal };

Result<LogLevel> parse_log_level(std::string_view name);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void write_log_line(LogLevel level, std::string_view line);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (!log_enabled(level)) return;
  write_log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace waku::runtime
