/* scenario.h -- load and validate scenario files (the format of lt-scenario(5)).
 *
 * A scenario says what load to put on which HTTP endpoints for how long,
 * and which limits the run must stay within.  This module turns scenario
 * JSON into a struct lt_scenario the load engine reads, and refuses
 * anything it does not understand: an unknown field, a wrong type, a value
 * out of range or two fields that contradict each other is an error whose
 * message names the file, the JSON path and the reason, in one line:
 *
 *     health.json: config.users.rampUp.strategy: expected one of linear,
 *         exponential, step, got "lin"
 *     health.json:12:5: JSON syntax error: expected ',' or '}', got '"'
 *
 * Only the first error is reported; which one is first is fixed (objects
 * are checked for unknown fields before their fields are read, fields are
 * read in the order lt-scenario(5) lists them, arrays front to back), so
 * the same file always gives the same message.
 *
 * What a scenario holds after loading is a value description: plain
 * structs with every default filled in and every duration converted to one
 * unit (seconds for test and request durations, milliseconds for latencies
 * and think time, as the field names say).  All of it is owned by the
 * struct lt_scenario_set it came from and is read-only after load; the one
 * way to change it is lt_scenario_apply_overrides(), which re-checks.
 * Reading a loaded set from several threads at once is safe.
 *
 * Not here: picking endpoints by weight, pacing users, sending requests
 * (the engine); judging a finished run against thresholds (regress).
 */
#ifndef LT_SCENARIO_H
#define LT_SCENARIO_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* Limits, each documented in lt-scenario(5).  They exist so that a typo
 * ("concurrent": 1000000000) is an error at load rather than a machine
 * brought to its knees at run time. */
#define LT_SCENARIO_MAX_BYTES      (16u << 20) /* scenario file, and an "@file" body */
#define LT_SCENARIO_MAX_DEPTH      64          /* JSON nesting */
#define LT_SCENARIO_MAX_USERS      100000      /* users.concurrent, arrival.maxUsers */
#define LT_SCENARIO_MAX_RATE       1000000.0   /* arrival rates, requests per second */
#define LT_SCENARIO_MAX_DURATION_S 2592000.0   /* 30 days: any duration field */
#define LT_SCENARIO_MAX_HEADERS    256         /* entries in one headers or tags object */
/* config.endpoints.  The summary record carries a row and a histogram per
 * endpoint in one NDJSON line of at most LT_NDJSON_MAX_LINE (4 MiB): at a
 * few hundred bytes to a few KiB each, a thousand fit with room to spare,
 * a hundred thousand cannot (measured: 100000 endpoints made a 7.8 MB
 * run_start and a summary lt-run could not write). */
#define LT_SCENARIO_MAX_ENDPOINTS  1000
/* A scenario's config as lt_scenario_to_json writes it, in compact JSON.
 * It travels in every run_start and plan record, whose lines are capped at
 * LT_NDJSON_MAX_LINE; 1 MiB leaves the rest of the line to the other
 * fields.  Large bodies belong in "@file" bodies, written by name. */
#define LT_SCENARIO_MAX_CONFIG_BYTES (1u << 20)
#define LT_SCENARIO_ID_MAX         64

/* Defaults applied when a field is absent. */
#define LT_SCENARIO_DEFAULT_TIMEOUT_S         30.0
#define LT_SCENARIO_DEFAULT_CONNECT_TIMEOUT_S 10.0
#define LT_SCENARIO_DEFAULT_STEPS             4
#define LT_SCENARIO_DEFAULT_MAX_USERS         1000

typedef enum {
	LT_HTTP_GET,
	LT_HTTP_HEAD,
	LT_HTTP_POST,
	LT_HTTP_PUT,
	LT_HTTP_PATCH,
	LT_HTTP_DELETE,
	LT_HTTP_OPTIONS,
} lt_http_method;

typedef enum { LT_HTTP_VERSION_1_1, LT_HTTP_VERSION_2 } lt_http_version;

