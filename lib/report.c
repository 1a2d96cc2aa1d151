/* report.c -- regression reports (report.h has the contract).
 *
 * Two halves: building the model, a cJSON object read from the database
 * through db.h only, and rendering it.  The renderers read the model and
 * never the database, so the five formats cannot disagree with each other
 * or with the JSON that lt-serve may hand out as it is.
 *
 * Everything that came from a user or the database (scenario names, ids,
 * alert messages) is untrusted text on its way into a terminal, a PR
 * comment, a browser or a CI server: each format has one escaping
 * function and every such string goes through it.
 */
#include "report.h"
#include "analytics.h"
#include "ndjson.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- formats ---- */

static const char *const format_names[] = {
	[LT_REPORT_TEXT] = "text",
	[LT_REPORT_MARKDOWN] = "markdown",
	[LT_REPORT_JSON] = "json",
	[LT_REPORT_HTML] = "html",
	[LT_REPORT_JUNIT] = "junit",
};

#define N_FORMATS (sizeof format_names / sizeof *format_names)

lt_rc lt_report_format_parse(const char *name, enum lt_report_format *fmt, struct lt_err *err)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (!strcmp(name, format_names[i])) {
			*fmt = (enum lt_report_format)i;
			return LT_OK;
		}
	if (name && !strcmp(name, "md")) {
		*fmt = LT_REPORT_MARKDOWN;
		return LT_OK;
	}
	return lt_err_set(err, LT_EUSAGE, "unknown report format '%s' (expected text, markdown, "
			  "json, html or junit)", name ? name : "");
}

const char *lt_report_format_name(enum lt_report_format fmt)
{
	return (unsigned)fmt < N_FORMATS ? format_names[fmt] : "?";
}

/* ---- reading JSON ---- */

