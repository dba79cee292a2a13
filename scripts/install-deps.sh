#!/usr/bin/env bash
# Installs what building and testing lambdalite needs on Debian 12, and only what is missing.
# Runs apt-get as root (directly, or through sudo). Safe to run again: it does nothing when
# everything is there.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# clang + libclang-rt-14-dev (libclang_rt.fuzzer) build the fuzz targets; llvm-14 brings
# llvm-symbolizer for readable sanitizer reports. slirp4netns gives functions outbound network
# from their own network namespace (--function-network nat); util-linux brings setpriv, with
# which the tests start a rootless server.
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsqlite3-dev libssl-dev libzip-dev zlib1g-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev googletest
  wrk python3 python3-pip
  clang libclang-rt-14-dev llvm-14
  slirp4netns util-linux
)

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

# Python tooling for the integration tests: only when no python3 on PATH already has it
# (the machine's own python3 may come with boto3, moto and the AWS CLI preinstalled).
if ! find_python boto3 >/dev/null; then
  missing+=(python3-boto3)
fi
if ! command -v aws >/dev/null 2>&1; then
  missing+=(awscli)
fi

apt_updated=0
apt_update() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  apt_update
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "system packages: all present"
fi

# moto (a local S3 for the Code.S3Bucket tests) is not packaged in Debian 12; use it when some
# python3 has it, otherwise those tests are skipped.
if ! find_python boto3 moto >/dev/null; then
  if apt-cache show python3-moto >/dev/null 2>&1; then
    apt_update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-moto
  else
    warn "no python3 with moto found and Debian has no python3-moto: the S3 code tests will be skipped"
  fi
fi

py="$(find_python boto3)" || die "no python3 with boto3 after installation"
log "python for tests: $py ($("$py" --version 2>&1)); aws: $(command -v aws)"

# Mount points of every environment's code and runtime clients: a server started as root makes
# them itself, a rootless one (not root) cannot.
for dir in /var/task /var/runtime; do
  [ -d "$dir" ] || as_root install -d -m 0755 "$dir"
done
