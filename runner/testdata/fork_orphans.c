// Forks grandchildren that outlive it, each writing its pid to DIR/pid.N:
//   pid.1 stays in the process group and sleeps;
//   pid.2 ignores SIGTERM and sleeps;
//   pid.3 calls setsid() (leaves the group) and sleeps;
//   pid.4 forks again (a great-grandchild, pid.5) then sleeps.
// All keep stdout open. Usage: fork_orphans DIR [hang]. Without "hang" the parent
// exits 0 once every pid file is written; with it, it sleeps too.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* g_dir;

static void write_pid(int n) {
  char path[4096], tmp[4096];
  snprintf(path, sizeof path, "%s/pid.%d", g_dir, n);
  snprintf(tmp, sizeof tmp, "%s/.pid.%d", g_dir, n);
  FILE* f = fopen(tmp, "w");
  if (!f) _exit(2);
  fprintf(f, "%d\n", (int)getpid());
  fclose(f);
  rename(tmp, path);
}

static void sleep_forever(void) {
  for (;;) pause();
}

static int spawn(int n) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid > 0) return 0;
  if (n == 2) signal(SIGTERM, SIG_IGN);
  if (n == 3) setsid();
  if (n == 4) {
    if (fork() == 0) {
      write_pid(5);
      sleep_forever();
    }
  }
  write_pid(n);
  printf("grandchild %d\n", n);
  fflush(stdout);
  sleep_forever();
  return 0;
}

static int all_written(void) {
  for (int n = 1; n <= 5; ++n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/pid.%d", g_dir, n);
    if (access(path, F_OK) != 0) return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  g_dir = argv[1];
  for (int n = 1; n <= 4; ++n)
    if (spawn(n) != 0) return 1;
  while (!all_written()) usleep(1000);
  printf("forked\n");
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "hang") == 0) sleep_forever();
  return 0;
}
