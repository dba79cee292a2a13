#!/usr/bin/env bash
# Configures and builds lambdalite with CMake + Ninja.
#
#   scripts/build.sh [--dir DIR] [--type Release|Debug|RelWithDebInfo] [--werror] [--sanitize]
#                    [--no-tests] [--jobs N] [--target TARGET]
#
# Defaults: --dir build --type Release, unit tests on, all targets, one job per core.
# The server binary ends up in DIR/src/main/lambdalite.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="build" type="Release" werror=OFF sanitize=OFF tests=ON jobs="$(jobs_count)" target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --type) type="$2"; shift 2 ;;
    --werror) werror=ON; shift ;;
    --sanitize) sanitize=ON; shift ;;
    --no-tests) tests=OFF; shift ;;
    --jobs|-j) jobs="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
case "$dir" in /*) ;; *) dir="$REPO_ROOT/$dir" ;; esac

# Keep the generator an existing build tree was made with; prefer Ninja for new ones.
generator="Ninja"
if [ -f "$dir/CMakeCache.txt" ]; then
  existing="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$dir/CMakeCache.txt")"
  [ -n "$existing" ] && generator="$existing"
elif ! command -v ninja >/dev/null 2>&1; then
  generator="Unix Makefiles"
fi

log "configure $dir ($type, WERROR=$werror, SANITIZE=$sanitize, tests=$tests, $generator)"
cmake -S "$REPO_ROOT" -B "$dir" -G "$generator" \
  -DCMAKE_BUILD_TYPE="$type" \
  -DLAMBDALITE_WERROR="$werror" \
  -DLAMBDALITE_SANITIZE="$sanitize" \
  -DLAMBDALITE_BUILD_TESTS="$tests"

log "build $dir${target:+ (target $target)} with $jobs jobs"
cmake --build "$dir" --parallel "$jobs" ${target:+--target "$target"}
