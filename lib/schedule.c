/* schedule.c -- scheduled load tests (schedule.h, lt-sched(1)).
 *
 * Five parts: schedules (JSON in, database rows out and back), the due
 * computation (calendar only: which fire time is owed at a given time),
 * the pipeline (lt-run and its sink as child processes), the runner (the
 * lock, execution threads, retries, notifications, pruning) and batch
 * checks.  The database is the only state shared between processes; the
 * runner's own state is the list of its execution threads.
 */
#include "schedule.h"
#include "cron.h"
#include "ndjson.h"
#include "notify.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_BACKOFF_S 30.0

/* ---- small helpers ----------------------------------------------------- */

const char *lt_schedule_policy_name(lt_schedule_policy p)
{
	switch (p) {
	case LT_SCHEDULE_FORBID: return "forbid";
	case LT_SCHEDULE_ALLOW: return "allow";
	case LT_SCHEDULE_REPLACE: return "replace";
	}
	return "forbid";
}

static bool policy_parse(const char *s, lt_schedule_policy *p)
{
	/* Kubernetes writes Forbid, Allow, Replace; lt-db(5) lower case. */
	if (!strcasecmp(s, "forbid"))
		*p = LT_SCHEDULE_FORBID;
	else if (!strcasecmp(s, "allow"))
		*p = LT_SCHEDULE_ALLOW;
	else if (!strcasecmp(s, "replace"))
		*p = LT_SCHEDULE_REPLACE;
	else
		return false;
	return true;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void lt_schedule_free(struct lt_schedule *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->scenario_id);
	free(s->scenario_path);
	free(s->expr);
	free(s->timezone);
	free(s->environment);
	free_strv(s->notify, s->n_notify);
	cJSON_Delete(s->run_options);
	free(s);
}

void lt_schedule_list_free(struct lt_schedule **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		lt_schedule_free(list[i]);
	free(list);
}

static struct lt_schedule *sched_alloc(void)
{
	struct lt_schedule *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->enabled = true;
	s->backoff_s = DEFAULT_BACKOFF_S;
	s->starting_deadline_s = -1;
	s->history_limit = LT_SCHEDULE_HISTORY_DEFAULT;
	s->last_fired_at = -1;
	s->created_at = -1;
	if (!(s->run_options = cJSON_CreateObject())) {
		free(s);
		return NULL;
	}
	return s;
}

/* "a string", "a number", ... for messages about a JSON value. */
static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsObject(v)) return "an object";
	return "something else";
}

static bool looks_like_file(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".json"));
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > LT_SCHEDULE_NAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* A duration in seconds: a JSON number, or a string lt-run would take
 * ("30s", "5m", "1m30s"). */
static bool json_duration(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0) {
		*out = v->valuedouble;
		return true;
	}
	return cJSON_IsString(v) && lt_scenario_duration_parse(v->valuestring, out);
}

static bool json_uint(const cJSON *v, double lo, double hi, unsigned *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < lo || v->valuedouble > hi)
		return false;
	*out = (unsigned)v->valuedouble;
	return true;
}

/* ---- schedules from JSON ------------------------------------------------- */

struct parse {
	const char *src;
	struct lt_err *err;
};

static lt_rc bad(struct parse *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static lt_rc bad(struct parse *p, const char *path, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lt_err_set(p->err, LT_EINVAL, "%s: %s: %s", p->src, path, msg);
}

static lt_rc dup_into(char **dst, const char *s, struct lt_err *err)
{
	char *d = lti_strdup(s);
	if (s && !d)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	free(*dst);
	*dst = d;
	return LT_OK;
}

/* options: the seed's two flags and lt-run's overrides. */
static lt_rc parse_options(struct parse *p, const cJSON *o, struct lt_schedule *s)
{
	const cJSON *v;
	char path[160];

	if (!cJSON_IsObject(o))
		return bad(p, "options", "expected an object, got %s", json_kind(o));
	cJSON_ArrayForEach(v, o) {
		const char *k = v->string;
		snprintf(path, sizeof path, "options.%s", k);
		if (!strcmp(k, "compareBaseline") || !strcmp(k, "notifyOnRegression")) {
			if (!cJSON_IsBool(v))
				return bad(p, path, "expected true or false, got %s", json_kind(v));
			if (k[0] == 'c')
				s->compare_baseline = cJSON_IsTrue(v);
			else
				s->notify_on_regression = cJSON_IsTrue(v);
			continue;
		}
		double d;
		unsigned u;
		if (!strcmp(k, "duration")) {
			if (!json_duration(v, &d) || d <= 0)
				return bad(p, path, "expected a duration > 0 (30, \"30s\", \"5m\")");
		} else if (!strcmp(k, "users")) {
			if (!json_uint(v, 1, 1000000, &u))
				return bad(p, path, "expected a whole number 1-1000000");
		} else if (!strcmp(k, "rate")) {
			if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || !isfinite(v->valuedouble))
				return bad(p, path, "expected a number of requests per second > 0");
		} else if (!strcmp(k, "thresholds")) {
			const cJSON *t;
			int i = 0;
			if (!cJSON_IsArray(v))
				return bad(p, path, "expected an array of strings like \"p95<300\"");
			cJSON_ArrayForEach(t, v) {
				struct lt_threshold th;
				struct lt_err e = {0};
				if (!cJSON_IsString(t))
					return bad(p, path, "[%d]: expected a string, got %s", i,
						   json_kind(t));
				if (lt_scenario_threshold_parse(t->valuestring, &th, &e) != LT_OK)
					return bad(p, path, "[%d]: %s", i, lt_errmsg(&e));
				i++;
			}
		} else if (!strcmp(k, "tags")) {
			const cJSON *t;
			if (!cJSON_IsObject(v))
				return bad(p, path, "expected an object of strings");
			cJSON_ArrayForEach(t, v)
				if (!cJSON_IsString(t) || !*t->string || strchr(t->string, '='))
					return bad(p, path, "%s: expected a string (and a key without '=')",
						   t->string);
		} else {
			return bad(p, path, "unknown option (expected compareBaseline, "
				   "notifyOnRegression, duration, users, rate, thresholds or tags)");
		}
		cJSON *copy = cJSON_Duplicate(v, 1);
		if (!copy)
			return lt_err_set(p->err, LT_ENOMEM, "out of memory");
		cJSON_AddItemToObject(s->run_options, k, copy);
	}
	return LT_OK;
}

static lt_rc parse_retries(struct parse *p, const cJSON *v, struct lt_schedule *s)
{
	const cJSON *m;
	if (cJSON_IsNumber(v)) {
		if (!json_uint(v, 0, LT_SCHEDULE_RETRIES_MAX, &s->retries))
			return bad(p, "retries", "expected a whole number 0-%d", LT_SCHEDULE_RETRIES_MAX);
		return LT_OK;
	}
	if (!cJSON_IsObject(v))
		return bad(p, "retries", "expected {\"max\": N, \"backoff\": \"30s\"}, got %s",
			   json_kind(v));
	cJSON_ArrayForEach(m, v) {
		if (!strcmp(m->string, "max")) {
			if (!json_uint(m, 0, LT_SCHEDULE_RETRIES_MAX, &s->retries))
				return bad(p, "retries.max", "expected a whole number 0-%d",
					   LT_SCHEDULE_RETRIES_MAX);
		} else if (!strcmp(m->string, "backoff")) {
			if (!json_duration(m, &s->backoff_s) || s->backoff_s > LT_SCHEDULE_BACKOFF_MAX_S)
				return bad(p, "retries.backoff",
					   "expected a duration 0-86400 s (30, \"30s\", \"5m\")");
		} else {
			return bad(p, "retries", "unknown member \"%s\" (expected max or backoff)",
				   m->string);
		}
	}
	return LT_OK;
}

/* notify: the specs themselves, once lt_notify_targets_from_json has
 * checked them; s->notify has room for them. */