/* Object members by key, not by lt_ndjson_get's path: metric names hold dots. */
static const cJSON *item(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(item(o, key));
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = item(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* ---- building the model ---- */

/* Adders that remember an allocation failure in *oom instead of making
 * every call site test it; the builder checks once at the end. */
static void add_str(cJSON *o, const char *key, const char *v, bool *oom)
{
	if (!(v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key)))
		*oom = true;
}

static void add_num(cJSON *o, const char *key, double v, bool *oom)
{
	if (!(isfinite(v) ? cJSON_AddNumberToObject(o, key, v) : cJSON_AddNullToObject(o, key)))
		*oom = true;
}

static void add_item(cJSON *o, const char *key, cJSON *v, bool *oom)
{
	if (!v || !cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		*oom = true;
	}
}

static void append(cJSON *array, cJSON *v, bool *oom)
{
	if (!v || !cJSON_AddItemToArray(array, v)) {
		cJSON_Delete(v);
		*oom = true;
	}
}

/* A check of the scenario, indexed by the run it judged. */
struct check_ref {
	const char *run_id, *env;
	const cJSON *verdict;
	size_t order;             /* position in the oldest-first list: the later wins */
};

struct builder {
	struct lt_db *db;
	const char *scenario, *env;
	cJSON *checks;            /* every check of the scenario, oldest first */
	cJSON *baselines;
	struct check_ref *refs;   /* sorted by run_id, then order */
	size_t n_refs;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct check_ref *x = a, *y = b;
	int c = strcmp(x->run_id, y->run_id);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Sorted once, so that each run of the history finds its check in
 * O(log checks) rather than by a scan per run and metric. */
static lt_rc index_checks(struct builder *b, struct lt_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(b->checks), i = 0;
	const cJSON *row;

	if (!(b->refs = calloc(n + 1, sizeof *b->refs)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	cJSON_ArrayForEach(row, b->checks) {
		const char *run_id = str(row, "run_id");
		if (!run_id)
			continue;
		b->refs[b->n_refs++] = (struct check_ref){
			.run_id = run_id,
			.env = str(row, "environment") ? str(row, "environment") : "default",
			.verdict = item(row, "verdict"),
			.order = i++,
		};
	}
	qsort(b->refs, b->n_refs, sizeof *b->refs, ref_cmp);
	return LT_OK;
}

/* The latest check of run_id, NULL when none judged it. */
static const struct check_ref *check_of(const struct builder *b, const char *run_id)
{
	size_t lo = 0, hi = b->n_refs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(b->refs[mid].run_id, run_id) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && !strcmp(b->refs[lo - 1].run_id, run_id) ? &b->refs[lo - 1] : NULL;
}

/* Whether run_id was measured in the report's environment (report.h says
 * how a run's environment is known).  A run of unknown id (an alert
 * without a run) is kept: leaving it out would hide an alert. */
static bool in_env(const struct builder *b, const char *run_id)
{
	const struct check_ref *c;
	const cJSON *bl;
	bool is_baseline = false;

	if (!run_id)
		return true;
	if ((c = check_of(b, run_id)))
		return !strcmp(c->env, b->env);
	cJSON_ArrayForEach(bl, b->baselines) {
		if (!same(str(bl, "run_id"), run_id))
			continue;
		if (same(str(bl, "environment"), b->env))
			return true;
		is_baseline = true;
	}
	return !is_baseline && !strcmp(b->env, "default");
}

/* What the latest check of run_id found for metric: its status and
 * severity, NULL both when it was not judged. */
static void finding(const struct builder *b, const char *run_id, const char *metric,
		    const char **status, const char **severity)
{
	const struct check_ref *c = check_of(b, run_id);
	const cJSON *m;

	*status = *severity = NULL;
	if (!c)
		return;
	cJSON_ArrayForEach(m, item(c->verdict, "metrics")) {
		if (same(str(m, "metric"), metric)) {
			*status = str(m, "status");
			*severity = str(m, "severity");
			return;
		}
	}
}

static lt_rc add_history(const struct builder *b, const char *metric, const char *baseline_run,
			 cJSON *history, struct lt_err *err)
{
	struct lt_db_series *s = NULL;
	size_t *kept = NULL, n = 0;
	cJSON *series = NULL;
	bool oom = false;
	lt_rc rc;

	/* All of the scenario's runs, then the environment's newest: runs of
	 * other environments must not eat into the window. */
	if ((rc = lt_db_metric_history(b->db, b->scenario, metric, 0, &s, err)) != LT_OK)
		return rc;
	if (!(kept = malloc((s->n + 1) * sizeof *kept)) || !(series = cJSON_CreateArray())) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < s->n; i++)
		if (in_env(b, s->points[i].run_id))
			kept[n++] = i;
	for (size_t k = n > LT_REPORT_HISTORY_RUNS ? n - LT_REPORT_HISTORY_RUNS : 0; k < n; k++) {
		const struct lt_db_point *p = &s->points[kept[k]];
		const char *status, *severity;
		cJSON *pt = cJSON_CreateObject();
		if (!pt) {
			oom = true;
			break;
		}
		finding(b, p->run_id, metric, &status, &severity);
		add_str(pt, "run_id", p->run_id, &oom);
		add_str(pt, "at", p->at, &oom);
		add_num(pt, "value", p->value, &oom);
		add_str(pt, "status", status, &oom);
		add_str(pt, "severity", severity, &oom);
		if (!cJSON_AddBoolToObject(pt, "baseline", same(p->run_id, baseline_run)))
			oom = true;
		append(series, pt, &oom);
	}
	if (oom || !cJSON_AddItemToObject(history, metric, series)) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	series = NULL;
fail:
	cJSON_Delete(series);
	free(kept);
	lt_db_series_free(s);
	return rc;
}

/* The long view of one metric's history series (its finite values, in
 * order): trend, change points and forecast, each null (or empty) with a
 * note when the history is too short for it.  The statistics are
 * analytics.h's on the same runs the history shows, so that the chart
 * and the figures agree. */
static lt_rc add_analytics(const char *metric, const cJSON *series, cJSON *analytics,
			   struct lt_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(series), k = 0;
	double *v = malloc((n + 1) * sizeof *v);
	const cJSON **pts = malloc((n + 1) * sizeof *pts), *pt, *x;
	cJSON *a = cJSON_CreateObject(), *r = NULL, *list;
	struct lt_err quiet = {0};
	bool oom = false;
	lt_rc rc = LT_OK;

	if (!v || !pts || !a)
		goto nomem;
	cJSON_ArrayForEach(pt, series)
		if (isfinite(num(pt, "value"))) {
			pts[k] = pt;
			v[k++] = num(pt, "value");
		}
	struct lt_analytics_opts o = {.metric = metric, .values = v, .n_values = k,
				      .values_name = metric, .window = k ? k : 1};
	add_num(a, "runs", (double)k, &oom);
	/* Too short, constant: a note, not an error of the report. */
	if (k >= 3 && lt_analytics_trend(NULL, NULL, &o, &r, &quiet) == LT_OK) {
		cJSON *t = cJSON_CreateObject();
		add_item(a, "trend", t, &oom);
		add_str(t, "direction", lt_ndjson_get_str(r, "direction"), &oom);
		add_item(t, "significant", cJSON_Duplicate(lt_ndjson_get(r, "significant"), 1), &oom);
		add_item(t, "worse", cJSON_Duplicate(lt_ndjson_get(r, "worse"), 1), &oom);
		double p = NAN, slope = NAN, pct = NAN;
		lt_ndjson_get_num(r, "mann_kendall.p_value", &p);
		lt_ndjson_get_num(r, "sen.slope_per_run", &slope);
		lt_ndjson_get_num(r, "sen.slope_pct_per_run", &pct);
		add_num(t, "p_value", p, &oom);
		add_num(t, "slope_per_run", slope, &oom);
		add_num(t, "slope_pct_per_run", pct, &oom);
	} else {
		add_item(a, "trend", cJSON_CreateNull(), &oom);
	}
	cJSON_Delete(r);
	r = NULL;
	if (!(list = cJSON_AddArrayToObject(a, "changepoints")))
		goto nomem;
	if (k >= 2 * LT_CHANGEPOINT_MIN_SIZE &&
	    lt_analytics_changepoints(NULL, NULL, &o, &r, &quiet) == LT_OK) {
		cJSON_ArrayForEach(x, lt_ndjson_get(r, "changepoints")) {
			double idx = NAN;
			cJSON *c = cJSON_CreateObject();
			append(list, c, &oom);
			lt_ndjson_get_num(x, "index", &idx);
			const cJSON *at = idx >= 0 && idx < (double)k ? pts[(size_t)idx] : NULL;
			add_num(c, "index", idx, &oom);
			add_str(c, "run_id", str(at, "run_id"), &oom);
			add_str(c, "at", str(at, "at"), &oom);
			static const char *const keys[] = {"mean_before", "mean_after", "change_pct",
							   "direction", "worse", "p_value"};
			for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
				add_item(c, keys[i], cJSON_Duplicate(lt_ndjson_get(x, keys[i]), 1), &oom);
		}
	}
	cJSON_Delete(r);
	r = NULL;
	if (k >= 3 && lt_analytics_forecast(NULL, NULL, &o, &r, &quiet) == LT_OK) {
		cJSON *f = cJSON_CreateObject(), *points;
		add_item(a, "forecast", f, &oom);
		add_str(f, "model", lt_ndjson_get_str(r, "model"), &oom);
		add_item(f, "level", cJSON_Duplicate(lt_ndjson_get(r, "level"), 1), &oom);
		add_item(f, "slope_per_run", cJSON_Duplicate(lt_ndjson_get(r, "fit.slope_per_run"), 1),
			 &oom);
		if (f && (points = cJSON_AddArrayToObject(f, "points")))
			cJSON_ArrayForEach(x, lt_ndjson_get(r, "forecast")) {
				cJSON *q = cJSON_CreateObject();
				append(points, q, &oom);
				static const char *const keys[] = {"step", "value", "low", "high"};
				for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
					add_item(q, keys[i], cJSON_Duplicate(lt_ndjson_get(x, keys[i]), 1),
						 &oom);
			}
		else
			oom = true;
	} else {
		add_item(a, "forecast", cJSON_CreateNull(), &oom);
	}
	cJSON_Delete(r);
	r = NULL;
	if (k < 2 * LT_CHANGEPOINT_MIN_SIZE)
		add_str(a, "note", k < 3 ? "too few runs for a trend or a forecast (3 needed)"
				       : "too few runs for change points (6 needed)", &oom);
	if (oom)
		goto nomem;
	if (!cJSON_AddItemToObject(analytics, metric, a))
		goto nomem;
	a = NULL;
	goto out;
nomem:
	rc = lt_err_set(err, LT_ENOMEM, "out of memory");
out:
	cJSON_Delete(a);
	cJSON_Delete(r);
	free(v);
	free(pts);
	return rc;
}

struct timeline {
	cJSON *seconds;
	bool oom;
};

static lt_rc timeline_second(const struct lt_db_sample *s, void *ctx)
{
	struct timeline *tl = ctx;
	cJSON *o = cJSON_CreateObject();

	if (!o) {
		tl->oom = true;
		return LT_ENOMEM;
	}
	add_num(o, "t", s->t, &tl->oom);
	add_str(o, "phase", s->phase, &tl->oom);
	add_num(o, "users", (double)s->users, &tl->oom);
	add_num(o, "requests", (double)s->requests, &tl->oom);
	add_num(o, "errors", (double)s->errors, &tl->oom);
	add_num(o, "rps", s->rps, &tl->oom);
	add_num(o, "p50", s->latency_ms.p50, &tl->oom);
	add_num(o, "p95", s->latency_ms.p95, &tl->oom);
	add_num(o, "p99", s->latency_ms.p99, &tl->oom);
	append(tl->seconds, o, &tl->oom);
	return tl->oom ? LT_ENOMEM : LT_OK;
}

/* The checked run: its figures, its name, its timeline.  A run deleted
 * since its check leaves null and an empty timeline, not an error: the
 * verdict still stands. */
static lt_rc add_run(const struct builder *b, const char *run_id, cJSON *r, struct lt_err *err)
{
	struct lt_db_run *run = NULL;
	struct timeline tl = {.seconds = cJSON_CreateArray()};
	cJSON *o = NULL;
	bool oom = !tl.seconds;
	lt_rc rc = run_id ? lt_db_run_get(b->db, run_id, &run, err) : LT_ENOTFOUND;

	if (rc == LT_ENOTFOUND) {
		add_str(r, "scenario_name", NULL, &oom);
		add_item(r, "run", cJSON_CreateNull(), &oom);
		rc = LT_OK;
	} else if (rc == LT_OK) {
		add_str(r, "scenario_name", run->scenario_name, &oom);
		if ((o = cJSON_CreateObject())) {
			add_str(o, "run_id", run->run_id, &oom);
			add_str(o, "started_at", run->started_at, &oom);
			add_str(o, "status", run->status, &oom);
			add_num(o, "duration_s", run->duration_s, &oom);
			add_num(o, "requests", (double)run->requests, &oom);
			add_num(o, "errors", (double)run->errors, &oom);
		}
		add_item(r, "run", o, &oom);
		if (!oom && tl.seconds) {
			rc = lt_db_samples_each(b->db, run->run_id, timeline_second, &tl, err);
			if (rc == LT_ENOMEM || tl.oom)
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		}
	}
	lt_db_run_free(run);
	if (rc != LT_OK) {
		cJSON_Delete(tl.seconds);
		return rc;
	}
	add_item(r, "timeline", tl.seconds, &oom);
	return oom ? lt_err_set(err, LT_ENOMEM, "out of memory") : LT_OK;
}

static lt_rc add_alerts(const struct builder *b, cJSON *r, struct lt_err *err)
{
	cJSON *all = NULL, *kept = cJSON_CreateArray();
	const cJSON *a;
	size_t open = 0;
	bool oom = !kept;
	lt_rc rc;

	if ((rc = lt_db_alerts_list(b->db, b->scenario, true, 0, &all, err)) != LT_OK) {
		cJSON_Delete(kept);
		return rc;
	}
	cJSON_ArrayForEach(a, all) {
		if (!in_env(b, str(a, "run_id")))
			continue;
		if (++open <= LT_REPORT_MAX_ALERTS && kept)
			append(kept, cJSON_Duplicate(a, true), &oom);
	}
	cJSON_Delete(all);
	add_item(r, "alerts", kept, &oom);
	add_num(r, "open_alerts", (double)open, &oom);
	return oom ? lt_err_set(err, LT_ENOMEM, "out of memory") : LT_OK;
}

lt_rc lt_report_build(struct lt_db *db, const char *scenario_id, const char *environment,
		      cJSON **report, struct lt_err *err)
{
	struct builder b = {.db = db, .scenario = scenario_id};
	const cJSON *latest = NULL, *row, *verdict, *m;
	cJSON *r = NULL, *history = NULL;
	char now[LTI_TIME_LEN];
	bool oom = false;
	lt_rc rc;

	if (!db || !scenario_id || !*scenario_id || !report)
		return lt_err_set(err, LT_EUSAGE, "a report needs a database and a scenario id");
	if ((rc = lt_db_checks_list(db, scenario_id, 0, &b.checks, err)) != LT_OK)
		goto fail;
	cJSON_ArrayForEach(row, b.checks)
		if (!environment || same(str(row, "environment"), environment))
			latest = row;
	if (!latest) {
		if (environment)
			rc = lt_err_set(err, LT_ENOTFOUND, "no regression check recorded for scenario %s "
					"in environment %s: run lt-regress check first", scenario_id,
					environment);
		else
			rc = lt_err_set(err, LT_ENOTFOUND, "no regression check recorded for scenario %s: "
					"run lt-regress check first", scenario_id);
		goto fail;
	}
	verdict = item(latest, "verdict");
	if (!cJSON_IsObject(verdict) || !cJSON_IsArray(item(verdict, "metrics"))) {
		rc = lt_err_set(err, LT_EDB, "%s: check %s has no verdict", lt_db_path(db),
				str(latest, "check_id") ? str(latest, "check_id") : "?");
		goto fail;
	}
	b.env = str(latest, "environment") ? str(latest, "environment") : "default";
	if ((rc = lt_db_baselines_list(db, scenario_id, &b.baselines, err)) != LT_OK ||
	    (rc = index_checks(&b, err)) != LT_OK)
		goto fail;

	if (!(r = cJSON_CreateObject())) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	lti_time_format(lti_time_now(), now);
	add_str(r, "type", "report", &oom);
	add_num(r, "v", 1, &oom);
	add_str(r, "scenario_id", scenario_id, &oom);
	if ((rc = add_run(&b, str(verdict, "run_id"), r, err)) != LT_OK)
		goto fail;
	add_str(r, "environment", b.env, &oom);
	add_str(r, "generated_at", now, &oom);
	add_item(r, "verdict", cJSON_Duplicate(verdict, true), &oom);
	add_str(r, "checked_at", str(latest, "created_at"), &oom);
	/* add_run put the run first; the JSON reads better with it here, after
	 * the verdict, and with the bulky timeline after the history. */
	add_item(r, "run", cJSON_DetachItemFromObjectCaseSensitive(r, "run"), &oom);
	if (!(history = cJSON_AddObjectToObject(r, "history"))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(m, item(verdict, "metrics")) {
		const char *metric = str(m, "metric");
		if (metric && !item(history, metric) &&
		    (rc = add_history(&b, metric, str(verdict, "baseline_run_id"), history, err)) != LT_OK)
			goto fail;
	}
	cJSON *analytics = cJSON_AddObjectToObject(r, "analytics");
	if (!analytics) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(m, history)
		if ((rc = add_analytics(m->string, m, analytics, err)) != LT_OK)
			goto fail;
	add_item(r, "timeline", cJSON_DetachItemFromObjectCaseSensitive(r, "timeline"), &oom);
	if ((rc = add_alerts(&b, r, err)) != LT_OK)
		goto fail;
	if (oom) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	*report = r;
	r = NULL;
fail:
	cJSON_Delete(r);
	cJSON_Delete(b.checks);
	cJSON_Delete(b.baselines);
	free(b.refs);
	return rc;
}

/* ---- what the renderers share ---- */

/* One metric of the verdict, read out of the model. */
struct metric_row {
	const char *metric, *status, *severity, *test, *reason;
	double baseline, current, change_pct, q_value;
};

static void read_metric(const cJSON *m, struct metric_row *r)
{
	r->metric = str(m, "metric") ? str(m, "metric") : "?";
	r->status = str(m, "status") ? str(m, "status") : "?";
	r->severity = str(m, "severity") ? str(m, "severity") : "none";
	r->test = str(m, "test");
	r->reason = str(m, "reason");
	r->baseline = num(m, "baseline");
	r->current = num(m, "current");
	r->change_pct = num(m, "change_pct");
	r->q_value = num(m, "q_value");
}

static bool is_regression(const char *status)
{
	return same(status, "regression");
}

/* "critical" or "warning" for a regression, else the status. */
static const char *verdict_word(const char *status, const char *severity)
{
	return is_regression(status) && severity && strcmp(severity, "none") ? severity
									       : status ? status : "?";
}

static const char *unit_of(const char *metric)
{
	return !strncmp(metric, "responseTime.", 13) ? "ms"
	       : !strncmp(metric, "throughput.", 11) ? "req/s"
	       : !strcmp(metric, "errorRate")        ? "%"
						     : "";
}

/* A column heading: "p95", "rps", "errors"... */
static const char *short_name(const char *metric)
{
	if (!strncmp(metric, "responseTime.", 13))
		return metric + 13;
	if (!strcmp(metric, "throughput.avg"))
		return "rps";
	if (!strcmp(metric, "throughput.peak"))
		return "peak rps";
	if (!strcmp(metric, "errorRate"))
		return "errors";
	return metric;
}

static const char *fmt_value(const char *metric, double v, char buf[32])
{
	if (!isfinite(v))
		return "-";
	snprintf(buf, 32, !strncmp(metric, "throughput.", 11) ? "%.1f" : "%.3f", v);
	return buf;
}

static const char *fmt_change(double pct, char buf[32])
{
	if (!isfinite(pct))
		return "-";
	snprintf(buf, 32, "%+.1f%%", pct);
	return buf;
}

static const char *fmt_q(double q, char buf[32])
{
	if (!isfinite(q))
		return "-";
	snprintf(buf, 32, "%.2g", q);
	return buf;
}

/* "2026-11-27 03:40:21" from an RFC 3339 time; the text as it is otherwise. */
static const char *fmt_time(const char *at, char buf[32])
{
	if (!at)
		return "-";
	if (strlen(at) < 19 || at[10] != 'T')
		return at;
	memcpy(buf, at, 19);
	buf[10] = ' ';
	buf[19] = '\0';
	return buf;
}

/* A run of the history tables: the union of the runs of every metric's
 * series (the same runs, unless a metric is missing from some), ordered
 * by start. */
struct hrow {
	const char *run_id, *at;
	bool baseline;
};

static int hrow_cmp(const void *a, const void *b)
{
	const struct hrow *x = a, *y = b;
	int c = strcmp(x->at ? x->at : "", y->at ? y->at : "");
	return c ? c : strcmp(x->run_id, y->run_id);
}

/* *rows new (free), *n of them; NULL with n 0 for no history.  Quadratic
 * in the runs of one series, which LT_REPORT_HISTORY_RUNS bounds. */
static lt_rc history_rows(const cJSON *history, struct hrow **rows, size_t *n)
{
	const cJSON *series, *p;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	cJSON_ArrayForEach(series, history) {
		cJSON_ArrayForEach(p, series) {
			const char *run_id = str(p, "run_id");
			size_t i;
			if (!run_id)
				continue;
			for (i = 0; i < *n && strcmp((*rows)[i].run_id, run_id); i++)
				;
			if (i < *n)
				continue;
			if (*n == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct hrow *grown = realloc(*rows, ncap * sizeof *grown);
				if (!grown) {
					free(*rows);
					*rows = NULL;
					*n = 0;
					return LT_ENOMEM;
				}
				*rows = grown;
				cap = ncap;
			}
			(*rows)[(*n)++] = (struct hrow){
				.run_id = run_id, .at = str(p, "at"),
				.baseline = cJSON_IsTrue(item(p, "baseline")),
			};
		}
	}
	if (*n)
		qsort(*rows, *n, sizeof **rows, hrow_cmp);
	return LT_OK;
}

/* The point of run_id in series, NULL when the run lacks the metric. */
static const cJSON *point_of(const cJSON *series, const char *run_id)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, series)
		if (same(str(p, "run_id"), run_id))
			return p;
	return NULL;
}

/* The model's parts every renderer needs, checked once. */
struct view {
	const cJSON *report, *verdict, *metrics, *history, *timeline, *alerts, *run, *analytics;
	const char *scenario_id, *scenario_name, *environment, *status, *run_id;
	double open_alerts;
};

static bool read_view(const cJSON *report, struct view *v)
{
	memset(v, 0, sizeof *v);
	v->report = report;
	v->verdict = item(report, "verdict");
	v->metrics = item(v->verdict, "metrics");
	v->history = item(report, "history");
	v->analytics = item(report, "analytics");
	v->timeline = item(report, "timeline");
	v->alerts = item(report, "alerts");
	v->run = item(report, "run");
	v->scenario_id = str(report, "scenario_id");
	v->scenario_name = str(report, "scenario_name");
	v->environment = str(report, "environment");
	v->status = str(v->verdict, "status");
	v->run_id = str(v->verdict, "run_id");
	v->open_alerts = num(report, "open_alerts");
	if (!isfinite(v->open_alerts))
		v->open_alerts = cJSON_GetArraySize(v->alerts);
	if (!v->environment)
		v->environment = "default";
	return same(str(report, "type"), "report") && v->scenario_id && v->status &&
	       cJSON_IsArray(v->metrics) && cJSON_IsObject(v->history);
}

/* The baseline's version for people: "1.0", or "(unversioned)". */
static const char *baseline_version(const struct view *v)
{
	const char *s = str(v->verdict, "baseline_version");
	return s && *s ? s : "(unversioned)";
}

/* ---- the long view, in words ----
 *
 * One phrase per figure, shared by text, markdown, HTML and JUnit, in
 * plain text: each renderer escapes it as it escapes any string (run ids
 * are in it). */

static void describe_trend(const cJSON *a, char *buf, size_t size)
{
	const cJSON *t = item(a, "trend");
	double p = num(t, "p_value"), pct = num(t, "slope_pct_per_run");

	if (!cJSON_IsObject(t))
		snprintf(buf, size, "-");
	else if (!cJSON_IsTrue(item(t, "significant")))
		snprintf(buf, size, "none (p %.2g)", p);
	else
		snprintf(buf, size, "%s %+.2g %%/run (p %.2g%s)", str(t, "direction"), pct, p,
			 cJSON_IsTrue(item(t, "worse")) ? ", worse" : "");
}

/* The newest change points last: "at run 6b1f7a2c90e1 +28.6 % (p 0.025)". */
static void describe_changepoints(const cJSON *a, char *buf, size_t size)
{
	const cJSON *list = item(a, "changepoints"), *c;
	size_t len = 0;

	buf[0] = '\0';
	if (!cJSON_GetArraySize(list)) {
		snprintf(buf, size, "%s", item(a, "note") && num(a, "runs") < 6 ? "-" : "none");
		return;
	}
	cJSON_ArrayForEach(c, list) {
		const char *run = str(c, "run_id");
		if (len + 1 >= size)
			break;
		len += (size_t)snprintf(buf + len, size - len, "%sat run %.12s %+.1f %% (p %.2g)",
					len ? "; " : "", run ? run : "?", num(c, "change_pct"),
					num(c, "p_value"));
	}
}

/* The last step of the forecast: "+10 runs: 123.4 ms [110.2, 136.6]". */
static void describe_forecast(const cJSON *a, const char *metric, char *buf, size_t size)
{
	const cJSON *f = item(a, "forecast"), *points = item(f, "points");
	const cJSON *last = cJSON_GetArrayItem(points, cJSON_GetArraySize(points) - 1);
	char x[32], lo[32], hi[32];

	if (!last) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "+%.0f runs: %s %s [%s, %s]", num(last, "step"),
		 fmt_value(metric, num(last, "value"), x), unit_of(metric),
		 fmt_value(metric, num(last, "low"), lo), fmt_value(metric, num(last, "high"), hi));
}

/* ---- text ---- */

/* s with control characters (C0, DEL and the C1 range that terminals
 * read as escapes) replaced by '?', cut at a character boundary to fit
 * buf: a scenario name must not be able to drive the user's terminal. */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (!s)
		return "-";
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < size; p++) {
		unsigned char c = *p;
		if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf[o++] = '?';
			p++;
			continue;
		}
		if (c >= 0x80) {
			/* A whole UTF-8 sequence or none of it. */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (o + len >= size)
				break;
			for (size_t k = 0; k < len && p[k]; k++)
				buf[o++] = (char)p[k];
			p += len - 1;
			continue;
		}
		buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static void text_verdict_table(FILE *out, const struct view *v)
{
	const cJSON *m;
	char a[32], b[32], c[32], d[32], name[64];

	fprintf(out, "%-20s %12s %12s %9s %9s %-15s %s\n", "METRIC", "BASELINE", "CURRENT", "CHANGE",
		"Q-VALUE", "TEST", "VERDICT");
	cJSON_ArrayForEach(m, v->metrics) {
		struct metric_row r;
		char word[32];
		read_metric(m, &r);
		snprintf(word, sizeof word, "%s", verdict_word(r.status, r.severity));
		if (is_regression(r.status))
			for (char *p = word; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		fprintf(out, "%-20s %12s %12s %9s %9s %-15s %s\n", clean(r.metric, name, sizeof name),
			fmt_value(r.metric, r.baseline, a), fmt_value(r.metric, r.current, b),
			fmt_change(r.change_pct, c), fmt_q(r.q_value, d),
			r.test ? r.test : "threshold", word);
	}
}

static lt_rc text_history(FILE *out, const struct view *v)
{
	struct hrow *rows = NULL;
	size_t n = 0;
	const cJSON *series;
	char id[16], t[32], val[32];

	if (history_rows(v->history, &rows, &n) != LT_OK)
		return LT_ENOMEM;
	fprintf(out, "\nHISTORY: %zu run%s, oldest first (ms, req/s, %%; * a regression its check "
		"found)\n", n, n == 1 ? "" : "s");
	if (!n) {
		fprintf(out, "no complete runs recorded\n");
		return LT_OK;
	}
	fprintf(out, "%-12s  %-19s", "RUN", "STARTED");
	cJSON_ArrayForEach(series, v->history)
		fprintf(out, " %9s ", short_name(series->string));
	fprintf(out, "\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%-12s  %-19s", clean(rows[i].run_id, id, 13), fmt_time(rows[i].at, t));
		cJSON_ArrayForEach(series, v->history) {
			const cJSON *p = point_of(series, rows[i].run_id);
			fprintf(out, " %9s%c", fmt_value(series->string, num(p, "value"), val),
				p && is_regression(str(p, "status")) ? '*' : ' ');
		}
		if (rows[i].baseline)
			fprintf(out, " baseline");
		if (same(rows[i].run_id, v->run_id))
			fprintf(out, " latest");
		fprintf(out, "\n");
	}
	free(rows);
	return LT_OK;
}

