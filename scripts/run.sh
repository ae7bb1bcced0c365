#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is needed, build, and start Asgard on
# the example configuration (conf/app.yaml; runtime files under runtime/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/asgard guard -c conf "$@"
