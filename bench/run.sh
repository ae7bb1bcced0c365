#!/bin/sh
# Runs the Asgard benchmarks against their Debian peers (supervisord, cron). See bench/README.md.
#   bench/run.sh restart|footprint|precision|scale|ingest|control|web|limits|all [options of that bench]
#   bench/run.sh console [options]: the web console's first load in headless chromium (node,
#   web-ui/node_modules, web-ui/dist and /usr/bin/chromium; not part of `all` nor of CI)
# The asgard binary is $ASGARD_BIN, else build/asgard. Needs root for the cron peer
# (/etc/cron.d) and the packages: apt-get install -y supervisor cron gcc g++ pkg-config
# libgrpc++-dev libprotobuf-dev libyaml-cpp-dev libspdlog-dev (the last four are Asgard's own
# build dependencies, used by the link-only program of the footprint bench).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
what=${1:-help}
[ $# -gt 0 ] && shift
case "$what" in
  restart)   exec "$py" "$here/restart_latency.py" "$@" ;;
  footprint) exec "$py" "$here/footprint.py" "$@" ;;
  precision) exec "$py" "$here/precision.py" "$@" ;;
  scale)     exec "$py" "$here/scale.py" "$@" ;;
  ingest)    exec "$py" "$here/ingest.py" "$@" ;;
  control)   exec "$py" "$here/control.py" "$@" ;;
  web)       exec "$py" "$here/web.py" "$@" ;;
  limits)    exec "$py" "$here/web_limits.py" "$@" ;;
  failover)  exec "$py" "$here/failover.py" "$@" ;;
  console)   exec node "$here/console_load.mjs" "$@" ;;
  all)
    for b in restart_latency footprint precision scale; do
      echo "==== $b"
      "$py" "$here/$b.py" "$@"
      echo
    done ;;
  *)
    echo "usage: $0 restart|footprint|precision|scale|ingest|control|web|limits|failover|all [options]" >&2
    echo "  restart    restart latency after SIGKILL, asgard guard (cgroups on and off) vs supervisord (~8 min)" >&2
    echo "  footprint  RSS/PSS/CPU with 100 idle apps, vs supervisord and a link-only program (~70 s)" >&2
    echo "  precision  cron firing lateness (1,000 jobs, 2 min) vs cron, and a 1,000-timing burst, cgroups on and off (~7 min)" >&2
    echo "  scale      100,000 cron entries; 1,000 apps vs supervisord (~2 min)" >&2
    echo "  ingest     master ingest ceiling: offered samples/s raised step by step, SQLite and MariaDB (~4-8 min)" >&2
    echo "  web        REST API under wrk (apps list, monitor, restart) next to nginx (~1.5 min)" >&2
    echo "  limits     web node under abuse: 1,000 slowloris + 500 streams, 1,000 idle connections, /health vs nginx (~3.5 min)" >&2
    echo "  failover   cluster mode: SIGKILL/SIGSTOP of an agent's master to its next heartbeat elsewhere, leader handover (~5 min)" >&2
    echo "  control    agent control latency: Add/Start to exec'd, and store-only changes (~2 min)" >&2
    echo "  console    web console first load in headless chromium: bytes, time to interactive (~6 min)" >&2
    exit 2 ;;
esac
