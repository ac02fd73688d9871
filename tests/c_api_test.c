/*
 * The public header compiles and works as C99 (like LevelDB's c_test.c):
 * create, load from a buffer, pass and fail verdicts, located error
 * messages that leave the previous rules in force, events and state, holds
 * with release callbacks, counters, the `size` convention of structs that
 * cross the boundary, and the version queries.
 *
 * Prints one line per check that fails and returns non-zero if any did.
 */
/* mkstemp, close, unlink for the trace dump test */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultcore/faultcore.h"

static int failures = 0;
static int checks = 0;
static const char *phase = "";

#define CHECK(cond)                                                         \
  do {                                                                      \
    ++checks;                                                               \
    if (!(cond)) {                                                          \
      ++failures;                                                           \
      fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, \
              phase, #cond);                                                \
    }                                                                       \
  } while (0)

#define CHECK_EQ_U64(a, b)                                                   \
  do {                                                                       \
    unsigned long long a_ = (unsigned long long)(a);                         \
    unsigned long long b_ = (unsigned long long)(b);                         \
    ++checks;                                                                \
    if (a_ != b_) {                                                          \
      ++failures;                                                            \
      fprintf(stderr, "%s:%d: [%s] %s == %llu, want %s == %llu\n", __FILE__, \
              __LINE__, phase, #a, a_, #b, b_);                              \
    }                                                                        \
  } while (0)

static const char kRules[] =
    "block_size: 4096\n"
    "states: [\"healthy\", \"degraded\"]\n"
    "rules {\n"
    "  name: \"bad-sector\"\n"
    "  target: \"disk0\"\n"
    "  range { lba: 10 count: 4 }\n"
    "  next_state: \"degraded\"\n"
    "  media_error {}\n"
    "}\n"
    "rules {\n"
    "  name: \"stall\"\n"
    "  ops: READ\n"
    "  range { lba: 100 }\n"
    "  hold { timeout_ns: 5000000 on_timeout: FAIL }\n"
    "}\n"
    "rules {\n"
    "  name: \"slow-when-degraded\"\n"
    "  states: \"degraded\"\n"
    "  ops: WRITE\n"
    "  delay { ns: 777 }\n"
    "}\n"
    "transitions { event: \"repair\" to: \"healthy\" }\n";

/* Line 5 holds the invalid value. */
static const char kBadRules[] =
    "rules {\n"
    "  name: \"oops\"\n"
    "  range { lba: 1 }\n"
    "  trigger {\n"
    "    probability: 2\n"
    "  }\n"
    "  media_error {}\n"
    "}\n";

static fc_engine *NewEngine(void) {
  fc_engine *e = NULL;
  char *err = NULL;
  CHECK(fc_engine_create(&e, &err) == FC_OK);
  CHECK(err == NULL);
  CHECK(e != NULL);
  return e;
}

static void Load(fc_engine *e, const char *text) {
  char *err = NULL;
  fc_status s = fc_engine_load_buffer(e, text, strlen(text), FC_FORMAT_TEXT,
                                      "rules.txtpb", &err);
  CHECK(s == FC_OK);
  if (err != NULL) {
    fprintf(stderr, "unexpected error: %s\n", err);
    fc_free(err);
  }
}

static void InitVerdict(fc_verdict *v) {
  memset(v, 0xa5, sizeof(*v));
  v->size = sizeof(*v);
}

static void TestVersions(void) {
  const char *version;
  phase = "versions";
  CHECK_EQ_U64(fc_abi_version(),
               ((uint32_t)FC_ABI_VERSION_MAJOR << 16) | FC_ABI_VERSION_MINOR);
  version = fc_library_version();
  CHECK(version != NULL && version[0] != '\0');
  printf("faultcore %s, ABI %u.%u\n", version ? version : "(null)",
         (unsigned)(fc_abi_version() >> 16),
         (unsigned)(fc_abi_version() & 0xffff));
}

static void TestCreateWithoutAPlace(void) {
  char *err = NULL;
  phase = "create with engine NULL";
  CHECK(fc_engine_create(NULL, &err) == FC_INVALID_ARGUMENT);
  CHECK(err != NULL);
  fc_free(err);
}

static void TestEmptyEngine(void) {
  fc_engine *e;
  fc_verdict v;
  phase = "empty engine";
  e = NewEngine();
  InitVerdict(&v);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 0, 4096, &v) ==
        FC_ACTION_PASS);
  CHECK(v.action == FC_ACTION_PASS);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_FLUSH, 0, 0, NULL) ==
        FC_ACTION_PASS);
  CHECK_EQ_U64(fc_engine_rule_count(e), 0);
  fc_engine_destroy(e);
  fc_engine_destroy(NULL); /* a no-op */
  fc_free(NULL);           /* a no-op */
}

