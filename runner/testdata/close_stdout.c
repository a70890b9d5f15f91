// Says goodbye, closes stdout and stderr, and keeps running until killed.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  fputs("bye\n", stdout);
  fflush(stdout);
  close(1);
  close(2);
  for (;;) pause();
}
