/* serve.c -- lt-serve's HTTP API (serve.h): routes, checks, background work.
 *
 * A request goes through lt_serve_handle() in this order: count it, find
 * its route (unknown path: 404), check the token (401; /health is open),
 * the Host and Origin (403), the body size (413), the method (405), the
 * body's media type and JSON (415, 400), then the route's handler.  The
 * token comes before the route's existence on purpose: an unauthenticated
 * caller learns nothing about which paths exist.
 *
 * State shared between requests and the work threads lives in struct
 * lt_serve under one mutex, held only to copy or update a few fields --
 * never across a database call, an engine call or a broadcast.
 */
#include "serve.h"

#include "analytics.h"
#include "anomaly.h"
#include "bench.h"
#include "db.h"
#include "engine.h"
#include "ndjson.h"
#include "regress.h"
#include "report.h"
#include "scenario.h"
#include "schedule.h"
#include "util.h"
#include "watch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define API "/api/load-testing"

/* Database handles kept open for request threads.  Sixteen: requests
 * hold a handle for a query or two (milliseconds), so sixteen serve far
 * more concurrent requests than the HTTP library has threads; a request
 * that finds none free waits for one rather than opening a seventeenth,
 * which would cost more than the wait. */
#define DB_POOL_MAX 16

/* Messages waiting for the subscribers at most: four minutes of one run's
 * seconds, far more than a healthy subscriber ever lags. */
#define FANOUT_MAX 256

static const char CT_JSON[] = "application/json";
static const char CT_HTML[] = "text/html; charset=utf-8";
static const char CT_PROM[] = "text/plain; version=0.0.4; charset=utf-8";
static const char CT_TEXT[] = "text/plain; charset=utf-8";
static const char CT_MD[] = "text/markdown; charset=utf-8";
static const char CT_XML[] = "application/xml; charset=utf-8";

extern const char lti_serve_dashboard_html[];

/* ---- state ------------------------------------------------------------ */

enum run_state { RUN_STARTING, RUN_RUNNING, RUN_COMPLETE, RUN_INTERRUPTED, RUN_FAILED };

static const char *const run_state_names[] = {
	[RUN_STARTING] = "starting", [RUN_RUNNING] = "running", [RUN_COMPLETE] = "complete",
	[RUN_INTERRUPTED] = "interrupted", [RUN_FAILED] = "failed",
};

struct serve_run {
	struct lt_serve *server;
	struct serve_run *next;
	char run_id[LTI_UUID_LEN];
	char *scenario_id, *scenario_name;
	char *environment, *version;          /* NULL: none given */
	bool save_baseline, compare_baseline;
	struct lt_scenario_set *set;           /* owns sc */
	struct lt_scenario *sc;
	double total_s;
	double started_at, finished_at;        /* wall clock; finished 0 while running */
	enum run_state state;
	pthread_t thread;
	bool joinable;
	struct lt_engine *engine;              /* while lt_engine_run runs; under mu */
	bool stop_requested;
	/* The work thread's own: */
	struct lt_db *db;
	cJSON *run_start_full;                 /* as the engine made it, for lt_db_run_finish */
	/* Under mu: */
	cJSON *run_start;                      /* without hist */
	cJSON *last_sample;
	cJSON *timeline;                       /* array of samples, at most LT_SERVE_TIMELINE_MAX */
	cJSON *summary;
	cJSON *verdict;
	int64_t baseline_id;                   /* 0: none saved */
	uint64_t requests, errors;
	char *error;                           /* why it failed, or a later step's failure */
};

struct bench_state {
	bool active, joinable;
	pthread_t thread;
	struct lt_bench *bench;                /* while running; under mu */
	bool stop_requested;
	char *suites, *filter;
	bool quick;
	unsigned runs;
	const char *state;                     /* "running", "finished", "failed", "interrupted" */
	size_t total, done, failed, skipped;
	cJSON *current;                        /* {suite, name, index, phase, run, runs} */
	cJSON *results;                        /* bench records */
	cJSON *problems;                       /* [{suite, name, kind, reason}] */
	double started_at, finished_at;
	char *error;
};

struct train_state {
	bool active, joinable;
	pthread_t thread;
	volatile bool stop_requested;
	cJSON *scenario_ids;                   /* array of strings */
	unsigned epochs_asked;
	bool per_second;
	unsigned long seed;
	size_t window;
	const char *state;                     /* "running", "finished", "failed", "interrupted" */
	unsigned epoch, epochs;
	double train_loss, validation_loss;
	cJSON *result;
	double started_at, finished_at;
	char *error;
};

/* Regression monitoring: the watch loop (watch.h) on a thread. */
struct monitor_state {
	bool active, joinable;
	pthread_t thread;
	volatile sig_atomic_t stop;            /* watch.h's flag; set and read atomically
						* here, as it crosses threads */
	double interval_s;
	char *environment;
	uint64_t passes, checked, failed, alerts;
	double started_at, last_pass_at, stopped_at;
	char *last_error;
	cJSON *recent;                         /* the last checks: [{run_id, scenario_id,
						* status, alerts}], newest first */
};

struct lt_serve {
	char *db_path;
	char *token;
	char **targets;
	size_t n_targets;
	unsigned max_runs;
	size_t max_body;
	unsigned engine_threads;
	char *bench_target;
	lt_serve_broadcast_fn broadcast;
	void *broadcast_user;
	lt_serve_log_fn log;
	void *log_user;
	double started_at;
	uint64_t started_mono_ns;

	pthread_mutex_t mu;                    /* everything below but the pool */
	struct serve_run *runs;                /* newest first: active, then finished */
	struct bench_state bench;
	struct train_state train;
	struct monitor_state monitor;
	int subscribers;
	uint64_t runs_started, runs_by_state[RUN_FAILED + 1];
	uint64_t requests_total, errors_total, alerts_raised;
	uint64_t http_by_status[600];

	pthread_mutex_t out_mu;                /* one log line at a time */

	pthread_mutex_t q_mu;                  /* the subscribers' queue */
	pthread_cond_t q_cv;
	char *queue[FANOUT_MAX];
	size_t q_head, q_len;
	bool q_stop, q_running;
	pthread_t q_thread;
	uint64_t ws_dropped;

	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	struct lt_db *pool[DB_POOL_MAX];
	size_t pool_free, pool_open;
};

/* ---- small helpers ---------------------------------------------------- */

static char *xstrdup(const char *s)
{
	return lti_strdup(s);
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

static void log_event(struct lt_serve *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_event(struct lt_serve *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->out_mu);
	s->log(line, s->log_user);
	pthread_mutex_unlock(&s->out_mu);
}

/* A scenario id, as lt-scenario(5) allows them. */
static bool valid_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > LT_SCENARIO_ID_MAX || !isalnum((unsigned char)id[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
			return false;
	return true;
}

/* A run id: a UUID or a prefix of one, hex digits and dashes. */
static bool valid_run_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= LTI_UUID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)id[i]) && id[i] != '-')
			return false;
	return true;
}

/* The id of a stored run, which lt-run --run-id may have chosen: what
 * lt-ndjson(5) accepts, 1 to LT_NDJSON_MAX_ID bytes without control
 * characters (the UTF-8 get_string checked). */
static bool valid_stored_run_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > LT_NDJSON_MAX_ID)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
			return false;
	return true;
}

static cJSON *num_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_num(cJSON *o, const char *k, double v)
{
	cJSON_AddItemToObject(o, k, num_or_null(v));
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void add_time(cJSON *o, const char *k, double t)
{
	char buf[LTI_TIME_LEN];

	if (t <= 0) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	lti_time_format(t, buf);
	cJSON_AddStringToObject(o, k, buf);
}

/* Remove every "hist" member, at any depth: the histograms are for
 * merging shards exactly, and a subscriber or a status poll only draws. */
static void strip_hist(cJSON *j)
{
	if (!j)
		return;
	if (cJSON_IsObject(j))
		cJSON_DeleteItemFromObjectCaseSensitive(j, "hist");
	for (cJSON *c = j->child; c; c = c->next)
		strip_hist(c);
}

static cJSON *light_copy(const cJSON *rec)
{
	cJSON *c = cJSON_Duplicate(rec, 1);

	strip_hist(c);
	return c;
}

/* ---- responses -------------------------------------------------------- */

static void reply_text(struct lt_serve_response *res, int status, const char *type, char *body,
		       size_t len)
{
	res->status = status;
	res->content_type = type;
	res->body = body;
	res->body_len = body ? len : 0;
	if (!body && status < 500)
		res->status = 500;
}

/* Answer with j (taken: deleted here). */
static void reply_json(struct lt_serve_response *res, int status, cJSON *j)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	reply_text(res, status, CT_JSON, text, text ? strlen(text) : 0);
}

/* Make s valid UTF-8 in place: each byte that does not start a valid
 * sequence becomes '?'.  Details quote the request (its path, a query
 * parameter), whose bytes can be anything, and cut quotes at a byte count
 * ("%.200s", the detail's size) that can fall inside a character; an
 * answer with them as they are is no JSON (RFC 8259 8.1). */
static void utf8_scrub(char *s)
{
	size_t i = 0, len = strlen(s);

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n && i + n <= len && lti_utf8_valid(s + i, n)) {
			i += n;
		} else {
			s[i++] = '?';
		}
	}
}

static void reply_error(struct lt_serve_response *res, int status, const char *code,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reply_error(struct lt_serve_response *res, int status, const char *code,
			const char *fmt, ...)
{
	char detail[1400];
	cJSON *j = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	utf8_scrub(detail);
	cJSON_AddStringToObject(j, "error", code);
	cJSON_AddStringToObject(j, "detail", detail);
	reply_json(res, status, j);
}

/* The answer for a library failure: the status that fits its code. */
static void reply_rc(struct lt_serve_response *res, const struct lt_err *err)
{
	const char *msg = lt_errmsg(err);

	switch (err->rc) {
	case LT_OK:
	case LT_EINTERNAL:
		reply_error(res, 500, "internal", "%s", msg);
		return;
	case LT_EINVAL:
	case LT_EUSAGE:
		reply_error(res, 400, "invalid_request", "%s", msg);
		return;
	case LT_ENOTFOUND:
		reply_error(res, 404, "not_found", "%s", msg);
		return;
	case LT_EEXIST:
		reply_error(res, 409, "conflict", "%s", msg);
		return;
	case LT_ELIMIT:
		reply_error(res, 413, "payload_too_large", "%s", msg);
		return;
	case LT_EDB:
	case LT_EIO:
	case LT_ENOMEM:
	case LT_ENET:
	case LT_EINTR:
		reply_error(res, 503, "unavailable", "%s", msg);
		return;
	}
	reply_error(res, 500, "internal", "%s", msg);
}

void lt_serve_response_clear(struct lt_serve_response *res)
{
	if (!res)
		return;
	free(res->body);
	memset(res, 0, sizeof *res);
}

/* ---- query strings ---------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of name in query (percent-decoded, '+' as space) into buf:
 * 1 when found, 0 when absent, -1 when longer than the buffer. */
static int query_get(const char *query, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name);

	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) >= nlen && strncmp(p, name, nlen) == 0 &&
		    (p + nlen == end || p[nlen] == '=')) {
			const char *v = p + nlen + (p + nlen < end);
			size_t o = 0;
			while (v < end) {
				int c = (unsigned char)*v++;
				if (c == '+') {
					c = ' ';
				} else if (c == '%' && end - v >= 2 && hexval(v[0]) >= 0 &&
					   hexval(v[1]) >= 0) {
					c = hexval(v[0]) * 16 + hexval(v[1]);
					v += 2;
				}
				if (o + 1 >= size)
					return -1;
				buf[o++] = (char)c;
			}
			buf[o] = '\0';
			return 1;
		}
		p = amp ? amp + 1 : end;
	}
	return 0;
}

/* An unsigned query parameter in [min, max], or def when absent; false
 * (and an answer) when malformed. */
static bool query_uint(const char *query, const char *name, unsigned long min, unsigned long max,
		       unsigned long def, unsigned long *out, struct lt_serve_response *res)
{
	char buf[32], *end;
	int got = query_get(query, name, buf, sizeof buf);

	if (got == 0) {
		*out = def;
		return true;
	}
	errno = 0;
	unsigned long v = got > 0 ? strtoul(buf, &end, 10) : 0;
	if (got < 0 || !buf[0] || *end || errno || buf[0] == '-' || v < min || v > max) {
		reply_error(res, 400, "invalid_request", "%s: expected an integer in %lu..%lu", name,
			    min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool query_flag(const char *query, const char *name)
{
	char buf[8];

	return query_get(query, name, buf, sizeof buf) > 0 &&
	       (!buf[0] || !strcmp(buf, "1") || !strcasecmp(buf, "true") || !strcasecmp(buf, "yes"));
}

/* An optional scenario id parameter: absent (*out NULL) or valid (*out
 * is buf, of LT_SCENARIO_ID_MAX + 2 bytes at least); false and an answer
 * when malformed. */
static bool query_id(const char *query, const char *name, char *buf, size_t size,
		     const char **out, struct lt_serve_response *res)
{
	int got = query_get(query, name, buf, size);

	*out = NULL;
	if (got == 0)
		return true;
	if (got < 0 || !valid_id(buf)) {
		reply_error(res, 400, "invalid_request",
			    "%s: not a scenario id ([A-Za-z0-9][A-Za-z0-9._-]{0,63})", name);
		return false;
	}
	*out = buf;
	return true;
}

/* ---- database handles ------------------------------------------------- */

static lt_rc db_take(struct lt_serve *s, struct lt_db **db, struct lt_err *err)
{
	lt_rc rc = LT_OK;

	pthread_mutex_lock(&s->pool_mu);
	while (s->pool_free == 0 && s->pool_open >= DB_POOL_MAX)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	if (s->pool_free > 0) {
		*db = s->pool[--s->pool_free];
		pthread_mutex_unlock(&s->pool_mu);
		return LT_OK;
	}
	s->pool_open++;
	pthread_mutex_unlock(&s->pool_mu);
	if ((rc = lt_db_open(s->db_path, 0, db, err)) != LT_OK) {
		pthread_mutex_lock(&s->pool_mu);
		s->pool_open--;
		pthread_cond_signal(&s->pool_cv);
		pthread_mutex_unlock(&s->pool_mu);
	}
	return rc;
}

static void db_give(struct lt_serve *s, struct lt_db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&s->pool_mu);
	s->pool[s->pool_free++] = db;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- authentication, Host and Origin ---------------------------------- */

/* Equal strings, in time that depends on the lengths only. */
static bool same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = (unsigned char)(na != nb);

	for (size_t i = 0; i < nb; i++)
		diff |= (unsigned char)(a[i % (na ? na : 1)] ^ b[i]);
	return diff == 0 && na == nb;
}

static bool token_ok(const struct lt_serve *s, const char *authorization, const char *query)
{
	char qtoken[512];

	if (!s->token)
		return true;
	if (authorization) {
		const char *p = authorization;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "Bearer ", 7) == 0) {
			p += 7;
			while (*p == ' ')
				p++;
			char tok[512];
			size_t n = strcspn(p, " \t\r\n");
			if (n < sizeof tok) {
				memcpy(tok, p, n);
				tok[n] = '\0';
				if (same_secret(tok, s->token))
					return true;
			}
		}
	}
	return query_get(query, "access_token", qtoken, sizeof qtoken) > 0 &&
	       same_secret(qtoken, s->token);
}

/* The host part of a Host header or an authority ("h:port", "[v6]:port")
 * into buf, lower-cased. */
static void host_part(const char *authority, char *buf, size_t size)
{
	size_t n;

	if (authority[0] == '[') {
		const char *close = strchr(authority, ']');
		n = close ? (size_t)(close - authority - 1) : strlen(authority + 1);
		authority++;
	} else {
		n = strcspn(authority, ":/");
	}
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)authority[i]);
	buf[n] = '\0';
}

static bool loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(host, "localhost") || !strcmp(host, "localhost."))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* NULL when the request may go on, else why not (a 403). */
static const char *origin_problem(const struct lt_serve *s, const char *host, const char *origin)
{
	char h[256];

	/* Without a token only loopback can reach the server, but a web page
	 * the user has open can make the browser send requests to it.  A
	 * name the attacker controls that resolves to 127.0.0.1 (DNS
	 * rebinding) shows as that name in Host; a page of another site
	 * shows in Origin. */
	if (!s->token && host && *host) {
		host_part(host, h, sizeof h);
		if (!loopback_host(h))
			return "Host is not a loopback name (without --token-file only 127.0.0.1, "
			       "::1 and localhost are answered)";
	}
	if (origin && *origin) {
		const char *sep = strstr(origin, "://");
		if (!sep || !host || strcasecmp(sep + 3, host) != 0)
			return "cross-origin request refused (Origin does not match Host)";
	}
	return NULL;
}

bool lt_serve_ws_allowed(struct lt_serve *s, const char *authorization, const char *query,
			 const char *host, const char *origin)
{
	return s && token_ok(s, authorization, query) && !origin_problem(s, host, origin);
}

void lt_serve_ws_count(struct lt_serve *s, int delta)
{
	pthread_mutex_lock(&s->mu);
	s->subscribers += delta;
	if (s->subscribers < 0)
		s->subscribers = 0;
	pthread_mutex_unlock(&s->mu);
}

size_t lt_serve_max_body(const struct lt_serve *s)
{
	return s->max_body;
}

/* ---- broadcasting ----------------------------------------------------- */

/* Records go to subscribers through a queue and a thread of the
 * module's own: a subscriber slow to read (or a stalled TCP connection)
 * then holds up that thread only, never a run's reporting thread, whose
 * seconds must stay on time.  When the queue is full the oldest message
 * is dropped (counted in /metrics): a subscriber that far behind wants
 * the present, not the backlog. */
static void broadcast_json(struct lt_serve *s, const cJSON *j)
{
	char *text;

	if (!s->broadcast || !j || !(text = cJSON_PrintUnformatted(j)))
		return;
	pthread_mutex_lock(&s->q_mu);
	if (s->q_len == FANOUT_MAX) {
		cJSON_free(s->queue[s->q_head]);
		s->q_head = (s->q_head + 1) % FANOUT_MAX;
		s->q_len--;
		s->ws_dropped++;
	}
	s->queue[(s->q_head + s->q_len) % FANOUT_MAX] = text;
	s->q_len++;
	pthread_cond_signal(&s->q_cv);
	pthread_mutex_unlock(&s->q_mu);
}

static void *fanout_main(void *arg)
{
	struct lt_serve *s = arg;

	pthread_mutex_lock(&s->q_mu);
	for (;;) {
		while (s->q_len == 0 && !s->q_stop)
			pthread_cond_wait(&s->q_cv, &s->q_mu);
		if (s->q_len == 0)
			break;
		char *text = s->queue[s->q_head];
		s->q_head = (s->q_head + 1) % FANOUT_MAX;
		s->q_len--;
		pthread_mutex_unlock(&s->q_mu);
		s->broadcast(text, strlen(text), s->broadcast_user);
		cJSON_free(text);
		pthread_mutex_lock(&s->q_mu);
	}
	pthread_mutex_unlock(&s->q_mu);
	return NULL;
}

/* ---- scenarios -------------------------------------------------------- */

