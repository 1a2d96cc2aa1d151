# lt-sched crontab prints the line for crontab -e: this very program,
# run-due -q every minute (cron mails only warnings and failures), an
# absolute --db quoted for sh and with % escaped for cron.
mkdir -p "$T/50% of it's"
run lt-sched crontab --db "50% of it's/lt.db"
expect_rc 0
expect_out_lines 2
expect_out '^# lt-sched: run the due schedules of '
# The program itself, not a wrapper that runs it (valgrind's, make check VALGRIND=1).
prog=$BUILD/bin/lt-sched
line=$(sed -n 2p "$T/out")
want="* * * * * '$prog' run-due -q --db '$T/50\\% of it'\\''s/lt.db' >/dev/null"
[ "$line" = "$want" ] || fail "line: $line
expected: $want"
# The command part, as cron hands it to sh (\% becomes %), runs.
cmd=$(printf '%s\n' "$line" | sed 's/^\* \* \* \* \* //; s/\\%/%/g; s/ >\/dev\/null$//')
eval "$cmd --now 2030-01-01T00:00:00Z" || fail "the crontab command failed: $cmd"
[ -f "$T/50% of it's/lt.db" ] || fail "the command did not use the database it names"
run lt-sched crontab
expect_out "run-due -q --db '$LT_DB' >/dev/null\$"