static lt_rc copy_notify(const cJSON *v, struct lt_schedule *s, struct lt_err *err)
{
	const cJSON *t;
	if (cJSON_IsString(v))
		return (s->notify[s->n_notify] = lti_strdup(v->valuestring)) && ++s->n_notify
			? LT_OK : lt_err_set(err, LT_ENOMEM, "out of memory");
	cJSON_ArrayForEach(t, v) {
		if (!(s->notify[s->n_notify] = lti_strdup(t->valuestring)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		s->n_notify++;
	}
	return LT_OK;
}

static lt_rc parse_member(struct parse *p, const cJSON *v, struct lt_schedule *s)
{
	const char *k = v->string;
	struct lt_err e = {0};

	if (!strcmp(k, "name")) {
		if (!cJSON_IsString(v) || !name_ok(v->valuestring))
			return bad(p, k, "expected a name of 1-%d letters, digits, '.', '_' or '-' "
				   "(not starting with '.' or '-')", LT_SCHEDULE_NAME_MAX);
		return dup_into(&s->name, v->valuestring, p->err);
	}
	if (!strcmp(k, "scenarioId") || !strcmp(k, "scenarioFile")) {
		if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > PATH_MAX)
			return bad(p, k, "expected a non-empty string");
		return dup_into(k[8] == 'I' ? &s->scenario_id : &s->scenario_path, v->valuestring,
				p->err);
	}
	if (!strcmp(k, "schedule")) {
		struct lt_cron *c = NULL;
		if (!cJSON_IsString(v))
			return bad(p, k, "expected a cron expression, got %s", json_kind(v));
		if (lt_cron_parse(v->valuestring, &c, &e) != LT_OK)
			return lt_err_set(p->err, e.rc, "%s: schedule: %s", p->src, lt_errmsg(&e));
		lt_cron_free(c);
		return dup_into(&s->expr, v->valuestring, p->err);
	}
	if (!strcmp(k, "timezone")) {
		if (cJSON_IsNull(v))
			return dup_into(&s->timezone, NULL, p->err);
		if (!cJSON_IsString(v))
			return bad(p, k, "expected a zone name like \"Europe/Berlin\", got %s",
				   json_kind(v));
		if (lt_cron_zone_check(v->valuestring, &e) != LT_OK)
			return bad(p, k, "%s", lt_errmsg(&e));
		return dup_into(&s->timezone, v->valuestring, p->err);
	}
	if (!strcmp(k, "enabled")) {
		if (!cJSON_IsBool(v))
			return bad(p, k, "expected true or false, got %s", json_kind(v));
		s->enabled = cJSON_IsTrue(v);
		return LT_OK;
	}
	if (!strcmp(k, "options"))
		return parse_options(p, v, s);
	if (!strcmp(k, "retries"))
		return parse_retries(p, v, s);
	if (!strcmp(k, "timeout")) {
		if (cJSON_IsNull(v)) {
			s->timeout_s = 0;
			return LT_OK;
		}
		if (!json_duration(v, &s->timeout_s) || s->timeout_s > 30 * 86400.0)
			return bad(p, k, "expected a duration up to 30 days (900, \"15m\"), or null");
		return LT_OK;
	}
	if (!strcmp(k, "concurrencyPolicy")) {
		if (!cJSON_IsString(v) || !policy_parse(v->valuestring, &s->policy))
			return bad(p, k, "expected forbid, allow or replace");
		return LT_OK;
	}
	if (!strcmp(k, "startingDeadlineSeconds")) {
		if (cJSON_IsNull(v)) {
			s->starting_deadline_s = -1;
			return LT_OK;
		}
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 1e9)
			return bad(p, k, "expected a number of seconds >= 0, or null for none");
		s->starting_deadline_s = v->valuedouble;
		return LT_OK;
	}
	if (!strcmp(k, "historyLimit")) {
		if (!json_uint(v, 1, LT_SCHEDULE_HISTORY_MAX, &s->history_limit))
			return bad(p, k, "expected a whole number 1-%d", LT_SCHEDULE_HISTORY_MAX);
		return LT_OK;
	}
	if (!strcmp(k, "environment")) {
		if (!cJSON_IsString(v) || !*v->valuestring)
			return bad(p, k, "expected a non-empty string");
		return dup_into(&s->environment, v->valuestring, p->err);
	}
	if (!strcmp(k, "notify")) {
		struct lt_notify_target **t = NULL;
		size_t n = 0;
		char path[600];
		snprintf(path, sizeof path, "%s: notify", p->src);
		if (lt_notify_targets_from_json(v, path, &t, &n, &e) != LT_OK)
			return lt_err_set(p->err, e.rc, "%s", lt_errmsg(&e));
		lt_notify_targets_free(t, n);
		free_strv(s->notify, s->n_notify);
		s->notify = NULL;
		s->n_notify = 0;
		size_t want = cJSON_IsString(v) ? 1 : (size_t)cJSON_GetArraySize(v);
		if (!(s->notify = calloc(want + 1, sizeof *s->notify)))
			return lt_err_set(p->err, LT_ENOMEM, "out of memory");
		return copy_notify(v, s, p->err);
	}
	static const char *const ignored[] = {
		"id", "lastFiredAt", "nextFireAt", "createdAt", "updatedAt", "lastRun", "nextRun",
	};
	for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++)
		if (!strcmp(k, ignored[i]))
			return LT_OK;
	return bad(p, k, "unknown member (expected name, scenarioId, scenarioFile, schedule, "
		   "enabled, options, retries, timeout, concurrencyPolicy, "
		   "startingDeadlineSeconds, historyLimit, timezone, environment or notify)");
}

lt_rc lt_schedule_from_json(const cJSON *obj, const char *source, struct lt_schedule **out,
			 struct lt_err *err)
{
	struct parse p = { source ? source : "schedule", err };
	struct lt_schedule *s;
	const cJSON *v;
	lt_rc rc = LT_OK;

	if (!cJSON_IsObject(obj))
		return lt_err_set(err, LT_EINVAL, "%s: expected a schedule object, got %s", p.src,
				  json_kind(obj));
	if (!(s = sched_alloc()))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	cJSON_ArrayForEach(v, obj) {
		if ((rc = parse_member(&p, v, s)))
			goto fail;
	}
	if (!s->name) {
		rc = lt_err_set(err, LT_EINVAL, "%s: name: missing", p.src);
		goto fail;
	}
	if (!s->expr) {
		rc = lt_err_set(err, LT_EINVAL, "%s: schedule: missing (a cron expression such as "
				"\"0 2 * * *\")", p.src);
		goto fail;
	}
	if (!s->scenario_id && !s->scenario_path) {
		rc = lt_err_set(err, LT_EINVAL, "%s: scenarioId: missing (a stored scenario id or "
				"a scenario file)", p.src);
		goto fail;
	}
	/* A scenarioId that names a file is the file (schedule.h). */
	if (!s->scenario_path && looks_like_file(s->scenario_id)) {
		s->scenario_path = s->scenario_id;
		s->scenario_id = NULL;
	}
	*out = s;
	return LT_OK;
fail:
	lt_schedule_free(s);
	return rc;
}

/* ---- schedules to JSON and to and from database rows --------------------- */

static void add_time(cJSON *o, const char *key, double t)
{
	char buf[LTI_TIME_LEN];
	if (t < 0)
		return;
	lti_time_format(t, buf);
	cJSON_AddStringToObject(o, key, buf);
}

/* The options object in the seed's format: the two flags and lt-run's
 * overrides. */
static cJSON *options_json(const struct lt_schedule *s)
{
	cJSON *o = cJSON_Duplicate(s->run_options, 1);
	if (!o)
		o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddBoolToObject(o, "compareBaseline", s->compare_baseline);
	cJSON_AddBoolToObject(o, "notifyOnRegression", s->notify_on_regression);
	return o;
}

static cJSON *notify_json(const struct lt_schedule *s)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < s->n_notify; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->notify[i]));
	return a;
}

cJSON *lt_schedule_to_json(const struct lt_schedule *s, double next_fire)
{
	cJSON *o = cJSON_CreateObject(), *r;
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", s->name);
	if (s->scenario_id)
		cJSON_AddStringToObject(o, "scenarioId", s->scenario_id);
	if (s->scenario_path)
		cJSON_AddStringToObject(o, "scenarioFile", s->scenario_path);
	cJSON_AddStringToObject(o, "schedule", s->expr);
	if (s->timezone)
		cJSON_AddStringToObject(o, "timezone", s->timezone);
	cJSON_AddBoolToObject(o, "enabled", s->enabled);
	cJSON_AddItemToObject(o, "options", options_json(s));
	if ((r = cJSON_AddObjectToObject(o, "retries"))) {
		cJSON_AddNumberToObject(r, "max", s->retries);
		cJSON_AddNumberToObject(r, "backoff", s->backoff_s);
	}
	if (s->timeout_s > 0)
		cJSON_AddNumberToObject(o, "timeout", s->timeout_s);
	cJSON_AddStringToObject(o, "concurrencyPolicy", lt_schedule_policy_name(s->policy));
	if (s->starting_deadline_s >= 0)
		cJSON_AddNumberToObject(o, "startingDeadlineSeconds", s->starting_deadline_s);
	cJSON_AddNumberToObject(o, "historyLimit", s->history_limit);
	if (s->environment)
		cJSON_AddStringToObject(o, "environment", s->environment);
	if (s->n_notify)
		cJSON_AddItemToObject(o, "notify", notify_json(s));
	add_time(o, "lastFiredAt", s->last_fired_at);
	add_time(o, "nextFireAt", next_fire);
	add_time(o, "createdAt", s->created_at);
	return o;
}

/* The row lt_db_schedules_add stores.  The options column holds the
 * seed's options plus what scheduled_tests has no column for
 * (environment, notify, backoff). */
static cJSON *sched_row(const struct lt_schedule *s)
{
	cJSON *row = cJSON_CreateObject(), *o = options_json(s);
	if (!row || !o) {
		cJSON_Delete(row);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "backoff", s->backoff_s);
	if (s->environment)
		cJSON_AddStringToObject(o, "environment", s->environment);
	if (s->n_notify)
		cJSON_AddItemToObject(o, "notify", notify_json(s));
	cJSON_AddStringToObject(row, "name", s->name);
	cJSON_AddStringToObject(row, "scenario_id", s->scenario_id);
	if (s->scenario_path)
		cJSON_AddStringToObject(row, "scenario_path", s->scenario_path);
	cJSON_AddStringToObject(row, "schedule", s->expr);
	if (s->timezone)
		cJSON_AddStringToObject(row, "timezone", s->timezone);
	cJSON_AddBoolToObject(row, "enabled", s->enabled);
	cJSON_AddItemToObject(row, "options", o);
	cJSON_AddNumberToObject(row, "retries", s->retries);
	if (s->timeout_s > 0)
		cJSON_AddNumberToObject(row, "timeout_s", s->timeout_s);
	cJSON_AddStringToObject(row, "concurrency_policy", lt_schedule_policy_name(s->policy));
	if (s->starting_deadline_s >= 0)
		cJSON_AddNumberToObject(row, "starting_deadline_s", s->starting_deadline_s);
	cJSON_AddNumberToObject(row, "history_limit", s->history_limit);
	return row;
}

static double row_num(const cJSON *row, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static double row_time(const cJSON *row, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, key));
	double t;
	return s && lti_time_parse(s, &t) ? t : -1;
}

/* A schedule from its stored row (db.h).  The row was checked when it was
 * added; what can still be wrong (a row edited by hand) shows when the
 * schedule is computed. */
