# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Source it; do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

log()  { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "this step needs root (or sudo): $*"
  fi
}

jobs_count() {
  local n
  n="$(nproc 2>/dev/null || echo 2)"
  [ "$n" -ge 1 ] 2>/dev/null || n=2
  echo "$n"
}

# Prints the first python3 interpreter that can import all the given modules (default: boto3).
# $PYTHON, when set, is tried first.
find_python() {
  local mods="${*:-boto3}" cand
  local -a code=()
  for m in $mods; do code+=("import $m"); done
  for cand in "${PYTHON:-}" python3 /usr/bin/python3 /usr/local/bin/python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c "$(printf '%s\n' "${code[@]}")" >/dev/null 2>&1; then
      command -v "$cand"
      return 0
    fi
  done
  return 1
}

lambdalite_bin() {
  echo "${LAMBDALITE_BIN:-$REPO_ROOT/build/src/main/lambdalite}"
}

# Waits until GET http://HOST:PORT/_lambdalite/health answers 200 with "status":"ok".
wait_for_health() {
  local host="$1" port="$2" timeout="${3:-30}" py
  py="$(command -v python3 || command -v /usr/bin/python3)"
  "$py" - "$host" "$port" "$timeout" <<'PY'
import json, sys, time, urllib.request
host, port, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_lambdalite/health", timeout=1) as r:
            if r.status == 200 and json.loads(r.read() or b"{}").get("status") == "ok":
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
}
