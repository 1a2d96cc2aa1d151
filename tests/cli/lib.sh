# lib.sh -- helpers for the CLI cases of tests/cli (sourced by run.sh).
#
# A case is a shell file tests/cli/<program>/<name>.sh.  It runs in its own
# subshell, in a fresh directory $T, with the programs of the build first
# in PATH, LT_DB=$T/lt.db and $SRC the source tree.  It passes when it
# exits 0.  A case that checks many inputs (a corpus) may report each as
# its own result with `check_ok NAME` / `check_fail NAME WHY`; it then
# passes when none failed.

# run CMD ARGS...: run a command, keeping stdout in $T/out, stderr in
# $T/err and the exit status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	return 0
}

fail() {
	echo "  $*" >&2
	echo "  --- stdout:" >&2; head -c 2000 "$T/out" >&2 2>/dev/null
	echo "  --- stderr:" >&2; head -c 2000 "$T/err" >&2 2>/dev/null
	exit 1
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "expected exit status $1, got $rc"
}

# expect_out ERE / expect_err ERE: a line of stdout / stderr matches.
expect_out() {
	grep -Eq -- "$1" "$T/out" || fail "stdout does not match: $1"
}
expect_err() {
	grep -Eq -- "$1" "$T/err" || fail "stderr does not match: $1"
}
expect_no_out() {
	[ ! -s "$T/out" ] || fail "expected no output on stdout"
}
expect_out_lines() {
	n=$(wc -l <"$T/out")
	[ "$n" -eq "$1" ] || fail "expected $1 lines on stdout, got $n"
}

# One result of a corpus case.
check_ok() {
	echo "ok - $1"
}
check_fail() {
	echo "not ok - $1: $2"
	CHECK_FAILED=1
}

# slow N: N (a number of seconds or of polls, 2.5 allowed) stretched by
# LT_TEST_SLOWDOWN (1, or 20 under valgrind), for the timeouts and the
# polling limits of a case -- never for a duration the case measures.
slow() {
	awk -v n="$1" -v f="${LT_TEST_SLOWDOWN:-1}" 'BEGIN { print n * f }'
}

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds, for at
# most `slow SECONDS` seconds; fails (status 1) when it never did.  For a
# case that must act once something has happened, not after a guessed
# sleep that valgrind's pace makes too short.
wait_until() {
	wait_polls=$(awk -v s="$(slow "$1")" 'BEGIN { printf "%d", s * 10 }')
	shift
	while ! "$@"; do
		[ "$wait_polls" -gt 0 ] || return 1
		wait_polls=$((wait_polls - 1))
		sleep 0.1
	done
}

# peak_kb CMD...: run CMD (stdin as given, stdout in $T/out, stderr in
# $T/err, status in $rc); $peak is its peak RSS in kB (GNU time's %M, else
# VmHWM polled from /proc), $secs its wall time.
peak_kb() {
	t0=$(date +%s.%N)
	if /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -o "$T/rss" -f %M "$@" >"$T/out" 2>"$T/err"
		rc=$?
		peak=$(tail -n 1 "$T/rss")
	else
		"$@" >"$T/out" 2>"$T/err" &
		pid=$! peak=0
		while kill -0 "$pid" 2>/dev/null; do
			hwm=$(sed -n 's/^VmHWM: *\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
			sleep 0.02
		done
		wait "$pid"
		rc=$?
	fi
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