static lt_rc sched_from_row(const cJSON *row, struct lt_schedule **out, struct lt_err *err)
{
	struct lt_schedule *s = sched_alloc();
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(row, "options"), *v;
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "name"));
	const char *policy;

	if (!s)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	s->name = lti_strdup(name);
	s->scenario_id = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "scenario_id")));
	s->scenario_path = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "scenario_path")));
	s->expr = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "schedule")));
	s->timezone = lti_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(row, "timezone")));
	s->enabled = row_num(row, "enabled", 1) != 0;
	s->retries = (unsigned)row_num(row, "retries", 0);
	s->timeout_s = row_num(row, "timeout_s", 0);
	policy = cJSON_GetStringValue(cJSON_GetObjectItem(row, "concurrency_policy"));
	if (policy)
		policy_parse(policy, &s->policy);
	s->starting_deadline_s = row_num(row, "starting_deadline_s", -1);
	s->history_limit = (unsigned)row_num(row, "history_limit", LT_SCHEDULE_HISTORY_DEFAULT);
	if (s->history_limit < 1)
		s->history_limit = 1;
	s->last_fired_at = row_time(row, "last_fired_at");
	s->created_at = row_time(row, "created_at");
	if (!s->name || !s->expr || (!s->scenario_id && !s->scenario_path)) {
		lt_schedule_free(s);
		return lt_err_set(err, name ? LT_EDB : LT_ENOMEM,
				  "schedule %s: stored row lacks its scenario or expression",
				  name ? name : "?");
	}
	cJSON_ArrayForEach(v, o) {
		const char *k = v->string;
		if (!strcmp(k, "compareBaseline"))
			s->compare_baseline = cJSON_IsTrue(v);
		else if (!strcmp(k, "notifyOnRegression"))
			s->notify_on_regression = cJSON_IsTrue(v);
		else if (!strcmp(k, "backoff"))
			s->backoff_s = cJSON_IsNumber(v) ? v->valuedouble : DEFAULT_BACKOFF_S;
		else if (!strcmp(k, "environment"))
			s->environment = lti_strdup(cJSON_GetStringValue(v));
		else if (!strcmp(k, "notify") && cJSON_IsArray(v)) {
			const cJSON *t;
			s->notify = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->notify);
			cJSON_ArrayForEach(t, v)
				if (s->notify && cJSON_IsString(t))
					s->notify[s->n_notify++] = lti_strdup(t->valuestring);
		} else
			cJSON_AddItemToObject(s->run_options, k, cJSON_Duplicate(v, 1));
	}
	*out = s;
	return LT_OK;
}

/* ---- resolving the scenario and storing ---------------------------------- */

lt_rc lt_schedule_resolve(struct lt_db *db, struct lt_schedule *s, struct lt_err *err)
{
	struct lt_scenario_set *set = NULL;
	struct lt_scenario *sc = NULL;
	cJSON *row = NULL;
	char *abs = NULL, *id = NULL;
	lt_rc rc;

	if (!s->scenario_path) {
		rc = lt_db_scenario_get(db, s->scenario_id, &row, err);
		cJSON_Delete(row);
		if (rc == LT_ENOTFOUND)
			return lt_err_set(err, LT_ENOTFOUND,
					  "unknown scenario \"%s\": not in the database (record a run "
					  "of it with lt-run --db, or give a scenario file)",
					  s->scenario_id);
		return rc;
	}
	if (!(abs = realpath(s->scenario_path, NULL)))
		return lt_err_set(err, errno == ENOENT ? LT_ENOTFOUND : LT_EIO,
				  "scenario file %s: %s", s->scenario_path, strerror(errno));
	/* Loaded by the name given, so that messages show it as the user
	 * wrote it; stored by its absolute path, for a daemon elsewhere. */
	if ((rc = lt_scenario_load_file(s->scenario_path, &set, err)))
		goto out;
	if (s->scenario_id)
		sc = lt_scenario_set_find(set, s->scenario_id);
	else if (lt_scenario_set_count(set) == 1)
		sc = lt_scenario_set_get(set, 0);
	if (!sc) {
		rc = s->scenario_id
			? lt_err_set(err, LT_ENOTFOUND, "%s: no scenario \"%s\" in the file",
				     s->scenario_path, s->scenario_id)
			: lt_err_set(err, LT_EINVAL, "%s: holds %zu scenarios: name one with "
				     "scenarioId", s->scenario_path, lt_scenario_set_count(set));
		goto out;
	}
	if (!(id = lti_strdup(sc->id))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	free(s->scenario_path);
	free(s->scenario_id);
	s->scenario_path = abs;
	s->scenario_id = id;
	abs = NULL;
out:
	free(abs);
	lt_scenario_set_free(set);
	return rc;
}

lt_rc lt_schedule_add(struct lt_db *db, struct lt_schedule *const *s, size_t n, bool replace,
		   double now, struct lt_err *err)
{
	char at[LTI_TIME_LEN];
	cJSON *rows = cJSON_CreateArray();
	lt_rc rc;

	if (!rows)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		cJSON *row = sched_row(s[i]);
		if (!row || !s[i]->scenario_id) {
			cJSON_Delete(row);
			cJSON_Delete(rows);
			return row ? lt_err_set(err, LT_EUSAGE, "schedule %s: scenario not resolved",
						s[i]->name)
				   : lt_err_set(err, LT_ENOMEM, "out of memory");
		}
		cJSON_AddItemToArray(rows, row);
	}
	lti_time_format(now, at);
	rc = lt_db_schedules_add(db, rows, replace, at, err);
	cJSON_Delete(rows);
	return rc;
}

lt_rc lt_schedule_get(struct lt_db *db, const char *name, struct lt_schedule **out,
		   struct lt_err *err)
{
	cJSON *row = NULL;
	lt_rc rc = lt_db_schedule_get(db, name, &row, err);
	if (rc == LT_OK)
		rc = sched_from_row(row, out, err);
	cJSON_Delete(row);
	return rc;
}

lt_rc lt_schedule_list(struct lt_db *db, struct lt_schedule ***out, size_t *n, struct lt_err *err)
{
	cJSON *rows = NULL, *row;
	struct lt_schedule **list;
	size_t k = 0;
	lt_rc rc;

	if ((rc = lt_db_schedules_list(db, &rows, err)))
		return rc;
	if (!(list = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof *list))) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(row, rows) {
		if ((rc = sched_from_row(row, &list[k], err))) {
			lt_schedule_list_free(list, k);
			cJSON_Delete(rows);
			return rc;
		}
		k++;
	}
	cJSON_Delete(rows);
	*out = list;
	*n = k;
	return LT_OK;
}

/* ---- when a schedule is due ------------------------------------------------ */

/* The next fire time after `after`, -1 when there is none. */
static lt_rc fire_after(const struct lt_cron *c, const char *tz, time_t after, time_t *next,
			struct lt_err *err)
{
	lt_rc rc = lt_cron_next(c, tz, after, next, err);
	if (rc == LT_ENOTFOUND) {
		*next = -1;
		return LT_OK;
	}
	return rc;
}

/* The latest fire time in (ref, now], -1 when none.  There is no "previous
 * fire time" in cron.h, so look back through windows that grow from a
 * minute to four centuries and step forward inside the first window that
 * holds one: a schedule that fired a minute ago costs one call, and one
 * whose reference is years back costs a handful, never a walk over the
 * years.  Inside a window the steps are bounded by its fire times after
 * a smaller window held none (at most a day of minutes in practice). */
static lt_rc latest_fire(const struct lt_cron *c, const char *tz, time_t ref, time_t now,
			 time_t *latest, struct lt_err *err)
{
	static const time_t windows[] = {
		60, 3600, 86400, 32 * 86400, 367 * 86400, 4 * 367 * 86400,
		(time_t)401 * 367 * 86400,
	};
	time_t f = -1, n;
	lt_rc rc;

	*latest = -1;
	for (size_t i = 0; i < sizeof windows / sizeof *windows; i++) {
		time_t start = now - windows[i];
		bool last = start <= ref || i + 1 == sizeof windows / sizeof *windows;
		if (start <= ref)
			start = ref;
		if ((rc = fire_after(c, tz, start, &f, err)))
			return rc;
		if (f >= 0 && f <= now)
			break;
		f = -1;
		if (last)
			return LT_OK;
	}
	for (unsigned steps = 0; f >= 0 && steps < 1000000; steps++) {
		if ((rc = fire_after(c, tz, f, &n, err)))
			return rc;
		if (n < 0 || n > now)
			break;
		f = n;
	}
	*latest = f;
	return LT_OK;
}

lt_rc lt_schedule_due(const struct lt_schedule *s, double now, struct lt_schedule_due *out,
		      struct lt_err *err)
{
	struct lt_cron *c = NULL;
	time_t tnow = (time_t)floor(now), ref, first, latest, g;
	double r;
	lt_rc rc;

	memset(out, 0, sizeof *out);
	out->next_fire = -1;
	if ((rc = lt_cron_parse(s->expr, &c, err))) {
		lt_err_prefix(err, "schedule %s", s->name);
		return rc;
	}
	if ((rc = fire_after(c, s->timezone, tnow, &out->next_fire, err)))
		goto out;
	if (!s->enabled)
		goto out;
	r = s->last_fired_at >= 0 ? s->last_fired_at : s->created_at >= 0 ? s->created_at : now;
	ref = (time_t)floor(r);
	if (ref >= tnow)
		goto out;
	if ((rc = fire_after(c, s->timezone, ref, &first, err)))
		goto out;
	if (first < 0 || first > tnow)
		goto out;
	if ((rc = latest_fire(c, s->timezone, ref, tnow, &latest, err)))
		goto out;
	if (latest < 0)
		latest = first;
	/* The fire times between the reference and the latest are missed:
	 * counted for the message, never run (Kubernetes runs only the most
	 * recent unmet schedule too). */
	for (g = first; g >= 0 && g < latest; ) {
		if (out->missed == LT_SCHEDULE_MISSED_COUNT_MAX) {
			out->missed_more = true;
			break;
		}
		out->missed++;
		if ((rc = fire_after(c, s->timezone, g, &g, err)))
			goto out;
	}
	out->fire_time = latest;
	if (s->starting_deadline_s >= 0 && now - (double)latest > s->starting_deadline_s)
		out->too_late = true;
	else
		out->due = true;
out:
	if (rc)
		lt_err_prefix(err, "schedule %s", s->name);
	lt_cron_free(c);
	return rc;
}

/* ---- the pipeline ------------------------------------------------------------ */

/* A growable argv. */
struct argv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void argv_add(struct argv *a, const char *s)
{
	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	if (!(a->v[a->n] = lti_strdup(s))) {
		a->oom = true;
		return;
	}
	a->v[++a->n] = NULL;
}

static void argv_addf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void argv_addf(struct argv *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	argv_add(a, buf);
}

static void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* The last bytes of a stream, LT_SCHEDULE_STDERR_MAX of them. */
struct tail {
	char buf[2 * LT_SCHEDULE_STDERR_MAX];
	size_t len;
	bool cut;  /* bytes were dropped from the front */
};

static void tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= LT_SCHEDULE_STDERR_MAX) {
		p += n - LT_SCHEDULE_STDERR_MAX;
		n = LT_SCHEDULE_STDERR_MAX;
		t->len = 0;
		t->cut = true;
	}
	if (t->len + n > sizeof t->buf) {
		size_t drop = t->len + n - LT_SCHEDULE_STDERR_MAX;
		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
		t->cut = true;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* t's text as whole lines of valid UTF-8 into out (LT_SCHEDULE_STDERR_MAX
 * + 1 bytes): a cut first line is dropped, bytes that are not UTF-8 and
 * control characters other than newline and tab become '?', so that the
 * excerpt travels in NDJSON as it is. */
