#!/usr/bin/env bash
# Test command: everything CI runs.
#
#   ./scripts/test.sh
#
#  1. installs what is missing (scripts/install-deps.sh)
#  2. builds build/ (Release, -DLAMBDALITE_WERROR=ON) and runs its unit tests (ctest)
#  3. builds build-asan/ (AddressSanitizer + UBSan, -DLAMBDALITE_WERROR=ON) and runs the unit
#     tests again under the sanitizers
#  3b. builds build-fuzz/ (clang, libFuzzer + ASan + UBSan) and runs each fuzz target of fuzz/
#     for LAMBDALITE_FUZZ_SECONDS (default 60) from its seed corpus (fuzz/run.sh, fuzz/README.md)
#  4. runs the integration tests (test/integration, python unittest) against build/'s server
#  5. prints one closing line "N passed, N failed" summing ctest and unittest, and exits non-zero
#     when anything failed (a step that could not run counts as one failure).
#
# Environment: JOBS (build parallelism, default: cores), TEST_JOBS (ctest -j, default 2),
# SKIP_ASAN=1 / SKIP_FUZZ=1 / SKIP_INTEGRATION=1 to leave a stage out while iterating locally,
# LAMBDALITE_FUZZ_SECONDS (seconds per fuzz target, default 60). Without clang++ the fuzz stage
# fails (it is part of CI) unless SKIP_FUZZ=1.
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT" || exit 1

JOBS="${JOBS:-$(jobs_count)}"
TEST_JOBS="${TEST_JOBS:-2}"
RESULTS="$REPO_ROOT/build/test-results"
STARTED=$SECONDS

total_passed=0
total_failed=0
summary=()

record() {  # record STAGE PASSED FAILED [NOTE]
  total_passed=$((total_passed + $2))
  total_failed=$((total_failed + $3))
  summary+=("$(printf '%-28s %5d passed %5d failed  %s' "$1" "$2" "$3" "${4:-}")")
}

finish() {
  echo
  echo "==================== summary ($(( (SECONDS - STARTED) / 60 )) min) ===================="
  printf '%s\n' "${summary[@]}"
  echo
  echo "${total_passed} passed, ${total_failed} failed"
  [ "$total_failed" -eq 0 ]
  exit $?
}

# Counts the results of one ctest run from its JUnit file (fallback: ctest's own summary line).
# Prints "PASSED FAILED SKIPPED".
ctest_counts() {
  local junit="$1" log="$2"
  "$PY" - "$junit" "$log" <<'PY'
import re, sys, xml.etree.ElementTree as ET
junit, log = sys.argv[1], sys.argv[2]
try:
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    passed = failed = skipped = 0
    for suite in suites:
        for case in suite.iter("testcase"):
            status = case.get("status", "")
            if case.find("failure") is not None or case.find("error") is not None or status == "fail":
                failed += 1
            elif case.find("skipped") is not None or status in ("notrun", "disabled"):
                skipped += 1
            else:
                passed += 1
    print(passed, failed, skipped)
except Exception:
    text = open(log, errors="replace").read()
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", text)
    if m:
        f, t = int(m.group(2)), int(m.group(3))
        print(t - f, f, 0)
    elif "No tests were found" in text:
        print(0, 0, 0)
    else:
        print(0, 1, 0)
PY
}

run_ctest() {  # run_ctest LABEL BUILD_DIR
  local label="$1" dir="$2" junit="$RESULTS/ctest-$1.xml" log="$RESULTS/ctest-$1.log" rc counts
  rm -f "$junit"
  log "ctest ($label) in $dir"
  ctest --test-dir "$dir" --output-on-failure -j "$TEST_JOBS" --timeout 600 \
    --output-junit "$junit" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  counts="$(ctest_counts "$junit" "$log")"
  read -r p f s <<<"$counts"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1  # ctest itself failed (crash, timeout bookkeeping) without a failed test recorded
  fi
  record "unit tests ($label)" "$p" "$f" "($s skipped)"
}

mkdir -p "$RESULTS"

# 1. dependencies ---------------------------------------------------------------------------
log "installing missing dependencies"
if ! bash scripts/install-deps.sh; then
  record "install dependencies" 0 1 "scripts/install-deps.sh failed"
