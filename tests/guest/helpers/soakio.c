/* soakio: the guest side of the soak (tests/guest/suites/soak.sh).
 *
 *   soakio DEV --seed S --seconds T [--workers W] [--region B] [--guard G]
 *              [--max-blocks M] [--write-pct P]
 *
 * W worker processes (default 4) each own a region of B blocks (default
 * 3072): worker w's region starts at LBA G + w * (B + G) (G default 64), so
 * regions never touch and the block layer cannot merge two workers'
 * requests. Each worker issues one O_DIRECT request at a time (W in flight
 * in all), for T seconds: with probability P% (default 50) a write, else a
 * read, of 1..M blocks (default 16) at a random LBA of its region, from a
 * generator seeded with S and w. Nothing outside the regions is ever read
 * or written.
 *
 * Sector format (512 bytes, eight-byte little-endian words; the host
 * checker, tests/guest/soak_check.py, recomputes it):
 *   word 0   SOAK_MAGIC
 *   word 1   the LBA
 *   word 2   the write id: (w + 1) << 40 | n for the worker's n-th write (n >= 1)
 *   word 3   S (the run's seed)
 *   word k   (4 <= k < 64) id ^ lba * K1 ^ k * K2 (mod 2^64)
 * A sector is "valid with id I" only if every word is right. A block never
 * written holds the image pattern (pattern.h), reported as id 0.
 *
 * Each worker keeps a model: the id of the last write to each of its blocks
 * that the device acknowledged. It writes one line per request to
 * /tmp/soak.W.log; the parent prints every worker's log between
 * SOAK-LOG-BEGIN and SOAK-LOG-END when all are done:
 *   W w id lba n rc us                  a write (rc: 0 or the errno)
 *   R w n lba n rc us k [lba=obs ...]   a read; k blocks differed from the
 *                                       model (each listed): obs is the
 *                                       valid id read (hex), I for the image
 *                                       pattern, X for anything else
 *   E w ops writes reads write_errors read_errors max_us
 * While they run the parent prints, every 2 s,
 *   SOAK-ALIVE t=S ops=N
 * and finally SOAK-DONE ops=N seconds=S. Exit status: 0 when every worker
 * ran to the end (whatever the device said), 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pattern.h"

#define BS 512
#define WORDS (BS / 8)
#define SOAK_MAGIC 0x4B414F535346ULL /* "FSSOAK" */
#define K1 0x9E3779B97F4A7C15ULL
#define K2 0xD1B54A32D192ED03ULL
#define MAX_BLOCKS 256 /* the largest --max-blocks; a read lists every block that differs */

struct opts {
  const char *dev;
  uint64_t seed;
  double seconds;
  unsigned workers, max_blocks, write_pct;
  uint64_t region, guard;
};

static void usage(void) {
  fprintf(stderr,
          "usage: soakio DEV --seed S --seconds T [--workers W] [--region B] [--guard G]\n"
          "              [--max-blocks M] [--write-pct P]\n");
  exit(2);
}

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void fill_sector(uint64_t *w, uint64_t lba, uint64_t id, uint64_t seed) {
  w[0] = SOAK_MAGIC;
  w[1] = lba;
  w[2] = id;
  w[3] = seed;
  for (uint64_t k = 4; k < WORDS; k++) w[k] = id ^ (lba * K1) ^ (k * K2);
}

/* The id a block holds: a valid sector's id, 0 for the image pattern,
 * UINT64_MAX for anything else. */
static uint64_t classify(const uint64_t *w, uint64_t lba, uint64_t seed) {
  if (fctest_classify((const unsigned char *)w, BS, lba) == 'G') return 0;
  if (w[0] != SOAK_MAGIC || w[1] != lba || w[3] != seed || w[2] == 0) return UINT64_MAX;
  uint64_t want[WORDS];
  fill_sector(want, lba, w[2], seed);
  return memcmp(want, w, BS) == 0 ? w[2] : UINT64_MAX;
}

