#include "runtime/node/allocator.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace waku::runtime {

namespace {
// Freed memory kept before glibc trims the heap's top on its own: above a heartbeat window at
// the highest rates measured (see the header), so that only the timer trims under load.
constexpr int kTrimThresholdBytes = 512 << 20;
// Allocations served by mmap: only buffers larger than any frame or message (a fixed value also
// stops glibc from raising it on its own after each large free).
constexpr int kMmapThresholdBytes = 4 << 20;
}  // namespace

void configure_allocator() {
#if defined(__GLIBC__)
  // mallopt is not thread-safe: this runs once at start, before the node starts any thread.
  mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);  // NOLINT(concurrency-mt-unsafe): see above
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);  // NOLINT(concurrency-mt-unsafe): see above
#endif
}

AllocatorTrimmer::AllocatorTrimmer(boost::asio::io_context& io, std::chrono::seconds period)
    : timer_(io), period_(period) {
  arm();
}

void AllocatorTrimmer::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    arm();
  });
}

}  // namespace waku::runtime