/* What an API scenario may not do: read the server's files.  Checked on
 * the JSON before lt_scenario_parse, which reads "@file" bodies while it
 * loads (so the check must come first, or the existence of any file
 * would show in the answer), and on the parsed set after, in case the two
 * readers ever disagree on a document. */
static bool reads_files_json(const cJSON *doc, char *why, size_t size)
{
	const cJSON *one;
	int si = 0;

	if (cJSON_IsArray(doc)) {
		cJSON_ArrayForEach(one, doc) {
			char inner[512];
			if (reads_files_json(one, inner, sizeof inner)) {
				snprintf(why, size, "[%d].%s", si, inner);
				return true;
			}
			si++;
		}
		return false;
	}
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc, "config");
	const cJSON *http = cJSON_GetObjectItemCaseSensitive(config, "http");
	if (cJSON_GetObjectItemCaseSensitive(http, "cacert")) {
		snprintf(why, size, "config.http.cacert: a CA file of the server cannot be named "
				    "over the API");
		return true;
	}
	int i = 0;
	cJSON_ArrayForEach(one, cJSON_GetObjectItemCaseSensitive(config, "endpoints")) {
		const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(one, "body"));
		if (b && b[0] == '@' && b[1] != '@') {
			snprintf(why, size, "config.endpoints[%d].body: \"@file\" bodies are not accepted "
					    "over the API (inline the body, or write \"@@\" for a "
					    "literal '@')", i);
			return true;
		}
		i++;
	}
	return false;
}

static bool reads_files_set(struct lt_scenario_set *set, char *why, size_t size)
{
	for (size_t i = 0; i < lt_scenario_set_count(set); i++) {
		const struct lt_scenario *sc = lt_scenario_set_get(set, i);
		if (sc->config.http.cacert) {
			snprintf(why, size, "%s: config.http.cacert: not accepted over the API", sc->id);
			return true;
		}
		for (size_t e = 0; e < sc->config.n_endpoints; e++)
			if (sc->config.endpoints[e].body_kind == LT_BODY_FILE) {
				snprintf(why, size, "%s: config.endpoints[%zu].body: \"@file\" bodies "
						    "are not accepted over the API", sc->id, e);
				return true;
			}
	}
	return false;
}

/* The host of url (lower case, IPv6 without brackets) into buf. */
static bool url_host(const char *url, char *buf, size_t size)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool ok = false;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		host_part(host, buf, size);
		ok = true;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* NULL when sc may send traffic where it would, else why not. */
static bool target_allowed(const struct lt_serve *s, const struct lt_scenario *sc, char *why,
			   size_t size)
{
	char host[256];

	if (s->n_targets == 0)
		return true;
	if (!url_host(sc->config.base_url, host, sizeof host)) {
		snprintf(why, size, "config.baseUrl: cannot read a host in \"%s\"", sc->config.base_url);
		return false;
	}
	for (size_t i = 0; i < s->n_targets; i++) {
		char allowed[256];
		host_part(s->targets[i], allowed, sizeof allowed);
		if (!strcmp(host, allowed))
			return true;
	}
	snprintf(why, size, "config.baseUrl: host \"%s\" is not among the --allow-target hosts", host);
	return false;
}

/* The stored scenario sid, parsed and checked as an API scenario.  *set
 * new.  On failure answers res and returns false. */
static bool load_stored_scenario(struct lt_db *db, const char *sid, struct lt_scenario_set **set,
				 struct lt_serve_response *res)
{
	struct lt_err err = {0};
	cJSON *row = NULL;
	char *text = NULL, why[600];
	lt_rc rc;

	if ((rc = lt_db_scenario_get(db, sid, &row, &err)) != LT_OK) {
		if (rc == LT_ENOTFOUND)
			reply_error(res, 404, "not_found", "unknown scenario \"%s\"", sid);
		else
			reply_rc(res, &err);
		return false;
	}
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(row, "config");
	if (!cJSON_IsObject(config)) {
		reply_error(res, 409, "conflict", "scenario \"%s\" has no stored definition", sid);
		goto fail;
	}
	if (reads_files_json(config, why, sizeof why)) {
		reply_error(res, 400, "invalid_request", "scenario \"%s\": %s", sid, why);
		goto fail;
	}
	if (!(text = cJSON_PrintUnformatted(config))) {
		reply_error(res, 500, "internal", "out of memory");
		goto fail;
	}
	if (lt_scenario_parse(text, strlen(text), sid, "/nonexistent", set, &err) != LT_OK) {
		reply_error(res, 409, "conflict", "the stored scenario no longer loads: %s",
			    lt_errmsg(&err));
		goto fail;
	}
	if (reads_files_set(*set, why, sizeof why)) {
		lt_scenario_set_free(*set);
		*set = NULL;
		reply_error(res, 400, "invalid_request", "%s", why);
		goto fail;
	}
	cJSON_free(text);
	cJSON_Delete(row);
	return true;
fail:
	cJSON_free(text);
	cJSON_Delete(row);
	return false;
}

/* ---- request bodies --------------------------------------------------- */

static bool json_media_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The body as JSON (new), or NULL with an answer.  An empty body reads as
 * {}, so that POST /stop and the like need none. */
static cJSON *body_json(const struct lt_serve_request *req, struct lt_serve_response *res,
			bool object_only)
{
	const char *end = NULL;
	cJSON *j;

	if (req->body_len == 0)
		return cJSON_CreateObject();
	/* A form or a text/plain post from a web page would need no
	 * preflight; a JSON one does, and the server never grants it. */
	if (!json_media_type(req->content_type)) {
		reply_error(res, 415, "unsupported_media_type",
			    "the body must be sent as Content-Type: application/json");
		return NULL;
	}
	if (!lti_utf8_valid(req->body, req->body_len)) {
		reply_error(res, 400, "invalid_json", "the body is not valid UTF-8");
		return NULL;
	}
	if (!(j = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, false))) {
		size_t at = end && end >= req->body ? (size_t)(end - req->body) : 0, line = 1, col = 1;
		for (size_t i = 0; i < at && i < req->body_len; i++) {
			if (req->body[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		reply_error(res, 400, "invalid_json", "body:%zu:%zu: JSON syntax error", line, col);
		return NULL;
	}
	for (const char *p = end; p < req->body + req->body_len; p++)
		if (!strchr(" \t\r\n", *p)) {
			cJSON_Delete(j);
			reply_error(res, 400, "invalid_json", "body: text after the JSON value");
			return NULL;
		}
	if (object_only ? !cJSON_IsObject(j) : !cJSON_IsObject(j) && !cJSON_IsArray(j)) {
		cJSON_Delete(j);
		reply_error(res, 400, "invalid_request", "body: expected a JSON object%s",
			    object_only ? "" : " or an array of them");
		return NULL;
	}
	return j;
}

/* Members of o outside allowed[] are an error: a typo must not pass as
 * a default (the scenario module's rule too). */
static bool known_fields(const cJSON *o, const char *where, const char *const *allowed,
			 struct lt_serve_response *res)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, o) {
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], m->string))
			i++;
		if (!allowed[i]) {
			char list[400] = "";
			for (i = 0; allowed[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 i ? ", " : "", allowed[i]);
			reply_error(res, 400, "invalid_request", "%s%s%.100s: unknown field (expected %s)",
				    where, *where ? "." : "", m->string, list);
			return false;
		}
	}
	return true;
}

/* o.k as a string (NULL when absent or null); false and an answer when
 * of another type or longer than max bytes. */
static bool get_string(const cJSON *o, const char *where, const char *k, size_t max,
		       const char **out, struct lt_serve_response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
		reply_error(res, 400, "invalid_request", "%s%s%s: expected a string of at most %zu bytes",
			    where, *where ? "." : "", k, max);
		return false;
	}
	for (const char *p = v->valuestring; *p; p++)
		if ((unsigned char)*p < 0x20) {
			reply_error(res, 400, "invalid_request", "%s%s%s: control characters are not allowed",
				    where, *where ? "." : "", k);
			return false;
		}
	*out = v->valuestring;
	return true;
}

static bool get_bool(const cJSON *o, const char *where, const char *k, int *out,
		     struct lt_serve_response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsBool(v)) {
		reply_error(res, 400, "invalid_request", "%s%s%s: expected true or false", where,
			    *where ? "." : "", k);
		return false;
	}
	*out = cJSON_IsTrue(v);
	return true;
}

/* o.k as a number in [min, max] (*out unchanged when absent). */
static bool get_number(const cJSON *o, const char *where, const char *k, double min, double max,
		       bool integer, double *out, struct lt_serve_response *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v || cJSON_IsNull(v))
		return true;
	double d = cJSON_GetNumberValue(v);
	if (!cJSON_IsNumber(v) || !isfinite(d) || d < min || d > max || (integer && d != floor(d))) {
		reply_error(res, 400, "invalid_request", "%s%s%s: expected %s in %g..%g", where,
			    *where ? "." : "", k, integer ? "an integer" : "a number", min, max);
		return false;
	}
	*out = d;
	return true;
}

/* The scenario id o.k (required, or optional when out may stay NULL). */
static bool get_id(const cJSON *o, const char *k, bool required, const char **out,
		   struct lt_serve_response *res)
{
	if (!get_string(o, "", k, LT_SCENARIO_ID_MAX, out, res))
		return false;
	if (!*out && required) {
		reply_error(res, 400, "invalid_request", "%s: required", k);
		return false;
	}
	if (*out && !valid_id(*out)) {
		reply_error(res, 400, "invalid_request",
			    "%s: not a scenario id ([A-Za-z0-9][A-Za-z0-9._-]{0,63})", k);
		return false;
	}
	return true;
}

/* ---- routing ---------------------------------------------------------- */

struct call {
	struct lt_serve *s;
	const struct lt_serve_request *req;
	struct lt_serve_response *res;
	const char *query;
	char param[256];                       /* the last segment of a "/:param" route */
	cJSON *body;                           /* routes with a body: parsed */
};

typedef void (*handler_fn)(struct call *c);

/* ---- runs: the work thread -------------------------------------------- */

static bool run_active(const struct serve_run *r)
{
	return r->state < RUN_COMPLETE;
}

static void run_free(struct serve_run *r)
{
	if (!r)
		return;
	lt_scenario_set_free(r->set);
	free(r->scenario_id);
	free(r->scenario_name);
	free(r->environment);
	free(r->version);
	cJSON_Delete(r->run_start_full);
	cJSON_Delete(r->run_start);
	cJSON_Delete(r->last_sample);
	cJSON_Delete(r->timeline);
	cJSON_Delete(r->summary);
	cJSON_Delete(r->verdict);
	free(r->error);
	free(r);
}

static void run_note_error(struct serve_run *r, const char *what, const struct lt_err *err)
{
	char buf[1200];

	snprintf(buf, sizeof buf, "%s: %s", what, lt_errmsg(err));
	pthread_mutex_lock(&r->server->mu);
	if (!r->error)
		r->error = xstrdup(buf);
	pthread_mutex_unlock(&r->server->mu);
}

/* Record rec in the run's database as it comes (what lt-run --db does),
 * so a server killed mid-run keeps every second it measured. */
static lt_rc run_record(struct serve_run *r, enum lt_ndjson_type type, const cJSON *rec,
			struct lt_err *err)
{
	switch (type) {
	case LT_NDJSON_RUN_START:
		cJSON_Delete(r->run_start_full);
		if (!(r->run_start_full = cJSON_Duplicate(rec, 1)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		return lt_db_run_begin(r->db, rec, err);
	case LT_NDJSON_SAMPLE:
		return lt_db_run_sample(r->db, rec, err);
	case LT_NDJSON_SUMMARY:
		return lt_db_run_finish(r->db, r->run_start_full, rec, err);
	default:
		return LT_OK;
	}
}

static int run_on_record(const cJSON *rec, void *user)
{
	struct serve_run *r = user;
	struct lt_serve *s = r->server;
	enum lt_ndjson_type type = lt_ndjson_type_parse(lt_ndjson_get_str(rec, "type"));
	struct lt_err err = {0};
	int stop = 0;

	if (run_record(r, type, rec, &err) != LT_OK) {
		/* Like lt-run --db: load nobody can keep is load not worth
		 * sending.  The summary still comes (interrupted). */
		run_note_error(r, "recording the run", &err);
		stop = 1;
	}
	cJSON *light = light_copy(rec);
	if (!light)
		return stop;
	pthread_mutex_lock(&s->mu);
	switch (type) {
	case LT_NDJSON_RUN_START:
		cJSON_Delete(r->run_start);
		r->run_start = cJSON_Duplicate(light, 1);
		r->state = RUN_RUNNING;
		break;
	case LT_NDJSON_SAMPLE: {
		uint64_t n = 0, e = 0;
		lt_ndjson_get_count(rec, "requests", &n);
		lt_ndjson_get_count(rec, "errors", &e);
		r->requests += n;
		r->errors += e;
		s->requests_total += n;
		s->errors_total += e;
		cJSON_Delete(r->last_sample);
		r->last_sample = cJSON_Duplicate(light, 1);
		if (r->timeline) {
			if (cJSON_GetArraySize(r->timeline) >= LT_SERVE_TIMELINE_MAX)
				cJSON_DeleteItemFromArray(r->timeline, 0);
			cJSON *copy = cJSON_Duplicate(light, 1);
			if (copy)
				cJSON_AddItemToArray(r->timeline, copy);
		}
		break;
	}
	case LT_NDJSON_SUMMARY:
		cJSON_Delete(r->summary);
		r->summary = cJSON_Duplicate(light, 1);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&s->mu);
	broadcast_json(s, light);
	cJSON_Delete(light);
	return stop;
}

static void broadcast_run_error(struct serve_run *r, const char *error)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "type", "run_error");
	cJSON_AddNumberToObject(j, "v", 1);
	cJSON_AddStringToObject(j, "run_id", r->run_id);
	cJSON_AddStringToObject(j, "scenario_id", r->scenario_id);
	cJSON_AddStringToObject(j, "error", error);
	broadcast_json(r->server, j);
	cJSON_Delete(j);
}

/* compareBaseline: judge the recorded run as lt-regress check does,
 * record the verdict and its alerts, tell the subscribers. */
