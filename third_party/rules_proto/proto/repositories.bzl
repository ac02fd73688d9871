"""Offline stand-in for @rules_proto//proto:repositories.bzl: nothing to fetch."""

def rules_proto_dependencies():
    pass

def rules_proto_toolchains():
    pass
