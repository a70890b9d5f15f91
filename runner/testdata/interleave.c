// Alternates lines on stdout and stderr ("out N" / "err N"), 5 ms apart.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char line[32];
  for (int i = 0; i < 6; ++i) {
    snprintf(line, sizeof line, "out %d\n", i);
    if (write(1, line, strlen(line)) < 0) return 1;
    usleep(5000);
    snprintf(line, sizeof line, "err %d\n", i);
    if (write(2, line, strlen(line)) < 0) return 1;
    usleep(5000);
  }
  return 0;
}
