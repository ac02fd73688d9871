"""The public headers of cc_library targets, as plain files.

so_exports_test.sh parses faultcore.h; //libfaultcore exports the header only
through the `faultcore_header` cc_library, so this rule takes the headers
from the library's CcInfo instead of reaching into that package's files.
"""

def _cc_public_headers_impl(ctx):
    headers = []
    for dep in ctx.attr.deps:
        # With strip_include_prefix a header also appears as a symlink under
        # _virtual_includes; keep the source file only.
        headers.extend([
            h
            for h in dep[CcInfo].compilation_context.direct_public_headers
            if h.is_source
        ])
    return [DefaultInfo(
        files = depset(headers),
        runfiles = ctx.runfiles(files = headers),
    )]

cc_public_headers = rule(
    implementation = _cc_public_headers_impl,
    attrs = {"deps": attr.label_list(providers = [CcInfo])},
    doc = "The direct public headers of `deps` as this target's files.",
)
