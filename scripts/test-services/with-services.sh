#!/usr/bin/env bash
# Runs a command with the test services up, and always stops them afterwards.
#
#   scripts/test-services/with-services.sh ctest --output-on-failure
#
# Starts the throw-away MariaDB (mariadb.sh start), exports ASGARD_TEST_MYSQL for the command,
# runs it, stops the server even when the command fails or the script is interrupted, and exits
# with the command's exit code. If the server cannot start, the command still runs without
# ASGARD_TEST_MYSQL (so with CI=true the MariaDB tests fail and say why) and a warning is printed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if (($# == 0)); then echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; fi

cleanup() {
  if [[ -n "${ASGARD_MARIADB_DIR:-}" ]]; then "$here/mariadb.sh" stop "$ASGARD_MARIADB_DIR" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if exports="$("$here/mariadb.sh" start)"; then
  eval "$exports"
else
  echo "with-services.sh: WARNING: the MariaDB test service did not start" >&2
fi

"$@"
exit $?
