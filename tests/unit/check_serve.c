/* check_serve.c -- lt-serve's API without a socket (serve.h): routing,
 * validation, authentication, the Host and Origin rules, and runs in the
 * background against a port nobody listens on. */
#include "unit.h"
#include "db.h"
#include "serve.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API "/api/load-testing"

static char dir[64];
static char db_path[128];
static struct lt_serve *srv;

/* What the broadcast callback saw, one record type per line. */
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static char seen[65536];

static void on_broadcast(const char *text, size_t len, void *user)
{
	(void)user;
	pthread_mutex_lock(&seen_mu);
	const char *t = strstr(text, "\"type\":\"");
	if (t && len && strlen(seen) + 40 < sizeof seen) {
		t += 8;
		size_t n = strcspn(t, "\"");
		strncat(seen, t, n < 30 ? n : 30);
		strcat(seen, "\n");
	}
	pthread_mutex_unlock(&seen_mu);
}

static struct lt_serve *server(const char *token, const char *const *targets, size_t n,
			       unsigned max_runs)
{
	struct lt_serve_opts o = {
		.db_path = db_path, .token = token, .allow_targets = targets, .n_allow_targets = n,
		.max_runs = max_runs, .engine_threads = 1, .broadcast = on_broadcast,
	};
	struct lt_serve *s = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_serve_new(&o, &s, &err) == LT_OK, "%s", lt_errmsg(&err));
	return s;
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/lt-check-serve.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/lt.db", dir);
	seen[0] = '\0';
	srv = server(NULL, NULL, 0, 0);
}

static void teardown(void)
{
	char cmd[160];
	lt_serve_free(srv);
	srv = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

struct answer {
	int status;
	cJSON *json;
	struct lt_serve_response res;
};

/* One request, with the headers a local curl sends. */
static struct answer req_full(struct lt_serve *s, const char *method, const char *path,
			      const char *query, const char *body, const char *auth,
			      const char *host, const char *origin)
{
	struct answer a = {0};
	struct lt_serve_request r = {
		.method = method, .path = path, .query = query, .authorization = auth,
		.content_type = body ? "application/json" : NULL, .host = host, .origin = origin,
		.body = body ? body : "", .body_len = body ? strlen(body) : 0,
	};
	lt_serve_handle(s, &r, &a.res);
	a.status = a.res.status;
	if (a.res.content_type && !strncmp(a.res.content_type, "application/json", 16))
		a.json = cJSON_ParseWithLength(a.res.body, a.res.body_len);
	return a;
}

static struct answer req(const char *method, const char *path, const char *query, const char *body)
{
	return req_full(srv, method, path, query, body, NULL, "127.0.0.1:3001", NULL);
}

static void done(struct answer *a)
{
	cJSON_Delete(a->json);
	lt_serve_response_clear(&a->res);
}

static const char *str(const struct answer *a, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(a->json, key));
}

static double num(const cJSON *j, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(j, key));
}

/* Expect status and, for an error, the error code. */
static void expect(struct answer a, int status, const char *error)
{
	ck_assert_msg(a.status == status, "status %d, expected %d: %.*s", a.status, status,
		      (int)a.res.body_len, a.res.body ? a.res.body : "");
	if (error) {
		ck_assert_ptr_nonnull(a.json);
		ck_assert_str_eq(str(&a, "error"), error);
		ck_assert_ptr_nonnull(str(&a, "detail"));
	}
	done(&a);
}

/* A scenario of `seconds` against a port nobody listens on: every request
 * fails fast (connection refused), which is a measurement, not a failure. */
static char *scenario(const char *id, const char *base_url, int seconds)
{
	char *s = malloc(2048);
	snprintf(s, 2048,
		 "{\"id\": \"%s\", \"name\": \"Test %s\", \"config\": {\"baseUrl\": \"%s\","
		 " \"endpoints\": [{\"path\": \"/health\", \"method\": \"GET\"}],"
		 " \"users\": {\"concurrent\": 2, \"thinkTime\": {\"min\": 50, \"max\": 50}},"
		 " \"duration\": {\"total\": %d}}}", id, id, base_url, seconds);
	return s;
}

static void store(const char *id, const char *base_url, int seconds)
{
	char *body = scenario(id, base_url, seconds);
	struct answer a = req("POST", API "/scenarios", NULL, body);
	ck_assert_msg(a.status == 201 || a.status == 200, "%d %.*s", a.status, (int)a.res.body_len,
		      a.res.body);
	done(&a);
	free(body);
}

/* Poll /status until the run is no longer running (at most `seconds`). */
static char *wait_run(const char *run_id, int seconds)
{
	char q[128];
	snprintf(q, sizeof q, "runId=%s", run_id);
	for (int i = 0; i < seconds * 10; i++) {
		struct answer a = req("GET", API "/status", q, NULL);
		ck_assert_int_eq(a.status, 200);
		const char *st = str(&a, "status");
		if (strcmp(st, "running") && strcmp(st, "starting")) {
			char *copy = strdup(st);
			done(&a);
			return copy;
		}
		done(&a);
		usleep(100000);
	}
	ck_abort_msg("run %s still running after %d s", run_id, seconds);
	return NULL;
}

