// Sleeps until killed. With an argument, first writes its pid to that file.
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1) {
    FILE* f = fopen(argv[1], "w");
    if (!f) return 2;
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
  }
  printf("sleeping\n");
  fflush(stdout);
  for (;;) pause();
}
