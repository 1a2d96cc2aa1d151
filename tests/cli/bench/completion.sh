# The bash completion offers lt-bench's commands, options and suites; the
# zsh one at least parses.
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || fail "bash-completion is not installed (make deps installs it)"
f="$SRC/completions/bash/lt-bench"
bash -n "$f" || fail "$f: syntax error"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$SRC/completions/zsh/_lt-bench" || fail "_lt-bench: syntax error"
fi
complete_words() { # WORDS...: the candidates for the last word
	bash -c '. "$1"; . "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _lt_bench; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$bc" "$f" "$@"
}
out=$(complete_words lt-bench "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "list run status " ] || fail "commands: $out"
out=$(complete_words lt-bench run --qu)
printf '%s\n' "$out" | grep -qx -- --quick || fail "run: no --quick among: $out"
out=$(complete_words lt-bench run --suite ca)
[ "$out" = cache ] || fail "suites: $out"
out=$(complete_words lt-bench run --suite memory,d)
printf '%s\n' "$out" | grep -qx 'memory,disk' || fail "second suite: $out"
out=$(complete_words lt-bench run --filter cache/lat)
printf '%s\n' "$out" | grep -qx 'cache/latency_16KiB' || fail "filter: $out"
out=$(complete_words lt-bench status --)
printf '%s\n' "$out" | grep -qx -- --json || fail "status: $out"
