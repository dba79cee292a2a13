#!/usr/bin/env bash
# The cost of SigV4 verification (--auth-keys): GetFunction req/s at 1 and 8 connections and warm
# Invoke p50 (and invokes/s) at 1 and 8 callers, on one lambdalite without --auth-keys and one
# with it, side by side, measured with wrk.
#
#   bench/control_plane/auth.sh [--duration 5s] [--rounds 5] [--bin PATH] [--no-invoke]
#
# Both servers hold the same python3.12 echo function. Every request carries a botocore-signed
# Authorization header (the server without --auth-keys only reads its credential scope; the one
# with it verifies the signature every time), signed before each wrk run, outside the timed
# window: the client's signing cost is not counted (the signature stays valid for Lambda's
# 5-minute window, which a cell never exceeds). Cells alternate between the servers, in the
# order off/on then on/off, --rounds times, to spread the noise of a shared machine; the table
# shows the median of the rounds and their range, the cost of the medians (GetFunction:
# 1 - on/off req/s; Invoke p50: on/off - 1) and the median of each round's cost ("paired"), and
# the servers' CPU time per request (/proc schedstat of every server thread), which the load of
# other processes disturbs far less than req/s. Invoke cells follow an uncounted 2 s warm-up
# per server (bench/invoke/run.sh does the same).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

DURATION="${BENCH_DURATION:-5s}"
ROUNDS=5
BIN="$(lambdalite_bin)"
INVOKE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --no-invoke) INVOKE=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (apt-get install wrk)"
[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(find_python boto3)" || die "no python3 with boto3 found"

TMP="$(mktemp -d /tmp/lambdalite-bench-auth.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do stop_process "$pid"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
# The setup and the benchmark sign with key "test"/"test": the keys file makes that a real key of
# the default account.
printf '# bench key\ntest test 123456789012\n' >"$TMP/keys"

# start NAME [ARGS...]: a lambdalite in $TMP/NAME; sets PORT and PID (not in a subshell: the
# cleanup must know every server's pid).
start() {
  local name="$1"; shift
  mkdir -p "$TMP/$name"
  "$BIN" serve --host 127.0.0.1 --port 0 --data-dir "$TMP/$name/data" \
    --port-file "$TMP/$name/port" "$@" >"$TMP/$name/log" 2>&1 </dev/null &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 300); do
    [ -s "$TMP/$name/port" ] && break
    sleep 0.1
  done
  [ -s "$TMP/$name/port" ] || { cat "$TMP/$name/log" >&2; die "lambdalite ($name) did not start"; }
  PORT="$(cat "$TMP/$name/port")"
}
start off
OFF_PORT="$PORT" OFF_PID="$PID"
start on --auth-keys "$TMP/keys"
ON_PORT="$PORT" ON_PID="$PID"
pid_of() { if [ "$1" = "$OFF_PORT" ]; then echo "$OFF_PID"; else echo "$ON_PID"; fi; }

# cpu_ns PID: CPU time of every thread of the server so far, in nanoseconds (schedstat). The
# function's runtime processes are not counted: verification happens in the server.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

FN="bench-fn"
# The exact bytes the echo function answers to the Invoke payload (invoke.lua checks each answer).
PAYLOAD='{"hello": "world", "n": 1, "list": [1, 2, 3]}'
for port in "$OFF_PORT" "$ON_PORT"; do
  "$PY" - "$port" "$FN" "$PAYLOAD" >"$TMP/echo" <<'PYEOF' || die "could not create the benchmark function on port $port"
import io, sys, zipfile
import boto3
port, fn, payload = sys.argv[1], sys.argv[2], sys.argv[3]
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
lam.create_function(FunctionName=fn, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                    Handler="handler.handler", Code={"ZipFile": buf.getvalue()},
                    Environment={"Variables": {"BENCH": "1"}}, Tags={"bench": "control-plane"})
