// An exception nobody catches: std::terminate, then SIGABRT.
// Built by sanitizers/real_programs_test.cc (profile "none").
#include <stdexcept>

#define NOINLINE __attribute__((noinline))

NOINLINE void bug_throw() { throw std::runtime_error("gate table is empty"); }

NOINLINE int run_case() {
  bug_throw();
  return 0;
}

int main() { return run_case(); }
