/* check_scenario.c -- scenario files: loading, defaults, units, rules,
 * messages, to_json, overrides, threshold expressions, JSON checks, and
 * the bad-input corpus of tests/bad/scenario. */
#include "unit.h"
#include "scenario.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXAMPLES LT_SOURCE_DIR "/examples"
#define CORPUS LT_SOURCE_DIR "/tests/bad/scenario"

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&out, fmt, ap), 0);
	va_end(ap);
	return out;
}

/* Test JSON is written with ' for " so that it reads as JSON; dq()
 * turns it into the real thing (new). */
static char *dq(const char *s)
{
	char *out = strdup(s);
	ck_assert_ptr_nonnull(out);
	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* A valid scenario around a config body; %s gets extra config fields. */
#define SCENARIO_FMT                                                        \
	"{'id': 't', 'name': 'T', 'config': {'baseUrl': 'http://h:1',"      \
	" 'endpoints': [%s], %s 'duration': {%s}}}"

static char *scenario(const char *endpoints, const char *extra, const char *duration)
{
	char *buf = xasprintf(SCENARIO_FMT, endpoints ? endpoints : "{'path': '/'}",
			      extra ? extra : "'users': {'concurrent': 1},",
			      duration ? duration : "'total': 60");
	char *out = dq(buf);
	free(buf);
	return out;
}

static struct lt_scenario_set *parse_ok(const char *text)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	lt_rc rc = lt_scenario_parse(text, strlen(text), "t.json", NULL, &set, &err);
	ck_assert_msg(rc == LT_OK, "unexpected error: %s", lt_errmsg(&err));
	ck_assert_ptr_nonnull(set);
	return set;
}

static void parse_fails(const char *text, const char *message)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	lt_rc rc = lt_scenario_parse(text, strlen(text), "t.json", NULL, &set, &err);
	ck_assert_msg(rc != LT_OK, "accepted: %s", text);
	ck_assert_ptr_null(set);
	ck_assert_str_eq(lt_errmsg(&err), message);
}

/* parse_fails on scenario(endpoints, extra, duration). */
static void scenario_fails(const char *endpoints, const char *extra, const char *duration,
			   const char *message)
{
	char *text = scenario(endpoints, extra, duration);
	parse_fails(text, message);
	free(text);
}

static struct lt_scenario_set *scenario_ok(const char *endpoints, const char *extra,
					   const char *duration)
{
	char *text = scenario(endpoints, extra, duration);
	struct lt_scenario_set *set = parse_ok(text);
	free(text);
	return set;
}

/* ------------------------------------------------------------------ */
/* Deep equality, for the to_json round trip                           */

static void eq_str(const char *a, const char *b)
{
	if (!a || !b)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void eq_pairs(const struct lt_header *a, size_t na, const struct lt_header *b, size_t nb)
{
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		eq_str(a[i].name, b[i].name);
		eq_str(a[i].value, b[i].value);
	}
}

static void eq_strings(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++)
		eq_str(a[i], b[i]);
}

static void eq_validation(const struct lt_validation *a, const struct lt_validation *b)
{
	ck_assert_uint_eq(a->n_status_codes, b->n_status_codes);
	for (size_t i = 0; i < a->n_status_codes; i++)
		ck_assert_int_eq(a->status_codes[i], b->status_codes[i]);
	ck_assert_double_eq(a->max_response_time_ms, b->max_response_time_ms);
	eq_strings(a->body_contains, a->n_body_contains, b->body_contains, b->n_body_contains);
	eq_strings(a->body_not_contains, a->n_body_not_contains, b->body_not_contains,
		   b->n_body_not_contains);
	eq_str(a->body_regex, b->body_regex);
	ck_assert_uint_eq(a->n_json, b->n_json);
	for (size_t i = 0; i < a->n_json; i++) {
		const struct lt_json_check *x = &a->json[i], *y = &b->json[i];
		eq_str(x->path, y->path);
		ck_assert_uint_eq(x->n_steps, y->n_steps);
		for (size_t k = 0; k < x->n_steps; k++) {
			eq_str(x->steps[k].key, y->steps[k].key);
			ck_assert_int_eq(x->steps[k].index, y->steps[k].index);
		}
		ck_assert(x->exists == y->exists);
		if (!x->equals || !y->equals)
			ck_assert_ptr_eq(x->equals, y->equals);
		else
			ck_assert(cJSON_Compare(x->equals, y->equals, true));
	}
}

static void eq_ramp(const struct lt_ramp *a, const struct lt_ramp *b)
{
	ck_assert_double_eq(a->duration_s, b->duration_s);
	ck_assert_int_eq(a->strategy, b->strategy);
	ck_assert_int_eq(a->steps, b->steps);
}

static void assert_same(const struct lt_scenario *a, const struct lt_scenario *b)
{
	const struct lt_scenario_config *x = &a->config, *y = &b->config;

	eq_str(a->id, b->id);
	eq_str(a->name, b->name);
	eq_str(a->description, b->description);
	eq_pairs(a->tags, a->n_tags, b->tags, b->n_tags);
	eq_str(x->base_url, y->base_url);
	eq_pairs(x->headers, x->n_headers, y->headers, y->n_headers);
	ck_assert_uint_eq(x->n_endpoints, y->n_endpoints);
	for (size_t i = 0; i < x->n_endpoints; i++) {
		const struct lt_endpoint *p = &x->endpoints[i], *q = &y->endpoints[i];
		eq_str(p->name, q->name);
		eq_str(p->path, q->path);
		eq_str(p->url, q->url);
		ck_assert_int_eq(p->method, q->method);
		ck_assert_double_eq(p->weight, q->weight);
		ck_assert_double_eq(p->cumulative_weight, q->cumulative_weight);
		eq_pairs(p->headers, p->n_headers, q->headers, q->n_headers);
		eq_pairs(p->request_headers, p->n_request_headers, q->request_headers,
			 q->n_request_headers);
		ck_assert_int_eq(p->body_kind, q->body_kind);
		ck_assert_uint_eq(p->body_len, q->body_len);
		if (p->body)
			ck_assert(memcmp(p->body, q->body, p->body_len) == 0);
		else
			ck_assert_ptr_null(q->body);
		eq_str(p->body_file, q->body_file);
		ck_assert_double_eq(p->timeout_s, q->timeout_s);
		eq_validation(&p->validation, &q->validation);
	}
	ck_assert_double_eq(x->total_weight, y->total_weight);
	ck_assert_int_eq(x->model, y->model);
	if (x->model == LT_MODEL_CLOSED) {
		ck_assert_int_eq(x->users.concurrent, y->users.concurrent);
		eq_ramp(&x->users.ramp_up, &y->users.ramp_up);
		eq_ramp(&x->users.ramp_down, &y->users.ramp_down);
		ck_assert_double_eq(x->users.think_time.min_ms, y->users.think_time.min_ms);
		ck_assert_double_eq(x->users.think_time.max_ms, y->users.think_time.max_ms);
		ck_assert_int_eq(x->users.think_time.distribution, y->users.think_time.distribution);
	} else {
		ck_assert_double_eq(x->arrival.rate, y->arrival.rate);
		ck_assert_int_eq(x->arrival.max_users, y->arrival.max_users);
		ck_assert_uint_eq(x->arrival.n_stages, y->arrival.n_stages);
		for (size_t i = 0; i < x->arrival.n_stages; i++) {
			ck_assert_double_eq(x->arrival.stages[i].duration_s,
					    y->arrival.stages[i].duration_s);
			ck_assert_double_eq(x->arrival.stages[i].target_rate,
					    y->arrival.stages[i].target_rate);
		}
	}
	ck_assert_double_eq(x->duration.total_s, y->duration.total_s);
	ck_assert_double_eq(x->duration.warmup_s, y->duration.warmup_s);
	ck_assert_double_eq(x->duration.cooldown_s, y->duration.cooldown_s);
	ck_assert_uint_eq(x->n_thresholds, y->n_thresholds);
	for (size_t i = 0; i < x->n_thresholds; i++) {
		eq_str(x->thresholds[i].metric, y->thresholds[i].metric);
		ck_assert_int_eq(x->thresholds[i].op, y->thresholds[i].op);
		ck_assert_double_eq(x->thresholds[i].limit, y->thresholds[i].limit);
	}
	ck_assert_double_eq(x->timeout_s, y->timeout_s);
	ck_assert_double_eq(x->connect_timeout_s, y->connect_timeout_s);
	ck_assert_int_eq(x->http.version, y->http.version);
	ck_assert(x->http.insecure == y->http.insecure);
	eq_str(x->http.cacert, y->http.cacert);
	eq_str(x->http.cacert_path, y->http.cacert_path);
	ck_assert(a->options.save_baseline == b->options.save_baseline);
	ck_assert(a->options.compare_baseline == b->options.compare_baseline);
	eq_str(a->options.environment, b->options.environment);
	eq_str(a->options.version, b->options.version);
}

