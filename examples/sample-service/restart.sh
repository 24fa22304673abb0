#!/bin/sh
# The sample service's restart command for the releases driver, run in releases-dir: stop the
# process started last time, start releases/current on $PORT, detached as systemd would keep it.
# A release holding a BROKEN file starts broken (its health endpoint answers 503).
set -u
if [ -f app.pid ]; then kill "$(cat app.pid)" 2>/dev/null; sleep 0.2; fi
BROKEN=$([ -f current/BROKEN ] && echo 1 || echo 0) VERSION="$DEPLOY_VERSION" PORT="$PORT" \
  setsid node current/server.mjs > app.log 2>&1 < /dev/null &
echo $! > app.pid
# The driver stops what is left in the command's process group when it exits: give setsid the
# moment it needs to leave it (a real restart would be systemctl restart).
sleep 0.3
