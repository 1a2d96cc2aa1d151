# The bash completion offers lt-sched's commands, each command's options,
# the policies and the stored schedules; the zsh one at least parses.
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || fail "bash-completion is not installed (make deps installs it)"
f="$SRC/completions/bash/lt-sched"
bash -n "$f" || fail "$f: syntax error"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$SRC/completions/zsh/_lt-sched" || fail "_lt-sched: syntax error"
fi
complete_words() { # WORDS...: the candidates for the last word
	bash -c '. "$1"; . "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _lt_sched; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$bc" "$f" "$@"
}
out=$(complete_words lt-sched "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "add batch crontab daemon disable enable history list next rm run-due " ] ||
	fail "commands: $out"
out=$(complete_words lt-sched add --conc)
[ "$out" = --concurrency-policy ] || fail "add --conc: $out"
out=$(complete_words lt-sched add --concurrency-policy "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "allow forbid replace " ] || fail "policies: $out"
out=$(complete_words lt-sched daemon --g)
[ "$out" = --grace ] || fail "daemon --g: $out"
out=$(complete_words lt-sched batch --pa)
[ "$out" = --parallel ] || fail "batch --pa: $out"
out=$(complete_words lt-sched next --tz Europe/Berl)
[ "$out" = Europe/Berlin ] || fail "zones: $out"
# Every option the completion offers for add is one lt-sched knows.
for o in $(complete_words lt-sched add --); do
	lt-sched --help | grep -q -- "^  $o[ ]" || fail "add offers $o, which --help does not list"
done
cat >"$T/s.json" <<'JSON'
{"id": "s", "name": "s", "config": {"baseUrl": "http://127.0.0.1:9", "endpoints": [{"path": "/"}],
 "users": {"concurrent": 1}, "duration": {"total": 1}}}
JSON
lt-sched add --name nightly --scenario "$T/s.json" --schedule @daily >/dev/null || fail "add"
lt-sched add --name hourly --scenario "$T/s.json" --schedule @hourly >/dev/null || fail "add"
out=$(complete_words lt-sched disable n)
[ "$out" = nightly ] || fail "schedule names: $out"
out=$(complete_words lt-sched history --name "")
[ "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" = "hourly nightly " ] || fail "--name: $out"
