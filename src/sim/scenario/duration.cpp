// Durations as scenario files and the command line write them: "1h30m", "90s", "250ms", "1.5h".
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "sim/scenario/scenario.hpp"

namespace waku::sim {

namespace {

__extension__ using Uint128 = unsigned __int128;  // exact products of counts and units

struct Unit {
  std::string_view suffix;
  std::int64_t nanoseconds;
};
// Longer suffixes first so that "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ms", 1'000'000},        {"us", 1'000},         {"ns", 1},
    {"h", 3'600'000'000'000}, {"m", 60'000'000'000}, {"s", 1'000'000'000},
};

Unexpected duration_error(std::string_view text, std::string why) {
  return unexpected(make_error(
      Errc::kInvalidArgument, "duration",
      fmt::format("\"{}\": {} (expected e.g. \"1h30m\", \"90s\", \"250ms\")", text, why)));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return duration_error(text, "empty");
  if (text == "0") return Duration{0};
  constexpr auto kMax = static_cast<Uint128>(std::numeric_limits<std::int64_t>::max());
  Uint128 total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_start = i;
    Uint128 whole = 0;
    while (i < text.size() && is_digit(text[i])) {
      whole = whole * 10 + static_cast<unsigned>(text[i] - '0');
      if (whole > kMax) return duration_error(text, "too large");
      ++i;
    }
    std::uint64_t fraction = 0;
    std::uint64_t fraction_scale = 1;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && is_digit(text[i])) {
        if (fraction_scale == 1'000'000'000) {
          return duration_error(text, "more than 9 decimals");
        }
        fraction = fraction * 10 + static_cast<unsigned>(text[i] - '0');
        fraction_scale *= 10;
        ++i;
      }
    }
    const bool has_digits =
        i > number_start && !(i == number_start + 1 && text[number_start] == '.');
    if (!has_digits) {
      return duration_error(text, fmt::format("expected a number at offset {}", number_start));
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(i, candidate.suffix.size()) == candidate.suffix) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      return duration_error(
          text, i == text.size()
                    ? std::string("missing unit (h, m, s, ms, us, ns)")
                    : fmt::format("unknown unit at offset {} (use h, m, s, ms, us, ns)", i));
    }
    i += unit->suffix.size();
    const auto unit_ns = static_cast<Uint128>(unit->nanoseconds);
    total += whole * unit_ns + static_cast<Uint128>(fraction) * unit_ns / fraction_scale;
    if (total > kMax) return duration_error(text, "too large");
  }
  return Duration{static_cast<std::int64_t>(total)};
}

std::string format_duration(Duration duration) {
  if (duration.count() == 0) return "0s";
  std::string out;
  std::int64_t rest = duration.count();
  if (rest < 0) {
    out.push_back('-');
    // -(INT64_MIN) overflows; such a value is no real duration, so saturate.
    rest = rest == std::numeric_limits<std::int64_t>::min()
               ? std::numeric_limits<std::int64_t>::max()
               : -rest;
  }
  // Largest unit first, as parse_duration reads them.
  constexpr Unit kOrder[] = {{"h", 3'600'000'000'000}, {"m", 60'000'000'000}, {"s", 1'000'000'000},
                             {"ms", 1'000'000},        {"us", 1'000},         {"ns", 1}};
  for (const Unit& unit : kOrder) {
    const std::int64_t count = rest / unit.nanoseconds;
    rest %= unit.nanoseconds;
    if (count != 0) out += fmt::format("{}{}", count, unit.suffix);
  }
  return out;
}

}  // namespace waku::sim
