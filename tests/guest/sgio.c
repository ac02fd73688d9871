/* sgio: one SCSI READ(16) or WRITE(16) through SG_IO, one machine-readable line.
 *
 *   sgio_read  DEV LBA BLOCKS [options]
 *   sgio_write DEV LBA BLOCKS [options]     (or: sgio --write ...)
 * options: --bs N (default: BLKSSZGET, else 512)  --timeout-ms N (default 60000)
 *          --fua   --tag NAME (echoed as tag=NAME)
 *
 * WRITE writes the image pattern (pattern.h) for those LBAs, so a later read
 * still checks. Output (one line, key=value, no spaces inside values):
 *   SGIO tag= op= dev= lba= blocks= bs= ret= errno= status= masked_status=
 *        host_status= driver_status= resid= duration_ms= info= sb_len=
 *        sense= resp= format= valid= information= key= asc= ascq= good_prefix=
 *        map=
 * sense is the hex of the sense bytes written (sb_len_wr); resp the response
 * code; format fixed|descriptor|none; information is decimal or '-' (fixed:
 * bytes 3..6; descriptor: the information descriptor, type 00h); valid is the
 * VALID bit (fixed: byte 0 bit 7; descriptor: the descriptor's VALID bit).
 * map has one letter per block of a read: G good, P poison (never written by
 * the transfer), Z zeros, O another LBA's pattern, X other. For writes,
 * map is '-'. good_prefix counts leading G blocks.
 * Exit status: 0 if the ioctl ran (whatever the SCSI status), 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "pattern.h"

static void usage(const char *p) {
  fprintf(stderr,
          "usage: %s [--write] DEV LBA BLOCKS [--bs N] [--timeout-ms N] [--fua] [--tag NAME]\n",
          p);
  exit(2);
}

int main(int argc, char **argv) {
  const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  int write_mode = strstr(prog, "write") != NULL;
  const char *pos[3];
  int npos = 0, fua = 0;
  size_t bs = 0;
  unsigned timeout_ms = 60000;
  const char *tag = "-";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--write")) write_mode = 1;
    else if (!strcmp(argv[i], "--read")) write_mode = 0;
    else if (!strcmp(argv[i], "--fua")) fua = 1;
    else if (!strcmp(argv[i], "--bs") && i + 1 < argc) bs = strtoul(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) timeout_ms = strtoul(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--tag") && i + 1 < argc) tag = argv[++i];
    else if (argv[i][0] == '-' && argv[i][1] == '-') usage(prog);
    else if (npos < 3) pos[npos++] = argv[i];
    else usage(prog);
  }
  if (npos != 3) usage(prog);
  const char *dev = pos[0];
  uint64_t lba = strtoull(pos[1], NULL, 0);
  uint32_t blocks = strtoul(pos[2], NULL, 0);

  int fd = open(dev, write_mode ? O_RDWR : O_RDONLY);
  if (fd < 0) {
    printf("SGIO tag=%s op=%s dev=%s lba=%" PRIu64 " blocks=%u ret=-1 errno=%d error=open:%s\n", tag,
           write_mode ? "write" : "read", dev, lba, blocks, errno, strerror(errno));
    return 1;
  }
  if (bs == 0) {
    int ss = 0;
    bs = ioctl(fd, BLKSSZGET, &ss) == 0 && ss > 0 ? (size_t)ss : 512;
  }
  size_t len = (size_t)blocks * bs;
  unsigned char *buf = malloc(len ? len : 1);
  if (!buf) return 1;
  if (write_mode) {
    for (uint32_t b = 0; b < blocks; b++) fctest_fill(buf + (size_t)b * bs, bs, lba + b);
  } else {
    memset(buf, FCTEST_POISON, len);
  }

  unsigned char cdb[16] = {0};
  cdb[0] = write_mode ? 0x8a : 0x88; /* WRITE(16) / READ(16) */
  if (fua) cdb[1] |= 0x08;
  for (int i = 0; i < 8; i++) cdb[2 + i] = (unsigned char)(lba >> (56 - 8 * i));
  for (int i = 0; i < 4; i++) cdb[10 + i] = (unsigned char)(blocks >> (24 - 8 * i));

  unsigned char sb[252];
  memset(sb, 0, sizeof(sb));
  sg_io_hdr_t io;
  memset(&io, 0, sizeof(io));
  io.interface_id = 'S';
  io.dxfer_direction = write_mode ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
  io.cmd_len = sizeof(cdb);
  io.cmdp = cdb;
  io.mx_sb_len = sizeof(sb);
  io.sbp = sb;
  io.dxfer_len = len;
  io.dxferp = buf;
  io.timeout = timeout_ms;
  int ret = ioctl(fd, SG_IO, &io);
  int err = ret < 0 ? errno : 0;

  int sbl = io.sb_len_wr;
  char sense[sizeof(sb) * 2 + 2];
  if (sbl > 0) {
    for (int i = 0; i < sbl; i++) sprintf(sense + 2 * i, "%02x", sb[i]);
  } else {
    strcpy(sense, "-");
  }
  int resp = sbl > 0 ? sb[0] & 0x7f : -1;
  const char *format = "none";
  int valid = -1, key = -1, asc = -1, ascq = -1;
  char information[32] = "-";
  if (sbl > 0 && (resp == 0x70 || resp == 0x71)) {
    format = "fixed";
    valid = (sb[0] >> 7) & 1;
    if (sbl > 2) key = sb[2] & 0xf;
    if (sbl >= 7) {
      uint32_t info = ((uint32_t)sb[3] << 24) | (sb[4] << 16) | (sb[5] << 8) | sb[6];
      snprintf(information, sizeof(information), "%u", info);
    }
    if (sbl > 12) asc = sb[12];
    if (sbl > 13) ascq = sb[13];
  } else if (sbl > 0 && (resp == 0x72 || resp == 0x73)) {
    format = "descriptor";
    if (sbl > 1) key = sb[1] & 0xf;
    if (sbl > 2) asc = sb[2];
    if (sbl > 3) ascq = sb[3];
    int end = sbl > 7 ? 8 + sb[7] : sbl;
    if (end > sbl) end = sbl;
    for (int off = 8; off + 1 < end; off += 2 + sb[off + 1]) {
      if (sb[off] == 0x00 && off + 12 <= end) { /* information descriptor */
        valid = (sb[off + 2] >> 7) & 1;
        uint64_t info = 0;
        for (int i = 0; i < 8; i++) info = (info << 8) | sb[off + 4 + i];
        snprintf(information, sizeof(information), "%" PRIu64, info);
        break;
      }
    }
    if (valid < 0) valid = 0;
  }

  char *map = malloc(blocks + 2);
  int good_prefix = 0;
  if (write_mode) {
    strcpy(map, "-");
    good_prefix = -1;
  } else {
    int prefix = 1;
    for (uint32_t b = 0; b < blocks; b++) {
      map[b] = fctest_classify(buf + (size_t)b * bs, bs, lba + b);
      if (prefix && map[b] == 'G') good_prefix++;
      else prefix = 0;
    }
    map[blocks] = 0;
    if (blocks == 0) strcpy(map, "-");
  }

  printf("SGIO tag=%s op=%s dev=%s lba=%" PRIu64 " blocks=%u bs=%zu ret=%d errno=%d status=0x%02x "
         "masked_status=0x%02x host_status=0x%04x driver_status=0x%04x resid=%d duration_ms=%u "
         "info=0x%x sb_len=%d sense=%s resp=",
         tag, write_mode ? "write" : "read", dev, lba, blocks, bs, ret, err, io.status,
         io.masked_status, io.host_status, io.driver_status, io.resid, io.duration, io.info, sbl,
         sense);
  if (resp >= 0) printf("0x%02x", resp); else printf("-");
  printf(" format=%s valid=", format);
  if (valid >= 0) printf("%d", valid); else printf("-");
  printf(" information=%s key=", information);
  if (key >= 0) printf("0x%x", key); else printf("-");
  printf(" asc=");
  if (asc >= 0) printf("0x%02x", asc); else printf("-");
  printf(" ascq=");
  if (ascq >= 0) printf("0x%02x", ascq); else printf("-");
  printf(" good_prefix=%d map=%s\n", good_prefix, map);
  fflush(stdout);
  close(fd);
  return ret < 0 ? 1 : 0;
}