static void run_compare(struct serve_run *r)
{
	struct lt_serve *s = r->server;
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0};
	cJSON *doc = NULL, *verdict = NULL, **alerts = NULL;
	char *found_for = NULL;
	size_t n = 0;

	if (!cfg) {
		lt_err_set(&err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	if (lt_db_regress_config_get(r->db, r->scenario_id, &doc, &found_for, &err) == LT_OK &&
	    lt_regress_config_apply(cfg, doc, "stored thresholds", &err) != LT_OK)
		goto fail;
	err.rc = LT_OK;
	if (lt_regress_check(r->db, r->run_id, r->environment, cfg, &verdict, &alerts, &n, &err) ||
	    lt_db_check_record(r->db, verdict, alerts, n, &err))
		goto fail;
	for (size_t i = 0; i < n; i++)
		broadcast_json(s, alerts[i]);
	broadcast_json(s, verdict);
	pthread_mutex_lock(&s->mu);
	s->alerts_raised += n;
	cJSON_Delete(r->verdict);
	r->verdict = verdict;
	verdict = NULL;
	pthread_mutex_unlock(&s->mu);
	log_event(s, "run %s: %s against its baseline, %zu alert%s", r->run_id,
	      cJSON_GetStringValue(cJSON_GetObjectItem(r->verdict, "status")), n, n == 1 ? "" : "s");
	goto out;
fail:
	run_note_error(r, "comparing with the baseline", &err);
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(alerts[i]);
	free(alerts);
	cJSON_Delete(verdict);
	cJSON_Delete(doc);
	free(found_for);
	lt_regress_config_free(cfg);
}

/* saveBaseline: the run becomes the baseline of its scenario, version and
 * environment, as lt-baseline set does. */
static void run_save_baseline(struct serve_run *r, const cJSON *summary)
{
	struct lt_err err = {0};
	cJSON *metrics = lt_regress_metrics_of(summary);
	int64_t id = 0;

	if (!metrics) {
		lt_err_set(&err, LT_ENOMEM, "out of memory");
	} else if ((!r->environment ||
		    lt_db_run_set_environment(r->db, r->run_id, r->environment, &err) == LT_OK) &&
		   lt_db_baseline_set(r->db, r->scenario_id, r->environment, r->version, r->run_id,
				      metrics, "saved by lt-serve", &id, &err) == LT_OK) {
		pthread_mutex_lock(&r->server->mu);
		r->baseline_id = id;
		pthread_mutex_unlock(&r->server->mu);
	}
	if (err.rc)
		run_note_error(r, "saving the baseline", &err);
	cJSON_Delete(metrics);
}

static void *run_main(void *arg)
{
	struct serve_run *r = arg;
	struct lt_serve *s = r->server;
	struct lt_engine_result result = {0};
	struct lt_engine *engine = NULL;
	struct lt_err err = {0};
	cJSON *tags = cJSON_CreateObject();
	enum run_state end = RUN_FAILED;

	cJSON_AddStringToObject(tags, "source", "lt-serve");
	struct lt_engine_opts eo = {
		.threads = s->engine_threads, .run_id = r->run_id, .tags = tags,
		.on_record = run_on_record, .user = r,
	};
	if (lt_db_open(s->db_path, 0, &r->db, &err) != LT_OK ||
	    lt_engine_new(r->sc, &eo, &engine, &err) != LT_OK)
		goto done;
	pthread_mutex_lock(&s->mu);
	r->engine = engine;
	if (r->stop_requested)
		lt_engine_stop(engine);
	pthread_mutex_unlock(&s->mu);
	lt_rc rc = lt_engine_run(engine, &result, &err);
	pthread_mutex_lock(&s->mu);
	r->engine = NULL;
	cJSON *summary = r->summary ? cJSON_Duplicate(r->summary, 1) : NULL;
	pthread_mutex_unlock(&s->mu);
	lt_engine_free(engine);
	if (rc != LT_OK) {
		cJSON_Delete(summary);
		goto done;
	}
	end = result.interrupted ? RUN_INTERRUPTED : RUN_COMPLETE;
	/* Only a whole run is judged or kept as a baseline: an interrupted
	 * one measured less than was asked. */
	if (end == RUN_COMPLETE && summary && r->compare_baseline)
		run_compare(r);
	if (end == RUN_COMPLETE && summary && r->save_baseline)
		run_save_baseline(r, summary);
	cJSON_Delete(summary);
done:
	if (end == RUN_FAILED) {
		char buf[1200];
		snprintf(buf, sizeof buf, "%s", lt_errmsg(&err));
		run_note_error(r, "the run failed", &err);
		broadcast_run_error(r, buf);
	}
	lt_db_close(r->db);
	r->db = NULL;
	cJSON_Delete(tags);
	pthread_mutex_lock(&s->mu);
	r->state = end;
	r->finished_at = lti_time_now();
	s->runs_by_state[end]++;
	pthread_mutex_unlock(&s->mu);
	log_event(s, "run %s of %s %s%s%s", r->run_id, r->scenario_id, run_state_names[end],
	      end == RUN_FAILED ? ": " : "", end == RUN_FAILED ? lt_errmsg(&err) : "");
	return NULL;
}

/* Join the threads of finished runs and forget the oldest of them. */
static void reap_runs(struct lt_serve *s)
{
	struct serve_run *join[LT_SERVE_MAX_RUNS + LT_SERVE_RECENT_RUNS + 8];
	struct serve_run *drop = NULL;
	size_t n_join = 0, finished = 0;

	pthread_mutex_lock(&s->mu);
	for (struct serve_run **pp = &s->runs; *pp;) {
		struct serve_run *r = *pp;
		if (!run_active(r)) {
			if (r->joinable && n_join < sizeof join / sizeof *join) {
				r->joinable = false;
				join[n_join++] = r;
			}
			if (++finished > LT_SERVE_RECENT_RUNS && !r->joinable) {
				*pp = r->next;
				r->next = drop;
				drop = r;
				continue;
			}
		}
		pp = &r->next;
	}
	pthread_mutex_unlock(&s->mu);
	/* A finished run's thread has nothing left to do but return. */
	for (size_t i = 0; i < n_join; i++)
		pthread_join(join[i]->thread, NULL);
	while (drop) {
		struct serve_run *next = drop->next;
		/* joined above or in an earlier reap: never left joinable here */
		run_free(drop);
		drop = next;
	}
}

/* The run as GET /status shows it.  Under s->mu. */
static cJSON *run_json(const struct serve_run *r, bool timeline)
{
	cJSON *j = cJSON_CreateObject(), *o;
	double now = lti_time_now();
	double elapsed = (r->finished_at > 0 ? r->finished_at : now) - r->started_at;

	cJSON_AddStringToObject(j, "runId", r->run_id);
	cJSON_AddStringToObject(j, "scenarioId", r->scenario_id);
	add_str(j, "scenarioName", r->scenario_name);
	cJSON_AddStringToObject(j, "status", run_state_names[r->state]);
	add_time(j, "startedAt", r->started_at);
	add_time(j, "finishedAt", r->finished_at);
	add_num(j, "elapsed_s", elapsed);
	add_num(j, "duration_s", r->total_s);
	add_num(j, "progress", r->total_s > 0 ? fmin(1.0, fmax(0.0, elapsed / r->total_s)) : NAN);
	o = cJSON_AddObjectToObject(j, "options");
	cJSON_AddBoolToObject(o, "saveBaseline", r->save_baseline);
	cJSON_AddBoolToObject(o, "compareBaseline", r->compare_baseline);
	add_str(o, "environment", r->environment);
	add_str(o, "version", r->version);
	cJSON_AddNumberToObject(j, "requests", (double)r->requests);
	cJSON_AddNumberToObject(j, "errors", (double)r->errors);
	if (r->last_sample) {
		const cJSON *ls = r->last_sample;
		o = cJSON_AddObjectToObject(j, "current");
		double v;
		add_num(o, "t", lt_ndjson_get_num(ls, "t", &v) ? v : NAN);
		add_str(o, "phase", lt_ndjson_get_str(ls, "phase"));
		add_num(o, "users", lt_ndjson_get_num(ls, "users", &v) ? v : NAN);
		add_num(o, "rps", lt_ndjson_get_num(ls, "rps", &v) ? v : NAN);
		add_num(o, "errors", lt_ndjson_get_num(ls, "errors", &v) ? v : NAN);
		cJSON *lat = cJSON_AddObjectToObject(o, "latency_ms");
		add_num(lat, "p50", lt_ndjson_get_num(ls, "latency_ms.p50", &v) ? v : NAN);
		add_num(lat, "p95", lt_ndjson_get_num(ls, "latency_ms.p95", &v) ? v : NAN);
		add_num(lat, "p99", lt_ndjson_get_num(ls, "latency_ms.p99", &v) ? v : NAN);
	} else {
		cJSON_AddNullToObject(j, "current");
	}
	cJSON_AddItemToObject(j, "summary",
			      r->summary ? cJSON_Duplicate(r->summary, 1) : cJSON_CreateNull());
	const cJSON *passed = cJSON_GetObjectItem(r->summary, "passed");
	cJSON_AddItemToObject(j, "passed", cJSON_IsBool(passed) ? cJSON_Duplicate(passed, 0)
							      : cJSON_CreateNull());
	if (r->verdict) {
		o = cJSON_AddObjectToObject(j, "verdict");
		add_str(o, "check_id", cJSON_GetStringValue(cJSON_GetObjectItem(r->verdict, "check_id")));
		add_str(o, "status", cJSON_GetStringValue(cJSON_GetObjectItem(r->verdict, "status")));
		add_num(o, "alerts", cJSON_GetNumberValue(cJSON_GetObjectItem(r->verdict, "alerts")));
	} else {
		cJSON_AddNullToObject(j, "verdict");
	}
	if (r->baseline_id)
		cJSON_AddNumberToObject(j, "baselineId", (double)r->baseline_id);
	else
		cJSON_AddNullToObject(j, "baselineId");
	add_str(j, "error", r->error);
	if (timeline)
		cJSON_AddItemToObject(j, "timeline", r->timeline ? cJSON_Duplicate(r->timeline, 1)
								 : cJSON_CreateArray());
	return j;
}

/* ---- runs: the endpoints ---------------------------------------------- */

static size_t active_runs(const struct lt_serve *s, const struct serve_run **first)
{
	size_t n = 0;

	for (const struct serve_run *r = s->runs; r; r = r->next)
		if (run_active(r)) {
			if (n++ == 0 && first)
				*first = r;
		}
	return n;
}

static void h_run(struct call *c)
{
	static const char *const fields[] = {"scenarioId", "options", NULL};
	static const char *const opt_fields[] = {"saveBaseline", "compareBaseline", "dryRun",
						 "environment", "version", "duration", "users",
						 "rate", "baseUrl", NULL};
	struct lt_serve *s = c->s;
	struct lt_scenario_overrides ov = {0};
	struct lt_scenario_set *set = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *sid, *env = NULL, *version = NULL, *base_url = NULL;
	int save = -1, compare = -1, dry = 0;
	double users = 0;
	char why[600];
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(c->body, "options");

	if (!known_fields(c->body, "", fields, c->res) || !get_id(c->body, "scenarioId", true, &sid, c->res))
		return;
	if (opts && !cJSON_IsNull(opts)) {
		if (!cJSON_IsObject(opts)) {
			reply_error(c->res, 400, "invalid_request", "options: expected an object");
			return;
		}
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(opts, "duration");
		if (!known_fields(opts, "options", opt_fields, c->res) ||
		    !get_bool(opts, "options", "saveBaseline", &save, c->res) ||
		    !get_bool(opts, "options", "compareBaseline", &compare, c->res) ||
		    !get_bool(opts, "options", "dryRun", &dry, c->res) ||
		    !get_string(opts, "options", "environment", 128, &env, c->res) ||
		    !get_string(opts, "options", "version", 128, &version, c->res) ||
		    !get_string(opts, "options", "baseUrl", 2048, &base_url, c->res) ||
		    !get_number(opts, "options", "users", 1, LT_SCENARIO_MAX_USERS, true, &users, c->res) ||
		    !get_number(opts, "options", "rate", 1e-6, LT_SCENARIO_MAX_RATE, false, &ov.rate, c->res))
			return;
		if (cJSON_IsString(d) ? !lt_scenario_duration_parse(d->valuestring, &ov.duration_s)
				      : !get_number(opts, "options", "duration", 0.001,
						    LT_SCENARIO_MAX_DURATION_S, false, &ov.duration_s,
						    c->res)) {
			if (cJSON_IsString(d))
				reply_error(c->res, 400, "invalid_request",
					    "options.duration: expected seconds or a duration such as "
					    "\"30s\", \"5m\"");
			return;
		}
	}
	ov.users = (int)users;
	ov.base_url = base_url;
	if (db_take(s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		return;
	}
	bool loaded = load_stored_scenario(db, sid, &set, c->res);
	db_give(s, db);
	if (!loaded)
		return;
	struct lt_scenario *sc = lt_scenario_set_find(set, sid);
	if (!sc)
		sc = lt_scenario_set_get(set, 0);
	if (lt_scenario_apply_overrides(sc, &ov, &err) != LT_OK) {
		reply_error(c->res, 400, "invalid_request", "options: %s", lt_errmsg(&err));
		goto out;
	}
	if (!target_allowed(s, sc, why, sizeof why)) {
		reply_error(c->res, 403, "forbidden", "%s", why);
		goto out;
	}
	if (dry && sc->config.duration.total_s > LT_SERVE_PLAN_MAX_S) {
		reply_error(c->res, 400, "invalid_request", "options.dryRun: a run of %.0f s is "
			    "longer than the %.0f s the API plans (each second is listed): plan it "
			    "with lt-run --dry-run", sc->config.duration.total_s, LT_SERVE_PLAN_MAX_S);
		goto out;
	}
	if (dry) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "dryRun", true);
		cJSON_AddStringToObject(j, "scenarioId", sc->id);
		cJSON_AddItemToObject(j, "plan", lt_engine_plan(sc, 1, 1));
		reply_json(c->res, 200, j);
		goto out;
	}

	struct serve_run *r = calloc(1, sizeof *r);
	if (!r || !(r->scenario_id = xstrdup(sc->id)) || !(r->timeline = cJSON_CreateArray())) {
		run_free(r);
		reply_error(c->res, 500, "internal", "out of memory");
		goto out;
	}
	r->server = s;
	lti_uuid(r->run_id);
	r->scenario_name = xstrdup(sc->name);
	r->environment = xstrdup(env ? env : sc->options.environment);
	r->version = xstrdup(version ? version : sc->options.version);
	r->save_baseline = save >= 0 ? save : sc->options.save_baseline;
	r->compare_baseline = compare >= 0 ? compare : sc->options.compare_baseline;
	r->set = set;
	r->sc = sc;
	set = NULL;
	r->total_s = sc->config.duration.total_s;
	r->started_at = lti_time_now();
	r->state = RUN_STARTING;

	reap_runs(s);
	pthread_mutex_lock(&s->mu);
	const struct serve_run *busy = NULL;
	size_t n = active_runs(s, &busy);
	if (s->bench.active || n >= s->max_runs) {
		char other[200];
		if (s->bench.active)
			snprintf(other, sizeof other, "a benchmark session is running (they would "
						      "measure each other)");
		else
			snprintf(other, sizeof other, "run %s of %s is in progress (at most %u at "
						      "once: --max-runs)", busy->run_id,
				 busy->scenario_id, s->max_runs);
		pthread_mutex_unlock(&s->mu);
		run_free(r);
		reply_error(c->res, 409, "conflict", "%s", other);
		return;
	}
	if (pthread_create(&r->thread, NULL, run_main, r) != 0) {
		pthread_mutex_unlock(&s->mu);
		run_free(r);
		reply_error(c->res, 503, "unavailable", "cannot start a thread for the run");
		return;
	}
	r->joinable = true;
	r->next = s->runs;
	s->runs = r;
	s->runs_started++;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "runId", r->run_id);
	cJSON_AddStringToObject(j, "scenarioId", r->scenario_id);
	cJSON_AddStringToObject(j, "status", "running");
	add_time(j, "startedAt", r->started_at);
	add_num(j, "duration_s", r->total_s);
	char url[160];
	snprintf(url, sizeof url, API "/status?runId=%s", r->run_id);
	cJSON_AddStringToObject(j, "statusUrl", url);
	pthread_mutex_unlock(&s->mu);
	log_event(s, "run %s of %s started", r->run_id, r->scenario_id);
	reply_json(c->res, 202, j);
	return;
out:
	lt_scenario_set_free(set);
}

static void h_status(struct call *c)
{
	struct lt_serve *s = c->s;
	char rid[64];
	int got = query_get(c->query, "runId", rid, sizeof rid);
	bool timeline = query_flag(c->query, "timeline");

	if (got < 0 || (got > 0 && !valid_run_id(rid))) {
		reply_error(c->res, 400, "invalid_request", "runId: not a run id");
		return;
	}
	reap_runs(s);
	cJSON *j = cJSON_CreateObject();
	pthread_mutex_lock(&s->mu);
	if (got > 0) {
		const struct serve_run *r = s->runs;
		while (r && strncmp(r->run_id, rid, strlen(rid)))
			r = r->next;
		if (!r) {
			pthread_mutex_unlock(&s->mu);
			cJSON_Delete(j);
			reply_error(c->res, 404, "not_found",
				    "run %s is not among this server's current and %d latest runs "
				    "(see /results)", rid, LT_SERVE_RECENT_RUNS);
			return;
		}
		cJSON_AddStringToObject(j, "status", run_state_names[r->state]);
		cJSON_AddItemToObject(j, "run", run_json(r, timeline));
	} else {
		size_t n = active_runs(s, NULL);
		cJSON *runs = cJSON_AddArrayToObject(j, "runs"), *recent;
		cJSON_AddStringToObject(j, "status", n ? "running" : "idle");
		recent = cJSON_AddArrayToObject(j, "recent");
		for (const struct serve_run *r = s->runs; r; r = r->next)
			cJSON_AddItemToArray(run_active(r) ? runs : recent, run_json(r, timeline));
		cJSON_AddNumberToObject(j, "maxRuns", s->max_runs);
		cJSON *b = cJSON_AddObjectToObject(j, "benchmark");
		cJSON_AddBoolToObject(b, "active", s->bench.active);
		add_str(b, "state", s->bench.state);
		cJSON *t = cJSON_AddObjectToObject(j, "training");
		cJSON_AddBoolToObject(t, "active", s->train.active);
		add_str(t, "state", s->train.state);
		cJSON *mo = cJSON_AddObjectToObject(j, "monitoring");
		cJSON_AddBoolToObject(mo, "active", s->monitor.active);
	}
	pthread_mutex_unlock(&s->mu);
	reply_json(c->res, 200, j);
}

static void h_stop(struct call *c)
{
	static const char *const fields[] = {"runId", NULL};
	struct lt_serve *s = c->s;
	const char *rid = NULL;
	bool found = false;

	if (!known_fields(c->body, "", fields, c->res) ||
	    !get_string(c->body, "", "runId", 64, &rid, c->res))
		return;
	if (rid && !valid_run_id(rid)) {
		reply_error(c->res, 400, "invalid_request", "runId: not a run id");
		return;
	}
	cJSON *j = cJSON_CreateObject(), *stopped = cJSON_AddArrayToObject(j, "stopped");
	pthread_mutex_lock(&s->mu);
	for (struct serve_run *r = s->runs; r; r = r->next) {
		if (rid && strncmp(r->run_id, rid, strlen(rid)))
			continue;
		found = true;
		if (!run_active(r))
			continue;
		r->stop_requested = true;
		if (r->engine)
			lt_engine_stop(r->engine);
		cJSON_AddItemToArray(stopped, cJSON_CreateString(r->run_id));
	}
	pthread_mutex_unlock(&s->mu);
	if (cJSON_GetArraySize(stopped) == 0) {
		cJSON_Delete(j);
		if (rid && !found)
			reply_error(c->res, 404, "not_found", "no run %s on this server", rid);
		else
			reply_error(c->res, 409, "conflict", rid ? "run %s is not running" : "%s",
				    rid ? rid : "no run in progress");
		return;
	}
	cJSON_AddStringToObject(j, "status", "stopping");
	log_event(s, "stop asked for %d run(s)", cJSON_GetArraySize(stopped));
	reply_json(c->res, 200, j);
}

/* ---- scenarios -------------------------------------------------------- */

/* A stored scenario row as the API shows it: the scenario in the seed's
 * format (id, name, description, config, options) with the row's times
 * and run counts.  row is taken. */
static cJSON *scenario_out(cJSON *row)
{
	cJSON *j = cJSON_DetachItemFromObjectCaseSensitive(row, "config");
	static const char *const keep[] = {"created_at", "updated_at", "runs", "last_run_at", NULL};

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = cJSON_CreateObject();
		add_str(j, "id", cJSON_GetStringValue(cJSON_GetObjectItem(row, "scenario_id")));
		add_str(j, "name", cJSON_GetStringValue(cJSON_GetObjectItem(row, "name")));
	}
	for (size_t i = 0; keep[i]; i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(row, keep[i]);
		if (v)
			cJSON_AddItemToObject(j, keep[i], v);
	}
	cJSON_Delete(row);
	return j;
}

