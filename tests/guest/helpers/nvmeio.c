/* nvmeio: NVMe passthrough for the test guest, one machine-readable line per
 * command (like sgio.c for SCSI).
 *
 *   nvmeio read   DEV LBA BLOCKS [--tag NAME] [--timeout-ms N] [--parallel N --stride S]
 *   nvmeio write  DEV LBA BLOCKS [--tag NAME] [--timeout-ms N] [--parallel N --stride S]
 *   nvmeio errlog DEV [ENTRIES] [--tag NAME]   Get Log Page 01h (default: 4 entries)
 *   nvmeio smart  DEV [--tag NAME]             Get Log Page 02h, controller-wide
 *
 * DEV is the namespace's block device (/dev/nvme0n1); admin commands go
 * through it too (the kernel passes NVME_IOCTL_ADMIN_CMD to the controller).
 * read/write: one NVM Read (02h) / Write (01h) through NVME_IOCTL_IO_CMD.
 * Passthrough commands are never retried by Linux (REQ_FAILFAST_DRIVER),
 * so the status is the device's for exactly this command. --parallel N
 * issues N such commands at once from N processes, the i-th (from 0) at
 * LBA + i * S and tagged NAME.i, and ends with
 *   NVMEIO-PARALLEL tag= n= ms=   (the wall time from the first fork to the last exit)
 * Writes write the
 * image pattern (pattern.h). Output:
 *   NVMEIO tag= op= dev= nsid= lba= blocks= bs= ret= errno= status=0x....
 *          sct=0x. sc=0x.. more=. dnr=. result=0x........ good_prefix= map=
 * status is what the ioctl returned (the CQE Status Field without the phase
 * tag: SC bits 7:0, SCT 10:8, CRD 12:11, More 13, DNR 14), '-' if the ioctl
 * failed. map: one letter per block of a read as in sgio.c (G good, P never
 * written, Z zeros, O another LBA's pattern, X other); '-' for writes.
 * errlog: one line per entry, newest first, then a summary:
 *   NVMELOG tag= i= count= sqid= cid= status=0x.... sct=0x. sc=0x.. more=. dnr=.
 *           phase=. pel=0x.... lba= nsid= trtype=
 *   NVMELOG-SUMMARY tag= ret= errno= elpe= valid= newest_count=
 * (valid counts entries with a non-zero Error Count among those read.)
 * smart: NVMESMART tag= ret= errno= critical_warning=0x.. media_errors= err_log_entries=
 *        host_reads= host_writes=
 * Exit status: 0 if the ioctl ran (whatever the NVMe status), 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pattern.h"

static void usage(void) {
  fprintf(stderr,
          "usage: nvmeio read|write DEV LBA BLOCKS [--tag NAME] [--timeout-ms N] [--parallel N --stride S]\n"
          "       nvmeio errlog DEV [ENTRIES] [--tag NAME]\n"
          "       nvmeio smart DEV [--tag NAME]\n");
  exit(2);
}

static uint64_t le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}
static uint32_t le32(const unsigned char *p) { return (uint32_t)le64(p) & 0xffffffffu; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* Get Log Page (02h) of LID, NUMD = len / 4 - 1, nsid FFFFFFFFh. */
static int get_log(int fd, unsigned lid, void *buf, uint32_t len) {
  struct nvme_admin_cmd c;
  memset(&c, 0, sizeof(c));
  c.opcode = 0x02;
  c.nsid = 0xffffffff;
  c.addr = (uint64_t)(uintptr_t)buf;
  c.data_len = len;
  c.cdw10 = lid | (((len / 4 - 1) & 0xffff) << 16);
  c.cdw11 = (len / 4 - 1) >> 16;
  return ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c);
}

static int identify_elpe(int fd) {
  unsigned char id[4096];
  struct nvme_admin_cmd c;
  memset(&c, 0, sizeof(c));
  c.opcode = 0x06;
  c.addr = (uint64_t)(uintptr_t)id;
  c.data_len = sizeof(id);
  c.cdw10 = 1; /* CNS 01h: Identify Controller */
  if (ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c) != 0) return -1;
  return id[262]; /* ELPE */
}

