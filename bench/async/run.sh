#!/usr/bin/env bash
# Asynchronous-invocation benchmark: how fast lambdalite accepts InvocationType=Event invokes
# (each 202 is a durable commit) and how fast it completes them end to end.
#
#   bench/async/run.sh [--duration 5s] [--connections 8]
#
# Starts the Release build (build/src/main/lambdalite, or $LAMBDALITE_BIN) on a free port with a
# fresh data directory, creates a python echo function, drives Event invokes with wrk, then waits
# until the dispatcher has run every accepted event and reports completions per second. Prints
# figures only; never fails on timing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${LAMBDALITE_BIN:-$ROOT/build/src/main/lambdalite}"
DURATION=5s
CONNECTIONS=8
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    *) echo "usage: $0 [--duration 5s] [--connections N]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no lambdalite binary at $BIN (run scripts/build.sh)" >&2; exit 1; }

TMP="$(mktemp -d /var/tmp/lambdalite-async-bench.XXXXXX)"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
"$BIN" serve --port 0 --port-file "$TMP/port" --data-dir "$TMP/data" >"$TMP/server.log" 2>&1 &
PID=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT="$(cat "$TMP/port")"
EP="http://127.0.0.1:$PORT"

python3 - "$EP" <<'PY'
import io, sys, zipfile, boto3
c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.py", "def handler(e, c):\n    return e\n")
c.create_function(FunctionName="bench-async", Runtime="python3.12", Handler="index.handler",
                  Role="arn:aws:iam::123456789012:role/r", Code={"ZipFile": buf.getvalue()})
c.get_waiter("function_active_v2").wait(FunctionName="bench-async")
PY

echo "== accepting Event invokes: $CONNECTIONS connections, $DURATION"
START=$(date +%s.%N)
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$ROOT/bench/async/event_invoke.lua" \
  "$EP/2015-03-31/functions/bench-async/invocations" | tail -n 1

echo "== completing them end to end"
python3 - "$EP" "$START" <<'PY'
import json, sys, time, urllib.request
ep, start = sys.argv[1], float(sys.argv[2])
last = None
while True:
    with urllib.request.urlopen(f"{ep}/_lambdalite/async?function=bench-async") as r:
        s = json.loads(r.read())
    done = s["succeeded"] + s["failed"]
    if s["queued"] == 0 and s["inFlight"] == 0 and done == last:
        break
    last = done
    time.sleep(0.5)
elapsed = time.time() - start
print(f"completed {done} events ({s['failed']} failed) in {elapsed:.1f} s since the first "
      f"request: {done / elapsed:.0f} events/s end to end")
PY
