/*
 * faultcore: the C ABI of the fault engine.
 *
 * SPDX-License-Identifier: MIT
 *
 * Conventions (read these once; every function below follows them):
 *
 *  - Ownership.  Every handle comes from an fc_*_create function and is
 *    released by the matching fc_*_destroy.  Strings the library returns
 *    through `char **` arguments are allocated by the library and released
 *    with fc_free().  Strings passed in are copied when kept.
 *  - Errors.  Fallible functions return an fc_status (FC_OK == 0); each
 *    one's comment ends with an "Errors:" line listing the statuses it
 *    returns and whether a message comes with them.  Where a function takes
 *    a trailing `char **errmsg`, it may be NULL; otherwise, on failure,
 *    *errmsg receives a message (naming the file, line, rule and field where
 *    there is one) to be released with fc_free(); on success it is left
 *    alone.  Functions without `errmsg` report a status only: their statuses
 *    are specific enough to need no message.  Functions returning void or a
 *    value cannot fail (they do nothing on a bad argument, as said).  No C++
 *    exception ever crosses this boundary.
 *  - Integers.  Offsets and lengths are bytes, uint64_t.  Times are
 *    nanoseconds, uint64_t.  Rule ids are indexes into the loaded rule set.
 *  - NULL.  Handles must not be NULL unless stated; optional out-arguments
 *    may be NULL.
 *  - Threads.  An fc_engine may be used from any number of threads at once,
 *    including threads the library did not create (QEMU's vCPU and I/O
 *    threads).  fc_engine_check() never blocks, allocates or takes a lock
 *    when no rule overlaps the request; loading, resetting and releasing may
 *    run concurrently with it and never make it wait.  Replacing the rule set
 *    is atomic: a check sees either the old set or the new one.
 *  - Versioning.  FC_ABI_VERSION_MAJOR changes when something here changes
 *    incompatibly; FC_ABI_VERSION_MINOR when something is added (the whole
 *    policy, and the check that enforces it: libfaultcore/ABI.md).  Structs
 *    that cross the boundary begin with a `size` field the caller sets to
 *    sizeof() as it knows it, so older and newer sides can talk.  Plugin
 *    hosts load the shared object, call faultcore_get_api() and check
 *    abi_major before using the table.
 */
#ifndef FAULTCORE_INCLUDE_FAULTCORE_FAULTCORE_H_
#define FAULTCORE_INCLUDE_FAULTCORE_FAULTCORE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define FC_EXPORT
#else
#define FC_EXPORT __attribute__((visibility("default")))
#endif

#define FC_ABI_VERSION_MAJOR 1
#define FC_ABI_VERSION_MINOR 2

/*
 * ABI history (what each minor version added):
 *   1.0  the engine, checks, holds, counters, plugin table
 *   1.1  FC_ACTION_ASK and fc_engine_ask/resolve/take_decision;
 *        fc_verdict.seq; traces, statistics and fc_engine_complete
 *   1.2  fc_engine_raise_event_ex (with a message)
 */

/* ---- Status codes ---------------------------------------------------- */

typedef enum fc_status {
  FC_OK = 0,
  FC_INVALID_ARGUMENT = 1, /* a bad argument or a rule file that is wrong */
  FC_NOT_FOUND = 2,        /* no such file, rule, target, event or hold */
  FC_IO_ERROR = 3,         /* a file could not be read */
  FC_RESOURCE_EXHAUSTED = 4, /* a limit (size, count) was exceeded */
  FC_INTERNAL = 5          /* a bug in faultcore */
} fc_status;

/* ---- Requests and verdicts ------------------------------------------- */

typedef enum fc_op {
  FC_OP_READ = 1,
  FC_OP_WRITE = 2,
  FC_OP_FLUSH = 3,
  FC_OP_DISCARD = 4,
  FC_OP_WRITE_ZEROES = 5
} fc_op;

