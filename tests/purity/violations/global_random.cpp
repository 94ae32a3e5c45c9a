// Fixture: must be flagged by check_core_purity.sh (never compiled).
#include <random>
int roll() { std::random_device device; return static_cast<int>(device()); }
