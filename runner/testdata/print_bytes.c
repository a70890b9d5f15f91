// Writes exactly N bytes (argv[1], with optional K/M/G suffix) to stdout, or to
// stderr when argv[2] is "stderr": "BEGIN\n", then 'x's, then "\nEND\n".
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

static unsigned long long parse_size(const char* s) {
  char* end;
  unsigned long long n = strtoull(s, &end, 10);
  if (*end == 'K') n <<= 10;
  if (*end == 'M') n <<= 20;
  if (*end == 'G') n <<= 30;
  return n;
}

static int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  unsigned long long left = parse_size(argv[1]);
  int fd = argc > 2 && strcmp(argv[2], "stderr") == 0 ? 2 : 1;
  if (left < 11) return 2;
  static char buf[1 << 16];
  memset(buf, 'x', sizeof buf);
  if (write_all(fd, "BEGIN\n", 6)) return 1;
  left -= 11;
  while (left > 0) {
    size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
    if (write_all(fd, buf, n)) return 1;
    left -= n;
  }
  return write_all(fd, "\nEND\n", 5) ? 1 : 0;
}
