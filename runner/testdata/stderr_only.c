// Writes only to stderr, then exits 0.
#include <stdio.h>

int main(void) {
  fputs("only stderr\n", stderr);
  return 0;
}