/* What the host must do with a request. */
typedef enum fc_action {
  FC_ACTION_PASS = 0,          /* carry out the request normally */
  FC_ACTION_MEDIA_ERROR = 1,   /* transfer good_bytes, then fail */
  FC_ACTION_WRITE_FAULT = 2,   /* write good_bytes, then fail */
  FC_ACTION_RECOVERED = 3,     /* carry out fully, report a recovered error */
  FC_ACTION_DELAY = 4,         /* wait delay_ns, then carry out */
  FC_ACTION_HOLD = 5,          /* park (fc_engine_hold), see fc_verdict */
  FC_ACTION_CORRUPT = 6,       /* read, then fc_corrupt_buffer() */
  FC_ACTION_TORN_WRITE = 7,    /* write good_bytes only, see FC_VERDICT_* */
  FC_ACTION_LOST_WRITE = 8,    /* write nothing, report success */
  FC_ACTION_ASK = 9            /* since 1.1: park (fc_engine_ask) until
                                  fc_engine_resolve decides, see below */
} fc_action;

/* fc_verdict.flags */
#define FC_VERDICT_REPORT_SUCCESS 0x1u /* torn write / hold: report success */
#define FC_VERDICT_FAIL_ON_TIMEOUT 0x2u /* hold: fail when the timeout ends */

/* fc_verdict.scsi_sense_format */
#define FC_SENSE_AUTO 0u
#define FC_SENSE_FIXED 1u
#define FC_SENSE_DESCRIPTOR 2u

#define FC_NO_RULE UINT32_MAX

/*
 * The engine's decision on one request.  The caller sets `size` to
 * sizeof(fc_verdict); the engine writes only the fields that fit.  On
 * FC_ACTION_PASS only `action` is written (and `seq` when the request is
 * observed); on anything else every field is.  So that `seq` says whether
 * to call fc_engine_complete(), zero the verdict before each check
 * (`fc_verdict v = { sizeof(v) };`): the miss path stays a few stores.
 */
typedef struct fc_verdict {
  uint32_t size;
  uint32_t action;         /* fc_action */
  uint32_t rule_id;        /* winning rule's index, FC_NO_RULE on pass */
  uint32_t flags;          /* FC_VERDICT_* */
  uint64_t first_bad_byte; /* absolute byte address of the first fault */
  uint64_t good_bytes;     /* bytes of the request before first_bad_byte */
  uint64_t bad_bytes;      /* bytes from first_bad_byte to the end of the
                              rule's range within the request */
  uint64_t delay_ns;       /* wait this long before the outcome */
  uint64_t hold_timeout_ns; /* FC_ACTION_HOLD: upper bound of the hold */
  uint64_t corrupt_seed;   /* FC_ACTION_CORRUPT: for fc_corrupt_buffer */
  uint32_t corrupt_bits_per_block;
  uint32_t block_size;     /* the rule set's block size */
  int32_t errno_value;     /* positive errno for plain block layers, 0 none */
  uint8_t scsi_sense_key;
  uint8_t scsi_asc;
  uint8_t scsi_ascq;
  uint8_t scsi_sense_format; /* FC_SENSE_* */
  uint8_t nvme_sct;
  uint8_t nvme_sc;
  uint8_t nvme_dnr;
  uint8_t nvme_more;
  uint8_t ata_status;
  uint8_t ata_error;
  uint8_t reserved[6];
  /* Since 1.1.  Written nonzero when the engine observes the request (a
   * trace or statistics are on; then also on FC_ACTION_PASS) or a rule
   * changed it: its number in submission order, strictly increasing; left
   * alone on an unobserved pass (the caller zeroed it).  Hand the verdict
   * back to fc_engine_complete() when the request ends. */
  uint64_t seq;
} fc_verdict;

/* ---- The engine ------------------------------------------------------- */

typedef struct fc_engine fc_engine;

/* Creates an engine with no rules (every request passes).
 * Errors: FC_INVALID_ARGUMENT (engine is NULL), FC_RESOURCE_EXHAUSTED,
 * FC_INTERNAL; with a message. */
