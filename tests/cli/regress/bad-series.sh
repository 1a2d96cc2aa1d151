# lt-regress stat refuses series it cannot use -- empty, NaN-filled,
# infinite, not numbers, too short, of unequal length -- with exit 2 and a
# message naming the file (and the line, where there is one), never a
# number computed from nothing.
printf '1\n2\n3\n4\n' >"$T/good"
: >"$T/empty"
printf '# only a comment\n\n   \n' >"$T/blank"
printf 'NaN\nNaN\nNaN\n' >"$T/nans"
printf '1\n2\nnan\n4\n' >"$T/nan3"
printf '1\ninf\n' >"$T/inf2"
printf '1\n-Infinity\n' >"$T/neginf2"
printf '1.5\n2,5\n' >"$T/comma"
printf '1\n2 3\n' >"$T/two"
printf '{"type":"sample","latency_ms":{"p95":1}}\n{"type":"sample",\n' >"$T/broken.ndjson"
printf '{"type":"sample","latency_ms":{"p95":1}}\n{"type":"sample","latency_ms":{"p95":null}}\n' >"$T/null.ndjson"
printf '7\n' >"$T/one"

# refused NAME ERE ARGS...: exit 2, nothing on stdout, stderr matches ERE.
refused() {
	name=$1 ere=$2
	shift 2
	run lt-regress stat "$@"
	if [ "$rc" != 2 ]; then
		check_fail "$name" "exit $rc, expected 2: $(cat "$T/err")"
	elif [ -s "$T/out" ]; then
		check_fail "$name" "printed a result: $(cat "$T/out")"
	elif ! grep -Eq -- "$ere" "$T/err"; then
		check_fail "$name" "stderr '$(cat "$T/err")' does not match $ere"
	else
		check_ok "$name"
	fi
}

refused "an empty file" "^lt-regress: $T/empty: no numbers" describe "$T/empty"
refused "only comments and blank lines" "$T/blank: no numbers" mannkendall "$T/blank"
refused "an empty second series" "$T/empty: no numbers" welch "$T/good" "$T/empty"
refused "empty standard input" "<stdin>: no numbers" describe - </dev/null
refused "a NaN-filled series names file:line" "$T/nans:1: NaN is not a finite number" \
	welch "$T/good" "$T/nans"
refused "a NaN inside names its line" "$T/nan3:3: nan is not a finite number" sen "$T/nan3"
refused "an infinity" "$T/inf2:2: inf is not a finite number" describe "$T/inf2"
refused "a negative infinity" "$T/neginf2:2: " bh "$T/neginf2"
refused "a decimal comma" "$T/comma:2: not a number: \"2,5\"" describe "$T/comma"
refused "two numbers on a line" "$T/two:2: not a number" describe "$T/two"
refused "a file that does not exist" "$T/missing: No such file or directory" describe "$T/missing"
refused "NDJSON: a broken line names file:line" "$T/broken.ndjson:2: not a JSON line" \
	--field latency_ms.p95 describe "$T/broken.ndjson"
refused "NDJSON: a field nowhere" "no numbers in field latency_ms.p99" \
	--field latency_ms.p99 describe "$T/null.ndjson"
refused "NDJSON: only one value of the field (a null is no number)" "at least 2 values" \
	--field latency_ms.p95 describe "$T/null.ndjson"
refused "one value is too few for welch" "at least 2 values" welch "$T/one" "$T/good"
refused "pearson needs equal lengths" "same length, got 4 and 1" pearson "$T/good" "$T/one"
refused "an unknown method" 'unknown method "ttest"' ttest "$T/good"
refused "welch needs two files" "welch takes 2 files, got 1" welch "$T/good"
refused "describe takes one file" "describe takes 1 file, got 2" describe "$T/good" "$T/good"
refused "no method" "expected a method" 
refused "--alpha out of range" "--alpha: expected a number between 0 and 1" --alpha 1.5 bh "$T/good"
refused "--alpha not a number" "--alpha" --alpha x bh "$T/good"
printf '0.01\n1.5\n' >"$T/p15"
refused "bh takes p-values from 0 to 1" "must be in \\[0, 1\\], got 1.5" bh "$T/p15"
printf '3\n3\n3\n' >"$T/flat"
printf '1\n2\n' >"$T/pair"
printf '1\n2\n3\n' >"$T/three"
refused "pearson of a constant series" "constant" pearson "$T/three" "$T/flat"
refused "mannkendall needs 3 values" "at least 3 values, got 2" mannkendall "$T/pair"
