# shellcheck shell=bash
# Shared helpers of the bench/*/run.sh scripts, on top of scripts/lib.sh (log, die). Source it;
# do not run it.

# Stops a process this script started (SIGTERM, then waits for it); nothing when PID is empty or
# the process is gone.
stop_process() {
  local pid="$1"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

# start_lambdalite BIN DIR: starts `BIN serve` on a free loopback port with its data in DIR/data
# and its log in DIR/lambdalite.log, and waits until it is healthy. Sets LL_PID (for cleanup,
# also when it fails) and LL_PORT; dies when the server exits or does not come up. Extra serve
# flags come from the array LL_SERVER_ARGS (e.g. LL_SERVER_ARGS=(--function-network host)).
start_lambdalite() {
  local bin="$1" dir="$2"
  log "starting lambdalite ($bin ${LL_SERVER_ARGS[*]:-})"
  "$bin" serve --host 127.0.0.1 --port 0 --data-dir "$dir/data" --port-file "$dir/port" \
    ${LL_SERVER_ARGS[@]+"${LL_SERVER_ARGS[@]}"} >"$dir/lambdalite.log" 2>&1 </dev/null &
  LL_PID=$!
  for _ in $(seq 1 300); do
    [ -s "$dir/port" ] && break
    kill -0 "$LL_PID" 2>/dev/null || { cat "$dir/lambdalite.log" >&2; die "lambdalite exited"; }
    sleep 0.1
  done
  LL_PORT="$(cat "$dir/port" 2>/dev/null || true)"
  [ -n "$LL_PORT" ] || die "lambdalite wrote no port file"
  wait_for_health 127.0.0.1 "$LL_PORT" 30 || die "lambdalite is not healthy"
}
