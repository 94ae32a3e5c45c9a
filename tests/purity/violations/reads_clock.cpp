// Fixture: must be flagged by check_core_purity.sh (never compiled).
#include <chrono>
auto now() { return std::chrono::steady_clock::now(); }