/* Closed model: a fixed population of virtual users, each sending a
 * request, waiting for the answer, thinking, and sending the next.  Open
 * model: requests arrive at a set rate whether or not earlier ones have
 * been answered (latency counts from the intended start). */
typedef enum { LT_MODEL_CLOSED, LT_MODEL_OPEN } lt_load_model;

typedef enum { LT_RAMP_LINEAR, LT_RAMP_EXPONENTIAL, LT_RAMP_STEP } lt_ramp_strategy;

typedef enum { LT_THINK_UNIFORM, LT_THINK_NORMAL, LT_THINK_EXPONENTIAL } lt_think_distribution;

typedef enum {
	LT_BODY_NONE,  /* no body */
	LT_BODY_TEXT,  /* a JSON string, sent as it is */
	LT_BODY_JSON,  /* a JSON object or array, sent serialised (compact) */
	LT_BODY_FILE,  /* "@file": the file's bytes, read at load */
} lt_body_kind;

typedef enum { LT_OP_LT, LT_OP_LE, LT_OP_GT, LT_OP_GE } lt_threshold_op;

/* A header or a tag.  Names keep the case they were written in. */
struct lt_header {
	const char *name;
	const char *value;
};

/* One step of a JSON check path: an object key, or (key == NULL) an
 * array index, negative counting from the end (-1 is the last element). */
struct lt_json_step {
	const char *key;
	long index;
};

/* validation.json[i]: the value at path must equal `equals` (when not
 * NULL), else must exist (exists true) or must not (exists false). */
struct lt_json_check {
	const char *path;                /* as written, e.g. "data.items[0].id" */
	const struct lt_json_step *steps;
	size_t n_steps;                  /* 0: the whole document ("$") */
	const cJSON *equals;
	bool exists;
};

/* What a response must satisfy to count as a success. */
struct lt_validation {
	const int *status_codes;         /* n_status_codes == 0: any of 200..399 */
	size_t n_status_codes;
	double max_response_time_ms;     /* 0: no limit */
	const char *const *body_contains;
	size_t n_body_contains;
	const char *const *body_not_contains;
	size_t n_body_not_contains;
	const char *body_regex;          /* NULL: no regex check */
	regex_t regex;                   /* body_regex compiled with REG_EXTENDED |
					  * REG_NOSUB; regexec() on it is safe
					  * from several threads */
	const struct lt_json_check *json;
	size_t n_json;
};

struct lt_endpoint {
	const char *name;                /* default "METHOD path" */
	const char *path;                /* starts with "/", may hold a query */
	const char *url;                 /* config.baseUrl + path, ready to send */
	lt_http_method method;
	double weight;                   /* >= 0 */
	double cumulative_weight;        /* weights of endpoints 0..this one; the
					  * last equals config.total_weight, so
					  * picking is a search for r * total */
	const struct lt_header *headers; /* this endpoint's own, as written */
	size_t n_headers;
	const struct lt_header *request_headers; /* what to send: config.headers,
					  * then the endpoint's (which replace
					  * config headers of the same name, in
					  * any case), then Content-Type:
					  * application/json for LT_BODY_JSON
					  * unless one was given */
	size_t n_request_headers;
	lt_body_kind body_kind;
	const char *body;                /* NULL for LT_BODY_NONE; NUL-terminated,
					  * but a file body may hold NULs: use
					  * body_len */
	size_t body_len;
	const char *body_file;           /* LT_BODY_FILE: the name as written */
	double timeout_s;                /* the endpoint's, else config.timeout_s */
	struct lt_validation validation;
};

struct lt_ramp {
	double duration_s;               /* 0: no ramp */
	lt_ramp_strategy strategy;       /* default linear */
	int steps;                       /* strategy step: default 4; else 0 */
};

struct lt_think_time {
	double min_ms, max_ms;           /* default 0, 0 */
	lt_think_distribution distribution; /* default uniform */
};