FC_EXPORT fc_status fc_engine_create(fc_engine **engine, char **errmsg);
/* Destroys an engine.  Held requests are released first.  No other call on
 * the engine may be running or start afterwards.  NULL is a no-op. */
FC_EXPORT void fc_engine_destroy(fc_engine *engine);

typedef enum fc_format {
  FC_FORMAT_AUTO = 0,   /* by extension (.txtpb/.textproto/.pbtxt/.fc =
                           text, .binpb/.pb = binary), else by content */
  FC_FORMAT_TEXT = 1,   /* protobuf text format */
  FC_FORMAT_BINARY = 2  /* protobuf binary format */
} fc_format;

/* Replaces the engine's rule set with the one in `path`.  On any error the
 * previous rules stay active and *errmsg says where and why
 * ("FILE:LINE:COL: error: rules[3] ("name").field: message").  A successful
 * load resets counters, state and heals.
 * Errors: FC_INVALID_ARGUMENT (no path, not a rule file, invalid rules),
 * FC_NOT_FOUND (no such file), FC_IO_ERROR (unreadable),
 * FC_RESOURCE_EXHAUSTED (too large, out of memory), FC_INTERNAL; with a
 * message. */
FC_EXPORT fc_status fc_engine_load_file(fc_engine *engine, const char *path,
                                        fc_format format, char **errmsg);
/* Same, from memory.  `name` is used in messages (may be NULL: "<buffer>").
 * Errors: as fc_engine_load_file() but FC_NOT_FOUND and FC_IO_ERROR. */
FC_EXPORT fc_status fc_engine_load_buffer(fc_engine *engine, const void *data,
                                          size_t len, fc_format format,
                                          const char *name, char **errmsg);

/* Target ids.  Requests name their device by a small integer the host gets
 * once per device (e.g. per QEMU node).  The same name always gives the same
 * id for the life of the engine.  Id 0 is "no target": it matches only
 * rules that name no target.
 * Errors: FC_INVALID_ARGUMENT (name or id NULL), FC_RESOURCE_EXHAUSTED. */
#define FC_TARGET_NONE 0u
FC_EXPORT fc_status fc_engine_target_id(fc_engine *engine, const char *name,
                                        uint32_t *id);

/*
 * The hot path.  Decides the fate of one request and returns its action
 * (FC_ACTION_PASS when nothing fires).  `verdict` may be NULL when only the
 * action matters; otherwise verdict->size must be set.  A zero-length
 * request (flush) matches only rules without a range.
 */
FC_EXPORT uint32_t fc_engine_check(fc_engine *engine, uint32_t target,
                                   uint32_t op, uint64_t offset,
                                   uint64_t length, fc_verdict *verdict);

/* Flips the bits a FC_ACTION_CORRUPT verdict calls for in `buf`, which holds
 * the `len` bytes read from absolute address `buf_offset`.  Only bytes inside
 * [first_bad_byte, first_bad_byte + bad_bytes) change.  Deterministic. */
FC_EXPORT void fc_corrupt_buffer(const fc_verdict *verdict,
                                 uint64_t buf_offset, void *buf, size_t len);

/* Raises a named event; transitions that apply in the current state fire.
 * Errors: FC_INVALID_ARGUMENT (event NULL), FC_NOT_FOUND (the rule set has
 * no transition on that event, or there are no rules); no message: use
 * fc_engine_raise_event_ex() for one. */
FC_EXPORT fc_status fc_engine_raise_event(fc_engine *engine,
                                          const char *event);
/* Since 1.2.  fc_engine_raise_event() with a message saying why an event
 * did nothing ("no transition on event \"x\": no rules").
 * Errors: as fc_engine_raise_event(); with a message. */
FC_EXPORT fc_status fc_engine_raise_event_ex(fc_engine *engine,
                                             const char *event,
                                             char **errmsg);

/* The current state's name (fc_free it).
 * Errors: FC_INVALID_ARGUMENT (state NULL), FC_RESOURCE_EXHAUSTED. */