static void h_scenarios_list(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	cJSON *rows = NULL, *row;

	if (db_take(c->s, &db, &err) != LT_OK || lt_db_scenarios_list(db, &rows, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON *j = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(j, "scenarios");
	while ((row = cJSON_DetachItemFromArray(rows, 0)))
		cJSON_AddItemToArray(list, scenario_out(row));
	cJSON_AddNumberToObject(j, "count", cJSON_GetArraySize(list));
	cJSON_Delete(rows);
	reply_json(c->res, 200, j);
}

static bool param_id(struct call *c, const char *what)
{
	if (!valid_id(c->param)) {
		reply_error(c->res, 400, "invalid_request",
			    "%s: not a scenario id ([A-Za-z0-9][A-Za-z0-9._-]{0,63})", what);
		return false;
	}
	return true;
}

static void h_scenario_get(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	cJSON *row = NULL;

	if (!param_id(c, "scenario id"))
		return;
	if (db_take(c->s, &db, &err) != LT_OK ||
	    lt_db_scenario_get(db, c->param, &row, &err) != LT_OK) {
		db_give(c->s, db);
		if (err.rc == LT_ENOTFOUND)
			reply_error(c->res, 404, "not_found", "unknown scenario \"%s\"", c->param);
		else
			reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "scenario", scenario_out(row));
	reply_json(c->res, 200, j);
}

static void h_scenarios_create(struct call *c)
{
	struct lt_scenario_set *set = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char why[600];
	bool any_created = false;

	if (reads_files_json(c->body, why, sizeof why)) {
		reply_error(c->res, 400, "invalid_request", "%s", why);
		return;
	}
	/* The scenario module reads the body itself, so that its messages
	 * name line and column the way they do for a file. */
	if (lt_scenario_parse(c->req->body, c->req->body_len, "body", "/nonexistent", &set, &err)) {
		reply_error(c->res, 400, "invalid_request", "%s", lt_errmsg(&err));
		return;
	}
	if (reads_files_set(set, why, sizeof why)) {
		reply_error(c->res, 400, "invalid_request", "%s", why);
		goto out;
	}
	for (size_t i = 0; i < lt_scenario_set_count(set); i++) {
		char where[400];
		if (!target_allowed(c->s, lt_scenario_set_get(set, i), where, sizeof where)) {
			reply_error(c->res, 403, "forbidden", "%s: %s", lt_scenario_set_get(set, i)->id,
				    where);
			goto out;
		}
	}
	if (db_take(c->s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	cJSON *j = cJSON_CreateObject(), *list = cJSON_CreateArray();
	for (size_t i = 0; i < lt_scenario_set_count(set); i++) {
		const struct lt_scenario *sc = lt_scenario_set_get(set, i);
		cJSON *doc = lt_scenario_to_json(sc);
		bool created = false;
		if (!doc) {
			lt_err_set(&err, LT_ENOMEM, "out of memory");
		} else if (lt_db_scenario_put(db, sc->id, sc->name, sc->description, doc, &created,
					      &err) == LT_OK) {
			any_created |= created;
			cJSON_AddBoolToObject(doc, "created", created);
			cJSON_AddItemToArray(list, doc);
			log_event(c->s, "scenario %s %s", sc->id, created ? "created" : "updated");
			continue;
		}
		cJSON_Delete(doc);
		cJSON_Delete(list);
		cJSON_Delete(j);
		db_give(c->s, db);
		reply_rc(c->res, &err);
		goto out;
	}
	db_give(c->s, db);
	cJSON_AddBoolToObject(j, "created", any_created);
	if (cJSON_IsArray(c->body)) {
		cJSON_AddItemToObject(j, "scenarios", list);
	} else {
		cJSON *one = cJSON_DetachItemFromArray(list, 0);
		cJSON_DeleteItemFromObjectCaseSensitive(one, "created");
		cJSON_AddItemToObject(j, "scenario", one);
		cJSON_Delete(list);
	}
	reply_json(c->res, any_created ? 201 : 200, j);
out:
	lt_scenario_set_free(set);
}

/* ---- results ---------------------------------------------------------- */

static cJSON *run_row_json(const struct lt_db_run *run)
{
	cJSON *j = cJSON_CreateObject(), *o;

	add_str(j, "run_id", run->run_id);
	add_str(j, "scenario_id", run->scenario_id);
	add_str(j, "scenario_name", run->scenario_name);
	add_str(j, "status", run->status);
	add_str(j, "started_at", run->started_at);
	add_str(j, "finished_at", run->finished_at);
	add_num(j, "duration_s", run->duration_s);
	cJSON_AddNumberToObject(j, "requests", (double)run->requests);
	cJSON_AddNumberToObject(j, "errors", (double)run->errors);
	add_num(j, "error_rate", run->error_rate);
	o = cJSON_AddObjectToObject(j, "throughput");
	add_num(o, "avg", run->throughput_avg_rps);
	add_num(o, "peak", run->throughput_peak_rps);
	o = cJSON_AddObjectToObject(j, "latency_ms");
	add_num(o, "min", run->latency_ms.min);
	add_num(o, "mean", run->latency_ms.mean);
	add_num(o, "p50", run->latency_ms.p50);
	add_num(o, "p90", run->latency_ms.p90);
	add_num(o, "p95", run->latency_ms.p95);
	add_num(o, "p99", run->latency_ms.p99);
	add_num(o, "max", run->latency_ms.max);
	add_num(o, "stddev", run->latency_ms.stddev);
	o = cJSON_AddObjectToObject(j, "users");
	cJSON_AddNumberToObject(o, "peak", (double)run->users_peak);
	cJSON_AddItemToObject(j, "passed", run->passed < 0 ? cJSON_CreateNull()
							   : cJSON_CreateBool(run->passed));
	add_str(j, "run_group", run->run_group);
	add_str(j, "segment", run->segment);
	add_str(j, "host", run->host);
	add_str(j, "version", run->version);
	return j;
}

struct page {
	cJSON *list;
	size_t skip, take;
	bool more;
};

static lt_rc page_run(const struct lt_db_run *run, void *ctx)
{
	struct page *p = ctx;

	if (p->skip) {
		p->skip--;
		return LT_OK;
	}
	if ((size_t)cJSON_GetArraySize(p->list) >= p->take) {
		p->more = true;
		return LT_OK;
	}
	cJSON_AddItemToArray(p->list, run_row_json(run));
	return LT_OK;
}

static void h_results(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *sid = c->param[0] ? c->param : NULL;
	unsigned long limit, offset;
	cJSON *row = NULL;

	if ((sid && !param_id(c, "scenario id")) ||
	    !query_uint(c->query, "limit", 1, LT_SERVE_PAGE_MAX, LT_SERVE_PAGE_DEFAULT, &limit, c->res) ||
	    !query_uint(c->query, "offset", 0, 100000000, 0, &offset, c->res))
		return;
	struct page p = {.list = cJSON_CreateArray(), .skip = offset, .take = limit};
	if (db_take(c->s, &db, &err) != LT_OK ||
	    (sid && lt_db_scenario_get(db, sid, &row, &err) != LT_OK) ||
	    lt_db_runs_list(db, sid, offset + limit + 1, page_run, &p, &err) != LT_OK) {
		db_give(c->s, db);
		cJSON_Delete(p.list);
		if (err.rc == LT_ENOTFOUND)
			reply_error(c->res, 404, "not_found", "unknown scenario \"%s\"", sid);
		else
			reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON_Delete(row);
	cJSON *j = cJSON_CreateObject();
	add_str(j, "scenarioId", sid);
	cJSON_AddNumberToObject(j, "count", cJSON_GetArraySize(p.list));
	cJSON_AddItemToObject(j, "results", p.list);
	cJSON_AddNumberToObject(j, "limit", (double)limit);
	cJSON_AddNumberToObject(j, "offset", (double)offset);
	cJSON_AddBoolToObject(j, "hasMore", p.more);
	reply_json(c->res, 200, j);
}

/* ---- baselines, alerts, thresholds, reports --------------------------- */

struct newest_complete {
	char run_id[LTI_UUID_LEN + 64];
};

static lt_rc pick_complete(const struct lt_db_run *run, void *ctx)
{
	struct newest_complete *n = ctx;

	if (!n->run_id[0] && run->status && !strcmp(run->status, "complete"))
		snprintf(n->run_id, sizeof n->run_id, "%s", run->run_id);
	return LT_OK;
}

static void h_baselines_create(struct call *c)
{
	static const char *const fields[] = {"scenarioId", "version", "environment", "runId",
					     "note", NULL};
	struct lt_db *db = NULL;
	struct lt_db_run *run = NULL;
	struct lt_err err = {0};
	const char *sid, *version, *env, *rid, *note;
	struct newest_complete pick = {{0}};
	cJSON *metrics = NULL, *row = NULL;
	int64_t id = 0;

	if (!known_fields(c->body, "", fields, c->res) || !get_id(c->body, "scenarioId", true, &sid, c->res) ||
	    !get_string(c->body, "", "version", 128, &version, c->res) ||
	    !get_string(c->body, "", "environment", 128, &env, c->res) ||
	    !get_string(c->body, "", "runId", LT_NDJSON_MAX_ID, &rid, c->res) ||
	    !get_string(c->body, "", "note", 1000, &note, c->res))
		return;
	if (rid && !valid_stored_run_id(rid)) {
		reply_error(c->res, 400, "invalid_request", "runId: not a run id");
		return;
	}
	if (db_take(c->s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		return;
	}
	if (lt_db_scenario_get(db, sid, &row, &err) != LT_OK) {
		if (err.rc == LT_ENOTFOUND)
			reply_error(c->res, 404, "not_found", "unknown scenario \"%s\"", sid);
		else
			reply_rc(c->res, &err);
		goto out;
	}
	cJSON_Delete(row);
	row = NULL;
	if (!rid) {
		if (lt_db_runs_list(db, sid, 200, pick_complete, &pick, &err) != LT_OK) {
			reply_rc(c->res, &err);
			goto out;
		}
		if (!pick.run_id[0]) {
			reply_error(c->res, 409, "conflict",
				    "scenario \"%s\" has no complete run to make a baseline of: run "
				    "it first (POST " API "/run)", sid);
			goto out;
		}
		rid = pick.run_id;
	}
	if (lt_db_run_get(db, rid, &run, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	if (!run->scenario_id || strcmp(run->scenario_id, sid)) {
		reply_error(c->res, 400, "invalid_request", "run %s is a run of \"%s\", not of \"%s\"",
			    run->run_id, run->scenario_id ? run->scenario_id : "no scenario", sid);
		goto out;
	}
	if (strcmp(run->status, "complete") || !run->summary) {
		reply_error(c->res, 409, "conflict", "run %s is %s: only a complete run can be a "
				     "baseline", run->run_id, run->status);
		goto out;
	}
	if (!(metrics = lt_regress_metrics_of(run->summary))) {
		reply_error(c->res, 500, "internal", "out of memory");
		goto out;
	}
	if (lt_db_baseline_set(db, sid, env, version, run->run_id, metrics, note, &id, &err) != LT_OK ||
	    lt_db_baseline_get(db, sid, env, version ? version : "", &row, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	log_event(c->s, "baseline %lld of %s: run %s", (long long)id, sid, run->run_id);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "baseline", row);
	row = NULL;
	reply_json(c->res, 201, j);
out:
	db_give(c->s, db);
	lt_db_run_free(run);
	cJSON_Delete(metrics);
	cJSON_Delete(row);
}

static void h_baselines_list(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char sbuf[LT_SCENARIO_ID_MAX + 2], env[130];
	const char *sid;
	cJSON *rows = NULL;
	int got_env = query_get(c->query, "environment", env, sizeof env);

	if (!query_id(c->query, "scenarioId", sbuf, sizeof sbuf, &sid, c->res))
		return;
	if (got_env < 0) {
		reply_error(c->res, 400, "invalid_request", "environment: too long");
		return;
	}
	if (db_take(c->s, &db, &err) != LT_OK || lt_db_baselines_list(db, sid, &rows, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	for (int i = cJSON_GetArraySize(rows) - 1; got_env > 0 && i >= 0; i--) {
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, i),
									 "environment"));
		if (!e || strcmp(e, env))
			cJSON_DeleteItemFromArray(rows, i);
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "count", cJSON_GetArraySize(rows));
	cJSON_AddItemToObject(j, "baselines", rows);
	reply_json(c->res, 200, j);
}

static void h_alerts(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char sbuf[LT_SCENARIO_ID_MAX + 2];
	const char *sid;
	unsigned long limit;
	cJSON *rows = NULL;

	if (!query_id(c->query, "scenarioId", sbuf, sizeof sbuf, &sid, c->res) ||
	    !query_uint(c->query, "limit", 1, 1000, 100, &limit, c->res))
		return;
	if (db_take(c->s, &db, &err) != LT_OK ||
	    lt_db_alerts_list(db, sid, query_flag(c->query, "open"), limit, &rows, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "count", cJSON_GetArraySize(rows));
	cJSON_AddItemToObject(j, "alerts", rows);
	reply_json(c->res, 200, j);
}

/* The thresholds in force for sid (NULL: the default document): the
 * defaults with the stored document applied.  *cfg new. */
static lt_rc thresholds_of(struct lt_db *db, const char *sid, bool exact,
			   struct lt_regress_config **cfg, char **source, struct lt_err *err)
{
	cJSON *doc = NULL;
	char *found_for = NULL;
	lt_rc rc;

	if (!(*cfg = lt_regress_config_new()))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	rc = lt_db_regress_config_get(db, sid ? sid : "*", &doc, &found_for, err);
	if (rc == LT_ENOTFOUND) {
		*source = xstrdup("defaults");
		err->rc = LT_OK;
		return LT_OK;
	}
	/* exact: only the scenario's own document, for an update to build on
	 * (the default document is not copied into every scenario's). */
	if (rc == LT_OK && exact && found_for && sid && strcmp(found_for, sid)) {
		*source = xstrdup("defaults");
	} else if (rc == LT_OK) {
		rc = lt_regress_config_apply(*cfg, doc, "stored thresholds", err);
		*source = xstrdup(found_for && strcmp(found_for, "*") ? found_for : "*");
	}
	cJSON_Delete(doc);
	free(found_for);
	if (rc) {
		lt_regress_config_free(*cfg);
		*cfg = NULL;
	}
	return rc;
}

static void h_thresholds_get(struct call *c)
{
	struct lt_regress_config *cfg = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	char sbuf[LT_SCENARIO_ID_MAX + 2], *source = NULL;
	const char *sid;

	if (!query_id(c->query, "scenarioId", sbuf, sizeof sbuf, &sid, c->res))
		return;
	if (db_take(c->s, &db, &err) != LT_OK || thresholds_of(db, sid, false, &cfg, &source, &err)) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "scenarioId", sid ? sid : "*");
	add_str(j, "source", source);
	cJSON_AddItemToObject(j, "thresholds", lt_regress_config_to_json(cfg));
	free(source);
	lt_regress_config_free(cfg);
	reply_json(c->res, 200, j);
}

static void h_thresholds_set(struct call *c)
{
	static const char *const fields[] = {"scenarioId", "thresholds", NULL};
	struct lt_regress_config *cfg = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *sid;
	char *source = NULL;
	cJSON *doc = cJSON_GetObjectItemCaseSensitive(c->body, "thresholds"), *full = NULL;

	if (!known_fields(c->body, "", fields, c->res) || !get_id(c->body, "scenarioId", false, &sid, c->res))
		return;
	if (!cJSON_IsObject(doc)) {
		reply_error(c->res, 400, "invalid_request",
			    "thresholds: expected an object keyed by metric name, such as "
			    "{\"responseTime.p95\": {\"warning\": 10, \"critical\": 25}}");
		return;
	}
	if (db_take(c->s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		return;
	}
	if (sid && lt_db_scenario_get(db, sid, &full, &err) != LT_OK) {
		if (err.rc == LT_ENOTFOUND)
			reply_error(c->res, 404, "not_found", "unknown scenario \"%s\"", sid);
		else
			reply_rc(c->res, &err);
		goto out;
	}
	cJSON_Delete(full);
	full = NULL;
	if (thresholds_of(db, sid, true, &cfg, &source, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	if (lt_regress_config_apply(cfg, doc, "thresholds", &err) != LT_OK) {
		reply_error(c->res, 400, "invalid_request", "%s", lt_errmsg(&err));
		goto out;
	}
	if (!(full = lt_regress_config_to_json(cfg))) {
		reply_error(c->res, 500, "internal", "out of memory");
		goto out;
	}
	if (lt_db_regress_config_set(db, sid, full, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	log_event(c->s, "regression thresholds of %s updated", sid ? sid : "every scenario");
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "scenarioId", sid ? sid : "*");
	cJSON_AddItemToObject(j, "thresholds", full);
	full = NULL;
	reply_json(c->res, 200, j);
out:
	db_give(c->s, db);
	cJSON_Delete(full);
	free(source);
	lt_regress_config_free(cfg);
}

static void h_report(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	enum lt_report_format fmt = LT_REPORT_JSON;
	char fbuf[16], env[130];
	int got_env = query_get(c->query, "environment", env, sizeof env);
	int got_fmt = query_get(c->query, "format", fbuf, sizeof fbuf);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!param_id(c, "scenario id"))
		return;
	if (got_env < 0 || got_fmt < 0 || (got_fmt > 0 && lt_report_format_parse(fbuf, &fmt, &err))) {
		reply_error(c->res, 400, "invalid_request", "%s",
			    got_env < 0 ? "environment: too long"
					: "format: expected json, html, markdown, text or junit");
		return;
	}
	if (!(f = open_memstream(&text, &len))) {
		reply_error(c->res, 500, "internal", "out of memory");
		return;
	}
	if (db_take(c->s, &db, &err) == LT_OK)
		lt_report_write(db, c->param, got_env > 0 ? env : NULL, fmt, f, &err);
	db_give(c->s, db);
	fclose(f);
	if (err.rc) {
		free(text);
		reply_rc(c->res, &err);
		return;
	}
	static const char *const types[] = {
		[LT_REPORT_TEXT] = CT_TEXT, [LT_REPORT_MARKDOWN] = CT_MD, [LT_REPORT_JSON] = CT_JSON,
		[LT_REPORT_HTML] = CT_HTML, [LT_REPORT_JUNIT] = CT_XML,
	};
	reply_text(c->res, 200, types[fmt], text, len);
}

/* Checks remembered for GET /regression-monitoring. */
#define MONITOR_RECENT 20

/* The interval at least: a pass over nothing new is one query, but a
 * pass over a backlog may take a while, and passes never overlap. */
#define MONITOR_MIN_INTERVAL_S 1.0
#define MONITOR_DEFAULT_INTERVAL_S 60.0

static void monitor_event(const struct lt_watch_event *ev, void *ctx)
{
	struct lt_serve *s = ctx;
	struct monitor_state *m = &s->monitor;

	switch (ev->kind) {
	case LT_WATCH_CHECKED: {
		for (size_t i = 0; i < ev->n_alerts; i++)
			broadcast_json(s, ev->alerts[i]);
		broadcast_json(s, ev->verdict);
		cJSON *one = cJSON_CreateObject();
		add_str(one, "run_id", ev->run_id);
		add_str(one, "scenario_id", ev->scenario_id);
		add_str(one, "status", cJSON_GetStringValue(cJSON_GetObjectItem(ev->verdict, "status")));
		cJSON_AddNumberToObject(one, "alerts", (double)ev->n_alerts);
		pthread_mutex_lock(&s->mu);
		m->checked++;
		m->alerts += ev->n_alerts;
		s->alerts_raised += ev->n_alerts;
		cJSON_InsertItemInArray(m->recent, 0, one);
		while (cJSON_GetArraySize(m->recent) > MONITOR_RECENT)
			cJSON_DeleteItemFromArray(m->recent, MONITOR_RECENT);
		pthread_mutex_unlock(&s->mu);
		log_event(s, "monitoring: run %s of %s: %s, %zu alert%s", ev->run_id, ev->scenario_id,
			  cJSON_GetStringValue(cJSON_GetObjectItem(ev->verdict, "status")),
			  ev->n_alerts, ev->n_alerts == 1 ? "" : "s");
		break;
	}
	case LT_WATCH_FAILED:
		pthread_mutex_lock(&s->mu);
		m->failed++;
		set_str(&m->last_error, lt_errmsg(ev->err));
		pthread_mutex_unlock(&s->mu);
		log_event(s, "monitoring: run %s: not checked: %s", ev->run_id, lt_errmsg(ev->err));
		break;
	case LT_WATCH_NO_ANOMALY:
		log_event(s, "monitoring: run %s: no anomaly score: %s", ev->run_id, lt_errmsg(ev->err));
		break;
	case LT_WATCH_NOTIFIED:
		if (ev->err && ev->err->rc)
			log_event(s, "monitoring: notifying %s failed: %s", ev->target,
				  lt_errmsg(ev->err));
		break;
	}
}

static void *monitor_main(void *arg)
{
	struct lt_serve *s = arg;
	struct monitor_state *m = &s->monitor;
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	struct lt_watch_opts o = {.environment = m->environment, .stop = &m->stop};
	if (lt_db_open(s->db_path, 0, &db, &err) != LT_OK) {
		pthread_mutex_lock(&s->mu);
		set_str(&m->last_error, lt_errmsg(&err));
		pthread_mutex_unlock(&s->mu);
		log_event(s, "monitoring stopped: %s", lt_errmsg(&err));
		goto out;
	}
	while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED)) {
		size_t checked = 0;
		struct lt_err pass_err = {0};
		if (lt_watch_pass(db, &o, monitor_event, s, &checked, &pass_err) != LT_OK) {
			pthread_mutex_lock(&s->mu);
			set_str(&m->last_error, lt_errmsg(&pass_err));
			pthread_mutex_unlock(&s->mu);
			log_event(s, "monitoring: pass failed: %s", lt_errmsg(&pass_err));
		}
		pthread_mutex_lock(&s->mu);
		m->passes++;
		m->last_pass_at = lti_time_now();
		pthread_mutex_unlock(&s->mu);
		/* The next pass after the interval, in steps short enough that
		 * a stop is seen at once. */
		for (double waited = 0;
		     waited < m->interval_s && !__atomic_load_n(&m->stop, __ATOMIC_RELAXED);
		     waited += 0.1) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
out:
	lt_db_close(db);
	pthread_mutex_lock(&s->mu);
	m->active = false;
	m->stopped_at = lti_time_now();
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Under s->mu. */
static cJSON *monitor_json(const struct monitor_state *m)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddBoolToObject(j, "active", m->active);
	add_num(j, "interval_s", m->interval_s > 0 ? m->interval_s : NAN);
	add_str(j, "environment", m->environment);
	add_time(j, "startedAt", m->started_at);
	add_time(j, "lastPassAt", m->last_pass_at);
	add_time(j, "stoppedAt", m->stopped_at);
	cJSON_AddNumberToObject(j, "passes", (double)m->passes);
	cJSON_AddNumberToObject(j, "checked", (double)m->checked);
	cJSON_AddNumberToObject(j, "failed", (double)m->failed);
	cJSON_AddNumberToObject(j, "alerts", (double)m->alerts);
	add_str(j, "lastError", m->last_error);
	cJSON_AddItemToObject(j, "recent", m->recent ? cJSON_Duplicate(m->recent, 1)
						   : cJSON_CreateArray());
	return j;
}

static void h_monitoring_status(struct call *c)
{
	pthread_mutex_lock(&c->s->mu);
	cJSON *j = monitor_json(&c->s->monitor);
	pthread_mutex_unlock(&c->s->mu);
	reply_json(c->res, 200, j);
}

static void h_monitoring_start(struct call *c)
{
	static const char *const fields[] = {"interval", "environment", NULL};
	struct lt_serve *s = c->s;
	struct monitor_state *m = &s->monitor;
	const char *env = NULL;
	double interval = MONITOR_DEFAULT_INTERVAL_S;

	if (!known_fields(c->body, "", fields, c->res) ||
	    !get_number(c->body, "", "interval", MONITOR_MIN_INTERVAL_S, 86400, false, &interval,
			c->res) ||
	    !get_string(c->body, "", "environment", 128, &env, c->res))
		return;
	pthread_mutex_lock(&s->mu);
	if (m->active) {
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 409, "conflict", "regression monitoring is running already "
			    "(POST " API "/regression-monitoring/stop first)");
		return;
	}
	if (m->joinable) {
		/* The previous loop has returned or is returning. */
		pthread_join(m->thread, NULL);
		m->joinable = false;
	}
	m->interval_s = interval;
	set_str(&m->environment, env);
	set_str(&m->last_error, NULL);
	m->passes = m->checked = m->failed = m->alerts = 0;
	m->started_at = lti_time_now();
	m->last_pass_at = m->stopped_at = 0;
	if (!m->recent)
		m->recent = cJSON_CreateArray();
	__atomic_store_n(&m->stop, 0, __ATOMIC_RELAXED);
	m->active = true;
	if (pthread_create(&m->thread, NULL, monitor_main, s) != 0) {
		m->active = false;
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 503, "unavailable", "cannot start a thread for the monitoring");
		return;
	}
	m->joinable = true;
	cJSON *j = monitor_json(m);
	pthread_mutex_unlock(&s->mu);
	log_event(s, "regression monitoring started, a pass every %g s", interval);
	reply_json(c->res, 202, j);
}

static void h_monitoring_stop(struct call *c)
{
	struct lt_serve *s = c->s;
	struct monitor_state *m = &s->monitor;

	pthread_mutex_lock(&s->mu);
	bool active = m->active;
	bool join = active && m->joinable;
	if (active)
		__atomic_store_n(&m->stop, 1, __ATOMIC_RELAXED);
	if (join)
		m->joinable = false;
	pthread_mutex_unlock(&s->mu);
	if (!active) {
		reply_error(c->res, 409, "conflict", "regression monitoring is not running");
		return;
	}
	/* A pass ends between two runs: the wait is one run's check at most. */
	if (join)
		pthread_join(m->thread, NULL);
	log_event(s, "regression monitoring stopped");
	h_monitoring_status(c);
}

/* ---- benchmarks ------------------------------------------------------- */

struct bench_ctx {
	struct lt_serve *s;
	struct lt_db *db;
};

static lt_rc bench_event(const struct lt_bench_event *ev, void *user)
{
	struct bench_ctx *bc = user;
	struct lt_serve *s = bc->s;
	struct bench_state *b = &s->bench;
	struct lt_err err = {0};

	if (ev->kind == LT_BENCH_EV_RESULT && bc->db &&
	    lt_db_ingest_record(bc->db, ev->record, &err) != LT_OK)
		log_event(s, "benchmark %s/%s: not recorded: %s", ev->suite, ev->name, lt_errmsg(&err));
	pthread_mutex_lock(&s->mu);
	b->total = ev->total;
	switch (ev->kind) {
	case LT_BENCH_EV_START:
	case LT_BENCH_EV_PROGRESS:
		cJSON_Delete(b->current);
		b->current = cJSON_CreateObject();
		add_str(b->current, "suite", ev->suite);
		add_str(b->current, "name", ev->name);
		cJSON_AddNumberToObject(b->current, "index", (double)ev->index);
		add_str(b->current, "phase", ev->kind == LT_BENCH_EV_PROGRESS ? ev->phase : "starting");
		if (ev->kind == LT_BENCH_EV_PROGRESS) {
			cJSON_AddNumberToObject(b->current, "run", ev->run);
			cJSON_AddNumberToObject(b->current, "runs", ev->runs);
		}
		break;
	case LT_BENCH_EV_RESULT:
		b->done++;
		cJSON_AddItemToArray(b->results, light_copy(ev->record));
		break;
	case LT_BENCH_EV_SKIPPED:
	case LT_BENCH_EV_FAILED: {
		cJSON *p = cJSON_CreateObject();
		add_str(p, "suite", ev->suite);
		add_str(p, "name", ev->name);
		cJSON_AddStringToObject(p, "kind", ev->kind == LT_BENCH_EV_SKIPPED ? "skipped" : "failed");
		add_str(p, "reason", ev->reason);
		cJSON_AddItemToArray(b->problems, p);
		if (ev->kind == LT_BENCH_EV_SKIPPED)
			b->skipped++;
		else
			b->failed++;
		break;
	}
	}
	pthread_mutex_unlock(&s->mu);
	if (ev->kind == LT_BENCH_EV_RESULT)
		broadcast_json(s, ev->record);
	return LT_OK;
}

static void *bench_main(void *arg)
{
	struct lt_serve *s = arg;
	struct bench_state *b = &s->bench;
	struct bench_ctx bc = {.s = s};
	struct lt_bench *bench = NULL;
	struct lt_err err = {0}, dberr = {0};
	lt_rc rc;

	struct lt_bench_opts o = {
		.runs = b->runs, .warmup = -1, .quick = b->quick, .output_fd = -1,
		.target_path = s->bench_target, .on_event = bench_event, .user = &bc,
	};
	/* The results are recorded as they come; a session without a
	 * database still runs, and says so. */
	if (lt_db_open(s->db_path, 0, &bc.db, &dberr) != LT_OK)
		log_event(s, "benchmarks: results not recorded: %s", lt_errmsg(&dberr));
	if ((rc = lt_bench_new(&o, &bench, &err)) == LT_OK) {
		pthread_mutex_lock(&s->mu);
		b->bench = bench;
		if (b->stop_requested)
			lt_bench_stop(bench);
		pthread_mutex_unlock(&s->mu);
		rc = lt_bench_run_suites(bench, b->suites, b->filter, &err);
	}
	pthread_mutex_lock(&s->mu);
	b->bench = NULL;
	b->state = rc == LT_EINTR ? "interrupted" : rc ? "failed" : b->failed ? "failed" : "finished";
	if (rc && rc != LT_EINTR)
		set_str(&b->error, lt_errmsg(&err));
	b->finished_at = lti_time_now();
	cJSON_Delete(b->current);
	b->current = NULL;
	b->active = false;
	pthread_mutex_unlock(&s->mu);
	lt_bench_free(bench);
	lt_db_close(bc.db);
	log_event(s, "benchmarks %s", b->state);
	return NULL;
}

static void h_benchmarks_list(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	cJSON *recent = NULL;
	cJSON *j = cJSON_CreateObject(), *suites = cJSON_AddArrayToObject(j, "suites");

	for (size_t i = 0; lt_bench_suite_name(i); i++) {
		cJSON *su = cJSON_CreateObject(), *list;
		cJSON_AddStringToObject(su, "name", lt_bench_suite_name(i));
		add_str(su, "description", lt_bench_suite_description(i));
		list = cJSON_AddArrayToObject(su, "benchmarks");
		for (size_t k = 0; k < lt_bench_count(); k++) {
			const struct lt_bench_info *bi = lt_bench_get(k);
			if (strcmp(bi->suite, lt_bench_suite_name(i)))
				continue;
			cJSON *b = cJSON_CreateObject();
			cJSON_AddStringToObject(b, "name", bi->name);
			cJSON_AddStringToObject(b, "unit", bi->unit);
			cJSON_AddBoolToObject(b, "higherIsBetter", bi->higher_is_better);
			add_str(b, "description", bi->description);
			cJSON_AddItemToArray(list, b);
		}
		cJSON_AddItemToArray(suites, su);
	}
	if (db_take(c->s, &db, &err) != LT_OK || lt_db_bench_list(db, 50, &recent, &err) != LT_OK) {
		db_give(c->s, db);
		cJSON_Delete(j);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON_AddItemToObject(j, "recent", recent);
	reply_json(c->res, 200, j);
}

static void h_benchmarks_run(struct call *c)
{
	static const char *const fields[] = {"suites", "filter", "quick", "runs", NULL};
	struct lt_serve *s = c->s;
	struct bench_state *b = &s->bench;
	struct lt_err err = {0};
	const cJSON *suites = cJSON_GetObjectItemCaseSensitive(c->body, "suites");
	const char *filter = NULL;
	char list[1024] = "";
	int quick = 0;
	double runs = 0;
	size_t count = 0;

	if (!known_fields(c->body, "", fields, c->res) ||
	    !get_string(c->body, "", "filter", 256, &filter, c->res) ||
	    !get_bool(c->body, "", "quick", &quick, c->res) ||
	    !get_number(c->body, "", "runs", 1, 1000, true, &runs, c->res))
		return;
	if (cJSON_IsString(suites) && strlen(suites->valuestring) < sizeof list) {
		snprintf(list, sizeof list, "%s", suites->valuestring);
	} else if (cJSON_IsArray(suites)) {
		const cJSON *one;
		cJSON_ArrayForEach(one, suites) {
			if (!cJSON_IsString(one) || strlen(list) + strlen(one->valuestring) + 2 > sizeof list) {
				reply_error(c->res, 400, "invalid_request", "suites: expected names");
				return;
			}
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 list[0] ? "," : "", one->valuestring);
		}
	} else if (suites && !cJSON_IsNull(suites)) {
		reply_error(c->res, 400, "invalid_request",
			    "suites: expected a name, a comma-separated list or an array of names");
		return;
	}
	if (lt_bench_select(list[0] ? list : NULL, filter, &count, &err) != LT_OK) {
		reply_error(c->res, 400, "invalid_request", "%s", lt_errmsg(&err));
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (b->active || active_runs(s, NULL)) {
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 409, "conflict", "%s",
			    b->active ? "a benchmark session is running already"
				      : "a load test is running (they would measure each other)");
		return;
	}
	if (b->joinable) {
		/* The previous session's thread has returned or is returning. */
		pthread_join(b->thread, NULL);
		b->joinable = false;
	}
	set_str(&b->suites, list[0] ? list : NULL);
	set_str(&b->filter, filter);
	set_str(&b->error, NULL);
	b->quick = quick;
	b->runs = (unsigned)runs;
	b->state = "running";
	b->total = count;
	b->done = b->failed = b->skipped = 0;
	b->stop_requested = false;
	cJSON_Delete(b->results);
	cJSON_Delete(b->problems);
	b->results = cJSON_CreateArray();
	b->problems = cJSON_CreateArray();
	b->started_at = lti_time_now();
	b->finished_at = 0;
	b->active = true;
	if (pthread_create(&b->thread, NULL, bench_main, s) != 0) {
		b->active = false;
		b->state = "failed";
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 503, "unavailable", "cannot start a thread for the benchmarks");
		return;
	}
	b->joinable = true;
	pthread_mutex_unlock(&s->mu);
	log_event(s, "benchmarks started: %zu of %s", count, list[0] ? list : "all suites");
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "running");
	cJSON_AddNumberToObject(j, "total", (double)count);
	cJSON_AddStringToObject(j, "statusUrl", API "/benchmarks/status");
	reply_json(c->res, 202, j);
}

static void h_benchmarks_status(struct call *c)
{
	struct lt_serve *s = c->s;
	struct bench_state *b = &s->bench;
	struct lt_err err = {0};
	cJSON *j;

	pthread_mutex_lock(&s->mu);
	if (b->state) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "source", "lt-serve");
		cJSON_AddStringToObject(j, "state", b->state);
		cJSON_AddBoolToObject(j, "active", b->active);
		add_str(j, "suites", b->suites);
		add_str(j, "filter", b->filter);
		cJSON_AddBoolToObject(j, "quick", b->quick);
		add_time(j, "started_at", b->started_at);
		add_time(j, "finished_at", b->finished_at);
		cJSON_AddNumberToObject(j, "total", (double)b->total);
		cJSON_AddNumberToObject(j, "done", (double)b->done);
		cJSON_AddNumberToObject(j, "failed", (double)b->failed);
		cJSON_AddNumberToObject(j, "skipped", (double)b->skipped);
		cJSON_AddItemToObject(j, "current", b->current ? cJSON_Duplicate(b->current, 1)
							      : cJSON_CreateNull());
		cJSON_AddItemToObject(j, "results", cJSON_Duplicate(b->results, 1));
		cJSON_AddItemToObject(j, "problems", cJSON_Duplicate(b->problems, 1));
		add_str(j, "error", b->error);
		pthread_mutex_unlock(&s->mu);
		reply_json(c->res, 200, j);
		return;
	}
	pthread_mutex_unlock(&s->mu);
	/* Nothing run here yet: what lt-bench on this machine says. */
	char *path = NULL;
	cJSON *st = NULL;
	if (lt_bench_status_path(&path, &err) == LT_OK && lt_bench_status_read(path, &st, &err) == LT_OK) {
		j = st;
		cJSON_AddStringToObject(j, "source", "lt-bench");
		cJSON_AddBoolToObject(j, "active", false);
	} else {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "source", "lt-serve");
		cJSON_AddStringToObject(j, "state", "idle");
		cJSON_AddBoolToObject(j, "active", false);
	}
	free(path);
	reply_json(c->res, 200, j);
}

static void h_benchmarks_stop(struct call *c)
{
	struct lt_serve *s = c->s;

	pthread_mutex_lock(&s->mu);
	bool active = s->bench.active;
	if (active) {
		s->bench.stop_requested = true;
		if (s->bench.bench)
			lt_bench_stop(s->bench.bench);
	}
	pthread_mutex_unlock(&s->mu);
	if (!active) {
		reply_error(c->res, 409, "conflict", "no benchmark session is running");
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "stopping");
	reply_json(c->res, 200, j);
}

/* ---- neural training -------------------------------------------------- */

static bool train_progress(void *ctx, const struct lt_anomaly_progress *p)
{
	struct lt_serve *s = ctx;
	bool go_on;

	pthread_mutex_lock(&s->mu);
	s->train.epoch = p->epoch;
	s->train.epochs = p->epochs;
	s->train.train_loss = p->train_loss;
	s->train.validation_loss = p->validation_loss;
	go_on = !s->train.stop_requested;
	pthread_mutex_unlock(&s->mu);
	return go_on;
}

static void *train_main(void *arg)
{
	struct lt_serve *s = arg;
	struct train_state *t = &s->train;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *ids[64];
	size_t n = 0;
	cJSON *out = NULL, *one;
	lt_rc rc;

	cJSON_ArrayForEach(one, t->scenario_ids) {
		if (n < sizeof ids / sizeof *ids)
			ids[n++] = one->valuestring;
	}
	struct lt_analytics_opts o = {
		.epochs = t->epochs_asked, .per_second = t->per_second, .seed = t->seed,
		.window = t->window, .progress = train_progress, .progress_ctx = s,
	};
	if ((rc = lt_db_open(s->db_path, 0, &db, &err)) == LT_OK)
		rc = lt_analytics_train(db, ids, n, &o, &out, &err);
	lt_db_close(db);
	pthread_mutex_lock(&s->mu);
	t->state = rc == LT_EINTR ? "interrupted" : rc ? "failed" : "finished";
	if (rc && rc != LT_EINTR)
		set_str(&t->error, lt_errmsg(&err));
	cJSON_Delete(t->result);
	t->result = out;
	t->finished_at = lti_time_now();
	t->active = false;
	pthread_mutex_unlock(&s->mu);
	log_event(s, "neural training %s%s%s", t->state, rc && rc != LT_EINTR ? ": " : "",
	      rc && rc != LT_EINTR ? lt_errmsg(&err) : "");
	return NULL;
}

static void h_training_start(struct call *c)
{
	static const char *const fields[] = {"scenarioId", "scenarioIds", "epochs", "perSecond",
					     "window", "seed", NULL};
	struct lt_serve *s = c->s;
	struct train_state *t = &s->train;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *sid;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->body, "scenarioIds"), *one;
	cJSON *ids = NULL, *row = NULL;
	double epochs = 0, window = 0, seed = 1;
	int per_second = 0;

	if (!known_fields(c->body, "", fields, c->res) || !get_id(c->body, "scenarioId", false, &sid, c->res) ||
	    !get_number(c->body, "", "epochs", 1, LT_ANOMALY_MAX_EPOCHS, true, &epochs, c->res) ||
	    !get_number(c->body, "", "window", 1, LT_ANALYTICS_MAX_RUNS, true, &window, c->res) ||
	    !get_number(c->body, "", "seed", 0, 4294967295.0, true, &seed, c->res) ||
	    !get_bool(c->body, "", "perSecond", &per_second, c->res))
		return;
	if (!(ids = cJSON_CreateArray()))
		goto oom;
	if (sid)
		cJSON_AddItemToArray(ids, cJSON_CreateString(sid));
	if (list && !cJSON_IsArray(list)) {
		reply_error(c->res, 400, "invalid_request", "scenarioIds: expected an array of ids");
		goto out;
	}
	cJSON_ArrayForEach(one, list) {
		if (!cJSON_IsString(one) || !valid_id(one->valuestring) || cJSON_GetArraySize(ids) >= 64) {
			reply_error(c->res, 400, "invalid_request",
				    "scenarioIds: expected at most 64 scenario ids");
			goto out;
		}
		cJSON_AddItemToArray(ids, cJSON_CreateString(one->valuestring));
	}
	if (cJSON_GetArraySize(ids) == 0) {
		reply_error(c->res, 400, "invalid_request", "scenarioId: required (or scenarioIds)");
		goto out;
	}
	if (db_take(s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	cJSON_ArrayForEach(one, ids) {
		if (lt_db_scenario_get(db, one->valuestring, &row, &err) != LT_OK) {
			db_give(s, db);
			if (err.rc == LT_ENOTFOUND)
				reply_error(c->res, 404, "not_found", "unknown scenario \"%s\"",
					    one->valuestring);
			else
				reply_rc(c->res, &err);
			goto out;
		}
		cJSON_Delete(row);
		row = NULL;
	}
	db_give(s, db);
	pthread_mutex_lock(&s->mu);
	if (t->active) {
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 409, "conflict", "a training is running already");
		goto out;
	}
	if (t->joinable) {
		pthread_join(t->thread, NULL);
		t->joinable = false;
	}
	cJSON_Delete(t->scenario_ids);
	t->scenario_ids = ids;
	ids = NULL;
	t->epochs_asked = (unsigned)epochs;
	t->window = (size_t)window;
	t->seed = (unsigned long)seed;
	t->per_second = per_second;
	t->state = "running";
	t->epoch = 0;
	t->epochs = (unsigned)epochs;
	t->train_loss = t->validation_loss = NAN;
	cJSON_Delete(t->result);
	t->result = NULL;
	set_str(&t->error, NULL);
	t->stop_requested = false;
	t->started_at = lti_time_now();
	t->finished_at = 0;
	t->active = true;
	if (pthread_create(&t->thread, NULL, train_main, s) != 0) {
		t->active = false;
		t->state = "failed";
		pthread_mutex_unlock(&s->mu);
		reply_error(c->res, 503, "unavailable", "cannot start a thread for the training");
		goto out;
	}
	t->joinable = true;
	pthread_mutex_unlock(&s->mu);
	log_event(s, "neural training started");
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "running");
	cJSON_AddStringToObject(j, "statusUrl", API "/neural-training/status");
	reply_json(c->res, 202, j);
	goto out;
oom:
	reply_error(c->res, 500, "internal", "out of memory");
out:
	cJSON_Delete(ids);
}

static void h_training_status(struct call *c)
{
	struct lt_serve *s = c->s;
	struct train_state *t = &s->train;
	cJSON *j = cJSON_CreateObject();

	pthread_mutex_lock(&s->mu);
	cJSON_AddStringToObject(j, "state", t->state ? t->state : "idle");
	cJSON_AddBoolToObject(j, "active", t->active);
	cJSON_AddItemToObject(j, "scenarioIds", t->scenario_ids ? cJSON_Duplicate(t->scenario_ids, 1)
								: cJSON_CreateArray());
	cJSON_AddNumberToObject(j, "epoch", t->epoch);
	cJSON_AddNumberToObject(j, "epochs", t->epochs);
	add_num(j, "train_loss", t->train_loss);
	add_num(j, "validation_loss", t->validation_loss);
	add_time(j, "started_at", t->started_at);
	add_time(j, "finished_at", t->finished_at);
	cJSON_AddItemToObject(j, "result", t->result ? cJSON_Duplicate(t->result, 1) : cJSON_CreateNull());
	add_str(j, "error", t->error);
	pthread_mutex_unlock(&s->mu);
	reply_json(c->res, 200, j);
}

/* ---- schedules -------------------------------------------------------- */

static bool valid_schedule_name(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 128 || n[0] == '-' || n[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("._-", n[i]))
			return false;
	return true;
}

static cJSON *schedule_out(const struct lt_schedule *sch, double now)
{
	struct lt_schedule_due due;
	struct lt_err err = {0};

	if (lt_schedule_due(sch, now, &due, &err) != LT_OK)
		due.next_fire = -1;
	return lt_schedule_to_json(sch, (double)due.next_fire);
}

static void h_schedules_list(struct call *c)
{
	struct lt_schedule **list = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	size_t n = 0;

	if (db_take(c->s, &db, &err) != LT_OK || lt_schedule_list(db, &list, &n, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	double now = lti_time_now();
	cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "schedules");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, schedule_out(list[i], now));
	cJSON_AddNumberToObject(j, "count", (double)n);
	lt_schedule_list_free(list, n);
	reply_json(c->res, 200, j);
}

static void h_schedule_get(struct call *c)
{
	struct lt_schedule *sch = NULL;
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	if (!valid_schedule_name(c->param)) {
		reply_error(c->res, 400, "invalid_request", "not a schedule name");
		return;
	}
	if (db_take(c->s, &db, &err) != LT_OK || lt_schedule_get(db, c->param, &sch, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "schedule", schedule_out(sch, lti_time_now()));
	lt_schedule_free(sch);
	reply_json(c->res, 200, j);
}

static void h_schedules_create(struct call *c)
{
	struct lt_schedule *list[64] = {0};
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	size_t n = 0;
	bool replace = query_flag(c->query, "replace");
	const cJSON *one;
	char why[600];

	if (cJSON_IsObject(c->body)) {
		if (lt_schedule_from_json(c->body, "body", &list[n], &err) != LT_OK)
			goto bad;
		n++;
	} else {
		cJSON_ArrayForEach(one, c->body) {
			if (n == sizeof list / sizeof *list) {
				reply_error(c->res, 413, "payload_too_large", "at most 64 schedules at once");
				goto out;
			}
			if (lt_schedule_from_json(one, "body", &list[n], &err) != LT_OK)
				goto bad;
			n++;
		}
	}
	if (db_take(c->s, &db, &err) != LT_OK) {
		reply_rc(c->res, &err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct lt_scenario_set *set = NULL;
		/* A schedule made over the API runs a scenario of the database,
		 * never a file of the server's. */
		if (list[i]->scenario_path || !valid_id(list[i]->scenario_id)) {
			reply_error(c->res, 400, "invalid_request",
				    "%s: scenarioId: schedules made over the API run stored scenarios "
				    "(POST " API "/scenarios), not files", list[i]->name);
			goto out;
		}
		if (!load_stored_scenario(db, list[i]->scenario_id, &set, c->res))
			goto out;
		bool ok = target_allowed(c->s, lt_scenario_set_get(set, 0), why, sizeof why);
		lt_scenario_set_free(set);
		if (!ok) {
			reply_error(c->res, 403, "forbidden", "%s: %s", list[i]->name, why);
			goto out;
		}
		if (lt_schedule_resolve(db, list[i], &err) != LT_OK) {
			reply_rc(c->res, &err);
			goto out;
		}
	}
	if (lt_schedule_add(db, list, n, replace, lti_time_now(), &err) != LT_OK) {
		if (err.rc == LT_EEXIST)
			reply_error(c->res, 409, "conflict", "%s (add ?replace=1 to replace it)",
				    lt_errmsg(&err));
		else
			reply_rc(c->res, &err);
		goto out;
	}
	double now = lti_time_now();
	cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "schedules");
	for (size_t i = 0; i < n; i++) {
		struct lt_schedule *stored = NULL;
		if (lt_schedule_get(db, list[i]->name, &stored, &err) == LT_OK)
			cJSON_AddItemToArray(arr, schedule_out(stored, now));
		lt_schedule_free(stored);
		log_event(c->s, "schedule %s of %s saved", list[i]->name, list[i]->scenario_id);
	}
	reply_json(c->res, 201, j);
	goto out;
bad:
	reply_error(c->res, 400, "invalid_request", "%s", lt_errmsg(&err));
out:
	db_give(c->s, db);
	for (size_t i = 0; i < n; i++)
		lt_schedule_free(list[i]);
}

static void h_schedule_delete(struct call *c)
{
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	if (!valid_schedule_name(c->param)) {
		reply_error(c->res, 400, "invalid_request", "not a schedule name");
		return;
	}
	if (db_take(c->s, &db, &err) != LT_OK || lt_db_schedule_delete(db, c->param, &err) != LT_OK) {
		db_give(c->s, db);
		reply_rc(c->res, &err);
		return;
	}
	db_give(c->s, db);
	log_event(c->s, "schedule %s deleted", c->param);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "deleted", c->param);
	reply_json(c->res, 200, j);
}

/* ---- health, metrics, the page ---------------------------------------- */

static double uptime_s(const struct lt_serve *s)
{
	return (double)(lti_mono_ns() - s->started_mono_ns) / 1e9;
}

static void h_health(struct call *c)
{
	struct lt_serve *s = c->s;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	lt_rc rc = db_take(s, &db, &err);

	if (rc == LT_OK) {
		rc = lt_db_ping(db, &err);
		db_give(s, db);
	}
	/* /health is open to all: the database's path only to those who
	 * could read it anyway. */
	bool trusted = token_ok(s, c->req->authorization, c->query);
	cJSON *j = cJSON_CreateObject(), *o;
	cJSON_AddStringToObject(j, "status", rc ? "degraded" : "ok");
	cJSON_AddStringToObject(j, "version", LT_VERSION);
	add_time(j, "startedAt", s->started_at);
	add_num(j, "uptime_s", uptime_s(s));
	o = cJSON_AddObjectToObject(j, "database");
	cJSON_AddStringToObject(o, "state", rc ? "error" : "ok");
	if (trusted) {
		cJSON_AddStringToObject(o, "path", s->db_path);
		if (rc)
			cJSON_AddStringToObject(o, "detail", lt_errmsg(&err));
	}
	o = cJSON_AddObjectToObject(j, "running");
	pthread_mutex_lock(&s->mu);
	cJSON *ids = cJSON_CreateArray();
	for (const struct serve_run *r = s->runs; r; r = r->next)
		if (run_active(r))
			cJSON_AddItemToArray(ids, cJSON_CreateString(r->run_id));
	cJSON_AddNumberToObject(o, "runs", cJSON_GetArraySize(ids));
	cJSON_AddItemToObject(o, "runIds", ids);
	cJSON_AddNumberToObject(o, "maxRuns", s->max_runs);
	cJSON_AddBoolToObject(o, "benchmark", s->bench.active);
	cJSON_AddBoolToObject(o, "training", s->train.active);
	cJSON_AddBoolToObject(o, "monitoring", s->monitor.active);
	cJSON_AddNumberToObject(j, "subscribers", s->subscribers);
	pthread_mutex_unlock(&s->mu);
	cJSON_AddBoolToObject(j, "auth", s->token != NULL);
	reply_json(c->res, rc ? 503 : 200, j);
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A sample's figure as a Prometheus value ("NaN" when absent). */
static void prom_value(FILE *f, const cJSON *rec, const char *path, double scale)
{
	double v;

	if (rec && lt_ndjson_get_num(rec, path, &v) && isfinite(v))
		fprintf(f, "%.17g\n", v * scale);
	else
		fputs("NaN\n", f);
}

static void h_metrics(struct call *c)
{
	struct lt_serve *s = c->s;
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	int64_t open_alerts = -1;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (db_take(s, &db, &err) == LT_OK && lt_db_alerts_open_count(db, &open_alerts, &err) != LT_OK)
		open_alerts = -1;
	db_give(s, db);
	if (!(f = open_memstream(&text, &len))) {
		reply_error(c->res, 500, "internal", "out of memory");
		return;
	}
	prom_head(f, "lt_build_info", "gauge", "The lt version serving (always 1).");
	fprintf(f, "lt_build_info{version=\"%s\"} 1\n", LT_VERSION);
	prom_head(f, "lt_serve_uptime_seconds", "gauge", "Seconds since lt-serve started.");
	fprintf(f, "lt_serve_uptime_seconds %.3f\n", uptime_s(s));
	pthread_mutex_lock(&s->mu);
	prom_head(f, "lt_runs_started_total", "counter", "Load tests started by this server.");
	fprintf(f, "lt_runs_started_total %llu\n", (unsigned long long)s->runs_started);
	prom_head(f, "lt_runs_finished_total", "counter", "Load tests finished, by how they ended.");
	for (int st = RUN_COMPLETE; st <= RUN_FAILED; st++)
		fprintf(f, "lt_runs_finished_total{status=\"%s\"} %llu\n", run_state_names[st],
			(unsigned long long)s->runs_by_state[st]);
	prom_head(f, "lt_runs_active", "gauge", "Load tests running now.");
	fprintf(f, "lt_runs_active %zu\n", active_runs(s, NULL));
	prom_head(f, "lt_requests_total", "counter",
		  "Requests sent by this server's load tests, every phase.");
	fprintf(f, "lt_requests_total %llu\n", (unsigned long long)s->requests_total);
	prom_head(f, "lt_request_errors_total", "counter",
		  "Failed requests of this server's load tests, every phase.");
	fprintf(f, "lt_request_errors_total %llu\n", (unsigned long long)s->errors_total);

	static const struct {
		const char *name, *type, *help, *path;
		double scale;
	} gauges[] = {
		{"lt_run_users", "gauge", "Active virtual users of a running test (last second).",
		 "users", 1},
		{"lt_run_requests_per_second", "gauge", "Throughput of a running test (last second).",
		 "rps", 1},
		{"lt_run_errors", "gauge", "Failed requests of a running test in the last second.",
		 "errors", 1},
	};
	for (size_t g = 0; g < sizeof gauges / sizeof *gauges; g++) {
		prom_head(f, gauges[g].name, gauges[g].type, gauges[g].help);
		for (const struct serve_run *r = s->runs; r; r = r->next)
			if (run_active(r) && r->last_sample) {
				fprintf(f, "%s{run_id=\"%s\",scenario_id=\"%s\"} ", gauges[g].name,
					r->run_id, r->scenario_id);
				prom_value(f, r->last_sample, gauges[g].path, gauges[g].scale);
			}
	}
	prom_head(f, "lt_run_latency_seconds", "gauge",
		  "Latency quantiles of a running test over the last second.");
	static const char *const q[][2] = {{"0.5", "latency_ms.p50"}, {"0.9", "latency_ms.p90"},
					   {"0.95", "latency_ms.p95"}, {"0.99", "latency_ms.p99"}};
	for (const struct serve_run *r = s->runs; r; r = r->next)
		for (size_t i = 0; run_active(r) && r->last_sample && i < 4; i++) {
			fprintf(f, "lt_run_latency_seconds{run_id=\"%s\",scenario_id=\"%s\",quantile=\"%s\"} ",
				r->run_id, r->scenario_id, q[i][0]);
			prom_value(f, r->last_sample, q[i][1], 1e-3);
		}
	prom_head(f, "lt_run_requests_total", "counter", "Requests of a running test so far.");
	for (const struct serve_run *r = s->runs; r; r = r->next)
		if (run_active(r))
			fprintf(f, "lt_run_requests_total{run_id=\"%s\",scenario_id=\"%s\"} %llu\n",
				r->run_id, r->scenario_id, (unsigned long long)r->requests);
	prom_head(f, "lt_run_errors_total", "counter", "Failed requests of a running test so far.");
	for (const struct serve_run *r = s->runs; r; r = r->next)
		if (run_active(r))
			fprintf(f, "lt_run_errors_total{run_id=\"%s\",scenario_id=\"%s\"} %llu\n",
				r->run_id, r->scenario_id, (unsigned long long)r->errors);
	prom_head(f, "lt_alerts_raised_total", "counter",
		  "Regression alerts raised by this server's comparisons.");
	fprintf(f, "lt_alerts_raised_total %llu\n", (unsigned long long)s->alerts_raised);
	prom_head(f, "lt_websocket_subscribers", "gauge", "WebSocket subscribers connected.");
	fprintf(f, "lt_websocket_subscribers %d\n", s->subscribers);
	pthread_mutex_lock(&s->q_mu);
	uint64_t dropped = s->ws_dropped;
	pthread_mutex_unlock(&s->q_mu);
	prom_head(f, "lt_websocket_dropped_total", "counter",
		  "Messages dropped because the subscribers fell behind.");
	fprintf(f, "lt_websocket_dropped_total %llu\n", (unsigned long long)dropped);
	prom_head(f, "lt_benchmark_active", "gauge", "1 while a benchmark session runs.");
	fprintf(f, "lt_benchmark_active %d\n", s->bench.active);
	prom_head(f, "lt_training_active", "gauge", "1 while an anomaly model trains.");
	fprintf(f, "lt_training_active %d\n", s->train.active);
	prom_head(f, "lt_monitoring_active", "gauge", "1 while regression monitoring runs.");
	fprintf(f, "lt_monitoring_active %d\n", s->monitor.active);
	prom_head(f, "lt_monitoring_checks_total", "counter",
		  "Runs regression monitoring checked since it last started.");
	fprintf(f, "lt_monitoring_checks_total %llu\n", (unsigned long long)s->monitor.checked);
	prom_head(f, "lt_http_requests_total", "counter", "HTTP requests answered, by status.");
	for (int code = 100; code < 600; code++)
		if (s->http_by_status[code])
			fprintf(f, "lt_http_requests_total{code=\"%d\"} %llu\n", code,
				(unsigned long long)s->http_by_status[code]);
	pthread_mutex_unlock(&s->mu);
	if (open_alerts >= 0) {
		prom_head(f, "lt_alerts_open", "gauge",
			  "Regression alerts not acknowledged, in the database.");
		fprintf(f, "lt_alerts_open %lld\n", (long long)open_alerts);
	}
	if (fclose(f) != 0) {
		free(text);
		reply_error(c->res, 500, "internal", "out of memory");
		return;
	}
	reply_text(c->res, 200, CT_PROM, text, len);
}

static void h_dashboard(struct call *c)
{
	char *page = xstrdup(lti_serve_dashboard_html);

	reply_text(c->res, 200, CT_HTML, page, page ? strlen(page) : 0);
}

/* A Sec-WebSocket-Key: 16 bytes in base64, so 22 characters of the
 * alphabet, the last of them carrying 2 bits only (A, Q, g or w), and
 * "==" (RFC 6455 4.1, item 7). */
static bool ws_key_ok(const char *key)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (!key || strlen(key) != 24 || strcmp(key + 22, "=="))
		return false;
	for (int i = 0; i < 22; i++)
		if (!key[i] || !strchr(b64, key[i]))
			return false;
	return strchr("AQgw", key[21]) != NULL;
}

static void h_ws_plain(struct call *c)
{
	const struct lt_serve_request *req = c->req;

	if (!req->websocket) {
		reply_error(c->res, 426, "upgrade_required",
			    "this is the WebSocket of the live timeline: connect with a WebSocket client");
		return;
	}
	if (!req->ws_version || strcmp(req->ws_version, "13")) {
		reply_error(c->res, 426, "upgrade_required",
			    "Sec-WebSocket-Version: only 13 (RFC 6455) is spoken, got %.40s",
			    req->ws_version ? req->ws_version : "none");
		return;
	}
	if (!ws_key_ok(req->ws_key)) {
		reply_error(c->res, 400, "invalid_request",
			    "Sec-WebSocket-Key: %s", req->ws_key
			    ? "must be 16 bytes in base64 (RFC 6455 4.1)" : "missing");
		return;
	}
	/* Good to go: the program performs the handshake. */
	c->res->status = 101;
}

lt_rc lt_serve_ws_hello(struct lt_serve *s, char **text, size_t *len, struct lt_err *err)
{
	cJSON *j = cJSON_CreateObject(), *runs;

	cJSON_AddStringToObject(j, "type", "hello");
	cJSON_AddNumberToObject(j, "v", 1);
	cJSON_AddStringToObject(j, "version", LT_VERSION);
	runs = cJSON_AddArrayToObject(j, "runs");
	pthread_mutex_lock(&s->mu);
	for (const struct serve_run *r = s->runs; r; r = r->next) {
		if (!run_active(r) || !r->run_start)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "run_start", cJSON_Duplicate(r->run_start, 1));
		cJSON_AddItemToObject(o, "samples", cJSON_Duplicate(r->timeline, 1));
		cJSON_AddItemToArray(runs, o);
	}
	pthread_mutex_unlock(&s->mu);
	*text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!*text)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	*len = strlen(*text);
	return LT_OK;
}