/* Error details quote the request, whose bytes can be anything, and cut
 * quotes at a byte count: the answer stays UTF-8, so stays JSON (found by
 * tests/fuzz/fuzz_serve.c). */
START_TEST(error_details_utf8)
{
	char path[300];

	struct answer a = req("GET", API "/s\xff" "enarios", NULL, NULL);
	ck_assert_int_eq(a.status, 404);
	ck_assert_msg(lti_utf8_valid(a.res.body, a.res.body_len), "%s", a.res.body);
	ck_assert_ptr_nonnull(strstr(str(&a, "detail"), "/s?enarios"));
	done(&a);
	/* "%.200s" of the path ends inside the two bytes of "\u00e9". */
	memset(path, 'a', 199);
	path[0] = '/';
	memcpy(path + 199, "\xc3\xa9", 3);
	a = req("GET", path, NULL, NULL);
	ck_assert_int_eq(a.status, 404);
	ck_assert_msg(lti_utf8_valid(a.res.body, a.res.body_len), "%s", a.res.body);
	done(&a);
}
END_TEST

START_TEST(routes_unknown_and_methods)
{
	expect(req("GET", "/nope", NULL, NULL), 404, "not_found");
	expect(req("GET", API "/nope", NULL, NULL), 404, "not_found");
	struct answer a = req("PUT", API "/run", NULL, NULL);
	ck_assert_int_eq(a.status, 405);
	ck_assert_str_eq(a.res.allow, "POST");
	done(&a);
	a = req("DELETE", API "/scenarios", NULL, NULL);
	ck_assert_int_eq(a.status, 405);
	ck_assert_ptr_nonnull(strstr(a.res.allow, "GET"));
	done(&a);
	expect(req("GET", API "/run", NULL, NULL), 405, "method_not_allowed");
	/* A trailing slash names the same endpoint; a deeper path does not. */
	expect(req("GET", API "/scenarios/", NULL, NULL), 200, NULL);
	expect(req("GET", API "/scenarios/a/b", NULL, NULL), 404, "not_found");
	expect(req("GET", API "/ws", NULL, NULL), 426, "upgrade_required");
	expect(req("HEAD", "/health", NULL, NULL), 200, NULL);
}
END_TEST