static void text_analytics(FILE *out, const struct view *v)
{
	const cJSON *a;
	char name[64], t[160], c[400], f[160], cl[400];

	fprintf(out, "\nTRENDS: over the history above (Mann-Kendall and Sen's slope; e-divisive "
		"change points; linear forecast, 95 %% interval)\n");
	fprintf(out, "%-20s %-36s %-36s %s\n", "METRIC", "TREND", "CHANGE POINTS", "FORECAST");
	cJSON_ArrayForEach(a, v->analytics) {
		describe_trend(a, t, sizeof t);
		describe_changepoints(a, c, sizeof c);
		describe_forecast(a, a->string, f, sizeof f);
		fprintf(out, "%-20s %-36s %-36s %s\n", clean(a->string, name, sizeof name), t,
			clean(c, cl, sizeof cl), f);
	}
}

static void text_alerts(FILE *out, const struct view *v)
{
	const cJSON *a;
	char id[16], run[16], sev[16], t[32], metric[64], msg[512];

	fprintf(out, "\nOPEN ALERTS: %.0f", v->open_alerts);
	if (cJSON_GetArraySize(v->alerts) < v->open_alerts)
		fprintf(out, " (the newest %d)", cJSON_GetArraySize(v->alerts));
	fprintf(out, "\n");
	if (!cJSON_GetArraySize(v->alerts))
		return;
	fprintf(out, "%-8s  %-8s  %-18s  %-12s  %-19s  %s\n", "ALERT", "SEVERITY", "METRIC", "RUN",
		"CREATED", "MESSAGE");
	cJSON_ArrayForEach(a, v->alerts)
		fprintf(out, "%-8s  %-8s  %-18s  %-12s  %-19s  %s\n", clean(str(a, "alert_id"), id, 9),
			clean(str(a, "severity"), sev, sizeof sev), clean(str(a, "metric"), metric, sizeof metric),
			clean(str(a, "run_id"), run, 13), fmt_time(str(a, "created_at"), t),
			clean(str(a, "message"), msg, sizeof msg));
}

