# 500 concurrent /health requests are all answered, and the server goes
# on answering the API.
. "$SRC/tests/cli/serve/helpers.sh"
start_serve
i=0
: >"$T/urls"
while [ "$i" -lt 500 ]; do
	printf 'url = "%s/health?i=%d"\noutput = "/dev/null"\n' "$api" "$i" >>"$T/urls"
	i=$((i + 1))
done
curl -sS --no-progress-meter --max-time 30 -Z --parallel-immediate --parallel-max 500 \
	-w '%{http_code}\n' -K "$T/urls" >"$T/codes" 2>"$T/curl.err"
ok=$(grep -c '^200$' "$T/codes")
[ "$ok" = 500 ] || fail "$ok of 500 answered 200: $(sort "$T/codes" | uniq -c | tr '\n' ' ') $(head -c 300 "$T/curl.err")"
http GET /metrics
grep -q '^lt_http_requests_total{code="200"} 500$' "$T/body" ||
	fail "metrics: $(grep lt_http_requests_total "$T/body")"
http GET /api/load-testing/scenarios
expect_code 200
