// Undefined behaviour for UBSan, one per command-line argument, each in a
// noinline function under run_case(). Values come through volatiles so -O2
// cannot fold the faults away. Built by sanitizers/real_programs_test.cc.
#include <climits>
#include <cstdlib>
#include <cstring>

#define NOINLINE __attribute__((noinline))

static volatile int g_sink;
static volatile int g_int_max = INT_MAX;
static volatile int g_zero = 0;
static volatile int g_shift = 40;
static volatile int g_index = 7;

struct HandleSet {
  int count = 0;
  NOINLINE int allocate() { return ++count; }
};

HandleSet* volatile g_null_set = nullptr;

NOINLINE void bug_signed_overflow() { g_sink = g_int_max + 1; }
NOINLINE void bug_division_by_zero() { g_sink = 100 / g_zero; }
NOINLINE void bug_shift() { g_sink = 1 << g_shift; }

NOINLINE void bug_index() {
  int a[4] = {1, 2, 3, 4};
  g_sink = a[g_index];
}

NOINLINE void bug_null_load() {
  int* volatile p = nullptr;
  g_sink = *p;
}

NOINLINE void bug_member_call_on_null() { g_sink = g_null_set->allocate(); }

NOINLINE void bug_misaligned() {
  alignas(8) char buffer[16] = {};
  char* volatile base = buffer;
  int* p = reinterpret_cast<int*>(base + 1);
  g_sink = *p;
}

NOINLINE void bug_invalid_bool() {
  unsigned char raw = 7;
  bool b;
  std::memcpy(&b, &raw, 1);
  volatile bool* vb = &b;
  g_sink = *vb ? 1 : 0;
}

NOINLINE void bug_vla_bound() {
  volatile int n = -3 + g_zero;
  int vla[n];
  vla[0] = 1;
  g_sink = vla[0];
}

NOINLINE int bug_missing_return_impl(int x) {
  if (x > 100) return x;
#pragma GCC diagnostic ignored "-Wreturn-type"
}
NOINLINE void bug_missing_return() { g_sink = bug_missing_return_impl(g_zero); }

struct Case {
  const char* name;
  void (*run)();
};

const Case k_cases[] = {
    {"signed-integer-overflow", bug_signed_overflow},
    {"division-by-zero", bug_division_by_zero},
    {"shift-out-of-bounds", bug_shift},
    {"index-out-of-bounds", bug_index},
    {"null-load", bug_null_load},
    {"member-call-on-null", bug_member_call_on_null},
    {"misaligned-access", bug_misaligned},
    {"invalid-bool-load", bug_invalid_bool},
    {"vla-bound", bug_vla_bound},
    {"missing-return", bug_missing_return},
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
  return run_case(argv[1]);
}