/* ---- routing ---------------------------------------------------------- */

enum route_flag {
	OPEN = 1 << 0,        /* no token needed */
	BODY_OBJECT = 1 << 1, /* POST body: a JSON object (empty: {}) */
	BODY_LIST = 1 << 2,   /* POST body: an object or an array of them */
};

/* A path ending in "/:param" takes one more segment as the parameter. */
struct route {
	const char *path;
	handler_fn get, post, del;
	const char *allow;
	unsigned flags;
};

static const struct route routes[] = {
	{"/", h_dashboard, NULL, NULL, "GET, HEAD", 0},
	{"/index.html", h_dashboard, NULL, NULL, "GET, HEAD", 0},
	{"/health", h_health, NULL, NULL, "GET, HEAD", OPEN},
	{"/metrics", h_metrics, NULL, NULL, "GET, HEAD", 0},
	{API "/scenarios", h_scenarios_list, h_scenarios_create, NULL, "GET, HEAD, POST", BODY_LIST},
	{API "/scenarios/:param", h_scenario_get, NULL, NULL, "GET, HEAD", 0},
	{API "/run", NULL, h_run, NULL, "POST", BODY_OBJECT},
	{API "/status", h_status, NULL, NULL, "GET, HEAD", 0},
	{API "/stop", NULL, h_stop, NULL, "POST", BODY_OBJECT},
	{API "/results", h_results, NULL, NULL, "GET, HEAD", 0},
	{API "/results/:param", h_results, NULL, NULL, "GET, HEAD", 0},
	{API "/baselines", h_baselines_list, h_baselines_create, NULL, "GET, HEAD, POST", BODY_OBJECT},
	{API "/regression-alerts", h_alerts, NULL, NULL, "GET, HEAD", 0},
	{API "/regression-thresholds", h_thresholds_get, h_thresholds_set, NULL, "GET, HEAD, POST",
	 BODY_OBJECT},
	{API "/regression-report/:param", h_report, NULL, NULL, "GET, HEAD", 0},
	{API "/regression-monitoring", h_monitoring_status, NULL, NULL, "GET, HEAD", 0},
	{API "/regression-monitoring/start", NULL, h_monitoring_start, NULL, "POST", BODY_OBJECT},
	{API "/regression-monitoring/stop", NULL, h_monitoring_stop, NULL, "POST", BODY_OBJECT},
	{API "/benchmarks", h_benchmarks_list, NULL, NULL, "GET, HEAD", 0},
	{API "/benchmarks/run", NULL, h_benchmarks_run, NULL, "POST", BODY_OBJECT},
	{API "/benchmarks/status", h_benchmarks_status, NULL, NULL, "GET, HEAD", 0},
	{API "/benchmarks/stop", NULL, h_benchmarks_stop, NULL, "POST", BODY_OBJECT},
	{API "/neural-training", h_training_status, h_training_start, NULL, "GET, HEAD, POST",
	 BODY_OBJECT},
	{API "/neural-training/status", h_training_status, NULL, NULL, "GET, HEAD", 0},
	{API "/schedules", h_schedules_list, h_schedules_create, NULL, "GET, HEAD, POST", BODY_LIST},
	{API "/schedules/:param", h_schedule_get, NULL, h_schedule_delete, "GET, HEAD, DELETE", 0},
	{LT_SERVE_WS_PATH, h_ws_plain, NULL, NULL, "GET", 0},
};

