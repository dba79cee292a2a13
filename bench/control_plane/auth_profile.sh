#!/usr/bin/env bash
# The share of the server's CPU that authentication takes, from perf profiles: GetFunction at 8
# connections (wrk; --connections 1 for the latency-bound case) on a lambdalite without --auth-keys and one with it, one after the other.
#
#   bench/control_plane/auth_profile.sh [--seconds 6] [--connections 8] [--bin PATH]
#
# Prints, for each server, the percentage of its CPU samples (all threads, user and kernel) inside
# LambdaApi::Authenticate (the credential scope read without --auth-keys, SigV4Verifier::Verify
# with it) and the difference, the verification's cost at saturation. Unlike req/s, a share of
# the server's own samples hardly moves when other processes load the machine, so this resolves
# a few percent where bench/control_plane/auth.sh's throughput figures cannot. Needs perf (run as
# root or with perf_event_paranoid <= 1) and a binary with symbols (scripts/build.sh does not
# strip).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

SECONDS_=6
CONNS=8
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (apt-get install wrk)"
command -v perf >/dev/null 2>&1 || die "perf is not installed"
[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(find_python boto3)" || die "no python3 with boto3 found"

TMP="$(mktemp -d /tmp/lambdalite-bench-auth-profile.XXXXXX)"
PID=""
cleanup() {
  stop_process "$PID"
  rm -rf "$TMP"
}
trap cleanup EXIT
printf '# bench key\ntest test 123456789012\n' >"$TMP/keys"

# share MODE: writes "rps authenticate_percent" of a server in MODE (off|on) to $TMP/MODE/result
# (not in a subshell: the cleanup must know the running server's pid).
share() {
  local mode="$1" port signed wpid
  local -a extra=()
  [ "$mode" = on ] && extra=(--auth-keys "$TMP/keys")
  mkdir -p "$TMP/$mode"
  "$BIN" serve --host 127.0.0.1 --port 0 --data-dir "$TMP/$mode/data" \
    --port-file "$TMP/$mode/port" "${extra[@]}" >"$TMP/$mode/log" 2>&1 </dev/null &
  PID=$!
  for _ in $(seq 1 300); do
    [ -s "$TMP/$mode/port" ] && break
    sleep 0.1
  done
  [ -s "$TMP/$mode/port" ] || { cat "$TMP/$mode/log" >&2; die "lambdalite ($mode) did not start"; }
  port="$(cat "$TMP/$mode/port")"
  signed="$("$PY" - "$port" <<'PYEOF'
import io, sys, zipfile
import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
port = sys.argv[1]
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
lam.create_function(FunctionName="bench-fn", Runtime="python3.12",
                    Role="arn:aws:iam::123456789012:role/r", Handler="handler.handler",
                    Code={"ZipFile": buf.getvalue()}, Environment={"Variables": {"BENCH": "1"}},
                    Tags={"bench": "control-plane"})
lam.get_waiter("function_active_v2").wait(FunctionName="bench-fn",
                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
req = AWSRequest(method="GET", url=f"http://127.0.0.1:{port}/2015-03-31/functions/bench-fn")
SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
print(req.headers["Authorization"] + "|" + req.headers["X-Amz-Date"])
PYEOF
)" || die "could not set up the $mode server"
  BENCH_AUTH="${signed%%|*}" BENCH_AMZ_DATE="${signed##*|}" wrk -t "$THREADS" -c "$CONNS" \
    -d "$((SECONDS_ + 3))s" -s "$HERE/get_signed.lua" \
    "http://127.0.0.1:$port/2015-03-31/functions/bench-fn" >"$TMP/$mode/wrk" 2>&1 &
  wpid=$!
  sleep 1
  perf record -F 1999 --call-graph dwarf,16384 -p "$PID" -o "$TMP/$mode/perf.data" \
    -- sleep "$SECONDS_" >/dev/null 2>&1 || die "perf record failed"
  wait "$wpid" || true
  stop_process "$PID"
  PID=""
  local rps pct
  rps="$(sed -n 's/^BENCH rps=\([0-9.]*\).*/\1/p' "$TMP/$mode/wrk")"
  pct="$(perf report -i "$TMP/$mode/perf.data" --children --stdio -g none --percent-limit 0 \
           2>/dev/null | awk '!found && / lambdalite::api::LambdaApi::Authenticate/ { print $1; found = 1 }' |
         tr -d '%')"
  echo "${rps:-nan} ${pct:-nan}" >"$TMP/$mode/result"
}

THREADS=2
[ "$CONNS" -ge 2 ] || THREADS=1
log "GetFunction, $CONNS connection(s), auth off"
share off
read -r OFF_RPS OFF_PCT <"$TMP/off/result"
log "GetFunction, $CONNS connection(s), auth on"
share on
read -r ON_RPS ON_PCT <"$TMP/on/result"
echo
echo "Server CPU samples in LambdaApi::Authenticate, GetFunction at $CONNS connection(s), ${SECONDS_}s" \
  "of perf per server (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end):"
printf '  auth off: %6s%%  (%s req/s under perf)\n' "$OFF_PCT" "$OFF_RPS"
printf '  auth on:  %6s%%  (%s req/s under perf)\n' "$ON_PCT" "$ON_RPS"
awk -v a="$ON_PCT" -v o="$OFF_PCT" 'BEGIN { printf "  verification cost: %.1f%% of the server'"'"'s CPU\n", a - o }'
