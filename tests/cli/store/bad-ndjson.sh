# Every broken stream of tests/bad/ndjson: exit 2, the expected message naming
# the file and line, and a database byte-for-byte as it was -- whether the
# stream comes as a file argument or on stdin redirected from the file.
corpus="$SRC/tests/bad/ndjson"
lt-store -q "$SRC/tests/data/run-small.ndjson" || fail "cannot seed the database"
cp "$LT_DB" "$T/before.db"
n=0
cd "$corpus" || fail "no corpus"
for f in *.ndjson; do
	name=${f%.ndjson}
	want=$(cat "$name.expect")
	lt-store "$f" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 2 ]; then check_fail "$name" "exit status $rc, expected 2"
	elif [ "$(cat "$T/err")" != "lt-store: $want" ]; then check_fail "$name" "message: $(cat "$T/err")"
	elif ! cmp -s "$LT_DB" "$T/before.db"; then check_fail "$name" "the database changed"
	else check_ok "$name (file)"; fi
	lt-store < "$f" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 2 ]; then check_fail "$name stdin" "exit status $rc, expected 2"
	elif ! cmp -s "$LT_DB" "$T/before.db"; then check_fail "$name stdin" "the database changed"
	else check_ok "$name (stdin)"; fi
	n=$((n + 1))
done
[ $n -ge 15 ] || check_fail corpus "only $n broken streams, expected at least 15"
# A 10 MB line, made here rather than kept in git.
head -n 1 "$SRC/tests/data/run-small.ndjson" > "$T/huge.ndjson"
head -c 10485760 /dev/zero | tr '\0' 'x' | sed 's/^/{"type":"sample","v":1,"run_id":"/; s/$/"}/' >> "$T/huge.ndjson"
lt-store "$T/huge.ndjson" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 2 ] && grep -q 'huge.ndjson:2: line longer than 4194304 bytes' "$T/err" && cmp -s "$LT_DB" "$T/before.db"
then check_ok "10 MB line"; else check_fail "10 MB line" "status $rc: $(cat "$T/err")"; fi
