// Dies of SIGSEGV in a second thread, two named frames deep, printing nothing:
// the release-build crash whose stack only a core file keeps. Built with -g -O0
// so gdb names crash_here (line 9) and worker (line 13).
#include <pthread.h>
#include <stddef.h>

__attribute__((noinline)) void crash_here(volatile int* p);

__attribute__((noinline)) void crash_here(volatile int* p) { *p = 42; }

static void* worker(void* arg) {
  (void)arg;
  crash_here(NULL);
  return NULL;
}

int main(void) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, worker, NULL) != 0) return 3;
  pthread_join(thread, NULL);
  return 0;
}
