/* fuzz_serve.c -- lt-serve's request handling (lt_serve_handle) on any
 * request, as a hostile client would send it, against a server with a
 * database that holds a run, a baseline, a regression check and an
 * alert.
 *
 * Input framing (the seeds in corpus/fuzz_serve/ are written this way):
 *   byte 0        flags:
 *                   0x01  ask the server with a token (else the one
 *                         without, loopback only)
 *                   0x02  "like a local curl": an empty Host field
 *                         becomes "127.0.0.1:3001", an empty
 *                         Authorization field "Bearer <the token>" (token
 *                         server only)
 *                   0x04  a WebSocket handshake (req.websocket)
 *                   0x08  the body was too large (req.body_too_large)
 *                   0x10  an empty Content-Type field becomes
 *                         "application/json"
 *   then fields, each ended by a NUL byte, in this order:
 *                 method, path, query, Authorization, Content-Type, Host,
 *                 Origin, Sec-WebSocket-Version, Sec-WebSocket-Key
 *                 (an empty field, or one the input ends before, is NULL;
 *                 method and path are "" then)
 *   the rest      the body, any bytes (NULs too).
 *
 * Promises checked (serve.h):
 *   - every answer has a status in 100..599 and a content type; a body
 *     length without a body only as out of memory; the body is UTF-8
 *     (JSON must be, RFC 8259 8.1; the pages say charset=utf-8), whatever
 *     bytes the request held;
 *   - an error (4xx, 5xx) is application/json {"error": CODE, "detail":
 *     "..."} with CODE from serve.h's list; 405 names the Allow header, 401
 *     asks for WWW-Authenticate;
 *   - no input is answered 500 "internal": bad input is the client's
 *     error (4xx), never the server's;
 *   - a JSON success body is JSON; others are the dashboard (text/html),
 *     /metrics (text/plain) or one of the report formats; 101 only to a
 *     WebSocket handshake, with no body;
 *   - with a token, nothing but /health is answered without it (401);
 *   - without a token, a Host that is not a loopback name, or an Origin
 *     that is not the Host's, is refused (403).
 *
 * No real traffic, no threads left running: the routes that would start
 * long work in the background are not sent as they are.  POST .../run
 * goes with "options": {"dryRun": true} set in its body when the body is
 * a JSON object (so scenario lookup, overrides and the --allow-target
 * check all run, and the answer is the plan), and as it is otherwise (the
 * server refuses it the same way, with the same parser, before any run).
 * POST of .../benchmarks/run, .../neural-training and
 * .../regression-monitoring/start become PUT (405 after the token and
 * Host checks): each would start a thread (a benchmark session, a
 * training, the watch loop) that makes the target slow and its answers
 * depend on the time; their bodies are checked by check_serve.c instead.
 * Both servers also allow only 127.0.0.1 as a target (--allow-target),
 * and the stored scenario loads 127.0.0.1:9.
 *
 * The two servers and their database (in a temporary directory removed
 * at exit) are made once per process; what inputs store (scenarios,
 * baselines, thresholds, schedules) stays for later inputs, so an input
 * may behave differently alone -- the promises above hold either way.
 */
#include "fuzz.h"

#include "db.h"
#include "serve.h"
#include "store.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SERVE_FUZZ_TOKEN "fuzz0123456789abcdefTOKEN"
#define SERVE_FUZZ_API   "/api/load-testing"

