#!/bin/sh
# A switch-command (traffic: command) for Caddy's admin API, as a sketch to adapt: the
# reverse_proxy handler carries "@id": "shop" and one upstream. (The tests drive nginx with a
# command of the same shape; Caddy is not installed there.)
#   SLOT_ADDRESSES="blue=127.0.0.1:8081 green=127.0.0.1:8082"
set -eu
api=http://localhost:2019/id/shop/upstreams/0/dial
if [ -z "${DEPLOY_SLOT:-}" ]; then
  # The read-back: print the slot whose address Caddy dials now.
  live=$(curl -fsS "$api" | tr -d '"')
  for pair in ${SLOT_ADDRESSES:?}; do
    [ "${pair#*=}" = "$live" ] && echo "${pair%%=*}"
  done
  exit 0
fi
curl -fsS -X PATCH -H 'Content-Type: application/json' -d "\"$DEPLOY_SLOT_ADDRESS\"" "$api"
