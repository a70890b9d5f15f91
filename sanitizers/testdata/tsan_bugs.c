/* Threading bugs for ThreadSanitizer, one per command-line argument, each in a
 * noinline function under run_case(). Sleeps order the threads so each report
 * appears on every run. Built by sanitizers/real_programs_test.cc. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static int g_counter;
static int* g_shared;
static volatile int g_sink;

NOINLINE void racy_increment(void) { g_counter++; }

static void* race_thread(void* arg) {
  (void)arg;
  racy_increment();
  return NULL;
}

NOINLINE void bug_data_race(void) {
  pthread_t t;
  pthread_create(&t, NULL, race_thread, NULL);
  usleep(20000);
  racy_increment();
  pthread_join(t, NULL);
}

NOINLINE void read_shared(void) { g_sink = g_shared[0]; }

static void* late_reader(void* arg) {
  (void)arg;
  usleep(50000);
  read_shared();
  return NULL;
}

NOINLINE void bug_use_after_free(void) {
  g_shared = malloc(16);
  pthread_t t;
  pthread_create(&t, NULL, late_reader, NULL);
  free(g_shared);
  pthread_join(t, NULL);
}

static pthread_mutex_t g_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_b = PTHREAD_MUTEX_INITIALIZER;

NOINLINE void lock_a_then_b(void) {
  pthread_mutex_lock(&g_a);
  pthread_mutex_lock(&g_b);
  pthread_mutex_unlock(&g_b);
  pthread_mutex_unlock(&g_a);
}

NOINLINE void lock_b_then_a(void) {
  pthread_mutex_lock(&g_b);
  pthread_mutex_lock(&g_a);
  pthread_mutex_unlock(&g_a);
  pthread_mutex_unlock(&g_b);
}

NOINLINE void bug_lock_order_inversion(void) {
  lock_a_then_b();
  lock_b_then_a();
}

static void* short_thread(void* arg) { return arg; }

NOINLINE void bug_thread_leak(void) {
  pthread_t t;
  pthread_create(&t, NULL, short_thread, NULL);
  usleep(20000);
}

void* volatile g_escaped;

static void unsafe_handler(int sig) {
  (void)sig;
  void* p = malloc(32);
  g_escaped = p;
  free(p);
}

NOINLINE void bug_signal_unsafe_call(void) {
  signal(SIGUSR1, unsafe_handler);
  raise(SIGUSR1);
  usleep(1000);
}

static void errno_handler(int sig) {
  (void)sig;
  errno = 0;
}

static pthread_t g_main_thread;

static void* signal_sender(void* arg) {
  (void)arg;
  usleep(20000);
  pthread_kill(g_main_thread, SIGUSR1);
  return NULL;
}

/* TSan checks errno only for signals that arrive asynchronously: here while
 * the main thread sleeps. */
NOINLINE void bug_signal_spoils_errno(void) {
  signal(SIGUSR1, errno_handler);
  g_main_thread = pthread_self();
  pthread_t t;
  pthread_create(&t, NULL, signal_sender, NULL);
  usleep(200000);
  pthread_join(t, NULL);
}

NOINLINE void bug_unlock_unlocked(void) {
  pthread_mutex_t m;
  pthread_mutex_init(&m, NULL);
  pthread_mutex_unlock(&m);
  pthread_mutex_destroy(&m);
}

NOINLINE void bug_destroy_locked(void) {
  pthread_mutex_t m;
  pthread_mutex_init(&m, NULL);
  pthread_mutex_lock(&m);
  pthread_mutex_destroy(&m);
}

struct Case {
  const char* name;
  void (*run)(void);
};

static const struct Case k_cases[] = {
    {"data-race", bug_data_race},
    {"heap-use-after-free", bug_use_after_free},
    {"lock-order-inversion", bug_lock_order_inversion},
    {"thread-leak", bug_thread_leak},
    {"signal-unsafe-call", bug_signal_unsafe_call},
    {"signal-handler-spoils-errno", bug_signal_spoils_errno},
    {"unlock-of-unlocked-mutex", bug_unlock_unlocked},
    {"destroy-of-locked-mutex", bug_destroy_locked},
};

NOINLINE int run_case(const char* name) {
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; ++i) {
    if (strcmp(k_cases[i].name, name) == 0) {
      k_cases[i].run();
      return 0;
    }
  }
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  return run_case(argv[1]);
}
