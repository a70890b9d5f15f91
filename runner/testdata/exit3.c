// Writes "out\n" to stdout and "err\n" to stderr, then exits with status 3.
#include <stdio.h>

int main(void) {
  fputs("out\n", stdout);
  fputs("err\n", stderr);
  return 3;
}
