#!/bin/sh
# Run the CLI cases tests/cli/*/*.sh against the programs of a build dir.
# A case's stderr is shown when it fails; when it passes, only its lines
# starting with "# " (figures it wants in the log).
# usage: tests/cli/run.sh BUILD [CASE...]
build=$(cd "$1" && pwd) || exit 2
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$src"/tests/cli/*/*.sh
fi
passed=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lt-cli.XXXXXX") || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
for c in "$@"; do
	[ -f "$c" ] || continue
	# helpers.sh files hold functions the cases of their folder source.
	[ "$(basename "$c")" = helpers.sh ] && continue
	case $c in /*) ;; *) c="$PWD/$c" ;; esac
	name=$(basename "$(dirname "$c")")/$(basename "$c" .sh)
	T="$tmp/$(printf '%s' "$name" | tr '/' '_')"
	mkdir -p "$T"
	out=$(cd "$T" && env T="$T" SRC="$src" BUILD="$build" LT_DB="$T/lt.db" \
		PATH="$build/bin:$build/tests:$PATH" NO_COLOR=1 \
		sh -c '. "$SRC/tests/cli/lib.sh"; CHECK_FAILED=0; . "$1"; exit $CHECK_FAILED' sh "$c" 2>"$T/.stderr")
	rc=$?
	sub_ok=$(printf '%s\n' "$out" | grep -c '^ok - ')
	sub_fail=$(printf '%s\n' "$out" | grep -c '^not ok - ')
	if [ "$sub_ok" -gt 0 ] || [ "$sub_fail" -gt 0 ]; then
		passed=$((passed + sub_ok)); failed=$((failed + sub_fail))
		if [ "$rc" -ne 0 ] && [ "$sub_fail" -eq 0 ]; then
			failed=$((failed + 1))
			sub_fail=1
		fi
		if [ "$sub_fail" -gt 0 ]; then
			echo "FAIL $name ($sub_ok ok, $sub_fail failed)"
			printf '%s\n' "$out" | grep '^not ok' | sed 's/^/  /'
			sed 's/^/  /' "$T/.stderr"
		else
			echo "ok   $name ($sub_ok cases)"
			grep '^# ' "$T/.stderr" | sed 's/^/  /'
		fi
	elif [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name"
		# A passing case may report figures: its stderr lines that
		# start with "# " (the A/A rates, say).
		grep '^# ' "$T/.stderr" | sed 's/^/  /' 
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/  /' "$T/.stderr"
	fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