static void TestVerdicts(void) {
  fc_engine *e;
  fc_verdict v;
  uint32_t disk0 = 0, disk0_again = 0, disk1 = 0;
  char *name = NULL;
  fc_rule_stats stats;
  phase = "verdicts";
  e = NewEngine();
  Load(e, kRules);
  CHECK_EQ_U64(fc_engine_rule_count(e), 3);
  CHECK(fc_engine_rule_name(e, 1, &name) == FC_OK);
  CHECK(name != NULL && strcmp(name, "stall") == 0);
  fc_free(name);
  name = NULL;
  CHECK(fc_engine_rule_name(e, 3, &name) == FC_NOT_FOUND);

  CHECK(fc_engine_target_id(e, "disk0", &disk0) == FC_OK);
  CHECK(fc_engine_target_id(e, "disk1", &disk1) == FC_OK);
  CHECK(fc_engine_target_id(e, "disk0", &disk0_again) == FC_OK);
  CHECK(disk0 != FC_TARGET_NONE && disk1 != FC_TARGET_NONE);
  CHECK(disk0 != disk1);
  CHECK_EQ_U64(disk0, disk0_again);

  /* A pass: only `action` is written. */
  InitVerdict(&v);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 0, 8192, &v) == FC_ACTION_PASS);
  CHECK_EQ_U64(v.action, FC_ACTION_PASS);
  CHECK_EQ_U64(v.rule_id, 0xa5a5a5a5u);
  CHECK_EQ_U64(v.first_bad_byte, 0xa5a5a5a5a5a5a5a5ull);
  /* Another device: the rule names disk0. */
  InitVerdict(&v);
  CHECK(fc_engine_check(e, disk1, FC_OP_READ, 40960, 4096, &v) ==
        FC_ACTION_PASS);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 40960, 4096, &v) ==
        FC_ACTION_PASS);

  /* A media error in the middle of a read, 512-byte sectors inside 4 KiB
   * blocks: the exact first bad byte. */
  InitVerdict(&v);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 9 * 4096 + 512, 3 * 4096, &v) ==
        FC_ACTION_MEDIA_ERROR);
  CHECK_EQ_U64(v.size, sizeof(fc_verdict));
  CHECK_EQ_U64(v.action, FC_ACTION_MEDIA_ERROR);
  CHECK_EQ_U64(v.rule_id, 0);
  CHECK_EQ_U64(v.flags, 0);
  CHECK_EQ_U64(v.first_bad_byte, 10 * 4096);
  CHECK_EQ_U64(v.good_bytes, 4096 - 512);
  CHECK_EQ_U64(v.bad_bytes, 2 * 4096 + 512);
  CHECK_EQ_U64(v.delay_ns, 0);
  CHECK_EQ_U64(v.block_size, 4096);
  CHECK_EQ_U64(v.errno_value, EIO);
  CHECK_EQ_U64(v.scsi_sense_key, 3);
  CHECK_EQ_U64(v.scsi_asc, 0x11);
  CHECK_EQ_U64(v.scsi_ascq, 0);
  CHECK_EQ_U64(v.scsi_sense_format, FC_SENSE_AUTO);
  CHECK_EQ_U64(v.nvme_sct, 2);
  CHECK_EQ_U64(v.nvme_sc, 0x81);
  CHECK_EQ_U64(v.nvme_dnr, 1);
  CHECK_EQ_U64(v.nvme_more, 0);
  CHECK_EQ_U64(v.ata_status, 0x41);
  CHECK_EQ_U64(v.ata_error, 0x40);

  /* The verdict may be NULL: the action is still returned. */
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 4096, 1, NULL) ==
        FC_ACTION_MEDIA_ERROR);

  /* Counters. */
  memset(&stats, 0xa5, sizeof(stats));
  stats.size = sizeof(stats);
  CHECK(fc_engine_rule_stats(e, 0, FC_TARGET_NONE, &stats) == FC_OK);
  CHECK_EQ_U64(stats.matches, 2);
  CHECK_EQ_U64(stats.fires, 2);
  CHECK_EQ_U64(stats.healed_bytes, 0);
  CHECK_EQ_U64(stats.held, 0);
  /* A smaller struct (an older caller): the fields past `size` stay. */
  memset(&stats, 0xa5, sizeof(stats));
  stats.size = (uint32_t)offsetof(fc_rule_stats, healed_bytes);
  CHECK(fc_engine_rule_stats(e, 0, FC_TARGET_NONE, &stats) == FC_OK);
  CHECK_EQ_U64(stats.size, offsetof(fc_rule_stats, healed_bytes));
  CHECK_EQ_U64(stats.matches, 2);
  CHECK_EQ_U64(stats.fires, 2);
  CHECK_EQ_U64(stats.healed_bytes, 0xa5a5a5a5a5a5a5a5ull);
  CHECK_EQ_U64(stats.held, 0xa5a5a5a5a5a5a5a5ull);
  CHECK(fc_engine_rule_stats(e, 9, FC_TARGET_NONE, &stats) == FC_NOT_FOUND);

  /* Unknown ops pass. */
  CHECK(fc_engine_check(e, disk0, 99, 10 * 4096, 4096, NULL) == FC_ACTION_PASS);
  fc_engine_destroy(e);
}

