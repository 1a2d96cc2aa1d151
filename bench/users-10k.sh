#!/bin/bash
# bench/users-10k.sh -- lt-run's memory with 10,000 concurrent users.
#
# What it measures: the peak resident memory of lt-run holding 10,000 closed-
# model virtual users, each with its own keep-alive connection and a 1 s think
# time between a response and its next request, and the memory that costs
# per user; plus the rate those users achieve compared with what the model
# predicts (users / (think time + mean latency)), so that a generator too slow
# to keep its users on schedule shows up.  Issue 3's goal: RSS at most 256 MiB
# (k6 needs about 1-5 MB per user).
#
# How: lt-target (lt's test server, 127.0.0.1 only) answers /health; lt-run
# runs for 20 s (5 s linear ramp-up, so that 10,000 connects do not all land
# in the listen backlog at once) under /usr/bin/time.  Peak RSS is the larger
# of the samples' rss_kb maximum and /usr/bin/time's %M (the process's own
# high-water mark).  Achieved rate is the mean rps of the full-strength
# seconds (every user active, steady phase).  The open-files limit is raised
# to 65536, or to the hard limit when that is lower; the run needs at least
# users + 64 descriptors in lt-run and in lt-target.
#
# Never run in CI (see `make bench`).
#
# usage: bench/users-10k.sh [<options>] [<build-dir>]    (--help for the options)

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
# shellcheck source=bench/lib.bash
. "$(dirname "$0")/lib.bash"

usage() {
	cat <<EOF
usage: ${0##*/} [<options>] [<build-dir>]

Peak RSS of lt-run with many concurrent closed-model users that think between
requests, RSS per user, and the rate they achieve.

  -u, --users <n>           concurrent users (default 10000)
      --think-ms <ms>       think time of every user (default 1000)
  -d, --duration <s>        run length in seconds (default 20)
      --ramp <s>            linear ramp-up in seconds (default 5)
  -t, --threads <n>         lt-run --threads (default 1)
      --target-threads <n>  lt-target threads (default 1)
      --no-pin              do not pin lt-target to CPU 0 and lt-run to CPU 1
      --keep                keep the temporary directory (NDJSON output)
  -h, --help                show this help

<build-dir> defaults to \$LT_BUILD, else build/ beside bench/.
EOF
}

users=10000 think=1000 duration=20 ramp=5 threads=1 target_threads=1 keep=0 build_arg=''
while [ $# -gt 0 ]; do
	case $1 in
	-u | --users) users=${2:?}; shift ;;
	--think-ms) think=${2:?}; shift ;;
	-d | --duration) duration=${2:?}; shift ;;
	--ramp) ramp=${2:?}; shift ;;
	-t | --threads) threads=${2:?}; shift ;;
	--target-threads) target_threads=${2:?}; shift ;;
	--no-pin) BL_PIN=0 ;;
	--keep) keep=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) bl_say "unknown option '$1'"; usage >&2; exit 2 ;;
	*) build_arg=$1 ;;
	esac
	shift
done
for v in "$users" "$think" "$duration" "$ramp" "$threads" "$target_threads"; do
	case $v in '' | *[!0-9]*) bl_die "options take non-negative integers, got '$v'" ;; esac
done
if [ "$users" -lt 1 ] || [ "$users" -gt 100000 ]; then bl_die "users: 1 to 100000"; fi
if [ "$duration" -lt 2 ] || [ "$duration" -gt 600 ]; then bl_die "duration: 2 to 600 s"; fi
[ "$ramp" -lt "$duration" ] || bl_die "the ramp-up must be shorter than the run"

bl_need awk jq timeout
[ -x /usr/bin/time ] || bl_die "needs /usr/bin/time (apt-get install time)"
BUILD=$(bl_build_dir "$build_arg")
bl_tmp_init "$keep"
nofile=$(bl_raise_nofile 65536)
[ "$nofile" -ge $((users + 64)) ] ||
	bl_die "open-files limit is $nofile (hard $(ulimit -Hn)); $users users need $((users + 64)): lower --users or raise the hard limit"