/* The route of path, its parameter into param. */
static const struct route *route_find(const char *path, char *param, size_t size)
{
	char p[1024];
	size_t n = strlen(path);

	param[0] = '\0';
	if (n >= sizeof p)
		return NULL;
	memcpy(p, path, n + 1);
	/* "/api/load-testing/scenarios/" is "/api/load-testing/scenarios". */
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
		const char *rp = routes[i].path;
		size_t rn = strlen(rp);
		const size_t pn = strlen("/:param");
		if (rn > pn && !strcmp(rp + rn - pn, "/:param")) {
			size_t base = rn - pn + 1;          /* up to and with the '/' */
			const char *seg = p + base;
			if (n > base && !strncmp(p, rp, base) && !strchr(seg, '/') &&
			    strlen(seg) < size) {
				snprintf(param, size, "%s", seg);
				return &routes[i];
			}
		} else if (!strcmp(p, rp)) {
			return &routes[i];
		}
	}
	return NULL;
}

static void handle(struct lt_serve *s, const struct lt_serve_request *req,
		   struct lt_serve_response *res)
{
	struct call c = {.s = s, .req = req, .res = res, .query = req->query};
	const char *method = req->method ? req->method : "";
	const struct route *rt = route_find(req->path ? req->path : "", c.param, sizeof c.param);
	const char *problem;
	handler_fn fn = NULL;

