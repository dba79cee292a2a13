#!/usr/bin/env bash
# Streaming benchmark: time to first byte of InvokeWithResponseStream.
#
#   bench/streaming/run.sh [--samples N] [--work-ms MS] [--bin PATH]
#
# Starts lambdalite (build/src/main/lambdalite, or --bin / $LAMBDALITE_BIN) on a free port in a
# temporary data dir, then runs driver.py: a python and a node streaming function (a first chunk,
# MS of work, a second chunk) and a buffered python function doing the same work; prints the
# time to the first byte and to the end of each, p50/p99 over N warm calls.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

SAMPLES=20
WORK_MS=200
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --samples) SAMPLES="$2"; shift 2 ;;
    --work-ms) WORK_MS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(command -v python3 || true)"
[ -n "$PY" ] || die "python3 is not installed"

TMP="$(mktemp -d /tmp/lambdalite-bench-streaming.XXXXXX)"
LL_PID=""
cleanup() {
  stop_process "$LL_PID"
  rm -rf "$TMP"
}
trap cleanup EXIT
LL_SERVER_ARGS=()
start_lambdalite "$BIN" "$TMP"
VERSION="$("$BIN" --version 2>/dev/null | head -n 1 || true)"
"$PY" "$HERE/driver.py" --endpoint "http://127.0.0.1:$LL_PORT" --samples "$SAMPLES" \
  --work-ms "$WORK_MS" --info "lambdalite ${VERSION:-?} ($BIN)" \
  || { tail -n 30 "$TMP/lambdalite.log" >&2; die "the benchmark could not set up its functions"; }
