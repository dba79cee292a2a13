#!/usr/bin/env bash
# Runs lambdalite's libFuzzer targets for a while each (fuzz/README.md).
#
#   fuzz/run.sh [--seconds N] [--build DIR] [--out DIR] [TARGET...] [-- LIBFUZZER_ARGS...]
#
# TARGET: http_request request_decoder names sigv4 zip function_url event_filter (default: all). Each runs N seconds
# (default: $LAMBDALITE_FUZZ_SECONDS, else 60) from its seed corpus fuzz/corpus/TARGET plus the
# inputs earlier runs found (kept in DIR/corpus/TARGET, never in the repository), with its
# dictionary fuzz/dict/TARGET.dict if there is one. A crash, leak, timeout or sanitizer report
# leaves the input in OUT/TARGET-crash-... (default OUT: DIR/fuzz-artifacts) and fails.
# The targets must be built first: scripts/build.sh --dir build-fuzz --fuzz (DIR defaults to
# build-fuzz). Exits non-zero when any target failed; prints one line per target.
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ALL_TARGETS=(http_request request_decoder names sigv4 zip function_url event_filter)
seconds="${LAMBDALITE_FUZZ_SECONDS:-60}" build="$REPO_ROOT/build-fuzz" out="" targets=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) die "unknown option: $1" ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=("${ALL_TARGETS[@]}")
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
out="${out:-$build/fuzz-artifacts}"
mkdir -p "$out"

failed=0
for target in "${targets[@]}"; do
  bin="$build/fuzz/${target}_fuzz"
  if [ ! -x "$bin" ]; then
    warn "$bin is missing (build it: scripts/build.sh --dir ${build#"$REPO_ROOT"/} --fuzz)"
    printf 'fuzz %-16s FAILED (not built)\n' "$target"
    failed=$((failed + 1))
    continue
  fi
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$out/$target-")
  [ -f "$REPO_ROOT/fuzz/dict/$target.dict" ] && args+=(-dict="$REPO_ROOT/fuzz/dict/$target.dict")
  log "fuzz $target for ${seconds} s (corpus $corpus + fuzz/corpus/$target)"
  log_file="$out/$target.log"
  # The new inputs go to the first corpus directory (the build tree's), never to the seeds.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    nice -n "${FUZZ_NICE:-0}" "$bin" "${args[@]}" "${extra[@]}" "$corpus" \
    "$REPO_ROOT/fuzz/corpus/$target" >"$log_file" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log_file" | tail -n 1)"
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz %-16s ok (%s runs in %s s)\n' "$target" "${execs:-?}" "$seconds"
  else
    failed=$((failed + 1))
    printf 'fuzz %-16s FAILED (exit %s; log %s)\n' "$target" "$rc" "$log_file"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*runtime error)' \
      "$log_file" | head -n 20 >&2
  fi
done
[ "$failed" -eq 0 ]
