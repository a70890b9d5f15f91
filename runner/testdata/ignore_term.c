// Ignores SIGTERM (and SIGINT), says so, then sleeps until SIGKILL.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  printf("ignoring SIGTERM\n");
  fflush(stdout);
  for (;;) pause();
}
