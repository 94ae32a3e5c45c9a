// Fixture: must be flagged by check_core_purity.sh (never compiled).
void wait() { std::this_thread::sleep_for(std::chrono::seconds(1)); }
