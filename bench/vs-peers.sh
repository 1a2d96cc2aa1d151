#!/bin/bash
# bench/vs-peers.sh -- lt-run's CPU cost per request, side by side with its peers.
#
# What it measures: for lt-run and each peer that is installed (wrk,
# autocannon, h2load, ab, hey, locust), the requests per second it drives and
# the CPU time it spends per request, against the same local server with the
# same number of keep-alive connections and no think time; and the ratio of
# each tool's CPU per request to wrk's.  The question it answers is issue 3's
# goal: is lt-run, doing all its scenario work (weights, checks, histograms,
# the per-second timeline), within 2.0x wrk's CPU per request at 50
# connections and below autocannon's, and within 3x wrk's at 1000?
#
# How: the server is an nginx of our own (worker_processes 1, access_log off,
# `return 200 "ok"`, a temporary configuration on 127.0.0.1 and a free port)
# when nginx is installed, else lt's test server lt-target with one thread.
# The server is pinned to CPU 0 and each tool to CPU 1 (taskset), so neither
# steals the other's core.  Each tool runs for a fixed duration under
# /usr/bin/time, which reports the user+sys CPU and peak RSS of the tool's
# whole process tree (threads, children); its request count is parsed from
# its own output (wrk's "N requests in", autocannon --json, h2load's
# "requests: ... done", ab's "Complete requests", hey's status histogram,
# locust's Aggregated line, lt-run's summary record).  The tools take turns,
# round after round, so that a change in the machine's load hits them all;
# the table shows the median of the rounds.  CPU time includes each tool's
# start-up (small next to a 10 s run, except for locust and autocannon, which
# start an interpreter).  The server's CPU use during each run is shown too:
# near 100 % means the server, not the tool, capped the request rate.
#
# Only 127.0.0.1 is ever loaded; every run is bounded by timeout(1); the
# servers are stopped at exit.  Never run in CI (see `make bench`).
#
# usage: bench/vs-peers.sh [<options>] [<build-dir>]    (--help for the options)

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
# shellcheck source=bench/lib.bash
. "$(dirname "$0")/lib.bash"

usage() {
	cat <<EOF
usage: ${0##*/} [<options>] [<build-dir>]

Compare lt-run's CPU per request with wrk, autocannon, h2load, ab, hey and
locust (those installed) against one local server; medians over rounds.

  -r, --rounds <n>          rounds, every tool once per round (default 3)
  -d, --duration <s>        seconds per run (default 10)
  -c, --connections <n>     keep-alive connections, for every tool (default 50)
      --server <which>      nginx, lt-target or auto: nginx when installed
                            (default auto)
      --tools <list>        comma-separated subset of: lt-run,wrk,autocannon,
                            h2load,ab,hey,locust (default: all)
      --lt-threads <list>   lt-run --threads values to run, each as its own row,
                            e.g. 1,2 (default 1)
      --lt-clients <list>   lt-run's HTTP clients to run, each as its own row:
                            native, libcurl (lt-run --libcurl) or both, e.g.
                            native,libcurl (default native)
      --no-pin              do not pin the server to CPU 0 and tools to CPU 1
      --wait-quiet <s>      before each run, wait up to <s> seconds for a second
                            with the host's CPUs under 15 % busy (default 0: no
                            wait); the "other" column shows what other
                            processes used during each run either way
      --max-other <pct>     leave out of the medians the runs during which other
                            processes used more than <pct> % of the CPUs, when
                            the tool has at least one run under it (default 25)
      --keep                keep the temporary directory (tool outputs)
  -h, --help                show this help

<build-dir> defaults to \$LT_BUILD, else build/ beside bench/.
EOF
}

