"""Compiler options shared by every faultcore C++ target."""

FAULTCORE_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
]

# For the C test and other pure-C targets.
FAULTCORE_C_COPTS = [
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
]