static lt_rc render_text(FILE *out, const struct view *v)
{
	char a[256], b[256], c[160];
	const char *reason = str(v->verdict, "reason");

	fprintf(out, "lt-regress report: %s", clean(v->scenario_id, a, sizeof a));
	if (v->scenario_name)
		fprintf(out, " (%s)", clean(v->scenario_name, b, sizeof b));
	fprintf(out, ", environment %s\n\n", clean(v->environment, c, sizeof c));
	fprintf(out, "verdict    %s, %.0f alert%s\n", clean(v->status, a, sizeof a),
		num(v->verdict, "alerts"), num(v->verdict, "alerts") == 1 ? "" : "s");
	if (reason)
		fprintf(out, "reason     %s\n", clean(reason, a, sizeof a));
	fprintf(out, "check      %s at %s\n", clean(str(v->verdict, "check_id"), a, sizeof a),
		clean(str(v->report, "checked_at"), b, sizeof b));
	fprintf(out, "run        %s", clean(v->run_id, a, sizeof a));
	if (str(v->run, "started_at"))
		fprintf(out, ", started %s", clean(str(v->run, "started_at"), b, sizeof b));
	fprintf(out, "\nbaseline   %s, run %s\n", clean(baseline_version(v), a, sizeof a),
		clean(str(v->verdict, "baseline_run_id"), b, sizeof b));
	fprintf(out, "model      %s\n\n", clean(str(v->verdict, "model"), a, sizeof a));
	text_verdict_table(out, v);
	if (text_history(out, v) != LT_OK)
		return LT_ENOMEM;
	text_analytics(out, v);
	text_alerts(out, v);
	return LT_OK;
}

/* ---- markdown ---- */

/* s as the text of a GitHub-flavoured markdown table cell: the table's
 * pipe, markdown's emphasis, link and code characters, and HTML (GitHub
 * renders inline HTML) escaped; line breaks would end the row, so
 * control characters become spaces. */
static void put_md(FILE *out, const char *s)
{
	if (!s) {
		fputs("-", out);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (strchr("\\`*_[]|~#!", c))
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', out);
		else
			fputc(c, out);
	}
}

