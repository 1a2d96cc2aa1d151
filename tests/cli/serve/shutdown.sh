# SIGTERM during a run: the run stops cleanly, is recorded as interrupted
# with its summary, and lt-serve exits 0; SIGINT exits 130.
. "$SRC/tests/cli/serve/helpers.sh"
start_target
start_serve
http POST /api/load-testing/scenarios "$(quickstart_scenario 60)"
expect_code 201
http POST /api/load-testing/run '{"scenarioId": "api-health-check"}'
expect_code 202
run_id=$(field runId)
sleep 2.5
started=$(date +%s)
stop_serve
[ "$serve_rc" = 0 ] || fail "SIGTERM: exit $serve_rc"
[ $(( $(date +%s) - started )) -le 10 ] || fail "stopping took too long"
run lt-store --db "$LT_DB" show "$run_id"
expect_rc 0
expect_out interrupted

start_serve
http GET "/api/load-testing/results/api-health-check"
[ "$(items results | jfield status)" = interrupted ] || fail "results after restart: $(head -c 300 "$T/body")"
kill -INT "$serve_pid"
wait "$serve_pid"
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit $rc"
