/* The disk image's known contents, shared by mkimage (host) and sgio (guest).
 * Block N (of BS bytes) holds the 64-bit little-endian word FCTEST_WORD(N)
 * repeated. The magic in the top bits keeps block 0 from being all zeros, so
 * a zero-filled buffer never passes for a good block. */
#ifndef FAULTCORE_TESTS_GUEST_PATTERN_H_
#define FAULTCORE_TESTS_GUEST_PATTERN_H_
#include <stdint.h>
#include <string.h>

#define FCTEST_MAGIC 0xFC5E000000000000ULL
#define FCTEST_WORD(lba) (FCTEST_MAGIC | ((uint64_t)(lba) & 0x0000FFFFFFFFFFFFULL))

static inline void fctest_fill(unsigned char *p, size_t bs, uint64_t lba) {
  uint64_t w = FCTEST_WORD(lba);
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(w >> (8 * i));
  for (size_t off = 0; off + 8 <= bs; off += 8) memcpy(p + off, b, 8);
}

/* 'G' good (the pattern of this LBA), 'P' untouched poison, 'Z' zeros,
 * 'O' the pattern of another LBA, 'X' anything else. */
#define FCTEST_POISON 0xA5
static inline char fctest_classify(const unsigned char *p, size_t bs, uint64_t lba) {
  uint64_t w;
  size_t i;
  int all_poison = 1, all_zero = 1;
  for (i = 0; i < bs; i++) {
    if (p[i] != FCTEST_POISON) all_poison = 0;
    if (p[i] != 0) all_zero = 0;
  }
  if (all_poison) return 'P';
  if (all_zero) return 'Z';
  memcpy(&w, p, 8); /* little-endian host and guest (x86-64) */
  for (i = 8; i + 8 <= bs; i += 8)
    if (memcmp(p + i, p, 8) != 0) return 'X';
  if (w == FCTEST_WORD(lba)) return 'G';
  if ((w & 0xFFFF000000000000ULL) == FCTEST_MAGIC) return 'O';
  return 'X';
}
#endif