FC_EXPORT fc_status fc_engine_state(fc_engine *engine, char **state);

/* Resets counters, state (to the initial one) and heals, and releases every
 * held request. */
FC_EXPORT void fc_engine_reset(fc_engine *engine);

/* ---- Holds ------------------------------------------------------------ */

/* Called once when a held request is released (by fc_engine_release or
 * fc_engine_reset/destroy), on the releasing thread, with no engine lock
 * held.  Not called after fc_engine_hold_cancel returned FC_OK. */
typedef void (*fc_release_fn)(void *opaque);

/* Registers a request parked because of a FC_ACTION_HOLD verdict; *ticket
 * identifies it.  The host enforces verdict->hold_timeout_ns itself.
 * Errors: FC_INVALID_ARGUMENT (verdict or ticket NULL),
 * FC_RESOURCE_EXHAUSTED (out of memory: the request was not parked). */
FC_EXPORT fc_status fc_engine_hold(fc_engine *engine, uint32_t target,
                                   const fc_verdict *verdict,
                                   fc_release_fn release, void *opaque,
                                   uint64_t *ticket);
/* Unregisters a hold (its timeout passed, or the host aborted it).  FC_OK if
 * it was still held (the callback will not run), FC_NOT_FOUND if it was
 * already released (the callback ran or is running).  No message. */
FC_EXPORT fc_status fc_engine_hold_cancel(fc_engine *engine, uint64_t ticket);
/* Releases held requests: those of `target` (FC_TARGET_NONE: any target)
 * whose rule is named `rule` (NULL: any rule).  *released (may be NULL)
 * receives how many.
 * Errors: FC_INTERNAL only (a bug); no message. */
FC_EXPORT fc_status fc_engine_release(fc_engine *engine, uint32_t target,
                                      const char *rule, size_t *released);

/* ---- Asks (since 1.1) --------------------------------------------------- */

/*
 * A FC_ACTION_ASK verdict parks the request until someone outside decides
 * it.  The host registers it with fc_engine_ask() (instead of
 * fc_engine_hold(); the release callback, fc_engine_hold_cancel() and the
 * host-enforced timeout work as for holds), tells whoever decides about
 * *ticket, and once the callback ran calls fc_engine_take_decision().  If
 * the wait ended otherwise (timeout, drain, the submitter gave up: the host
 * cancelled the hold and got FC_OK), the request does what the verdict says
 * for a timeout: FC_VERDICT_FAIL_ON_TIMEOUT fails it with the verdict's
 * codes, else it passes.
 * Errors: FC_INVALID_ARGUMENT (verdict or ticket NULL, unknown op),
 * FC_RESOURCE_EXHAUSTED (not parked); no message.
 */
FC_EXPORT fc_status fc_engine_ask(fc_engine *engine, uint32_t target,
                                  uint32_t op, uint64_t offset,
                                  uint64_t length, const fc_verdict *verdict,
                                  fc_release_fn release, void *opaque,
                                  uint64_t *ticket);

/* fc_decision.set: the codes that replace the action's defaults */
#define FC_DECIDE_SCSI_SENSE_KEY 0x001u
#define FC_DECIDE_SCSI_ASC 0x002u
#define FC_DECIDE_SCSI_ASCQ 0x004u
#define FC_DECIDE_NVME_SCT 0x008u
#define FC_DECIDE_NVME_SC 0x010u
#define FC_DECIDE_NVME_DNR 0x020u
#define FC_DECIDE_ATA_STATUS 0x040u
#define FC_DECIDE_ATA_ERROR 0x080u
#define FC_DECIDE_ERRNO 0x100u

