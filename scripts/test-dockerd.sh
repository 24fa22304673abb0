#!/bin/sh
# The tests' own Docker daemon (Debian's docker.io), never the system service: its own socket,
# data and exec roots under /tmp/deploy-actions-dockerd, left running for later test runs.
# .ci/run starts it; the tests' fixture runs this too when nothing answers on the socket.
set -eu
dir=/tmp/deploy-actions-dockerd
sock="unix://$dir/docker.sock"
answers() { docker --host "$sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
answers && exit 0
command -v dockerd >/dev/null 2>&1 || { echo "dockerd is not installed: apt-get install -y docker.io (.ci/run does)" >&2; exit 1; }
mkdir -p "$dir"
# Two test files may ask at once: the first to make the lock starts it.
if mkdir "$dir/starting" 2>/dev/null; then
  setsid dockerd --data-root="$dir/data" --exec-root="$dir/exec" --pidfile="$dir/docker.pid" \
    --host="$sock" --log-level=error >"$dir/dockerd.log" 2>&1 < /dev/null &
fi
i=0
while [ $i -lt 150 ]; do
  if answers; then rmdir "$dir/starting" 2>/dev/null || true; exit 0; fi
  i=$((i + 1)); sleep 0.2
done
rmdir "$dir/starting" 2>/dev/null || true
echo "dockerd did not answer on $sock within 30 s; its log: $dir/dockerd.log" >&2
tail -5 "$dir/dockerd.log" >&2 || true
exit 1