/* The caller's `size` says how much of fc_verdict it knows: nothing past it
 * is written. */
static void TestVerdictSize(void) {
  fc_engine *e;
  unsigned char raw[sizeof(fc_verdict)];
  fc_verdict *v = (fc_verdict *)(void *)raw;
  size_t i, sizes[3];
  size_t k;
  phase = "verdict size";
  sizes[0] = offsetof(fc_verdict, delay_ns);
  sizes[1] = offsetof(fc_verdict, action); /* only `size` itself */
  sizes[2] = offsetof(fc_verdict, rule_id);
  e = NewEngine();
  Load(e, kRules);
  for (k = 0; k < 3; ++k) {
    memset(raw, 0xa5, sizeof(raw));
    v->size = (uint32_t)sizes[k];
    CHECK_EQ_U64(
        fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 100 * 4096, 4096, v),
        FC_ACTION_HOLD);
    CHECK_EQ_U64(v->size, sizes[k]);
    for (i = sizes[k]; i < sizeof(raw); ++i) {
      if (raw[i] != 0xa5) {
        fprintf(stderr, "size %u: byte %u beyond it was written\n",
                (unsigned)sizes[k], (unsigned)i);
        ++failures;
        break;
      }
    }
    if (k == 0) {
      CHECK_EQ_U64(v->action, FC_ACTION_HOLD);
      CHECK_EQ_U64(v->rule_id, 1);
      CHECK_EQ_U64(v->flags, FC_VERDICT_FAIL_ON_TIMEOUT);
      CHECK_EQ_U64(v->first_bad_byte, 100 * 4096);
      CHECK_EQ_U64(v->good_bytes, 0);
      CHECK_EQ_U64(v->bad_bytes, 4096);
    } else if (k == 2) {
      CHECK_EQ_U64(v->action, FC_ACTION_HOLD);
    }
  }
  /* A pass with a size that ends before `action`: nothing is written. */
  memset(raw, 0xa5, sizeof(raw));
  v->size = (uint32_t)offsetof(fc_verdict, action);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 0, 512, v) ==
        FC_ACTION_PASS);
  for (i = sizeof(uint32_t); i < sizeof(raw); ++i) {
    if (raw[i] != 0xa5) {
      fprintf(stderr, "pass with size 4: byte %u was written\n", (unsigned)i);
      ++failures;
      break;
    }
  }
  fc_engine_destroy(e);
}