static void tail_text(const struct tail *t, char *out)
{
	const char *p = t->buf, *end = t->buf + t->len;
	size_t k = 0;

	if (t->len > LT_SCHEDULE_STDERR_MAX)
		p = end - LT_SCHEDULE_STDERR_MAX;
	if (t->cut || t->len > LT_SCHEDULE_STDERR_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl && nl + 1 < end)
			p = nl + 1;
	}
	while (p < end && k < LT_SCHEDULE_STDERR_MAX) {
		unsigned char c = (unsigned char)*p;
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (c >= 0x80 && (p + len > end || !lti_utf8_valid(p, len) ||
				  k + len > LT_SCHEDULE_STDERR_MAX))
			len = 0;
		if (len == 0 || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			out[k++] = '?';
			p++;
			continue;
		}
		memcpy(out + k, p, len);
		k += len;
		p += len;
	}
	out[k] = '\0';
}

/* The last non-empty line of text into out (size n). */
static void last_line(const char *text, char *out, size_t n)
{
	const char *end = text + strlen(text), *start;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, n, "%.*s", (int)(end - start), start);
}

static void set_not_started(struct lt_schedule_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_not_started(struct lt_schedule_result *res, const char *fmt, ...)
{
	va_list ap;
	res->end = LT_SCHEDULE_NOT_STARTED;
	va_start(ap, fmt);
	vsnprintf(res->stderr_tail, sizeof res->stderr_tail, fmt, ap);
	va_end(ap);
}

/* Write the stored scenario of job to a new temporary file; *path new. */
static lt_rc stored_scenario_file(const struct lt_schedule_job *job, char **path,
				  struct lt_err *err)
{
	struct lt_db *db = NULL;
	cJSON *row = NULL;
	const cJSON *config;
	char *text = NULL, *tmp = NULL;
	const char *dir = getenv("TMPDIR");
	lt_rc rc;
	int fd = -1;

	if ((rc = lt_db_open(job->db_path, LT_DB_READONLY, &db, err)) ||
	    (rc = lt_db_scenario_get(db, job->sched->scenario_id, &row, err)))
		goto out;
	config = cJSON_GetObjectItemCaseSensitive(row, "config");
	if (!cJSON_IsObject(config)) {
		rc = lt_err_set(err, LT_EDB, "scenario %s: stored without its configuration",
				job->sched->scenario_id);
		goto out;
	}
	if (!(text = cJSON_PrintUnformatted(config)) ||
	    asprintf(&tmp, "%s/lt-sched-XXXXXX.json", dir && *dir ? dir : "/tmp") < 0) {
		tmp = NULL;
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	if ((fd = mkostemps(tmp, 5, O_CLOEXEC)) < 0) {
		rc = lt_err_set(err, LT_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = lt_err_set(err, LT_EIO, "%s: %s", tmp, strerror(errno));
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	*path = tmp;
	tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	cJSON_free(text);
	cJSON_Delete(row);
	lt_db_close(db);
	return rc;
}

/* The program's path: in bindir when it is there, else its bare name for
 * a $PATH search.  new. */
static char *program(const char *bindir, const char *name)
{
	char *p = NULL;
	if (bindir && asprintf(&p, "%s/%s", bindir, name) >= 0) {
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return lti_strdup(name);
}

static void build_run_argv(const struct lt_schedule_job *job, const char *scenario_file,
			   struct argv *a)
{
	const struct lt_schedule *s = job->sched;
	const cJSON *o = s->run_options, *v;

	argv_add(a, "lt-run");
	argv_add(a, "-q");
	argv_add(a, "--run-id");
	argv_add(a, job->run_id);
	if (job->execution_id) {
		argv_add(a, "--tag");
		argv_addf(a, "schedule=%s", s->name);
	}
	if (s->scenario_path && s->scenario_id) {
		argv_add(a, "-s");
		argv_add(a, s->scenario_id);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "duration"))) {
		argv_add(a, "--duration");
		if (cJSON_IsNumber(v))
			argv_addf(a, "%.17g", v->valuedouble);
		else
			argv_add(a, v->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "users"))) {
		argv_add(a, "--users");
		argv_addf(a, "%.0f", v->valuedouble);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "rate"))) {
		argv_add(a, "--rate");
		argv_addf(a, "%.17g", v->valuedouble);
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "thresholds")) {
		argv_add(a, "--threshold");
		argv_add(a, v->valuestring);
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "tags")) {
		argv_add(a, "--tag");
		argv_addf(a, "%s=%s", v->string, v->valuestring);
	}
	argv_add(a, "--");
	argv_add(a, scenario_file);
}

