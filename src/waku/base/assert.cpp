#include "waku/base/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace waku::detail {

void assertion_failed(const char* expression, const char* file, int line,
                      const char* message) noexcept {
  // stderr is the one output an assertion may use: the process is about to stop.
  std::fprintf(stderr, "%s:%d: assertion failed: %s%s%s\n", file, line, expression,
               message != nullptr ? ": " : "", message != nullptr ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace waku::detail