typedef struct fc_decision {
  uint32_t size;       /* caller sets sizeof(fc_decision) */
  uint32_t action;     /* FC_ACTION_PASS or MEDIA_ERROR, WRITE_FAULT,
                          RECOVERED, CORRUPT, TORN_WRITE, LOST_WRITE */
  uint32_t set;        /* FC_DECIDE_* */
  int32_t errno_value; /* 1..4095 */
  uint8_t scsi_sense_key;
  uint8_t scsi_asc;
  uint8_t scsi_ascq;
  uint8_t nvme_sct;
  uint8_t nvme_sc;
  uint8_t nvme_dnr;
  uint8_t ata_status;
  uint8_t ata_error;
} fc_decision;

/* Decides the asked request `ticket` and releases it (its callback runs on
 * this thread).  The request fails where the ask's rule says (its first bad
 * byte), with the action's default codes replaced by those in `set`.
 * FC_NOT_FOUND: no ask waits under that ticket (the message says whether it
 * never existed or was already decided, released or timed out);
 * FC_INVALID_ARGUMENT: an action that cannot decide, or cannot apply to the
 * request's op, or bad codes.  On error nothing changes.  Errors (with a
 * message): those, and FC_INTERNAL. */
FC_EXPORT fc_status fc_engine_resolve(fc_engine *engine, uint64_t ticket,
                                      const fc_decision *decision,
                                      char **errmsg);
/* The verdict fc_engine_resolve() decided for `ticket` (with the ask's seq),
 * once.  Errors: FC_NOT_FOUND if it was not decided that way (released or
 * reset: the request passes), FC_INVALID_ARGUMENT (verdict NULL),
 * FC_INTERNAL; no message. */
FC_EXPORT fc_status fc_engine_take_decision(fc_engine *engine,
                                            uint64_t ticket,
                                            fc_verdict *verdict);

/* ---- Observation (since 1.1) ------------------------------------------ */

/*
 * A trace is an ordered, bounded record of requests; statistics count them
 * per (target, op).  While either is on, every request's verdict carries a
 * seq and the host calls fc_engine_complete() when it ends; while both are
 * off, fc_engine_check() costs exactly what it did without them.
 */
#define FC_TRACE_DEFAULT_CAPACITY 65536u
#define FC_TRACE_MAX_CAPACITY (1u << 21)
#define FC_TRACE_INJECTED_ONLY 0x1u /* record only requests a rule changed */

/* Starts a new trace of `capacity` records (0: FC_TRACE_DEFAULT_CAPACITY),
 * discarding the previous one.  When full, the oldest records go.
 * Errors: FC_INVALID_ARGUMENT (capacity above FC_TRACE_MAX_CAPACITY,
 * unknown flags), FC_RESOURCE_EXHAUSTED, FC_INTERNAL; with a message. */
FC_EXPORT fc_status fc_engine_trace_start(fc_engine *engine,
                                          uint64_t capacity, uint32_t flags,
                                          char **errmsg);
/* Stops recording; the records stay for fc_engine_trace_dump(). */
FC_EXPORT void fc_engine_trace_stop(fc_engine *engine);
/* Writes the trace to `path` as JSON lines (docs/observability.md): a
 * header with how many records were dropped, then one object per request
 * in submission order.  FC_IO_ERROR if the file cannot be written,
 * FC_INVALID_ARGUMENT if no trace was started or path is NULL or empty,
 * FC_RESOURCE_EXHAUSTED, FC_INTERNAL; with a message. */
FC_EXPORT fc_status fc_engine_trace_dump(fc_engine *engine, const char *path,
                                         char **errmsg);

/* Tells the engine how an observed request ended: `verdict` is the one
 * fc_engine_check() filled in (for an ask: the decision, or the check's
 * verdict if it timed out); `result` 0 or a negative errno; `latency_ns`
 * from submission to completion.  A no-op when verdict->seq is 0. */
FC_EXPORT void fc_engine_complete(fc_engine *engine, uint32_t target,
                                  uint32_t op, const fc_verdict *verdict,
                                  int32_t result, uint64_t latency_ns);

