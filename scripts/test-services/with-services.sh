#!/usr/bin/env bash
# Runs a command with the test services up, and always stops them afterwards.
#
#   scripts/test-services/with-services.sh ctest --output-on-failure
#
# Starts the throw-away MariaDB (mariadb.sh start), etcd cluster (etcd.sh start) and Redis
# (redis.sh start), exports ASGARD_TEST_MYSQL, ASGARD_TEST_ETCD and ASGARD_TEST_REDIS for the
# command, runs it, stops the services even when
# the command fails or the script is interrupted, and exits with the command's exit code. If a
# service cannot start, the command still runs without its variable (so with CI=true the tests
# that need it fail and say why) and a warning is printed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if (($# == 0)); then echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; fi

cleanup() {
  if [[ -n "${ASGARD_MARIADB_DIR:-}" ]]; then "$here/mariadb.sh" stop "$ASGARD_MARIADB_DIR" || true; fi
  if [[ -n "${ASGARD_ETCD_DIR:-}" ]]; then "$here/etcd.sh" stop "$ASGARD_ETCD_DIR" || true; fi
  if [[ -n "${ASGARD_REDIS_DIR:-}" ]]; then "$here/redis.sh" stop "$ASGARD_REDIS_DIR" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if exports="$("$here/mariadb.sh" start)"; then
  eval "$exports"
else
  echo "with-services.sh: WARNING: the MariaDB test service did not start" >&2
fi
if exports="$("$here/etcd.sh" start 3)"; then
  eval "$exports"
else
  echo "with-services.sh: WARNING: the etcd test service did not start" >&2
fi
if exports="$("$here/redis.sh" start)"; then
  eval "$exports"
else
  echo "with-services.sh: WARNING: the Redis test service did not start" >&2
fi

"$@"
exit $?