lam.get_waiter("function_active_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
out = lam.invoke(FunctionName=fn, Payload=payload.encode())
assert "FunctionError" not in out, out
sys.stdout.write(out["Payload"].read().decode())
PYEOF
done
ECHO="$(cat "$TMP/echo")"

# sign PORT KIND -> "AUTHORIZATION|X-AMZ-DATE" for KIND get (GET of the function) or invoke (POST
# of $PAYLOAD to its invocations, Content-Type application/json as invoke.lua sends it).
sign() {
  "$PY" - "$1" "$FN" "$2" "$PAYLOAD" <<'PYEOF'
import sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
port, fn, kind, payload = sys.argv[1:5]
base = f"http://127.0.0.1:{port}/2015-03-31/functions/{fn}"
if kind == "get":
    req = AWSRequest(method="GET", url=base)
else:
    req = AWSRequest(method="POST", url=base + "/invocations", data=payload.encode(),
                     headers={"Content-Type": "application/json"})
SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
print(req.headers["Authorization"] + "|" + req.headers["X-Amz-Date"])
PYEOF
}

# get PORT THREADS CONNS -> "rps p50 p99 cpu_us" of GetFunction (cpu_us: the server's CPU time
# per request)
get() {
  local port="$1" threads="$2" conns="$3" signed out line
  signed="$(sign "$port" get)"
  local pid cpu0
  pid="$(pid_of "$port")"
  cpu0="$(cpu_ns "$pid")"
  out="$(BENCH_AUTH="${signed%%|*}" BENCH_AMZ_DATE="${signed##*|}" wrk -t "$threads" -c "$conns" \
          -d "$DURATION" --timeout 5s -s "$HERE/get_signed.lua" \
          "http://127.0.0.1:$port/2015-03-31/functions/$FN" 2>&1 || true)"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1 || true)"
  [ -n "$line" ] || { echo "nan nan nan"; return; }
  if [ "$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")" != "0" ]; then
    warn "port $port: non-2xx answers during the run ($line)"
  fi
  local cpu1 requests
  cpu1="$(cpu_ns "$pid")"
  requests="$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")"
  sed -n 's/^BENCH rps=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p' <<<"$line" |
    tr '\n' ' '
  awk -v a="$cpu0" -v b="$cpu1" -v r="$requests" 'BEGIN { printf "%.2f\n", (r > 0 ? (b - a) / 1000 / r : 0) }'
}

# invoke PORT CALLERS DURATION -> "rps p50 p99 cpu_us" of warm RequestResponse Invokes (one wrk thread,
# one keep-alive connection per caller, as bench/invoke/run.sh)
invoke() {
  local port="$1" callers="$2" duration="$3" signed out line
  signed="$(sign "$port" invoke)"
  local pid cpu0
  pid="$(pid_of "$port")"
  cpu0="$(cpu_ns "$pid")"
  out="$(BENCH_AUTH="${signed%%|*}" BENCH_AMZ_DATE="${signed##*|}" BENCH_BODY="$PAYLOAD" \
          BENCH_EXPECT="$ECHO" wrk -t 1 -c "$callers" -d "$duration" --timeout 30s \
          -s "$HERE/../invoke/invoke.lua" \
          "http://127.0.0.1:$port/2015-03-31/functions/$FN/invocations" 2>&1 || true)"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1 || true)"
  [ -n "$line" ] || { echo "nan nan nan"; return; }
  local seconds requests bad
  seconds="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")"
  requests="$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")"
  bad="$(sed -n 's/.* bad=\([0-9]*\).*/\1/p' <<<"$line")"
  [ "$bad" = "0" ] || warn "port $port: $bad bad Invoke answers during the run ($line)"
  local cpu1
  cpu1="$(cpu_ns "$pid")"
  awk -v s="$seconds" -v r="$requests" -v b="$bad" 'BEGIN { printf "%.1f ", (r - b) / s }'
  sed -n 's/.*p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2/p' <<<"$line" | tr '\n' ' '
  awk -v a="$cpu0" -v b="$cpu1" -v r="$requests" 'BEGIN { printf "%.2f\n", (r > 0 ? (b - a) / 1000 / r : 0) }'
}

# stats COLUMN < "rps p50 p99" lines -> "median min max" of that column
stats() {
  awk -v c="$1" '{ print $c }' | sort -g | awk '{ v[NR] = $1 } END {
    n = NR; if (n == 0) { print "nan nan nan"; exit }
    m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%s %s %s\n", m, v[1], v[n] }'
}