#define FC_HISTOGRAM_BUCKETS 65 /* 0: the value 0; i: [2^(i-1), 2^i) */
#define FC_STATS_DEFAULT_HEAT_BUCKET (1u << 20) /* bytes */
#define FC_STATS_MAX_HEAT_CELLS (1u << 18)      /* per (target, op) */

/* Clears the statistics and collects them from now on, with a heat map of
 * `heat_bucket_bytes` buckets (0: FC_STATS_DEFAULT_HEAT_BUCKET).
 * Any bucket size from 1 byte works.
 * Errors: FC_INTERNAL only (a bug); with a message. */
FC_EXPORT fc_status fc_engine_stats_start(fc_engine *engine,
                                          uint64_t heat_bucket_bytes,
                                          char **errmsg);
FC_EXPORT void fc_engine_stats_stop(fc_engine *engine);

typedef struct fc_op_stats {
  uint32_t size;            /* caller sets sizeof(fc_op_stats) */
  uint32_t reserved;
  uint64_t requests;        /* decided */
  uint64_t bytes;
  uint64_t completed;       /* reported to fc_engine_complete() */
  uint64_t failed;          /* of which with a negative result */
  uint64_t injected[16];    /* requests a rule changed, by FC_ACTION_* */
  uint64_t size_histogram[FC_HISTOGRAM_BUCKETS];    /* bytes */
  uint64_t latency_histogram[FC_HISTOGRAM_BUCKETS]; /* ns, completed */
  uint64_t latency_max_ns;
  uint64_t latency_total_ns;
  uint64_t heat_bucket_bytes;
  uint64_t heat_cells;      /* buckets with requests */
  uint64_t heat_dropped;    /* requests in buckets beyond the cell limit */
} fc_op_stats;

typedef struct fc_heat_cell {
  uint64_t bucket;          /* offset / heat_bucket_bytes */
  uint64_t requests;
  uint64_t bytes;
  uint64_t injected;
} fc_heat_cell;

/* Statistics of (target, op) since fc_engine_stats_start(), and up to
 * `capacity` heat-map cells in bucket order into `cells` (may be NULL when
 * capacity is 0).
 * Errors: FC_INVALID_ARGUMENT (statistics are off, stats NULL, unknown op,
 * cells NULL with a capacity), FC_INTERNAL; no message. */
FC_EXPORT fc_status fc_engine_op_stats(fc_engine *engine, uint32_t target,
                                       uint32_t op, fc_op_stats *stats,
                                       fc_heat_cell *cells, size_t capacity);

/* ---- Counters --------------------------------------------------------- */

typedef struct fc_rule_stats {
  uint32_t size;        /* caller sets sizeof(fc_rule_stats) */
  uint32_t reserved;
  uint64_t matches;     /* requests the rule was considered for */
  uint64_t fires;       /* of which it fired */
  uint64_t healed_bytes; /* bytes of its range healed by writes */
  uint64_t held;        /* requests of this rule currently held */
} fc_rule_stats;

/* Number of rules in the loaded rule set. */
FC_EXPORT uint32_t fc_engine_rule_count(fc_engine *engine);
/* The name of rule `rule_id` (fc_free it); "" if it has none.
 * Errors: FC_INVALID_ARGUMENT (name NULL), FC_NOT_FOUND (no such rule:
 * rule ids are below fc_engine_rule_count()), FC_RESOURCE_EXHAUSTED; no
 * message. */
FC_EXPORT fc_status fc_engine_rule_name(fc_engine *engine, uint32_t rule_id,
                                        char **name);
/* Counters of rule `rule_id`; for a per-target rule, those of `target`
 * (FC_TARGET_NONE: the sum over targets).
 * Errors: FC_INVALID_ARGUMENT (stats NULL), FC_NOT_FOUND (no such rule),
 * FC_INTERNAL; no message. */
FC_EXPORT fc_status fc_engine_rule_stats(fc_engine *engine, uint32_t rule_id,
                                         uint32_t target, fc_rule_stats *stats);

/* ---- Versions and memory ---------------------------------------------- */