rounds=3 duration=10 conns=50 server=auto tools_sel='' lt_threads=1 lt_clients=native wait_quiet=0 max_other=25 keep=0 build_arg=''
while [ $# -gt 0 ]; do
	case $1 in
	-r | --rounds) rounds=${2:?}; shift ;;
	-d | --duration) duration=${2:?}; shift ;;
	-c | --connections) conns=${2:?}; shift ;;
	--server) server=${2:?}; shift ;;
	--tools) tools_sel=${2:?}; shift ;;
	--lt-threads) lt_threads=${2:?}; shift ;;
	--lt-clients) lt_clients=${2:?}; shift ;;
	--no-pin) BL_PIN=0 ;;
	--wait-quiet) wait_quiet=${2:?}; shift ;;
	--max-other) max_other=${2:?}; shift ;;
	--keep) keep=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) bl_say "unknown option '$1'"; usage >&2; exit 2 ;;
	*) build_arg=$1 ;;
	esac
	shift
done
for v in "$rounds" "$duration" "$conns"; do
	case $v in '' | *[!0-9]* | 0) bl_die "rounds, duration and connections must be positive integers, got '$v'" ;; esac
done
case $wait_quiet in '' | *[!0-9]*) bl_die "--wait-quiet: seconds, got '$wait_quiet'" ;; esac
case $max_other in '' | *[!0-9]*) bl_die "--max-other: a percentage, got '$max_other'" ;; esac
[ "$wait_quiet" -le 3600 ] || bl_die "--wait-quiet: at most 3600 s"
[ "$rounds" -le 50 ] || bl_die "at most 50 rounds"
[ "$duration" -le 600 ] || bl_die "at most 600 s per run"
[ "$conns" -le 10000 ] || bl_die "at most 10000 connections"
lt_threads=$(echo "$lt_threads" | tr ',' ' ')
lt_clients=$(echo "$lt_clients" | tr ',' ' ')
for c in $lt_clients; do
	case $c in native | libcurl) ;; *) bl_die "--lt-clients: native or libcurl, got '$c'" ;; esac
done

bl_need awk sed sort jq timeout
[ -x /usr/bin/time ] || bl_die "needs /usr/bin/time (apt-get install time)"
BUILD=$(bl_build_dir "$build_arg")
bl_tmp_init "$keep"
nofile=$(bl_raise_nofile 65536)
[ "$nofile" -gt $((conns + 64)) ] || bl_die "open-files limit $nofile is too low for $conns connections"

# ---- the tools -------------------------------------------------------------

all_tools="lt-run wrk autocannon h2load ab hey locust"
hint() {
	case $1 in
	wrk) echo "apt-get install wrk" ;;
	autocannon) echo "npm install -g autocannon" ;;
	h2load) echo "apt-get install nghttp2-client" ;;
	ab) echo "apt-get install apache2-utils" ;;
	hey) echo "apt-get install hey" ;;
	locust) echo "apt-get install python3-locust (or pip install locust)" ;;
	esac
}

selected() {
	[ -z "$tools_sel" ] && return 0
	case ",$tools_sel," in *",$1,"*) return 0 ;; esac
	return 1
}

tools='' skipped=''
for t in $all_tools; do
	selected "$t" || continue
	if [ "$t" = lt-run ]; then
		# Row names: lt-run, with /t<n> when several thread counts run
		# and /curl for lt-run --libcurl.
		for th in $lt_threads; do
			case $th in '' | *[!0-9]* | 0) bl_die "--lt-threads: '$th' is not a positive integer" ;; esac
			name=lt-run
			[ "$(echo "$lt_threads" | wc -w)" -gt 1 ] && name="$name/t$th"
			for c in $lt_clients; do
				if [ "$c" = libcurl ]; then tools="$tools $name/curl"; else tools="$tools $name"; fi
			done
		done
	elif command -v "$t" >/dev/null 2>&1; then
		tools="$tools $t"
	else
		skipped="$skipped$t (not installed: $(hint "$t"))
"
	fi
done
[ -n "$tools" ] || bl_die "no tool to run"

# ---- the server ------------------------------------------------------------

