// wakunode: the Waku node and its operator tools.
#include <cstdio>

int main() {
  std::puts("wakunode " WAKU_VERSION);
  return 0;
}