/* tests/data/run-small.ndjson: one finished run of api-health-check. */
static const char serve_fuzz_run[] =
	"{\"type\":\"run_start\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"scenario_id\":\"api-health-check\",\"scenario_name\":\"API Health Check\",\"started_at\":\"2026-01-15T10:00:00.000Z\",\"segment\":\"1/1\",\"host\":\"ci-runner-1\",\"version\":\"0.1.0\",\"config\":{\"id\":\"api-health-check\",\"name\":\"API Health Check\",\"config\":{\"baseUrl\":\"http://127.0.0.1:3000\",\"endpoints\":[{\"path\":\"/health\",\"method\":\"GET\",\"weight\":70},{\"path\":\"/api/status\",\"method\":\"GET\",\"weight\":30}],\"users\":{\"concurrent\":10},\"duration\":{\"total\":8,\"warmup\":2,\"cooldown\":2},\"thresholds\":{\"responseTime\":{\"p95\":500},\"errorRate\":{\"max\":5}}}}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":1,\"phase\":\"warmup\",\"users\":5,\"requests\":19,\"errors\":0,\"rps\":19,\"dropped\":0,\"latency_ms\":{\"min\":9.41,\"mean\":27.806,\"p50\":23.031,\"p90\":38.639,\"p95\":110.67,\"p99\":110.67,\"max\":110.67},\"bytes_in\":9728,\"bytes_out\":1824,\"cpu_pct\":3.75,\"rss_kb\":18016,\"hist\":{\"v\":1,\"n\":19,\"min\":9410,\"max\":110670,\"sum\":528312,\"sumsq\":23338866846,\"b\":[4248,1,162,1,476,1,99,1,80,1,35,1,275,1,8,1,109,1,43,1,47,1,23,1,105,1,75,1,444,1,10,1,77,1,11,1,1546,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":2,\"phase\":\"warmup\",\"users\":10,\"requests\":30,\"errors\":1,\"rps\":30,\"dropped\":0,\"latency_ms\":{\"min\":8.852,\"mean\":21.37,\"p50\":20.487,\"p90\":34.767,\"p95\":38.031,\"p99\":39.525,\"max\":39.525},\"bytes_in\":15360,\"bytes_out\":2880,\"cpu_pct\":4,\"rss_kb\":18032,\"hist\":{\"v\":1,\"n\":30,\"min\":8852,\"max\":39525,\"sum\":641091,\"sumsq\":16430259409,\"b\":[4178,1,99,1,41,1,48,1,47,1,18,1,25,1,140,1,13,1,7,1,58,1,422,1,88,1,171,1,21,1,64,1,58,1,86,1,38,1,52,1,188,2,17,1,143,1,93,1,3,1,88,1,19,1,83,1,47,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":3,\"phase\":\"steady\",\"users\":10,\"requests\":31,\"errors\":0,\"rps\":31,\"dropped\":0,\"latency_ms\":{\"min\":8.077,\"mean\":30.78,\"p50\":26.423,\"p90\":38.159,\"p95\":39.279,\"p99\":170.16,\"max\":170.16},\"bytes_in\":15872,\"bytes_out\":2976,\"cpu_pct\":4.25,\"rss_kb\":18048,\"hist\":{\"v\":1,\"n\":31,\"min\":8077,\"max\":170160,\"sum\":954182,\"sumsq\":51580512620,\"b\":[4067,1,380,1,182,1,275,1,24,1,320,1,132,1,27,1,70,1,38,1,3,1,45,1,135,1,3,1,27,1,19,1,49,1,112,1,15,1,37,1,108,1,9,1,14,1,36,1,23,1,139,1,22,1,1,1,30,1,5,1,2150,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":4,\"phase\":\"steady\",\"users\":10,\"requests\":34,\"errors\":1,\"rps\":34,\"dropped\":0,\"latency_ms\":{\"min\":9.19,\"mean\":28.87,\"p50\":27.991,\"p90\":36.367,\"p95\":39.791,\"p99\":149.83,\"max\":149.83},\"bytes_in\":17408,\"bytes_out\":3264,\"cpu_pct\":4.5,\"rss_kb\":18064,\"hist\":{\"v\":1,\"n\":34,\"min\":9190,\"max\":149830,\"sum\":981566,\"sumsq\":46090662316,\"b\":[4220,1,286,1,19,1,13,1,56,1,47,1,396,1,6,1,39,1,191,1,41,1,94,1,177,1,24,1,36,1,122,1,78,1,17,1,36,1,30,1,24,1,28,1,62,1,24,1,17,1,85,1,20,1,10,1,8,1,6,1,44,1,102,1,5,1,1975,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":5,\"phase\":\"steady\",\"users\":10,\"requests\":34,\"errors\":0,\"rps\":34,\"dropped\":0,\"latency_ms\":{\"min\":9.349,\"mean\":22.793,\"p50\":20.375,\"p90\":38.703,\"p95\":39.759,\"p99\":39.82,\"max\":39.82},\"bytes_in\":17408,\"bytes_out\":3264,\"cpu_pct\":4.75,\"rss_kb\":18080,\"hist\":{\"v\":1,\"n\":34,\"min\":9349,\"max\":39820,\"sum\":774978,\"sumsq\":21303940160,\"b\":[4240,1,12,1,59,1,16,1,82,1,197,1,26,1,125,1,54,1,138,1,45,1,11,1,5,1,10,1,10,1,241,1,98,1,101,1,24,1,31,1,73,1,87,1,157,1,222,1,63,1,11,1,60,1,14,1,1,1,105,1,11,1,14,1,19,1,2,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":6,\"phase\":\"steady\",\"users\":10,\"requests\":31,\"errors\":0,\"rps\":31,\"dropped\":0,\"latency_ms\":{\"min\":9.917,\"mean\":22.422,\"p50\":21.671,\"p90\":32.119,\"p95\":38.671,\"p99\":39.662,\"max\":39.662},\"bytes_in\":15872,\"bytes_out\":2976,\"cpu_pct\":5,\"rss_kb\":18096,\"hist\":{\"v\":1,\"n\":31,\"min\":9917,\"max\":39662,\"sum\":695068,\"sumsq\":17546519226,\"b\":[4311,1,83,1,10,1,154,1,60,1,106,1,274,1,39,1,187,1,24,1,1,1,71,1,35,1,34,1,39,1,22,1,65,1,57,1,26,1,16,1,40,1,48,1,20,1,216,1,72,1,17,1,65,1,11,1,2,1,223,1,31,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":7,\"phase\":\"cooldown\",\"users\":10,\"requests\":30,\"errors\":1,\"rps\":30,\"dropped\":0,\"latency_ms\":{\"min\":8.84,\"mean\":28.959,\"p50\":25.415,\"p90\":38.927,\"p95\":84.319,\"p99\":116.09,\"max\":116.09},\"bytes_in\":15360,\"bytes_out\":2880,\"cpu_pct\":5.25,\"rss_kb\":18112,\"hist\":{\"v\":1,\"n\":30,\"min\":8840,\"max\":116090,\"sum\":868760,\"sumsq\":39407986960,\"b\":[4177,1,4,1,128,1,105,1,257,1,114,1,5,1,277,1,6,1,73,1,89,1,104,1,108,1,45,1,192,1,30,1,2,1,53,1,4,1,320,1,115,1,21,1,14,1,20,1,21,1,9,1,43,1,18,1,1107,1,496,1]}}\n"
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"t\":8,\"phase\":\"cooldown\",\"users\":5,\"requests\":17,\"errors\":1,\"rps\":17,\"dropped\":0,\"latency_ms\":{\"min\":8.301,\"mean\":19.712,\"p50\":16.147,\"p90\":35.759,\"p95\":37.897,\"p99\":37.897,\"max\":37.897},\"bytes_in\":8704,\"bytes_out\":1632,\"cpu_pct\":5.5,\"rss_kb\":18128,\"hist\":{\"v\":1,\"n\":17,\"min\":8301,\"max\":37897,\"sum\":335101,\"sumsq\":8121746455,\"b\":[4109,1,130,1,51,1,149,1,168,1,45,1,400,1,13,1,25,1,74,1,309,1,47,1,101,1,260,1,344,1,12,1,67,1]}}\n"
	"{\"type\":\"summary\",\"v\":1,\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"duration_s\":4,\"requests\":130,\"errors\":1,\"error_rate\":0.7692,\"throughput\":{\"avg\":32.5,\"peak\":34},\"latency_ms\":{\"min\":8.077,\"mean\":26.198,\"p50\":24.039,\"p90\":38.159,\"p95\":39.631,\"p99\":149.823,\"max\":170.16,\"stddev\":19.074},\"users\":{\"peak\":10},\"endpoints\":[{\"name\":\"GET /health\",\"method\":\"GET\",\"path\":\"/health\",\"requests\":94,\"errors\":1,\"latency_ms\":{\"min\":9.445,\"mean\":25.338,\"p50\":23.623,\"p90\":38.703,\"p95\":39.663,\"p99\":149.83,\"max\":149.83},\"hist\":{\"v\":1,\"n\":94,\"min\":9445,\"max\":149830,\"sum\":2381788,\"sumsq\":84045926924,\"b\":[4252,1,59,2,83,1,10,1,5,1,97,1,19,1,13,1,20,1,36,1,12,1,12,1,11,1,3,1,9,1,83,1,33,1,54,1,93,1,24,1,66,1,4,1,7,1,5,1,20,1,7,1,6,1,39,1,142,1,24,2,23,1,43,1,6,1,35,1,25,1,9,1,18,1,43,1,20,1,7,1,17,1,24,1,7,1,38,1,9,1,13,1,13,1,11,1,36,1,53,1,3,1,1,1,20,1,25,1,49,1,46,1,20,1,36,1,30,1,24,1,8,1,20,1,30,1,17,1,15,1,22,1,4,1,9,1,6,1,22,1,22,2,11,1,12,1,18,1,20,1,10,1,8,1,6,1,44,1,33,1,22,1,18,1,13,1,1,1,4,1,11,1,1,1,3,1,1,1,1,1,1974,1]}},{\"name\":\"GET /api/status\",\"method\":\"GET\",\"path\":\"/api/status\",\"requests\":36,\"errors\":0,\"latency_ms\":{\"min\":8.077,\"mean\":28.445,\"p50\":24.935,\"p90\":38.159,\"p95\":38.671,\"p99\":170.16,\"max\":170.16},\"hist\":{\"v\":1,\"n\":36,\"min\":8077,\"max\":170160,\"sum\":1024006,\"sumsq\":52475707398,\"b\":[4067,1,153,1,20,1,87,1,120,1,502,1,71,1,17,1,212,1,24,1,96,1,39,1,20,1,87,2,83,1,16,1,40,1,31,1,43,1,39,1,78,1,63,1,15,1,15,1,128,1,25,1,1,1,11,1,95,1,14,1,1,1,99,1,6,1,10,1,2169,1]}}],\"thresholds\":[{\"metric\":\"responseTime.p95\",\"op\":\"<\",\"limit\":500,\"value\":39.631,\"ok\":true},{\"metric\":\"errorRate\",\"op\":\"<\",\"limit\":5,\"value\":0.7692,\"ok\":true}],\"passed\":true,\"interrupted\":false,\"hist\":{\"v\":1,\"n\":130,\"min\":8077,\"max\":170160,\"sum\":3405794,\"sumsq\":136521634322,\"b\":[4067,1,153,1,20,1,12,1,59,2,16,1,67,1,10,1,5,1,38,1,59,1,19,1,13,1,20,1,36,1,12,1,12,1,11,1,3,1,9,1,83,1,33,1,54,1,93,1,24,1,21,1,45,1,4,1,7,1,5,1,10,1,10,1,7,2,6,1,39,1,142,1,24,2,1,1,22,1,2,1,41,1,6,1,35,1,14,1,11,1,9,1,18,1,1,1,20,1,22,1,20,1,7,1,17,1,21,2,3,1,7,1,38,1,9,1,13,1,13,2,11,1,5,1,31,1,9,1,31,1,13,1,3,1,1,1,20,1,6,1,19,1,20,1,29,1,46,1,3,1,17,1,36,1,10,1,15,1,5,1,10,1,14,1,8,1,20,1,30,1,17,1,15,1,22,1,2,1,2,1,9,1,6,1,8,1,1,1,11,1,2,1,22,2,11,1,12,1,18,1,20,1,10,2,8,1,6,2,1,1,43,1,33,1,22,1,1,1,6,1,10,1,1,1,13,1,1,1,4,1,11,1,1,1,3,1,1,1,1,1,1974,1,159,1]}}\n"
	;