static int do_errlog(int fd, unsigned entries, const char *tag) {
  int elpe = identify_elpe(fd);
  if (entries == 0 || entries > 256) entries = 4;
  unsigned char *log = calloc(entries, 64);
  if (!log) return 1;
  int ret = get_log(fd, 0x01, log, entries * 64);
  int err = ret < 0 ? errno : 0;
  unsigned valid = 0;
  uint64_t newest = 0;
  if (ret == 0) {
    for (unsigned i = 0; i < entries; i++) {
      const unsigned char *e = log + 64 * i;
      uint64_t count = le64(e);
      if (!count) continue;
      uint16_t sf = le16(e + 12);
      if (!valid) newest = count;
      valid++;
      printf("NVMELOG tag=%s i=%u count=%" PRIu64 " sqid=%u cid=%u status=0x%04x sct=0x%x sc=0x%02x "
             "more=%d dnr=%d phase=%d pel=0x%04x lba=%" PRIu64 " nsid=%u trtype=%u\n",
             tag, i, count, le16(e + 8), le16(e + 10), sf >> 1, (sf >> 9) & 7, (sf >> 1) & 0xff,
             (sf >> 14) & 1, (sf >> 15) & 1, sf & 1, le16(e + 14), le64(e + 16), le32(e + 24),
             e[29]);
    }
  }
  printf("NVMELOG-SUMMARY tag=%s ret=%d errno=%d elpe=%d valid=%u newest_count=%" PRIu64 "\n", tag,
         ret, err, elpe, valid, newest);
  fflush(stdout);
  free(log);
  return ret < 0 ? 1 : 0;
}

static int do_smart(int fd, const char *tag) {
  unsigned char s[512];
  memset(s, 0, sizeof(s));
  int ret = get_log(fd, 0x02, s, sizeof(s));
  /* 128-bit counters: the low 64 bits are enough here */
  printf("NVMESMART tag=%s ret=%d errno=%d critical_warning=0x%02x media_errors=%" PRIu64
         " err_log_entries=%" PRIu64 " host_reads=%" PRIu64 " host_writes=%" PRIu64 "\n",
         tag, ret, ret < 0 ? errno : 0, s[0], le64(s + 160), le64(s + 176), le64(s + 64), le64(s + 80));
  fflush(stdout);
  return ret < 0 ? 1 : 0;
}