static void build_sink_argv(const struct lt_schedule_job *job, struct argv *a)
{
	const struct lt_schedule *s = job->sched;

	if (!s->compare_baseline) {
		argv_add(a, "lt-store");
		argv_add(a, "--db");
		argv_add(a, job->db_path);
		argv_add(a, "-q");
		return;
	}
	argv_add(a, "lt-regress");
	argv_add(a, "check");
	argv_add(a, "--db");
	argv_add(a, job->db_path);
	argv_add(a, "--json");
	if (s->environment) {
		argv_add(a, "--env");
		argv_add(a, s->environment);
	}
	for (size_t i = 0; s->notify_on_regression && i < s->n_notify; i++) {
		argv_add(a, "--notify");
		argv_add(a, s->notify[i]);
	}
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

/* Start path with argv, its descriptors 0, 1 and 2 taken from in, out
 * and errfd, in the process group pgid (0: a new one of its own).  The
 * pipes are close-on-exec, so that children started at the same time by
 * other threads never hold them open. */
static int spawn(const char *path, char *const argv[], int in, int out, int errfd,
		 pid_t pgid, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	/* The children start with default handlers and no signal blocked,
	 * whatever lt-sched ignores or blocks (SIGPIPE is ignored there). */
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, pgid);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	char found[PATH_MAX];
	rc = lti_find_program(path, found, sizeof found);
	if (!rc)
		rc = posix_spawn(pid, found, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

static double mono_s(void)
{
	return (double)lti_mono_ns() / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* How long a stopped pipeline gets between SIGTERM (lt-run then writes
 * its summary as interrupted and the sink records it) and SIGKILL. */
#define KILL_GRACE_S 5.0

lt_rc lt_schedule_exec_pipeline(const struct lt_schedule_job *job,
				struct lt_schedule_result *res, void *ctx)
{
	struct argv run = {0}, sink = {0};
	struct tail *err_tail = NULL, *out_tail = NULL;
	char *run_path = NULL, *sink_path = NULL, *tmpfile = NULL;
	int data[2] = {-1, -1}, errp[2] = {-1, -1}, outp[2] = {-1, -1};
	pid_t run_pid = -1, sink_pid = -1, pgid = -1;
	double t0 = mono_s(), kill_at = -1, reaped_at = -1;
	const double timeout = job->sched->timeout_s;
	struct lt_err err = {0};
	int src;

	(void)ctx;
	memset(res, 0, sizeof *res);
	res->run_exit = res->sink_exit = -1;
	if (!(err_tail = calloc(1, sizeof *err_tail)) || !(out_tail = calloc(1, sizeof *out_tail))) {
		set_not_started(res, "lt-sched: out of memory");
		goto out;
	}
	if (!job->sched->scenario_path &&
	    stored_scenario_file(job, &tmpfile, &err) != LT_OK) {
		set_not_started(res, "lt-sched: %s", lt_errmsg(&err));
		goto out;
	}
	build_run_argv(job, job->sched->scenario_path ? job->sched->scenario_path : tmpfile, &run);
	build_sink_argv(job, &sink);
	run_path = program(job->bindir, "lt-run");
	sink_path = program(job->bindir, sink.v ? sink.v[0] : "lt-store");
	if (run.oom || sink.oom || !run_path || !sink_path) {
		set_not_started(res, "lt-sched: out of memory");
		goto out;
	}
	if (pipe2(data, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(outp, O_CLOEXEC)) {
		set_not_started(res, "lt-sched: pipe: %s", strerror(errno));
		goto out;
	}
	if ((src = spawn(run_path, run.v, -1, data[1], errp[1], 0, &run_pid))) {
		run_pid = -1;
		set_not_started(res, "lt-sched: cannot run %s: %s", run_path, strerror(src));
		goto out;
	}
	pgid = run_pid;
	/* The sink joins lt-run's process group, so that one kill stops the
	 * pipeline.  lt-run cannot have been reaped yet, so the group exists. */
	if ((src = spawn(sink_path, sink.v, data[0], outp[1], errp[1], run_pid, &sink_pid))) {
		sink_pid = -1;
		kill(run_pid, SIGTERM);
		tail_add(err_tail, "lt-sched: cannot run ", 21);
		tail_add(err_tail, sink_path, strlen(sink_path));
		tail_add(err_tail, ": ", 2);
		tail_add(err_tail, strerror(src), strlen(strerror(src)));
		tail_add(err_tail, "\n", 1);
	}
	close_fd(&data[0]);
	close_fd(&data[1]);
	close_fd(&errp[1]);
	close_fd(&outp[1]);

	/* Read both pipes until the children are gone.  A grandchild (the
	 * sendmail of an e-mail notification) may hold a pipe open after its
	 * parent exited: the pipes get one more second, then are let go. */
	for (;;) {
		struct pollfd pf[2] = { { errp[0], POLLIN, 0 }, { outp[0], POLLIN, 0 } };
		char buf[4096];
		int ws;

		if (errp[0] < 0 && outp[0] < 0 && run_pid < 0 && sink_pid < 0)
			break;
		if (run_pid < 0 && sink_pid < 0 && reaped_at >= 0 && mono_s() - reaped_at > 1.0)
			break;
		if (poll(pf, 2, (int)(LT_SCHEDULE_TICK_S * 1000)) > 0) {
			for (int i = 0; i < 2; i++) {
				if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				ssize_t n = read(pf[i].fd, buf, sizeof buf);
				if (n > 0)
					tail_add(i == 0 ? err_tail : out_tail, buf, (size_t)n);
				else if (n == 0 || errno != EINTR)
					close_fd(i == 0 ? &errp[0] : &outp[0]);
			}
		}
		if (run_pid > 0 && waitpid(run_pid, &ws, WNOHANG) == run_pid) {
			res->run_exit = exit_status(ws);
			run_pid = -1;
		}
		if (sink_pid > 0 && waitpid(sink_pid, &ws, WNOHANG) == sink_pid) {
			res->sink_exit = exit_status(ws);
			sink_pid = -1;
		}
		if (run_pid < 0 && sink_pid < 0) {
			if (reaped_at < 0)
				reaped_at = mono_s();
			continue;
		}
		/* Stop when asked or at the timeout: SIGTERM to lt-run alone,
		 * which then ends its stream with an interrupted summary that
		 * the sink records (a SIGTERM to the sink as well could lose
		 * the run); SIGKILL to the whole group if it is still there
		 * KILL_GRACE_S later.  The group (lt-run's pid) exists while
		 * either member is unreaped. */
		if (kill_at < 0) {
			lt_schedule_end why = LT_SCHEDULE_STOPPED;
			if (timeout > 0 && mono_s() - t0 >= timeout)
				res->end = LT_SCHEDULE_TIMED_OUT;
			else if (job->keep_going && !job->keep_going(job->keep_going_ctx, &why))
				res->end = why;
			if (res->end != LT_SCHEDULE_ENDED) {
				kill(run_pid > 0 ? run_pid : sink_pid, SIGTERM);
				kill_at = mono_s() + KILL_GRACE_S;
			}
		} else if (mono_s() >= kill_at) {
			kill(-pgid, SIGKILL);
			kill_at = mono_s() + 3600;
		}
	}
out:
	if (run_pid > 0) {
		kill(run_pid, SIGKILL);
		waitpid(run_pid, NULL, 0);
	}
	if (sink_pid > 0) {
		kill(sink_pid, SIGKILL);
		waitpid(sink_pid, NULL, 0);
	}
	close_fd(&data[0]);
	close_fd(&data[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	if (res->end != LT_SCHEDULE_NOT_STARTED && err_tail)
		tail_text(err_tail, res->stderr_tail);
	if (out_tail) {
		char *text = malloc(LT_SCHEDULE_STDERR_MAX + 1);
		if (text) {
			tail_text(out_tail, text);
			last_line(text, res->sink_last_line, sizeof res->sink_last_line);
			free(text);
		}
	}
	res->duration_s = mono_s() - t0;
	if (tmpfile) {
		unlink(tmpfile);
		free(tmpfile);
	}
	free(run_path);
	free(sink_path);
	argv_free(&run);
	argv_free(&sink);
	free(err_tail);
	free(out_tail);
	return LT_OK;
}

void lt_schedule_classify(const struct lt_schedule *s, const struct lt_schedule_result *res,
			  struct lt_schedule_outcome *out)
{
	out->status = "failed";
	out->retryable = true;
	switch (res->end) {
	case LT_SCHEDULE_NOT_STARTED:
		out->exit_code = 2;
		return;
	case LT_SCHEDULE_TIMED_OUT:
		out->exit_code = 124;
		return;
	case LT_SCHEDULE_STOPPED:
		out->exit_code = 128 + SIGTERM;
		return;
	case LT_SCHEDULE_REPLACED:
		out->exit_code = 128 + SIGTERM;
		out->retryable = false;
		return;
	case LT_SCHEDULE_ENDED:
		break;
	}
	if (res->run_exit != 0 && res->run_exit != 1) {
		out->exit_code = res->run_exit < 0 ? 255 : res->run_exit;
		return;
	}
	if (res->sink_exit == 1 && s->compare_baseline) {
		out->status = "regression";
		out->exit_code = 1;
		out->retryable = false;
		return;
	}
	if (res->sink_exit != 0) {
		out->exit_code = res->sink_exit < 0 ? 255 : res->sink_exit;
		return;
	}
	out->exit_code = res->run_exit;
	if (res->run_exit == 1) {
		/* Thresholds crossed: a verdict, which a retry would only
		 * blur into a lucky pass. */
		out->retryable = false;
		return;
	}
	out->status = "success";
	out->retryable = false;
}

/* ---- the runner -------------------------------------------------------------- */

/* One execution: a schedule's fire time, run in a thread of its own with
 * its own database handle (handles are not thread-safe). */
struct execution {
	struct lt_schedule_runner *r;
	struct lt_schedule *s;              /* owned */
	time_t fire_time;
	char fire_iso[LTI_TIME_LEN];
	char execution_id[LTI_UUID_LEN];
	pthread_t thread;
	bool done;                          /* under r->mu */
	struct execution *next;
};

struct lt_schedule_runner {
	const struct lt_schedule_env *env;
	char holder[320];
	char host[256];
	pthread_mutex_t mu;                 /* guards what follows and on_event */
	struct execution *executions;
	size_t succeeded, failed, regressions;
	double stop_seen_at;                /* < 0: no stop yet */
};

double lt_schedule_runner_now(const struct lt_schedule_runner *r)
{
	const struct lt_schedule_env *e = r->env;
	return e->clock ? e->clock->now(e->clock->ctx) : lti_time_now() + e->now_offset_s;
}

static void clock_sleep(struct lt_schedule_runner *r, double s)
{
	const struct lt_schedule_env *e = r->env;
	if (s <= 0)
		return;
	if (e->clock) {
		e->clock->sleep(e->clock->ctx, s);
		return;
	}
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !(e->stop && *e->stop))
		;
}

/* Whether lt-sched is stopping; notes when the stop was first seen, which
 * starts the grace period. */
static bool stopping(struct lt_schedule_runner *r)
{
	const struct lt_schedule_env *e = r->env;
	bool stop = (e->stop && *e->stop) || (e->stop_now && *e->stop_now);
	if (stop) {
		pthread_mutex_lock(&r->mu);
		if (r->stop_seen_at < 0)
			r->stop_seen_at = lt_schedule_runner_now(r);
		pthread_mutex_unlock(&r->mu);
	}
	return stop;
}

/* Whether running attempts must be stopped now: a second signal, or the
 * grace period after the first is over. */
static bool grace_over(struct lt_schedule_runner *r)
{
	const struct lt_schedule_env *e = r->env;
	double seen;
	if (!stopping(r))
		return false;
	if (e->stop_now && *e->stop_now)
		return true;
	pthread_mutex_lock(&r->mu);
	seen = r->stop_seen_at;
	pthread_mutex_unlock(&r->mu);
	return lt_schedule_runner_now(r) >= seen + e->grace_s;
}

static void emit(struct lt_schedule_runner *r, enum lt_schedule_event_kind kind,
		 const char *schedule, const cJSON *record, const char *status,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emit(struct lt_schedule_runner *r, enum lt_schedule_event_kind kind,
		 const char *schedule, const cJSON *record, const char *status,
		 const char *fmt, ...)
{
	struct lt_schedule_event ev = { kind, schedule, record, NULL, status };
	char msg[1600] = "";

	if (!r->env->on_event)
		return;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		ev.message = msg;
	}
	pthread_mutex_lock(&r->mu);
	r->env->on_event(&ev, r->env->event_ctx);
	pthread_mutex_unlock(&r->mu);
}

lt_rc lt_schedule_runner_new(const struct lt_schedule_env *env,
			     struct lt_schedule_runner **out, struct lt_err *err)
{
	struct lt_schedule_runner *r;

	if (!env || !env->db_path)
		return lt_err_set(err, LT_EUSAGE, "lt_schedule_runner_new: no database path");
	if (!(r = calloc(1, sizeof *r)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	r->env = env;
	r->stop_seen_at = -1;
	if (gethostname(r->host, sizeof r->host - 1) != 0)
		snprintf(r->host, sizeof r->host, "localhost");
	if (env->holder)
		snprintf(r->holder, sizeof r->holder, "%s", env->holder);
	else
		snprintf(r->holder, sizeof r->holder, "%s:%ld", r->host, (long)getpid());
	pthread_mutex_init(&r->mu, NULL);
	*out = r;
	return LT_OK;
}

static lt_rc open_db(struct lt_schedule_runner *r, struct lt_db **db, struct lt_err *err)
{
	lt_rc rc = lt_db_open(r->env->db_path, 0, db, err);
	if (rc == LT_OK && r->env->busy_timeout_ms > 0)
		lt_db_set_busy_timeout(*db, r->env->busy_timeout_ms);
	return rc;
}

/* The execution record of an attempt, with lt-sched's extra fields. */
static cJSON *attempt_record(const struct execution *x, unsigned attempt, double started,
			     double finished, const char *status, int exit_code,
			     const char *run_id, const struct lt_schedule_result *res,
			     double retry_in_s, struct lt_err *err)
{
	struct lt_ndjson_execution in = {
		.execution_id = x->execution_id, .schedule = x->s->name,
		.scenario_id = x->s->scenario_id, .started_at = started,
		.finished_at = finished < started ? started : finished, .status = status,
		.attempt = attempt, .exit_code = exit_code, .run_id = run_id,
	};
	cJSON *rec = NULL;
	static const char *const ends[] = {
		[LT_SCHEDULE_ENDED] = NULL, [LT_SCHEDULE_TIMED_OUT] = "timeout",
		[LT_SCHEDULE_STOPPED] = "stopped", [LT_SCHEDULE_REPLACED] = "replaced",
		[LT_SCHEDULE_NOT_STARTED] = "not_started",
	};

	if (lt_ndjson_build_execution(&in, &rec, err) != LT_OK)
		return NULL;
	cJSON_AddStringToObject(rec, "fire_time", x->fire_iso);
	cJSON_AddNumberToObject(rec, "duration_s", round((finished - started) * 1000) / 1000);
	if (res->run_exit >= 0)
		cJSON_AddNumberToObject(rec, "run_exit", res->run_exit);
	if (res->sink_exit >= 0)
		cJSON_AddNumberToObject(rec, "sink_exit", res->sink_exit);
	if (ends[res->end])
		cJSON_AddStringToObject(rec, "end", ends[res->end]);
	if (retry_in_s >= 0)
		cJSON_AddNumberToObject(rec, "retry_in_s", retry_in_s);
	if (strcmp(status, "success") != 0 && res->stderr_tail[0])
		cJSON_AddStringToObject(rec, "stderr", res->stderr_tail);
	return rec;
}

struct keep_going_ctx {
	struct lt_schedule_runner *r;
	struct execution *x;
	struct lt_db *db;
	double last_check;
};

static bool exec_keep_going(void *ctx, lt_schedule_end *why)
{
	struct keep_going_ctx *k = ctx;
	bool newer = false;
	struct lt_err err = {0};

	if (grace_over(k->r)) {
		*why = LT_SCHEDULE_STOPPED;
		return false;
	}
	/* The replace policy: a later fire time of this schedule was claimed
	 * (by any process), so this one gives way.  Asked once a second. */
	if (k->x->s->policy == LT_SCHEDULE_REPLACE && mono_s() - k->last_check >= 1.0) {
		k->last_check = mono_s();
		if (lt_db_schedule_newer_claim(k->db, k->x->s->name, k->x->fire_iso, &newer,
					       &err) == LT_OK && newer) {
			*why = LT_SCHEDULE_REPLACED;
			return false;
		}
	}
	return true;
}

/* Sleep s seconds on the runner's clock, unless lt-sched is stopping;
 * false when it is. */
static bool pause_unless_stopping(struct lt_schedule_runner *r, double s)
{
	double until = lt_schedule_runner_now(r) + s;
	for (;;) {
		if (stopping(r))
			return false;
		double left = until - lt_schedule_runner_now(r);
		if (left <= 0)
			return true;
		clock_sleep(r, left < LT_SCHEDULE_TICK_S ? left : LT_SCHEDULE_TICK_S);
	}
}

/* replace: wait (bounded) for the executions this one replaces to end. */
static void wait_for_replaced(struct lt_schedule_runner *r, struct execution *x, struct lt_db *db)
{
	double limit = r->env->replace_wait_s > 0 ? r->env->replace_wait_s : 60;
	double until = lt_schedule_runner_now(r) + limit;
	struct lt_err err = {0};

	while (lt_schedule_runner_now(r) < until && !grace_over(r)) {
		cJSON *rows = NULL, *row;
		bool other = false;
		if (lt_db_executions_running(db, x->s->name, &rows, &err) != LT_OK)
			return;
		cJSON_ArrayForEach(row, rows)
			if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(row, "execution_id")),
				   x->execution_id) != 0)
				other = true;
		cJSON_Delete(rows);
		if (!other)
			return;
		for (int i = 0; i < 5 && !grace_over(r); i++)
			clock_sleep(r, LT_SCHEDULE_TICK_S);
	}
}

/* Tell the schedule's targets that it failed (the first failure after
 * anything else) or recovered (the first success after a failure). */
static void announce(struct lt_schedule_runner *r, struct execution *x, struct lt_db *db,
		     const char *status, const cJSON *rec, const char *stderr_tail)
{
	const struct lt_schedule *s = x->s;
	struct lt_notify_target **targets = NULL;
	struct lt_notify_result *results = NULL;
	struct lt_notify_options opts = {0};
	struct lt_err err = {0};
	char *prev = NULL, title[400], text[LT_SCHEDULE_STDERR_MAX + 600];
	size_t n = 0;
	enum lt_notify_event_kind kind;
	bool failed = !strcmp(status, "failed");

	if (!s->n_notify)
		return;
	if (lt_db_execution_previous_status(db, s->name, x->execution_id, &prev, &err) != LT_OK) {
		emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: %s", s->name,
		     lt_errmsg(&err));
		return;
	}
	bool prev_failed = prev && !strcmp(prev, "failed");
	free(prev);
	/* A schedule that keeps failing is announced once, when it starts
	 * to fail, not at every fire time. */
	if (failed && !prev_failed)
		kind = LT_NOTIFY_EXECUTION_FAILED;
	else if (!failed && prev_failed)
		kind = LT_NOTIFY_EXECUTION_RECOVERED;
	else
		return;
	double attempt = 1, code = 0;
	lt_ndjson_get_num(rec, "attempt", &attempt);
	lt_ndjson_get_num(rec, "exit_code", &code);
	if (kind == LT_NOTIFY_EXECUTION_FAILED) {
		snprintf(title, sizeof title, "%s: scheduled execution failed (attempt %.0f, exit code %.0f)",
			 s->name, attempt, code);
		snprintf(text, sizeof text, "schedule %s (%s), fire time %s, scenario %s.\n"
			 "It is not announced again until it succeeds.\n\n%s", s->name, s->expr,
			 x->fire_iso, s->scenario_id, stderr_tail);
	} else {
		snprintf(title, sizeof title, "%s: scheduled execution %s again", s->name,
			 !strcmp(status, "success") ? "succeeds" : "runs");
		snprintf(text, sizeof text, "schedule %s (%s), fire time %s, scenario %s: status %s.",
			 s->name, s->expr, x->fire_iso, s->scenario_id, status);
	}
	if (!(targets = calloc(s->n_notify, sizeof *targets)) ||
	    !(results = calloc(s->n_notify, sizeof *results)))
		goto out;
	for (; n < s->n_notify; n++)
		if (lt_notify_target_parse(s->notify[n], &targets[n], &err) != LT_OK) {
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: %s", s->name,
			     lt_errmsg(&err));
			goto out;
		}
	struct lt_notify_event ev = {
		.kind = kind,
		.severity = kind == LT_NOTIFY_EXECUTION_FAILED ? LT_NOTIFY_CRITICAL : LT_NOTIFY_INFO,
		.title = title, .text = text, .scenario_id = s->scenario_id,
		.run_id = lt_ndjson_get_str(rec, "run_id"), .execution = rec,
		.time = lt_schedule_runner_now(r),
	};
	if (r->env->notify_options)
		opts = *r->env->notify_options;
	if (!opts.console)
		opts.console = r->env->console;
	lt_notify_send_all(targets, n, &ev, &opts, results);
	for (size_t i = 0; i < n; i++)
		if (results[i].err.rc != LT_OK)
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: notify: %s",
			     s->name, lt_errmsg(&results[i].err));
out:
	lt_notify_targets_free(targets, n);
	free(results);
}

static void *execution_main(void *arg)
{
	struct execution *x = arg;
	struct lt_schedule_runner *r = x->r;
	const struct lt_schedule *s = x->s;
	struct lt_schedule_result *res = calloc(1, sizeof *res);
	struct lt_db *db = NULL;
	struct lt_err err = {0};
	const char *final = NULL;
	bool handed_back = false;

	if (!res || open_db(r, &db, &err) != LT_OK) {
		emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: execution %s: %s", s->name,
		     x->execution_id, res ? lt_errmsg(&err) : "out of memory");
		goto done;
	}
	for (unsigned attempt = 1;; attempt++) {
		struct keep_going_ctx kg = { r, x, db, mono_s() };
		struct lt_schedule_outcome oc;
		char run_id[LTI_UUID_LEN];
		double started, retry_in = -1;
		struct lt_db_run *run = NULL;
		struct lt_err e2 = {0};
		bool waited = s->policy == LT_SCHEDULE_REPLACE && attempt == 1;

		if (waited)
			wait_for_replaced(r, x, db);
		started = lt_schedule_runner_now(r);
		if (attempt > 1 || waited) {
			char at[LTI_TIME_LEN];
			lti_time_format(started, at);
			/* Only for watching the attempt run: its record is
			 * written when it ends, whatever happens here. */
			lt_db_execution_start(db, x->execution_id, attempt, s->name, s->scenario_id,
					      at, &err);
		}
		lti_uuid(run_id);
		struct lt_schedule_job job = {
			.sched = s, .execution_id = x->execution_id, .run_id = run_id,
			.attempt = attempt, .db_path = r->env->db_path, .bindir = r->env->bindir,
			.keep_going = exec_keep_going, .keep_going_ctx = &kg,
		};
		memset(res, 0, sizeof *res);
		(r->env->exec ? r->env->exec : lt_schedule_exec_pipeline)(&job, res,
									   r->env->exec_ctx);
		double finished = lt_schedule_runner_now(r);
		lt_schedule_classify(s, res, &oc);
		const char *status = oc.status;
		bool retry = oc.retryable && attempt <= s->retries && res->end != LT_SCHEDULE_STOPPED &&
			     !stopping(r);
		double pause = 0;
		if (retry) {
			pause = s->backoff_s * pow(2.0, (double)(attempt - 1));
			if (pause > LT_SCHEDULE_PAUSE_MAX_S)
				pause = LT_SCHEDULE_PAUSE_MAX_S;
			retry_in = pause;
			status = "retrying";
		}
		/* Stopped by lt-sched's own shutdown: the fire time is handed
		 * back ("retrying"), to be caught up by the next pass within
		 * the starting deadline. */
		if (res->end == LT_SCHEDULE_STOPPED)
			status = "retrying";
		bool have_run = lt_db_run_get(db, run_id, &run, &e2) == LT_OK;
		lt_db_run_free(run);
		cJSON *rec = attempt_record(x, attempt, started, finished, status, oc.exit_code,
					    have_run ? run_id : NULL, res, retry_in, &err);
		if (!rec || lt_db_ingest_record(db, rec, &err) != LT_OK)
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL,
			     "%s: recording execution %s attempt %u: %s", s->name, x->execution_id,
			     attempt, lt_errmsg(&err));
		if (rec)
			emit(r, LT_SCHEDULE_EV_RECORD, s->name, rec, status, NULL);
		if (res->end == LT_SCHEDULE_STOPPED) {
			handed_back = true;
			cJSON_Delete(rec);
			break;
		}
		if (!retry) {
			final = oc.status;
			if (rec)
				announce(r, x, db, final, rec, res->stderr_tail);
			cJSON_Delete(rec);
			break;
		}
		cJSON_Delete(rec);
		if (!pause_unless_stopping(r, pause)) {
			handed_back = true;
			break;
		}
	}
	if (handed_back) {
		char before[LTI_TIME_LEN];
		lti_time_format((double)x->fire_time - 1, before);
		if (lt_db_schedule_release(db, s->name, x->fire_iso, before, &err) != LT_OK)
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: %s", s->name,
			     lt_errmsg(&err));
		else
			emit(r, LT_SCHEDULE_EV_INFO, s->name, NULL, NULL,
			     "%s: execution %.8s stopped; fire time %s handed back", s->name,
			     x->execution_id, x->fire_iso);
	}
	if (lt_db_executions_prune(db, s->name, s->history_limit, NULL, &err) != LT_OK)
		emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s: %s", s->name,
		     lt_errmsg(&err));
