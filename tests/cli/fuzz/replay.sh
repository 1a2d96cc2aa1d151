# Every input of the fuzz corpora and every crash the fuzzers ever found
# (tests/fuzz/corpus/<target>/, tests/fuzz/regressions/<target>/) replayed
# through the real parsers by fuzz-replay, the fuzz targets built without
# libFuzzer (tests/support/fuzz-replay.c).  Under `make check SANITIZE=1`
# this runs them under ASan and UBSan too.  One result per target and
# directory; a failure names the file and shows the target's report.
command -v fuzz-replay >/dev/null 2>&1 || fail "fuzz-replay is not built"
run fuzz-replay no-such-target /dev/null
expect_rc 2

targets=$(fuzz-replay --list)
[ -n "$targets" ] || fail "fuzz-replay --list lists no target"
total=0
for t in $targets; do
	[ -d "$SRC/tests/fuzz/corpus/fuzz_$t" ] || check_fail "$t" "no seed corpus tests/fuzz/corpus/fuzz_$t"
	for kind in corpus regressions; do
		dir="$SRC/tests/fuzz/$kind/fuzz_$t"
		[ -d "$dir" ] || continue
		set -- "$dir"/*
		[ -e "$1" ] || continue
		total=$((total + $#))
		# All files in one process; when it fails, one by one to name
		# the file.
		if fuzz-replay "$t" "$@" >"$T/out" 2>"$T/err"; then
			check_ok "$kind/$t ($# files)"
			continue
		fi
		cp "$T/err" "$T/all.err"
		alone=0
		for f in "$@"; do
			if ! fuzz-replay "$t" "$f" >"$T/out" 2>"$T/err"; then
				alone=$((alone + 1))
				check_fail "$kind/$t/$(basename "$f")" \
					"$(grep -v '^fuzz-replay: ' "$T/err" | head -n 20)"
			fi
		done
		[ "$alone" -gt 0 ] || check_fail "$kind/$t" \
			"fails on all files together, on none alone: $(tail -n 20 "$T/all.err")"
	done
done
echo "# $total inputs replayed"