struct lt_users {
	int concurrent;
	struct lt_ramp ramp_up, ramp_down;
	struct lt_think_time think_time;
};

struct lt_arrival_stage {
	double duration_s;               /* > 0 */
	double target_rate;              /* requests per second at the stage's end */
};

/* Open model: the rate starts at `rate`, moves linearly to each stage's
 * target over the stage's duration, and holds the last value until the
 * test ends. */
struct lt_arrival {
	double rate;
	const struct lt_arrival_stage *stages;
	size_t n_stages;
	int max_users;                   /* requests in flight at most */
};

struct lt_duration {
	double total_s;                  /* > 0 */
	double warmup_s, cooldown_s;     /* >= 0, warmup + cooldown < total */
};

struct lt_http_options {
	lt_http_version version;         /* default 1.1 */
	bool insecure;                   /* skip TLS verification; default false */
	const char *cacert;              /* as written; NULL: system CAs */
	const char *cacert_path;         /* resolved against the scenario's dir */
};

/* A limit on a run metric.  metric is one of the names of lt-ndjson(5):
 * responseTime.{min,mean,p50,p90,p95,p99,max} (ms), errorRate (%),
 * throughput.{avg,peak} (requests/s); it points to constant storage. */
struct lt_threshold {
	const char *metric;
	lt_threshold_op op;
	double limit;
};

struct lt_scenario_config {
	const char *base_url;            /* without a trailing "/" */
	const struct lt_header *headers;
	size_t n_headers;
	const struct lt_endpoint *endpoints;
	size_t n_endpoints;              /* >= 1 */
	double total_weight;             /* > 0 */
	lt_load_model model;             /* open when "arrival" is given */
	struct lt_users users;           /* closed model only */
	struct lt_arrival arrival;       /* open model only */
	struct lt_duration duration;
	const struct lt_threshold *thresholds;
	size_t n_thresholds;
	double timeout_s;                /* default 30 */
	double connect_timeout_s;        /* default 10 */
	struct lt_http_options http;
};

struct lt_scenario_options {
	bool save_baseline;              /* default false */
	bool compare_baseline;           /* default false */
	const char *environment;         /* NULL when not given */
	const char *version;             /* NULL when not given */
};

struct lt_scenario {
	const char *id;                  /* [A-Za-z0-9][A-Za-z0-9._-]{0,63} */
	const char *name;
	const char *description;         /* NULL when not given */
	const struct lt_header *tags;    /* name = tag key */
	size_t n_tags;
	struct lt_scenario_config config;
	struct lt_scenario_options options;

	/* Private: where the scenario came from, for messages and overrides. */
	const char *source;              /* file name as given, or "<stdin>" */
	const char *base_dir;            /* "@file" and cacert are relative to it */
	long index;                      /* position in an array file, -1 if none */
	struct lt_scenario_set *set;     /* the owner */
};

/* Parse and validate the scenario file at path ("-" reads stdin and calls
 * it "<stdin>" in messages).  The file may hold one scenario object or an
 * array of them.  Messages show path as given.  "@file" bodies and cacert
 * resolve against the file's directory (the current one for stdin).
 * *out is new (lt_scenario_set_free) on success and unchanged on failure.
 * Errors: LT_EINVAL (bad scenario), LT_ENOTFOUND, LT_EIO, LT_ELIMIT
 * (file over LT_SCENARIO_MAX_BYTES), LT_ENOMEM. */
lt_rc lt_scenario_load_file(const char *path, struct lt_scenario_set **out,
			    struct lt_err *err);

/* The same from text[0..len) (need not be NUL-terminated), named name in
 * messages; base_dir (NULL: ".") is where "@file" names start.  text is
 * borrowed for the call only.  *out is new on success. */
lt_rc lt_scenario_parse(const char *text, size_t len, const char *name,
			const char *base_dir, struct lt_scenario_set **out,
			struct lt_err *err);