done:
	lt_db_close(db);
	free(res);
	pthread_mutex_lock(&r->mu);
	if (final && !strcmp(final, "success"))
		r->succeeded++;
	else if (final && !strcmp(final, "regression"))
		r->regressions++;
	else if (final || !handed_back)
		r->failed++;
	x->done = true;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Join the executions that ended; all of them when `all`. */
static void join_executions(struct lt_schedule_runner *r, bool all)
{
	for (;;) {
		struct execution **pp, *x = NULL;
		pthread_mutex_lock(&r->mu);
		for (pp = &r->executions; *pp; pp = &(*pp)->next)
			if (all || (*pp)->done) {
				x = *pp;
				*pp = x->next;
				break;
			}
		pthread_mutex_unlock(&r->mu);
		if (!x)
			return;
		pthread_join(x->thread, NULL);
		lt_schedule_free(x->s);
		free(x);
	}
}

size_t lt_schedule_runner_active(struct lt_schedule_runner *r)
{
	size_t n = 0;
	pthread_mutex_lock(&r->mu);
	for (struct execution *x = r->executions; x; x = x->next)
		n += !x->done;
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Whether the execution x_id is one of this runner's threads. */
static bool ours(struct lt_schedule_runner *r, const char *x_id)
{
	bool found = false;
	pthread_mutex_lock(&r->mu);
	for (struct execution *x = r->executions; x && !found; x = x->next)
		found = !x->done && !strcmp(x->execution_id, x_id);
	pthread_mutex_unlock(&r->mu);
	return found;
}

/* Close the attempts left running by an lt-sched that is gone: on this
 * host when its pid no longer exists (or it is this process, which does
 * not know the execution: a pid reused after a crash), elsewhere once
 * the schedule's timeout is a minute past.  Without a timeout an attempt
 * of another host stays "running": the forbid policy then waits for it,
 * which is why lt-sched(1) asks for a timeout when daemons run on
 * several hosts. */
static void reap_abandoned(struct lt_schedule_runner *r, struct lt_db *db,
			   struct lt_schedule *const *list, size_t n, double now)
{
	cJSON *rows = NULL, *row;
	struct lt_err err = {0};
	size_t hl = strlen(r->host);

	if (lt_db_executions_running(db, NULL, &rows, &err) != LT_OK) {
		emit(r, LT_SCHEDULE_EV_WARNING, NULL, NULL, NULL, "%s", lt_errmsg(&err));
		return;
	}
	cJSON_ArrayForEach(row, rows) {
		const char *id = lt_ndjson_get_str(row, "execution_id");
		const char *name = lt_ndjson_get_str(row, "schedule");
		const char *holder = lt_ndjson_get_str(row, "holder");
		const char *scenario = lt_ndjson_get_str(row, "scenario_id");
		double started = 0, attempt = 1, timeout = 0;
		bool gone = false;

		if (!id || !name || !lt_ndjson_get_time(row, "started_at", &started))
			continue;
		lt_ndjson_get_num(row, "attempt", &attempt);
		for (size_t i = 0; i < n; i++)
			if (list[i] && !strcmp(list[i]->name, name))
				timeout = list[i]->timeout_s;
		if (holder && !strncmp(holder, r->host, hl) && holder[hl] == ':') {
			char *end;
			long pid = strtol(holder + hl + 1, &end, 10);
			if (*end == '\0' && pid > 0) {
				if (pid == (long)getpid())
					gone = !ours(r, id);
				else
					gone = kill((pid_t)pid, 0) != 0 && errno == ESRCH;
			}
		} else if (timeout > 0) {
			gone = now > started + timeout + 60;
		}
		if (!gone)
			continue;
		char msg[600];
		snprintf(msg, sizeof msg, "lt-sched: abandoned: %s stopped without finishing this attempt",
			 holder ? holder : "the lt-sched that ran it");
		struct lt_ndjson_execution in = {
			.execution_id = id, .schedule = name, .scenario_id = scenario ? scenario : "?",
			.started_at = started, .finished_at = now < started ? started : now,
			.status = "failed", .attempt = (unsigned)attempt, .exit_code = -1,
		};
		cJSON *rec = NULL;
		if (lt_ndjson_build_execution(&in, &rec, &err) == LT_OK) {
			cJSON_AddStringToObject(rec, "stderr", msg);
			cJSON_AddStringToObject(rec, "end", "abandoned");
			if (lt_db_ingest_record(db, rec, &err) == LT_OK)
				emit(r, LT_SCHEDULE_EV_WARNING, name, NULL, NULL,
				     "%s: execution %.8s attempt %.0f abandoned by %s: recorded as failed",
				     name, id, attempt, holder ? holder : "?");
			else
				emit(r, LT_SCHEDULE_EV_WARNING, name, NULL, NULL, "%s: %s", name,
				     lt_errmsg(&err));
		}
		cJSON_Delete(rec);
	}
	cJSON_Delete(rows);
}

static void fmt_time(time_t t, const char *tz, char buf[LT_CRON_TIME_LEN])
{
	struct lt_err err = {0};
	if (lt_cron_format_time(t, tz, buf, &err) != LT_OK)
		snprintf(buf, LT_CRON_TIME_LEN, "@%lld", (long long)t);
}

lt_rc lt_schedule_runner_tick(struct lt_schedule_runner *r, struct lt_db *db, size_t *started,
			      double *next_fire, struct lt_err *err)
{
	struct lt_schedule **list = NULL;
	size_t n = 0, count = 0;
	double now = lt_schedule_runner_now(r), next = -1;
	char now_iso[LTI_TIME_LEN];
	lt_rc rc;

	join_executions(r, false);
	if ((rc = lt_schedule_list(db, &list, &n, err)))
		return rc;
	lti_time_format(now, now_iso);
	reap_abandoned(r, db, list, n, now);
	for (size_t i = 0; i < n && rc == LT_OK; i++) {
		struct lt_schedule *s = list[i];
		struct lt_schedule_due due;
		struct lt_err e = {0};
		char fire[LT_CRON_TIME_LEN];

		if (!s->enabled)
			continue;
		if (lt_schedule_due(s, now, &due, &e) != LT_OK) {
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL, "%s", lt_errmsg(&e));
			continue;
		}
		if (due.next_fire >= 0 && (next < 0 || (double)due.next_fire < next))
			next = (double)due.next_fire;
		if ((!due.due && !due.too_late) || stopping(r))
			continue;
		fmt_time(due.fire_time, s->timezone, fire);
		if (due.missed)
			emit(r, LT_SCHEDULE_EV_INFO, s->name, NULL, NULL,
			     "%s: %s%u earlier fire time%s missed while no lt-sched ran; only the "
			     "latest, %s, is caught up", s->name, due.missed_more ? "more than " : "",
			     due.missed, due.missed == 1 && !due.missed_more ? " was" : "s were", fire);

		struct execution *x = calloc(1, sizeof *x);
		enum lt_db_claim_result got = LT_DB_CLAIM_TAKEN;
		if (!x) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			break;
		}
		x->r = r;
		x->s = s;
		x->fire_time = due.fire_time;
		lti_time_format((double)due.fire_time, x->fire_iso);
		lti_uuid(x->execution_id);
		struct lt_db_claim c = {
			.schedule = s->name, .fire_time = x->fire_iso,
			.execution_id = due.due ? x->execution_id : NULL,
			.scenario_id = s->scenario_id, .holder = r->holder, .now = now_iso,
			.forbid = s->policy == LT_SCHEDULE_FORBID,
		};
		if ((rc = lt_db_schedule_claim(db, &c, &got, err))) {
			free(x);
			break;
		}
		switch (got) {
		case LT_DB_CLAIMED:
			list[i] = NULL; /* the thread owns s now */
			pthread_mutex_lock(&r->mu);
			if (pthread_create(&x->thread, NULL, execution_main, x) != 0) {
				pthread_mutex_unlock(&r->mu);
				/* The claim stands with its attempt running:
				 * hand the fire time back rather than leave it. */
				char before[LTI_TIME_LEN];
				lti_time_format((double)x->fire_time - 1, before);
				lt_db_schedule_release(db, s->name, x->fire_iso, before, err);
				list[i] = s;
				free(x);
				x = NULL;
				rc = lt_err_set(err, LT_ENOMEM, "cannot start a thread");
				break;
			}
			x->next = r->executions;
			r->executions = x;
			pthread_mutex_unlock(&r->mu);
			count++;
			emit(r, LT_SCHEDULE_EV_INFO, s->name, NULL, NULL,
			     "%s: execution %.8s of %s started (scenario %s)", s->name,
			     x->execution_id, fire, s->scenario_id);
			x = NULL;
			break;
		case LT_DB_CLAIM_BUSY:
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL,
			     "%s: skipped %s: an execution is still running (concurrencyPolicy forbid)",
			     s->name, fire);
			break;
		case LT_DB_CLAIM_SKIPPED:
			emit(r, LT_SCHEDULE_EV_WARNING, s->name, NULL, NULL,
			     "%s: skipped %s: missed by %.0f s, more than startingDeadlineSeconds %g",
			     s->name, fire, now - (double)due.fire_time, s->starting_deadline_s);
			break;
		case LT_DB_CLAIM_TAKEN:
			emit(r, LT_SCHEDULE_EV_INFO, s->name, NULL, NULL,
			     "%s: %s is another lt-sched's to run", s->name, fire);
			break;
		case LT_DB_CLAIM_GONE:
			break;
		}
		free(x);
	}
	lt_schedule_list_free(list, n);
	if (started)
		*started = count;
	if (next_fire)
		*next_fire = next;
	return rc;
}

