// Alternates lines on stdout and stderr ("out N" / "err N"). After each line it
// waits until the reader has taken it (FIONREAD on the pipe reads 0; at most 5 s),
// so the next line arrives strictly after it whatever the reader's scheduling: a
// fixed pause let a slow reader (ThreadSanitizer, a loaded machine) find both pipes
// ready at once, and no order of arrival exists then.
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void wait_until_read(int fd) {
  for (int waited_ms = 0; waited_ms < 5000; ++waited_ms) {
    int unread = 0;
    if (ioctl(fd, FIONREAD, &unread) != 0 || unread == 0) return;
    usleep(1000);
  }
}

static int put_line(int fd, const char* stream, int i) {
  char line[32];
  snprintf(line, sizeof line, "%s %d\n", stream, i);
  if (write(fd, line, strlen(line)) < 0) return -1;
  wait_until_read(fd);
  return 0;
}

int main(void) {
  for (int i = 0; i < 6; ++i) {
    if (put_line(1, "out", i) != 0 || put_line(2, "err", i) != 0) return 1;
  }
  return 0;
}