	if (!(rt && (rt->flags & OPEN)) && !token_ok(s, req->authorization, req->query)) {
		res->www_authenticate = true;
		reply_error(res, 401, "unauthorized", "a valid token is required: "
			    "Authorization: Bearer <token> (see lt-serve --token-file)");
		return;
	}
	if ((problem = origin_problem(s, req->host, req->origin))) {
		reply_error(res, 403, "forbidden", "%s", problem);
		return;
	}
	if (req->body_too_large) {
		res->close = true;
		reply_error(res, 413, "payload_too_large", "the body is larger than %zu bytes "
			    "(lt-serve --max-body)", s->max_body);
		return;
	}
	if (!rt) {
		reply_error(res, 404, "not_found", "no such endpoint: %.200s", req->path);
		return;
	}
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		fn = rt->get;
	else if (!strcmp(method, "POST"))
		fn = rt->post;
	else if (!strcmp(method, "DELETE"))
		fn = rt->del;
	if (!fn) {
		res->allow = rt->allow;
		reply_error(res, 405, "method_not_allowed", "%.20s %.200s: allowed: %s", method,
			    req->path, rt->allow);
		return;
	}
	if (fn == rt->post && (rt->flags & (BODY_OBJECT | BODY_LIST)) &&
	    !(c.body = body_json(req, res, !(rt->flags & BODY_LIST))))
		return;
	fn(&c);
	cJSON_Delete(c.body);
}

void lt_serve_handle(struct lt_serve *s, const struct lt_serve_request *req,
		     struct lt_serve_response *res)
{
	memset(res, 0, sizeof *res);
	handle(s, req, res);
	if (!res->content_type)
		res->content_type = CT_JSON;
	pthread_mutex_lock(&s->mu);
	if (res->status >= 100 && res->status < 600)
		s->http_by_status[res->status]++;
	pthread_mutex_unlock(&s->mu);
}

/* ---- the server ------------------------------------------------------- */

lt_rc lt_serve_new(const struct lt_serve_opts *opts, struct lt_serve **out, struct lt_err *err)
{
	struct lt_serve *s = NULL;
	struct lt_db *db = NULL;
	lt_rc rc;

	if (opts->max_runs > LT_SERVE_MAX_RUNS)
		return lt_err_set(err, LT_EUSAGE, "--max-runs: at most %d", LT_SERVE_MAX_RUNS);
	if (opts->max_body > LT_SERVE_MAX_BODY_LIMIT)
		return lt_err_set(err, LT_EUSAGE, "--max-body: at most %zu bytes",
				  (size_t)LT_SERVE_MAX_BODY_LIMIT);
	if (opts->n_allow_targets > LT_SERVE_MAX_TARGETS)
		return lt_err_set(err, LT_EUSAGE, "--allow-target: at most %d hosts",
				  LT_SERVE_MAX_TARGETS);
	if (opts->token && !*opts->token)
		return lt_err_set(err, LT_EUSAGE, "the token is empty");
	for (size_t i = 0; i < opts->n_allow_targets; i++)
		if (!opts->allow_targets[i] || !*opts->allow_targets[i] ||
		    strlen(opts->allow_targets[i]) > 253 || strpbrk(opts->allow_targets[i], "/@ "))
			return lt_err_set(err, LT_EUSAGE, "--allow-target: \"%s\" is not a host name "
					  "or address", opts->allow_targets[i] ? opts->allow_targets[i] : "");
	if (!(s = calloc(1, sizeof *s)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->out_mu, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->pool_cv, NULL);
	pthread_mutex_init(&s->q_mu, NULL);
	pthread_cond_init(&s->q_cv, NULL);
	s->max_runs = opts->max_runs ? opts->max_runs : 1;
	s->max_body = opts->max_body ? opts->max_body : LT_SERVE_DEFAULT_MAX_BODY;
	s->engine_threads = opts->engine_threads;
	s->broadcast = opts->broadcast;
	s->broadcast_user = opts->broadcast_user;
	s->log = opts->log;
	s->log_user = opts->log_user;
	s->started_at = lti_time_now();
	s->started_mono_ns = lti_mono_ns();
	s->train.train_loss = s->train.validation_loss = NAN;
	if ((rc = lt_db_default_path(opts->db_path, &s->db_path, err)) != LT_OK)
		goto fail;
	if ((opts->token && !(s->token = xstrdup(opts->token))) ||
	    (opts->bench_target && !(s->bench_target = xstrdup(opts->bench_target))) ||
	    (opts->n_allow_targets && !(s->targets = calloc(opts->n_allow_targets, sizeof *s->targets)))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	for (; s->n_targets < opts->n_allow_targets; s->n_targets++)
		if (!(s->targets[s->n_targets] = xstrdup(opts->allow_targets[s->n_targets]))) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
	/* Opened now (created, migrated) so that a database the server
	 * cannot use stops it at the start, not at the first request. */
	if ((rc = lt_db_open(opts->db_path, 0, &db, err)) != LT_OK)
		goto fail;
	s->pool[s->pool_free++] = db;
	s->pool_open = 1;
	if (s->broadcast) {
		if (pthread_create(&s->q_thread, NULL, fanout_main, s) != 0) {
			rc = lt_err_set(err, LT_ENOMEM, "cannot start the subscribers' thread");
			goto fail;
		}
		s->q_running = true;
	}
	*out = s;
	return LT_OK;
fail:
	lt_serve_free(s);
	return rc;
}

void lt_serve_stop_all(struct lt_serve *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	for (struct serve_run *r = s->runs; r; r = r->next) {
		r->stop_requested = true;
		if (r->engine)
			lt_engine_stop(r->engine);
	}
	s->bench.stop_requested = true;
	if (s->bench.bench)
		lt_bench_stop(s->bench.bench);
	s->train.stop_requested = true;
	__atomic_store_n(&s->monitor.stop, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->mu);
}

void lt_serve_free(struct lt_serve *s)
{
	if (!s)
		return;
	lt_serve_stop_all(s);
	for (struct serve_run *r = s->runs, *next; r; r = next) {
		next = r->next;
		if (r->joinable)
			pthread_join(r->thread, NULL);
		run_free(r);
	}
	if (s->bench.joinable)
		pthread_join(s->bench.thread, NULL);
	if (s->train.joinable)
		pthread_join(s->train.thread, NULL);
	if (s->monitor.joinable)
		pthread_join(s->monitor.thread, NULL);
	/* The work is over: what it said is sent, then the thread ends. */
	if (s->q_running) {
		pthread_mutex_lock(&s->q_mu);
		s->q_stop = true;
		pthread_cond_signal(&s->q_cv);
		pthread_mutex_unlock(&s->q_mu);
		pthread_join(s->q_thread, NULL);
	}
	for (; s->q_len; s->q_len--, s->q_head = (s->q_head + 1) % FANOUT_MAX)
		cJSON_free(s->queue[s->q_head]);
	free(s->bench.suites);
	free(s->bench.filter);
	free(s->bench.error);
	cJSON_Delete(s->bench.current);
	cJSON_Delete(s->bench.results);
	cJSON_Delete(s->bench.problems);
	cJSON_Delete(s->train.scenario_ids);
	cJSON_Delete(s->train.result);
	free(s->train.error);
	free(s->monitor.environment);
	free(s->monitor.last_error);
	cJSON_Delete(s->monitor.recent);
	for (size_t i = 0; i < s->pool_free; i++)
		lt_db_close(s->pool[i]);
	for (size_t i = 0; i < s->n_targets; i++)
		free(s->targets[i]);
	free(s->targets);
	free(s->db_path);
	if (s->token)
		memset(s->token, 0, strlen(s->token));
	free(s->token);
	free(s->bench_target);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->out_mu);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->q_mu);
	pthread_cond_destroy(&s->q_cv);
	free(s);
}

/* ---- options the program checks -------------------------------------- */

lt_rc lt_serve_listen_check(const char *listen, bool have_token, char *host, size_t hostlen,
			    unsigned *port, struct lt_err *err)
{
	char h[128];
	const char *p;
	struct in_addr a4;
	struct in6_addr a6;
	bool loop;

	if (!listen || !*listen)
		return lt_err_set(err, LT_EUSAGE, "--listen: empty address");
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof h)
			return lt_err_set(err, LT_EUSAGE, "--listen: \"%s\": expected [ADDRESS]:PORT", listen);
		memcpy(h, listen + 1, (size_t)(close - listen - 1));
		h[close - listen - 1] = '\0';
		p = close + 2;
	} else if (!strchr(listen, ':')) {
		snprintf(h, sizeof h, "127.0.0.1");
		p = listen;
	} else {
		size_t n = strcspn(listen, ":");
		if (n >= sizeof h || strchr(listen + n + 1, ':'))
			return lt_err_set(err, LT_EUSAGE, "--listen: \"%s\": expected ADDRESS:PORT "
					  "(an IPv6 address in brackets)", listen);
		memcpy(h, listen, n);
		h[n] = '\0';
		p = listen + n + 1;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(p, &end, 10);
	if (!*p || *end || errno || v > 65535 || !isdigit((unsigned char)*p))
		return lt_err_set(err, LT_EUSAGE, "--listen: \"%s\": the port must be 0..65535", listen);
	if (inet_pton(AF_INET, h, &a4) == 1)
		loop = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, h, &a6) == 1)
		loop = IN6_IS_ADDR_LOOPBACK(&a6);
	else
		return lt_err_set(err, LT_EUSAGE, "--listen: \"%s\": expected an IP address, not a "
				  "name (127.0.0.1, [::1], 0.0.0.0 ...)", h);
	if (!loop && !have_token)
		return lt_err_set(err, LT_EUSAGE, "--listen %s: not a loopback address: anyone who "
				  "can reach it could send load anywhere; give --token-file", listen);
	if (strlen(h) >= hostlen)
		return lt_err_set(err, LT_EUSAGE, "--listen: address too long");
	snprintf(host, hostlen, "%s", h);
	*port = (unsigned)v;
	return LT_OK;
}