static void TestLoadErrors(void) {
  static const char kSyntax[] = "rules {\n  nme: 1\n}\n";
  uint32_t disk0 = 0;
  fc_engine *e;
  char *err = NULL;
  char *sentinel = (char *)"untouched";
  fc_status s;
  phase = "load errors";
  e = NewEngine();
  Load(e, kRules);

  /* A bad buffer: a located message, and the old rules stay active. */
  s = fc_engine_load_buffer(e, kBadRules, strlen(kBadRules), FC_FORMAT_TEXT,
                            "bad.txtpb", &err);
  CHECK(s == FC_INVALID_ARGUMENT);
  CHECK(err != NULL);
  if (err != NULL) {
    printf("bad buffer: %s\n", err);
    CHECK(strstr(err, "bad.txtpb:5:") != NULL);
    CHECK(strstr(err, "probability") != NULL);
    CHECK(strstr(err, "oops") != NULL);
    fc_free(err);
    err = NULL;
  }
  CHECK_EQ_U64(fc_engine_rule_count(e), 3);
  CHECK(fc_engine_target_id(e, "disk0", &disk0) == FC_OK);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 4096, 4096, NULL) ==
        FC_ACTION_MEDIA_ERROR);

  /* A syntax error names its line too. */
  s = fc_engine_load_buffer(e, kSyntax, strlen(kSyntax), FC_FORMAT_TEXT,
                            "syntax.txtpb", &err);
  CHECK(s == FC_INVALID_ARGUMENT);
  CHECK(err != NULL && strstr(err, "syntax.txtpb:2:") != NULL);
  if (err != NULL) printf("syntax error: %s\n", err);
  fc_free(err);
  err = NULL;

  /* Binary garbage. */
  s = fc_engine_load_buffer(e, "\xff\xff\xff", 3, FC_FORMAT_BINARY, NULL, &err);
  CHECK(s == FC_INVALID_ARGUMENT);
  CHECK(err != NULL);
  fc_free(err);
  err = NULL;

  /* A missing file. */
  s = fc_engine_load_file(e, "/nonexistent/faultcore/rules.txtpb",
                          FC_FORMAT_AUTO, &err);
  CHECK(s == FC_NOT_FOUND);
  CHECK(err != NULL && strstr(err, "/nonexistent/faultcore/rules.txtpb"));
  fc_free(err);
  err = NULL;

  /* errmsg may be NULL; on success it is left alone. */
  CHECK(fc_engine_load_buffer(e, kBadRules, strlen(kBadRules), FC_FORMAT_TEXT,
                              NULL, NULL) == FC_INVALID_ARGUMENT);
  err = sentinel;
  CHECK(fc_engine_load_buffer(e, kRules, strlen(kRules), FC_FORMAT_AUTO, NULL,
                              &err) == FC_OK);
  CHECK(err == sentinel);
  CHECK_EQ_U64(fc_engine_rule_count(e), 3);
  fc_engine_destroy(e);
}

/* A set without rules (an empty file included) is valid: every request
 * passes until rules are loaded again. */
