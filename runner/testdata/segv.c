// Dies of SIGSEGV. With "core" as argument, first raises RLIMIT_CORE so the
// kernel writes a core file (into the working directory with core_pattern "core").
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "core") == 0) {
    struct rlimit limit = {RLIM_INFINITY, RLIM_INFINITY};
    if (getrlimit(RLIMIT_CORE, &limit) == 0) {
      limit.rlim_cur = limit.rlim_max;
      setrlimit(RLIMIT_CORE, &limit);
    }
  }
  fprintf(stderr, "about to crash\n");
  *(volatile int*)0 = 1;
  return 0;
}