/* Number of scenarios in set (>= 1 for a loaded set, 0 for NULL). */
size_t lt_scenario_set_count(const struct lt_scenario_set *set);

/* Scenario i in file order, or NULL when i is out of range.  Borrowed:
 * valid until lt_scenario_set_free(set). */
struct lt_scenario *lt_scenario_set_get(struct lt_scenario_set *set, size_t i);

/* The scenario whose id is id, or NULL.  Borrowed, like _get. */
struct lt_scenario *lt_scenario_set_find(struct lt_scenario_set *set, const char *id);

/* Free set and every scenario in it; NULL is a no-op. */
void lt_scenario_set_free(struct lt_scenario_set *set);

/* The scenario as it will run, as JSON in the format of lt-scenario(5):
 * defaults filled in, durations as plain numbers (seconds or milliseconds
 * as the field says), thresholds as a list of {metric, op, limit}, "@file"
 * bodies and cacert as written.  Parsing it again (with the same base_dir)
 * gives an equal scenario.  New (cJSON_Delete); NULL when out of memory. */
cJSON *lt_scenario_to_json(const struct lt_scenario *sc);

/* Command-line changes to a loaded scenario (lt-run --duration, --users,
 * --rate, --threshold).  Zero fields leave the scenario alone. */
struct lt_scenario_overrides {
	double duration_s;     /* > 0: duration.total */
	int users;             /* > 0: users.concurrent (closed model) or
				* arrival.maxUsers (open model) */
	double rate;           /* > 0: switch to the open model at this constant
				* rate (stages are dropped) */
	const char *base_url;  /* not NULL: config.baseUrl (checked as in a file);
				* copied */
	const struct lt_threshold *thresholds; /* each replaces the scenario's
				* thresholds on the same metric */
	size_t n_thresholds;
};

/* Apply ov to sc and check the result as a load would (warmup + cooldown
 * < total, ramps within total, stages within total).  On failure sc is
 * unchanged and err says why (LT_EINVAL); LT_ENOMEM when out of memory.
 * Call it before the scenario is shared: it writes to sc and its set. */
lt_rc lt_scenario_apply_overrides(struct lt_scenario *sc,
				  const struct lt_scenario_overrides *ov,
				  struct lt_err *err);

/* Parse a threshold expression as lt-run --threshold takes it: a metric,
 * an operator (<, <=, >, >=) and a limit, spaces allowed between them:
 * "p95<300", "errorRate<1", "throughput>50", "p99<=1s",
 * "responseTime.mean < 250ms", "errorRate<=0.5%".  Short names: min,
 * mean, p50, p90, p95, p99, max (responseTime.*), throughput
 * (throughput.avg).  Latency limits are milliseconds unless a unit says
 * otherwise.  *out is filled on success, unchanged on failure. */
lt_rc lt_scenario_threshold_parse(const char *expr, struct lt_threshold *out,
				  struct lt_err *err);

/* Parse a duration as the command line gives it: a number of seconds
 * ("30", "1.5") or a number with units ("500ms", "30s", "5m", "1h",
 * "1m30s").  False (and *seconds unchanged) for anything else, a sign
 * included. */
bool lt_scenario_duration_parse(const char *s, double *seconds);

/* True when value satisfies t ("value op limit"). */
bool lt_scenario_threshold_ok(const struct lt_threshold *t, double value);

/* "<", "<=", ">", ">=". */
const char *lt_scenario_op_name(lt_threshold_op op);

/* "GET", "POST", ... */
const char *lt_scenario_method_name(lt_http_method method);

/* The value at check's path in doc, or NULL when there is none.
 * Borrowed: part of doc. */
const cJSON *lt_scenario_json_lookup(const struct lt_json_check *check,
				     const cJSON *doc);

/* True when doc passes check (equals, exists or not exists). */
bool lt_scenario_json_check(const struct lt_json_check *check, const cJSON *doc);

#endif
