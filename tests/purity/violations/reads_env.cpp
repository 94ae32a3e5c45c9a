// Fixture: must be flagged by check_core_purity.sh (never compiled).
#include <cstdlib>
const char* home() { return std::getenv("HOME"); }
