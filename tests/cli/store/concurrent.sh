# Two lt-store processes recording different runs into one database at the same
# time both succeed (WAL + busy timeout) and the database stays intact.
small="$SRC/tests/data/run-small.ndjson"
id=6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b
for w in a b; do
	i=0
	while [ $i -lt 40 ]; do
		sed "s/$id/$w-$i/g" "$small"
		i=$((i + 1))
	done > "$T/$w.ndjson"
done
lt-store -q "$T/a.ndjson" 2>"$T/a.err" & pa=$!
lt-store -q "$T/b.ndjson" 2>"$T/b.err" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
[ $ra = 0 ] || { cat "$T/a.err" >&2; fail "first writer failed ($ra)"; }
[ $rb = 0 ] || { cat "$T/b.err" >&2; fail "second writer failed ($rb)"; }
run lt-store list --limit 0 --json
[ "$(wc -l < "$T/out")" = 80 ] || fail "expected 80 runs, got $(wc -l < "$T/out")"
run sqlite3 "$LT_DB" 'PRAGMA integrity_check;'
expect_out '^ok$'
run sqlite3 "$LT_DB" 'SELECT count(*) FROM run_samples;'
expect_out '^640$'