static lt_rc render_markdown(FILE *out, const struct view *v)
{
	const cJSON *m, *series, *a;
	const char *reason = str(v->verdict, "reason");
	char x[32], y[32], z[32], w[32];
	struct hrow *rows = NULL;
	size_t n = 0;

	fputs("## lt-regress: ", out);
	put_md(out, v->scenario_id);
	fputs(" is **", out);
	put_md(out, v->status);
	fputs("**\n\n**Scenario** ", out);
	put_md(out, v->scenario_id);
	if (v->scenario_name) {
		fputs(" (", out);
		put_md(out, v->scenario_name);
		fputs(")", out);
	}
	fputs(" · **environment** ", out);
	put_md(out, v->environment);
	fputs(" · **model** ", out);
	put_md(out, str(v->verdict, "model"));
	fprintf(out, " · **alerts** %.0f  \n**Run** ", num(v->verdict, "alerts"));
	put_md(out, v->run_id);
	if (str(v->run, "started_at"))
		fprintf(out, " (started %s)", fmt_time(str(v->run, "started_at"), x));
	fputs(" vs **baseline** ", out);
	put_md(out, baseline_version(v));
	fputs(" (run ", out);
	put_md(out, str(v->verdict, "baseline_run_id"));
	fputs(")", out);
	if (reason) {
		fputs("  \n**Inconclusive:** ", out);
		put_md(out, reason);
	}
	fputs("\n\n| Metric | Baseline | Current | Change | q-value | Test | Verdict |\n"
	      "| :--- | ---: | ---: | ---: | ---: | :--- | :--- |\n", out);
	cJSON_ArrayForEach(m, v->metrics) {
		struct metric_row r;
		read_metric(m, &r);
		fputs("| ", out);
		put_md(out, r.metric);
		fprintf(out, " (%s) | %s | %s | %s | %s | ", unit_of(r.metric),
			fmt_value(r.metric, r.baseline, x), fmt_value(r.metric, r.current, y),
			fmt_change(r.change_pct, z), fmt_q(r.q_value, w));
		put_md(out, r.test ? r.test : "threshold");
		fputs(is_regression(r.status) ? " | **" : " | ", out);
		put_md(out, verdict_word(r.status, r.severity));
		fputs(is_regression(r.status) ? "** |\n" : " |\n", out);
	}

	if (history_rows(v->history, &rows, &n) != LT_OK)
		return LT_ENOMEM;
	/* Folded: in a PR comment the verdict is what a reviewer needs first. */
	fprintf(out, "\n<details><summary>History: %zu run%s</summary>\n\n", n, n == 1 ? "" : "s");
	if (n) {
		fputs("| Run | Started |", out);
		cJSON_ArrayForEach(series, v->history) {
			fputc(' ', out);
			put_md(out, short_name(series->string));
			fprintf(out, " (%s) |", unit_of(series->string));
		}
		fputs("\n| :--- | :--- |", out);
		cJSON_ArrayForEach(series, v->history)
			fputs(" ---: |", out);
		fputc('\n', out);
		for (size_t i = 0; i < n; i++) {
			char id[16];
			fputs("| ", out);
			put_md(out, clean(rows[i].run_id, id, 13));
			if (rows[i].baseline)
				fputs(" (baseline)", out);
			if (same(rows[i].run_id, v->run_id))
				fputs(" (latest)", out);
			fprintf(out, " | %s |", fmt_time(rows[i].at, x));
			cJSON_ArrayForEach(series, v->history) {
				const cJSON *p = point_of(series, rows[i].run_id);
				bool bold = p && is_regression(str(p, "status"));
				fprintf(out, bold ? " **%s** |" : " %s |",
					fmt_value(series->string, num(p, "value"), y));
			}
			fputc('\n', out);
		}
		fputs("\nBold: a regression that run's check found.\n", out);
	} else {
		fputs("No complete runs recorded.\n", out);
	}
	fputs("\n</details>\n", out);
	free(rows);

	fputs("\n### Trends\n\n| Metric | Trend | Change points | Forecast |\n"
	      "| :--- | :--- | :--- | :--- |\n", out);
	cJSON_ArrayForEach(a, v->analytics) {
		char t[160], c[400], f[160];
		describe_trend(a, t, sizeof t);
		describe_changepoints(a, c, sizeof c);
		describe_forecast(a, a->string, f, sizeof f);
		fputs("| ", out);
		put_md(out, a->string);
		fputs(" | ", out);
		put_md(out, t);
		fputs(" | ", out);
		put_md(out, c);
		fputs(" | ", out);
		put_md(out, f);
		fputs(" |\n", out);
	}
	fputs("\nMann-Kendall and Sen's slope over the history; change points by e-divisive means "
	      "(a lone outlier is not one); the forecast is a least-squares line with its 95 % "
	      "prediction interval.\n", out);

	fprintf(out, "\n### Open alerts: %.0f\n", v->open_alerts);
	if (cJSON_GetArraySize(v->alerts)) {
		fputs("\n| Alert | Severity | Metric | Run | Created | Message |\n"
		      "| :--- | :--- | :--- | :--- | :--- | :--- |\n", out);
		cJSON_ArrayForEach(a, v->alerts) {
			char id[16];
			fputs("| ", out);
			put_md(out, clean(str(a, "alert_id"), id, 9));
			fputs(" | ", out);
			put_md(out, str(a, "severity"));
			fputs(" | ", out);
			put_md(out, str(a, "metric"));
			fputs(" | ", out);
			put_md(out, clean(str(a, "run_id"), id, 13));
			fprintf(out, " | %s | ", fmt_time(str(a, "created_at"), x));
			put_md(out, str(a, "message"));
			fputs(" |\n", out);
		}
	}
	return LT_OK;
}

/* ---- HTML and XML ---- */

/* s as HTML or XML character data or attribute value: the five special
 * characters as entities, control characters XML 1.0 forbids dropped
 * (tab and line ends kept, as numeric references in attributes so they
 * survive attribute normalisation). */
static void put_ml(FILE *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case '\t': fputs("&#9;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\r': fputs("&#13;", out); break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				fputc(*p, out);
		}
	}
}

/* The colour of a status or severity, one palette for the page. */
static const char *colour_of(const char *status)
{
	if (same(status, "critical"))
		return "#cf222e";
	if (same(status, "warning"))
		return "#bf8700";
	if (same(status, "pass") || same(status, "ok") || same(status, "improvement"))
		return "#1a7f37";
	return "#6e7781";
}

/* ---- SVG charts ----
 *
 * Drawn by hand: a chart library would mean a script, and the page must
 * work offline, in a CI artefact viewer, with scripts blocked. */

struct axis {
	double lo, hi, step;
};

/* Round numbers from lo to hi in about `ticks` steps of 1, 2 or 5 x 10^k. */
static struct axis nice_axis(double lo, double hi, int ticks)
{
	struct axis a;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi - lo < 1e-9 * (fabs(hi) + 1)) {
		double pad = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1;
		lo -= pad;
		hi += pad;
	}
	double raw = (hi - lo) / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
	a.step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
	a.lo = floor(lo / a.step) * a.step;
	a.hi = ceil(hi / a.step) * a.step;
	if (a.hi <= a.lo)
		a.hi = a.lo + a.step;
	return a;
}

/* Decimals that show a tick step exactly enough: 0.05 -> 2, 20 -> 0. */
static int decimals_of(double step)
{
	int d = (int)ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d > 6 ? 6 : d;
}

/* A plot area in SVG user units. */
struct plot {
	double x0, y0, w, h;      /* top left corner, size */
	double xlo, xhi;
	struct axis y;
};

static double px(const struct plot *p, double x)
{
	return p->x0 + (p->xhi > p->xlo ? (x - p->xlo) / (p->xhi - p->xlo) : 0.5) * p->w;
}

static double py(const struct plot *p, double y)
{
	return p->y0 + p->h - (y - p->y.lo) / (p->y.hi - p->y.lo) * p->h;
}

static void svg_y_grid(FILE *out, const struct plot *p, const char *unit)
{
	int d = decimals_of(p->y.step);
	/* An index, not an accumulated double, so rounding never drops the top tick. */
	long n = lround((p->y.hi - p->y.lo) / p->y.step);

	for (long i = 0; i <= n; i++) {
		double v = p->y.lo + (double)i * p->y.step, y = py(p, v);
		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f</text>\n",
			p->x0, y, p->x0 + p->w, y, p->x0 - 6, y + 4, d, fabs(v) < p->y.step / 2 ? 0 : v);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", p->x0 - 6, p->y0 - 8);
	put_ml(out, unit);
	fputs("</text>\n", out);
}

/* The timeline series: field of each second, as polylines broken where a
 * second has no value. */
static void svg_timeline_line(FILE *out, const struct plot *p, const cJSON *timeline,
			      const char *field, const char *colour)
{
	const cJSON *s;
	bool open = false;

	cJSON_ArrayForEach(s, timeline) {
		double t = num(s, "t"), v = num(s, field);
		if (!isfinite(t) || !isfinite(v)) {
			if (open)
				fputs("\"/>\n", out);
			open = false;
			continue;
		}
		if (!open)
			fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
				"points=\"", colour);
		fprintf(out, "%s%.1f,%.1f", open ? " " : "", px(p, t), py(p, v));
		open = true;
	}
	if (open)
		fputs("\"/>\n", out);
}

/* Grey bands behind the warm-up and cool-down seconds, which the summary
 * (and so the verdict) leaves out. */
