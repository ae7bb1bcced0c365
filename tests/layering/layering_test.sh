#!/bin/sh
# The layering of src/ (issue 12), checked on every ctest run:
#   - src/sched/ is pure time math: it includes nothing from process/;
#   - src/runtime/ includes nothing from rpc/, store/ or web/;
#   - src/web/ includes nothing from master/ or agent/;
#   - src/http/ (the HTTP front) knows nothing of the API: it includes only common/ and itself;
#   - src/probe/ (/health and /metrics of master and agent) knows no role: what it says comes
#     from the roles' sources;
#   - only src/store/ includes store/sql_store.h: the others depend on the Store interface;
#   - the task runtime and the role scaffold link none of gRPC, the HTTP front, libcurl,
#     libmariadb or SQLite: not in their CMake link closure (the *.links files), not among the
#     shared libraries of a binary linking only them, not in its symbols.
# Usage: layering_test.sh <src dir> <probe binary> <closure file>...
set -u
src=$1
probe=$2
shift 2
failed=0

fail() {
  echo "LAYERING: $*" >&2
  failed=1
}

# forbid <folder> <pattern of included folders> <why>
forbid() {
  hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"($2)/" "$src/$1" 2>/dev/null)
  if [ -n "$hits" ]; then
    fail "src/$1 must not include $2/ ($3):"
    echo "$hits" >&2
  fi
}

forbid sched 'process' 'sched is pure time math'
forbid runtime 'rpc|store|web' 'the runtime knows no wire, store or HTTP'
forbid web 'master|agent' 'the web reaches agents and masters only through rpc/'
forbid http 'web|store|rpc|runtime|master|agent|config' 'the HTTP front knows no API'
forbid probe 'web|store|rpc|runtime|master|agent|config' 'the probe server knows no role'

hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"store/sql_store\.h"' "$src" |
       grep -v "^$src/store/")
if [ -n "$hits" ]; then
  fail "only src/store/ may include store/sql_store.h (the others depend on the Store interface):"
  echo "$hits" >&2
fi

heavy='grpc|asgard_http|httplib|curl|mariadb|mysql|sqlite'
for links in "$@"; do
  bad=$(grep -iE "$heavy" "$links")
  [ -n "$bad" ] && fail "$(basename "$links" .links) links: $(echo $bad)"
done

needed=$(readelf -d "$probe" | grep NEEDED | grep -iE "$heavy")
[ -n "$needed" ] && fail "lean_link_probe needs: $needed"
symbols=$(nm -C "$probe" | grep -E ' (sqlite3_|curl_|grpc_|mysql_|httplib::|boost::asio::|asgard::http::)' | head -5)
[ -n "$symbols" ] && fail "lean_link_probe has symbols of a heavy library: $symbols"

[ $failed -eq 0 ] && echo "layering: ok"
exit $failed