void lt_schedule_runner_wait(struct lt_schedule_runner *r, size_t *succeeded, size_t *failed,
			     size_t *regressions)
{
	join_executions(r, true);
	pthread_mutex_lock(&r->mu);
	if (succeeded)
		*succeeded = r->succeeded;
	if (failed)
		*failed = r->failed;
	if (regressions)
		*regressions = r->regressions;
	pthread_mutex_unlock(&r->mu);
}

void lt_schedule_runner_free(struct lt_schedule_runner *r)
{
	if (!r)
		return;
	join_executions(r, true);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

void lt_schedule_runner_sleep(struct lt_schedule_runner *r, double until)
{
	for (;;) {
		double left = until - lt_schedule_runner_now(r);
		if (left <= 0 || stopping(r))
			return;
		clock_sleep(r, left < LT_SCHEDULE_TICK_S ? left : LT_SCHEDULE_TICK_S);
	}
}

/* ---- batch regression checks --------------------------------------------------- */

lt_rc lt_schedule_batch_all(struct lt_db *db, const char *environment, char ***ids, size_t *n,
			    struct lt_err *err)
{
	const char *env = environment && *environment ? environment : "default";
	cJSON *rows = NULL, *row;
	char **list;
	size_t k = 0;
	lt_rc rc;

	if ((rc = lt_db_baselines_list(db, NULL, &rows, err)))
		return rc;
	if (!(list = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof *list))) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	/* Rows come ordered by scenario: a repeat is the previous one. */
	cJSON_ArrayForEach(row, rows) {
		const char *id = lt_ndjson_get_str(row, "scenario_id");
		const char *e = lt_ndjson_get_str(row, "environment");
		if (!id || !e || strcmp(e, env) != 0 || (k && !strcmp(list[k - 1], id)))
			continue;
		if (!(list[k] = lti_strdup(id))) {
			free_strv(list, k);
			cJSON_Delete(rows);
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		}
		k++;
	}
	cJSON_Delete(rows);
	*ids = list;
	*n = k;
	return LT_OK;
}

