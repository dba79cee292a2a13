#!/usr/bin/env bash
# Function URL benchmark: URL requests/s and p50/p99 beside a warm Invoke of the same function.
#
#   bench/function_url/run.sh [--duration SECONDS] [--bin PATH]
#
# Starts lambdalite (build/src/main/lambdalite, or --bin / $LAMBDALITE_BIN) on a free port in a
# temporary data dir and runs driver.py (see there), which needs wrk and boto3. Prints a table;
# timing never fails the script.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

DURATION="${BENCH_DURATION:-5}"
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="${2%s}"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
command -v wrk >/dev/null || die "wrk is not installed (scripts/install-deps.sh installs it)"
[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"

TMP="$(mktemp -d /tmp/lambdalite-bench-url.XXXXXX)"
LL_PID=""
LL_SERVER_ARGS=()
cleanup() {
  stop_process "$LL_PID"
  rm -rf "$TMP"
}
trap cleanup EXIT
start_lambdalite "$BIN" "$TMP"
python3 "$HERE/driver.py" --endpoint "http://127.0.0.1:$LL_PORT" --duration "$DURATION" \
  || { tail -n 30 "$TMP/lambdalite.log" >&2; die "the benchmark could not run"; }