/* A regression check of that run and one of its alerts, as lt-regress
 * check records them (tests/fuzz/corpus/fuzz_store/check.ndjson), so that
 * the reports have something to show. */
static const char serve_fuzz_verdict[] =
	"{\"type\":\"verdict\",\"v\":1,\"check_id\":\"139f8c0a-6d8b-4022-841f-c8db0a266f78\",\"scenario_id\":"
	"\"api-health-check\",\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\",\"environment\":\"defaul"
	"t\",\"baseline_id\":1,\"baseline_run_id\":\"34967555-030e-410d-9b8e-7c6bb8dc989a\",\"baseline_ve"
	"rsion\":\"\",\"model\":\"baseline-run\",\"status\":\"critical\",\"metrics\":[{\"metric\":\"responseTime."
	"mean\",\"baseline\":2.62,\"current\":30.902,\"change_pct\":1079.465649,\"worse_pct\":1079.465649,"
	"\"method\":\"statistical\",\"test\":\"welch\",\"p_value\":1.9110029963508984e-13,\"q_value\":2.67540"
	"4194891258e-13,\"effect\":93.489792,\"warning_pct\":10,\"critical_pct\":25,\"history_runs\":1,\"s"
	"everity\":\"critical\",\"status\":\"regression\"},{\"metric\":\"responseTime.p50\",\"baseline\":2.34,"
	"\"current\":30.711,\"change_pct\":1212.435897,\"worse_pct\":1212.435897,\"method\":\"statistical\""
	",\"test\":\"bootstrap\",\"p_value\":0,\"q_value\":0,\"effect\":2926.638853,\"warning_pct\":10,\"criti"
	"cal_pct\":25,\"history_runs\":1,\"severity\":\"critical\",\"status\":\"regression\"},{\"metric\":\"res"
	"ponseTime.p90\",\"baseline\":3.334,\"current\":31.239,\"change_pct\":836.982603,\"worse_pct\":836"
	".982603,\"method\":\"statistical\",\"test\":\"bootstrap\",\"p_value\":0,\"q_value\":0,\"effect\":492.6"
	"16933,\"warning_pct\":10,\"critical_pct\":25,\"history_runs\":1,\"severity\":\"critical\",\"status\""
	":\"regression\"},{\"metric\":\"responseTime.p95\",\"baseline\":4.181,\"current\":31.751,\"change_pc"
	"t\":659.411624,\"worse_pct\":659.411624,\"method\":\"statistical\",\"test\":\"bootstrap\",\"p_value\""
	":0,\"q_value\":0,\"effect\":101.283863,\"warning_pct\":10,\"critical_pct\":25,\"history_runs\":1,\""
	"severity\":\"critical\",\"status\":\"regression\"},{\"metric\":\"responseTime.p99\",\"baseline\":6.25"
	"7,\"current\":34.351,\"change_pct\":449.001119,\"worse_pct\":449.001119,\"method\":\"statistical\""
	",\"test\":\"bootstrap\",\"p_value\":1.5695791778047378e-126,\"q_value\":2.7467635611582913e-126,"
	"\"effect\":23.898971,\"warning_pct\":10,\"critical_pct\":25,\"history_runs\":1,\"severity\":\"criti"
	"cal\",\"status\":\"regression\"},{\"metric\":\"throughput.avg\",\"baseline\":1524.167,\"current\":129"
	".167,\"change_pct\":-91.525404,\"worse_pct\":91.525404,\"method\":\"statistical\",\"test\":\"welch\""
	",\"p_value\":7.275488955855763e-08,\"q_value\":8.488070448498391e-08,\"effect\":-22.282671,\"wa"
	"rning_pct\":10,\"critical_pct\":25,\"history_runs\":1,\"severity\":\"critical\",\"status\":\"regress"
	"ion\"},{\"metric\":\"errorRate\",\"baseline\":0,\"current\":0,\"change_pct\":0,\"worse_pct\":0,\"metho"
	"d\":\"statistical\",\"test\":\"two-proportion\",\"p_value\":0.5,\"q_value\":0.5,\"effect\":0,\"warning"
	"_pct\":50,\"critical_pct\":100,\"history_runs\":1,\"severity\":\"none\",\"status\":\"ok\"}],\"alerts\":"
	"6,\"created_at\":\"2026-11-27T03:54:02.237Z\"}"
