/* Bugs caught by MemorySanitizer, standalone LeakSanitizer, glibc and the
 * kernel (no sanitizer): one per command-line argument, each in a noinline
 * function under run_case(). Built by sanitizers/real_programs_test.cc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static volatile int g_sink;
static volatile int g_zero = 0;
void* volatile g_keep;
int* volatile g_null = NULL;

/* Stores `p` where the optimiser cannot see, so malloc/free pairs stay. */
NOINLINE void escape(void* p) { g_keep = p; }

NOINLINE void bug_uninitialized(void) {
  int* p = malloc(4 * sizeof(int));
  escape(p);
  volatile int i = 2;
  if (p[i] > 10) g_sink = 1;
  free(p);
}

NOINLINE void bug_leak(void) {
  void* p = malloc(4321);
  memset(p, 2, 4321);
  escape(p);
  g_keep = NULL;
}

NOINLINE void bug_glibc_double_free(void) {
  char* p = malloc(24);
  char* volatile q = p;
  free(p);
  free(q);
}

NOINLINE void bug_stack_smashing(const char* text) {
  char buffer[8];
  volatile size_t n = strlen(text);
  memcpy(buffer, text, n);
  g_sink = buffer[0];
}

NOINLINE void bug_null_write(void) {
  *g_null = 1;
}

NOINLINE void bug_divide(void) { g_sink = 7 / g_zero; }

NOINLINE int run_case(const char* name) {
  if (strcmp(name, "uninitialized") == 0) bug_uninitialized();
  else if (strcmp(name, "leak") == 0) bug_leak();
  else if (strcmp(name, "glibc-double-free") == 0) bug_glibc_double_free();
  else if (strcmp(name, "stack-smashing") == 0) bug_stack_smashing("this text is far longer than eight bytes");
  else if (strcmp(name, "segv") == 0) bug_null_write();
  else if (strcmp(name, "sigfpe") == 0) bug_divide();
  else return 2;
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  return run_case(argv[1]);
}