START_TEST(health_and_metrics)
{
	struct answer a = req("GET", "/health", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(str(&a, "status"), "ok");
	ck_assert_str_eq(str(&a, "version"), LT_VERSION);
	const cJSON *db = cJSON_GetObjectItem(a.json, "database");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(db, "state")), "ok");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(db, "path")), db_path);
	ck_assert(num(a.json, "uptime_s") >= 0);
	ck_assert_int_eq((int)num(cJSON_GetObjectItem(a.json, "running"), "runs"), 0);
	done(&a);

	a = req("GET", "/metrics", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(a.res.content_type, "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(a.res.body, "\nlt_runs_started_total 0\n"));
	ck_assert_ptr_nonnull(strstr(a.res.body, "# TYPE lt_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(a.res.body, "\nlt_alerts_open 0\n"));
	/* the health request above, counted by status */
	ck_assert_ptr_nonnull(strstr(a.res.body, "lt_http_requests_total{code=\"200\"} 1\n"));
	done(&a);
}
END_TEST

START_TEST(dashboard_is_self_contained)
{
	struct answer a = req("GET", "/", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(a.res.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(a.res.body, "<canvas id=\"c-rps\""));
	ck_assert_ptr_nonnull(strstr(a.res.body, "<canvas id=\"c-lat\""));
	ck_assert_ptr_nonnull(strstr(a.res.body, "new WebSocket("));
	/* No CDN, no external file: nothing is fetched from another host. */
	ck_assert_ptr_null(strstr(a.res.body, "src=\"http"));
	ck_assert_ptr_null(strstr(a.res.body, "href=\"http"));
	ck_assert_ptr_null(strstr(a.res.body, "//cdn"));
	done(&a);
}
END_TEST

START_TEST(auth_with_token)
{
	const char *tok = "0123456789abcdef0123";
	struct lt_serve *s = server(tok, NULL, 0, 0);
	struct answer a = req_full(s, "GET", API "/scenarios", NULL, NULL, NULL, "h:1", NULL);
	ck_assert_int_eq(a.status, 401);
	ck_assert(a.res.www_authenticate);
	done(&a);
	expect(req_full(s, "GET", API "/scenarios", NULL, NULL, "Bearer 0123456789abcdef0124",
			"h:1", NULL), 401, "unauthorized");
	expect(req_full(s, "GET", API "/scenarios", NULL, NULL, "Bearer 0123456789abcdef012",
			"h:1", NULL), 401, "unauthorized");
	expect(req_full(s, "GET", API "/scenarios", NULL, NULL, "Basic 0123456789abcdef0123",
			"h:1", NULL), 401, "unauthorized");
	/* An unknown path says 401 too: no route map for strangers. */
	expect(req_full(s, "GET", "/nope", NULL, NULL, NULL, "h:1", NULL), 401, "unauthorized");
	/* With a token any Host may be used (the server may listen on a
	 * network address). */
	expect(req_full(s, "GET", API "/scenarios", NULL, NULL, "Bearer 0123456789abcdef0123",
			"lt.example.org:3001", NULL), 200, NULL);
	expect(req_full(s, "GET", API "/scenarios", "access_token=0123456789abcdef0123", NULL, NULL,
			"h:1", NULL), 200, NULL);
	expect(req_full(s, "GET", "/", "x=1&access_token=0123456789abcdef0123", NULL, NULL, "h:1",
			NULL), 200, NULL);
	/* /health is open, without the database's path. */
	a = req_full(s, "GET", "/health", NULL, NULL, NULL, "h:1", NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "database"), "path"));
	done(&a);
	ck_assert(!lt_serve_ws_allowed(s, NULL, NULL, "h:1", NULL));
	ck_assert(lt_serve_ws_allowed(s, NULL, "access_token=0123456789abcdef0123", "h:1", NULL));
	ck_assert(lt_serve_ws_allowed(s, "Bearer 0123456789abcdef0123", NULL, "h:1", NULL));
	lt_serve_free(s);
}
END_TEST

START_TEST(host_and_origin)
{
	/* Without a token: loopback names only (DNS rebinding), same origin
	 * only (cross-site requests from a page in the user's browser). */
	expect(req_full(srv, "GET", API "/scenarios", NULL, NULL, NULL, "evil.example:3001", NULL),
	       403, "forbidden");
	expect(req_full(srv, "GET", API "/scenarios", NULL, NULL, NULL, "localhost:3001", NULL), 200,
	       NULL);
	expect(req_full(srv, "GET", API "/scenarios", NULL, NULL, NULL, "[::1]:3001", NULL), 200, NULL);
	expect(req_full(srv, "POST", API "/stop", NULL, "{}", NULL, "127.0.0.1:3001",
			"http://evil.example"), 403, "forbidden");
	expect(req_full(srv, "POST", API "/stop", NULL, "{}", NULL, "127.0.0.1:3001", "null"), 403,
	       "forbidden");
	expect(req_full(srv, "POST", API "/stop", NULL, "{}", NULL, "127.0.0.1:3001",
			"http://127.0.0.1:3001"), 409, "conflict");
	ck_assert(!lt_serve_ws_allowed(srv, NULL, NULL, "127.0.0.1:3001", "http://evil.example"));
	ck_assert(lt_serve_ws_allowed(srv, NULL, NULL, "127.0.0.1:3001", "http://127.0.0.1:3001"));
}
END_TEST

START_TEST(bodies)
{
	struct answer a = req("POST", API "/run", NULL, "{\"scenarioId\": \n  oops}");
	ck_assert_int_eq(a.status, 400);
	ck_assert_str_eq(str(&a, "error"), "invalid_json");
	ck_assert_ptr_nonnull(strstr(str(&a, "detail"), "body:2:"));
	done(&a);
	expect(req("POST", API "/run", NULL, "{} x"), 400, "invalid_json");
	expect(req("POST", API "/run", NULL, "[1]"), 400, "invalid_request");
	expect(req("POST", API "/run", NULL, "\"x\""), 400, "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"\\u00e9\xff\"}"), 400, "invalid_json");
	expect(req("POST", API "/run", NULL, "{}"), 400, "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": 7}"), 400, "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"../etc/passwd\"}"), 400,
	       "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"nope\"}"), 404, "not_found");
	expect(req("POST", API "/run", NULL, "{\"scenarioID\": \"nope\"}"), 400, "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"x\", \"options\": {\"dryrun\": true}}"),
	       400, "invalid_request");
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"x\", \"options\": {\"dryRun\": 1}}"),
	       400, "invalid_request");

	/* Not JSON by its media type: a form post from a web page. */
	struct lt_serve_request r = {
		.method = "POST", .path = API "/run", .host = "127.0.0.1:1",
		.content_type = "application/x-www-form-urlencoded", .body = "a=b", .body_len = 3,
	};
	lt_serve_handle(srv, &r, &a.res);
	ck_assert_int_eq(a.res.status, 415);
	lt_serve_response_clear(&a.res);
	r.content_type = "application/json; charset=utf-8";
	r.body = "{\"scenarioId\":\"nope\"}";
	r.body_len = strlen(r.body);
	lt_serve_handle(srv, &r, &a.res);
	ck_assert_int_eq(a.res.status, 404);
	lt_serve_response_clear(&a.res);
	/* Too large: refused without looking, and the connection closed. */
	r.body_too_large = true;
	lt_serve_handle(srv, &r, &a.res);
	ck_assert_int_eq(a.res.status, 413);
	ck_assert(a.res.close);
	ck_assert_ptr_nonnull(strstr(a.res.body, "payload_too_large"));
	lt_serve_response_clear(&a.res);
	ck_assert_uint_eq(lt_serve_max_body(srv), LT_SERVE_DEFAULT_MAX_BODY);
}
END_TEST

