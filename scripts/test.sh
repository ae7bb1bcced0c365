#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is needed, build, and run every test
# (unit tests beside the code, the integration tests in tests/integration and the console's
# browser test, through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh --test
scripts/build.sh
scripts/build-web-ui.sh
status=0
# Test services (a throw-away MariaDB on a free loopback port) run only around ctest and are
# stopped on every exit path; the store tests find it through ASGARD_TEST_MYSQL.
(cd build && ../scripts/test-services/with-services.sh \
  ctest --output-on-failure --timeout 300 -j"$(nproc 2>/dev/null || echo 2)") || status=$?
echo "test.sh: wall time $(( $(date +%s) - start ))s, ctest exit $status"
exit $status