/* to_json(sc), printed and parsed again with the same base_dir, gives an
 * equal scenario, whose own to_json is the same JSON. */
static void assert_round_trip(const struct lt_scenario *sc)
{
	struct lt_scenario_set *again = NULL;
	struct lt_err err = {0};
	cJSON *json = lt_scenario_to_json(sc), *json2;
	char *text;

	ck_assert_ptr_nonnull(json);
	text = cJSON_Print(json);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(lt_scenario_parse(text, strlen(text), "to_json", sc->base_dir, &again,
					&err) == LT_OK, "to_json output refused: %s", lt_errmsg(&err));
	ck_assert_uint_eq(lt_scenario_set_count(again), 1);
	assert_same(sc, lt_scenario_set_get(again, 0));
	json2 = lt_scenario_to_json(lt_scenario_set_get(again, 0));
	ck_assert(cJSON_Compare(json, json2, true));
	cJSON_Delete(json2);
	cJSON_Delete(json);
	free(text);
	lt_scenario_set_free(again);
}

/* ------------------------------------------------------------------ */

START_TEST(test_quickstart_example)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	const struct lt_scenario *sc;
	const struct lt_scenario_config *c;
	const struct lt_endpoint *ep;

	ck_assert_msg(lt_scenario_load_file(EXAMPLES "/api-health-check.json", &set, &err) == LT_OK,
		      "%s", lt_errmsg(&err));
	ck_assert_uint_eq(lt_scenario_set_count(set), 1);
	sc = lt_scenario_set_get(set, 0);
	ck_assert_str_eq(sc->id, "api-health-check");
	ck_assert_str_eq(sc->name, "API Health Check");
	ck_assert_str_eq(sc->description, "Steady load on the health and status endpoints");
	ck_assert_uint_eq(sc->n_tags, 0);
	ck_assert_int_eq(sc->index, -1);
	ck_assert_str_eq(sc->source, EXAMPLES "/api-health-check.json");
	ck_assert_str_eq(sc->base_dir, EXAMPLES);
	c = &sc->config;
	ck_assert_str_eq(c->base_url, "http://127.0.0.1:3000");
	ck_assert_uint_eq(c->n_headers, 0);
	ck_assert_uint_eq(c->n_endpoints, 2);
	ck_assert_double_eq(c->total_weight, 100);

	ep = &c->endpoints[0];
	ck_assert_str_eq(ep->name, "GET /health");
	ck_assert_str_eq(ep->path, "/health");
	ck_assert_str_eq(ep->url, "http://127.0.0.1:3000/health");
	ck_assert_int_eq(ep->method, LT_HTTP_GET);
	ck_assert_double_eq(ep->weight, 70);
	ck_assert_double_eq(ep->cumulative_weight, 70);
	ck_assert_int_eq(ep->body_kind, LT_BODY_NONE);
	ck_assert_ptr_null(ep->body);
	ck_assert_uint_eq(ep->n_request_headers, 0);
	ck_assert_double_eq(ep->timeout_s, 30);
	ck_assert_uint_eq(ep->validation.n_status_codes, 1);
	ck_assert_int_eq(ep->validation.status_codes[0], 200);
	ck_assert_double_eq(ep->validation.max_response_time_ms, 0);
	ck_assert_ptr_null(ep->validation.body_regex);
	ck_assert_uint_eq(ep->validation.n_json, 0);

	ep = &c->endpoints[1];
	ck_assert_str_eq(ep->name, "GET /api/status");
	ck_assert_str_eq(ep->url, "http://127.0.0.1:3000/api/status");
	ck_assert_double_eq(ep->weight, 30);
	ck_assert_double_eq(ep->cumulative_weight, 100);
	ck_assert_uint_eq(ep->validation.n_status_codes, 2);
	ck_assert_int_eq(ep->validation.status_codes[0], 200);
	ck_assert_int_eq(ep->validation.status_codes[1], 204);

	ck_assert_int_eq(c->model, LT_MODEL_CLOSED);
	ck_assert_int_eq(c->users.concurrent, 10);
	ck_assert_double_eq(c->users.ramp_up.duration_s, 10);
	ck_assert_int_eq(c->users.ramp_up.strategy, LT_RAMP_LINEAR);
	ck_assert_int_eq(c->users.ramp_up.steps, 0);
	ck_assert_double_eq(c->users.ramp_down.duration_s, 5);
	ck_assert_int_eq(c->users.ramp_down.strategy, LT_RAMP_LINEAR);
	ck_assert_double_eq(c->users.think_time.min_ms, 100);
	ck_assert_double_eq(c->users.think_time.max_ms, 500);
	ck_assert_int_eq(c->users.think_time.distribution, LT_THINK_UNIFORM);
	ck_assert_double_eq(c->duration.total_s, 60);
	ck_assert_double_eq(c->duration.warmup_s, 10);
	ck_assert_double_eq(c->duration.cooldown_s, 5);

	ck_assert_uint_eq(c->n_thresholds, 5);
	ck_assert_str_eq(c->thresholds[0].metric, "responseTime.p95");
	ck_assert_int_eq(c->thresholds[0].op, LT_OP_LE);
	ck_assert_double_eq(c->thresholds[0].limit, 500);
	ck_assert_str_eq(c->thresholds[1].metric, "responseTime.p99");
	ck_assert_double_eq(c->thresholds[1].limit, 1000);
	ck_assert_str_eq(c->thresholds[2].metric, "responseTime.max");
	ck_assert_double_eq(c->thresholds[2].limit, 5000);
	ck_assert_str_eq(c->thresholds[3].metric, "errorRate");
	ck_assert_int_eq(c->thresholds[3].op, LT_OP_LE);
	ck_assert_double_eq(c->thresholds[3].limit, 1);
	ck_assert_str_eq(c->thresholds[4].metric, "throughput.avg");
	ck_assert_int_eq(c->thresholds[4].op, LT_OP_GE);
	ck_assert_double_eq(c->thresholds[4].limit, 10);

	ck_assert_double_eq(c->timeout_s, 30);
	ck_assert_double_eq(c->connect_timeout_s, 10);
	ck_assert_int_eq(c->http.version, LT_HTTP_VERSION_1_1);
	ck_assert(!c->http.insecure);
	ck_assert_ptr_null(c->http.cacert);
	ck_assert(!sc->options.save_baseline);
	ck_assert(!sc->options.compare_baseline);
	ck_assert_ptr_null(sc->options.environment);
	ck_assert_ptr_null(sc->options.version);
	ck_assert_ptr_eq(lt_scenario_set_find(set, "api-health-check"), sc);
	lt_scenario_set_free(set);
}
END_TEST

