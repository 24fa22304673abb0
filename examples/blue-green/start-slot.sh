#!/bin/sh
# The command driver's command for blue-green with the sample service: makes $DEPLOY_VERSION run
# in slot $DEPLOY_SLOT on $DEPLOY_SLOT_PORT, replacing what that slot ran, and returns once it
# answers. No user reaches the slot meanwhile: deploy-actions switches traffic only after it
# verified the slot. With systemd this is `systemctl restart app@$DEPLOY_SLOT` (see
# app@.service) after installing the version.
#   SLOTS_DIR  where each slot's pid and log are kept
#   SERVICE    the service's entry (default: current-$DEPLOY_SLOT/server.mjs, as the releases
#              driver links each slot's release, when run as its restart-command)
# A release marked broken (a file $SLOTS_DIR/broken-<version>, or BROKEN in the release) starts
# broken: 503 on health. One marked $SLOTS_DIR/breaks-<version> (holding milliseconds) breaks
# that long after it started. A canary build that fails users while its health stays UP:
# $SLOTS_DIR/fails-<version> holds the fraction of requests answered 500 (0.2); one that is
# slow: $SLOTS_DIR/slow-<version> holds the milliseconds added to each request.
set -eu
dir=${SLOTS_DIR:?SLOTS_DIR is needed}
pidfile="$dir/$DEPLOY_SLOT.pid"
log="$dir/$DEPLOY_SLOT.log"
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  kill "$old" 2>/dev/null || true
  while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
fi
service=${SERVICE:-$PWD/current-$DEPLOY_SLOT/server.mjs}
broken=0
[ -f "$dir/broken-$DEPLOY_VERSION" ] && broken=1
[ -f "$(dirname "$service")/BROKEN" ] && broken=1
breaks_after=
[ -f "$dir/breaks-$DEPLOY_VERSION" ] && breaks_after=$(cat "$dir/breaks-$DEPLOY_VERSION")
fail_fraction=0
[ -f "$dir/fails-$DEPLOY_VERSION" ] && fail_fraction=$(cat "$dir/fails-$DEPLOY_VERSION")
slow_ms=0
[ -f "$dir/slow-$DEPLOY_VERSION" ] && slow_ms=$(cat "$dir/slow-$DEPLOY_VERSION")
: > "$log"
BROKEN=$broken BREAKS_AFTER_MS=${breaks_after:-Infinity} FAIL_FRACTION=$fail_fraction SLOW_MS=$slow_ms \
  VERSION="$DEPLOY_VERSION" PORT="$DEPLOY_SLOT_PORT" \
  setsid node "$service" > "$log" 2>&1 < /dev/null &
echo $! > "$pidfile"
i=0
until grep -q listening "$log"; do
  i=$((i + 1))
  [ "$i" -gt 200 ] && { echo "slot $DEPLOY_SLOT did not start: $(cat "$log")" >&2; exit 1; }
  sleep 0.05
done
