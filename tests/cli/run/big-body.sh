# 100 MB answers are counted in bytes_in but never held in memory: the
# generator's RSS stays far below one body even when a body check keeps the
# first LT_ENGINE_BODY_KEEP (4 MiB) of each.
. "$SRC/tests/cli/run/helpers.sh"
start_target
size=100000000
cat >"$T/s.json" <<JSON
{"id": "big-body", "name": "big body",
 "config": {"baseUrl": "$base",
  "endpoints": [{"name": "plain", "path": "/bytes/$size"},
   {"name": "checked", "path": "/bytes/$size", "validation": {"bodyContains": "0123456789abc"}}],
  "users": {"concurrent": 2}, "duration": {"total": 1}}}
JSON
run lt-run -q "$T/s.json"
expect_rc 0
requests=$(jsum sample requests "$T/out")
bytes=$(jsum sample bytes_in "$T/out")
[ "$requests" -ge 2 ] || fail "only $requests requests of 100 MB in 1 s"
[ "$(jsum sample errors "$T/out")" = 0 ] || fail "errors: $(jget summary errors_by_kind "$T/out") $(jget summary checks "$T/out")"
# bytes_in counts the bodies and their headers.
holds "$bytes >= $requests * $size && $bytes < $requests * ($size + 1000)" ||
	fail "bytes_in $bytes for $requests answers of $size bytes"
[ "$(jget summary bytes_in "$T/out")" = "$bytes" ] || fail "summary bytes_in $(jget summary bytes_in "$T/out"), samples $bytes"
rss=$(jget sample rss_kb "$T/out" | sort -n | tail -n 1)
holds "$rss > 0 && $rss < 100000" || fail "the generator's RSS reached $rss kB"