START_TEST(test_other_examples)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	const struct lt_scenario *sc;
	const struct lt_endpoint *ep;

	ck_assert_msg(lt_scenario_load_file(EXAMPLES "/checkout-flow.json", &set, &err) == LT_OK,
		      "%s", lt_errmsg(&err));
	sc = lt_scenario_set_get(set, 0);
	ck_assert_uint_eq(sc->n_tags, 2);
	ck_assert_str_eq(sc->tags[1].name, "tier");
	ck_assert_str_eq(sc->tags[1].value, "critical");
	ck_assert_double_eq(sc->config.timeout_s, 5);
	ck_assert_double_eq(sc->config.connect_timeout_s, 2);
	ep = &sc->config.endpoints[0];
	ck_assert_str_eq(ep->url, "http://127.0.0.1:3000/api/products?page=1");
	ck_assert_double_eq(ep->validation.max_response_time_ms, 300);
	ck_assert_uint_eq(ep->n_request_headers, 2);
	ep = &sc->config.endpoints[1];
	ck_assert_int_eq(ep->body_kind, LT_BODY_JSON);
	ck_assert_str_eq(ep->body, "{\"productId\":42,\"quantity\":1}");
	ck_assert_uint_eq(ep->body_len, strlen(ep->body));
	ck_assert_uint_eq(ep->n_request_headers, 3);
	ck_assert_str_eq(ep->request_headers[2].name, "Content-Type");
	ck_assert_str_eq(ep->request_headers[2].value, "application/json");
	ep = &sc->config.endpoints[2];
	ck_assert_double_eq(ep->timeout_s, 10);
	ck_assert_uint_eq(ep->n_headers, 1);
	ck_assert_uint_eq(ep->n_request_headers, 4);
	ck_assert_int_eq(regexec(&ep->validation.regex, "{\"orderId\": \"ab-12\"}", 0, NULL, 0), 0);
	ck_assert_int_ne(regexec(&ep->validation.regex, "{\"orderId\": 12}", 0, NULL, 0), 0);
	ck_assert_int_eq(sc->config.users.ramp_up.strategy, LT_RAMP_STEP);
	ck_assert_int_eq(sc->config.users.ramp_up.steps, 4);
	ck_assert_double_eq(sc->config.users.think_time.min_ms, 500);
	ck_assert_double_eq(sc->config.users.think_time.max_ms, 2000);
	ck_assert_double_eq(sc->config.duration.total_s, 300);
	ck_assert_double_eq(sc->config.thresholds[2].limit, 1000);
	ck_assert(sc->options.compare_baseline);
	ck_assert_str_eq(sc->options.environment, "staging");
	ck_assert_str_eq(sc->options.version, "2.4.0");
	lt_scenario_set_free(set);

	set = NULL;
	ck_assert_msg(lt_scenario_load_file(EXAMPLES "/open-model.json", &set, &err) == LT_OK,
		      "%s", lt_errmsg(&err));
	sc = lt_scenario_set_get(set, 0);
	ck_assert_int_eq(sc->config.model, LT_MODEL_OPEN);
	ck_assert_double_eq(sc->config.arrival.rate, 10);
	ck_assert_uint_eq(sc->config.arrival.n_stages, 3);
	ck_assert_double_eq(sc->config.arrival.stages[1].duration_s, 60);
	ck_assert_double_eq(sc->config.arrival.stages[0].target_rate, 50);
	ck_assert_int_eq(sc->config.arrival.max_users, 200);
	ck_assert_uint_eq(sc->config.n_thresholds, 4);
	ck_assert_str_eq(sc->config.thresholds[1].metric, "responseTime.p99");
	ck_assert_int_eq(sc->config.thresholds[1].op, LT_OP_LE);
	ck_assert_double_eq(sc->config.thresholds[1].limit, 1000);
	ck_assert_str_eq(sc->config.thresholds[3].metric, "throughput.avg");
	ck_assert_int_eq(sc->config.thresholds[3].op, LT_OP_GE);
	lt_scenario_set_free(set);
}
END_TEST

START_TEST(test_array_file)
{
	char *text = dq("[{'id': 'a', 'name': 'A', 'config': {'baseUrl': 'http://h',"
			" 'endpoints': [{'path': '/a'}], 'users': {'concurrent': 1},"
			" 'duration': {'total': 10}}},"
			" {'id': 'b', 'name': 'B', 'config': {'baseUrl': 'https://h:8443/',"
			" 'endpoints': [{'path': '/b'}], 'arrival': {'rate': 5},"
			" 'duration': {'total': 10}}}]");
	struct lt_scenario_set *set = parse_ok(text);

	ck_assert_uint_eq(lt_scenario_set_count(set), 2);
	ck_assert_str_eq(lt_scenario_set_get(set, 0)->id, "a");
	ck_assert_int_eq(lt_scenario_set_get(set, 0)->index, 0);
	ck_assert_str_eq(lt_scenario_set_get(set, 1)->id, "b");
	ck_assert_int_eq(lt_scenario_set_get(set, 1)->index, 1);
	ck_assert_str_eq(lt_scenario_set_get(set, 1)->config.endpoints[0].url, "https://h:8443/b");
	ck_assert_ptr_null(lt_scenario_set_get(set, 2));
	ck_assert_ptr_eq(lt_scenario_set_find(set, "b"), lt_scenario_set_get(set, 1));
	ck_assert_ptr_null(lt_scenario_set_find(set, "c"));
	ck_assert_uint_eq(lt_scenario_set_count(NULL), 0);
	lt_scenario_set_free(set);
	lt_scenario_set_free(NULL);
	free(text);
}
END_TEST

START_TEST(test_defaults)
{
	struct lt_scenario_set *set = scenario_ok("{'path': '/x'}, {'path': '/y', 'method': 'DELETE'}",
						  NULL, NULL);
	const struct lt_scenario *sc = lt_scenario_set_get(set, 0);
	const struct lt_scenario_config *c = &sc->config;

	ck_assert_ptr_null(sc->description);
	ck_assert_str_eq(c->endpoints[0].name, "GET /x");
	ck_assert_str_eq(c->endpoints[1].name, "DELETE /y");
	ck_assert_int_eq(c->endpoints[1].method, LT_HTTP_DELETE);
	ck_assert_double_eq(c->endpoints[0].weight, 1);
	ck_assert_double_eq(c->endpoints[1].cumulative_weight, 2);
	ck_assert_double_eq(c->total_weight, 2);
	ck_assert_double_eq(c->endpoints[0].timeout_s, LT_SCENARIO_DEFAULT_TIMEOUT_S);
	ck_assert_uint_eq(c->endpoints[0].validation.n_status_codes, 0);
	ck_assert_double_eq(c->users.ramp_up.duration_s, 0);
	ck_assert_int_eq(c->users.ramp_up.strategy, LT_RAMP_LINEAR);
	ck_assert_double_eq(c->users.ramp_down.duration_s, 0);
	ck_assert_double_eq(c->users.think_time.min_ms, 0);
	ck_assert_double_eq(c->users.think_time.max_ms, 0);
	ck_assert_double_eq(c->duration.warmup_s, 0);
	ck_assert_double_eq(c->duration.cooldown_s, 0);
	ck_assert_uint_eq(c->n_thresholds, 0);
	ck_assert_double_eq(c->timeout_s, 30);
	ck_assert_double_eq(c->connect_timeout_s, 10);
	ck_assert_int_eq(c->http.version, LT_HTTP_VERSION_1_1);
	lt_scenario_set_free(set);

	/* thinkTime max defaults to min; step ramps to 4 steps; maxUsers. */
	set = scenario_ok(NULL, "'users': {'concurrent': 3, 'rampUp': {'duration': 6, "
			  "'strategy': 'step'}, 'thinkTime': {'min': 250}},", NULL);
	c = &lt_scenario_set_get(set, 0)->config;
	ck_assert_int_eq(c->users.ramp_up.steps, LT_SCENARIO_DEFAULT_STEPS);
	ck_assert_double_eq(c->users.think_time.max_ms, 250);
	lt_scenario_set_free(set);
	set = scenario_ok(NULL, "'arrival': {'rate': 2.5},", NULL);
	c = &lt_scenario_set_get(set, 0)->config;
	ck_assert_int_eq(c->model, LT_MODEL_OPEN);
	ck_assert_int_eq(c->arrival.max_users, LT_SCENARIO_DEFAULT_MAX_USERS);
	ck_assert_uint_eq(c->arrival.n_stages, 0);
	lt_scenario_set_free(set);
}
END_TEST

START_TEST(test_duration_units)
{
	static const struct {
		const char *value;
		double seconds; /* in a seconds field (duration.total) */
		double ms;      /* in a milliseconds field (thinkTime.min) */
	} good[] = {
		{"'500ms'", 0.5, 500}, {"'1.5s'", 1.5, 1500}, {"'30s'", 30, 30000},
		{"'5m'", 300, 300000}, {"'1h'", 3600, 3600000}, {"'1m30s'", 90, 90000},
		{"'2h0m1s'", 7201, 7201000}, {"2.5", 2.5, 2.5}, {"90", 90, 90},
	};
	static const char *const bad[] = {
		"'5'", "'5 s'", "'1.s'", "'s'", "'1d'", "''", "'1.2.3s'", "'.5s'", "'5S'",
		"'1m 30s'", "true", "null", "[1]",
	};

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char dur[64], users[128];
		struct lt_scenario_set *set;
		snprintf(dur, sizeof dur, "'total': %s", good[i].value);
		snprintf(users, sizeof users, "'users': {'concurrent': 1, 'thinkTime': "
			 "{'min': %s, 'max': '2h1m'}},", good[i].value);
		set = scenario_ok(NULL, users, "'total': '3h'");
		ck_assert_double_eq_tol(lt_scenario_set_get(set, 0)->config.users.think_time.min_ms,
					good[i].ms, 1e-9);
		lt_scenario_set_free(set);
		set = scenario_ok(NULL, NULL, dur);
		ck_assert_double_eq_tol(lt_scenario_set_get(set, 0)->config.duration.total_s,
					good[i].seconds, 1e-9);
		lt_scenario_set_free(set);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char dur[64], *text, msg[256];
		struct lt_scenario_set *set = NULL;
		struct lt_err err = {0};
		snprintf(dur, sizeof dur, "'total': %s", bad[i]);
		text = scenario(NULL, NULL, dur);
		ck_assert_msg(lt_scenario_parse(text, strlen(text), "t.json", NULL, &set, &err) != LT_OK,
			      "accepted %s", bad[i]);
		snprintf(msg, sizeof msg, "t.json: config.duration.total: expected a number of "
			 "seconds or a duration such as \"30s\", got ");
		ck_assert_msg(strncmp(lt_errmsg(&err), msg, strlen(msg)) == 0, "%s", lt_errmsg(&err));
		free(text);
	}
	scenario_fails(NULL, NULL, "'total': '31d'",
		       "t.json: config.duration.total: expected a number of seconds or a "
		       "duration such as \"30s\", got \"31d\"");
	scenario_fails(NULL, NULL, "'total': '721h'",
		       "t.json: config.duration.total: must be at most 30 days, got \"721h\"");
	scenario_fails(NULL, "'users': {'concurrent': 1, 'thinkTime': {'min': 'x'}},", NULL,
		       "t.json: config.users.thinkTime.min: expected a number of milliseconds or "
		       "a duration such as \"500ms\", got \"x\"");
}
END_TEST