START_TEST(scenarios_store_and_list)
{
	char *body = scenario("api-health-check", "http://127.0.0.1:1", 5);
	struct answer a = req("POST", API "/scenarios", NULL, body);
	ck_assert_int_eq(a.status, 201);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "created")));
	const cJSON *sc = cJSON_GetObjectItem(a.json, "scenario");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sc, "id")), "api-health-check");
	done(&a);
	a = req("POST", API "/scenarios", NULL, body);
	ck_assert_int_eq(a.status, 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "created")));
	done(&a);
	free(body);

	a = req("GET", API "/scenarios", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq((int)num(a.json, "count"), 1);
	sc = cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "scenarios"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sc, "name")), "Test api-health-check");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(sc, "config"));
	ck_assert_int_eq((int)num(sc, "runs"), 0);
	done(&a);
	expect(req("GET", API "/scenarios/api-health-check", NULL, NULL), 200, NULL);
	expect(req("GET", API "/scenarios/other", NULL, NULL), 404, "not_found");
	expect(req("GET", API "/scenarios/..", NULL, NULL), 400, "invalid_request");

	/* Bad scenarios: the scenario module's message, naming the path. */
	a = req("POST", API "/scenarios", NULL, "{\"id\": \"x\", \"name\": \"x\", \"config\": {}}");
	ck_assert_int_eq(a.status, 400);
	ck_assert_ptr_nonnull(strstr(str(&a, "detail"), "config"));
	done(&a);
	/* A scenario sent over the API may not read the server's files. */
	a = req("POST", API "/scenarios", NULL,
		"{\"id\": \"f\", \"name\": \"f\", \"config\": {\"baseUrl\": \"http://127.0.0.1:1\","
		" \"endpoints\": [{\"path\": \"/\", \"method\": \"POST\", \"body\": \"@/etc/passwd\"}],"
		" \"users\": {\"concurrent\": 1}, \"duration\": {\"total\": 5}}}");
	ck_assert_int_eq(a.status, 400);
	ck_assert_ptr_nonnull(strstr(str(&a, "detail"), "config.endpoints[0].body"));
	done(&a);
	expect(req("POST", API "/scenarios", NULL,
		   "{\"id\": \"f\", \"name\": \"f\", \"config\": {\"baseUrl\": \"https://127.0.0.1:1\","
		   " \"http\": {\"cacert\": \"/etc/hostname\"},"
		   " \"endpoints\": [{\"path\": \"/\", \"method\": \"GET\"}],"
		   " \"users\": {\"concurrent\": 1}, \"duration\": {\"total\": 5}}}"),
	       400, "invalid_request");
	/* "@@" is a literal '@', fine. */
	expect(req("POST", API "/scenarios", NULL,
		   "{\"id\": \"at\", \"name\": \"at\", \"config\": {\"baseUrl\": \"http://127.0.0.1:1\","
		   " \"endpoints\": [{\"path\": \"/\", \"method\": \"POST\", \"body\": \"@@me\"}],"
		   " \"users\": {\"concurrent\": 1}, \"duration\": {\"total\": 5}}}"),
	       201, NULL);
	/* An array stores each. */
	a = req("POST", API "/scenarios", NULL,
		"[{\"id\": \"a1\", \"name\": \"a\", \"config\": {\"baseUrl\": \"http://127.0.0.1:1\","
		" \"endpoints\": [{\"path\": \"/\"}], \"users\": {\"concurrent\": 1},"
		" \"duration\": {\"total\": 5}}},"
		" {\"id\": \"a2\", \"name\": \"b\", \"config\": {\"baseUrl\": \"http://127.0.0.1:1\","
		" \"endpoints\": [{\"path\": \"/\"}], \"users\": {\"concurrent\": 1},"
		" \"duration\": {\"total\": 5}}}]");
	ck_assert_int_eq(a.status, 201);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a.json, "scenarios")), 2);
	done(&a);
}
END_TEST

START_TEST(allow_target)
{
	const char *targets[] = {"127.0.0.1", "LocalHost"};
	struct lt_serve *s = server(NULL, targets, 2, 0);
	char *good = scenario("good", "http://127.0.0.1:1", 5);
	char *alias = scenario("alias", "http://localhost:1", 5);
	char *bad = scenario("bad", "http://example.com", 5);
	expect(req_full(s, "POST", API "/scenarios", NULL, good, NULL, "127.0.0.1:3001", NULL), 201, NULL);
	expect(req_full(s, "POST", API "/scenarios", NULL, alias, NULL, "127.0.0.1:3001", NULL), 201,
	       NULL);
	expect(req_full(s, "POST", API "/scenarios", NULL, bad, NULL, "127.0.0.1:3001", NULL), 403,
	       "forbidden");
	/* Nor may a run's baseUrl override go elsewhere. */
	expect(req_full(s, "POST", API "/run", NULL,
			"{\"scenarioId\": \"good\", \"options\": {\"dryRun\": true, \"baseUrl\": "
			"\"http://10.1.2.3:8080\"}}", NULL, "127.0.0.1:3001", NULL), 403, "forbidden");
	expect(req_full(s, "POST", API "/run", NULL,
			"{\"scenarioId\": \"good\", \"options\": {\"dryRun\": true}}", NULL,
			"127.0.0.1:3001", NULL), 200, NULL);
	free(good);
	free(alias);
	free(bad);
	lt_serve_free(s);
}
END_TEST

