#!/usr/bin/env bash
# A throw-away etcd cluster for the cluster-mode tests: plain processes, no systemd, loopback
# only, free ports, data in /dev/shm (a tmpfs: etcd fsyncs every write).
#
#   eval "$(scripts/test-services/etcd.sh start [MEMBERS])"   # 3 members by default
#   ... ASGARD_TEST_ETCD=127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 ...
#   scripts/test-services/etcd.sh member stop|kill|start|pause|resume N   # N = 1..MEMBERS
#   scripts/test-services/etcd.sh stop                         # uses $ASGARD_ETCD_DIR (or DIR as $2)
#
# `start` installs Debian's etcd-server when etcd is missing, starts the members and waits until
# the cluster has a leader, then prints on stdout (all else on stderr):
#   export ASGARD_ETCD_DIR=/dev/shm/asgard-etcd.XXXX
#   export ASGARD_TEST_ETCD=127.0.0.1:P1,...
# `member` stops (SIGTERM), kills (SIGKILL), pauses (SIGSTOP), resumes or restarts one member
# with its data kept. `stop` ends every member (SIGKILL after 10 s) and removes the directory.
set -euo pipefail

log() { echo "etcd.sh: $*" >&2; }

install_server() {
  if command -v etcd >/dev/null 2>&1; then return 0; fi
  log "installing etcd-server (apt-get)"
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  # The package's init script would start a system etcd on 2379: policy-rc.d refuses it.
  local policy=/usr/sbin/policy-rc.d made=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod 755 $policy && made=1
  fi
  $sudo apt-get install -y -qq --no-install-recommends etcd-server etcd-client </dev/null >&2 || true
  if ((made)); then $sudo rm -f $policy; fi
  command -v etcd >/dev/null 2>&1
}

free_ports() {  # free_ports N: N distinct free loopback ports, one per line
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

member_start() {  # member_start DIR N: (re)starts member N from its recorded command line
  local dir=$1 n=$2 pid
  # shellcheck disable=SC2046
  setsid etcd $(cat "$dir/m$n.args") </dev/null >>"$dir/m$n.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/m$n.pid"
}

healthy() {  # healthy DIR: the cluster answers a linearizable read
  ETCDCTL_API=3 etcdctl --endpoints="$(cat "$1/endpoints")" --command-timeout=2s \
    get /asgard-etcd-probe >/dev/null 2>&1
}

cmd_start() {
  local members=${1:-3} t0 dir i ports=() cluster="" endpoints=""
  t0=$(date +%s%N)
  install_server || { log "etcd is not installed and could not be"; return 1; }
  local base=/dev/shm
  [[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
  dir=$(mktemp -d "$base/asgard-etcd.XXXXXX")
  mapfile -t ports < <(free_ports $((2 * members)))
  for ((i = 1; i <= members; i++)); do
    cluster+="${cluster:+,}m$i=http://127.0.0.1:${ports[$((2 * i - 1))]}"
    endpoints+="${endpoints:+,}127.0.0.1:${ports[$((2 * i - 2))]}"
  done
  echo "$endpoints" >"$dir/endpoints"
  echo "$members" >"$dir/members"
  for ((i = 1; i <= members; i++)); do
    local client=${ports[$((2 * i - 2))]} peer=${ports[$((2 * i - 1))]}
    echo "--name m$i --data-dir $dir/m$i.data \
--listen-client-urls http://127.0.0.1:$client --advertise-client-urls http://127.0.0.1:$client \
--listen-peer-urls http://127.0.0.1:$peer --initial-advertise-peer-urls http://127.0.0.1:$peer \
--initial-cluster $cluster --initial-cluster-state new --initial-cluster-token asgard-test \
--heartbeat-interval 100 --election-timeout 1000 --log-level warn" >"$dir/m$i.args"
    member_start "$dir" "$i"
  done
  for ((i = 0; i < 300; i++)); do
    if healthy "$dir"; then break; fi
    sleep 0.1
  done
  if ! healthy "$dir"; then
    log "the cluster did not come up in 30 s; last lines of m1.log:"
    tail -n 5 "$dir/m1.log" >&2 || true
    cmd_stop "$dir"
    return 1
  fi
  {
    echo "export ASGARD_ETCD_DIR=$dir"
    echo "export ASGARD_TEST_ETCD=$endpoints"
  } | tee "$dir/env"
  log "$members members on $endpoints in $((($(date +%s%N) - t0) / 1000000)) ms (dir $dir)"
}

cmd_member() {
  local action=${1:-} n=${2:-} dir=${3:-${ASGARD_ETCD_DIR:-}} pid
  [[ -n $dir && -f $dir/m$n.args ]] || { log "no member '$n' in '${dir}'"; return 2; }
  pid=$(cat "$dir/m$n.pid" 2>/dev/null || true)
  case "$action" in
    stop | kill)
      [[ -n $pid ]] && kill -"$([[ $action == stop ]] && echo TERM || echo KILL)" "$pid" 2>/dev/null || true
      [[ -n $pid ]] && kill -CONT "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
    pause) kill -STOP "$pid" ;;
    resume) kill -CONT "$pid" ;;
    start) if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then return 0; fi
      member_start "$dir" "$n" ;;
    *) log "usage: $0 member stop|kill|start|pause|resume N [DIR]"; return 2 ;;
  esac
}

cmd_stop() {
  local dir=${1:-${ASGARD_ETCD_DIR:-}} f pid i
  if [[ -z "$dir" || ! -d "$dir" ]]; then log "nothing to stop (no ASGARD_ETCD_DIR)"; return 0; fi
  case "$dir" in */asgard-etcd.*) ;; *) log "refusing to remove $dir"; return 1 ;; esac
  for f in "$dir"/m*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$dir"/m*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
  log "stopped"
}

case "${1:-}" in
  start) cmd_start "${2:-3}" ;;
  member) shift; cmd_member "$@" ;;
  stop) cmd_stop "${2:-}" ;;
  *) echo "usage: $0 start [MEMBERS] | member ACTION N [DIR] | stop [DIR]" >&2; exit 2 ;;
esac
