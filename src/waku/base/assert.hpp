// Always-on assertions for broken invariants.
//
// WAKU_ASSERT stays enabled in every build type (release included): a broken invariant in a
// protocol core is a bug that must stop the process loudly rather than corrupt state. Never use it
// for input that comes from a peer, a user or a file: such input returns a Result or changes peer
// state (see ARCHITECTURE.md, "Errors and assertions").
#pragma once

namespace waku::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line,
                                   const char* message) noexcept;
}  // namespace waku::detail

#define WAKU_ASSERT(condition)                                                   \
  do {                                                                           \
    if (!(condition)) [[unlikely]] {                                             \
      ::waku::detail::assertion_failed(#condition, __FILE__, __LINE__, nullptr); \
    }                                                                            \
  } while (false)

#define WAKU_ASSERT_MSG(condition, message)                                        \
  do {                                                                             \
    if (!(condition)) [[unlikely]] {                                               \
      ::waku::detail::assertion_failed(#condition, __FILE__, __LINE__, (message)); \
    }                                                                              \
  } while (false)

#define WAKU_UNREACHABLE() \
  ::waku::detail::assertion_failed("unreachable", __FILE__, __LINE__, nullptr)
