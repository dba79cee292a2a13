#!/usr/bin/env python3
"""Run the integration tests (stdlib unittest) and optionally write the counts as JSON.

    python3 test/integration/run_tests.py [-k PATTERN] [--json counts.json] [-q]

Equivalent to `python3 -m unittest discover -s test/integration -v`, plus a machine-readable
summary for scripts/test.sh: {"run", "passed", "failed", "errors", "skipped", ...}.
Exit status: 0 when nothing failed or errored, 1 otherwise.
"""

import argparse
import json
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", dest="patterns", action="append", default=None,
                    help="only tests whose name contains this substring (repeatable)")
    ap.add_argument("-p", "--pattern", default="test_*.py", help="test file glob")
    ap.add_argument("--json", help="write the counts to this file")
    ap.add_argument("-q", "--quiet", action="store_true", help="less output (verbosity 1)")
    ap.add_argument("-f", "--failfast", action="store_true")
    args = ap.parse_args()

    sys.path.insert(0, str(HERE))
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    suite = loader.discover(str(HERE), pattern=args.pattern, top_level_dir=str(HERE))
    runner = unittest.TextTestRunner(verbosity=1 if args.quiet else 2, failfast=args.failfast,
                                     stream=sys.stdout)
    started = time.monotonic()
    result = runner.run(suite)
    elapsed = time.monotonic() - started

    failed = len(result.failures) + len(result.unexpectedSuccesses)
    errors = len(result.errors)
    skipped = len(result.skipped)
    expected_failures = len(result.expectedFailures)
    passed = max(result.testsRun - failed - errors - skipped - expected_failures, 0)
    counts = {"run": result.testsRun, "passed": passed, "failed": failed, "errors": errors,
              "skipped": skipped, "expected_failures": expected_failures,
              "seconds": round(elapsed, 1)}
    if args.json:
        Path(args.json).write_text(json.dumps(counts) + "\n")
    print(f"integration tests: passed={passed} failed={failed} errors={errors} "
          f"skipped={skipped} ({elapsed:.0f}s)", flush=True)
    return 0 if failed == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