bl_start_lt_target "$BUILD" "$target_threads" $((duration + 120)) 0
cat > "$BL_TMP/scenario.json" <<EOF
{"id":"users-10k","name":"users-10k",
 "config":{"baseUrl":"http://127.0.0.1:$BL_PORT","endpoints":[{"path":"/health"}],
  "users":{"concurrent":$users,"rampUp":{"duration":$ramp,"strategy":"linear"},
   "thinkTime":{"min":$think,"max":$think}},
  "duration":{"total":$duration}}}
EOF

echo "# users-10k: $users closed-model users, ${think} ms think time, ${duration} s (${ramp} s ramp-up), lt-run --threads $threads"
echo "# server $BL_SERVER_NAME$([ "$BL_PIN" = 1 ] && echo ' on CPU 0, lt-run on CPU 1'); open files $nofile; $(nproc) CPUs; $(bl_load) before"
out="$BL_TMP/run.ndjson"
srv0=$(bl_tree_ticks "$BL_SERVER_PID")
# shellcheck disable=SC2046
/usr/bin/time -o "$out.time" -f '%e %U %S %M %x' timeout -k 5 $((duration + 60)) $(bl_pin 1) \
	"$BUILD/bin/lt-run" -q --threads "$threads" "$BL_TMP/scenario.json" > "$out" 2> "$out.err"
srv1=$(bl_tree_ticks "$BL_SERVER_PID")
read -r wall user sys time_rss code < <(tail -n 1 "$out.time")
grep -q '^{"type":"summary"' "$out" || bl_die "lt-run wrote no summary (exit ${code:-?}): $(tail -n 3 "$out.err")"

jq -rs --argjson users "$users" --argjson think "$think" --argjson time_rss "${time_rss:-0}" \
	--argjson cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" --argjson wall "$wall" \
	--argjson srv_pct "$(awk -v d=$((srv1 - srv0)) -v c="$(getconf CLK_TCK)" -v w="$wall" 'BEGIN { printf "%.1f\n", (w > 0) ? 100 * d / c / w : 0 }')" '
	(map(select(.type == "sample")) ) as $s
	| (map(select(.type == "summary")) | .[0]) as $sum
	| ([$s[].rss_kb] | max) as $sample_rss
	| ([$sample_rss, $time_rss] | max) as $rss
	| ([$s[] | select(.users == $users and .phase == "steady")]) as $full
	| (if ($full | length) > 0 then ([$full[].rps] | add / length) else null end) as $rps
	| ($users / ($think / 1000 + $sum.latency_ms.mean / 1000)) as $expect
	| "peak RSS        \($rss / 1024 | . * 10 | round / 10) MiB (samples: \($sample_rss) KiB, /usr/bin/time: \($time_rss) KiB)",
	  "RSS per user    \($rss / $users | . * 100 | round / 100) KiB",
	  "achieved rate   \(if $rps then ($rps | round | tostring) + " req/s over \($full | length) full-strength seconds" else "- (users never all active)" end); expected \($expect | round) (users / (think + mean latency \($sum.latency_ms.mean) ms))",
	  "requests        \($sum.requests), errors \($sum.errors), p50 \($sum.latency_ms.p50) ms, p99 \($sum.latency_ms.p99) ms, peak users \($sum.users.peak)",
	  "lt-run CPU      \($cpu * 100 | round / 100) s over \($wall) s (\($cpu / $wall * 100 | round) % of one core); lt-target \($srv_pct | round) % of one core"
	' "$out" || bl_die "cannot read lt-run's output"
echo "# $(bl_load) after"

rss=$(jq -rs --argjson t "${time_rss:-0}" '[([.[] | select(.type == "sample") | .rss_kb] | max), $t] | max' "$out")
awk -v r="$rss" -v u="$users" 'BEGIN {
	printf "lt-run: %d users in %.1f MiB peak RSS, %.1f KiB per user (goal <= 256 MiB): %s\n",
		u, r / 1024, r / u, r <= 256 * 1024 ? "met" : "NOT met" }'
