#!/usr/bin/env bash
# Invoke benchmark: warm round trips, throughput, cold starts and their floors, in one run.
#
#   bench/invoke/run.sh [--duration SECONDS] [--cold-samples N] [--bin PATH]
#                       [--load auto|wrk|python] [--function-network nat|none|host]
#                       [--serve-flag FLAG]...
#
# Starts lambdalite (build/src/main/lambdalite, or --bin / $LAMBDALITE_BIN; build it with
# scripts/build.sh, Release by default) on a free port in a temporary data dir, then runs
# driver.py, which creates a python3.12 and a nodejs20.x echo function and measures:
#   warm invoke p50/p99 and invokes/s at 1 and 8 concurrent callers, per runtime, loaded by wrk
#   (invoke.lua; one keep-alive connection per caller) or, without wrk or with --load python, by
#   Python threads on raw http.client connections (GIL-bound: they cap the rate they measure);
#   cold start end to end (first invoke after UpdateFunctionConfiguration, and first invoke of a
#   new function), several samples, plus the server-side Init Duration;
#   floors: fork+exec of /bin/true, `python3 -c pass`, `node -e 0` (hyperfine if installed, else
#   a fork/exec/waitpid loop) and a GetFunction round trip.
# --function-network and each --serve-flag are passed to `lambdalite serve` (e.g. --serve-flag
# --prestarted-runtimes --serve-flag 0 measures the cold starts that build a whole sandbox).
# Prints one table with the figures and their ratios to the floors. Timing never fails the
# script; only a server that cannot be started or set up does.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

DURATION="${BENCH_DURATION:-5}"
COLD_SAMPLES="${BENCH_COLD_SAMPLES:-5}"
LOAD="${BENCH_LOAD:-auto}"
LL_SERVER_ARGS=()
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="${2%s}"; shift 2 ;;
    --cold-samples) COLD_SAMPLES="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --load) LOAD="$2"; shift 2 ;;
    --function-network) LL_SERVER_ARGS+=(--function-network "$2"); shift 2 ;;
    --serve-flag) LL_SERVER_ARGS+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(command -v python3 || command -v /usr/bin/python3 || true)"
[ -n "$PY" ] || die "python3 is not installed"

TMP="$(mktemp -d /tmp/lambdalite-bench-invoke.XXXXXX)"
LL_PID=""
cleanup() {
  stop_process "$LL_PID"
  rm -rf "$TMP"
}
trap cleanup EXIT

start_lambdalite "$BIN" "$TMP"

# What was measured: binary, version, build type (CMake's default is RelWithDebInfo).
BUILD_TYPE="unknown"
CACHE="$(dirname "$(dirname "$(dirname "$BIN")")")/CMakeCache.txt"
if [ -f "$CACHE" ]; then
  BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$CACHE")"
  [ -n "$BUILD_TYPE" ] || BUILD_TYPE="RelWithDebInfo (CMake default)"
fi
VERSION="$("$BIN" --version 2>/dev/null | head -n 1 || true)"
SANDBOX="$(grep -m1 'sandbox:' "$TMP/lambdalite.log" | sed 's/^.*sandbox: //' || true)"
INFO="lambdalite ${VERSION:-?} ($BIN, build type $BUILD_TYPE); sandbox: ${SANDBOX:-?}"

"$PY" "$HERE/driver.py" --endpoint "http://127.0.0.1:$LL_PORT" --duration "$DURATION" \
  --cold-samples "$COLD_SAMPLES" --load "$LOAD" --info "$INFO" \
  || { tail -n 30 "$TMP/lambdalite.log" >&2; die "the benchmark could not set up its functions"; }
