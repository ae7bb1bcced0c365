#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is needed, build Asgard and its web
# console, and start `asgard all` (web + master + agent in one process, SQLite in runtime/):
# open http://127.0.0.1:12345 and log in as admin / 123456.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/build-web-ui.sh
exec build/asgard all -c conf "$@"