case $server in
auto) bl_start_nginx 0 || bl_start_lt_target "$BUILD" 1 $(((duration + 15) * rounds * 8 + 60)) 0 ;;
nginx) bl_start_nginx 0 || bl_die "cannot start nginx (apt-get install nginx-light)" ;;
lt-target) bl_start_lt_target "$BUILD" 1 $(((duration + 15) * rounds * 8 + 60)) 0 ;;
*) bl_die "--server: nginx, lt-target or auto, got '$server'" ;;
esac
case $BL_SERVER_NAME in nginx*) path=/ ;; *) path=/health ;; esac
url="http://127.0.0.1:$BL_PORT$path"

cat > "$BL_TMP/scenario.json" <<EOF
{"id":"vs-peers","name":"vs-peers",
 "config":{"baseUrl":"http://127.0.0.1:$BL_PORT","endpoints":[{"path":"$path"}],
  "users":{"concurrent":$conns},"duration":{"total":$duration}}}
EOF
cat > "$BL_TMP/locustfile.py" <<EOF
from locust import FastHttpUser, task, constant

class Bench(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("$path")
EOF

tool_pin=$(bl_pin 1)
guard="timeout -k 5 $((duration + 60))"

# run_tool TOOL OUT: run TOOL once; OUT.time gets its rusage
run_tool() {
	local t=$1 out=$2 th
	# shellcheck disable=SC2086
	case $t in
	lt-run*)
		th=$lt_threads client=
		case $t in lt-run/t*) th=${t#lt-run/t}; th=${th%/curl} ;; esac
		case $t in */curl) client=--libcurl ;; esac
		bl_timed "$out.time" "$out" $guard $tool_pin "$BUILD/bin/lt-run" -q $client --threads "$th" "$BL_TMP/scenario.json" ;;
	wrk) bl_timed "$out.time" "$out" $guard $tool_pin wrk -t1 -c"$conns" -d"${duration}s" "$url" ;;
	autocannon) bl_timed "$out.time" "$out" $guard $tool_pin autocannon -c "$conns" -d "$duration" --json "$url" ;;
	h2load) bl_timed "$out.time" "$out" $guard $tool_pin h2load --h1 -t1 -c"$conns" -D "$duration" "$url" ;;
	# -t alone caps ab at 50000 requests; a large -n after it lifts the cap
	ab) bl_timed "$out.time" "$out" $guard $tool_pin ab -q -k -c "$conns" -t "$duration" -n 50000000 "$url" ;;
	hey) bl_timed "$out.time" "$out" $guard $tool_pin hey -c "$conns" -z "${duration}s" "$url" ;;
	locust) bl_timed "$out.time" "$out" $guard $tool_pin locust -f "$BL_TMP/locustfile.py" --headless \
		-u "$conns" -r "$conns" -t "${duration}s" -H "http://127.0.0.1:$BL_PORT" --only-summary \
		--loglevel WARNING ;;
	esac
}

# count_tool TOOL OUT: print "requests errors" from TOOL's output
count_tool() {
	local t=$1 out=$2
	case $t in
	lt-run*) grep '^{"type":"summary"' "$out" | jq -r '"\(.requests) \(.errors)"' ;;
	wrk) awk '/ requests in / { n = $1 } /Non-2xx/ { e += $NF }
		/Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
		END { print n + 0, e + 0 }' "$out" ;;
	autocannon) grep '^{' "$out" | tail -n 1 | jq -r '"\(.requests.total) \(.non2xx + .errors + .timeouts)"' ;;
	h2load) awk '/^requests:/ { n = $8 } /^requests:/ { e = $12 + $14 + $16 }
		/^status codes:/ { e += $5 + $7 + $9 } END { print n + 0, e + 0 }' "$out" ;;
	ab) awk '/^Complete requests:/ { n = $3 } /^Failed requests:/ { e += $3 } /^Non-2xx/ { e += $3 }
		END { print n + 0, e + 0 }' "$out" ;;
	hey) awk '/^Status code distribution:/ { s = 1; next } /^Error distribution:/ { s = 2; next }
		s == 1 && /\[[0-9]+\]/ { c = $1; gsub(/[][]/, "", c); n += $2; if (c !~ /^2/) e += $2 }
		s == 2 && /\[[0-9]+\]/ { v = $1; gsub(/[][]/, "", v); e += v }
		END { print n + 0, e + 0 }' "$out" ;;
	locust) awk '$1 == "Aggregated" && $3 ~ /\(/ { n = $2; e = $3; sub(/\(.*/, "", e) }
		END { print n + 0, e + 0 }' "$out" ;;
	esac
}

