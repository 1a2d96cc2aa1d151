#!/bin/sh
# make demo: the main job on the embedded defaults.
#
# Starts lt's bundled test server on a free loopback port, runs the Quick
# Start scenario (examples/api-health-check.json) against it for 25 s,
# records the run in a demo database and shows it.  Nothing leaves
# 127.0.0.1; the server stops by itself after two minutes at the latest.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/$build/bin
db=$here/$build/demo.db
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lt-demo.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$here/$build/tests/lt-target" --port-file "$tmp/port" --max-seconds 120 >/dev/null &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "demo: the test server did not start" >&2; exit 3; }
	sleep 0.05
done
port=$(cat "$tmp/port")

echo "demo: running examples/api-health-check.json against 127.0.0.1:$port for 25 s"
echo "      (lt-run --base-url http://127.0.0.1:$port --duration 25s ... | lt-store --db $build/demo.db)"
status=0
"$bin/lt-run" --base-url "http://127.0.0.1:$port" --duration 25s \
	"$here/examples/api-health-check.json" | tee "$tmp/run.ndjson" |
	"$bin/lt-store" --db "$db" || status=$?
run=$(sed -n 's/^{"type":"run_start","v":1,"run_id":"\([^"]*\)".*/\1/p' "$tmp/run.ndjson")
[ -n "$run" ] || { echo "demo: no run was recorded" >&2; exit 3; }
echo
"$bin/lt-store" --db "$db" show "$run"
echo
echo "demo: the run is in $build/demo.db; try: $build/bin/lt-store --db $build/demo.db export --format csv $run"
exit $status