START_TEST(dry_run_and_nothing_running)
{
	store("dry", "http://127.0.0.1:1", 8);
	struct answer a = req("POST", API "/run", NULL,
			      "{\"scenarioId\": \"dry\", \"options\": {\"dryRun\": true, \"duration\": \"4s\"}}");
	ck_assert_int_eq(a.status, 200);
	const cJSON *plan = cJSON_GetObjectItem(a.json, "plan");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(plan, "type")), "plan");
	ck_assert_int_eq((int)num(plan, "duration_s"), 4);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(plan, "seconds")), 4);
	done(&a);
	/* A plan lists every second: a day at most over the API (30 days
	 * took seconds and 600 MB; found by tests/fuzz/fuzz_serve.c). */
	a = req("POST", API "/run", NULL,
		"{\"scenarioId\": \"dry\", \"options\": {\"dryRun\": true, \"duration\": 80000}}");
	ck_assert_int_eq(a.status, 200);
	done(&a);
	expect(req("POST", API "/run", NULL,
		   "{\"scenarioId\": \"dry\", \"options\": {\"dryRun\": true, \"duration\": 2592000}}"),
	       400, "invalid_request");
	expect(req("POST", API "/run", NULL,
		   "{\"scenarioId\": \"dry\", \"options\": {\"duration\": \"soon\"}}"), 400,
	       "invalid_request");
	expect(req("POST", API "/run", NULL,
		   "{\"scenarioId\": \"dry\", \"options\": {\"users\": 0}}"), 400, "invalid_request");
	expect(req("POST", API "/stop", NULL, NULL), 409, "conflict");
	expect(req("POST", API "/stop", NULL, "{\"runId\": \"0badc0de\"}"), 404, "not_found");
	a = req("GET", API "/status", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(str(&a, "status"), "idle");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a.json, "runs")), 0);
	done(&a);
	expect(req("GET", API "/status", "runId=zzz", NULL), 400, "invalid_request");
	expect(req("GET", API "/status", "runId=abc", NULL), 404, "not_found");
}
END_TEST

START_TEST(run_in_background)
{
	store("bg", "http://127.0.0.1:1", 2);
	struct answer a = req("POST", API "/run", NULL, "{\"scenarioId\": \"bg\"}");
	ck_assert_int_eq(a.status, 202);
	char *run_id = strdup(str(&a, "runId"));
	ck_assert_int_eq((int)strlen(run_id), 36);
	ck_assert_str_eq(str(&a, "status"), "running");
	done(&a);
	/* One at a time by default. */
	expect(req("POST", API "/run", NULL, "{\"scenarioId\": \"bg\"}"), 409, "conflict");
	char *st = wait_run(run_id, 20);
	ck_assert_str_eq(st, "complete");
	free(st);

	char q[128];
	snprintf(q, sizeof q, "runId=%s&timeline=1", run_id);
	a = req("GET", API "/status", q, NULL);
	const cJSON *run = cJSON_GetObjectItem(a.json, "run");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(run, "timeline")), 2);
	const cJSON *sum = cJSON_GetObjectItem(run, "summary");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sum, "type")), "summary");
	ck_assert_ptr_null(cJSON_GetObjectItem(sum, "hist"));
	/* connection refused: every request failed, thresholds or not */
	ck_assert(num(run, "requests") > 0);
	ck_assert(num(run, "errors") == num(run, "requests"));
	done(&a);

	/* Recorded, paginated. */
	a = req("GET", API "/results/bg", "limit=1", NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq((int)num(a.json, "count"), 1);
	const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "results"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r0, "run_id")), run_id);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r0, "status")), "complete");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "hasMore")));
	done(&a);
	a = req("GET", API "/results", "offset=1", NULL);
	ck_assert_int_eq((int)num(a.json, "count"), 0);
	done(&a);
	expect(req("GET", API "/results/bg", "limit=0", NULL), 400, "invalid_request");
	expect(req("GET", API "/results/bg", "limit=x", NULL), 400, "invalid_request");
	expect(req("GET", API "/results/unknown", NULL, NULL), 404, "not_found");

	/* The subscribers heard the run, in order. */
	pthread_mutex_lock(&seen_mu);
	ck_assert_msg(strstr(seen, "run_start\nsample\nsample\nsummary\n") != NULL, "%s", seen);
	pthread_mutex_unlock(&seen_mu);

	/* A baseline of it, then a comparison; the verdict is recorded. */
	a = req("POST", API "/baselines", NULL, "{\"scenarioId\": \"bg\", \"version\": \"1.0\"}");
	ck_assert_int_eq(a.status, 201);
	const cJSON *b = cJSON_GetObjectItem(a.json, "baseline");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b, "run_id")), run_id);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b, "version")), "1.0");
	done(&a);
	a = req("GET", API "/baselines", "scenarioId=bg", NULL);
	ck_assert_int_eq((int)num(a.json, "count"), 1);
	done(&a);
	a = req("GET", API "/baselines", "scenarioId=bg&environment=staging", NULL);
	ck_assert_int_eq((int)num(a.json, "count"), 0);
	done(&a);
	free(run_id);
}
END_TEST

