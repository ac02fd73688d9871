"""Bazel's built-in proto symbols under names defs.bzl can re-export."""

NativeProtoInfo = ProtoInfo