START_TEST(test_rules)
{
	struct lt_scenario_set *set;

	/* warmup + cooldown == total is refused; ramps == total are fine. */
	scenario_fails(NULL, NULL, "'total': 10, 'warmup': 5, 'cooldown': '5s'",
		       "t.json: config.duration: warmup (5 s) + cooldown (5 s) must be less "
		       "than total (10 s)");
	set = scenario_ok(NULL, "'users': {'concurrent': 2, 'rampUp': {'duration': 6}, "
			  "'rampDown': {'duration': '4s'}},", "'total': 10, 'warmup': 9.5");
	lt_scenario_set_free(set);
	scenario_fails(NULL, "'users': {'concurrent': 2, 'rampUp': {'duration': 6}, "
		       "'rampDown': {'duration': 4.5}},", "'total': 10",
		       "t.json: config.users: rampUp (6 s) + rampDown (4.5 s) must not exceed "
		       "duration.total (10 s)");
	scenario_fails(NULL, "'users': {'concurrent': 2, 'rampUp': {'strategy': 'step'}},", NULL,
		       "t.json: config.users.rampUp.duration: required field is missing");
	scenario_fails(NULL, "'users': {'concurrent': 2, 'rampUp': {'duration': 1, "
		       "'strategy': 'step', 'steps': 0}},", NULL,
		       "t.json: config.users.rampUp.steps: must be > 0, got 0");
	scenario_fails(NULL, "'users': {},", NULL,
		       "t.json: config.users.concurrent: required field is missing");
	scenario_fails(NULL, "'users': {'concurrent': 1.5},", NULL,
		       "t.json: config.users.concurrent: expected an integer, got 1.5");
	/* A zero weight is fine while another is positive. */
	set = scenario_ok("{'path': '/a', 'weight': 0}, {'path': '/b', 'weight': 0.5}", NULL, NULL);
	ck_assert_double_eq(lt_scenario_set_get(set, 0)->config.total_weight, 0.5);
	lt_scenario_set_free(set);
	scenario_fails("{'path': '/a', 'weight': '1'}", NULL, NULL,
		       "t.json: config.endpoints[0].weight: expected a number, got \"1\"");
	scenario_fails("{'path': '/a', 'weight': 1e999}", NULL, NULL,
		       "t.json: config.endpoints[0].weight: must be at most 1000000000, got an "
		       "out-of-range number");
	scenario_fails("{'path': '/a', 'method': 'get'}", NULL, NULL,
		       "t.json: config.endpoints[0].method: expected one of GET, HEAD, POST, PUT, "
		       "PATCH, DELETE, OPTIONS, got \"get\"");
	scenario_fails("{'path': '/a b'}", NULL, NULL,
		       "t.json: config.endpoints[0].path: must be ASCII without spaces or control "
		       "characters (percent-encode them), got \"/a b\"");
	scenario_fails("{'name': '', 'path': '/'}", NULL, NULL,
		       "t.json: config.endpoints[0].name: must not be empty");
	scenario_fails("{'path': '/', 'body': '@'}", NULL, NULL,
		       "t.json: config.endpoints[0].body: expected a file name after '@' "
		       "(write \"@@\" for a literal '@')");
	scenario_fails("{'path': '/', 'validation': {'statusCode': []}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.statusCode: must not be empty");
	scenario_fails("{'path': '/', 'validation': {'statusCode': 99}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.statusCode: must be between 100 "
		       "and 599, got 99");
	scenario_fails("{'path': '/', 'validation': {'bodyContains': ['ok', 3]}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.bodyContains[1]: expected a "
		       "string, got 3");
	scenario_fails("{'path': '/', 'validation': {'json': [{'exists': true}]}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.json[0].path: required field "
		       "is missing");
	scenario_fails("{'path': '/', 'validation': {'json': [{'path': 'a'}]}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.json[0]: needs \"equals\" or "
		       "\"exists\"");
	scenario_fails("{'path': '/', 'validation': {'json': [{'path': 'a[x]', 'exists': "
		       "true}]}}", NULL, NULL,
		       "t.json: config.endpoints[0].validation.json[0].path: bad path \"a[x]\": "
		       "expected an index or a quoted key after '['");
	scenario_fails("{'path': '/', 'headers': {'Accept': 'a', 'accept': 'b'}}", NULL, NULL,
		       "t.json: config.endpoints[0].headers.accept: duplicate header (names are "
		       "case-insensitive)");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': {'responseTime': "
		       "{'p95': 0}},", NULL,
		       "t.json: config.thresholds.responseTime.p95: must be > 0, got 0");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': {'throughput': "
		       "{'min': -1}},", NULL,
		       "t.json: config.thresholds.throughput.min: must be > 0, got -1");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': [{'metric': 'p95', "
		       "'op': '<', 'limit': '-1s'}],", NULL,
		       "t.json: config.thresholds[0].limit: must be >= 0, got \"-1s\"");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': [{'metric': 'p95', "
		       "'op': '<'}],", NULL,
		       "t.json: config.thresholds[0].limit: required field is missing");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': [{'metric': "
		       "'errorRate', 'op': '<', 'limit': 101}],", NULL,
		       "t.json: config.thresholds[0].limit: must be at most 100 (errorRate is a "
		       "percentage), got 101");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'thresholds': 5,", NULL,
		       "t.json: config.thresholds: expected an object or an array, got 5");
	scenario_fails(NULL, "'arrival': {'rate': 1, 'stages': [{'duration': 5}]},", NULL,
		       "t.json: config.arrival.stages[0].target: required field is missing");
	scenario_fails(NULL, "'arrival': {'rate': 1, 'maxUsers': 0},", NULL,
		       "t.json: config.arrival.maxUsers: must be > 0, got 0");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'http': {'cacert': 'no/such.pem'},",
		       NULL, "t.json: config.http.cacert: cannot read \"no/such.pem\": No such "
		       "file or directory");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'http': {'insecure': 1},", NULL,
		       "t.json: config.http.insecure: expected true or false, got 1");
	scenario_fails(NULL, "'users': {'concurrent': 1}, 'connectTimeout': '-1s',", NULL,
		       "t.json: config.connectTimeout: must be >= 0, got \"-1s\"");

	/* ids */
	{
		char id[80], *text;
		memset(id, 'a', 64);
		id[64] = '\0';
		text = xasprintf("{\"id\": \"%s\", \"name\": \"n\"}", id);
		parse_fails(text, "t.json: config: required field is missing");
		free(text);
		text = xasprintf("{\"id\": \"%sa\", \"name\": \"n\"}", id);
		parse_fails(text, "t.json: id: must be 1 to 64 characters of A-Z a-z 0-9 . _ - "
			    "starting with a letter or digit, got "
			    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
		free(text);
	}
	parse_fails("{\"id\": \"..\"}", "t.json: id: must be 1 to 64 characters of A-Z a-z 0-9 "
		    ". _ - starting with a letter or digit, got \"..\"");
	parse_fails("{\"id\": \"-x\"}", "t.json: id: must be 1 to 64 characters of A-Z a-z 0-9 "
		    ". _ - starting with a letter or digit, got \"-x\"");
	parse_fails("{\"Id\": \"x\"}", "t.json: Id: unknown field, did you mean \"id\"?");
	parse_fails("{\"id\": \"x\", \"name\": \"\"}", "t.json: name: must not be empty");
	parse_fails("{\"id\": \"x\", \"name\": \"n\", \"weird key\": 1}",
		    "t.json: [\"weird key\"]: unknown field");
	parse_fails("[{\"id\": \"x\", \"name\": \"n\", \"config\": {\"timeout\": 1, \"baseUrl\": "
		    "\"http://h\"}}]", "t.json: [0].config.endpoints: required field is missing");
	parse_fails("[1]", "t.json: [0]: expected an object, got 1");
	parse_fails("\"x\"", "t.json: expected a scenario object or an array of scenarios, "
		    "got \"x\"");
}
END_TEST