# ---- the rounds ------------------------------------------------------------

clk=$(getconf CLK_TCK)
res="$BL_TMP/results"      # round tool rps us_per_req rss_kb server_pct errors exit other_pct
: > "$res"
load_before=$(bl_load)
echo "# vs-peers: $BL_SERVER_NAME on 127.0.0.1, $url"
if [ "$BL_PIN" = 1 ] && [ -n "$tool_pin" ]; then
	echo "# server on CPU 0, each tool on CPU 1 (taskset); $conns keep-alive connections, no think time"
else
	echo "# no CPU pinning; $conns keep-alive connections, no think time"
fi
echo "# $rounds rounds x $duration s per tool, tools in turn; $(nproc) CPUs; $load_before before"
echo "# srv CPU: the server's CPU use during the run, in % of one core (near 100: the server set the pace);"
echo "# other: what other processes used during the run, in % of all $(nproc) CPUs (high: a noisy round)"
printf '%-5s %-12s %10s %10s %9s %7s %6s %8s\n' "round" "tool" "req/s" "CPU us/req" "RSS MiB" "srv CPU" "other" "errors"
r=1
while [ "$r" -le "$rounds" ]; do
	for t in $tools; do
		out="$BL_TMP/r$r.${t//\//-}.out"
		if [ "$wait_quiet" -gt 0 ] && ! busy=$(bl_wait_quiet "$wait_quiet" 15); then
			bl_say "round $r $t: the host is still $busy % busy after $wait_quiet s; running anyway"
		fi
		s0=$(bl_tree_ticks "$BL_SERVER_PID")
		h0=$(bl_host_busy_ticks)
		run_tool "$t" "$out"
		h1=$(bl_host_busy_ticks)
		s1=$(bl_tree_ticks "$BL_SERVER_PID")
		# the last line: /usr/bin/time puts "Command exited with ..." before it
		read -r wall user sys rss code < <(tail -n 1 "$out.time" 2>/dev/null)
		read -r n errs < <(count_tool "$t" "$out" 2>/dev/null || echo "0 0")
		n=${n:-0} errs=${errs:-0}
		line=$(awk -v r="$r" -v t="$t" -v n="$n" -v e="$errs" -v d="$duration" -v u="$user" -v s="$sys" \
			-v m="$rss" -v w="$wall" -v dt=$((s1 - s0)) -v clk="$clk" -v x="${code:-?}" \
			-v dh=$((h1 - h0)) -v ncpu="$(nproc)" 'BEGIN {
			rps = n / d; us = n > 0 ? (u + s) * 1e6 / n : 0
			srv = w > 0 ? 100 * dt / clk / w : 0
			other = w > 0 ? 100 * (dh / clk - dt / clk - u - s) / (ncpu * w) : 0
			if (other < 0) other = 0
			printf "%s %s %.0f %.2f %d %.0f %d %s %.0f\n", r, t, rps, us, m, srv, e, x, other }')
		echo "$line" >> "$res"
		echo "$line" | awk '{ printf "%-5s %-12s %10s %10s %9.1f %6s%% %5s%% %8s%s\n", $1, $2, $3, $4, $5 / 1024, $6, $9, $7,
			($8 != "0" ? "  (exit " $8 ")" : "") }'
		sleep 1
	done
	r=$((r + 1))