START_TEST(run_stopped)
{
	store("long", "http://127.0.0.1:1", 60);
	struct answer a = req("POST", API "/run", NULL, "{\"scenarioId\": \"long\"}");
	ck_assert_int_eq(a.status, 202);
	char *run_id = strdup(str(&a, "runId"));
	done(&a);
	usleep(300000);
	a = req("POST", API "/stop", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "stopped"), 0)),
			 run_id);
	done(&a);
	char *st = wait_run(run_id, 10);
	ck_assert_str_eq(st, "interrupted");
	free(st);
	expect(req("POST", API "/stop", NULL, NULL), 409, "conflict");
	/* An interrupted run is no baseline. */
	char body[200];
	snprintf(body, sizeof body, "{\"scenarioId\": \"long\", \"runId\": \"%s\"}", run_id);
	expect(req("POST", API "/baselines", NULL, body), 409, "conflict");
	a = req("GET", "/metrics", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(a.res.body, "lt_runs_finished_total{status=\"interrupted\"} 1\n"));
	done(&a);
	free(run_id);
}
END_TEST

START_TEST(max_runs)
{
	struct lt_serve *s = server(NULL, NULL, 0, 2);
	char *body = scenario("two", "http://127.0.0.1:1", 30);
	const char *h = "127.0.0.1:1";
	expect(req_full(s, "POST", API "/scenarios", NULL, body, NULL, h, NULL), 201, NULL);
	const char *run = "{\"scenarioId\": \"two\"}";
	expect(req_full(s, "POST", API "/run", NULL, run, NULL, h, NULL), 202, NULL);
	expect(req_full(s, "POST", API "/run", NULL, run, NULL, h, NULL), 202, NULL);
	expect(req_full(s, "POST", API "/run", NULL, run, NULL, h, NULL), 409, "conflict");
	/* Nor a benchmark while load runs. */
	expect(req_full(s, "POST", API "/benchmarks/run", NULL, "{\"suites\": \"cache\"}", NULL, h,
			NULL), 409, "conflict");
	struct answer a = req_full(s, "GET", API "/status", NULL, NULL, NULL, h, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a.json, "runs")), 2);
	done(&a);
	free(body);
	/* Freeing stops both and waits for them. */
	lt_serve_free(s);
}
END_TEST

START_TEST(baselines_alerts_thresholds_report)
{
	store("th", "http://127.0.0.1:1", 5);
	expect(req("POST", API "/baselines", NULL, "{\"scenarioId\": \"th\"}"), 409, "conflict");
	expect(req("POST", API "/baselines", NULL, "{\"scenarioId\": \"none\"}"), 404, "not_found");
	expect(req("POST", API "/baselines", NULL, "{\"version\": \"1\"}"), 400, "invalid_request");
	struct answer a = req("GET", API "/regression-alerts", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq((int)num(a.json, "count"), 0);
	done(&a);
	expect(req("GET", API "/regression-alerts", "scenarioId=a%2Fb", NULL), 400, "invalid_request");

	a = req("POST", API "/regression-thresholds", NULL,
		"{\"scenarioId\": \"th\", \"thresholds\": {\"responseTime.p95\": {\"warning\": 5,"
		" \"critical\": 15}}}");
	ck_assert_int_eq(a.status, 200);
	const cJSON *p95 = cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "thresholds"),
					       "responseTime.p95");
	ck_assert_int_eq((int)num(p95, "warning"), 5);
	done(&a);
	/* A second update keeps the first. */
	expect(req("POST", API "/regression-thresholds", NULL,
		   "{\"scenarioId\": \"th\", \"thresholds\": {\"errorRate\": {\"warning\": 20, "
		   "\"critical\": 40}}}"), 200, NULL);
	a = req("GET", API "/regression-thresholds", "scenarioId=th", NULL);
	ck_assert_int_eq(a.status, 200);
	const cJSON *t = cJSON_GetObjectItem(a.json, "thresholds");
	ck_assert_int_eq((int)num(cJSON_GetObjectItem(t, "responseTime.p95"), "warning"), 5);
	ck_assert_int_eq((int)num(cJSON_GetObjectItem(t, "errorRate"), "warning"), 20);
	done(&a);
	expect(req("POST", API "/regression-thresholds", NULL,
		   "{\"thresholds\": {\"responseTime.p96\": {\"warning\": 5}}}"), 400, "invalid_request");
	expect(req("POST", API "/regression-thresholds", NULL, "{\"thresholds\": 3}"), 400,
	       "invalid_request");
	expect(req("POST", API "/regression-thresholds", NULL,
		   "{\"scenarioId\": \"none\", \"thresholds\": {}}"), 404, "not_found");

	expect(req("GET", API "/regression-report/th", NULL, NULL), 404, "not_found");
	expect(req("GET", API "/regression-report/th", "format=pdf", NULL), 400, "invalid_request");
}
END_TEST

/* The watch loop in-process: a run recorded without a comparison is
 * judged by the next pass, and the subscribers hear the verdict. */
