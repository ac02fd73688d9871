/*
 * Loads libfaultcore.so at run time the way a plugin host (QEMU) does: dlopen,
 * look up the one symbol FC_GET_API_SYMBOL, refuse the library unless
 * abi_major matches, then drive everything through the function table.  The
 * library is NOT linked into this test; its path comes as argv[1].
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "faultcore/faultcore.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

static int released = 0;
static void OnRelease(void *opaque) { ++*(int *)opaque; }

static const char kRules[] =
    "rules { name: \"bad\" range { lba: 8 count: 2 } media_error {} }\n"
    "rules { name: \"stall\" ops: READ range { lba: 100 } hold {} }\n";

int main(int argc, char **argv) {
  void *handle;
  fc_get_api_fn get_api;
  const fc_api *api;
  fc_engine *engine = NULL;
  fc_verdict v;
  char *err = NULL;
  uint64_t ticket = 0;
  size_t n = 0;
  fc_rule_stats stats;

  if (argc < 2) {
    fprintf(stderr, "usage: %s path/to/libfaultcore.so\n", argv[0]);
    return 2;
  }
  /* The library must not already be in the process. */
  CHECK(dlsym(RTLD_DEFAULT, "fc_engine_create") == NULL);

  handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    fprintf(stderr, "dlopen(%s): %s\n", argv[1], dlerror());
    return 1;
  }
  /* ISO C forbids converting void* to a function pointer; POSIX allows it
   * through this memcpy-free idiom. */
  *(void **)(&get_api) = dlsym(handle, FC_GET_API_SYMBOL);
  if (get_api == NULL) {
    fprintf(stderr, "dlsym(%s): %s\n", FC_GET_API_SYMBOL, dlerror());
    return 1;
  }
  api = get_api();
  CHECK(api != NULL);
  if (api == NULL) return 1;
  if (api->abi_major != FC_ABI_VERSION_MAJOR) {
    fprintf(stderr, "ABI %u, want %u: refused\n", (unsigned)api->abi_major,
            (unsigned)FC_ABI_VERSION_MAJOR);
    return 1;
  }
  CHECK(api->size >= sizeof(fc_api));
  printf("loaded %s: faultcore %s, ABI %u.%u, table of %u bytes\n", argv[1],
         api->library_version(), (unsigned)api->abi_major,
         (unsigned)api->abi_minor, (unsigned)api->size);

  CHECK(api->engine_create(&engine, &err) == FC_OK);
  CHECK(api->engine_load_buffer(engine, kRules, strlen(kRules), FC_FORMAT_TEXT,
                                "plugin.txtpb", &err) == FC_OK);
  if (err != NULL) {
    fprintf(stderr, "load: %s\n", err);
    api->free(err);
    err = NULL;
  }
  CHECK(api->engine_rule_count(engine) == 2);

  memset(&v, 0, sizeof(v));
  v.size = sizeof(v);
  CHECK(api->engine_check(engine, FC_TARGET_NONE, FC_OP_READ, 0, 4096, &v) ==
        FC_ACTION_PASS);
  CHECK(api->engine_check(engine, FC_TARGET_NONE, FC_OP_READ, 7 * 512, 2048,
                          &v) == FC_ACTION_MEDIA_ERROR);
  CHECK(v.rule_id == 0);
  CHECK(v.first_bad_byte == 8 * 512);
  CHECK(v.good_bytes == 512);
  CHECK(v.bad_bytes == 1024);

  /* Hold and release through the table. */
  CHECK(api->engine_check(engine, FC_TARGET_NONE, FC_OP_READ, 100 * 512, 512,
                          &v) == FC_ACTION_HOLD);
  CHECK(api->engine_hold(engine, FC_TARGET_NONE, &v, OnRelease, &released,
                         &ticket) == FC_OK);
  stats.size = sizeof(stats);
  CHECK(api->engine_rule_stats(engine, 1, FC_TARGET_NONE, &stats) == FC_OK);
  CHECK(stats.held == 1);
  CHECK(api->engine_release(engine, FC_TARGET_NONE, "stall", &n) == FC_OK);
  CHECK(n == 1);
  CHECK(released == 1);

  api->engine_destroy(engine);
  CHECK(dlclose(handle) == 0);
  printf("dlopen_test: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