static void TestEmptyRuleSet(void) {
  static const char kRules[] =
      "rules { target: \"disk0\" range { lba: 10 } media_error {} }\n";
  uint32_t disk0 = 0;
  fc_engine *e;
  char *err = NULL;
  phase = "empty rule set";
  e = NewEngine();
  Load(e, kRules);
  CHECK(fc_engine_target_id(e, "disk0", &disk0) == FC_OK);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 512, 512, NULL) ==
        FC_ACTION_MEDIA_ERROR);
  CHECK(fc_engine_load_buffer(e, "", 0, FC_FORMAT_AUTO, "empty.txtpb", &err) ==
        FC_OK);
  CHECK(err == NULL);
  CHECK_EQ_U64(fc_engine_rule_count(e), 0);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 512, 512, NULL) ==
        FC_ACTION_PASS);
  CHECK(fc_engine_load_buffer(e, "# later\n", 8, FC_FORMAT_TEXT, NULL, &err) ==
        FC_OK);
  CHECK(fc_engine_load_buffer(e, "", 0, FC_FORMAT_BINARY, NULL, &err) == FC_OK);
  CHECK(err == NULL);
  CHECK_EQ_U64(fc_engine_rule_count(e), 0);
  Load(e, kRules);
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 512, 512, NULL) ==
        FC_ACTION_MEDIA_ERROR);
  fc_engine_destroy(e);
}

static void TestEventsAndState(void) {
  fc_engine *e;
  char *state = NULL;
  uint32_t disk0 = 0;
  fc_verdict v;
  phase = "events and state";
  e = NewEngine();
  Load(e, kRules);
  fc_engine_target_id(e, "disk0", &disk0);

  CHECK(fc_engine_state(e, &state) == FC_OK);
  CHECK(state != NULL && strcmp(state, "healthy") == 0);
  fc_free(state);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_WRITE, 0, 4096, NULL) ==
        FC_ACTION_PASS);

  /* The media error fires and moves the state to "degraded", where writes
   * are slow. */
  CHECK(fc_engine_check(e, disk0, FC_OP_READ, 10 * 4096, 4096, NULL) ==
        FC_ACTION_MEDIA_ERROR);
  CHECK(fc_engine_state(e, &state) == FC_OK);
  CHECK(state != NULL && strcmp(state, "degraded") == 0);
  fc_free(state);
  InitVerdict(&v);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_WRITE, 0, 4096, &v) ==
        FC_ACTION_DELAY);
  CHECK_EQ_U64(v.delay_ns, 777);
  CHECK_EQ_U64(v.rule_id, 2);

  /* An event brings it back. */
  CHECK(fc_engine_raise_event(e, "repair") == FC_OK);
  CHECK(fc_engine_state(e, &state) == FC_OK);
  CHECK(state != NULL && strcmp(state, "healthy") == 0);
  fc_free(state);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_WRITE, 0, 4096, NULL) ==
        FC_ACTION_PASS);
  CHECK(fc_engine_raise_event(e, "no-such-event") == FC_NOT_FOUND);
  {
    /* Since 1.2: the same with a message. */
    char *err = NULL;
    CHECK(fc_engine_raise_event_ex(e, "no-such-event", &err) == FC_NOT_FOUND);
    CHECK(err != NULL && strstr(err, "no transition on event \"no-such-event\""));
    fc_free(err);
    err = NULL;
    CHECK(fc_engine_raise_event_ex(e, NULL, &err) == FC_INVALID_ARGUMENT);
    CHECK(err != NULL);
    fc_free(err);
    CHECK(fc_engine_raise_event_ex(e, "repair", NULL) == FC_OK);
  }

  /* Reset: counters and state start over. */
  fc_engine_check(e, disk0, FC_OP_READ, 10 * 4096, 4096, NULL);
  fc_engine_reset(e);
  CHECK(fc_engine_state(e, &state) == FC_OK);
  CHECK(state != NULL && strcmp(state, "healthy") == 0);
  fc_free(state);
  {
    fc_rule_stats stats;
    stats.size = sizeof(stats);
    CHECK(fc_engine_rule_stats(e, 0, FC_TARGET_NONE, &stats) == FC_OK);
    CHECK_EQ_U64(stats.matches, 0);
    CHECK_EQ_U64(stats.fires, 0);
  }
  fc_engine_destroy(e);
}

static int released[8];

static void OnRelease(void *opaque) { ++*(int *)opaque; }