START_TEST(monitoring)
{
	struct answer a = req("GET", API "/regression-monitoring", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "active")));
	done(&a);
	expect(req("POST", API "/regression-monitoring/stop", NULL, NULL), 409, "conflict");
	expect(req("POST", API "/regression-monitoring/start", NULL, "{\"interval\": 0.1}"), 400,
	       "invalid_request");
	expect(req("POST", API "/regression-monitoring/start", NULL, "{\"every\": 5}"), 400,
	       "invalid_request");

	store("mon", "http://127.0.0.1:1", 2);
	const char *ids[2];
	for (int i = 0; i < 2; i++) {
		a = req("POST", API "/run", NULL, "{\"scenarioId\": \"mon\"}");
		ck_assert_int_eq(a.status, 202);
		ids[i] = strdup(str(&a, "runId"));
		done(&a);
		free(wait_run(ids[i], 20));
		if (i == 0)
			expect(req("POST", API "/baselines", NULL, "{\"scenarioId\": \"mon\"}"), 201, NULL);
	}
	a = req("POST", API "/regression-monitoring/start", NULL, "{\"interval\": 1}");
	ck_assert_int_eq(a.status, 202);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "active")));
	done(&a);
	expect(req("POST", API "/regression-monitoring/start", NULL, "{}"), 409, "conflict");
	a = req("GET", "/health", NULL, NULL);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "running"), "monitoring")));
	done(&a);
	for (int i = 0;; i++) {
		a = req("GET", API "/regression-monitoring", NULL, NULL);
		if (num(a.json, "checked") >= 1)
			break;
		ck_assert_msg(i < 100, "nothing checked: %.*s", (int)a.res.body_len, a.res.body);
		done(&a);
		usleep(100000);
	}
	/* The second run, not the baseline's. */
	const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "recent"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r0, "run_id")), ids[1]);
	ck_assert_int_eq((int)num(a.json, "checked"), 1);
	done(&a);
	pthread_mutex_lock(&seen_mu);
	ck_assert_msg(strstr(seen, "verdict\n") != NULL, "%s", seen);
	pthread_mutex_unlock(&seen_mu);
	a = req("POST", API "/regression-monitoring/stop", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "active")));
	ck_assert(num(a.json, "passes") >= 1);
	done(&a);
	free((void *)ids[0]);
	free((void *)ids[1]);
}
END_TEST

START_TEST(benchmarks)
{
	struct answer a = req("GET", API "/benchmarks", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	const cJSON *suites = cJSON_GetObjectItem(a.json, "suites");
	ck_assert_int_gt(cJSON_GetArraySize(suites), 3);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(suites, 0),
								 "benchmarks")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a.json, "recent")), 0);
	done(&a);
	expect(req("POST", API "/benchmarks/run", NULL, "{\"suites\": \"nosuch\"}"), 400,
	       "invalid_request");
	/* Commands are never run over the API: no such field. */
	expect(req("POST", API "/benchmarks/run", NULL, "{\"command\": [\"sh\", \"-c\", \"id\"]}"),
	       400, "invalid_request");
	expect(req("POST", API "/benchmarks/stop", NULL, NULL), 409, "conflict");
	expect(req("GET", API "/benchmarks/status", NULL, NULL), 200, NULL);
}
END_TEST

START_TEST(schedules)
{
	store("nightly-target", "http://127.0.0.1:1", 5);
	expect(req("POST", API "/schedules", NULL,
		   "{\"name\": \"nightly\", \"scenarioId\": \"nightly-target\","
		   " \"schedule\": \"0 2 * * *\", \"timezone\": \"UTC\"}"), 201, NULL);
	struct answer a = req("GET", API "/schedules", NULL, NULL);
	ck_assert_int_eq((int)num(a.json, "count"), 1);
	const cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "schedules"), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(s0, "name")), "nightly");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(s0, "nextFireAt"));
	done(&a);
	expect(req("POST", API "/schedules", NULL,
		   "{\"name\": \"nightly\", \"scenarioId\": \"nightly-target\", \"schedule\": \"0 3 * * *\"}"),
	       409, "conflict");
	expect(req("POST", API "/schedules", "replace=1",
		   "{\"name\": \"nightly\", \"scenarioId\": \"nightly-target\", \"schedule\": \"0 3 * * *\"}"),
	       201, NULL);
	expect(req("POST", API "/schedules", NULL,
		   "{\"name\": \"file\", \"scenarioFile\": \"/etc/passwd\", \"schedule\": \"0 3 * * *\"}"),
	       400, "invalid_request");
	expect(req("POST", API "/schedules", NULL,
		   "{\"name\": \"bad\", \"scenarioId\": \"nightly-target\", \"schedule\": \"0 25 * * *\"}"),
	       400, "invalid_request");
	expect(req("POST", API "/schedules", NULL,
		   "{\"name\": \"unknown\", \"scenarioId\": \"nope\", \"schedule\": \"0 3 * * *\"}"),
	       404, "not_found");
	expect(req("GET", API "/schedules/nightly", NULL, NULL), 200, NULL);
	expect(req("DELETE", API "/schedules/nightly", NULL, NULL), 200, NULL);
	expect(req("DELETE", API "/schedules/nightly", NULL, NULL), 404, "not_found");
}
END_TEST

START_TEST(training)
{
	expect(req("POST", API "/neural-training", NULL, "{\"scenarioId\": \"none\"}"), 404,
	       "not_found");
	expect(req("POST", API "/neural-training", NULL, "{}"), 400, "invalid_request");
	expect(req("POST", API "/neural-training", NULL, "{\"scenarioIds\": [\"a\", 3]}"), 400,
	       "invalid_request");
	expect(req("POST", API "/neural-training", NULL, "{\"scenarioId\": \"x\", \"epochs\": 0}"),
	       400, "invalid_request");
	struct answer a = req("GET", API "/neural-training/status", NULL, NULL);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(str(&a, "state"), "idle");
	done(&a);
}
END_TEST

