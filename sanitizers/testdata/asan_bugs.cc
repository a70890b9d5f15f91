// Memory bugs for AddressSanitizer, one per command-line argument. Each bug sits
// in its own noinline function called from run_case() so the meaningful top of
// the stack is "bug_* > run_case > main" under gcc and clang, -O0 and -O2.
// Built and run by sanitizers/real_programs_test.cc.
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

#include <cstdlib>
#include <cstring>
#include <string>

#define NOINLINE __attribute__((noinline))

static volatile int g_sink;
int g_global[4];
int* volatile g_null = nullptr;
void* volatile g_escaped;

// Stores `p` where the optimiser cannot see, so malloc/free pairs stay.
NOINLINE void escape(void* p) { g_escaped = p; }

struct Widget {
  int value[4];
};

NOINLINE void bug_heap_use_after_free() {
  int* p = static_cast<int*>(std::malloc(4 * sizeof(int)));
  std::free(p);
  g_sink = p[1];
}

NOINLINE void bug_heap_buffer_overflow() {
  int* p = static_cast<int*>(std::malloc(4 * sizeof(int)));
  escape(p);
  volatile int i = 4;
  g_sink = p[i];
  std::free(p);
}

NOINLINE void bug_stack_buffer_overflow() {
  int a[4] = {g_sink, g_sink + 1, g_sink + 2, g_sink + 3};
  escape(a);
  volatile int i = 5;
  g_sink = a[i];
}

NOINLINE void bug_global_buffer_overflow() {
  volatile int i = 4;
  g_sink = g_global[i];
}

NOINLINE int* escape_local() {
  int local[4] = {1, 2, 3, 4};
  int* volatile p = local;
  return p;
}

NOINLINE void bug_stack_use_after_return() {
  int* p = escape_local();
  g_sink = p[1];
}

NOINLINE void bug_stack_use_after_scope() {
  int* volatile p = nullptr;
  {
    int inner[4] = {g_sink, 2, 3, 4};
    escape(inner);
    p = inner;
    g_sink = p[0];
  }
  g_sink = p[2];
}

NOINLINE void bug_double_free() {
  char* p = static_cast<char*>(std::malloc(16));
  escape(p);
  std::free(p);
  std::free(p);
}

NOINLINE void bug_bad_free() {
  static char buffer[16];
  char* volatile p = buffer + 1;
  std::free(p);
}

NOINLINE void bug_alloc_dealloc_mismatch() {
  Widget* w = new Widget();
  escape(w);
  g_sink = w->value[0];
  std::free(w);
}

NOINLINE void bug_segv() { *g_null = 42; }

NOINLINE int recurse(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  int below = recurse(depth + 1);
  return below + frame[0];
}

NOINLINE void bug_stack_overflow() { g_sink = recurse(0); }

NOINLINE void bug_container_overflow() {
  int* p = static_cast<int*>(std::malloc(8 * sizeof(int)));
  __sanitizer_annotate_contiguous_container(p, p + 8, p + 8, p + 4);  // capacity 8, size 4
  volatile int i = 5;
  g_sink = p[i];
}

NOINLINE void bug_use_after_poison() {
  char* p = static_cast<char*>(std::malloc(64));
  ASAN_POISON_MEMORY_REGION(p + 32, 32);
  volatile int i = 40;
  g_sink = p[i];
}

NOINLINE void bug_leak() {
  void* p = std::malloc(1234);
  std::memset(p, 1, 1234);
  escape(p);
  g_escaped = nullptr;
}

struct Case {
  const char* name;
  void (*run)();
};

const Case k_cases[] = {
    {"heap-use-after-free", bug_heap_use_after_free},
    {"heap-buffer-overflow", bug_heap_buffer_overflow},
    {"stack-buffer-overflow", bug_stack_buffer_overflow},
    {"global-buffer-overflow", bug_global_buffer_overflow},
    {"stack-use-after-return", bug_stack_use_after_return},
    {"stack-use-after-scope", bug_stack_use_after_scope},
    {"double-free", bug_double_free},
    {"bad-free", bug_bad_free},
    {"alloc-dealloc-mismatch", bug_alloc_dealloc_mismatch},
    {"segv", bug_segv},
    {"stack-overflow", bug_stack_overflow},
    {"container-overflow", bug_container_overflow},
    {"use-after-poison", bug_use_after_poison},
    {"leak", bug_leak},
};

NOINLINE int run_case(const char* name) {
  for (const Case& c : k_cases) {
    if (std::strcmp(c.name, name) == 0) {
      c.run();
      return 0;
    }
  }
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int status = run_case(argv[1]);
  return status;
}
