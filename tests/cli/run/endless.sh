# A server that never ends its answer costs bounded memory, with either
# client: endless headers (?headers_forever=1, flat out) are refused once
# the head passes its limit (native: a protocol error at 64 KiB; libcurl:
# its own limit), and an endless body (?body_forever=1, gigabytes a
# second) is counted, kept only up to 4 MiB for a body check, and ends at
# the endpoint's timeout.  The generator's RSS stays far below what it read.
. "$SRC/tests/cli/run/helpers.sh"
start_target
for what in headers body; do
	cat >"$T/$what.json" <<JSON
{"id": "endless-$what", "name": "endless $what",
 "config": {"baseUrl": "$base", "timeout": "1s",
  "endpoints": [{"name": "plain", "path": "/health?${what}_forever=1&every_ms=0"},
   {"name": "checked", "path": "/health?${what}_forever=1&every_ms=0", "validation": {"bodyContains": "never there"}}],
  "users": {"concurrent": 4}, "duration": {"total": 2}}}
JSON
done
start=$(date +%s)
pids=
for client in native libcurl; do
	flag=
	[ "$client" = libcurl ] && flag=--libcurl
	for what in headers body; do
		background lt-run -q $flag "$T/$what.json" >"$T/$what-$client.out" 2>"$T/$what-$client.err"
		pids="$pids $bg"
	done
done
for pid in $pids; do
	wait "$pid" || fail "exit status $? (want 0: no thresholds): $(cat "$T"/*.err)"
done
secs=$(($(date +%s) - start))
holds "$secs <= $(slow 10)" || fail "the runs took $secs s"
# Under valgrind (LT_TEST_SLOWDOWN) the RSS is mostly valgrind's own; an
# unbounded client would still pass it by far, reading gigabytes.
rss_max=100000
holds "${LT_TEST_SLOWDOWN:-1} > 1" && rss_max=400000
for client in native libcurl; do
	for what in headers body; do
		out=$T/$what-$client.out
		[ "$(jget run_start client "$out")" = "$client" ] || fail "$what: client $(jget run_start client "$out"), expected $client"
		requests=$(jget summary requests "$out")
		errors=$(jget summary errors "$out")
		[ "${requests:-0}" -ge 4 ] && [ "$errors" = "$requests" ] ||
			fail "$what, $client: $errors errors of $requests requests"
		kinds=$(jget summary errors_by_kind "$out")
		case $what-$client in
		headers-native)
			[ "$(jget summary errors_by_kind.protocol "$out")" = "$requests" ] ||
				fail "endless headers, native: $kinds, expected protocol errors" ;;
		body-*)
			[ "$(jget summary errors_by_kind.timeout "$out")" = "$requests" ] ||
				fail "endless body, $client: $kinds, expected timeouts" ;;
		esac
		bytes=$(jsum sample bytes_in "$out")
		rss=$(jget sample rss_kb "$out" | sort -n | tail -n 1)
		holds "$rss > 0 && $rss < $rss_max" ||
			fail "$what, $client: the generator's RSS reached $rss kB (read $bytes bytes)"
		# Each request read more than its head limit, or streamed on.
		holds "$bytes > $requests * 65536" || fail "$what, $client: only $bytes bytes read"
		echo "# endless $what, $client: $requests requests, $kinds, read $bytes bytes, peak RSS $rss kB" >&2
	done
done
