// A property a fuzz target checks: a failure aborts, which libFuzzer reports with the input.
// (assert would vanish from a build with NDEBUG.)
#pragma once

#include <cstdlib>

#define FUZZ_CHECK(condition)       \
  do {                              \
    if (!(condition)) std::abort(); \
  } while (false)