START_TEST(test_base_url)
{
	static const struct {
		const char *url, *message;
	} bad[] = {
		{"localhost:3000", "must start with http:// or https://, got \"localhost:3000\""},
		{"http:/h", "must start with http:// or https://, got \"http:/h\""},
		{"http://", "has no host, got \"http://\""},
		{"http://h:99999", "has a bad port number, got \"http://h:99999\""},
		{"http://h:0", "has a bad port number, got \"http://h:0\""},
		{"http://h#top", "must not have a query or fragment (put them in the endpoint "
				 "paths), got \"http://h#top\""},
		{"http://a b", "must be ASCII without spaces or control characters, got \"http://a b\""},
		{"http://[zz]/", "is not a valid URL, got \"http://[zz]/\""},
	};
	static const struct {
		const char *url, *joined;
	} good[] = {
		{"http://h", "http://h/p"},
		{"HTTPS://h:8443/", "HTTPS://h:8443/p"},
		{"http://user:pw@h/api/", "http://user:pw@h/api/p"},
		{"http://[::1]:3000", "http://[::1]:3000/p"},
	};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = xasprintf("{\"id\": \"x\", \"name\": \"n\", \"config\": "
				       "{\"baseUrl\": \"%s\"}}", bad[i].url);
		char *msg = xasprintf("t.json: config.baseUrl: %s", bad[i].message);
		parse_fails(text, msg);
		free(text);
		free(msg);
	}
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char *text = scenario("{'path': '/p'}", NULL, NULL), *full;
		struct lt_scenario_set *set;
		/* Swap the URL in: scenario() fixes it to http://h:1. */
		char *at = strstr(text, "http://h:1");
		ck_assert_ptr_nonnull(at);
		full = xasprintf("%.*s%s%s", (int)(at - text), text, good[i].url,
				 at + strlen("http://h:1"));
		set = parse_ok(full);
		ck_assert_str_eq(lt_scenario_set_get(set, 0)->config.endpoints[0].url, good[i].joined);
		lt_scenario_set_free(set);
		free(full);
		free(text);
	}
}
END_TEST

START_TEST(test_headers_and_bodies)
{
	struct lt_scenario_set *set;
	const struct lt_endpoint *ep;
	char *text = dq("{'id': 't', 'name': 'T', 'config': {'baseUrl': 'http://h',"
			" 'headers': {'Authorization': 'Bearer x', 'X-Env': 'ci'},"
			" 'endpoints': ["
			"  {'path': '/a', 'method': 'PUT', 'headers': {'x-env': 'prod'}, 'body': [1, 2]},"
			"  {'path': '/b', 'method': 'POST', 'headers': {'Content-Type': 'text/x'},"
			"   'body': {'k': 'v'}},"
			"  {'path': '/c', 'method': 'POST', 'body': '@@literal'},"
			"  {'path': '/d', 'method': 'POST', 'body': 'plain text'}],"
			" 'users': {'concurrent': 1}, 'duration': {'total': 1}}}");

	set = parse_ok(text);
	free(text);
	ep = &lt_scenario_set_get(set, 0)->config.endpoints[0];
	ck_assert_uint_eq(ep->n_headers, 1);
	ck_assert_uint_eq(ep->n_request_headers, 3);
	ck_assert_str_eq(ep->request_headers[0].name, "Authorization");
	ck_assert_str_eq(ep->request_headers[1].name, "x-env");
	ck_assert_str_eq(ep->request_headers[1].value, "prod");
	ck_assert_str_eq(ep->request_headers[2].name, "Content-Type");
	ck_assert_str_eq(ep->body, "[1,2]");
	ep++;
	ck_assert_uint_eq(ep->n_request_headers, 3);
	ck_assert_str_eq(ep->request_headers[2].value, "text/x");
	ck_assert_int_eq(ep->body_kind, LT_BODY_JSON);
	ep++;
	ck_assert_int_eq(ep->body_kind, LT_BODY_TEXT);
	ck_assert_str_eq(ep->body, "@literal");
	ck_assert_uint_eq(ep->n_request_headers, 2);
	ep++;
	ck_assert_str_eq(ep->body, "plain text");
	ck_assert_uint_eq(ep->body_len, 10);
	assert_round_trip(lt_scenario_set_get(set, 0));
	lt_scenario_set_free(set);
}
END_TEST

/* A scenario in a directory of its own with a body file (holding a NUL)
 * and a CA file beside it: both resolve against the scenario's directory. */
START_TEST(test_files_relative_to_scenario)
{
	char dir[] = "/tmp/lt-scenario-XXXXXX", path[256], sub[256];
	static const char body[] = "{\"a\":\0\"b\"}";
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	const struct lt_scenario *sc;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/bodies", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/bodies/order.bin", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	fwrite(body, 1, sizeof body - 1, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("not really a certificate\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/s.json", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"id\": \"f\", \"name\": \"F\", \"config\": {\"baseUrl\": \"https://h\","
	      " \"http\": {\"version\": \"2\", \"insecure\": true, \"cacert\": \"ca.pem\"},"
	      " \"endpoints\": [{\"path\": \"/o\", \"method\": \"POST\", \"body\": \"@bodies/order.bin\"}],"
	      " \"users\": {\"concurrent\": 1}, \"duration\": {\"total\": 1}}}", f);
	fclose(f);

	ck_assert_msg(lt_scenario_load_file(path, &set, &err) == LT_OK, "%s", lt_errmsg(&err));
	sc = lt_scenario_set_get(set, 0);
	ck_assert_str_eq(sc->base_dir, dir);
	ck_assert_int_eq(sc->config.endpoints[0].body_kind, LT_BODY_FILE);
	ck_assert_uint_eq(sc->config.endpoints[0].body_len, sizeof body - 1);
	ck_assert(memcmp(sc->config.endpoints[0].body, body, sizeof body - 1) == 0);
	ck_assert_str_eq(sc->config.endpoints[0].body_file, "bodies/order.bin");
	ck_assert_int_eq(sc->config.http.version, LT_HTTP_VERSION_2);
	ck_assert(sc->config.http.insecure);
	ck_assert_str_eq(sc->config.http.cacert, "ca.pem");
	snprintf(sub, sizeof sub, "%s/ca.pem", dir);
	ck_assert_str_eq(sc->config.http.cacert_path, sub);
	assert_round_trip(sc);
	{
		/* to_json keeps the file names as written. */
		cJSON *j = lt_scenario_to_json(sc);
		const cJSON *ep = cJSON_GetArrayItem(cJSON_GetObjectItem(
			cJSON_GetObjectItem(j, "config"), "endpoints"), 0);
		ck_assert_str_eq(cJSON_GetObjectItem(ep, "body")->valuestring, "@bodies/order.bin");
		cJSON_Delete(j);
	}
	lt_scenario_set_free(set);

	/* The same file given as a path with no directory part. */
	set = NULL;
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_msg(lt_scenario_load_file("s.json", &set, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(lt_scenario_set_get(set, 0)->base_dir, ".");
	ck_assert_str_eq(lt_scenario_set_get(set, 0)->config.http.cacert_path, "ca.pem");
	lt_scenario_set_free(set);
	ck_assert_int_eq(chdir("/"), 0);

	{
		static const char *const made[] = {"bodies/order.bin", "ca.pem", "s.json"};
		for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, made[i]);
			ck_assert_int_eq(unlink(path), 0);
		}
		snprintf(path, sizeof path, "%s/bodies", dir);
		ck_assert_int_eq(rmdir(path), 0);
		ck_assert_int_eq(rmdir(dir), 0);
	}
}
END_TEST

START_TEST(test_stdin)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	int fd = open(EXAMPLES "/api-health-check.json", O_RDONLY), saved = dup(0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 0), 0);
	close(fd);
	ck_assert_msg(lt_scenario_load_file("-", &set, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(lt_scenario_set_get(set, 0)->source, "<stdin>");
	ck_assert_str_eq(lt_scenario_set_get(set, 0)->base_dir, ".");
	lt_scenario_set_free(set);
	dup2(saved, 0);
	close(saved);
}
END_TEST

/* The size limits of lt-scenario(5) LIMITS: endpoints, the config as it
 * travels in run_start, and a file of many scenarios checked for
 * duplicate ids in linear time. */
START_TEST(test_size_limits)
{
	struct lt_scenario_set *set;
	size_t n = LT_SCENARIO_MAX_ENDPOINTS + 1, len = 0, cap = 32 * n + 1;
	char *eps = malloc(cap), *text, *body;

	ck_assert_ptr_nonnull(eps);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(eps + len, cap - len, "%s{'path': '/e%zu'}", i ? "," : "", i);
	text = scenario(eps, NULL, NULL);
	parse_fails(text, "t.json: config.endpoints: 1001 endpoints, more than the 1000 a "
		    "scenario may have");
	free(text);
	/* At the limit. */
	*strrchr(eps, ',') = '\0';
	set = scenario_ok(eps, NULL, NULL);
	ck_assert_uint_eq(lt_scenario_set_get(set, 0)->config.n_endpoints, LT_SCENARIO_MAX_ENDPOINTS);
	lt_scenario_set_free(set);
	free(eps);

	/* An inline body of 1 MiB makes a config over the limit; the same
	 * body from a file is written by name. */
	ck_assert_ptr_nonnull(body = malloc((1u << 20) + 1));
	memset(body, 'x', 1u << 20);
	body[1u << 20] = '\0';
	eps = xasprintf("{'path': '/', 'method': 'POST', 'body': '%s'}", body);
	text = scenario(eps, NULL, NULL);
	{
		struct lt_err err = {0};
		set = NULL;
		ck_assert_int_eq(lt_scenario_parse(text, strlen(text), "t.json", NULL, &set, &err),
				 LT_EINVAL);
		ck_assert_ptr_null(set);
		ck_assert_msg(strncmp(lt_errmsg(&err), "t.json: config: 10", 18) == 0 &&
			      strstr(lt_errmsg(&err), " bytes as written into run_start, more "
				     "than the 1048576 allowed") != NULL, "%s", lt_errmsg(&err));
	}
	free(text);
	free(eps);
	free(body);

	/* 20000 scenarios, the last repeating the id of [7]; then unique. */
	n = 20000;
	cap = 200 * n + 16;
	ck_assert_ptr_nonnull(text = malloc(cap));
	for (int unique = 0; unique < 2; unique++) {
		len = (size_t)snprintf(text, cap, "[");
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len,
						"%s{\"id\": \"s%zu\", \"name\": \"n\", \"config\": {\"baseUrl\": "
						"\"http://h:1\", \"endpoints\": [{\"path\": \"/\"}], "
						"\"users\": {\"concurrent\": 1}, \"duration\": {\"total\": 1}}}",
						i ? "," : "", i == n - 1 && !unique ? (size_t)7 : i);
		snprintf(text + len, cap - len, "]");
		if (!unique) {
			parse_fails(text, "t.json: [19999].id: duplicate id \"s7\", also used by [7]");
			continue;
		}
		set = parse_ok(text);
		ck_assert_uint_eq(lt_scenario_set_count(set), n);
		ck_assert_ptr_nonnull(lt_scenario_set_find(set, "s19999"));
		lt_scenario_set_free(set);
	}
	free(text);
}
END_TEST

