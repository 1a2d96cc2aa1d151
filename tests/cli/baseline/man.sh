# lt-baseline(1) documents every option of `lt-baseline --help`, every
# command, the exit statuses and environment variables, in man-pages(7)
# order.
page="$SRC/man/lt-baseline.1"
[ -f "$page" ] || fail "no man/lt-baseline.1"
run lt-baseline --help
expect_rc 0
for opt in $(grep -oE -- '--[a-z][a-z-]*' "$T/out" | sort -u); do
	# In roff a hyphen is written \-: --lt-version is \-\-lt\-version.
	roff=$(printf '%s\n' "$opt" | sed 's/-/\\-/g')
	if grep -qF -- "$roff" "$page"; then
		check_ok "$opt"
	else
		check_fail "$opt" "not in lt-baseline(1)"
	fi
done
for cmd in set list show delete; do
	grep -q "^\.B lt-baseline $cmd\$" "$page" && check_ok "synopsis: $cmd" ||
		check_fail "synopsis: $cmd" "not in lt-baseline(1)'s SYNOPSIS"
done
for word in LT_DB XDG_DATA_HOME; do
	grep -q "^\.B $word\$" "$page" && check_ok "$word" ||
		check_fail "$word" "not in lt-baseline(1)'s ENVIRONMENT"
done
for status in 0 2 3; do
	grep -q "^\.B $status\$" "$page" && check_ok "exit status $status" ||
		check_fail "exit status $status" "not in lt-baseline(1)"
done
prev=0
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	line=$(grep -n "^\.SH \"*$section\"*\$" "$page" | cut -d: -f1)
	if [ -n "$line" ] && [ "$line" -gt "$prev" ]; then
		check_ok "section $section"
	else
		check_fail "section $section" "missing or out of man-pages(7) order"
	fi
	prev=${line:-$prev}
done
if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$page" 2>"$T/groff.err"
	[ ! -s "$T/groff.err" ] && check_ok "groff has no warnings" ||
		check_fail "groff has no warnings" "$(head -n 5 "$T/groff.err")"
fi