lt_rc lt_serve_read_token(const char *path, char **token, struct lt_err *err)
{
	char *text = NULL, *p, *e;
	size_t len = 0;
	lt_rc rc;

	if ((rc = lti_read_file(path, 65536, &text, &len, err)) != LT_OK)
		return rc;
	p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strcspn(p, "\r\n");
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	for (char *q = p; *q; q++)
		if ((unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e) {
			memset(text, 0, len);
			free(text);
			return lt_err_set(err, LT_EUSAGE, "%s: the token may hold printable ASCII "
					  "only, without blanks", path);
		}
	/* Sixteen characters: a token is meant to be generated (openssl rand
	 * -hex 32), and anything shorter is within reach of guessing over
	 * the network. */
	if (strlen(p) < 16) {
		const char *what = *p ? "too short" : "empty";
		memset(text, 0, len);
		free(text);
		return lt_err_set(err, LT_EUSAGE, "%s: the token is %s (at least 16 characters; "
				  "try: openssl rand -hex 32 > %s)", path, what, path);
	}
	*token = xstrdup(p);
	memset(text, 0, len);
	free(text);
	return *token ? LT_OK : lt_err_set(err, LT_ENOMEM, "out of memory");
}

/* ---- the dashboard ----------------------------------------------------- */
/* GET /: one self-contained page (no CDN, no external file: it must work
 * on a machine without Internet access).  Canvas charts fed by the
 * WebSocket, lists from the REST API; the token, when the server has one,
 * comes from the page's access_token query parameter and goes into an
 * Authorization header for fetch and the same parameter for the
 * WebSocket (a browser cannot give a WebSocket headers). */
const char lti_serve_dashboard_html[] =
	"<!doctype html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<link rel=\"icon\" href=\"data:,\">\n"
	"<title>lt-serve</title>\n"
	"<style>\n"
	":root { --bg: #0f1419; --panel: #171d24; --line: #26303b; --fg: #d7dde3; --mut: #8a96a3;\n"
	"        --blue: #4fa3ff; --green: #3fb950; --amber: #d29922; --red: #f85149; --violet: #a371f7; }\n"
	"* { box-sizing: border-box; }\n"
	"body { margin: 0; font: 14px/1.45 system-ui, -apple-system, \"Segoe UI\", sans-serif;\n"
	"       background: var(--bg); color: var(--fg); }\n"
	"header { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: center; padding: .6em 1em;\n"
	"         background: var(--panel); border-bottom: 1px solid var(--line); }\n"
	"h1 { font-size: 1.1em; margin: 0; }\n"
	"h2 { font-size: .95em; margin: 0 0 .5em; font-weight: 600; }\n"
	"main { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 1em; padding: 1em; }\n"
	"section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .8em;\n"
	"          min-width: 0; }\n"
	"section.wide { grid-column: 1 / -1; }\n"
	"canvas { width: 100%; height: 190px; display: block; }\n"
	"table { width: 100%; border-collapse: collapse; font-size: .88em; }\n"
	"th, td { padding: .28em .45em; border-bottom: 1px solid var(--line); text-align: left;\n"
	"         white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 16em; }\n"
	"th { color: var(--mut); font-weight: 500; }\n"
	"button, select, input { font: inherit; color: var(--fg); background: #21262d; border: 1px solid #30363d;\n"
	"                        border-radius: 4px; padding: .2em .6em; }\n"
	"button { cursor: pointer; }\n"
	"button:disabled { opacity: .45; cursor: default; }\n"
	"button.go { background: #1f6feb; border-color: #1f6feb; }\n"
	"button.halt { background: #b62324; border-color: #b62324; }\n"
	".pill { padding: .05em .6em; border-radius: 1em; border: 1px solid currentColor; font-size: .85em; }\n"
	".ok { color: var(--green); } .warn { color: var(--amber); } .bad { color: var(--red); } .mut { color: var(--mut); }\n"
	".kpis { display: flex; flex-wrap: wrap; gap: .4em 1.6em; }\n"
	".kpi span { display: block; color: var(--mut); font-size: .8em; }\n"
	".kpi b { font-size: 1.35em; font-variant-numeric: tabular-nums; }\n"
	".legend i { display: inline-block; width: .8em; height: .2em; margin: 0 .3em .25em .8em; vertical-align: middle; }\n"
	".bar { height: .35em; background: var(--line); border-radius: .2em; margin-top: .5em; overflow: hidden; }\n"
	".bar div { height: 100%; width: 0; background: var(--blue); transition: width .5s; }\n"
	"#msg { padding: .4em 1em; min-height: 1.9em; }\n"
	"label { color: var(--mut); }\n"
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<header>\n"
	"  <h1>lt-serve</h1>\n"
	"  <span id=\"conn\" class=\"pill mut\">connecting</span>\n"
	"  <span id=\"health\" class=\"mut\"></span>\n"
	"  <span style=\"flex:1\"></span>\n"
	"  <label>scenario <select id=\"scenario\"></select></label>\n"
	"  <label><input type=\"checkbox\" id=\"optCompare\"> compare with baseline</label>\n"
	"  <label><input type=\"checkbox\" id=\"optSave\"> save as baseline</label>\n"
	"  <button id=\"start\" class=\"go\">Start run</button>\n"
	"  <button id=\"stop\" class=\"halt\" disabled>Stop</button>\n"
	"</header>\n"
	"<div id=\"msg\" class=\"mut\" role=\"status\"></div>\n"
	"<main>\n"
	"  <section class=\"wide\">\n"
	"    <h2>Live run <span id=\"runinfo\" class=\"mut\">no run yet</span></h2>\n"
	"    <div class=\"kpis\">\n"
	"      <div class=\"kpi\"><span>phase</span><b id=\"k-phase\">–</b></div>\n"
	"      <div class=\"kpi\"><span>elapsed</span><b id=\"k-t\">–</b></div>\n"
	"      <div class=\"kpi\"><span>users</span><b id=\"k-users\">–</b></div>\n"
	"      <div class=\"kpi\"><span>req/s</span><b id=\"k-rps\">–</b></div>\n"
	"      <div class=\"kpi\"><span>p50 ms</span><b id=\"k-p50\">–</b></div>\n"
	"      <div class=\"kpi\"><span>p95 ms</span><b id=\"k-p95\">–</b></div>\n"
	"      <div class=\"kpi\"><span>p99 ms</span><b id=\"k-p99\">–</b></div>\n"
	"      <div class=\"kpi\"><span>requests</span><b id=\"k-req\">–</b></div>\n"
	"      <div class=\"kpi\"><span>errors</span><b id=\"k-err\">–</b></div>\n"
	"      <div class=\"kpi\"><span>samples</span><b id=\"k-samples\">0</b></div>\n"
	"    </div>\n"
	"    <div class=\"bar\"><div id=\"progress\"></div></div>\n"
	"  </section>\n"
	"  <section><h2>Throughput <span class=\"mut\">req/s</span></h2><canvas id=\"c-rps\" data-points=\"0\"></canvas></section>\n"
	"  <section><h2>Latency <span class=\"mut\">ms</span>\n"
	"    <span class=\"legend\"><i style=\"background:var(--green)\"></i>p50<i style=\"background:var(--amber)\"></i>p95<i style=\"background:var(--red)\"></i>p99</span></h2>\n"
	"    <canvas id=\"c-lat\" data-points=\"0\"></canvas></section>\n"
	"  <section><h2>Errors <span class=\"mut\">per second</span></h2><canvas id=\"c-err\" data-points=\"0\"></canvas></section>\n"
	"  <section><h2>Active users</h2><canvas id=\"c-users\" data-points=\"0\"></canvas></section>\n"
	"  <section><h2>Scenarios</h2><table id=\"t-scen\"></table></section>\n"
	"  <section><h2>Recent results</h2><table id=\"t-res\"></table></section>\n"
	"  <section><h2>Alerts</h2><table id=\"t-alerts\"></table></section>\n"
	"  <section><h2>Baselines</h2><table id=\"t-base\"></table></section>\n"
	"</main>\n"
	"<script>\n"
	"'use strict';\n"
	"const API = '/api/load-testing';\n"
	"const token = new URLSearchParams(location.search).get('access_token') || '';\n"
	"const $ = (id) => document.getElementById(id);\n"
	"\n"
	"async function call(url, method, body) {\n"
	"  const headers = {};\n"
	"  if (token) headers.Authorization = 'Bearer ' + token;\n"
	"  if (body !== undefined) headers['Content-Type'] = 'application/json';\n"
	"  const r = await fetch(url, { method: method || 'GET', headers,\n"
	"                                      body: body === undefined ? undefined : JSON.stringify(body) });\n"
	"  let j = null;\n"
	"  try { j = await r.json(); } catch (e) { j = null; }\n"
	"  if (!r.ok) throw new Error((j && j.detail) || (r.status + ' ' + r.statusText));\n"
	"  return j;\n"
	"}\n"
	"const api = (path, method, body) => call(API + path, method, body);\n"
	"\n"
	"function say(text, bad) { const m = $('msg'); m.textContent = text || ''; m.className = bad ? 'bad' : 'mut'; }\n"
	"function num(v, d) { return v == null || !isFinite(v) ? '–' : Number(v).toFixed(d === undefined ? 1 : d); }\n"
	"function when(t) { if (!t) return '–'; const d = new Date(t); return isNaN(d) ? t : d.toLocaleString(); }\n"
	"function cell(text, cls) { const td = document.createElement('td'); td.textContent = text == null ? '–' : String(text);\n"
	"  if (cls) td.className = cls; td.title = td.textContent; return td; }\n"
	"\n"
	"function fill(id, heads, rows, empty) {\n"
	"  const t = $(id);\n"
	"  t.replaceChildren();\n"
	"  const hr = document.createElement('tr');\n"
	"  heads.forEach((h) => { const th = document.createElement('th'); th.textContent = h; hr.appendChild(th); });\n"
	"  t.appendChild(hr);\n"
	"  if (!rows.length) {\n"
	"    const tr = document.createElement('tr'), td = cell(empty, 'mut');\n"
	"    td.colSpan = heads.length; tr.appendChild(td); t.appendChild(tr); return;\n"
	"  }\n"
	"  rows.forEach((cells) => { const tr = document.createElement('tr'); cells.forEach((c) => tr.appendChild(c)); t.appendChild(tr); });\n"
	"}\n"
	"\n"
	"/* ---- charts: canvas, one line per series, a window of 900 seconds ---- */\n"
	"class Chart {\n"
	"  constructor(id, colors) { this.c = $(id); this.colors = colors; this.clear(); }\n"
	"  clear() { this.t = []; this.v = this.colors.map(() => []); }\n"
	"  push(t, values) {\n"
	"    this.t.push(t); values.forEach((x, i) => this.v[i].push(x));\n"
	"    if (this.t.length > 900) { this.t.shift(); this.v.forEach((s) => s.shift()); }\n"
	"  }\n"
	"  draw() {\n"
	"    const c = this.c, dpr = window.devicePixelRatio || 1, w = c.clientWidth, h = c.clientHeight;\n"
	"    c.dataset.points = String(this.t.length);\n"
	"    if (!w || !h) return;\n"
	"    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {\n"
	"      c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);\n"
	"    }\n"
	"    const g = c.getContext('2d');\n"
	"    g.setTransform(dpr, 0, 0, dpr, 0, 0);\n"
	"    g.clearRect(0, 0, w, h);\n"
	"    const L = 46, R = 8, T = 8, B = 18, pw = w - L - R, ph = h - T - B;\n"
	"    let max = 0;\n"
	"    this.v.forEach((s) => s.forEach((x) => { if (x != null && isFinite(x) && x > max) max = x; }));\n"
	"    max = niceMax(max);\n"
	"    const t0 = this.t.length ? this.t[0] : 0;\n"
	"    const t1 = Math.max(this.t.length ? this.t[this.t.length - 1] : 0, t0 + (this.span || 10));\n"
	"    g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;\n"
	"    for (let i = 0; i <= 4; i++) {\n"
	"      const y = Math.round(T + ph - ph * i / 4) + 0.5;\n"
	"      g.strokeStyle = '#26303b'; g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();\n"
	"      g.fillStyle = '#8a96a3'; g.fillText(axis(max * i / 4), 2, y + 4);\n"
	"    }\n"
	"    const a = Math.round(t0) + ' s', b = Math.round(t1) + ' s';\n"
	"    g.fillText(a, L, h - 4); g.fillText(b, L + pw - g.measureText(b).width, h - 4);\n"
	"    this.v.forEach((s, k) => {\n"
	"      g.strokeStyle = this.colors[k]; g.lineWidth = 1.6; g.beginPath();\n"
	"      let pen = false;\n"
	"      for (let i = 0; i < s.length; i++) {\n"
	"        const x = s[i];\n"
	"        if (x == null || !isFinite(x)) { pen = false; continue; }\n"
	"        const px = L + pw * (this.t[i] - t0) / (t1 - t0), py = T + ph - ph * x / max;\n"
	"        if (pen) g.lineTo(px, py); else { g.moveTo(px, py); pen = true; }\n"
	"      }\n"
	"      g.stroke();\n"
	"    });\n"
	"  }\n"
	"}\n"
	"function niceMax(m) {\n"
	"  if (!(m > 0)) return 1;\n"
	"  const p = Math.pow(10, Math.floor(Math.log10(m)));\n"
	"  for (const k of [1, 2, 4, 6, 8, 10]) if (m <= k * p) return k * p;\n"
	"  return 10 * p;\n"
	"}\n"
	"function axis(v) { return v === 0 ? '0' : v >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : v >= 1e3 ? (v / 1e3).toFixed(1) + 'k' : v >= 10 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 2); }\n"
	"\n"
	"const css = getComputedStyle(document.documentElement);\n"
	"const color = (n) => css.getPropertyValue(n).trim();\n"
	"const charts = {\n"
	"  rps: new Chart('c-rps', [color('--blue')]),\n"
	"  lat: new Chart('c-lat', [color('--green'), color('--amber'), color('--red')]),\n"
	"  err: new Chart('c-err', [color('--red')]),\n"
	"  users: new Chart('c-users', [color('--violet')]),\n"
	"};\n"
	"let queued = false;\n"
	"function redraw() {\n"
	"  if (queued) return;\n"
	"  queued = true;\n"
	"  requestAnimationFrame(() => { queued = false; Object.values(charts).forEach((c) => c.draw()); });\n"
	"}\n"
	"\n"
	"/* ---- the live run ---- */\n"
	"let shown = null, samples = 0, requests = 0, errors = 0, total = 0;\n"
	"function showRun(rs) {\n"
	"  shown = rs.run_id; samples = 0; requests = 0; errors = 0;\n"
	"  const cfg = rs.config && rs.config.config, d = cfg && cfg.duration;\n"
	"  total = d && d.total ? d.total : 0;\n"
	"  Object.values(charts).forEach((c) => { c.clear(); c.span = Math.min(total, 900); });\n"
	"  $('runinfo').textContent = (rs.scenario_id || '') + ' · run ' + rs.run_id.slice(0, 8) + ' · started ' + when(rs.started_at);\n"
	"  ['phase', 't', 'users', 'rps', 'p50', 'p95', 'p99', 'req', 'err'].forEach((k) => { $('k-' + k).textContent = '–'; });\n"
	"  $('k-samples').textContent = '0';\n"
	"  $('progress').style.width = '0';\n"
	"  redraw();\n"
	"}\n"
	"function onSample(s) {\n"
	"  if (shown === null) showRun({ run_id: s.run_id });\n"
	"  if (s.run_id !== shown) return;\n"
	"  /* a second the hello already brought */\n"
	"  if (charts.rps.t.length && s.t <= charts.rps.t[charts.rps.t.length - 1]) return;\n"
	"  const l = s.latency_ms || {};\n"
	"  charts.rps.push(s.t, [s.rps]);\n"
	"  charts.lat.push(s.t, [l.p50, l.p95, l.p99]);\n"
	"  charts.err.push(s.t, [s.errors]);\n"
	"  charts.users.push(s.t, [s.users]);\n"
	"  samples++; requests += s.requests || 0; errors += s.errors || 0;\n"
	"  $('k-phase').textContent = s.phase || '–';\n"
	"  $('k-t').textContent = (s.t + 1) + (total ? ' / ' + total : '') + ' s';\n"
	"  $('k-users').textContent = num(s.users, 0);\n"
	"  $('k-rps').textContent = num(s.rps, 1);\n"
	"  $('k-p50').textContent = num(l.p50, 2);\n"
	"  $('k-p95').textContent = num(l.p95, 2);\n"
	"  $('k-p99').textContent = num(l.p99, 2);\n"
	"  $('k-req').textContent = String(requests);\n"
	"  $('k-err').textContent = String(errors);\n"
	"  $('k-samples').textContent = String(samples);\n"
	"  if (total) $('progress').style.width = Math.min(100, 100 * (s.t + 1) / total) + '%';\n"
	"  redraw();\n"
	"}\n"
	"function onRecord(r) {\n"
	"  switch (r.type) {\n"
	"  case 'hello':\n"
	"    (r.runs || []).forEach((x) => { showRun(x.run_start); (x.samples || []).forEach(onSample); });\n"
	"    break;\n"
	"  case 'run_start': showRun(r); refreshStatus(); break;\n"
	"  case 'sample': onSample(r); break;\n"
	"  case 'summary':\n"
	"    if (r.run_id === shown) {\n"
	"      $('progress').style.width = '100%';\n"
	"      say('run ' + r.run_id.slice(0, 8) + (r.interrupted ? ' stopped' : ' finished') + ': ' + r.requests +\n"
	"          ' requests, p95 ' + num(r.latency_ms && r.latency_ms.p95, 2) + ' ms, ' +\n"
	"          (r.passed ? 'thresholds held' : 'thresholds crossed'), !r.passed);\n"
	"    }\n"
	"    setTimeout(refreshAll, 500);\n"
	"    break;\n"
	"  case 'alert': case 'verdict': refreshAlerts(); break;\n"
	"  case 'run_error': say('run ' + r.run_id.slice(0, 8) + ' failed: ' + r.error, true); refreshStatus(); break;\n"
	"  default: break;\n"
	"  }\n"
	"}\n"
	"\n"
	"/* ---- WebSocket, reconnecting ---- */\n"
	"let backoff = 500;\n"
	"function connect() {\n"
	"  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + API + '/ws' +\n"
	"              (token ? '?access_token=' + encodeURIComponent(token) : '');\n"
	"  const ws = new WebSocket(url);\n"
	"  ws.onopen = () => { backoff = 500; setConn('live', 'ok'); };\n"
	"  ws.onmessage = (e) => { let r; try { r = JSON.parse(e.data); } catch (x) { return; } onRecord(r); };\n"
	"  ws.onclose = () => { setConn('reconnecting', 'warn'); setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 10000); };\n"
	"}\n"
	"function setConn(text, cls) { const c = $('conn'); c.textContent = text; c.className = 'pill ' + cls; }\n"
	"\n"
	"/* ---- lists ---- */\n"
	"async function refreshScenarios() {\n"
	"  const j = await api('/scenarios');\n"
	"  const sel = $('scenario'), keep = sel.value;\n"
	"  sel.replaceChildren();\n"
	"  j.scenarios.forEach((s) => { const o = document.createElement('option'); o.value = s.id; o.textContent = s.name ? s.id + ' — ' + s.name : s.id; sel.appendChild(o); });\n"
	"  if (keep) sel.value = keep;\n"
	"  fill('t-scen', ['id', 'name', 'runs', 'last run', ''], j.scenarios.map((s) => {\n"
	"    const b = document.createElement('button'); b.textContent = 'Run'; b.onclick = () => start(s.id);\n"
	"    const td = document.createElement('td'); td.appendChild(b);\n"
	"    return [cell(s.id), cell(s.name), cell(s.runs), cell(when(s.last_run_at)), td];\n"
	"  }), 'no scenario stored: POST one to ' + API + '/scenarios');\n"
	"}\n"
	"async function refreshResults() {\n"
	"  const j = await api('/results?limit=10');\n"
	"  fill('t-res', ['started', 'scenario', 'status', 'req/s', 'p95 ms', 'errors %', 'passed'], j.results.map((r) => [\n"
	"    cell(when(r.started_at)), cell(r.scenario_id), cell(r.status, r.status === 'complete' ? 'ok' : 'warn'),\n"
	"    cell(num(r.throughput.avg, 1)), cell(num(r.latency_ms.p95, 2)), cell(num(r.error_rate, 2)),\n"
	"    cell(r.passed == null ? '–' : r.passed ? 'yes' : 'no', r.passed === false ? 'bad' : r.passed ? 'ok' : ''),\n"
	"  ]), 'no run recorded yet');\n"
	"}\n"
	"async function refreshAlerts() {\n"
	"  const j = await api('/regression-alerts?limit=20');\n"
	"  fill('t-alerts', ['when', 'scenario', 'metric', 'change', 'severity'], j.alerts.map((a) => [\n"
	"    cell(when(a.created_at)), cell(a.scenario_id), cell(a.metric),\n"
	"    cell((a.change_pct > 0 ? '+' : '') + num(a.change_pct, 1) + ' %'),\n"
	"    cell(a.severity, a.severity === 'critical' ? 'bad' : 'warn'),\n"
	"  ]), 'no alerts');\n"
	"}\n"
	"async function refreshBaselines() {\n"
	"  const j = await api('/baselines');\n"
	"  fill('t-base', ['scenario', 'environment', 'version', 'run', 'p95 ms', 'set'], j.baselines.map((b) => [\n"
	"    cell(b.scenario_id), cell(b.environment), cell(b.version || '–'), cell((b.run_id || '').slice(0, 8)),\n"
	"    cell(num(b.metrics && b.metrics['responseTime.p95'], 2)), cell(when(b.created_at)),\n"
	"  ]), 'no baselines');\n"
	"}\n"
	"async function refreshStatus() {\n"
	"  const j = await api('/status');\n"
	"  $('stop').disabled = !j.runs.length;\n"
	"  $('start').disabled = j.runs.length >= j.maxRuns;\n"
	"  if (j.runs.length && shown !== j.runs[0].runId && samples === 0)\n"
	"    $('runinfo').textContent = j.runs[0].scenarioId + ' · run ' + j.runs[0].runId.slice(0, 8) + ' · ' + j.runs[0].status;\n"
	"}\n"
	"async function refreshHealth() {\n"
	"  const j = await call('/health');\n"
	"  $('health').textContent = 'v' + j.version + ' · database ' + j.database.state + ' · up ' + Math.round(j.uptime_s) + ' s';\n"
	"}\n"
	"function guard(p) { return p.catch((e) => say(e.message, true)); }\n"
	"function refreshAll() {\n"
	"  guard(refreshScenarios()); guard(refreshResults()); guard(refreshAlerts());\n"
	"  guard(refreshBaselines()); guard(refreshStatus());\n"
	"}\n"
	"\n"
	"async function start(id) {\n"
	"  id = id || $('scenario').value;\n"
	"  if (!id) { say('no scenario to run', true); return; }\n"
	"  try {\n"
	"    const j = await api('/run', 'POST', { scenarioId: id, options: {\n"
	"      compareBaseline: $('optCompare').checked, saveBaseline: $('optSave').checked } });\n"
	"    say('run ' + j.runId.slice(0, 8) + ' of ' + id + ' started');\n"
	"    refreshStatus();\n"
	"  } catch (e) { say(e.message, true); }\n"
	"}\n"
	"async function stop() {\n"
	"  try { const j = await api('/stop', 'POST', {}); say('stopping ' + j.stopped.length + ' run(s)'); }\n"
	"  catch (e) { say(e.message, true); }\n"
	"}\n"
	"$('start').onclick = () => start();\n"
	"$('stop').onclick = stop;\n"
	"window.addEventListener('resize', redraw);\n"
	"connect();\n"
	"refreshAll();\n"
	"guard(refreshHealth());\n"
	"setInterval(() => guard(refreshStatus()), 2000);\n"
	"setInterval(() => guard(refreshHealth()), 10000);\n"
	"setInterval(() => { guard(refreshResults()); guard(refreshAlerts()); }, 15000);\n"
	"redraw();\n"
	"</script>\n"
	"</body>\n"
	"</html>\n";