;


static const char serve_fuzz_alert[] =
	"{\"type\":\"alert\",\"v\":1,\"alert_id\":\"41837afb-1ab4-4f19-8913-abbf1be7a3e6\","
	"\"scenario_id\":\"api-health-check\",\"run_id\":\"6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b\","
	"\"metric\":\"responseTime.mean\",\"baseline\":2.62,\"current\":30.902,"
	"\"change_pct\":1079.4656,\"p_value\":2.675404194891258e-13,\"method\":\"welch\","
	"\"severity\":\"critical\",\"message\":\"responseTime.mean rose 1079.5 % (2.62 ms -> "
	"30.902 ms), p = 2.7e-13 (welch)\"}";

/* The scenario of that run, stored over the API; 127.0.0.1:9 (discard)
 * in case a run ever starts. */
static const char serve_fuzz_scenario[] =
	"{\"id\": \"api-health-check\", \"name\": \"API Health Check\", \"config\": "
	"{\"baseUrl\": \"http://127.0.0.1:9\", \"endpoints\": [{\"path\": \"/health\", "
	"\"method\": \"GET\"}], \"users\": {\"concurrent\": 2}, \"duration\": {\"total\": 2}}}";

static char serve_fuzz_dir[64];
static struct lt_serve *serve_fuzz_open, *serve_fuzz_locked; /* without, with a token */

