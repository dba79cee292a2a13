#!/usr/bin/env bash
# The cost of SigV4 verification: GetFunction req/s and latency of one lambdalite without
# --auth-keys and one with it, side by side, measured with wrk.
#
#   bench/control_plane/auth.sh [--duration 5s] [--rounds 2] [--bin PATH]
#
# Both servers hold the same function. Each request carries the same botocore-signed
# Authorization header (the server without --auth-keys only reads its credential scope; the one
# with it verifies the signature every time: canonical request, two SHA-256 and an HMAC with the
# cached signing key). Cells alternate between the servers, --rounds times, to spread the noise
# of a shared machine; the table shows the best round of each.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

DURATION="${BENCH_DURATION:-5s}"
ROUNDS=2
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
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

# start NAME [ARGS...]: a lambdalite in $TMP/NAME; prints its port.
start() {
  local name="$1"; shift
  mkdir -p "$TMP/$name"
  "$BIN" serve --host 127.0.0.1 --port 0 --data-dir "$TMP/$name/data" \
    --port-file "$TMP/$name/port" "$@" >"$TMP/$name/log" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    [ -s "$TMP/$name/port" ] && break
    sleep 0.1
  done
  [ -s "$TMP/$name/port" ] || { cat "$TMP/$name/log" >&2; die "lambdalite ($name) did not start"; }
  cat "$TMP/$name/port"
}
OFF_PORT="$(start off)"
ON_PORT="$(start on --auth-keys "$TMP/keys")"
FN="bench-fn"
for port in "$OFF_PORT" "$ON_PORT"; do
  "$PY" - "$port" "$FN" <<'PYEOF' || die "could not create the benchmark function on port $port"
import io, sys, zipfile
import boto3
port, fn = sys.argv[1], sys.argv[2]
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
lam.create_function(FunctionName=fn, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                    Handler="handler.handler", Code={"ZipFile": buf.getvalue()},
                    Environment={"Variables": {"BENCH": "1"}}, Tags={"bench": "control-plane"})
lam.get_waiter("function_active_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
PYEOF
done

# sign PORT -> "AUTHORIZATION|X-AMZ-DATE" for GET /2015-03-31/functions/$FN on that port
sign() {
  "$PY" - "$1" "$FN" <<'PYEOF'
import sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
port, fn = sys.argv[1], sys.argv[2]
req = AWSRequest(method="GET", url=f"http://127.0.0.1:{port}/2015-03-31/functions/{fn}")
SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(req)
print(req.headers["Authorization"] + "|" + req.headers["X-Amz-Date"])
PYEOF
}

# measure PORT THREADS CONNS -> "rps p50 p99"
measure() {
  local port="$1" threads="$2" conns="$3" signed out line
  signed="$(sign "$port")"
  out="$(BENCH_AUTH="${signed%%|*}" BENCH_AMZ_DATE="${signed##*|}" wrk -t "$threads" -c "$conns" \
          -d "$DURATION" --timeout 5s -s "$HERE/get_signed.lua" \
          "http://127.0.0.1:$port/2015-03-31/functions/$FN" 2>&1 || true)"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1 || true)"
  [ -n "$line" ] || { echo "n/a n/a n/a"; return; }
  if [ "$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")" != "0" ]; then
    warn "port $port: non-2xx answers during the run ($line)"
  fi
  sed -n 's/^BENCH rps=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p' <<<"$line"
}

best() { # best "rps p50 p99" lines on stdin by rps
  sort -k1,1 -g -r | head -n 1
}

echo
echo "GetFunction, $DURATION per cell, best of $ROUNDS rounds, wrk on 127.0.0.1 ($(nproc) cores)."
printf '%5s %14s %8s %8s %14s %8s %8s %8s\n' conns "off r/s" p50 p99 "auth r/s" p50 p99 cost
for tc in "1 1" "2 8"; do
  read -r threads conns <<<"$tc"
  off="" on=""
  for _ in $(seq 1 "$ROUNDS"); do
    off+="$(measure "$OFF_PORT" "$threads" "$conns")"$'\n'
    on+="$(measure "$ON_PORT" "$threads" "$conns")"$'\n'
  done
  read -r o_rps o_p50 o_p99 <<<"$(grep -v '^$' <<<"$off" | best)"
  read -r a_rps a_p50 a_p99 <<<"$(grep -v '^$' <<<"$on" | best)"
  cost="$(awk -v a="$a_rps" -v o="$o_rps" 'BEGIN { if (o > 0) printf "%.1f%%", (1 - a / o) * 100; else print "n/a" }')"
  printf '%5s %14s %8s %8s %14s %8s %8s %8s\n' "$conns" "$o_rps" "$o_p50" "$o_p99" "$a_rps" \
    "$a_p50" "$a_p99" "$cost"
done
