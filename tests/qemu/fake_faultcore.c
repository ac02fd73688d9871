/*
 * Stand-ins for libfaultcore.so that QEMU must refuse (tests/qemu/run.sh
 * builds them with gcc -shared -fPIC):
 *   default          faultcore_get_api() returns a table of the next major
 *                    ABI version (FC_ABI_VERSION_MAJOR + 1, minor 7);
 *   -DFAKE_NO_SYMBOL a shared object without faultcore_get_api;
 *   -DFAKE_NULL_API  faultcore_get_api() returns NULL;
 *   -DFAKE_MARKER    a library whose constructor creates the file named by
 *                    $FAKE_MARKER: proof that it was loaded (and so ran).
 * None has working functions: QEMU must not call any of them.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultcore/faultcore.h"

#if defined(FAKE_NO_SYMBOL)

FC_EXPORT int not_faultcore(void)
{
    return 0;
}

#elif defined(FAKE_NULL_API)

FC_EXPORT const fc_api *faultcore_get_api(void)
{
    return NULL;
}

#elif defined(FAKE_MARKER)

__attribute__((constructor)) static void fake_marker(void)
{
    const char *path = getenv("FAKE_MARKER");
    FILE *f = path ? fopen(path, "w") : NULL;

    if (f) {
        fputs("loaded\n", f);
        fclose(f);
    }
}

FC_EXPORT const fc_api *faultcore_get_api(void)
{
    return NULL;
}

#else

static const fc_api fake_api = {
    .size = sizeof(fc_api),
    .abi_major = FC_ABI_VERSION_MAJOR + 1,
    .abi_minor = 7,
};

FC_EXPORT const fc_api *faultcore_get_api(void)
{
    return &fake_api;
}

#endif