static void svg_phases(FILE *out, const struct plot *p, const cJSON *timeline)
{
	static const char *const phases[] = {"warmup", "cooldown"};

	for (size_t k = 0; k < 2; k++) {
		double lo = INFINITY, hi = -INFINITY;
		const cJSON *s;
		cJSON_ArrayForEach(s, timeline) {
			double t = num(s, "t");
			if (same(str(s, "phase"), phases[k]) && isfinite(t)) {
				lo = fmin(lo, t);
				hi = fmax(hi, t);
			}
		}
		if (lo > hi)
			continue;
		/* Half a second either side: the band ends midway between the
		 * last second of one phase and the first of the next. */
		double x1 = fmax(px(p, lo - 0.5), p->x0), x2 = fmin(px(p, hi + 0.5), p->x0 + p->w);
		if (x2 <= x1)
			continue;
		fprintf(out, "<rect class=\"phase\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
			x1, p->y0, x2 - x1, p->h, (x1 + x2) / 2, p->y0 + 12,
			k ? "cool-down" : "warm-up");
	}
}

struct line_spec {
	const char *field, *label, *colour;
};

static void svg_timeline_chart(FILE *out, const cJSON *timeline, const char *title,
			       const char *unit, const struct line_spec *lines, size_t n_lines)
{
	const double width = 900, height = 230;
	struct plot p = {.x0 = 64, .y0 = 28, .w = width - 64 - 20, .h = height - 28 - 34,
			 .xlo = INFINITY, .xhi = -INFINITY};
	double ymax = 0;
	const cJSON *s;

	cJSON_ArrayForEach(s, timeline) {
		double t = num(s, "t");
		if (!isfinite(t))
			continue;
		p.xlo = fmin(p.xlo, t);
		p.xhi = fmax(p.xhi, t);
		for (size_t i = 0; i < n_lines; i++)
			if (isfinite(num(s, lines[i].field)))
				ymax = fmax(ymax, num(s, lines[i].field));
	}
	if (!(p.xlo <= p.xhi))
		p.xlo = p.xhi = 0;
	if (p.xlo == p.xhi)
		p.xhi = p.xlo + 1;
	p.y = nice_axis(0, ymax > 0 ? ymax : 1, 4);
	p.y.lo = 0;
	fprintf(out, "<figure class=\"wide\"><figcaption>");
	put_ml(out, title);
	fprintf(out, "</figcaption>\n<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
		height);
	put_ml(out, title);
	fputs("\">\n", out);
	svg_phases(out, &p, timeline);
	svg_y_grid(out, &p, unit);
	/* x ticks every nice number of seconds */
	struct axis xa = nice_axis(p.xlo, p.xhi, 8);
	for (double t = xa.lo; t <= p.xhi + 1e-9; t += xa.step) {
		if (t < p.xlo - 1e-9)
			continue;
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f</text>\n",
			px(&p, t), p.y0 + p.h + 16, decimals_of(xa.step), t);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">seconds since the start"
		"</text>\n", p.x0 + p.w, p.y0 + p.h + 30);
	fprintf(out, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
		p.x0, p.y0, p.w, p.h);
	for (size_t i = 0; i < n_lines; i++)
		svg_timeline_line(out, &p, timeline, lines[i].field, lines[i].colour);
	/* legend, right-aligned above the plot */
	double lx = p.x0 + p.w - 90.0 * (double)n_lines;
	for (size_t i = 0; i < n_lines; i++, lx += 90)
		fprintf(out, "<rect x=\"%.1f\" y=\"8\" width=\"14\" height=\"4\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"14\">%s</text>\n", lx, lines[i].colour, lx + 18,
			lines[i].label);
	fputs("</svg></figure>\n", out);
}

/* A metric's history: its value per run (evenly spaced: runs come at
 * irregular times, and a time axis would crowd a nightly series into the
 * corner where last week's burst of CI runs sits), the baseline as a
 * dashed line, regressions as red (critical) or amber (warning) dots,
 * the baseline run as a square, the latest run ringed. */
static void svg_history_chart(FILE *out, const char *metric, const cJSON *series,
			      double baseline, const char *latest_run, const cJSON *analytics)
{
	const cJSON *fc = item(item(analytics, "forecast"), "points"), *q;
	const double width = 420, height = 170;
	struct plot p = {.x0 = 58, .y0 = 18, .w = width - 58 - 14, .h = height - 18 - 30};
	size_t n = (size_t)cJSON_GetArraySize(series), i = 0;
	double lo = isfinite(baseline) ? baseline : INFINITY, hi = isfinite(baseline) ? baseline : -INFINITY;
	const cJSON *pt;
	char buf[32];

	cJSON_ArrayForEach(pt, series) {
		double v = num(pt, "value");
		if (isfinite(v)) {
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	}
	/* The forecast's interval widens the axis, and its runs lengthen it. */
	size_t steps = 0;
	cJSON_ArrayForEach(q, fc)
		if (isfinite(num(q, "low")) && isfinite(num(q, "high"))) {
			lo = fmin(lo, num(q, "low"));
			hi = fmax(hi, num(q, "high"));
			steps++;
		}
	if (lo > hi)
		lo = hi = 0;
	double pad = (hi - lo) * 0.08;
	p.y = nice_axis(lo - pad, hi + pad, 3);
	/* Latencies, rates and counts are never negative. */
	if (p.y.lo < 0 && lo >= 0)
		p.y.lo = 0;
	p.xlo = 0;
	p.xhi = n > 1 ? (double)(n - 1) : 0;
	/* The x of value i is its index among the finite values, which is
	 * what the analytics counted: the same runs unless one lacks it. */
	size_t finite = 0;
	cJSON_ArrayForEach(pt, series)
		finite += isfinite(num(pt, "value"));
	if (steps && finite == n && n > 1)
		p.xhi = (double)(n - 1 + steps);
	fputs("<figure><figcaption>", out);
	put_ml(out, metric);
	fputs("</figcaption>\n<svg viewBox=\"0 0 420 170\" role=\"img\" aria-label=\"history of ", out);
	put_ml(out, metric);
	fputs("\">\n", out);
	svg_y_grid(out, &p, unit_of(metric));
	fprintf(out, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
		p.x0, p.y0, p.w, p.h);
	if (n) {
		char t[32];
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">%s</text>\n", p.x0,
			p.y0 + p.h + 16, fmt_time(str(cJSON_GetArrayItem(series, 0), "at"), t));
		if (n > 1)
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
				p.x0 + p.w, p.y0 + p.h + 16,
				fmt_time(str(cJSON_GetArrayItem(series, (int)n - 1), "at"), t));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%zu run%s</text>\n",
			p.x0 + p.w / 2, p.y0 + p.h + 16, n, n == 1 ? "" : "s");
	}
	/* Change points: a dashed line before the first run of each new
	 * regime, labelled with the change. */
	const cJSON *cp;
	cJSON_ArrayForEach(cp, item(analytics, "changepoints")) {
		double idx = num(cp, "index");
		if (!isfinite(idx) || finite != n || idx <= 0 || idx >= (double)n)
			continue;
		double x = px(&p, idx - 0.5);
		char before[32], after[32];
		fputs("<g><title>change point: ", out);
		put_ml(out, str(cp, "run_id"));
		fprintf(out, " starts a new level, %s -> %s %s (%+.1f %%), p %.2g</title>",
			fmt_value(metric, num(cp, "mean_before"), before),
			fmt_value(metric, num(cp, "mean_after"), after), unit_of(metric),
			num(cp, "change_pct"), num(cp, "p_value"));
		fprintf(out, "<line class=\"cp\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"cpl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%+.0f%%</text>"
			"</g>\n", x, p.y0, x, p.y0 + p.h, x, p.y0 - 4, num(cp, "change_pct"));
	}
	/* The forecast: its interval as a band, its line dashed, from the
	 * last run on. */
	if (steps && finite == n && n > 1) {
		fputs("<g><title>forecast, ", out);
		put_ml(out, str(item(analytics, "forecast"), "model"));
		fputs(", 95 % prediction interval</title><polygon class=\"fcband\" points=\"", out);
		size_t k = 0;
		cJSON_ArrayForEach(q, fc)
			if (isfinite(num(q, "high")))
				fprintf(out, "%s%.1f,%.1f", k++ ? " " : "",
					px(&p, (double)(n - 1) + num(q, "step")), py(&p, num(q, "high")));
		for (int j = cJSON_GetArraySize(fc) - 1; j >= 0; j--) {
			const cJSON *r = cJSON_GetArrayItem(fc, j);
			if (isfinite(num(r, "low")))
				fprintf(out, " %.1f,%.1f", px(&p, (double)(n - 1) + num(r, "step")),
					py(&p, num(r, "low")));
		}
		fprintf(out, "\"/><polyline class=\"fc\" points=\"%.1f,%.1f",
			px(&p, (double)(n - 1)),
			py(&p, num(cJSON_GetArrayItem(series, (int)n - 1), "value")));
		cJSON_ArrayForEach(q, fc)
			if (isfinite(num(q, "value")))
				fprintf(out, " %.1f,%.1f", px(&p, (double)(n - 1) + num(q, "step")),
					py(&p, num(q, "value")));
		fputs("\"/></g>\n", out);
	}
	if (isfinite(baseline))
		fprintf(out, "<line class=\"baseline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"bl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">baseline %s</text>\n",
			p.x0, py(&p, baseline), p.x0 + p.w, py(&p, baseline), p.x0 + p.w - 4,
			py(&p, baseline) - 4, fmt_value(metric, baseline, buf));
	bool open = false;
	cJSON_ArrayForEach(pt, series) {
		double v = num(pt, "value");
		if (!isfinite(v)) {
			i++;
			continue;
		}
		if (!open)
			fputs("<polyline class=\"hist\" points=\"", out);
		fprintf(out, "%s%.1f,%.1f", open ? " " : "", px(&p, (double)i++), py(&p, v));
		open = true;
	}
	if (open)
		fputs("\"/>\n", out);
	i = 0;
	cJSON_ArrayForEach(pt, series) {
		double v = num(pt, "value"), x = px(&p, (double)i++), y;
		const char *status = str(pt, "status"), *severity = str(pt, "severity");
		bool regression = is_regression(status);
		char t[32];
		if (!isfinite(v))
			continue;
		y = py(&p, v);
		fputs("<g><title>", out);
		put_ml(out, str(pt, "run_id"));
		fprintf(out, "&#10;%s&#10;%s %s", fmt_time(str(pt, "at"), t), fmt_value(metric, v, buf),
			unit_of(metric));
		if (status) {
			fputs("&#10;", out);
			put_ml(out, verdict_word(status, severity));
		}
		if (cJSON_IsTrue(item(pt, "baseline")))
			fputs("&#10;the baseline run", out);
		fputs("</title>", out);
		if (cJSON_IsTrue(item(pt, "baseline")))
			fprintf(out, "<rect class=\"blrun\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"/>",
				x - 4, y - 4);
		else
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/>", x, y,
				regression ? "5" : "3",
				regression ? colour_of(severity) : "#0969da");
		if (same(str(pt, "run_id"), latest_run))
			fprintf(out, "<circle class=\"latest\" cx=\"%.1f\" cy=\"%.1f\" r=\"8\"/>", x, y);
		fputs("</g>\n", out);
	}
	fputs("</svg></figure>\n", out);
}