static int do_rw(int fd, const char *dev, int write_mode, uint64_t lba, uint32_t blocks,
                 const char *tag, unsigned timeout_ms) {
  int nsid = ioctl(fd, NVME_IOCTL_ID);
  int ss = 0;
  size_t bs = ioctl(fd, BLKSSZGET, &ss) == 0 && ss > 0 ? (size_t)ss : 512;
  size_t len = (size_t)blocks * bs;
  unsigned char *buf = NULL;
  if (posix_memalign((void **)&buf, 4096, len ? len : 4096)) return 1;
  if (write_mode) {
    for (uint32_t b = 0; b < blocks; b++) fctest_fill(buf + (size_t)b * bs, bs, lba + b);
  } else {
    memset(buf, FCTEST_POISON, len);
  }
  struct nvme_passthru_cmd c;
  memset(&c, 0, sizeof(c));
  c.opcode = write_mode ? 0x01 : 0x02;
  c.nsid = (uint32_t)nsid;
  c.addr = (uint64_t)(uintptr_t)buf;
  c.data_len = (uint32_t)len;
  c.cdw10 = (uint32_t)lba;
  c.cdw11 = (uint32_t)(lba >> 32);
  c.cdw12 = blocks ? blocks - 1 : 0;
  c.timeout_ms = timeout_ms;
  int ret = ioctl(fd, NVME_IOCTL_IO_CMD, &c);
  int err = ret < 0 ? errno : 0;

  char status[16] = "-", sct[8] = "-", sc[8] = "-", more[4] = "-", dnr[4] = "-";
  if (ret >= 0) {
    snprintf(status, sizeof(status), "0x%04x", ret);
    snprintf(sct, sizeof(sct), "0x%x", (ret >> 8) & 7);
    snprintf(sc, sizeof(sc), "0x%02x", ret & 0xff);
    snprintf(more, sizeof(more), "%d", (ret >> 13) & 1);
    snprintf(dnr, sizeof(dnr), "%d", (ret >> 14) & 1);
  }
  char *map = malloc(blocks + 2);
  int good_prefix = -1;
  if (write_mode || blocks == 0) {
    strcpy(map, "-");
  } else {
    int prefix = 1;
    good_prefix = 0;
    for (uint32_t b = 0; b < blocks; b++) {
      map[b] = fctest_classify(buf + (size_t)b * bs, bs, lba + b);
      if (prefix && map[b] == 'G') good_prefix++;
      else prefix = 0;
    }
    map[blocks] = 0;
  }
  printf("NVMEIO tag=%s op=%s dev=%s nsid=%d lba=%" PRIu64 " blocks=%u bs=%zu ret=%d errno=%d "
         "status=%s sct=%s sc=%s more=%s dnr=%s result=0x%08x good_prefix=%d map=%s\n",
         tag, write_mode ? "write" : "read", dev, nsid, lba, blocks, bs, ret < 0 ? -1 : ret, err,
         status, sct, sc, more, dnr, c.result, good_prefix, map);
  fflush(stdout);
  free(map);
  free(buf);
  return ret < 0 ? 1 : 0;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* N copies of do_rw() at once, one process each (the ioctl blocks). */
static int do_rw_parallel(int fd, const char *dev, int write_mode, uint64_t lba, uint32_t blocks,
                          const char *tag, unsigned timeout_ms, unsigned n, uint64_t stride) {
  double t0 = now_ms();
  int rc = 0;
  for (unsigned i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      printf("NVMEIO-PARALLEL tag=%s error=fork:%s after=%u\n", tag, strerror(errno), i);
      rc = 1;
      break;
    }
    if (pid == 0) {
      char child_tag[128];
      snprintf(child_tag, sizeof(child_tag), "%s.%u", tag, i);
      _exit(do_rw(fd, dev, write_mode, lba + i * stride, blocks, child_tag, timeout_ms));
    }
  }
  int status;
  while (wait(&status) > 0) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
  }
  printf("NVMEIO-PARALLEL tag=%s n=%u ms=%.0f\n", tag, n, now_ms() - t0);
  fflush(stdout);
  return rc;
}

int main(int argc, char **argv) {
  const char *pos[4];
  int npos = 0;
  const char *tag = "-";
  unsigned timeout_ms = 0, parallel = 0;
  uint64_t stride = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--tag") && i + 1 < argc) tag = argv[++i];
    else if (!strcmp(argv[i], "--parallel") && i + 1 < argc) parallel = strtoul(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--stride") && i + 1 < argc) stride = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) timeout_ms = strtoul(argv[++i], NULL, 0);
    else if (argv[i][0] == '-' && argv[i][1] == '-') usage();
    else if (npos < 4) pos[npos++] = argv[i];
    else usage();
  }
  if (npos < 2) usage();
  const char *op = pos[0], *dev = pos[1];
  int write_mode = !strcmp(op, "write");
  int fd = open(dev, write_mode ? O_RDWR : O_RDONLY);
  if (fd < 0) {
    printf("NVMEIO tag=%s op=%s dev=%s ret=-1 errno=%d error=open:%s\n", tag, op, dev, errno,
           strerror(errno));
    return 1;
  }
  int rc;
  if (!strcmp(op, "read") || !strcmp(op, "write")) {
    if (npos != 4) usage();
    uint64_t lba = strtoull(pos[2], NULL, 0);
    uint32_t blocks = strtoul(pos[3], NULL, 0);
    if (parallel) {
      rc = do_rw_parallel(fd, dev, write_mode, lba, blocks, tag, timeout_ms, parallel, stride);
    } else {
      rc = do_rw(fd, dev, write_mode, lba, blocks, tag, timeout_ms);
    }
  } else if (!strcmp(op, "errlog")) {
    rc = do_errlog(fd, npos > 2 ? strtoul(pos[2], NULL, 0) : 4, tag);
  } else if (!strcmp(op, "smart")) {
    rc = do_smart(fd, tag);
  } else {
    usage();
  }
  close(fd);
  return rc;
}
