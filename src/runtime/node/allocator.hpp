// How the node's process uses glibc malloc.
//
// A relaying node keeps every message it relays for a few heartbeats (the gossipsub message
// cache) and drops a whole heartbeat window at once: at 70,000 messages/s that is ~250 MB
// freed and allocated again every second. glibc returns the top of the heap to the kernel as
// soon as more than M_TRIM_THRESHOLD (128 KiB by default) is free there, so under load the
// kernel spends its time zeroing the same pages again (`clear_page` was the largest single
// entry in the relay-chain benchmark's profile). Keeping freed memory in the process while
// traffic flows, and returning it on a timer, removes that churn and still gives memory back
// to the system within kAllocatorTrimPeriod of a burst (docs/decisions.md, "glibc malloc").
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace waku::runtime {

// Raises glibc's trim threshold and fixes its mmap threshold; call once at start, before the
// node allocates. No-op on other C libraries.
void configure_allocator();

// How often a running node returns free heap memory to the kernel.
inline constexpr std::chrono::seconds kAllocatorTrimPeriod{30};

// Returns free heap memory to the kernel every `period` (malloc_trim), for as long as it lives.
class AllocatorTrimmer {
 public:
  AllocatorTrimmer(boost::asio::io_context& io, std::chrono::seconds period);
  AllocatorTrimmer(const AllocatorTrimmer&) = delete;
  AllocatorTrimmer& operator=(const AllocatorTrimmer&) = delete;

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::seconds period_;
};

}  // namespace waku::runtime