static const char html_style[] =
	"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1f2328;"
	"background:#fff;max-width:1000px;margin:2em auto;padding:0 1em}\n"
	"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.8em 0 .6em;"
	"border-bottom:1px solid #d0d7de;padding-bottom:.2em}\n"
	".badge{display:inline-block;padding:.1em .7em;border-radius:1em;color:#fff;font-weight:600;"
	"text-transform:uppercase;font-size:.85em;vertical-align:middle}\n"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:1em 0}"
	"dt{color:#656d76}dd{margin:0}\n"
	"table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid "
	"#d8dee4;text-align:left;vertical-align:top}th{background:#f6f8fa}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.critical td{background:#ffebe9}tr.warning td{background:#fff8c5}\n"
	"code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}"
	"td.t{white-space:nowrap}\n"
	"figure{margin:0}figcaption{font-weight:600;margin:.4em 0 .2em}svg{width:100%;height:auto}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1em 1.5em}\n"
	"svg text{font:11px system-ui,sans-serif;fill:#656d76}svg text.bl{fill:#8250df}\n"
	"svg .grid{stroke:#eaeef2}svg .frame{fill:none;stroke:#d0d7de}svg .phase{fill:#f3f4f6}\n"
	"svg .baseline{stroke:#8250df;stroke-dasharray:5 4;stroke-width:1.5}\n"
	"svg .hist{fill:none;stroke:#0969da;stroke-width:1.5}svg .blrun{fill:#8250df}\n"
	"svg .latest{fill:none;stroke:#1f2328;stroke-width:1.2}\n"
	"svg .cp{stroke:#bc4c00;stroke-dasharray:3 3;stroke-width:1.5}svg text.cpl{fill:#bc4c00}\n"
	"svg .fc{fill:none;stroke:#0969da;stroke-dasharray:4 3;stroke-width:1.5}"
	"svg .fcband{fill:#0969da;fill-opacity:.12;stroke:none}\n"
	"footer{margin-top:2.5em;color:#656d76;font-size:.85em}\n";

static void html_dd(FILE *out, const char *term, const char *value)
{
	fprintf(out, "<dt>%s</dt><dd>", term);
	put_ml(out, value ? value : "-");
	fputs("</dd>\n", out);
}