fi
PY="$(find_python boto3 || command -v python3 || echo python3)"

# 2. normal build + unit tests --------------------------------------------------------------
if bash scripts/build.sh --dir build --type Release --werror --jobs "$JOBS"; then
  run_ctest release build
  build_ok=1
else
  record "build (build/, -Werror)" 0 1 "compilation failed"
  build_ok=0
fi

# 3. sanitizer build + unit tests -----------------------------------------------------------
if [ "${SKIP_ASAN:-0}" != "1" ]; then
  if bash scripts/build.sh --dir build-asan --type Debug --sanitize --werror --jobs "$JOBS"; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
      run_ctest asan-ubsan build-asan
  else
    record "build (build-asan/, ASan+UBSan)" 0 1 "compilation failed"
  fi
fi

# 3b. fuzz targets (fuzz/README.md) ------------------------------------------------------------
if [ "${SKIP_FUZZ:-0}" != "1" ]; then
  fuzz_seconds="${LAMBDALITE_FUZZ_SECONDS:-60}"
  fuzz_started=$SECONDS
  if ! command -v clang++ >/dev/null 2>&1; then
    record "fuzz targets" 0 1 "clang++ missing (install-deps.sh installs it; SKIP_FUZZ=1 skips)"
  elif bash scripts/build.sh --dir build-fuzz --type RelWithDebInfo --fuzz --werror \
       --jobs "$JOBS"; then
    log "fuzz targets (${fuzz_seconds} s each)"
    bash fuzz/run.sh --seconds "$fuzz_seconds" --build build-fuzz --out "$RESULTS/fuzz" \
      2>&1 | tee "$RESULTS/fuzz.log"
    rc=${PIPESTATUS[0]}
    f="$(grep -c '^fuzz .* FAILED' "$RESULTS/fuzz.log")"
    p="$(grep -c '^fuzz .* ok' "$RESULTS/fuzz.log")"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    record "fuzz targets (${fuzz_seconds} s each)" "$p" "$f" \
      "($(( SECONDS - fuzz_started )) s with the build; inputs in $RESULTS/fuzz)"
  else
    record "build (build-fuzz/, libFuzzer)" 0 1 "compilation failed"
  fi
fi

# 4. runtime client tests (Python/Node bootstraps against a fake Runtime API) -----------------
if [ "${SKIP_INTEGRATION:-0}" != "1" ]; then
  log "runtime client tests"
  counts="$(cd test/runtimes && "$PY" - <<'PY' 2>&1 | tee "$RESULTS/runtimes.log" | tail -n 1
import sys, unittest
suite = unittest.defaultTestLoader.discover(".", pattern="test_*.py", top_level_dir=".")
result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
bad = len(result.failures) + len(result.errors)
print(result.testsRun - bad - len(result.skipped), bad, len(result.skipped))
PY
)"
  read -r p f s <<<"$counts"
  if [[ "$p" =~ ^[0-9]+$ ]]; then
    record "runtime client tests" "$p" "$f" "($s skipped)"
  else
    record "runtime client tests" 0 1 "runner failed: $counts"
  fi
fi

# 5. integration tests ----------------------------------------------------------------------
if [ "${SKIP_INTEGRATION:-0}" != "1" ]; then
  if [ "$build_ok" -eq 1 ] && [ -x "$REPO_ROOT/build/src/main/lambdalite" ]; then
    log "integration tests (python: $PY)"
    rm -f "$RESULTS/integration.json"
    LAMBDALITE_BIN="$REPO_ROOT/build/src/main/lambdalite" \
      timeout --signal=TERM --kill-after=60 2400 \
      "$PY" test/integration/run_tests.py --json "$RESULTS/integration.json" \
      2>&1 | tee "$RESULTS/integration.log"
    rc=${PIPESTATUS[0]}
    if [ -f "$RESULTS/integration.json" ]; then
      read -r p f e s <<<"$("$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["passed"], c["failed"], c["errors"], c["skipped"])' "$RESULTS/integration.json")"
      record "integration tests" "$p" "$((f + e))" "($s skipped)"
    else
      record "integration tests" 0 1 "runner exited with $rc before reporting"
    fi
  else
    record "integration tests" 0 1 "no server binary (build failed)"
  fi
fi

finish