static const char *const serve_fuzz_codes[] = {
	"invalid_json", "invalid_request", "unauthorized", "forbidden", "not_found",
	"method_not_allowed", "conflict", "payload_too_large", "unsupported_media_type",
	"upgrade_required", "not_implemented", "internal", "unavailable",
};

static void serve_fuzz_cleanup(void)
{
	char path[128];

	lt_serve_free(serve_fuzz_open);
	lt_serve_free(serve_fuzz_locked);
	serve_fuzz_open = serve_fuzz_locked = NULL;
	if (!serve_fuzz_dir[0])
		return;
	static const char *const files[] = {"lt.db", "lt.db-wal", "lt.db-shm", "lt.db-journal"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", serve_fuzz_dir, files[i]);
		unlink(path);
	}
	rmdir(serve_fuzz_dir);
}

/* One request to s with a local curl's headers; its status. */
static int serve_fuzz_setup_call(struct lt_serve *s, const char *method, const char *path,
				 const char *body)
{
	struct lt_serve_request r = {
		.method = method, .path = path, .host = "127.0.0.1:3001",
		.content_type = "application/json", .body = body, .body_len = strlen(body),
	};
	struct lt_serve_response res;

	lt_serve_handle(s, &r, &res);
	int status = res.status;
	if (status >= 300)
		fprintf(stderr, "fuzz_serve: setup: %s %s: %d %.*s\n", method, path, status,
			(int)res.body_len, res.body ? res.body : "");
	lt_serve_response_clear(&res);
	return status;
}