START_TEST(listen_addresses)
{
	struct lt_err err = {0};
	char host[64];
	unsigned port;

	ck_assert_int_eq(lt_serve_listen_check("127.0.0.1:3001", false, host, sizeof host, &port, &err), LT_OK);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_eq(port, 3001);
	ck_assert_int_eq(lt_serve_listen_check("3002", false, host, sizeof host, &port, &err), LT_OK);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_eq(port, 3002);
	ck_assert_int_eq(lt_serve_listen_check("[::1]:0", false, host, sizeof host, &port, &err), LT_OK);
	ck_assert_str_eq(host, "::1");
	ck_assert_int_eq(lt_serve_listen_check("127.8.9.10:0", false, host, sizeof host, &port, &err), LT_OK);
	/* Anything else needs a token. */
	ck_assert_int_eq(lt_serve_listen_check("0.0.0.0:3001", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "--token-file"));
	ck_assert_int_eq(lt_serve_listen_check("0.0.0.0:3001", true, host, sizeof host, &port, &err), LT_OK);
	ck_assert_int_eq(lt_serve_listen_check("[::]:3001", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("192.168.1.5:80", false, host, sizeof host, &port, &err), LT_EUSAGE);
	/* Names are not resolved: an address literal or nothing. */
	ck_assert_int_eq(lt_serve_listen_check("localhost:3001", true, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("127.0.0.1:65536", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("127.0.0.1:", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("127.0.0.1:-1", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("::1:80", false, host, sizeof host, &port, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_serve_listen_check("", false, host, sizeof host, &port, &err), LT_EUSAGE);
}
END_TEST

START_TEST(token_files)
{
	struct lt_err err = {0};
	char path[160], *tok = NULL;
	FILE *f;

	snprintf(path, sizeof path, "%s/token", dir);
	ck_assert_int_eq(lt_serve_read_token(path, &tok, &err), LT_ENOTFOUND);
	f = fopen(path, "w");
	fputs("  short \n", f);
	fclose(f);
	ck_assert_int_eq(lt_serve_read_token(path, &tok, &err), LT_EUSAGE);
	f = fopen(path, "w");
	fputs("\n", f);
	fclose(f);
	ck_assert_int_eq(lt_serve_read_token(path, &tok, &err), LT_EUSAGE);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "empty"));
	f = fopen(path, "w");
	fputs("abc def ghi jkl mno pqr\n", f);
	fclose(f);
	ck_assert_int_eq(lt_serve_read_token(path, &tok, &err), LT_EUSAGE);
	f = fopen(path, "w");
	fputs("  9f2c4e1b7a3d5f60a8b9c0d1e2f3a4b5 \r\nsecond line\n", f);
	fclose(f);
	ck_assert_int_eq(lt_serve_read_token(path, &tok, &err), LT_OK);
	ck_assert_str_eq(tok, "9f2c4e1b7a3d5f60a8b9c0d1e2f3a4b5");
	free(tok);
}
END_TEST

START_TEST(options_checked)
{
	struct lt_serve_opts o = {.db_path = db_path, .max_runs = LT_SERVE_MAX_RUNS + 1};
	struct lt_serve *s = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_serve_new(&o, &s, &err), LT_EUSAGE);
	o.max_runs = 0;
	o.max_body = LT_SERVE_MAX_BODY_LIMIT + 1;
	ck_assert_int_eq(lt_serve_new(&o, &s, &err), LT_EUSAGE);
	o.max_body = 0;
	o.token = "";
	ck_assert_int_eq(lt_serve_new(&o, &s, &err), LT_EUSAGE);
	o.token = NULL;
	const char *bad[] = {"http://x/"};
	o.allow_targets = bad;
	o.n_allow_targets = 1;
	ck_assert_int_eq(lt_serve_new(&o, &s, &err), LT_EUSAGE);
	ck_assert_ptr_null(s);
	o.n_allow_targets = 0;
	o.db_path = "/nonexistent/dir/lt.db";
	ck_assert_int_ne(lt_serve_new(&o, &s, &err), LT_OK);
	ck_assert_ptr_null(s);
	lt_serve_free(NULL);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("serve");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, routes_unknown_and_methods);
	tcase_add_test(tc, error_details_utf8);
	tcase_add_test(tc, health_and_metrics);
	tcase_add_test(tc, dashboard_is_self_contained);
	tcase_add_test(tc, auth_with_token);
	tcase_add_test(tc, host_and_origin);
	tcase_add_test(tc, bodies);
	tcase_add_test(tc, scenarios_store_and_list);
	tcase_add_test(tc, allow_target);
	tcase_add_test(tc, dry_run_and_nothing_running);
	tcase_add_test(tc, run_in_background);
	tcase_add_test(tc, run_stopped);
	tcase_add_test(tc, max_runs);
	tcase_add_test(tc, baselines_alerts_thresholds_report);
	tcase_add_test(tc, monitoring);
	tcase_add_test(tc, benchmarks);
	tcase_add_test(tc, schedules);
	tcase_add_test(tc, training);
	tcase_add_test(tc, listen_addresses);
	tcase_add_test(tc, token_files);
	tcase_add_test(tc, options_checked);
	suite_add_tcase(s, tc);
	return s;
}