static lt_rc render_html(FILE *out, const struct view *v)
{
	const cJSON *m, *a, *series;
	const char *reason = str(v->verdict, "reason");
	char x[32], y[32], z[32], w[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	/* The browser itself refuses any fetch, so a string that slipped past
	 * escaping could still load nothing and run nothing. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n", out);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
	put_ml(out, v->scenario_id);
	fputs(": ", out);
	put_ml(out, v->status);
	fprintf(out, " (lt-regress report)</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);

	fputs("<h1>", out);
	put_ml(out, v->scenario_id);
	fprintf(out, " <span class=\"badge\" style=\"background:%s\">", colour_of(v->status));
	put_ml(out, v->status);
	fputs("</span></h1>\n", out);
	if (v->scenario_name) {
		fputs("<p>", out);
		put_ml(out, v->scenario_name);
		fputs("</p>\n", out);
	}
	fputs("<dl>\n", out);
	html_dd(out, "environment", v->environment);
	if (reason)
		html_dd(out, "inconclusive", reason);
	snprintf(x, sizeof x, "%.0f", num(v->verdict, "alerts"));
	html_dd(out, "alerts raised", x);
	fputs("<dt>run</dt><dd><code>", out);
	put_ml(out, v->run_id);
	fputs("</code>", out);
	if (str(v->run, "started_at")) {
		fputs(", started ", out);
		put_ml(out, fmt_time(str(v->run, "started_at"), x));
	}
	fputs("</dd>\n<dt>baseline</dt><dd>", out);
	put_ml(out, baseline_version(v));
	fputs(", run <code>", out);
	put_ml(out, str(v->verdict, "baseline_run_id"));
	fputs("</code></dd>\n", out);
	html_dd(out, "model", str(v->verdict, "model"));
	fputs("<dt>check</dt><dd><code>", out);
	put_ml(out, str(v->verdict, "check_id"));
	fputs("</code>, ", out);
	put_ml(out, fmt_time(str(v->report, "checked_at"), x));
	fputs("</dd>\n</dl>\n", out);

	fputs("<h2>Verdict per metric</h2>\n<table>\n<tr><th>metric</th><th>unit</th>"
	      "<th>baseline</th><th>current</th><th>change</th><th>q-value</th><th>test</th>"
	      "<th>verdict</th></tr>\n", out);
	cJSON_ArrayForEach(m, v->metrics) {
		struct metric_row r;
		read_metric(m, &r);
		fprintf(out, "<tr class=\"%s\"><td>", is_regression(r.status)
			? (same(r.severity, "critical") ? "critical" : "warning") : "ok");
		put_ml(out, r.metric);
		fprintf(out, "</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			"<td class=\"n\">%s</td><td class=\"n\">%s</td><td>", unit_of(r.metric),
			fmt_value(r.metric, r.baseline, x), fmt_value(r.metric, r.current, y),
			fmt_change(r.change_pct, z), fmt_q(r.q_value, w));
		put_ml(out, r.test ? r.test : "threshold");
		fprintf(out, "</td><td style=\"color:%s;font-weight:600\">",
			colour_of(is_regression(r.status) ? r.severity : r.status));
		put_ml(out, verdict_word(r.status, r.severity));
		if (r.reason) {
			fputs("<br><small style=\"color:#656d76;font-weight:400\">", out);
			put_ml(out, r.reason);
			fputs("</small>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);

	fputs("<h2>Timeline of the checked run</h2>\n", out);
	if (cJSON_GetArraySize(v->timeline)) {
		static const struct line_spec rps[] = {{"rps", "rps", "#0969da"}};
		static const struct line_spec lat[] = {
			{"p50", "p50", "#1a7f37"}, {"p95", "p95", "#bf8700"}, {"p99", "p99", "#cf222e"},
		};
		svg_timeline_chart(out, v->timeline, "throughput per second", "req/s", rps, 1);
		svg_timeline_chart(out, v->timeline, "latency per second", "ms", lat, 3);
	} else {
		fputs("<p>No per-second samples recorded for this run.</p>\n", out);
	}

	fputs("<h2>History</h2>\n<p>Each run's value, oldest first; dashed: the baseline; "
	      "square: the baseline run; red or amber: a regression that run's check found; "
	      "ringed: the checked run; orange dashes: a change point (a new level starts at the "
	      "next run); shaded: the forecast's 95 % prediction interval around its dashed "
	      "line.</p>\n<div class=\"charts\">\n", out);
	cJSON_ArrayForEach(series, v->history) {
		double baseline = NAN;
		cJSON_ArrayForEach(m, v->metrics)
			if (same(str(m, "metric"), series->string))
				baseline = num(m, "baseline");
		svg_history_chart(out, series->string, series, baseline, v->run_id,
				  item(v->analytics, series->string));
	}
	fputs("</div>\n", out);

	fputs("<h2>Trends</h2>\n<table>\n<tr><th>metric</th><th>trend</th><th>change points</th>"
	      "<th>forecast</th></tr>\n", out);
	cJSON_ArrayForEach(series, v->analytics) {
		char t[160], c[400], f[160];
		describe_trend(series, t, sizeof t);
		describe_changepoints(series, c, sizeof c);
		describe_forecast(series, series->string, f, sizeof f);
		fputs("<tr><td>", out);
		put_ml(out, series->string);
		fputs("</td><td>", out);
		put_ml(out, t);
		fputs("</td><td>", out);
		put_ml(out, c);
		fputs("</td><td>", out);
		put_ml(out, f);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n<p>Mann-Kendall and Sen's slope over the history above; change points by "
	      "e-divisive means (a lone outlier is not one); the forecast is a least-squares line "
	      "with its 95 % prediction interval.</p>\n", out);

	fprintf(out, "<h2>Open alerts: %.0f</h2>\n", v->open_alerts);
	if (cJSON_GetArraySize(v->alerts)) {
		fputs("<table>\n<tr><th>alert</th><th>severity</th><th>metric</th><th>run</th>"
		      "<th>created</th><th>message</th></tr>\n", out);
		cJSON_ArrayForEach(a, v->alerts) {
			char id[16];
			fprintf(out, "<tr class=\"%s\"><td><code>",
				same(str(a, "severity"), "critical") ? "critical" : "warning");
			put_ml(out, clean(str(a, "alert_id"), id, 9));
			fputs("</code></td><td>", out);
			put_ml(out, str(a, "severity"));
			fputs("</td><td>", out);
			put_ml(out, str(a, "metric"));
			fputs("</td><td><code>", out);
			put_ml(out, clean(str(a, "run_id"), id, 13));
			fputs("</code></td><td class=\"t\">", out);
			put_ml(out, fmt_time(str(a, "created_at"), x));
			fputs("</td><td>", out);
			put_ml(out, str(a, "message"));
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
		if (cJSON_GetArraySize(v->alerts) < v->open_alerts)
			fprintf(out, "<p>The newest %d shown.</p>\n", cJSON_GetArraySize(v->alerts));
	} else {
		fputs("<p>None.</p>\n", out);
	}
	fputs("<footer>lt-regress " LT_VERSION " report, generated ", out);
	put_ml(out, fmt_time(str(v->report, "generated_at"), x));
	fputs(" UTC</footer>\n</body>\n</html>\n", out);
	return LT_OK;
}

/* ---- JUnit ---- */

/* One line for the failure's message attribute, which CI servers show in
 * their lists: "responseTime.p95 critical: 8.771 -> 9.171 ms (+4.6%),
 * q = 0.00042 (bootstrap)". */
static void junit_message(FILE *out, const struct metric_row *r)
{
	char a[32], b[32], c[32], d[32], line[256];

	snprintf(line, sizeof line, "%s %s: %s -> %s %s (%s), q = %s (%s)", r->metric,
		 verdict_word(r->status, r->severity), fmt_value(r->metric, r->baseline, a),
		 fmt_value(r->metric, r->current, b), unit_of(r->metric), fmt_change(r->change_pct, c),
		 fmt_q(r->q_value, d), r->test ? r->test : "threshold");
	put_ml(out, line);
}

static void junit_property(FILE *out, const char *name, const char *value)
{
	fprintf(out, "      <property name=\"%s\" value=\"", name);
	put_ml(out, value ? value : "");
	fputs("\"/>\n", out);
}

/* A test case's properties (as Jenkins and GitLab read them): the trend,
 * change points and forecast of its metric. */
static void junit_analytics(FILE *out, const cJSON *a, const char *metric)
{
	char t[160], c[400], f[160];

	if (!a)
		return;
	describe_trend(a, t, sizeof t);
	describe_changepoints(a, c, sizeof c);
	describe_forecast(a, metric, f, sizeof f);
	fputs("      <properties>\n", out);
	fputs("  ", out);
	junit_property(out, "trend", t);
	fputs("  ", out);
	junit_property(out, "changepoints", c);
	fputs("  ", out);
	junit_property(out, "forecast", f);
	fputs("      </properties>\n", out);
}

static lt_rc render_junit(FILE *out, const struct view *v)
{
	const cJSON *m;
	int tests = 0, failures = 0, skipped = 0;
	char ts[32];

	cJSON_ArrayForEach(m, v->metrics) {
		tests++;
		failures += is_regression(str(m, "status"));
		skipped += same(str(m, "status"), "inconclusive");
	}
	/* timestamp: xs:dateTime without a zone, as the JUnit schema wants it. */
	snprintf(ts, sizeof ts, "%.19s", str(v->report, "checked_at") ? str(v->report, "checked_at") : "");
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"lt-regress\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
		"skipped=\"%d\" time=\"0\">\n", tests, failures, skipped);
	fputs("  <testsuite name=\"lt-regress: ", out);
	put_ml(out, v->scenario_id);
	fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"0\" "
		"timestamp=\"", tests, failures, skipped);
	put_ml(out, ts);
	fputs("\">\n    <properties>\n", out);
	junit_property(out, "scenario_id", v->scenario_id);
	junit_property(out, "scenario_name", v->scenario_name);
	junit_property(out, "environment", v->environment);
	junit_property(out, "status", v->status);
	junit_property(out, "model", str(v->verdict, "model"));
	junit_property(out, "check_id", str(v->verdict, "check_id"));
	junit_property(out, "run_id", v->run_id);
	junit_property(out, "baseline_version", str(v->verdict, "baseline_version"));
	junit_property(out, "baseline_run_id", str(v->verdict, "baseline_run_id"));
	fputs("    </properties>\n", out);
	cJSON_ArrayForEach(m, v->metrics) {
		struct metric_row r;
		char a[32], b[32], c[32], d[32];
		read_metric(m, &r);
		fputs("    <testcase classname=\"", out);
		put_ml(out, v->scenario_id);
		fputs("\" name=\"", out);
		put_ml(out, r.metric);
		fputs("\" time=\"0\">\n", out);
		junit_analytics(out, item(v->analytics, r.metric), r.metric);
		if (is_regression(r.status)) {
			fputs("      <failure message=\"", out);
			junit_message(out, &r);
			fputs("\" type=\"", out);
			put_ml(out, r.severity);
			fprintf(out, "\">baseline %s %s, current %s %s, change %s, q-value %s, test ",
				fmt_value(r.metric, r.baseline, a), unit_of(r.metric),
				fmt_value(r.metric, r.current, b), unit_of(r.metric),
				fmt_change(r.change_pct, c), fmt_q(r.q_value, d));
			put_ml(out, r.test ? r.test : "threshold");
			fputs(", severity ", out);
			put_ml(out, r.severity);
			fputs(", environment ", out);
			put_ml(out, v->environment);
			fputs(", run ", out);
			put_ml(out, v->run_id);
			fputs(" against baseline ", out);
			put_ml(out, baseline_version(v));
			fputs("</failure>\n    </testcase>\n", out);
		} else if (same(r.status, "inconclusive")) {
			fputs("      <skipped message=\"", out);
			put_ml(out, r.reason ? r.reason : "inconclusive");
			fputs("\"/>\n    </testcase>\n", out);
		} else {
			fputs("    </testcase>\n", out);
		}
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return LT_OK;
}

/* ---- rendering ---- */

static lt_rc render_json(FILE *out, const cJSON *report)
{
	char *line = lt_ndjson_encode(report);

	if (!line)
		line = cJSON_PrintUnformatted(report);
	if (!line)
		return LT_ENOMEM;
	fputs(line, out);
	fputc('\n', out);
	free(line);
	return LT_OK;
}

lt_rc lt_report_render(const cJSON *report, enum lt_report_format fmt, FILE *out,
		       struct lt_err *err)
{
	struct view v;
	lt_rc rc;

	if (!out || !read_view(report, &v))
		return lt_err_set(err, LT_EINVAL, "not a report (expected lt_report_build's model)");
	switch (fmt) {
	case LT_REPORT_TEXT: rc = render_text(out, &v); break;
	case LT_REPORT_MARKDOWN: rc = render_markdown(out, &v); break;
	case LT_REPORT_JSON: rc = render_json(out, report); break;
	case LT_REPORT_HTML: rc = render_html(out, &v); break;
	case LT_REPORT_JUNIT: rc = render_junit(out, &v); break;
	default: return lt_err_set(err, LT_EUSAGE, "unknown report format %d", (int)fmt);
	}
	if (rc != LT_OK)
		return lt_err_set(err, rc, "out of memory");
	if (fflush(out) != 0 || ferror(out))
		return lt_err_set(err, LT_EIO, "writing the report: %s", strerror(errno));
	return LT_OK;
}

lt_rc lt_report_write(struct lt_db *db, const char *scenario_id, const char *environment,
		      enum lt_report_format fmt, FILE *out, struct lt_err *err)
{
	cJSON *report = NULL;
	lt_rc rc;

	if ((unsigned)fmt >= N_FORMATS)
		return lt_err_set(err, LT_EUSAGE, "unknown report format %d", (int)fmt);
	if ((rc = lt_report_build(db, scenario_id, environment, &report, err)) != LT_OK)
		return rc;
	rc = lt_report_render(report, fmt, out, err);
	cJSON_Delete(report);
	return rc;
}