START_TEST(test_input_errors)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	char *big;
	size_t n = LT_SCENARIO_MAX_BYTES + 1;

	ck_assert_int_eq(lt_scenario_load_file("/nonexistent/s.json", &set, &err), LT_ENOTFOUND);
	ck_assert_str_eq(lt_errmsg(&err), "/nonexistent/s.json: No such file or directory");
	ck_assert_ptr_null(set);

	/* Over the limit: refused before anything is parsed. */
	ck_assert_ptr_nonnull(big = malloc(n));
	memset(big, ' ', n);
	ck_assert_int_eq(lt_scenario_parse(big, n, "big.json", NULL, &set, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "big.json: larger than 16 MiB, the limit for scenario files");
	/* At the limit: read, and refused as empty. */
	ck_assert_int_eq(lt_scenario_parse(big, n - 1, "big.json", NULL, &set, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "big.json: empty file, expected a scenario object or an "
			 "array of scenarios");
	free(big);
	{
		char path[] = "/tmp/lt-big-XXXXXX";
		int fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, (off_t)n), 0);
		close(fd);
		ck_assert_int_eq(lt_scenario_load_file(path, &set, &err), LT_ELIMIT);
		ck_assert(strstr(lt_errmsg(&err), ": larger than 16 MiB") != NULL);
		unlink(path);
	}

	/* Line and column: lines counted by \n (a \r before it is just a
	 * character), columns in characters, after a byte order mark. */
	parse_fails("\xef\xbb\xbf{\r\n  \"id\": \"\xc3\xa9\xc3\xa9\" x}",
		    "t.json:2:14: JSON syntax error: expected ',' or '}', got 'x'");
	parse_fails("{\"a\": [1, 2,]}", "t.json:1:13: JSON syntax error: trailing comma before ']'");
	parse_fails("{\"a\": [1 2]}", "t.json:1:10: JSON syntax error: expected ',' or ']', got '2'");
	parse_fails("{\"a\": -}", "t.json:1:7: JSON syntax error: bad number: expected a digit "
		    "after '-'");
	parse_fails("{\"a\": 1.}", "t.json:1:7: JSON syntax error: bad number: expected a digit "
		    "after '.'");
	parse_fails("{\"a\": 1e}", "t.json:1:7: JSON syntax error: bad number: expected a digit "
		    "in the exponent");
	parse_fails("{\"a\" 1}", "t.json:1:6: JSON syntax error: expected ':' after the key, got '1'");
	parse_fails("{1: 2}", "t.json:1:2: JSON syntax error: expected a string key or '}', got '1'");
	parse_fails("{\"a\": \"\\ud800\"}", "t.json:1:8: JSON syntax error: unpaired surrogate \\uD800");
	parse_fails("{\"a\": \"\\u12\"}", "t.json:1:8: JSON syntax error: bad \\u escape (needs four "
		    "hex digits)");
	parse_fails("{\"a\": \"\t\"}", "t.json:1:8: JSON syntax error: control character U+0009 in "
		    "a string (escape it)");
	parse_fails("{\"a\": NaN}", "t.json:1:7: JSON syntax error: expected a value, got 'NaN'");
	ck_assert_int_eq(lt_scenario_parse("{\"a\": \"x\0\"}", 11, "t.json", NULL, &set, &err),
			 LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "t.json:1:9: NUL byte in the file");
	parse_fails("\xff", "t.json:1:1: invalid UTF-8 (byte 0xff)");
	parse_fails(" \n\t ", "t.json: empty file, expected a scenario object or an array of scenarios");
	/* Escapes that are valid JSON decode before the schema sees them. */
	parse_fails("{\"\\u0069d\": \"a\\u00e9\"}", "t.json: id: must be 1 to 64 characters of "
		    "A-Z a-z 0-9 . _ - starting with a letter or digit, got \"a\xc3\xa9\"");
}
END_TEST

START_TEST(test_round_trip)
{
	static const char *const files[] = {
		EXAMPLES "/api-health-check.json",
		EXAMPLES "/checkout-flow.json",
		EXAMPLES "/open-model.json",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct lt_scenario_set *set = NULL;
		struct lt_err err = {0};
		ck_assert_msg(lt_scenario_load_file(files[i], &set, &err) == LT_OK, "%s",
			      lt_errmsg(&err));
		assert_round_trip(lt_scenario_set_get(set, 0));
		lt_scenario_set_free(set);
	}
	{
		struct lt_scenario_set *set = scenario_ok(
			"{'path': '/', 'validation': {'json': [{'path': '$', 'equals': {'a': [1, null]}},"
			" {'path': 'x[\\'k.y\\'][-1]', 'exists': false}], 'bodyContains': 'ok',"
			" 'bodyRegex': '^[{]'}}",
			"'users': {'concurrent': 1, 'rampDown': {'duration': '500ms', 'strategy': "
			"'exponential'}, 'thinkTime': {'min': 0.25, 'distribution': 'exponential'}},"
			" 'thresholds': ['p50<=0.5s', 'throughput.peak>100', 'errorRate>=0'],"
			" 'timeout': 0.1,",
			"'total': 0.75, 'cooldown': 0.1");
		assert_round_trip(lt_scenario_set_get(set, 0));
		lt_scenario_set_free(set);
	}
}
END_TEST

