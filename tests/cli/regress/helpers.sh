# Functions the cases of tests/cli/regress source (run.sh skips this file).

# mkrun ID SCENARIO HOUR P95 [P99_FACTOR [ERROR_PCT [SEED]]]: one run's
# NDJSON -- run_start (whose scenario has the threshold p95 <= 200 ms),
# 6 steady samples and a summary that validates -- on stdout.  Every
# figure follows one load factor drawn from the seed, as a real service's
# do; P95 sets the level.  The draws come from a hash of the seed (the
# fractional part of a scaled sine), not from awk's rand(), whose
# sequence differs between awks.  SEED "center" gives the typical run:
# load 1, no jitter.
mkrun() {
	awk -v id="$1" -v scen="$2" -v hour="$3" -v p95="$4" -v p99f="${5:-1}" \
	    -v errpct="${6:-0.5}" -v seed="${7:-$3}" '
	function draw() { n++; x = sin(seed * 12.9898 + n * 78.233) * 43758.5453; return x - int(x) + (x < 0) }
	BEGIN {
		center = seed == "center"
		load = center ? 1 : 1 + 0.08 * (draw() + draw() + draw() - 1.5)
		day = 1 + int(hour / 24); h = hour % 24
		at = sprintf("2026-01-%02dT%02d:00:00Z", day, h)
		printf "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"%s\",\"scenario_id\":\"%s\",\"started_at\":\"%s\",\"config\":{\"id\":\"%s\",\"name\":\"%s\",\"config\":{\"baseUrl\":\"http://127.0.0.1:3000\",\"endpoints\":[{\"path\":\"/\",\"method\":\"GET\"}],\"users\":{\"concurrent\":10},\"duration\":{\"total\":6},\"thresholds\":{\"responseTime\":{\"p95\":200}}}}}\n", id, scen, at, scen, scen
		rps = int(1000 / load); total = 0; errs = 0
		for (t = 1; t <= 6; t++) {
			k = center ? 1 : 1 + 0.03 * (draw() - 0.5)
			q95 = p95 * load * k; e = int(rps * errpct / 100 + 0.5)
			printf "{\"type\":\"sample\",\"v\":1,\"run_id\":\"%s\",\"t\":%d,\"phase\":\"steady\",\"requests\":%d,\"errors\":%d,\"rps\":%d,\"latency_ms\":{\"min\":1,\"mean\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"cpu_pct\":%.1f}\n", id, t, rps, e, rps, q95 * 0.55, q95 * 0.5, q95 * 0.85, q95, q95 * 1.5 * p99f, q95 * 2 * p99f, 30 * load * k
			total += rps; errs += e
		}
		q95 = p95 * load
		mem = 2000000 + 10000 * (center ? 0.5 : draw())
		printf "{\"type\":\"summary\",\"v\":1,\"run_id\":\"%s\",\"duration_s\":6,\"requests\":%d,\"errors\":%d,\"error_rate\":%.6f,\"throughput\":{\"avg\":%.3f,\"peak\":%d},\"latency_ms\":{\"min\":1,\"mean\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"endpoints\":[],\"passed\":true,\"resources\":{\"generator\":{\"cpu_pct_mean\":%.1f},\"host\":{\"cpu_pct_mean\":%.1f,\"mem_used_kb_max\":%d}}}\n", id, total, errs, 100 * errs / total, total / 6, rps, q95 * 0.55, q95 * 0.5, q95 * 0.85, q95, q95 * 1.5 * p99f, q95 * 2 * p99f, 30 * load, 45 * load, mem
	}'
}