/* One line, one write(2): lines of different workers never interleave. */
static void emit(int fd, const char *line, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, line, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    line += n;
    len -= (size_t)n;
  }
}

static int worker(const struct opts *o, unsigned w, int dev, volatile uint64_t *ops_done,
                  double deadline) {
  char path[64];
  snprintf(path, sizeof(path), "/tmp/soak.%u.log", w);
  int log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log < 0) return 1;
  uint64_t rng = o->seed ^ ((uint64_t)(w + 1) * 0xA0761D6478BD642FULL);
  const uint64_t start = o->guard + w * (o->region + o->guard);
  uint64_t *model = calloc(o->region, sizeof(uint64_t));
  uint64_t *buf;
  if (!model || posix_memalign((void **)&buf, 4096, (size_t)o->max_blocks * BS)) return 1;
  uint64_t writes = 0, reads = 0, werr = 0, rerr = 0, max_us = 0;
  char line[64 + MAX_BLOCKS * 32];
  while (now_s() < deadline) {
    const unsigned n = 1 + (unsigned)(splitmix64(&rng) % o->max_blocks);
    const uint64_t lba = start + splitmix64(&rng) % (o->region - n + 1);
    const int is_write = splitmix64(&rng) % 100 < o->write_pct;
    const size_t len = (size_t)n * BS;
    uint64_t id = 0;
    if (is_write) {
      id = ((uint64_t)(w + 1) << 40) | ++writes;
      for (unsigned i = 0; i < n; i++) fill_sector(buf + i * WORDS, lba + i, id, o->seed);
    } else {
      memset(buf, FCTEST_POISON, len);
      reads++;
    }
    const double t0 = now_s();
    ssize_t got = is_write ? pwrite(dev, buf, len, (off_t)(lba * BS))
                           : pread(dev, buf, len, (off_t)(lba * BS));
    int rc = got < 0 ? errno : ((size_t)got == len ? 0 : EIO);
    const uint64_t us = (uint64_t)((now_s() - t0) * 1e6);
    if (us > max_us) max_us = us;
    int l;
    if (is_write) {
      if (rc == 0) {
        for (unsigned i = 0; i < n; i++) model[lba - start + i] = id;
      } else {
        werr++;
      }
      l = snprintf(line, sizeof(line), "W %u %" PRIx64 " %" PRIu64 " %u %d %" PRIu64 "\n", w, id,
                   lba, n, rc, us);
    } else {
      unsigned differ = 0;
      char list[MAX_BLOCKS * 32];
      size_t ll = 0;
      if (rc == 0) {
        for (unsigned i = 0; i < n; i++) {
          const uint64_t obs = classify(buf + i * WORDS, lba + i, o->seed);
          if (obs == model[lba - start + i]) continue;
          differ++;
          if (obs == UINT64_MAX)
            ll += snprintf(list + ll, sizeof(list) - ll, " %" PRIu64 "=X", lba + i);
          else if (obs == 0)
            ll += snprintf(list + ll, sizeof(list) - ll, " %" PRIu64 "=I", lba + i);
          else
            ll += snprintf(list + ll, sizeof(list) - ll, " %" PRIu64 "=%" PRIx64, lba + i, obs);
        }
      } else {
        rerr++;
      }
      list[ll] = '\0';
      l = snprintf(line, sizeof(line), "R %u %" PRIu64 " %" PRIu64 " %u %d %" PRIu64 " %u%s\n", w,
                   reads, lba, n, rc, us, differ, list);
    }
    emit(log, line, (size_t)l);
    __atomic_add_fetch(ops_done, 1, __ATOMIC_RELAXED);
  }
  int l = snprintf(line, sizeof(line),
                   "E %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                   w, writes + reads, writes, reads, werr, rerr, max_us);
  emit(log, line, (size_t)l);
  close(log);
  return 0;
}