struct batch_slot {
	struct lt_schedule *s;
	struct lt_schedule_result res;
	char run_id[LTI_UUID_LEN];
	char detail[600];
	bool have_run, done;
	struct lt_schedule_batch_item item;
};

struct batch {
	const struct lt_schedule_batch_opts *o;
	struct batch_slot *slots;
	size_t n, next_start, next_report, failed;
	pthread_mutex_t mu;
	lt_schedule_batch_fn fn;
	void *ctx;
};

static bool batch_keep_going(void *ctx, lt_schedule_end *why)
{
	const struct lt_schedule_batch_opts *o = ctx;
	*why = LT_SCHEDULE_STOPPED;
	return !(o->stop && *o->stop);
}

/* The one-line detail of a finished item: why it failed, the verdict and
 * the metrics it found regressed. */
static void batch_detail(struct batch_slot *b, const char *status, int exit_code)
{
	cJSON *v = b->res.sink_last_line[0] ? cJSON_Parse(b->res.sink_last_line) : NULL;
	const char *vs = lt_ndjson_get_str(v, "status");
	size_t k = 0, size = sizeof b->detail;
	char *d = b->detail;

	d[0] = '\0';
	if (!strcmp(status, "failed")) {
		if (b->res.end == LT_SCHEDULE_TIMED_OUT)
			k += (size_t)snprintf(d, size, "timed out after %g s", b->s->timeout_s);
		else if (b->res.run_exit == 1 && b->res.sink_exit == 0)
			k += (size_t)snprintf(d, size, "thresholds crossed (lt-run exit 1)");
		else
			last_line(b->res.stderr_tail, d, size);
		if (!d[0])
			k += (size_t)snprintf(d, size, "exit %d", exit_code);
		k = strlen(d);
		if (!vs || b->res.sink_exit != 0) {
			cJSON_Delete(v);
			return;
		}
		k += (size_t)snprintf(d + k, size - k, "; ");
	}
	if (vs && k < size) {
		const cJSON *m;
		int listed = 0;
		k += (size_t)snprintf(d + k, size - k, "verdict %s", vs);
		if (lt_ndjson_get_str(v, "reason") && k < size)
			k += (size_t)snprintf(d + k, size - k, " (%s)", lt_ndjson_get_str(v, "reason"));
		cJSON_ArrayForEach(m, lt_ndjson_get(v, "metrics")) {
			const char *ms = lt_ndjson_get_str(m, "status");
			double change = NAN;
			if (!ms || strcmp(ms, "regression") != 0 || k >= size)
				continue;
			lt_ndjson_get_num(m, "change_pct", &change);
			k += (size_t)snprintf(d + k, size - k, "%s %s %+.1f%%", listed++ ? "," : ":",
					      lt_ndjson_get_str(m, "metric"), change);
		}
	} else if (!d[0]) {
		last_line(b->res.stderr_tail, d, size);
	}
	cJSON_Delete(v);
}

static void *batch_worker(void *arg)
{
	struct batch *bt = arg;
	const struct lt_schedule_batch_opts *o = bt->o;
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	lt_db_open(o->db_path, LT_DB_READONLY, &db, &err);
	for (;;) {
		struct batch_slot *b;
		struct lt_schedule_outcome oc;
		pthread_mutex_lock(&bt->mu);
		if (bt->next_start == bt->n) {
			pthread_mutex_unlock(&bt->mu);
			break;
		}
		b = &bt->slots[bt->next_start++];
		pthread_mutex_unlock(&bt->mu);

		lti_uuid(b->run_id);
		struct lt_schedule_job job = {
			.sched = b->s, .run_id = b->run_id, .attempt = 1, .db_path = o->db_path,
			.bindir = o->bindir, .keep_going = batch_keep_going,
			.keep_going_ctx = (void *)o,
		};
		if (o->stop && *o->stop)
			set_not_started(&b->res, "lt-sched: not run: interrupted");
		else
			(o->exec ? o->exec : lt_schedule_exec_pipeline)(&job, &b->res, o->exec_ctx);
		lt_schedule_classify(b->s, &b->res, &oc);
		struct lt_db_run *run = NULL;
		struct lt_err e2 = {0};
		b->have_run = db && lt_db_run_get(db, b->run_id, &run, &e2) == LT_OK;
		lt_db_run_free(run);
		const char *status = !strcmp(oc.status, "success") ? "pass" : oc.status;
		batch_detail(b, status, oc.exit_code);
		b->item = (struct lt_schedule_batch_item){
			.scenario = b->s->scenario_path ? b->s->scenario_path : b->s->scenario_id,
			.scenario_id = b->s->scenario_id, .status = status,
			.exit_code = oc.exit_code, .run_id = b->have_run ? b->run_id : NULL,
			.duration_s = b->res.duration_s, .detail = b->detail,
		};
		/* Report in the order given, each as soon as it and those
		 * before it are done. */
		pthread_mutex_lock(&bt->mu);
		b->done = true;
		if (strcmp(status, "pass") != 0)
			bt->failed++;
		while (bt->next_report < bt->n && bt->slots[bt->next_report].done) {
			if (bt->fn)
				bt->fn(&bt->slots[bt->next_report].item, bt->ctx);
			bt->next_report++;
		}
		pthread_mutex_unlock(&bt->mu);
	}
	lt_db_close(db);
	return NULL;
}

lt_rc lt_schedule_batch(struct lt_db *db, const char *const *scenarios, size_t n,
			const struct lt_schedule_batch_opts *o, lt_schedule_batch_fn fn, void *ctx,
			size_t *failed, struct lt_err *err)
{
	struct batch bt = { .o = o, .n = n, .fn = fn, .ctx = ctx };
	size_t workers = o->parallel > 1 ? o->parallel : 1, started = 0;
	pthread_t *threads = NULL;
	lt_rc rc = LT_OK;

	if (!n)
		return lt_err_set(err, LT_EUSAGE, "no scenarios to check");
	if (workers > n)
		workers = n;
	if (!(bt.slots = calloc(n, sizeof *bt.slots)) ||
	    !(threads = calloc(workers, sizeof *threads))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	/* Resolve every scenario before running any: an unknown one is bad
	 * input, not a failed check after minutes of load. */
	for (size_t i = 0; i < n; i++) {
		struct lt_schedule *s = sched_alloc();
		if (!s || !(s->name = lti_strdup("batch"))) {
			lt_schedule_free(s);
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto out;
		}
		bt.slots[i].s = s;
		s->compare_baseline = true;
		s->timeout_s = o->timeout_s;
		if ((o->environment && !(s->environment = lti_strdup(o->environment))) ||
		    (o->run_options && (cJSON_Delete(s->run_options),
					!(s->run_options = cJSON_Duplicate(o->run_options, 1)))) ||
		    dup_into(looks_like_file(scenarios[i]) ? &s->scenario_path : &s->scenario_id,
			     scenarios[i], err) != LT_OK) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = lt_schedule_resolve(db, s, err)))
			goto out;
	}
	pthread_mutex_init(&bt.mu, NULL);
	for (; started < workers; started++)
		if (pthread_create(&threads[started], NULL, batch_worker, &bt) != 0)
			break;
	if (started == 0)
		batch_worker(&bt);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&bt.mu);
	if (failed)
		*failed = bt.failed;
out:
	for (size_t i = 0; bt.slots && i < n; i++)
		lt_schedule_free(bt.slots[i].s);
	free(bt.slots);
	free(threads);
	return rc;
}

/* ---- the crontab line ------------------------------------------------------------ */

/* s single-quoted for sh, with % escaped for crontab(5) (cron turns an
 * unescaped % into a newline, even inside quotes, and drops the
 * backslash of \%). */
static bool quote(const char *s, char *out, size_t size)
{
	size_t k = 0;
	out[k++] = '\'';
	for (; *s; s++) {
		const char *rep = *s == '\'' ? "'\\''" : *s == '%' ? "\\%" : NULL;
		size_t len = rep ? strlen(rep) : 1;
		if (k + len + 2 > size)
			return false;
		if (rep)
			memcpy(out + k, rep, len);
		else
			out[k] = *s;
		k += len;
	}
	out[k++] = '\'';
	out[k] = '\0';
	return true;
}

lt_rc lt_schedule_crontab_line(const char *prog, const char *db_path, char **line,
			       struct lt_err *err)
{
	char qp[3 * PATH_MAX], qd[3 * PATH_MAX];
	if (!quote(prog, qp, sizeof qp) || !quote(db_path, qd, sizeof qd))
		return lt_err_set(err, LT_ELIMIT, "path too long for a crontab line");
	/* -q: cron mails what a job writes, so only warnings and failures. */
	if (asprintf(line, "* * * * * %s run-due -q --db %s >/dev/null", qp, qd) < 0)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	return LT_OK;
}