# row LABEL UNIT COLUMN OFF_LINES ON_LINES SENSE: one table row; SENSE "higher" (req/s: cost is
# 1 - on/off) or "lower" (latency, CPU: cost is on/off - 1). "cost" compares the medians,
# "paired" is the median of each round's own cost (the two cells of a round ran back to back, so
# a change of the machine's load between rounds cancels out).
row() {
  local label="$1" unit="$2" col="$3" off="$4" on="$5" sense="$6" om omin omax am amin amax cost
  local paired
  read -r om omin omax <<<"$(grep -v '^$' <<<"$off" | stats "$col")"
  read -r am amin amax <<<"$(grep -v '^$' <<<"$on" | stats "$col")"
  cost="$(awk -v a="$am" -v o="$om" -v s="$sense" 'BEGIN {
    if (o <= 0) { print "n/a"; exit }
    printf "%.1f%%", (s == "higher" ? 1 - a / o : a / o - 1) * 100 }')"
  paired="$(paste -d' ' <(grep -v '^$' <<<"$off" | awk -v c="$col" '{ print $c }') \
                        <(grep -v '^$' <<<"$on" | awk -v c="$col" '{ print $c }') |
    awk -v s="$sense" '$1 > 0 { print 100 * (s == "higher" ? 1 - $2 / $1 : $2 / $1 - 1) }' |
    stats 1 | awk '{ printf "%.1f%%", $1 }')"
  fmt() { awk -v v="$1" -v u="$unit" 'BEGIN { if (u == "ms") printf "%.3f", v; else if (u == "us") printf "%.2f", v; else printf "%.0f", v }'; }
  printf '%-34s %9s %-17s %9s %-17s %7s %7s\n' "$label" "$(fmt "$om")" \
    "($(fmt "$omin")-$(fmt "$omax"))" "$(fmt "$am")" "($(fmt "$amin")-$(fmt "$amax"))" "$cost" \
    "$paired"
}

# rounds FUNCTION ARGS...: runs FUNCTION PORT ARGS on both servers, alternating which goes
# first, $ROUNDS times; sets OFF and ON to the result lines.
rounds() {
  local fn="$1"; shift
  OFF="" ON=""
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
      OFF+="$("$fn" "$OFF_PORT" "$@")"$'\n'
      ON+="$("$fn" "$ON_PORT" "$@")"$'\n'
    else
      ON+="$("$fn" "$ON_PORT" "$@")"$'\n'
      OFF+="$("$fn" "$OFF_PORT" "$@")"$'\n'
    fi
  done
}

log "GetFunction, 1 connection"
rounds get 1 1
G1_OFF="$OFF" G1_ON="$ON"
log "GetFunction, 8 connections"
rounds get 2 8
G8_OFF="$OFF" G8_ON="$ON"
if [ "$INVOKE" = 1 ]; then
  log "warm Invoke, 1 caller"
  invoke "$OFF_PORT" 1 2s >/dev/null
  invoke "$ON_PORT" 1 2s >/dev/null
  rounds invoke 1 "$DURATION"
  I1_OFF="$OFF" I1_ON="$ON"
  log "warm Invoke, 8 callers"
  invoke "$OFF_PORT" 8 2s >/dev/null
  invoke "$ON_PORT" 8 2s >/dev/null
  rounds invoke 8 "$DURATION"
  I8_OFF="$OFF" I8_ON="$ON"
fi

echo
echo "SigV4 verification cost: $DURATION per cell, median (range) of $ROUNDS rounds, wrk on" \
  "127.0.0.1 ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)."
printf '%-34s %9s %-17s %9s %-17s %7s %7s\n' "" "auth off" "(range)" "auth on" "(range)" cost paired
row "GetFunction req/s, 1 conn" rps 1 "$G1_OFF" "$G1_ON" higher
row "GetFunction req/s, 8 conns" rps 1 "$G8_OFF" "$G8_ON" higher
row "  server CPU us/request, 1 conn" us 4 "$G1_OFF" "$G1_ON" lower
row "  server CPU us/request, 8 conns" us 4 "$G8_OFF" "$G8_ON" lower
if [ "$INVOKE" = 1 ]; then
  row "warm Invoke p50 ms, 1 caller" ms 2 "$I1_OFF" "$I1_ON" lower
  row "warm Invoke p50 ms, 8 callers" ms 2 "$I8_OFF" "$I8_ON" lower
  row "warm Invoke invokes/s, 8 callers" rps 1 "$I8_OFF" "$I8_ON" higher
  row "  server CPU us/invoke, 8 callers" us 4 "$I8_OFF" "$I8_ON" lower
fi
