#!/usr/bin/env bash
# Control-plane benchmark: lambdalite vs moto_server on the same machine, measured with wrk.
#
#   bench/control_plane/run.sh [--duration 5s] [--bin PATH]
#
# Starts lambdalite (the Release build in build/, or --bin / $LAMBDALITE_BIN) on a free port in a
# temporary data dir, creates one function and its event invoke config, and does the same on a
# moto_server when moto is installed (moto's create_function needs no Docker for zip functions;
# if anything about moto fails, its columns read n/a). Then measures, for each server:
#   GetFunction                    GET  /2015-03-31/functions/{name}
#   PutFunctionEventInvokeConfig   PUT  /2019-09-25/functions/{name}/event-invoke-config (JSON body)
#   GetPolicy                      GET  /2015-03-31/functions/{name}/policy (two statements)
#   ListLayerVersions              GET  /2018-10-31/layers/{name}-layer/versions (three versions)
# at 1 connection / 1 thread and 8 connections / 2 threads, and prints one table with req/s,
# p50 and p99 latency and the lambdalite/moto req/s ratio. Requests to lambdalite are unsigned
# (default account and region); moto gets a SigV4-looking Authorization header it does not
# verify. Timing never fails the script; only a server that cannot be started does.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

DURATION="${BENCH_DURATION:-5s}"
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

command -v wrk >/dev/null 2>&1 || die "wrk is not installed (apt-get install wrk)"
[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(find_python boto3)" || die "no python3 with boto3 found"

TMP="$(mktemp -d /tmp/lambdalite-bench.XXXXXX)"
LL_PID="" MOTO_PID=""
cleanup() {
  stop_process "$LL_PID"
  stop_process "$MOTO_PID"
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- lambdalite ------------------------------------------------------------------------------
start_lambdalite "$BIN" "$TMP"
LL="http://127.0.0.1:$LL_PORT"
FN="bench-fn"
"$PY" "$HERE/setup_target.py" --endpoint "$LL" --name "$FN" >/dev/null \
  || die "could not create the benchmark function on lambdalite"

# --- moto (optional) -------------------------------------------------------------------------
MOTO=""
if "$PY" -c 'import moto.server' >/dev/null 2>&1; then
  MOTO_PORT="$(free_port)"
  log "starting moto_server on port $MOTO_PORT"
  "$PY" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1 </dev/null &
  MOTO_PID=$!
  for _ in $(seq 1 100); do
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null 2>&1; then
      MOTO="http://127.0.0.1:$MOTO_PORT"
      break
    fi
    kill -0 "$MOTO_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ -n "$MOTO" ] && ! "$PY" "$HERE/setup_target.py" --endpoint "$MOTO" --name "$FN" --moto \
      >"$TMP/moto-setup.log" 2>&1; then
    warn "moto: creating the function failed; moto columns are n/a ($(tail -n 1 "$TMP/moto-setup.log"))"
    MOTO=""
  fi
else
  warn "moto is not installed: moto columns are n/a"
fi
MOTO_AUTH="AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0"

# --- measure ---------------------------------------------------------------------------------
# measure BASE SCRIPT PATH THREADS CONNECTIONS AUTH -> "rps p50 p99" or "n/a n/a n/a"
measure() {
  local base="$1" script="$2" path="$3" threads="$4" conns="$5" auth="$6" out line
  if [ -z "$base" ]; then echo "n/a n/a n/a"; return; fi
  out="$(BENCH_AUTH="$auth" wrk -t "$threads" -c "$conns" -d "$DURATION" --timeout 5s \
          -s "$HERE/$script" "$base$path" 2>&1 || true)"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1 || true)"
  if [ -z "$line" ]; then echo "n/a n/a n/a"; return; fi
  local non2xx
  non2xx="$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")"
  if [ "${non2xx:-0}" -gt 0 ]; then
    warn "$base$path: $non2xx non-2xx answers during the run"
  fi
  sed -n 's/^BENCH rps=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\).*/\1 \2 \3/p' <<<"$line"
}

rows=()
for op in GetFunction PutFunctionEventInvokeConfig GetPolicy ListLayerVersions; do
  case "$op" in
    GetFunction) script=get.lua path="/2015-03-31/functions/$FN" ;;
    PutFunctionEventInvokeConfig)
      script=put_event_invoke_config.lua path="/2019-09-25/functions/$FN/event-invoke-config" ;;
    GetPolicy) script=get.lua path="/2015-03-31/functions/$FN/policy" ;;
    ListLayerVersions) script=get.lua path="/2018-10-31/layers/$FN-layer/versions" ;;
  esac
  for tc in "1 1" "2 8"; do
    read -r threads conns <<<"$tc"
    log "$op, $conns connection(s) / $threads thread(s), $DURATION each"
    read -r l_rps l_p50 l_p99 <<<"$(measure "$LL" "$script" "$path" "$threads" "$conns" "")"
    read -r m_rps m_p50 m_p99 <<<"$(measure "$MOTO" "$script" "$path" "$threads" "$conns" "$MOTO_AUTH")"
    ratio="n/a"
    if [ "$l_rps" != "n/a" ] && [ "$m_rps" != "n/a" ]; then
      ratio="$(awk -v a="$l_rps" -v b="$m_rps" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }')"
    fi
    rows+=("$op|$conns|$l_rps|$l_p50|$l_p99|$m_rps|$m_p50|$m_p99|$ratio")
  done
done

echo
echo "Control plane, $DURATION per cell, wrk on 127.0.0.1 ($(nproc) cores). Latency in ms."
printf '%-30s %5s %14s %8s %8s %12s %8s %8s %8s\n' \
  operation conns "lambdalite r/s" p50 p99 "moto r/s" p50 p99 ratio
for r in "${rows[@]}"; do
  IFS='|' read -r op conns lr lp50 lp99 mr mp50 mp99 ratio <<<"$r"
  printf '%-30s %5s %14s %8s %8s %12s %8s %8s %8s\n' \
    "$op" "$conns" "$lr" "$lp50" "$lp99" "$mr" "$mp50" "$mp99" "$ratio"
done