static void TestHolds(void) {
  fc_engine *e;
  fc_verdict v;
  uint64_t tickets[4];
  size_t n = 99;
  int i;
  fc_rule_stats stats;
  phase = "holds";
  e = NewEngine();
  Load(e, kRules);
  for (i = 0; i < 4; ++i) {
    InitVerdict(&v);
    CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 100 * 4096, 4096,
                          &v) == FC_ACTION_HOLD);
    CHECK_EQ_U64(v.hold_timeout_ns, 5000000);
    CHECK(fc_engine_hold(e, FC_TARGET_NONE, &v, OnRelease, &released[i],
                         &tickets[i]) == FC_OK);
  }
  CHECK(tickets[0] != tickets[1]);
  stats.size = sizeof(stats);
  CHECK(fc_engine_rule_stats(e, 1, FC_TARGET_NONE, &stats) == FC_OK);
  CHECK_EQ_U64(stats.held, 4);

  /* Cancel: no callback; a second cancel finds nothing. */
  CHECK(fc_engine_hold_cancel(e, tickets[0]) == FC_OK);
  CHECK(fc_engine_hold_cancel(e, tickets[0]) == FC_NOT_FOUND);
  CHECK_EQ_U64(released[0], 0);

  /* Release by rule name. */
  CHECK(fc_engine_release(e, FC_TARGET_NONE, "no-such-rule", &n) == FC_OK);
  CHECK_EQ_U64(n, 0);
  CHECK(fc_engine_release(e, FC_TARGET_NONE, "stall", &n) == FC_OK);
  CHECK_EQ_U64(n, 3);
  CHECK_EQ_U64(released[1], 1);
  CHECK_EQ_U64(released[2], 1);
  CHECK_EQ_U64(released[3], 1);
  CHECK(fc_engine_hold_cancel(e, tickets[1]) == FC_NOT_FOUND);
  CHECK(fc_engine_rule_stats(e, 1, FC_TARGET_NONE, &stats) == FC_OK);
  CHECK_EQ_U64(stats.held, 0);

  /* Reset and destroy release what is still held. */
  InitVerdict(&v);
  fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 100 * 4096, 4096, &v);
  CHECK(fc_engine_hold(e, FC_TARGET_NONE, &v, OnRelease, &released[4],
                       &tickets[0]) == FC_OK);
  fc_engine_reset(e);
  CHECK_EQ_U64(released[4], 1);
  CHECK(fc_engine_hold(e, FC_TARGET_NONE, &v, OnRelease, &released[5],
                       &tickets[0]) == FC_OK);
  CHECK(fc_engine_release(e, FC_TARGET_NONE, NULL, NULL) == FC_OK);
  CHECK_EQ_U64(released[5], 1);
  CHECK(fc_engine_hold(e, FC_TARGET_NONE, &v, OnRelease, &released[6],
                       &tickets[0]) == FC_OK);
  fc_engine_destroy(e);
  CHECK_EQ_U64(released[6], 1);
}

/* Traces and statistics (1.1): observed passes carry a seq, completion
 * feeds latency, the dump is JSON lines with a header. */
