#!/usr/bin/env bash
# A throw-away Redis for the web tests: a plain redis-server process, no systemd, loopback only,
# a free port, no persistence (no RDB, no AOF), its files in a temporary directory.
#
#   eval "$(scripts/test-services/redis.sh start)"
#   ... ASGARD_TEST_REDIS=127.0.0.1:PORT ...
#   scripts/test-services/redis.sh kill|restart   # SIGKILL it / start it again on the same port
#   scripts/test-services/redis.sh stop           # uses $ASGARD_REDIS_DIR (or DIR as $2)
#
# `start` installs Debian's redis-server when it is missing (with a policy-rc.d, so the package
# starts no system Redis on 6379), starts it and waits until it answers PING, then prints on
# stdout (all else on stderr):
#   export ASGARD_REDIS_DIR=/tmp/asgard-redis.XXXX
#   export ASGARD_TEST_REDIS=127.0.0.1:PORT
# `stop` ends it (SIGKILL after 10 s) and removes the directory.
set -euo pipefail

log() { echo "redis.sh: $*" >&2; }

install_server() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  log "installing redis-server (apt-get)"
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  local policy=/usr/sbin/policy-rc.d made=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod 755 $policy && made=1
  fi
  $sudo apt-get install -y -qq --no-install-recommends redis-server </dev/null >&2 || true
  if ((made)); then $sudo rm -f $policy; fi
  command -v redis-server >/dev/null 2>&1
}

free_port() {
  python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

answers() {  # answers PORT: the server says PONG
  [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]
}

server_start() {  # server_start DIR: (re)starts the server on the port recorded in DIR
  local dir=$1 port i
  port=$(cat "$dir/port")
  setsid redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
    --protected-mode yes --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/pid"
  for ((i = 0; i < 100; i++)); do
    if answers "$port"; then return 0; fi
    sleep 0.1
  done
  log "redis-server did not answer in 10 s; last lines of its log:"
  tail -n 5 "$dir/redis.log" >&2 || true
  return 1
}

cmd_start() {
  local dir port
  install_server || { log "redis-server is not installed and could not be"; return 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/asgard-redis.XXXXXX")
  port=$(free_port)
  echo "$port" >"$dir/port"
  if ! server_start "$dir"; then cmd_stop "$dir"; return 1; fi
  {
    echo "export ASGARD_REDIS_DIR=$dir"
    echo "export ASGARD_TEST_REDIS=127.0.0.1:$port"
  } | tee "$dir/env"
  log "redis-server on 127.0.0.1:$port (dir $dir)"
}

pid_of() { cat "$1/pid" 2>/dev/null || true; }

wait_gone() {
  local pid=$1 i
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

cmd_kill() {
  local dir=${1:-${ASGARD_REDIS_DIR:-}} pid
  [[ -n $dir && -f $dir/port ]] || { log "no Redis in '${dir}'"; return 2; }
  pid=$(pid_of "$dir")
  if [[ -n $pid ]]; then kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" || true; fi
}

cmd_restart() {
  local dir=${1:-${ASGARD_REDIS_DIR:-}} pid
  [[ -n $dir && -f $dir/port ]] || { log "no Redis in '${dir}'"; return 2; }
  pid=$(pid_of "$dir")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then return 0; fi
  server_start "$dir"
}

cmd_stop() {
  local dir=${1:-${ASGARD_REDIS_DIR:-}} pid
  if [[ -z "$dir" || ! -d "$dir" ]]; then log "nothing to stop (no ASGARD_REDIS_DIR)"; return 0; fi
  case "$dir" in */asgard-redis.*) ;; *) log "refusing to remove $dir"; return 1 ;; esac
  pid=$(pid_of "$dir")
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "stopped"
}

case "${1:-}" in
  start) cmd_start ;;
  kill) cmd_kill "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  *) echo "usage: $0 start | kill [DIR] | restart [DIR] | stop [DIR]" >&2; exit 2 ;;
esac