done
load_after=$(bl_load)

# ---- the medians -----------------------------------------------------------

# The runs a tool's medians come from: those with other processes under
# $max_other % of the CPUs, if it has any, else all its successful runs.
# Contention inflates CPU per request (caches, context switches), so on a
# shared machine the quiet runs are the ones to believe.
kept() {
	awk -v t="$1" -v m="$max_other" '$2 == t && $3 > 0 { all[++n] = $0; if ($9 <= m) q[++k] = $0 }
		END { if (k) for (i = 1; i <= k; i++) print q[i]; else for (i = 1; i <= n; i++) print all[i] }' "$res"
}
med() { kept "$1" | awk -v c="$2" '{ print $c }' | bl_median; }
minimum() { kept "$1" | awk -v c="$2" '{ print $c }' | sort -g | head -n 1; }
wrk_us=$(med wrk 4)
ac_us=$(med autocannon 4)
echo
echo "# medians over the rounds with other processes <= $max_other % of the CPUs (all rounds when none was);"
echo "# $conns connections, $BL_SERVER_NAME; $load_after after"
printf '%-12s %10s %10s %9s %8s %7s %6s %6s %9s\n' "tool" "req/s" "CPU us/req" "RSS MiB" "x wrk" "srv CPU" "other" "rounds" "min us"
for t in $tools; do
	rps=$(med "$t" 3) us=$(med "$t" 4) rss=$(med "$t" 5) srv=$(med "$t" 6) other=$(med "$t" 9)
	used=$(kept "$t" | wc -l) mn=$(minimum "$t" 4)
	if [ -z "$rps" ]; then
		printf '%-12s %10s   (no successful run: see %s)\n' "$t" "-" "$(tail -n 2 "$BL_TMP/r1.${t//\//-}.out" | tr '\n' ' ')"
		continue
	fi
	awk -v t="$t" -v rps="$rps" -v us="$us" -v rss="$rss" -v w="${wrk_us:-}" -v srv="$srv" -v o="$other" \
		-v used="$used/$rounds" -v mn="$mn" 'BEGIN {
		ratio = (w != "" && w > 0) ? sprintf("%.2f", us / w) : "-"
		printf "%-12s %10.0f %10.2f %9.1f %8s %6.0f%% %5.0f%% %6s %9.2f\n", t, rps, us, rss / 1024, ratio, srv, o, used, mn }'
done
errs=$(awk '$7 > 0 && $3 > 0 && $7 / ($3 + 1) > 0.001 { print $2 }' "$res" | sort -u | tr '\n' ' ')
[ -n "$errs" ] && echo "# errors or non-2xx answers seen from: $errs(see --keep outputs)"
[ -n "$skipped" ] && printf '%s' "$skipped" | sed 's/^/skipped: /'

# ---- the verdict -----------------------------------------------------------

goal=3.0
[ "$conns" -le 50 ] && goal=2.0
for t in $tools; do
	case $t in lt-run*) ;; *) continue ;; esac
	us=$(med "$t" 4)
	if [ -z "$us" ] || [ -z "${wrk_us:-}" ]; then
		echo "$t: ${us:-?} CPU us per request at $conns connections (no wrk figure to compare with)"
		continue
	fi
	awk -v t="$t" -v us="$us" -v w="$wrk_us" -v a="${ac_us:-}" -v c="$conns" -v g="$goal" 'BEGIN {
		ok = us / w <= g
		msg = sprintf("%s: %.2fx wrk'"'"'s CPU per request at %d connections (%.2f vs %.2f us; goal <= %.1fx", t, us / w, c, us, w, g)
		if (a != "" && g == 2.0) { msg = msg sprintf(" and below autocannon'"'"'s %.2fx", a / w); ok = ok && us < a }
		printf "%s): %s\n", msg, ok ? "met" : "NOT met" }'
done
