# Every broken scenario of tests/bad/scenario: lt-run --dry-run exits 2 with
# the expected message naming the file and the JSON path.
corpus="$SRC/tests/bad/scenario"
n=0
cd "$corpus" || fail "no corpus"
for f in *.json; do
	name=${f%.json}
	want=$(cat "$name.expect")
	lt-run --dry-run "$f" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 2 ]; then check_fail "$name" "exit status $rc, expected 2: $(cat "$T/err")"
	elif [ "$(cat "$T/err")" != "lt-run: $want" ]; then check_fail "$name" "message: $(cat "$T/err")"
	elif [ -s "$T/out" ]; then check_fail "$name" "wrote to stdout"
	else check_ok "$name"; fi
	n=$((n + 1))
done
[ $n -ge 25 ] || check_fail corpus "only $n broken scenarios, expected at least 25"
