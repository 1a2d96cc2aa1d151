# lt-run(1) documents every option of `lt-run --help`, and the exit
# statuses and environment variables lt-run uses.
page="$SRC/man/lt-run.1"
[ -f "$page" ] || fail "no man/lt-run.1"
run lt-run --help
expect_rc 0
for opt in $(grep -oE -- '--[a-z][a-z-]*' "$T/out" | sort -u); do
	# In roff a hyphen is written \-: --run-group is \-\-run\-group.
	roff=$(printf '%s\n' "$opt" | sed 's/-/\\-/g')
	if grep -qF -- "$roff" "$page"; then
		check_ok "$opt"
	else
		check_fail "$opt" "not in lt-run(1)"
	fi
done
for word in LT_SEGMENT JOB_COMPLETION_INDEX LT_SEGMENTS LT_RUN_GROUP LT_DB NO_COLOR; do
	grep -q "^\.B.* $word" "$page" || check_fail "$word" "not in lt-run(1)'s ENVIRONMENT"
done
for status in 0 1 2 3 130; do
	grep -q "^\.B $status\$" "$page" || check_fail "exit status $status" "not in lt-run(1)"
done
prev=0
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	line=$(grep -n "^\.SH \"*$section\"*\$" "$page" | cut -d: -f1)
	[ -n "$line" ] && [ "$line" -gt "$prev" ] || check_fail "section $section" "missing or out of man-pages(7) order"
	prev=${line:-$prev}
done