/* The database (a run, its scenario, a baseline, an alert) and the two
 * servers over it, once per process. */
static void serve_fuzz_setup(void)
{
	static const char *const targets[] = {"127.0.0.1"};
	struct lt_serve_opts o = {
		.allow_targets = targets, .n_allow_targets = 1, .engine_threads = 1,
	};
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char db_path[128];
	FILE *in;

	snprintf(serve_fuzz_dir, sizeof serve_fuzz_dir, "/tmp/lt-fuzz-serve.XXXXXX");
	if (!mkdtemp(serve_fuzz_dir))
		fuzz_fail("setup: mkdtemp: cannot make a temporary directory");
	atexit(serve_fuzz_cleanup);
	snprintf(db_path, sizeof db_path, "%s/lt.db", serve_fuzz_dir);
	if (lt_db_open(db_path, 0, &db, &err) != LT_OK)
		fuzz_fail("setup: %s", lt_errmsg(&err));
	if (!(in = fmemopen((void *)serve_fuzz_run, strlen(serve_fuzz_run), "r")) ||
	    lt_store_ingest(db, in, "run-small.ndjson", NULL, NULL, &err) != LT_OK)
		fuzz_fail("setup: ingest: %s", lt_errmsg(&err));
	fclose(in);
	cJSON *verdict = cJSON_Parse(serve_fuzz_verdict), *alert = cJSON_Parse(serve_fuzz_alert);
	if (!verdict || !alert || lt_db_check_record(db, verdict, &alert, 1, &err) != LT_OK)
		fuzz_fail("setup: check: %s", lt_errmsg(&err));
	cJSON_Delete(verdict);
	cJSON_Delete(alert);
	lt_db_close(db);

	o.db_path = db_path;
	if (lt_serve_new(&o, &serve_fuzz_open, &err) != LT_OK)
		fuzz_fail("setup: %s", lt_errmsg(&err));
	o.token = SERVE_FUZZ_TOKEN;
	if (lt_serve_new(&o, &serve_fuzz_locked, &err) != LT_OK)
		fuzz_fail("setup: %s", lt_errmsg(&err));
	if (serve_fuzz_setup_call(serve_fuzz_open, "POST", SERVE_FUZZ_API "/scenarios",
				  serve_fuzz_scenario) >= 300 ||
	    serve_fuzz_setup_call(serve_fuzz_open, "POST", SERVE_FUZZ_API "/baselines",
				  "{\"scenarioId\": \"api-health-check\"}") >= 300)
		fuzz_fail("setup: the server refused the seed data");
}

/* The next NUL-ended field of *data as a string, new (free); NULL when
 * empty or when the input has ended. */
static char *serve_fuzz_field(const uint8_t **data, size_t *size)
{
	const uint8_t *nul;
	char *s;

	if (!*size)
		return NULL;
	nul = memchr(*data, 0, *size);
	size_t len = nul ? (size_t)(nul - *data) : *size;
	s = len ? fuzz_cstr(*data, len) : NULL;
	*data += nul ? len + 1 : len;
	*size -= nul ? len + 1 : len;
	return s;
}

