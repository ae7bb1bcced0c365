#!/usr/bin/env bash
# Installs the Debian packages Asgard needs (idempotent, non-interactive).
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the test suite needs
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config git ca-certificates tzdata
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libmariadb-dev libhiredis-dev libsodium-dev libssl-dev libboost-dev zlib1g-dev libcurl4-openssl-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev python3 python3-pytest procps util-linux openssl
  mariadb-server mariadb-client chromium fonts-wqy-microhei python3-aiosmtpd
  etcd-server etcd-client redis-server
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi
# The web console is built with Node.js and npm: the machine's own when present (any Node >= 18),
# else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  want+=(nodejs npm)
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Packages of services (etcd, Redis, MariaDB) start their daemon from their init script when
# installed; the tests start their own throw-away copies on free ports instead. Without systemd
# only policy-rc.d stops that, so one that refuses every start stays in place while installing.
policy=/usr/sbin/policy-rc.d
had_policy=0
if [[ -e "$policy" ]]; then had_policy=1; fi
if ((!had_policy)); then
  printf '#!/bin/sh\n# asgard install-deps: no service starts while packages install\nexit 101\n' |
    $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
