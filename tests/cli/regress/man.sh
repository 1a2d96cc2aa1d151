# lt-regress(1) documents every option of `lt-regress --help`, every
# command, the exit statuses and environment variables, in man-pages(7)
# order.
page="$SRC/man/lt-regress.1"
[ -f "$page" ] || fail "no man/lt-regress.1"
run lt-regress --help
expect_rc 0
for opt in $(grep -oE -- '--[a-z][a-z-]*' "$T/out" | sort -u); do
	# In roff a hyphen is written \-: --fail-on is \-\-fail\-on.
	roff=$(printf '%s\n' "$opt" | sed 's/-/\\-/g')
	if grep -qF -- "$roff" "$page"; then
		check_ok "$opt"
	else
		check_fail "$opt" "not in lt-regress(1)"
	fi
done
for cmd in check alerts ack "thresholds set" "thresholds show" report stat; do
	grep -q "^\.B lt-regress $cmd\$" "$page" && check_ok "synopsis: $cmd" ||
		check_fail "synopsis: $cmd" "not in lt-regress(1)'s SYNOPSIS"
done
for method in welch mannwhitney mannkendall sen pearson spearman bh describe; do
	grep -q "^\.BI* \"*$method \|, \\\\fPspearman " "$page" && check_ok "stat $method" ||
		check_fail "stat $method" "not in lt-regress(1)"
done
for word in LT_DB XDG_DATA_HOME USER LT_SENDMAIL LT_MAIL_FROM; do
	grep -q "^\.B $word\$" "$page" && check_ok "$word" ||
		check_fail "$word" "not in lt-regress(1)'s ENVIRONMENT"
done
for status in 0 1 2 3; do
	grep -q "^\.B $status\$" "$page" && check_ok "exit status $status" ||
		check_fail "exit status $status" "not in lt-regress(1)"
done
grep -qF 'lt-run s.json | lt-regress check || exit 1' "$page" && check_ok "the CI recipe" ||
	check_fail "the CI recipe" "not in lt-regress(1)"
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