/* path as route_find reads it: without trailing slashes. */
static bool serve_fuzz_is(const char *path, const char *route)
{
	size_t n = strlen(path), rn = strlen(route);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n == rn && !strncmp(path, route, n);
}

/* A POST .../run body with options.dryRun set, new (free); NULL when body
 * is no JSON object alone (it then goes as it is, and the server's own
 * parse -- the same cJSON call, then the same check of what follows the
 * value -- refuses it before any run), NULL with *oom when out of memory
 * (the request is then not sent). */
static char *serve_fuzz_dry(const char *body, size_t len, bool *oom)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(body, len, &end, false), *opts;
	char *out = NULL;

	*oom = false;
	if (!cJSON_IsObject(j))
		goto out;
	for (const char *p = end; p < body + len; p++)
		if (!strchr(" \t\r\n", *p))
			goto out; /* text after the value: refused as it is */
	*oom = true;
	opts = cJSON_GetObjectItemCaseSensitive(j, "options");
	if (!opts || cJSON_IsNull(opts)) {
		cJSON *o = cJSON_CreateObject();
		/* In the null one's place: the server reads the first "options". */
		if (!o || !(opts ? cJSON_ReplaceItemInObjectCaseSensitive(j, "options", o)
				 : cJSON_AddItemToObject(j, "options", o))) {
			cJSON_Delete(o);
			goto out;
		}
		opts = o;
	}
	if (cJSON_IsObject(opts)) {
		cJSON *t = cJSON_CreateTrue();
		if (!t)
			goto out;
		if (cJSON_GetObjectItemCaseSensitive(opts, "dryRun")) {
			if (!cJSON_ReplaceItemInObjectCaseSensitive(opts, "dryRun", t)) {
				cJSON_Delete(t);
				goto out;
			}
		} else if (!cJSON_AddItemToObject(opts, "dryRun", t)) {
			cJSON_Delete(t);
			goto out;
		}
	}
	out = cJSON_PrintUnformatted(j);
	*oom = !out;
out:
	cJSON_Delete(j);
	return out;
}

static bool serve_fuzz_known_code(const char *code)
{
	for (size_t i = 0; i < sizeof serve_fuzz_codes / sizeof *serve_fuzz_codes; i++)
		if (!strcmp(code, serve_fuzz_codes[i]))
			return true;
	return false;
}

/* Whether s contains what, ignoring case; NULL contains nothing. */
static bool serve_fuzz_has(const char *s, const char *what)
{
	return s && strcasestr(s, what);
}

