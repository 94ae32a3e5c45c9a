// Fixture: must be flagged by check_core_purity.sh (never compiled).
#include <boost/asio.hpp>