/* (FC_ABI_VERSION_MAJOR << 16) | FC_ABI_VERSION_MINOR of the library. */
FC_EXPORT uint32_t fc_abi_version(void);
/* The library's release, e.g. "0.1.0" (static storage). */
FC_EXPORT const char *fc_library_version(void);
/* Releases memory the library returned.  NULL is a no-op. */
FC_EXPORT void fc_free(void *ptr);

/* ---- Plugin-style loading --------------------------------------------- */

/*
 * A table of every function above.  Hosts that load the shared object at run
 * time (dlopen/GModule) look up the single symbol FC_GET_API_SYMBOL, call it,
 * and refuse the library unless abi_major == FC_ABI_VERSION_MAJOR.  Fields are
 * only ever appended (abi_minor grows); `size` is the table's sizeof as the
 * library knows it, so check it before using a field added later.
 */
typedef struct fc_api {
  uint32_t size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t reserved;
  const char *(*library_version)(void);
  fc_status (*engine_create)(fc_engine **, char **);
  void (*engine_destroy)(fc_engine *);
  fc_status (*engine_load_file)(fc_engine *, const char *, fc_format,
                                char **);
  fc_status (*engine_load_buffer)(fc_engine *, const void *, size_t,
                                  fc_format, const char *, char **);
  fc_status (*engine_target_id)(fc_engine *, const char *, uint32_t *);
  uint32_t (*engine_check)(fc_engine *, uint32_t, uint32_t, uint64_t,
                           uint64_t, fc_verdict *);
  void (*corrupt_buffer)(const fc_verdict *, uint64_t, void *, size_t);
  fc_status (*engine_raise_event)(fc_engine *, const char *);
  fc_status (*engine_state)(fc_engine *, char **);
  void (*engine_reset)(fc_engine *);
  fc_status (*engine_hold)(fc_engine *, uint32_t, const fc_verdict *,
                           fc_release_fn, void *, uint64_t *);
  fc_status (*engine_hold_cancel)(fc_engine *, uint64_t);
  fc_status (*engine_release)(fc_engine *, uint32_t, const char *, size_t *);
  uint32_t (*engine_rule_count)(fc_engine *);
  fc_status (*engine_rule_name)(fc_engine *, uint32_t, char **);
  fc_status (*engine_rule_stats)(fc_engine *, uint32_t, uint32_t,
                                 fc_rule_stats *);
  void (*free)(void *);
  /* since 1.1 */
  fc_status (*engine_ask)(fc_engine *, uint32_t, uint32_t, uint64_t,
                          uint64_t, const fc_verdict *, fc_release_fn, void *,
                          uint64_t *);
  fc_status (*engine_resolve)(fc_engine *, uint64_t, const fc_decision *,
                              char **);
  fc_status (*engine_take_decision)(fc_engine *, uint64_t, fc_verdict *);
  fc_status (*engine_trace_start)(fc_engine *, uint64_t, uint32_t, char **);
  void (*engine_trace_stop)(fc_engine *);
  fc_status (*engine_trace_dump)(fc_engine *, const char *, char **);
  void (*engine_complete)(fc_engine *, uint32_t, uint32_t, const fc_verdict *,
                          int32_t, uint64_t);
  fc_status (*engine_stats_start)(fc_engine *, uint64_t, char **);
  void (*engine_stats_stop)(fc_engine *);
  fc_status (*engine_op_stats)(fc_engine *, uint32_t, uint32_t, fc_op_stats *,
                               fc_heat_cell *, size_t);
  /* since 1.2 */
  fc_status (*engine_raise_event_ex)(fc_engine *, const char *, char **);
} fc_api;

#define FC_GET_API_SYMBOL "faultcore_get_api"
typedef const fc_api *(*fc_get_api_fn)(void);
/* The one entry point for plugin hosts; never returns NULL. */
FC_EXPORT const fc_api *faultcore_get_api(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAULTCORE_INCLUDE_FAULTCORE_FAULTCORE_H_ */