static void serve_fuzz_check(const struct lt_serve_request *r, const struct lt_serve_response *res,
			     bool locked)
{
	const char *ct = res->content_type;

	if (res->status < 100 || res->status > 599)
		fuzz_fail("status %d", res->status);
	if (!ct)
		fuzz_fail("%d without a content type", res->status);
	if (!res->body && res->body_len)
		fuzz_fail("%d: body_len %zu without a body", res->status, res->body_len);
	if (res->body && !lti_utf8_valid(res->body, res->body_len))
		fuzz_fail("%d: the body is not UTF-8: %.*s", res->status, (int)res->body_len,
			  res->body);
	if (res->status >= 400) {
		cJSON *j = NULL;
		if (strcmp(ct, "application/json"))
			fuzz_fail("error %d as %s", res->status, ct);
		if (!res->body)
			return; /* out of memory */
		if (!(j = cJSON_ParseWithLength(res->body, res->body_len)) || !cJSON_IsObject(j))
			fuzz_fail("error %d is no JSON object: %.*s", res->status, (int)res->body_len,
				  res->body);
		const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
		if (!code || !serve_fuzz_known_code(code) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "detail")))
			fuzz_fail("error %d without a known code and a detail: %.*s", res->status,
				  (int)res->body_len, res->body);
		if (res->status == 500 && !strcmp(code, "internal"))
			fuzz_fail("500 internal for a request: %.*s", (int)res->body_len, res->body);
		if (res->status == 405 && !res->allow)
			fuzz_fail("405 without Allow");
		if (res->status == 401 && !res->www_authenticate)
			fuzz_fail("401 without WWW-Authenticate");
		cJSON_Delete(j);
	} else if (res->status == 101) {
		if (!r->websocket || res->body_len)
			fuzz_fail("101 to a request that is no handshake, or with a body");
	} else if (!strcmp(ct, "application/json")) {
		cJSON *j = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
		if (res->body && !j)
			fuzz_fail("%d: the body is no JSON: %.*s", res->status, (int)res->body_len,
				  res->body);
		cJSON_Delete(j);
	} else if (strncmp(ct, "text/html", 9) && strncmp(ct, "text/plain", 10) &&
		   strncmp(ct, "text/markdown", 13) && strncmp(ct, "application/xml", 15)) {
		fuzz_fail("%d as %s", res->status, ct);
	}

	/* The safety rules.  The checks are looser than the server's (a
	 * token sent percent-encoded, any IPv6 literal, a name with "127."
	 * in it pass them): they catch a rule skipped, not one read
	 * differently. */
	if (locked && res->status != 401 && !serve_fuzz_is(r->path, "/health") &&
	    !serve_fuzz_has(r->authorization, SERVE_FUZZ_TOKEN) &&
	    !serve_fuzz_has(r->query, SERVE_FUZZ_TOKEN) && !serve_fuzz_has(r->query, "%") &&
	    !serve_fuzz_has(r->query, "+"))
		fuzz_fail("answered %d without the token", res->status);
	if (res->status == 401 || res->status == 403)
		return;
	if (!locked && r->host && *r->host && r->host[0] != '[' && !serve_fuzz_has(r->host, "127.") &&
	    !serve_fuzz_has(r->host, "localhost"))
		fuzz_fail("answered %d to Host %s", res->status, r->host);
	if (r->origin && *r->origin && (!strstr(r->origin, "://") || !r->host ||
					!serve_fuzz_has(r->origin, r->host)))
		fuzz_fail("answered %d to Origin %s (Host %s)", res->status, r->origin,
			  r->host ? r->host : "none");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *method, *path, *query, *auth, *ctype, *host, *origin, *ws_version, *ws_key;
	char *dry = NULL;
	struct lt_serve_response res;
	unsigned flags;

	if (!serve_fuzz_open)
		serve_fuzz_setup();
	if (!size)
		return 0;
	flags = data[0];
	data++;
	size--;
	method = serve_fuzz_field(&data, &size);
	path = serve_fuzz_field(&data, &size);
	query = serve_fuzz_field(&data, &size);
	auth = serve_fuzz_field(&data, &size);
	ctype = serve_fuzz_field(&data, &size);
	host = serve_fuzz_field(&data, &size);
	origin = serve_fuzz_field(&data, &size);
	ws_version = serve_fuzz_field(&data, &size);
	ws_key = serve_fuzz_field(&data, &size);

	bool locked = flags & 0x01;
	struct lt_serve_request r = {
		.method = method ? method : "", .path = path ? path : "", .query = query,
		.authorization = auth, .content_type = ctype, .host = host, .origin = origin,
		.body = (const char *)data, .body_len = size,
		.websocket = flags & 0x04, .body_too_large = flags & 0x08,
		.ws_version = ws_version, .ws_key = ws_key,
	};
	if ((flags & 0x02) && !host)
		r.host = "127.0.0.1:3001";
	if ((flags & 0x02) && locked && !auth)
		r.authorization = "Bearer " SERVE_FUZZ_TOKEN;
	if ((flags & 0x10) && !ctype)
		r.content_type = "application/json";

	/* No long work (see the top of the file). */
	if (!strcmp(r.method, "POST")) {
		if (serve_fuzz_is(r.path, SERVE_FUZZ_API "/run")) {
			bool oom;
			if ((dry = serve_fuzz_dry(r.body, r.body_len, &oom))) {
				r.body = dry;
				r.body_len = strlen(dry);
			} else if (oom) {
				r.method = "PUT";
			}
		} else if (serve_fuzz_is(r.path, SERVE_FUZZ_API "/benchmarks/run") ||
			   serve_fuzz_is(r.path, SERVE_FUZZ_API "/neural-training") ||
			   serve_fuzz_is(r.path, SERVE_FUZZ_API "/regression-monitoring/start")) {
			r.method = "PUT";
		}
	}

	lt_serve_handle(locked ? serve_fuzz_locked : serve_fuzz_open, &r, &res);
	serve_fuzz_check(&r, &res, locked);
	if (res.status == 202 && serve_fuzz_is(r.path, SERVE_FUZZ_API "/run"))
		fuzz_fail("a run started: %.*s", (int)res.body_len, res.body);
	lt_serve_response_clear(&res);

	free(dry);
	free(method);
	free(path);
	free(query);
	free(auth);
	free(ctype);
	free(host);
	free(origin);
	free(ws_version);
	free(ws_key);
	return 0;
}
