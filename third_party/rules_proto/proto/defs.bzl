"""Offline stand-in for @rules_proto//proto:defs.bzl.

Lets BUILD files keep the usual
    load("@rules_proto//proto:defs.bzl", "proto_library")
without downloading rules_proto: the proto rules are built into Bazel 4. The compiler and
the C++ runtime come from Bazel 4's defaults, @com_google_protobuf//:protoc and
@com_google_protobuf//:cc_toolchain (Debian's protoc and libprotobuf, see
third_party/protobuf/).
"""

load(":native.bzl", "NativeProtoInfo")

ProtoInfo = NativeProtoInfo

def proto_library(**attrs):
    native.proto_library(**attrs)

def proto_lang_toolchain(**attrs):
    native.proto_lang_toolchain(**attrs)
