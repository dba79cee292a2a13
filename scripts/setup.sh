#!/usr/bin/env bash
# Set-up command: installs what is missing (Debian 12), builds lambdalite (Release) into build/,
# then starts the server in the background and waits until it is healthy.
#
#   ./scripts/setup.sh
#
# Environment: LAMBDALITE_PORT (default 9001), LAMBDALITE_HOST (default 127.0.0.1), plus the
# other LAMBDALITE_* settings, which the server reads itself. Data lives in .data/, the log in
# .data/lambdalite.log. Running it again rebuilds if needed and restarts the server.
# Stop the server with ./scripts/stop.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bash scripts/install-deps.sh
bash scripts/build.sh --dir build --type Release

BIN="$REPO_ROOT/build/src/main/lambdalite"
[ -x "$BIN" ] || die "build finished but $BIN is missing"

DATA_DIR="$REPO_ROOT/.data"
PORT="${LAMBDALITE_PORT:-9001}"
HOST="${LAMBDALITE_HOST:-127.0.0.1}"
PROBE_HOST="$HOST"
case "$HOST" in 0.0.0.0|::|"[::]") PROBE_HOST=127.0.0.1 ;; esac
mkdir -p "$DATA_DIR"

# Restart the server this script started before (if any), so the fresh build is what runs.
bash scripts/stop.sh --quiet || true

if (exec 3<>"/dev/tcp/$PROBE_HOST/$PORT") 2>/dev/null; then
  die "port $PORT on $PROBE_HOST is already in use by another program (set LAMBDALITE_PORT)"
fi

log "starting lambdalite on $HOST:$PORT (data $DATA_DIR, log $DATA_DIR/lambdalite.log)"
rm -f "$DATA_DIR/port"
setsid nohup "$BIN" serve --host "$HOST" --port "$PORT" --data-dir "$DATA_DIR" \
  --port-file "$DATA_DIR/port" >>"$DATA_DIR/lambdalite.log" 2>&1 </dev/null &
echo $! >"$DATA_DIR/lambdalite.pid"

if ! wait_for_health "$PROBE_HOST" "$PORT" 30; then
  tail -n 30 "$DATA_DIR/lambdalite.log" >&2 || true
  die "lambdalite did not become healthy within 30s"
fi

ENDPOINT="http://$PROBE_HOST:$PORT"
echo
echo "lambdalite is running: $ENDPOINT  (pid $(cat "$DATA_DIR/lambdalite.pid"))"
echo "try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --endpoint-url $ENDPOINT --region us-east-1 lambda list-functions"
