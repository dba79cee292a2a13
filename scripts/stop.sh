#!/usr/bin/env bash
# Stops the background server that scripts/setup.sh started (SIGTERM, then SIGKILL after 20 s).
#   ./scripts/stop.sh [--quiet]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
PID_FILE="$REPO_ROOT/.data/lambdalite.pid"

if [ ! -f "$PID_FILE" ]; then
  [ "$quiet" -eq 1 ] || echo "no server started by setup.sh is recorded ($PID_FILE missing)"
  exit 0
fi
pid="$(cat "$PID_FILE")"
# Only signal the process if it is still our lambdalite (pids get reused).
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q "lambdalite" "/proc/$pid/cmdline" 2>/dev/null; then
  [ "$quiet" -eq 1 ] || log "stopping lambdalite (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "lambdalite (pid $pid) ignored SIGTERM for 20s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
rm -f "$PID_FILE"