START_TEST(test_to_json_shape)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	cJSON *j, *cfg;
	char *text;

	ck_assert_int_eq(lt_scenario_load_file(EXAMPLES "/api-health-check.json", &set, &err), LT_OK);
	j = lt_scenario_to_json(lt_scenario_set_get(set, 0));
	cfg = cJSON_GetObjectItem(j, "config");
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(cfg, "thresholds"));
	ck_assert_str_eq(text, "[{\"metric\":\"responseTime.p95\",\"op\":\"<=\",\"limit\":500},"
			 "{\"metric\":\"responseTime.p99\",\"op\":\"<=\",\"limit\":1000},"
			 "{\"metric\":\"responseTime.max\",\"op\":\"<=\",\"limit\":5000},"
			 "{\"metric\":\"errorRate\",\"op\":\"<=\",\"limit\":1},"
			 "{\"metric\":\"throughput.avg\",\"op\":\">=\",\"limit\":10}]");
	free(text);
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(cfg, "users"));
	ck_assert_str_eq(text, "{\"concurrent\":10,\"rampUp\":{\"duration\":10,\"strategy\":\"linear\"},"
			 "\"rampDown\":{\"duration\":5,\"strategy\":\"linear\"},"
			 "\"thinkTime\":{\"min\":100,\"max\":500,\"distribution\":\"uniform\"}}");
	free(text);
	ck_assert_double_eq(cJSON_GetObjectItem(cfg, "timeout")->valuedouble, 30);
	ck_assert_ptr_null(cJSON_GetObjectItem(cfg, "arrival"));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "options"), "saveBaseline")));
	cJSON_Delete(j);
	lt_scenario_set_free(set);
	ck_assert_ptr_null(lt_scenario_to_json(NULL));
}
END_TEST

START_TEST(test_threshold_parse)
{
	static const struct {
		const char *expr, *metric;
		lt_threshold_op op;
		double limit;
	} good[] = {
		{"p95<300", "responseTime.p95", LT_OP_LT, 300},
		{"errorRate<1", "errorRate", LT_OP_LT, 1},
		{"throughput>50", "throughput.avg", LT_OP_GT, 50},
		{"p99<=1s", "responseTime.p99", LT_OP_LE, 1000},
		{" responseTime.mean < 250ms ", "responseTime.mean", LT_OP_LT, 250},
		{"errorRate<=0.5%", "errorRate", LT_OP_LE, 0.5},
		{"throughput.peak>=1e3/s", "throughput.peak", LT_OP_GE, 1000},
		{"max<1m", "responseTime.max", LT_OP_LT, 60000},
		{"min>0", "responseTime.min", LT_OP_GT, 0},
		{"p50<12.5", "responseTime.p50", LT_OP_LT, 12.5},
		{"p90 >= 1.5s", "responseTime.p90", LT_OP_GE, 1500},
	};
	static const struct {
		const char *expr, *message;
	} bad[] = {
		{"", "threshold \"\": expected a metric name such as p95, errorRate or throughput"},
		{"p96<3", "threshold \"p96<3\": unknown metric \"p96\" (expected min, mean, p50, p90, "
			  "p95, p99, max, errorRate, throughput or a name of lt-ndjson(5) such as "
			  "responseTime.p95)"},
		{"p95", "threshold \"p95\": expected <, <=, > or >= after \"p95\""},
		{"p95=300", "threshold \"p95=300\": expected <, <=, > or >= after \"p95\""},
		{"p95<", "threshold \"p95<\": expected a limit after the operator"},
		{"p95<abc", "threshold \"p95<abc\": bad limit \"abc\" (expected milliseconds or a "
			    "duration such as \"1s\")"},
		{"p95<300 x", "threshold \"p95<300 x\": bad limit \"300\" (expected milliseconds or "
			      "a duration such as \"1s\")"},
		{"p95<-1", "threshold \"p95<-1\": limit must be >= 0, got -1"},
		{"p95<0x10", "threshold \"p95<0x10\": bad limit \"0x10\" (expected milliseconds or "
			     "a duration such as \"1s\")"},
		{"errorRate<1s", "threshold \"errorRate<1s\": bad limit \"1s\" (expected a "
				 "percentage such as 1 or 0.5%)"},
		{"errorRate<200", "threshold \"errorRate<200\": limit must be at most 100 "
				  "(errorRate is a percentage), got 200"},
		{"throughput>fast", "threshold \"throughput>fast\": bad limit \"fast\" (expected "
				    "requests per second such as 50)"},
		{"throughput>inf", "threshold \"throughput>inf\": bad limit \"inf\" (expected "
				   "requests per second such as 50)"},
	};

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct lt_threshold t = {0};
		struct lt_err err = {0};
		ck_assert_msg(lt_scenario_threshold_parse(good[i].expr, &t, &err) == LT_OK,
			      "%s: %s", good[i].expr, lt_errmsg(&err));
		ck_assert_str_eq(t.metric, good[i].metric);
		ck_assert_int_eq(t.op, good[i].op);
		ck_assert_double_eq_tol(t.limit, good[i].limit, 1e-9);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct lt_threshold t = {"unchanged", LT_OP_GT, 7};
		struct lt_err err = {0};
		ck_assert_int_eq(lt_scenario_threshold_parse(bad[i].expr, &t, &err), LT_EINVAL);
		ck_assert_str_eq(lt_errmsg(&err), bad[i].message);
		ck_assert_str_eq(t.metric, "unchanged");
		ck_assert_double_eq(t.limit, 7);
	}
	{
		struct lt_threshold t = {"errorRate", LT_OP_LT, 1};
		ck_assert(lt_scenario_threshold_ok(&t, 0.99));
		ck_assert(!lt_scenario_threshold_ok(&t, 1));
		t.op = LT_OP_LE;
		ck_assert(lt_scenario_threshold_ok(&t, 1));
		t.op = LT_OP_GT;
		ck_assert(!lt_scenario_threshold_ok(&t, 1));
		t.op = LT_OP_GE;
		ck_assert(lt_scenario_threshold_ok(&t, 1));
		ck_assert_str_eq(lt_scenario_op_name(LT_OP_GE), ">=");
		ck_assert_str_eq(lt_scenario_method_name(LT_HTTP_OPTIONS), "OPTIONS");
	}
}
END_TEST

START_TEST(test_overrides)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	struct lt_scenario *sc;
	struct lt_threshold t[2];
	struct lt_scenario_overrides ov = {0};

	ck_assert_int_eq(lt_scenario_load_file(EXAMPLES "/api-health-check.json", &set, &err), LT_OK);
	sc = lt_scenario_set_get(set, 0);

	/* Nothing to change: a no-op. */
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_OK);
	ck_assert_double_eq(sc->config.duration.total_s, 60);

	ov.duration_s = 120;
	ov.users = 25;
	ck_assert_int_eq(lt_scenario_threshold_parse("p95<300", &t[0], &err), LT_OK);
	ck_assert_int_eq(lt_scenario_threshold_parse("p50<100", &t[1], &err), LT_OK);
	ov.thresholds = t;
	ov.n_thresholds = 2;
	ck_assert_msg(lt_scenario_apply_overrides(sc, &ov, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_double_eq(sc->config.duration.total_s, 120);
	ck_assert_int_eq(sc->config.users.concurrent, 25);
	ck_assert_uint_eq(sc->config.n_thresholds, 6);
	ck_assert_str_eq(sc->config.thresholds[0].metric, "responseTime.p99");
	ck_assert_str_eq(sc->config.thresholds[4].metric, "responseTime.p95");
	ck_assert_int_eq(sc->config.thresholds[4].op, LT_OP_LT);
	ck_assert_double_eq(sc->config.thresholds[4].limit, 300);
	ck_assert_str_eq(sc->config.thresholds[5].metric, "responseTime.p50");
	assert_round_trip(sc);

	/* Too short for warmup + cooldown: refused, scenario unchanged. */
	memset(&ov, 0, sizeof ov);
	ov.duration_s = 15;
	ov.users = 3;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), EXAMPLES "/api-health-check.json: config.duration: "
			 "warmup (10 s) + cooldown (5 s) must be less than total (15 s) after "
			 "overrides");
	ck_assert_double_eq(sc->config.duration.total_s, 120);
	ck_assert_int_eq(sc->config.users.concurrent, 25);

	/* --rate turns a closed scenario open; --users then caps it. */
	memset(&ov, 0, sizeof ov);
	ov.rate = 40;
	ov.users = 64;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_OK);
	ck_assert_int_eq(sc->config.model, LT_MODEL_OPEN);
	ck_assert_double_eq(sc->config.arrival.rate, 40);
	ck_assert_int_eq(sc->config.arrival.max_users, 64);
	assert_round_trip(sc);
	/* Open now: ramps no longer apply, warmup and cooldown still do. */
	memset(&ov, 0, sizeof ov);
	ov.duration_s = 16;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_OK);

	memset(&ov, 0, sizeof ov);
	ov.users = -1;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "users override: must be > 0 and at most 100000, got -1");
	ov.users = 0;
	ov.rate = -2;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_EINVAL);
	ov.rate = 0;
	t[0].metric = "p42";
	ov.thresholds = t;
	ov.n_thresholds = 1;
	ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "threshold override: unknown metric \"p42\"");
	lt_scenario_set_free(set);

	/* Ramps must fit in a shortened test. */
	set = scenario_ok(NULL, "'users': {'concurrent': 4, 'rampUp': {'duration': 20}, "
			  "'rampDown': {'duration': 20}},", NULL);
	memset(&ov, 0, sizeof ov);
	ov.duration_s = 30;
	ck_assert_int_eq(lt_scenario_apply_overrides(lt_scenario_set_get(set, 0), &ov, &err),
			 LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "t.json: config.users: rampUp (20 s) + rampDown (20 s) "
			 "must not exceed duration.total (30 s) after overrides");
	lt_scenario_set_free(set);

	/* Open scenario: stages must still fit; the path names the element
	 * of an array file. */
	{
		char *text = dq("[{'id': 'o', 'name': 'O', 'config': {'baseUrl': 'http://h',"
				" 'endpoints': [{'path': '/'}], 'arrival': {'rate': 1, 'stages': "
				"[{'duration': 30, 'target': 5}]}, 'duration': {'total': 60}}}]");
		set = parse_ok(text);
		free(text);
		sc = lt_scenario_set_get(set, 0);
		memset(&ov, 0, sizeof ov);
		ov.duration_s = 20;
		ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_EINVAL);
		ck_assert_str_eq(lt_errmsg(&err), "t.json: [0].config.arrival.stages: stage durations "
				 "add up to 30 s, more than duration.total (20 s) after overrides");
		ck_assert_double_eq(sc->config.duration.total_s, 60);
		ov.users = 7;
		ov.duration_s = 0;
		ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_OK);
		ck_assert_int_eq(sc->config.arrival.max_users, 7);
		ck_assert_uint_eq(sc->config.arrival.n_stages, 1);
		ov.rate = 9;
		ck_assert_int_eq(lt_scenario_apply_overrides(sc, &ov, &err), LT_OK);
		ck_assert_uint_eq(sc->config.arrival.n_stages, 0);
		ck_assert_double_eq(sc->config.arrival.rate, 9);
		lt_scenario_set_free(set);
	}
}
END_TEST

