# A file that is not an lt database is refused with its name; it is not touched.
printf 'this is not a database, just some text that happens to be here\n' > "$T/not.db"
cp "$T/not.db" "$T/copy"
run lt-store --db "$T/not.db" "$SRC/tests/data/run-small.ndjson"
expect_rc 2
expect_err "not\.db"
cmp -s "$T/not.db" "$T/copy" || fail "the file was changed"
run lt-store list --db "$T/not.db"
[ "$rc" != 0 ] || fail "list on a non-database succeeded"
