# --help, --version and bad usage; lt-serve(1) documents every option of
# --help, its exit statuses and its endpoints; the completions offer the
# options.
run lt-serve --help
expect_rc 0
expect_out '^usage: lt-serve \[<options>\]'
run lt-serve --version
expect_rc 0
expect_out '^lt-serve [0-9]+\.[0-9]+\.[0-9]+$'
for args in "--frobnicate" "extra" "--max-runs 0" "--max-runs 65" "--max-runs x" "--max-body 10" \
	"--max-body 65M" "--threads 0" "--listen" "--listen 127.0.0.1:99999" "--listen nohost"; do
	# shellcheck disable=SC2086
	run lt-serve $args
	if [ "$rc" = 2 ] && [ -s "$T/err" ] && [ ! -s "$T/out" ]; then
		check_ok "usage: $args"
	else
		check_fail "usage: $args" "exit $rc, stderr: $(head -c 200 "$T/err")"
	fi
done
run lt-serve --max-runs 0
expect_err "^lt-serve: --max-runs: expected 1..64, got '0'"

# The address in use: a runtime failure, exit 3.
rm -f "$T/a.port"
lt-serve --listen 127.0.0.1:0 --port-file "$T/a.port" -q >/dev/null 2>&1 &
first=$!
i=0
while [ ! -s "$T/a.port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
run lt-serve --listen "127.0.0.1:$(cat "$T/a.port")" -q
kill "$first"
wait "$first"
[ "$rc" = 3 ] && check_ok "address in use" || check_fail "address in use" "exit $rc: $(cat "$T/err")"

page="$SRC/man/lt-serve.1"
run lt-serve --help
for opt in $(grep -oE -- '--[a-z][a-z-]*' "$T/out" | sort -u); do
	roff=$(printf '%s\n' "$opt" | sed 's/-/\\-/g')
	grep -qF -- "$roff" "$page" && check_ok "man: $opt" || check_fail "man: $opt" "not in lt-serve(1)"
done
for status in 0 2 3 130; do
	grep -q "^\.B $status\$" "$page" || check_fail "exit status $status" "not in lt-serve(1)"
done
for path in /health /metrics /scenarios /run /status /stop /results /baselines /regression-alerts \
	/regression-thresholds /regression-report/ /regression-monitoring/start /benchmarks \
	/benchmarks/run /benchmarks/status /neural-training /schedules /ws; do
	grep -q -- "$(printf '%s' "$path" | sed 's/-/\\\\-/g')" "$page" && check_ok "man: $path" ||
		check_fail "man: $path" "endpoint not in lt-serve(1)"
done
prev=0
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	line=$(grep -n "^\.SH \"*$section\"*\$" "$page" | cut -d: -f1)
	[ -n "$line" ] && [ "$line" -gt "$prev" ] || check_fail "section $section" "missing or out of order"
	prev=${line:-$prev}
done

bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
	out=$(bash -c '. "$1"; . "$2"; COMP_WORDS=(lt-serve --max); COMP_CWORD=1;
		COMP_LINE="lt-serve --max"; COMP_POINT=${#COMP_LINE}; _lt_serve; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$bc" "$SRC/completions/bash/lt-serve" | sort | tr '\n' ' ')
	[ "$out" = "--max-body --max-runs " ] && check_ok "bash completion" || check_fail "bash completion" "$out"
fi
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$SRC/completions/zsh/_lt-serve" && check_ok "zsh completion" || check_fail "zsh completion" "syntax"
fi