static void TestObservation(void) {
  fc_engine *e;
  fc_verdict v;
  fc_op_stats st;
  fc_heat_cell cells[4];
  char path[] = "/tmp/faultcore-c-api-trace-XXXXXX";
  char line[1024];
  char *err = NULL;
  int fd, lines = 0;
  FILE *f;
  unsigned char raw[sizeof(fc_verdict)];
  fc_verdict *old = (fc_verdict *)(void *)raw;
  size_t i;
  phase = "observation";
  e = NewEngine();
  Load(e, kRules);
  CHECK(fc_engine_op_stats(e, FC_TARGET_NONE, FC_OP_READ, &st, NULL, 0) ==
        FC_INVALID_ARGUMENT); /* not collecting */
  CHECK(fc_engine_trace_dump(e, "/tmp/x", &err) == FC_INVALID_ARGUMENT);
  CHECK(err != NULL);
  fc_free(err);
  err = NULL;
  CHECK(fc_engine_trace_start(e, 16, 0x80, &err) == FC_INVALID_ARGUMENT);
  fc_free(err);
  err = NULL;
  CHECK(fc_engine_trace_start(e, 16, 0, &err) == FC_OK);
  CHECK(fc_engine_stats_start(e, 8192, &err) == FC_OK);

  InitVerdict(&v);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 0, 4096, &v) ==
        FC_ACTION_PASS);
  CHECK(v.seq != 0);
  fc_engine_complete(e, FC_TARGET_NONE, FC_OP_READ, &v, 0, 1500);
  InitVerdict(&v);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_WRITE, 16384, 512, &v) ==
        FC_ACTION_PASS);
  fc_engine_complete(e, FC_TARGET_NONE, FC_OP_WRITE, &v, -EIO, 2500);

  /* A 1.0 host's verdict ends before seq: it is not written. */
  memset(raw, 0xa5, sizeof(raw));
  old->size = (uint32_t)offsetof(fc_verdict, seq);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 0, 512, old) ==
        FC_ACTION_PASS);
  for (i = offsetof(fc_verdict, seq); i < sizeof(raw); ++i) {
    if (raw[i] != 0xa5) {
      fprintf(stderr, "1.0 verdict: byte %u beyond it was written\n",
              (unsigned)i);
      ++failures;
      break;
    }
  }
  fc_engine_complete(e, FC_TARGET_NONE, FC_OP_READ, old, 0, 1); /* no-op */

  st.size = sizeof(st);
  CHECK(fc_engine_op_stats(e, FC_TARGET_NONE, FC_OP_READ, &st, cells, 4) ==
        FC_OK);
  CHECK_EQ_U64(st.requests, 2);
  CHECK_EQ_U64(st.completed, 1);
  CHECK_EQ_U64(st.latency_total_ns, 1500);
  CHECK_EQ_U64(st.size_histogram[13], 1); /* 4096 in [2^12, 2^13) */
  CHECK_EQ_U64(st.heat_bucket_bytes, 8192);
  CHECK_EQ_U64(st.heat_cells, 1);
  CHECK_EQ_U64(cells[0].bucket, 0);
  CHECK_EQ_U64(cells[0].requests, 2);
  CHECK(fc_engine_op_stats(e, FC_TARGET_NONE, FC_OP_WRITE, &st, cells, 4) ==
        FC_OK);
  CHECK_EQ_U64(st.failed, 1);
  CHECK_EQ_U64(cells[0].bucket, 2);

  fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  CHECK(fc_engine_trace_dump(e, path, &err) == FC_OK);
  CHECK(err == NULL);
  f = fopen(path, "r");
  CHECK(f != NULL);
  while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
    if (lines == 0) {
      CHECK(strstr(line, "\"recorded\":3,\"dropped\":0") != NULL);
    } else if (lines == 2) {
      CHECK(strstr(line, "\"op\":\"write\",\"offset\":16384,\"bytes\":512") !=
            NULL);
      CHECK(strstr(line, "\"result\":-5,\"latency-ns\":2500") != NULL);
    }
    ++lines;
  }
  if (f != NULL) fclose(f);
  CHECK_EQ_U64(lines, 4);
  unlink(path);
  CHECK(fc_engine_trace_dump(e, "/nonexistent-dir/t", &err) == FC_IO_ERROR);
  CHECK(err != NULL && strstr(err, "/nonexistent-dir/t") != NULL);
  fc_free(err);
  fc_engine_trace_stop(e);
  fc_engine_stats_stop(e);
  memset(&v, 0, sizeof(v));
  v.size = sizeof(v);
  fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 0, 512, &v);
  CHECK_EQ_U64(v.seq, 0); /* off again: seq left as zeroed */
  fc_engine_destroy(e);
}

static const char kAskRules[] =
    "rules {\n"
    "  name: \"decide\"\n"
    "  range { lba: 8 count: 8 }\n"
    "  ask { timeout_ns: 1000000000 }\n"
    "}\n";

