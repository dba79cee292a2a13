#!/usr/bin/env bash
# Configures and builds lambdalite with CMake + Ninja.
#
#   scripts/build.sh [--dir DIR] [--type Release|Debug|RelWithDebInfo] [--werror] [--sanitize]
#                    [--no-tests] [--fuzz] [--jobs N] [--target TARGET]
#
# Defaults: --dir build --type Release, unit tests on, all targets, one job per core.
# The server binary ends up in DIR/src/main/lambdalite.
# --fuzz configures with clang++ and -DLAMBDALITE_FUZZ=ON (ASan + UBSan + libFuzzer, no unit
# tests) and builds only the fuzz targets (DIR/fuzz/*_fuzz); use it with a DIR of its own.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="build" type="Release" werror=OFF sanitize=OFF tests=ON fuzz=OFF jobs="$(jobs_count)" target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --type) type="$2"; shift 2 ;;
    --werror) werror=ON; shift ;;
    --sanitize) sanitize=ON; shift ;;
    --no-tests) tests=OFF; shift ;;
    --fuzz) fuzz=ON; tests=OFF; shift ;;
    --jobs|-j) jobs="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
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

fuzz_args=()
if [ "$fuzz" = ON ]; then
  command -v clang++ >/dev/null 2>&1 || die "--fuzz needs clang++ (scripts/install-deps.sh installs it)"
  fuzz_args=(-DCMAKE_CXX_COMPILER=clang++ -DLAMBDALITE_FUZZ=ON)
  [ -n "$target" ] || target="fuzz"
fi

log "configure $dir ($type, WERROR=$werror, SANITIZE=$sanitize, FUZZ=$fuzz, tests=$tests, $generator)"
cmake -S "$REPO_ROOT" -B "$dir" -G "$generator" \
  -DCMAKE_BUILD_TYPE="$type" \
  -DLAMBDALITE_WERROR="$werror" \
  -DLAMBDALITE_SANITIZE="$sanitize" \
  -DLAMBDALITE_BUILD_TESTS="$tests" \
  "${fuzz_args[@]}"

log "build $dir${target:+ (target $target)} with $jobs jobs"
cmake --build "$dir" --parallel "$jobs" ${target:+--target "$target"}
