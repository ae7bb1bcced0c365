#!/usr/bin/env bash
# A throw-away MariaDB server for the store tests: no systemd, no fixed port, no system files.
#
#   eval "$(scripts/test-services/mariadb.sh start)"   # prints the two export lines below
#   ... ASGARD_TEST_MYSQL=mysql://root@127.0.0.1:PORT/asgard_test ...
#   scripts/test-services/mariadb.sh stop               # uses $ASGARD_MARIADB_DIR (or DIR as $2)
#
# `start` installs Debian's mariadb-server when mariadbd is missing, creates a data directory in a
# new temp dir, starts mariadbd as a plain background process on 127.0.0.1 and a free port, waits
# until it answers, creates the database `asgard_test`, and prints on stdout (all else on stderr):
#   export ASGARD_MARIADB_DIR=/tmp/asgard-mariadb.XXXX
#   export ASGARD_TEST_MYSQL=mysql://root@127.0.0.1:PORT/asgard_test
# The same two lines are written to $ASGARD_MARIADB_DIR/env. `stop` shuts the server down (SIGKILL
# after 30 s) and removes the temp dir.
# The server is sized for tests (64 MiB buffer pool, 32 MiB redo log, no flush at commit);
# ASGARD_MARIADB_SERVER_OPTS adds mariadbd options after those, which win (the ingest bench sizes
# the server as for production: bench/ingest.py).
set -euo pipefail

log() { echo "mariadb.sh: $*" >&2; }

find_bin() {  # first of the names found in PATH or /usr/sbin, /usr/bin
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for d in /usr/sbin /usr/bin; do
      if [[ -x "$d/$name" ]]; then echo "$d/$name"; return 0; fi
    done
  done
  return 1
}

install_server() {
  if find_bin mariadbd mysqld >/dev/null; then return 0; fi
  log "installing mariadb-server (apt-get)"
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client </dev/null >&2
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

admin() {  # admin DIR ARGS...: mariadb-admin on the server's socket
  local dir=$1; shift
  "$(find_bin mariadb-admin mysqladmin)" --no-defaults -uroot --socket="$dir/mysqld.sock" "$@"
}

wait_alive() {  # wait_alive DIR PID: up to 60 s
  local dir=$1 pid=$2 i
  for ((i = 0; i < 600; i++)); do
    if admin "$dir" --connect-timeout=1 ping >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

start_server() {  # start_server DIR: starts mariadbd, echoes its port
  local dir=$1 port pid attempt user_opt=()
  if [[ "$(id -u)" -eq 0 ]]; then user_opt=(--user=root); fi
  for attempt in 1 2 3; do
    port=$(free_port)
    setsid "$(find_bin mariadbd mysqld)" --no-defaults "${user_opt[@]}" \
      --datadir="$dir/data" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
      --bind-address=127.0.0.1 --port="$port" --skip-name-resolve --log-error="$dir/error.log" \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=32M --innodb-flush-log-at-trx-commit=0 \
      --skip-log-bin --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      ${ASGARD_MARIADB_SERVER_OPTS:-} </dev/null >"$dir/stdout.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/server.pid"
    if wait_alive "$dir" "$pid"; then echo "$port"; return 0; fi
    log "server did not come up on port $port (attempt $attempt); last log lines:"
    tail -n 5 "$dir/error.log" >&2 || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  return 1
}

cmd_start() {
  local t0 dir port
  t0=$(date +%s%N)
  install_server
  dir=$(mktemp -d "${TMPDIR:-/tmp}/asgard-mariadb.XXXXXX")
  "$(find_bin mariadb-install-db mysql_install_db)" --no-defaults --datadir="$dir/data" \
    $([[ "$(id -u)" -eq 0 ]] && echo --user=root) --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/install.log" 2>&1 || { log "mariadb-install-db failed:"; tail -n 20 "$dir/install.log" >&2; rm -rf "$dir"; return 1; }
  if ! port=$(start_server "$dir"); then
    log "mariadbd did not start; see $dir/error.log"
    return 1
  fi
  "$(find_bin mariadb mysql)" --no-defaults -uroot --socket="$dir/mysqld.sock" \
    -e 'CREATE DATABASE IF NOT EXISTS asgard_test CHARACTER SET utf8mb4'
  {
    echo "export ASGARD_MARIADB_DIR=$dir"
    echo "export ASGARD_TEST_MYSQL=mysql://root@127.0.0.1:$port/asgard_test"
  } | tee "$dir/env"
  log "started on 127.0.0.1:$port in $((($(date +%s%N) - t0) / 1000000)) ms (dir $dir)"
}

cmd_stop() {
  local dir=${1:-${ASGARD_MARIADB_DIR:-}} pid i
  if [[ -z "$dir" || ! -d "$dir" ]]; then log "nothing to stop (no ASGARD_MARIADB_DIR)"; return 0; fi
  case "$dir" in */asgard-mariadb.*) ;; *) log "refusing to remove $dir"; return 1 ;; esac
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    admin "$dir" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "server $pid still up after 30 s: SIGKILL"; kill -KILL "$pid" || true; fi
  fi
  rm -rf "$dir"
  log "stopped"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