/* Asks (1.1): parked, decided once from outside. */
static void TestAsk(void) {
  fc_engine *e;
  fc_verdict v, d;
  fc_decision dec;
  uint64_t ticket = 0;
  char *err = NULL;
  phase = "ask";
  e = NewEngine();
  Load(e, kAskRules);
  InitVerdict(&v);
  CHECK(fc_engine_check(e, FC_TARGET_NONE, FC_OP_READ, 4 * 512, 8 * 512,
                        &v) == FC_ACTION_ASK);
  CHECK_EQ_U64(v.hold_timeout_ns, 1000000000);
  CHECK_EQ_U64(v.flags & FC_VERDICT_FAIL_ON_TIMEOUT, 0);
  CHECK(fc_engine_ask(e, FC_TARGET_NONE, FC_OP_READ, 4 * 512, 8 * 512, &v,
                      OnRelease, &released[7], &ticket) == FC_OK);
  memset(&dec, 0, sizeof(dec));
  dec.size = sizeof(dec);
  dec.action = FC_ACTION_MEDIA_ERROR;
  dec.set = FC_DECIDE_ATA_ERROR | FC_DECIDE_NVME_SC;
  dec.ata_error = 0x10; /* IDNF */
  dec.nvme_sc = 0x85;
  CHECK(fc_engine_resolve(e, ticket, &dec, &err) == FC_OK);
  CHECK_EQ_U64(released[7], 1);
  InitVerdict(&d);
  CHECK(fc_engine_take_decision(e, ticket, &d) == FC_OK);
  CHECK_EQ_U64(d.action, FC_ACTION_MEDIA_ERROR);
  CHECK_EQ_U64(d.first_bad_byte, 8 * 512);
  CHECK_EQ_U64(d.good_bytes, 4 * 512);
  CHECK_EQ_U64(d.ata_error, 0x10);
  CHECK_EQ_U64(d.ata_status, 0x41); /* default kept */
  CHECK_EQ_U64(d.nvme_sc, 0x85);
  CHECK_EQ_U64(d.errno_value, EIO);
  CHECK(fc_engine_take_decision(e, ticket, &d) == FC_NOT_FOUND);
  CHECK(fc_engine_resolve(e, ticket, &dec, &err) == FC_NOT_FOUND);
  CHECK(err != NULL && strstr(err, "no longer waiting") != NULL);
  fc_free(err);
  err = NULL;
  CHECK(fc_engine_resolve(e, 999, &dec, &err) == FC_NOT_FOUND);
  fc_free(err);
  fc_engine_destroy(e);
}

static void TestApiTable(void) {
  const fc_api *api;
  phase = "api table";
  api = faultcore_get_api();
  CHECK(api != NULL);
  if (api == NULL) return;
  CHECK_EQ_U64(api->abi_major, FC_ABI_VERSION_MAJOR);
  CHECK_EQ_U64(api->abi_minor, FC_ABI_VERSION_MINOR); /* same header */
  CHECK(api->size >= sizeof(fc_api));
  CHECK(api->engine_check == fc_engine_check);
  CHECK(api->free == fc_free);
  CHECK(api->size >= offsetof(fc_api, engine_op_stats) + sizeof(void *));
  CHECK(api->engine_resolve == fc_engine_resolve);
  CHECK(api->engine_op_stats == fc_engine_op_stats);
  CHECK(api->size >= offsetof(fc_api, engine_raise_event_ex) + sizeof(void *));
  CHECK(api->engine_raise_event_ex == fc_engine_raise_event_ex);
  CHECK(api->library_version != NULL &&
        strcmp(api->library_version(), fc_library_version()) == 0);
}

int main(void) {
  TestVersions();
  TestCreateWithoutAPlace();
  TestEmptyEngine();
  TestVerdicts();
  TestVerdictSize();
  TestLoadErrors();
  TestEmptyRuleSet();
  TestEventsAndState();
  TestHolds();
  TestObservation();
  TestAsk();
  TestApiTable();
  printf("c_api_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