static uint64_t num(const char *s) {
  char *end;
  errno = 0;
  uint64_t v = strtoull(s, &end, 0);
  if (errno || *end || end == s) usage();
  return v;
}

int main(int argc, char **argv) {
  struct opts o = {0};
  o.workers = 4;
  o.region = 3072;
  o.guard = 64;
  o.max_blocks = 16;
  o.write_pct = 50;
  int have_seed = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') {
      if (o.dev) usage();
      o.dev = a;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--seed")) o.seed = num(v), have_seed = 1;
    else if (!strcmp(a, "--seconds")) o.seconds = atof(v);
    else if (!strcmp(a, "--workers")) o.workers = (unsigned)num(v);
    else if (!strcmp(a, "--region")) o.region = num(v);
    else if (!strcmp(a, "--guard")) o.guard = num(v);
    else if (!strcmp(a, "--max-blocks")) o.max_blocks = (unsigned)num(v);
    else if (!strcmp(a, "--write-pct")) o.write_pct = (unsigned)num(v);
    else usage();
  }
  if (!o.dev || !have_seed || o.seconds <= 0 || o.workers == 0 || o.workers > 64 ||
      o.max_blocks == 0 || o.max_blocks > MAX_BLOCKS || o.region < o.max_blocks || o.write_pct > 100)
    usage();
  int dev = open(o.dev, O_RDWR | O_DIRECT);
  if (dev < 0) {
    fprintf(stderr, "soakio: %s: %s\n", o.dev, strerror(errno));
    return 1;
  }
  int ssz = 0;
  uint64_t bytes = 0;
  if (ioctl(dev, BLKSSZGET, &ssz) || ssz != BS || ioctl(dev, BLKGETSIZE64, &bytes)) {
    fprintf(stderr, "soakio: %s: need a %d-byte-sector block device (got %d)\n", o.dev, BS, ssz);
    return 1;
  }
  const uint64_t need = o.guard + o.workers * (o.region + o.guard);
  if (bytes / BS < need) {
    fprintf(stderr, "soakio: %s has %" PRIu64 " blocks; the regions need %" PRIu64 "\n", o.dev,
            bytes / BS, need);
    return 1;
  }
  printf("SOAK-START dev=%s seed=%" PRIu64 " seconds=%.1f workers=%u region=%" PRIu64
         " guard=%" PRIu64 " max_blocks=%u write_pct=%u\n",
         o.dev, o.seed, o.seconds, o.workers, o.region, o.guard, o.max_blocks, o.write_pct);
  fflush(stdout);
  volatile uint64_t *ops = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (ops == MAP_FAILED) return 1;
  const double t0 = now_s(), deadline = t0 + o.seconds;
  for (unsigned w = 0; w < o.workers; w++) {
    pid_t p = fork();
    if (p < 0) return 1;
    if (p == 0) _exit(worker(&o, w, dev, ops, deadline));
  }
  unsigned left = o.workers, bad = 0;
  double next = t0 + 2;
  while (left > 0) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p > 0) {
      left--;
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
      continue;
    }
    usleep(100000);
    if (now_s() >= next) {
      printf("SOAK-ALIVE t=%.0f ops=%" PRIu64 "\n", now_s() - t0, *ops);
      fflush(stdout);
      next += 2;
    }
  }
  printf("SOAK-LOG-BEGIN\n");
  fflush(stdout);
  for (unsigned w = 0; w < o.workers; w++) {
    char path[64], chunk[65536];
    snprintf(path, sizeof(path), "/tmp/soak.%u.log", w);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      bad++;
      continue;
    }
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) emit(1, chunk, (size_t)n);
    close(fd);
  }
  printf("SOAK-LOG-END\nSOAK-DONE ops=%" PRIu64 " seconds=%.1f failed_workers=%u\n", *ops,
         now_s() - t0, bad);
  fflush(stdout);
  return bad ? 1 : 0;
}
