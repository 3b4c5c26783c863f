#!/bin/sh
# `storegate` on the PATH: the CLI of the current release, reading @PREFIX@/etc/storegate/storegate.yaml
# unless --config or STOREGATE_CONFIG names another file.
: "${STOREGATE_CONFIG:=@PREFIX@/etc/storegate/storegate.yaml}"
export STOREGATE_CONFIG
exec node @PREFIX@/opt/storegate/current/dist/gateway/src/cli/bin.js "$@"
