// malloc_counter: an LD_PRELOAD library that counts malloc calls and prints the count to stderr
// at exit ("MALLOC_CALLS n"). Used to measure allocations per relayed message in the relay chain
// (docs/benchmarks.md):
//
//   gcc -O2 -shared -fPIC bench/malloc_counter.c -o /tmp/malloc_counter.so
//   LD_PRELOAD=/tmp/malloc_counter.so build/release/apps/wakunode/wakunode ...
//
// operator new goes through malloc, so C++ allocations are counted too.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

extern void* __libc_malloc(size_t size);

static unsigned long malloc_calls;

void* malloc(size_t size) {
  __atomic_fetch_add(&malloc_calls, 1, __ATOMIC_RELAXED);
  return __libc_malloc(size);
}

__attribute__((destructor)) static void report(void) {
  char line[64];
  const int length = snprintf(line, sizeof line, "MALLOC_CALLS %lu\n", malloc_calls);
  if (length > 0) (void)write(STDERR_FILENO, line, (size_t)length);
}
