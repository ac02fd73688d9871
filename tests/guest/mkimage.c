/* mkimage FILE BLOCKS [BS]: writes a disk image whose block N holds the
 * pattern of pattern.h (the 64-bit word 0xFC5E0000_00000000|N, little-endian,
 * repeated). Built and run on the host by run-guest.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pattern.h"

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s FILE BLOCKS [BS=512]\n", argv[0]);
    return 2;
  }
  unsigned long long blocks = strtoull(argv[2], NULL, 0);
  size_t bs = argc == 4 ? strtoul(argv[3], NULL, 0) : 512;
  if (blocks == 0 || bs < 8 || bs % 8) {
    fprintf(stderr, "mkimage: bad BLOCKS or BS\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "wb");
  if (!f) {
    fprintf(stderr, "mkimage: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  unsigned char *buf = malloc(bs);
  for (unsigned long long n = 0; n < blocks; n++) {
    fctest_fill(buf, bs, n);
    if (fwrite(buf, 1, bs, f) != bs) {
      fprintf(stderr, "mkimage: write: %s\n", strerror(errno));
      return 1;
    }
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "mkimage: close: %s\n", strerror(errno));
    return 1;
  }
  free(buf);
  return 0;
}