START_TEST(test_json_checks)
{
	struct lt_scenario_set *set = scenario_ok(
		"{'path': '/', 'validation': {'json': ["
		" {'path': 'data.items[0].id', 'equals': 7},"
		" {'path': 'data.items[-1].tags[1]', 'equals': 'b'},"
		" {'path': '[\\'odd.key\\'].x', 'exists': true},"
		" {'path': '$.data.total', 'equals': 2.0},"
		" {'path': 'data.missing', 'exists': false},"
		" {'path': '$', 'equals': {'only': 1}},"
		" {'path': 'data.items', 'exists': true},"
		" {'path': 'data[0]', 'exists': true}]}}", NULL, NULL);
	const struct lt_validation *v =
		&lt_scenario_set_get(set, 0)->config.endpoints[0].validation;
	cJSON *doc = cJSON_Parse("{\"data\": {\"items\": [{\"id\": 7}, {\"id\": 8, \"tags\": "
				 "[\"a\", \"b\"]}], \"total\": 2}, \"odd.key\": {\"x\": null}}");
	cJSON *other = cJSON_Parse("{\"only\": 1}");

	ck_assert_uint_eq(v->n_json, 8);
	ck_assert_uint_eq(v->json[0].n_steps, 4);
	ck_assert_str_eq(v->json[0].steps[0].key, "data");
	ck_assert_ptr_null(v->json[0].steps[2].key);
	ck_assert_int_eq(v->json[0].steps[2].index, 0);
	ck_assert_int_eq(v->json[1].steps[2].index, -1);
	ck_assert_str_eq(v->json[2].steps[0].key, "odd.key");
	ck_assert_uint_eq(v->json[5].n_steps, 0);
	for (size_t i = 0; i < 5; i++)
		ck_assert_msg(lt_scenario_json_check(&v->json[i], doc), "check %zu", i);
	ck_assert(!lt_scenario_json_check(&v->json[5], doc));
	ck_assert(lt_scenario_json_check(&v->json[5], other));
	ck_assert(lt_scenario_json_check(&v->json[6], doc));
	ck_assert(!lt_scenario_json_check(&v->json[7], doc)); /* an index into an object */
	ck_assert(!lt_scenario_json_check(&v->json[0], other));
	ck_assert(lt_scenario_json_check(&v->json[4], other));
	ck_assert_ptr_eq(lt_scenario_json_lookup(&v->json[5], doc), doc);
	cJSON_Delete(doc);
	cJSON_Delete(other);
	lt_scenario_set_free(set);

	static const struct {
		const char *path, *why;
	} bad[] = {
		{"", "must not be empty"}, {".a", "must not start with '.'"},
		{"a.", "empty key"}, {"a..b", "empty key"}, {"a[1", "expected ']' after the index"},
		{"a[1]b", "expected '.' or '[' after ']'"}, {"a]", "unexpected ']'"},
		{"a[\\\"x]", "expected \"] to close a quoted key"}, {"$x", "expected '.' or '[' after '$'"},
		{"a[99999999999]", "index out of range"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *ep = xasprintf("{'path': '/', 'validation': {'json': [{'path': \"%s\", "
				     "'exists': true}]}}", bad[i].path);
		char *msg = bad[i].path[0]
			? xasprintf("t.json: config.endpoints[0].validation.json[0].path: bad path "
				    "\"%s\": %s", bad[i].path, bad[i].why)
			: xasprintf("t.json: config.endpoints[0].validation.json[0].path: must not "
				    "be empty");
		char *text = scenario(ep, NULL, NULL);
		parse_fails(text, msg);
		free(text);
		free(ep);
		free(msg);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* The corpus: tests/bad/scenario/NN-name.json with NN-name.expect      */

static int corpus_cases(void)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > 5 && strcmp(e->d_name + strlen(e->d_name) - 5, ".json") == 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(test_corpus_is_large)
{
	/* So that the corpus loop below cannot pass by finding nothing. */
	ck_assert_int_ge(corpus_cases(), 30);
}
END_TEST

START_TEST(test_corpus)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	int checked = 0, expects = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char json[512], expect_path[512], *expected = NULL, *want;
		struct lt_scenario_set *set = NULL;
		struct lt_err err = {0};
		size_t n = 0;

		if (len > 7 && strcmp(e->d_name + len - 7, ".expect") == 0)
			expects++;
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(json, sizeof json, "%s/%s", CORPUS, e->d_name);
		snprintf(expect_path, sizeof expect_path, "%s/%.*s.expect", CORPUS,
			 (int)(len - 5), e->d_name);
		ck_assert_msg(lti_read_file(expect_path, 4096, &expected, &n, &err) == LT_OK,
			      "%s: %s", e->d_name, lt_errmsg(&err));
		while (n > 0 && expected[n - 1] == '\n')
			expected[--n] = '\0';
		ck_assert_msg(strchr(expected, '\n') == NULL, "%s: more than one line", expect_path);
		/* The file is named as given, so the message starts with the
		 * directory; the .expect holds the basename. */
		ck_assert_int_ge(asprintf(&want, "%s/%s", CORPUS, expected), 0);
		ck_assert_msg(lt_scenario_load_file(json, &set, &err) != LT_OK, "%s: accepted",
			      e->d_name);
		ck_assert_ptr_null(set);
		ck_assert_msg(strcmp(lt_errmsg(&err), want) == 0, "%s:\n  got  %s\n  want %s",
			      e->d_name, lt_errmsg(&err), want);
		free(want);
		free(expected);
		checked++;
	}
	closedir(d);
	ck_assert_int_eq(checked, expects);
	ck_assert_int_ge(checked, 30);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_quickstart_example);
	tcase_add_test(tc, test_other_examples);
	tcase_add_test(tc, test_array_file);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_duration_units);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_base_url);
	tcase_add_test(tc, test_headers_and_bodies);
	tcase_add_test(tc, test_files_relative_to_scenario);
	tcase_add_test(tc, test_stdin);
	tcase_add_test(tc, test_input_errors);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_to_json_shape);
	tcase_add_test(tc, test_threshold_parse);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_json_checks);
	tcase_add_test(tc, test_corpus_is_large);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return s;
}
