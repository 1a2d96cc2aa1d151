# helpers.sh -- what the lt-run cases of tests/cli/run share.
#
# A case sources it with  . "$SRC/tests/cli/run/helpers.sh"  and gets:
#   start_target       lt-target on a free port of 127.0.0.1 (for 60 s at
#                      most, killed when the case exits); $base is its URL
#   target_requests    requests the target counted since start or reset
#   target_reset       zero the target's counters
#   background CMD...  run CMD in the background, killed if the case fails;
#                      its pid in $bg
#   jget TYPE PATH F   the value at PATH (a.b.c) of each TYPE record of the
#                      NDJSON file F, one a line (strings unquoted)
#   jsum TYPE PATH F   their sum
#   jitems TYPE PATH F the elements of the array at PATH, one a line
#   jfield PATH        the value at PATH of each JSON object on stdin
#   holds EXPR         awk's verdict on a numeric expression: holds "$a >= 5"
# Neither jq nor python3 is guaranteed on CI: the NDJSON is read with awk.
# The harness does not run this file as a case; helpers-test.sh tests it,
# so that no case can pass through a broken helper.

command -v curl >/dev/null 2>&1 || fail "curl is not installed (make deps)"

cleanup_pids=
trap 'kill $cleanup_pids 2>/dev/null' EXIT

background() {
	"$@" &
	bg=$!
	cleanup_pids="$cleanup_pids $bg"
}

start_target() {
	rm -f "$T/port"
	background lt-target --port-file "$T/port" --max-seconds "$(slow 60)" >"$T/target.out" 2>"$T/target.err"
	target_pid=$bg
	i=0
	while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$T/port" ] || fail "lt-target wrote no port file: $(cat "$T/target.err")"
	port=$(cat "$T/port")
	base="http://127.0.0.1:$port"
}

target_requests() {
	curl -sS --max-time 10 "$base/_control/stats" |
		sed -n 's/^{"requests":\([0-9]*\),.*/\1/p'
}

target_reset() {
	[ "$(curl -sS --max-time 10 -X POST "$base/_control/reset")" = '{"status":"ok"}' ] ||
		fail "lt-target did not reset"
}

# A member of a JSON object by name, at the object's own level (not a
# nested one of the same name), as raw JSON text; "" when absent.  Only
# for the compact one-line objects lt writes.
JSON_AWK='
function jmember(o, k,    i, n, c, d, ins, esc, ks, key, vs) {
	n = length(o); d = 0; ins = 0; esc = 0; vs = 0; key = ""
	for (i = 1; i <= n; i++) {
		c = substr(o, i, 1)
		if (ins) {
			if (esc) esc = 0
			else if (c == "\\") esc = 1
			else if (c == "\"") { ins = 0; if (d == 1) key = substr(o, ks + 1, i - ks - 1) }
			continue
		}
		if (c == "\"") { ins = 1; ks = i }
		else if (c == "{" || c == "[") d++
		else if (c == "}" || c == "]") { if (d == 1 && vs) return substr(o, vs, i - vs); d-- }
		else if (c == ":" && d == 1 && key == k && !vs) vs = i + 1
		else if (c == "," && d == 1 && vs) return substr(o, vs, i - vs)
	}
	return ""
}
# The elements of JSON array text a, in e[1..n]; returns n.
function jsplit(a, e,    i, n, c, d, ins, esc, from, k) {
	n = length(a); d = 0; ins = 0; esc = 0; k = 0; from = 2
	for (i = 1; i <= n; i++) {
		c = substr(a, i, 1)
		if (ins) {
			if (esc) esc = 0
			else if (c == "\\") esc = 1
			else if (c == "\"") ins = 0
			continue
		}
		if (c == "\"") ins = 1
		else if (c == "{" || c == "[") d++
		else if ((c == "," && d == 1) || ((c == "]" || c == "}") && d == 1)) {
			if (i > from) e[++k] = substr(a, from, i - from)
			from = i + 1
			if (c != ",") d--
		} else if (c == "}" || c == "]") d--
	}
	return k
}
function jpath(o, path,    parts, n, i) {
	n = split(path, parts, ".")
	for (i = 1; i <= n && o != ""; i++)
		o = jmember(o, parts[i])
	if (o ~ /^".*"$/)
		o = substr(o, 2, length(o) - 2)
	return o
}
# Histograms are most of a line and never looked into here.
function record(type) {
	if (index($0, "{\"type\":\"" type "\"") != 1)
		return 0
	gsub(/"hist":\{[^}]*\}/, "\"hist\":0")
	return 1
}
'

jget() {
	awk -v type="$1" -v path="$2" "$JSON_AWK"'
		record(type) { print jpath($0, path) }' "$3"
}

jitems() {
	awk -v type="$1" -v path="$2" "$JSON_AWK"'
		record(type) { n = jsplit(jpath($0, path), e); for (i = 1; i <= n; i++) print e[i] }' "$3"
}

jfield() {
	awk -v path="$1" "$JSON_AWK"'{ gsub(/"hist":\{[^}]*\}/, "\"hist\":0"); print jpath($0, path) }'
}

jsum() {
	awk -v type="$1" -v path="$2" "$JSON_AWK"'
		record(type) { s += jpath($0, path) } END { printf "%.0f\n", s }' "$3"
}

holds() {
	awk "BEGIN { exit !($1) }"
}
