/* regress.c -- regression checks (regress.h has the model). */
#include "regress.h"
#include "hist.h"
#include "notify.h"
#include "ndjson.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

struct lt_regress_config *lt_regress_config_new(void)
{
	struct lt_regress_config *c = calloc(1, sizeof *c);
	const char *name;

	if (!c)
		return NULL;
	for (size_t i = 0; (name = lt_ndjson_metric_name(i)) && c->n_rules < LT_REGRESS_MAX_RULES; i++) {
		struct lt_regress_rule *r = &c->rules[c->n_rules++];
		r->metric = name;
		r->enabled = true;
		r->confidence = 0.95;
		r->method = LT_REGRESS_STATISTICAL;
		r->warning_pct = 10;
		r->critical_pct = 25;
		if (!strcmp(name, "responseTime.min") || !strcmp(name, "responseTime.max")) {
			/* One request's worth of evidence: a single slow answer
			 * doubles max in an unchanged system, so the extremes are
			 * off unless a thresholds document turns them on. */
			r->enabled = false;
			r->method = LT_REGRESS_ABSOLUTE;
			r->warning_pct = 50;
			r->critical_pct = 100;
		} else if (!strcmp(name, "throughput.peak")) {
			r->enabled = false;
			r->method = LT_REGRESS_ABSOLUTE;
			r->warning_pct = 25;
			r->critical_pct = 50;
		} else if (!strcmp(name, "errorRate")) {
			r->warning_pct = 50;
			r->critical_pct = 100;
		}
	}
	c->history_runs = 10;
	c->history_min = 5;
	return c;
}

void lt_regress_config_free(struct lt_regress_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_notify; i++)
		free(c->notify[i]);
	free(c);
}

const struct lt_regress_rule *lt_regress_rule_of(const struct lt_regress_config *c,
						  const char *metric)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (!strcmp(c->rules[i].metric, metric))
			return &c->rules[i];
	return NULL;
}

int lt_regress_direction(const char *metric)
{
	if (!metric)
		return 0;
	if (!strncmp(metric, "responseTime.", 13) || !strcmp(metric, "errorRate"))
		return 1;
	if (!strncmp(metric, "throughput.", 11))
		return -1;
	return 0;
}

static lt_rc bad(struct lt_err *err, const char *name, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static lt_rc bad(struct lt_err *err, const char *name, const char *path, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return lt_err_set(err, LT_EINVAL, "%s: %s: %s", name, path, why);
}

lt_rc lt_regress_rule_parse(const cJSON *v, const char *label, const char *doc,
			    struct lt_regress_rule *r, struct lt_err *err)
{
	struct lt_regress_rule next = *r;
	const cJSON *f;
	char path[512];

	if (!cJSON_IsObject(v))
		return bad(err, doc, label, "expected an object {warning, critical, method, confidence}");
	cJSON_ArrayForEach(f, v) {
		snprintf(path, sizeof path, "%s.%s", label, f->string);
		if (!strcmp(f->string, "warning") || !strcmp(f->string, "critical")) {
			if (!cJSON_IsNumber(f) || !(f->valuedouble > 0) || f->valuedouble > 1e6)
				return bad(err, doc, path, "expected a percentage above 0");
			*(f->string[0] == 'w' ? &next.warning_pct : &next.critical_pct) = f->valuedouble;
		} else if (!strcmp(f->string, "method")) {
			const char *m = cJSON_GetStringValue(f);
			if (m && !strcmp(m, "statistical"))
				next.method = LT_REGRESS_STATISTICAL;
			else if (m && !strcmp(m, "absolute"))
				next.method = LT_REGRESS_ABSOLUTE;
			else
				return bad(err, doc, path, "expected one of statistical, absolute");
		} else if (!strcmp(f->string, "confidence")) {
			if (!cJSON_IsNumber(f) || f->valuedouble < 0.5 || f->valuedouble > 0.9999)
				return bad(err, doc, path, "expected a number from 0.5 to 0.9999");
			next.confidence = f->valuedouble;
		} else if (!strcmp(f->string, "enabled")) {
			if (!cJSON_IsBool(f))
				return bad(err, doc, path, "expected true or false");
			next.enabled = cJSON_IsTrue(f);
		} else {
			return bad(err, doc, path,
				   "unknown field (expected warning, critical, method, confidence, enabled)");
		}
	}
	if (next.warning_pct > next.critical_pct)
		return bad(err, doc, label, "warning (%g) must not be above critical (%g)",
			   next.warning_pct, next.critical_pct);
	*r = next;
	return LT_OK;
}

lt_rc lt_regress_config_apply(struct lt_regress_config *c, const cJSON *json,
			      const char *name, struct lt_err *err)
{
	struct lt_regress_config next = *c;
	const cJSON *item;
	lt_rc rc;

	if (!cJSON_IsObject(json))
		return lt_err_set(err, LT_EINVAL, "%s: expected an object keyed by metric name", name);
	/* Work on a copy without the notify list, so that c is untouched on
	 * failure; the list is copied at the end. */
	next.n_notify = 0;
	char *notify[LT_REGRESS_MAX_NOTIFY];
	size_t n_notify = 0;
	bool notify_given = false;
	cJSON_ArrayForEach(item, json) {
		if (!strcmp(item->string, "notify")) {
			const cJSON *t;
			if (!cJSON_IsArray(item))
				return bad(err, name, "notify", "expected an array of targets");
			notify_given = true;
			cJSON_ArrayForEach(t, item) {
				if (!cJSON_IsString(t) || n_notify == LT_REGRESS_MAX_NOTIFY) {
					for (size_t i = 0; i < n_notify; i++)
						free(notify[i]);
					return bad(err, name, "notify", cJSON_IsString(t)
						   ? "at most 16 targets" : "expected strings like \"slack:URL\"");
				}
				struct lt_notify_target *nt = NULL;
				struct lt_err nerr = {0};
				if (lt_notify_target_parse(t->valuestring, &nt, &nerr) != LT_OK) {
					for (size_t i = 0; i < n_notify; i++)
						free(notify[i]);
					return lt_err_set(err, LT_EINVAL, "%s: notify: %s", name,
							  lt_errmsg(&nerr));
				}
				lt_notify_target_free(nt);
				notify[n_notify++] = lti_strdup(t->valuestring);
			}
			continue;
		}
		if (!strcmp(item->string, "history")) {
			const cJSON *f;
			if (!cJSON_IsObject(item))
				goto bad_history;
			cJSON_ArrayForEach(f, item) {
				if (!cJSON_IsNumber(f) || f->valuedouble < 2 || f->valuedouble > 1000 ||
				    f->valuedouble != floor(f->valuedouble))
					goto bad_history;
				if (!strcmp(f->string, "runs"))
					next.history_runs = (unsigned)f->valuedouble;
				else if (!strcmp(f->string, "minRuns"))
					next.history_min = (unsigned)f->valuedouble;
				else
					goto bad_history;
			}
			continue;
		}
		struct lt_regress_rule *r = NULL;
		for (size_t i = 0; i < next.n_rules; i++)
			if (!strcmp(next.rules[i].metric, item->string))
				r = &next.rules[i];
		if (!r) {
			char list[512] = "";
			const char *m;
			for (size_t i = 0; (m = lt_ndjson_metric_name(i)); i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 i ? ", " : "", m);
			rc = bad(err, name, item->string,
				 "unknown metric (expected one of %s, notify, history)", list);
			goto fail;
		}
		if ((rc = lt_regress_rule_parse(item, r->metric, name, r, err)) != LT_OK)
			goto fail;
	}
	if (next.history_min > next.history_runs) {
		rc = bad(err, name, "history", "minRuns (%u) must not be above runs (%u)",
			 next.history_min, next.history_runs);
		goto fail;
	}
	for (size_t i = 0; i < n_notify; i++)
		if (!notify[i]) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
	if (notify_given) {
		for (size_t i = 0; i < c->n_notify; i++)
			free(c->notify[i]);
		memcpy(next.notify, notify, n_notify * sizeof *notify);
		next.n_notify = n_notify;
	} else {
		memcpy(next.notify, c->notify, c->n_notify * sizeof *c->notify);
		next.n_notify = c->n_notify;
	}
	*c = next;
	return LT_OK;
bad_history:
	rc = bad(err, name, "history", "expected {\"runs\": N, \"minRuns\": M}, whole numbers 2 to 1000");
fail:
	for (size_t i = 0; i < n_notify; i++)
		free(notify[i]);
	return rc;
}

cJSON *lt_regress_config_to_json(const struct lt_regress_config *c)
{
	cJSON *j = cJSON_CreateObject(), *h, *n;

	if (!j)
		return NULL;
	for (size_t i = 0; i < c->n_rules; i++) {
		const struct lt_regress_rule *r = &c->rules[i];
		cJSON *o = cJSON_AddObjectToObject(j, r->metric);
		if (!o)
			goto fail;
		cJSON_AddNumberToObject(o, "warning", r->warning_pct);
		cJSON_AddNumberToObject(o, "critical", r->critical_pct);
		cJSON_AddStringToObject(o, "method",
					r->method == LT_REGRESS_STATISTICAL ? "statistical" : "absolute");
		cJSON_AddNumberToObject(o, "confidence", r->confidence);
		cJSON_AddBoolToObject(o, "enabled", r->enabled);
	}
	if (!(n = cJSON_AddArrayToObject(j, "notify")) || !(h = cJSON_AddObjectToObject(j, "history")))
		goto fail;
	for (size_t i = 0; i < c->n_notify; i++)
		cJSON_AddItemToArray(n, cJSON_CreateString(c->notify[i]));
	cJSON_AddNumberToObject(h, "runs", c->history_runs);
	cJSON_AddNumberToObject(h, "minRuns", c->history_min);
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

cJSON *lt_regress_metrics_of(const cJSON *summary)
{
	cJSON *m = cJSON_CreateObject();
	const char *name;
	double v;

	for (size_t i = 0; m && (name = lt_ndjson_metric_name(i)); i++)
		if (lt_ndjson_metric(summary, name, &v) == LT_OK && isfinite(v))
			cJSON_AddNumberToObject(m, name, v);
	return m;
}

/* ---- the data of one run ---- */

/* The per-second series a run contributes to the baseline-run model. */
enum { SERIES_MEAN, SERIES_P50, SERIES_P90, SERIES_P95, SERIES_P99, SERIES_RPS, N_SERIES };

struct run_data {
	struct lt_db_run *run;
	double *series[6];            /* per steady second: SERIES_* */
	size_t n;
	uint64_t requests, errors;
	struct lt_hist *hist;         /* steady phase */
};

static void run_data_free(struct run_data *d)
{
	lt_db_run_free(d->run);
	for (int i = 0; i < N_SERIES; i++)
		free(d->series[i]);
	lt_hist_free(d->hist);
	memset(d, 0, sizeof *d);
}

static lt_rc add_sample(const struct lt_db_sample *s, void *ctx)
{
	struct run_data *d = ctx;
	if (s->phase && strcmp(s->phase, "steady") != 0)
		return LT_OK;
	if (!isfinite(s->rps))
		return LT_OK;
	for (int i = 0; i < N_SERIES; i++) {
		double *a = realloc(d->series[i], (d->n + 1) * sizeof *a);
		if (!a)
			return LT_ENOMEM;
		d->series[i] = a;
	}
	/* A second without answers has no latency: leave it out of the
	 * latency series (it still counts for throughput). */
	bool answered = s->requests > 0;
	d->series[SERIES_MEAN][d->n] = answered ? s->latency_ms.mean : NAN;
	d->series[SERIES_P50][d->n] = answered ? s->latency_ms.p50 : NAN;
	d->series[SERIES_P90][d->n] = answered ? s->latency_ms.p90 : NAN;
	d->series[SERIES_P95][d->n] = answered ? s->latency_ms.p95 : NAN;
	d->series[SERIES_P99][d->n] = answered ? s->latency_ms.p99 : NAN;
	d->series[SERIES_RPS][d->n] = s->rps;
	d->n++;
	return LT_OK;
}

static lt_rc load_run(struct lt_db *db, const char *run_id, struct run_data *d,
		      struct lt_err *err)
{
	lt_rc rc;

	memset(d, 0, sizeof *d);
	if ((rc = lt_db_run_get(db, run_id, &d->run, err)) != LT_OK)
		return rc;
	if ((rc = lt_db_samples_each(db, d->run->run_id, add_sample, d, err)) != LT_OK) {
		if (rc == LT_ENOMEM)
			lt_err_set(err, rc, "out of memory");
		return rc;
	}
	if (d->run->summary) {
		lt_ndjson_get_count(d->run->summary, "requests", &d->requests);
		lt_ndjson_get_count(d->run->summary, "errors", &d->errors);
		rc = lt_ndjson_get_hist(d->run->summary, "hist", &d->hist, err);
		if (rc == LT_ENOTFOUND)
			rc = LT_OK;
	}
	return rc;
}

/* Finite values of x[0..n) into out; returns how many. */
static size_t finite_only(const double *x, size_t n, double *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			out[k++] = x[i];
	return k;
}

/* ---- judging one metric ---- */

struct judged {
	const char *metric;
	double baseline, current, change_pct, worse_pct;
	const char *test;        /* NULL: magnitude only */
	double p, q, effect;
	size_t history_runs;
	const char *status;      /* "ok", "regression", "improvement", "inconclusive" */
	const char *severity;    /* "none", "warning", "critical" */
	const char *reason;
};

/* The per-second series that stands for metric, or -1. */
static int series_of(const char *metric)
{
	static const struct { const char *name; int series; } map[] = {
		{"responseTime.mean", SERIES_MEAN}, {"responseTime.p50", SERIES_P50},
		{"responseTime.p90", SERIES_P90}, {"responseTime.p95", SERIES_P95},
		{"responseTime.p99", SERIES_P99}, {"throughput.avg", SERIES_RPS},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(map[i].name, metric))
			return map[i].series;
	return -1;
}

/* The one-sided p-value of the baseline-run model for metric; sets
 * j->test and j->effect; false when the data cannot decide.
 *
 * Latency and throughput are tested on the per-second values of the
 * steady phase, Welch's t-test of the two runs' seconds.  The requests of
 * one second are not independent (a hiccup of the machine slows dozens
 * of them at once), so a test over requests -- a bootstrap of the two
 * histograms, tried first -- took a tail burst of two seconds for a
 * certain change (q = 1e-121 in an A/A run) while the seconds said
 * "not significant".  The second is the unit of evidence. */
static bool test_baseline_run(struct judged *j, const struct run_data *cur,
			      const struct run_data *base, int direction)
{
	struct lt_err e = {0};
	int k = series_of(j->metric);

	if (k >= 0) {
		double *a = malloc((cur->n + 1) * sizeof *a), *b = malloc((base->n + 1) * sizeof *b);
		struct lt_stats_welch w;
		bool ok = false;
		if (a && b) {
			size_t na = finite_only(cur->series[k], cur->n, a);
			size_t nb = finite_only(base->series[k], base->n, b);
			if (na >= LT_REGRESS_MIN_SECONDS && nb >= LT_REGRESS_MIN_SECONDS &&
			    lt_stats_welch(a, na, b, nb, 0.95, &w, &e) == LT_OK) {
				j->test = "welch";
				j->p = direction > 0 ? w.p.greater : w.p.less;
				j->effect = w.hedges_g;
				ok = true;
			}
		}
		free(a);
		free(b);
		return ok;
	}
	if (!strcmp(j->metric, "errorRate")) {
		double n1 = (double)cur->requests, n0 = (double)base->requests;
		if (n1 < LT_REGRESS_MIN_REQUESTS || n0 < LT_REGRESS_MIN_REQUESTS)
			return false;
		double p1 = cur->errors / n1, p0 = base->errors / n0;
		double pool = (cur->errors + base->errors) / (n1 + n0);
		double se = sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0));
		double z = se > 0 ? (p1 - p0) / se : 0;
		j->test = "two-proportion";
		j->p = gsl_cdf_ugaussian_Q(z);
		j->effect = z;
		return true;
	}
	return false;
}

static bool test_history(struct judged *j, struct lt_db *db, const char *scenario,
			 const char *env, const char *run_id, const struct lt_regress_config *cfg,
			 int direction)
{
	struct lt_db_series *s = NULL;
	struct lt_err e = {0};
	struct lt_stats_score sc;
	bool ok = false;

	if (lt_db_metric_runs(db, scenario, env, j->metric, run_id, cfg->history_runs, &s, &e) != LT_OK)
		return false;
	j->history_runs = s->n;
	if (s->n >= cfg->history_min) {
		double *v = malloc(s->n * sizeof *v);
		if (v) {
			for (size_t i = 0; i < s->n; i++)
				v[i] = s->points[i].value;
			if (lt_stats_score(v, s->n, j->current, &sc, &e) == LT_OK) {
				j->test = "history-t";
				j->p = direction > 0 ? sc.p_t.greater : sc.p_t.less;
				j->effect = sc.t;
				ok = true;
			}
			free(v);
		}
	}
	lt_db_series_free(s);
	return ok;
}

static cJSON *judged_json(const struct judged *j, const struct lt_regress_rule *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "metric", j->metric);
#define NUM_OR_NULL(k, v) (isfinite(v) ? cJSON_AddNumberToObject(o, k, round((v) * 1e6) / 1e6) \
					: cJSON_AddNullToObject(o, k))
	NUM_OR_NULL("baseline", j->baseline);
	NUM_OR_NULL("current", j->current);
	NUM_OR_NULL("change_pct", j->change_pct);
	NUM_OR_NULL("worse_pct", j->worse_pct);
	cJSON_AddStringToObject(o, "method", r->method == LT_REGRESS_STATISTICAL ? "statistical" : "absolute");
	if (j->test)
		cJSON_AddStringToObject(o, "test", j->test);
	else
		cJSON_AddNullToObject(o, "test");
	if (j->test) {
		/* p and q unrounded: 1e-9 and 0 are different findings. */
		cJSON_AddNumberToObject(o, "p_value", j->p);
		if (isfinite(j->q))
			cJSON_AddNumberToObject(o, "q_value", j->q);
		else
			cJSON_AddNullToObject(o, "q_value");
		NUM_OR_NULL("effect", j->effect);
	} else {
		cJSON_AddNullToObject(o, "p_value");
		cJSON_AddNullToObject(o, "q_value");
		cJSON_AddNullToObject(o, "effect");
	}
#undef NUM_OR_NULL
	cJSON_AddNumberToObject(o, "warning_pct", r->warning_pct);
	cJSON_AddNumberToObject(o, "critical_pct", r->critical_pct);
	cJSON_AddNumberToObject(o, "history_runs", (double)j->history_runs);
	cJSON_AddStringToObject(o, "severity", j->severity);
	cJSON_AddStringToObject(o, "status", j->status);
	if (j->reason)
		cJSON_AddStringToObject(o, "reason", j->reason);
	return o;
}

static cJSON *make_alert(const struct judged *j, const char *scenario, const char *run_id,
			 struct lt_err *err)
{
	char id[LTI_UUID_LEN], msg[512];
	cJSON *rec = NULL;
	const char *unit = !strncmp(j->metric, "responseTime.", 13) ? " ms"
			   : !strncmp(j->metric, "throughput.", 11) ? " req/s" : " %";

	lti_uuid(id);
	if (j->test)
		snprintf(msg, sizeof msg, "%s %s %.1f %% (%g%s -> %g%s), p = %.2g (%s)", j->metric,
			 j->change_pct >= 0 ? "rose" : "fell", fabs(j->change_pct), j->baseline, unit,
			 j->current, unit, j->q, j->test);
	else
		snprintf(msg, sizeof msg, "%s %s %.1f %% (%g%s -> %g%s)", j->metric,
			 j->change_pct >= 0 ? "rose" : "fell", fabs(j->change_pct), j->baseline, unit,
			 j->current, unit);
	struct lt_ndjson_alert in = {
		.alert_id = id, .scenario_id = scenario, .run_id = run_id, .metric = j->metric,
		.baseline = j->baseline, .current = j->current,
		.change_pct = isfinite(j->change_pct) ? j->change_pct : 0,
		.p_value = j->test ? j->q : NAN,
		.method = j->test ? j->test : "threshold",
		.severity = j->severity, .message = msg,
	};
	if (lt_ndjson_build_alert(&in, &rec, err) != LT_OK)
		return NULL;
	return rec;
}

static const char *run_environment(const struct lt_db_run *r)
{
	const char *env = lt_ndjson_get_str(r->config, "options.environment");
	return env && *env ? env : "default";
}

lt_rc lt_regress_check(struct lt_db *db, const char *run_id, const char *environment,
		       const struct lt_regress_config *cfg, cJSON **verdict,
		       cJSON ***alerts_out, size_t *n_alerts, struct lt_err *err)
{
	struct run_data cur = {0}, base = {0};
	struct judged js[LT_REGRESS_MAX_RULES];
	cJSON *baseline = NULL, *v = NULL, **alerts = NULL, *list;
	size_t n_js = 0, n_alerts_made = 0;
	const char *scenario, *env, *inconclusive = NULL;
	lt_rc rc;

	if ((rc = load_run(db, run_id, &cur, err)) != LT_OK)
		goto out;
	if (!(scenario = cur.run->scenario_id)) {
		rc = lt_err_set(err, LT_EINVAL, "run %s has no scenario id to find a baseline by",
				cur.run->run_id);
		goto out;
	}
	env = environment && *environment ? environment : run_environment(cur.run);
	if ((rc = lt_db_run_set_environment(db, cur.run->run_id, env, err)) != LT_OK ||
	    (rc = lt_db_baseline_get(db, scenario, env, NULL, &baseline, err)) != LT_OK)
		goto out;
	const char *base_run = lt_ndjson_get_str(baseline, "run_id");
	if (!base_run) {
		rc = lt_err_set(err, LT_EINVAL, "the baseline of %s (%s) has lost its run: set it again",
				scenario, env);
		goto out;
	}
	if ((rc = load_run(db, base_run, &base, err)) != LT_OK) {
		lt_err_prefix(err, "baseline run");
		goto out;
	}
	if (strcmp(cur.run->status, "complete") != 0)
		inconclusive = "the run is not complete (interrupted or cut off)";
	else if (!cur.run->summary)
		inconclusive = "the run has no summary";
	else if (cur.n < LT_REGRESS_MIN_SECONDS || cur.requests < LT_REGRESS_MIN_REQUESTS)
		inconclusive = "the run is too short to judge (fewer than 3 steady seconds or 30 requests)";
	else if (base.n < LT_REGRESS_MIN_SECONDS || base.requests < LT_REGRESS_MIN_REQUESTS)
		inconclusive = "the baseline run is too short to judge";

	const cJSON *bm = lt_ndjson_get(baseline, "metrics");
	bool history_model = false;
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const struct lt_regress_rule *r = &cfg->rules[i];
		struct judged *j = &js[n_js];
		int dir = lt_regress_direction(r->metric);
		if (!r->enabled)
			continue;
		memset(j, 0, sizeof *j);
		n_js++;
		j->metric = r->metric;
		j->baseline = j->current = j->change_pct = j->worse_pct = j->q = j->effect = NAN;
		j->p = NAN;
		j->status = "ok";
		j->severity = "none";
		/* Metric names hold dots: look them up as keys, not paths. */
		const cJSON *bv = cJSON_GetObjectItemCaseSensitive(bm, r->metric);
		if (cJSON_IsNumber(bv))
			j->baseline = bv->valuedouble;
		if (!cJSON_IsNumber(bv) ||
		    !cur.run->summary || lt_ndjson_metric(cur.run->summary, r->metric, &j->current) != LT_OK) {
			j->status = "inconclusive";
			j->reason = "the metric is missing from the run or the baseline";
			continue;
		}
		if (j->baseline != 0)
			j->change_pct = 100 * (j->current - j->baseline) / fabs(j->baseline);
		else
			j->change_pct = j->current == 0 ? 0 : (j->current > 0 ? INFINITY : -INFINITY);
		j->worse_pct = dir * j->change_pct;
		if (inconclusive) {
			j->status = "inconclusive";
			j->reason = inconclusive;
			continue;
		}
		if (r->method != LT_REGRESS_STATISTICAL || !strcmp(r->metric, "responseTime.min") ||
		    !strcmp(r->metric, "responseTime.max") || !strcmp(r->metric, "throughput.peak"))
			continue;
		if (test_history(j, db, scenario, env, cur.run->run_id, cfg, dir))
			history_model = true;
		else if (!test_baseline_run(j, &cur, &base, dir)) {
			j->status = "inconclusive";
			j->reason = "too few samples for the statistical test";
		}
	}

	/* Benjamini-Hochberg over the tests of this verdict. */
	double p[LT_REGRESS_MAX_RULES], q[LT_REGRESS_MAX_RULES];
	size_t idx[LT_REGRESS_MAX_RULES], m = 0;
	for (size_t i = 0; i < n_js; i++)
		if (js[i].test) {
			idx[m] = i;
			p[m++] = js[i].p < 0 ? 0 : js[i].p > 1 ? 1 : js[i].p;
		}
	if (m && lt_stats_bh_adjust(p, m, q, err) != LT_OK) {
		rc = err->rc;
		goto out;
	}
	for (size_t k = 0; k < m; k++)
		js[idx[k]].q = q[k];

	if (!(alerts = calloc(n_js + 1, sizeof *alerts))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	bool any_warning = false, any_critical = false, any_decided = false;
	for (size_t i = 0; i < n_js; i++) {
		struct judged *j = &js[i];
		const struct lt_regress_rule *r = lt_regress_rule_of(cfg, j->metric);
		if (!strcmp(j->status, "inconclusive"))
			continue;
		any_decided = true;
		bool significant = !j->test || j->q <= 1 - r->confidence;
		if (r->method == LT_REGRESS_STATISTICAL && !j->test &&
		    (strcmp(j->metric, "responseTime.min") && strcmp(j->metric, "responseTime.max") &&
		     strcmp(j->metric, "throughput.peak")))
			significant = false;
		if (j->worse_pct >= r->critical_pct)
			j->severity = "critical";
		else if (j->worse_pct >= r->warning_pct)
			j->severity = "warning";
		if (strcmp(j->severity, "none") != 0 && significant) {
			j->status = "regression";
			any_critical |= j->severity[0] == 'c';
			any_warning |= j->severity[0] == 'w';
			if (!(alerts[n_alerts_made] = make_alert(j, scenario, cur.run->run_id, err))) {
				rc = err->rc ? err->rc : LT_ENOMEM;
				goto out;
			}
			n_alerts_made++;
		} else {
			if (strcmp(j->severity, "none") != 0)
				j->reason = "a change of that size, but not significant";
			j->severity = "none";
			/* An improvement is judged on the other tail of the same
			 * test: the one-sided p toward better is 1 - p. */
			bool better = !j->test || (1 - j->p) <= 1 - r->confidence;
			if (j->worse_pct <= -r->warning_pct && better)
				j->status = "improvement";
		}
	}

	char check_id[LTI_UUID_LEN], now[LTI_TIME_LEN];
	lti_uuid(check_id);
	lti_time_format(lti_time_now(), now);
	const char *status = any_critical ? "critical" : any_warning ? "warning"
			     : (inconclusive || !any_decided) ? "inconclusive" : "pass";
	if (!(v = cJSON_CreateObject()) || !(list = cJSON_CreateArray())) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_AddStringToObject(v, "type", "verdict");
	cJSON_AddNumberToObject(v, "v", 1);
	cJSON_AddStringToObject(v, "check_id", check_id);
	cJSON_AddStringToObject(v, "scenario_id", scenario);
	cJSON_AddStringToObject(v, "run_id", cur.run->run_id);
	cJSON_AddStringToObject(v, "environment", env);
	cJSON_AddItemToObject(v, "baseline_id",
			      cJSON_Duplicate(lt_ndjson_get(baseline, "baseline_id"), 1));
	cJSON_AddStringToObject(v, "baseline_run_id", base_run);
	cJSON_AddItemToObject(v, "baseline_version",
			      cJSON_Duplicate(lt_ndjson_get(baseline, "version"), 1));
	cJSON_AddStringToObject(v, "model", history_model ? "history" : "baseline-run");
	cJSON_AddStringToObject(v, "status", status);
	if (!strcmp(status, "inconclusive"))
		cJSON_AddStringToObject(v, "reason", inconclusive ? inconclusive
								 : "no metric could be judged");
	cJSON_AddItemToObject(v, "metrics", list);
	for (size_t i = 0; i < n_js; i++) {
		cJSON *o = judged_json(&js[i], lt_regress_rule_of(cfg, js[i].metric));
		if (!o) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto out;
		}
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(v, "alerts", (double)n_alerts_made);
	cJSON_AddStringToObject(v, "created_at", now);
	*verdict = v;
	*alerts_out = alerts;
	*n_alerts = n_alerts_made;
	v = NULL;
	alerts = NULL;
	rc = LT_OK;
out:
	if (alerts) {
		for (size_t i = 0; i < n_alerts_made; i++)
			cJSON_Delete(alerts[i]);
		free(alerts);
	}
	cJSON_Delete(v);
	cJSON_Delete(baseline);
	run_data_free(&cur);
	run_data_free(&base);
	return rc;
}

/* ---- lt-regress stat: the statistics as composable primitives ---- */

lt_rc lt_regress_read_numbers(FILE *f, const char *name, const char *field, double **out,
			      size_t *n_out, struct lt_err *err)
{
	char *line = NULL;
	size_t cap = 0, n = 0, room = 0;
	unsigned long lineno = 0;
	double *v = NULL;
	ssize_t len;
	lt_rc rc = LT_OK;

	while ((len = getline(&line, &cap, f)) >= 0) {
		double x;
		char *end;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (field) {
			cJSON *rec = cJSON_Parse(p);
			bool ok = rec && lt_ndjson_get_num(rec, field, &x);
			cJSON_Delete(rec);
			if (!rec) {
				rc = lt_err_set(err, LT_EINVAL, "%s:%lu: not a JSON line", name, lineno);
				break;
			}
			if (!ok)
				continue; /* records without the field (other types) */
		} else {
			x = strtod(p, &end);
			while (*end == ' ' || *end == '\t')
				end++;
			if (end == p || *end) {
				rc = lt_err_set(err, LT_EINVAL, "%s:%lu: not a number: \"%.40s\"", name,
						lineno, p);
				break;
			}
		}
		if (!isfinite(x)) {
			rc = lt_err_set(err, LT_EINVAL, "%s:%lu: %s is not a finite number", name,
					lineno, p);
			break;
		}
		if (n == room) {
			room = room ? 2 * room : 256;
			double *grown = realloc(v, room * sizeof *v);
			if (!grown) {
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
				break;
			}
			v = grown;
		}
		v[n++] = x;
	}
	free(line);
	if (rc == LT_OK && ferror(f))
		rc = lt_err_set(err, LT_EIO, "%s: read error", name);
	if (rc == LT_OK && n == 0)
		rc = lt_err_set(err, LT_EINVAL, "%s: no numbers%s%s", name, field ? " in field " : "",
				field ? field : "");
	if (rc != LT_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n_out = n;
	return LT_OK;
}

static void add_p(cJSON *o, const struct lt_stats_p *p)
{
	cJSON_AddNumberToObject(o, "p_value", p->two_sided);
	cJSON_AddNumberToObject(o, "p_greater", p->greater);
	cJSON_AddNumberToObject(o, "p_less", p->less);
}

lt_rc lt_regress_stat(const char *method, const double *a, size_t na, const double *b,
		      size_t nb, double alpha, cJSON **out, struct lt_err *err)
{
	cJSON *o = cJSON_CreateObject();
	lt_rc rc = LT_OK;

	if (!o)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	cJSON_AddStringToObject(o, "method", method);
	if (!strcmp(method, "welch")) {
		struct lt_stats_welch w;
		if ((rc = lt_stats_welch(a, na, b, nb, 0.95, &w, err)) == LT_OK) {
			cJSON_AddNumberToObject(o, "statistic", w.t);
			cJSON_AddNumberToObject(o, "df", w.df);
			add_p(o, &w.p);
			cJSON_AddNumberToObject(o, "mean_a", w.mean_a);
			cJSON_AddNumberToObject(o, "mean_b", w.mean_b);
			cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(w.ci_low));
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(w.ci_high));
			cJSON_AddNumberToObject(o, "hedges_g", w.hedges_g);
		}
	} else if (!strcmp(method, "mannwhitney")) {
		struct lt_stats_mw m;
		if ((rc = lt_stats_mann_whitney(a, na, b, nb, &m, err)) == LT_OK) {
			cJSON_AddNumberToObject(o, "u", m.u);
			cJSON_AddNumberToObject(o, "z", m.z);
			add_p(o, &m.p);
			cJSON_AddNumberToObject(o, "prob_superiority", m.prob_superiority);
		}
	} else if (!strcmp(method, "mannkendall")) {
		struct lt_stats_mk m;
		if ((rc = lt_stats_mann_kendall(a, na, &m, err)) == LT_OK) {
			cJSON_AddNumberToObject(o, "n", (double)m.n);
			cJSON_AddNumberToObject(o, "s", m.s);
			cJSON_AddNumberToObject(o, "var_s", m.var_s);
			cJSON_AddNumberToObject(o, "z", m.z);
			add_p(o, &m.p);
			cJSON_AddNumberToObject(o, "tau", m.tau);
			cJSON_AddStringToObject(o, "trend", m.p.two_sided > alpha ? "none"
						 : m.s > 0 ? "increasing" : "decreasing");
		}
	} else if (!strcmp(method, "sen")) {
		struct lt_stats_sen s;
		if ((rc = lt_stats_sen(NULL, a, na, 0.95, &s, err)) == LT_OK) {
			cJSON_AddNumberToObject(o, "slope", s.slope);
			cJSON_AddNumberToObject(o, "intercept", s.intercept);
			cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.ci_low));
			cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.ci_high));
		}
	} else if (!strcmp(method, "pearson") || !strcmp(method, "spearman")) {
		struct lt_stats_corr c;
		if (na != nb)
			rc = lt_err_set(err, LT_EINVAL, "%s needs two series of the same length, got %zu and %zu",
					method, na, nb);
		else if ((rc = (method[0] == 'p' ? lt_stats_pearson : lt_stats_spearman)(a, b, na, &c, err)) == LT_OK) {
			cJSON_AddNumberToObject(o, method[0] == 'p' ? "r" : "rho", c.r);
			cJSON_AddNumberToObject(o, "t", isfinite(c.t) ? c.t : (c.t > 0 ? 1e308 : -1e308));
			cJSON_AddNumberToObject(o, "df", c.df);
			add_p(o, &c.p);
		}
	} else if (!strcmp(method, "bh")) {
		double *q = malloc(na * sizeof *q);
		bool *rej = malloc(na * sizeof *rej);
		size_t k = 0;
		if (!q || !rej)
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		else if ((rc = lt_stats_bh_adjust(a, na, q, err)) == LT_OK &&
			 (rc = lt_stats_bh_reject(a, na, alpha, rej, &k, err)) == LT_OK) {
			cJSON *adj = cJSON_AddArrayToObject(o, "adjusted");
			cJSON *r = cJSON_AddArrayToObject(o, "rejected");
			for (size_t i = 0; i < na; i++) {
				cJSON_AddItemToArray(adj, cJSON_CreateNumber(q[i]));
				cJSON_AddItemToArray(r, cJSON_CreateBool(rej[i]));
			}
			cJSON_AddNumberToObject(o, "alpha", alpha);
			cJSON_AddNumberToObject(o, "n_rejected", (double)k);
		}
		free(q);
		free(rej);
	} else if (!strcmp(method, "describe")) {
		struct lt_stats_desc d;
		if ((rc = lt_stats_describe(a, na, &d, err)) == LT_OK) {
			double p50 = d.median;
			cJSON_AddNumberToObject(o, "n", (double)d.n);
			cJSON_AddNumberToObject(o, "mean", d.mean);
			cJSON_AddNumberToObject(o, "stddev", d.stddev);
			cJSON_AddNumberToObject(o, "min", d.min);
			cJSON_AddNumberToObject(o, "p50", p50);
			cJSON_AddNumberToObject(o, "p95", d.p95);
			cJSON_AddNumberToObject(o, "p99", d.p99);
			cJSON_AddNumberToObject(o, "max", d.max);
		}
	} else {
		rc = lt_err_set(err, LT_EUSAGE,
				"unknown method \"%s\" (expected welch, mannwhitney, mannkendall, sen, "
				"pearson, spearman, bh or describe)", method);
	}
	if (rc != LT_OK) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return LT_OK;
}

int lt_regress_stat_inputs(const char *method)
{
	static const char *const two[] = {"welch", "mannwhitney", "pearson", "spearman"};
	for (size_t i = 0; i < sizeof two / sizeof *two; i++)
		if (!strcmp(method, two[i]))
			return 2;
	return 1;
}

/* ---- notifications ---- */

lt_rc lt_regress_notify(const char *const *specs, size_t n, const cJSON *verdict,
			cJSON *const *alerts, size_t n_alerts, FILE *console,
			lt_regress_notify_fn report, void *ctx, struct lt_err *err)
{
	struct lt_notify_target **targets = calloc(n ? n : 1, sizeof *targets);
	struct lt_notify_result *results = calloc(n ? n : 1, sizeof *results);
	cJSON *list = cJSON_CreateArray();
	char title[256], text[512];
	lt_rc rc = LT_OK;
	size_t made = 0;

	if (!targets || !results || !list) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	for (; made < n; made++)
		if ((rc = lt_notify_target_parse(specs[made], &targets[made], err)) != LT_OK)
			goto out;
	for (size_t i = 0; i < n_alerts; i++)
		cJSON_AddItemReferenceToArray(list, alerts[i]);
	const char *status = lt_ndjson_get_str(verdict, "status");
	const char *scenario = lt_ndjson_get_str(verdict, "scenario_id");
	snprintf(title, sizeof title, "%s: %zu regression%s (%s)", scenario ? scenario : "?", n_alerts,
		 n_alerts == 1 ? "" : "s", status);
	snprintf(text, sizeof text, "Run %s compared with baseline %s (%s), model %s.",
		 lt_ndjson_get_str(verdict, "run_id"),
		 lt_ndjson_get_str(verdict, "baseline_version") &&
				 *lt_ndjson_get_str(verdict, "baseline_version")
			 ? lt_ndjson_get_str(verdict, "baseline_version") : "(unversioned)",
		 lt_ndjson_get_str(verdict, "environment"), lt_ndjson_get_str(verdict, "model"));
	struct lt_notify_event ev = {
		.kind = LT_NOTIFY_REGRESSION,
		.severity = status && !strcmp(status, "critical") ? LT_NOTIFY_CRITICAL : LT_NOTIFY_WARNING,
		.title = title,
		.text = text,
		.scenario_id = scenario,
		.run_id = lt_ndjson_get_str(verdict, "run_id"),
		.alerts = list,
		.event_id = lt_ndjson_get_str(verdict, "check_id"),
	};
	struct lt_notify_options opts = {.console = console};
	lt_notify_send_all(targets, n, &ev, &opts, results);
	for (size_t i = 0; report && i < n; i++)
		report(results[i].target, &results[i].err, ctx);
out:
	lt_notify_targets_free(targets, made);
	free(results);
	cJSON_Delete(list);
	return rc;
}

/* ---- the seed's run options: saveBaseline, compareBaseline ---- */

lt_rc lt_regress_run_options(struct lt_db *db, const char *run_id, bool compare, bool save,
			     const char *environment, const char *version,
			     const struct lt_regress_config *cfg, struct lt_regress_outcome *out,
			     struct lt_err *err)
{
	struct lt_db_run *run = NULL;
	cJSON *metrics = NULL;
	lt_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = lt_db_run_get(db, run_id, &run, err)) != LT_OK)
		return rc;
	const char *env = environment && *environment ? environment : run_environment(run);
	if (compare) {
		rc = lt_regress_check(db, run->run_id, env, cfg, &out->verdict, &out->alerts,
				      &out->n_alerts, err);
		if (rc == LT_ENOTFOUND && save) {
			/* The first run of a scenario has nothing to be compared
			 * with; it becomes the baseline below. */
			out->no_baseline = true;
			rc = LT_OK;
		} else if (rc == LT_OK) {
			rc = lt_db_check_record(db, out->verdict, out->alerts, out->n_alerts, err);
		}
		if (rc != LT_OK)
			goto out;
	}
	if (save) {
		if (strcmp(run->status, "complete") != 0 || !run->summary) {
			rc = lt_err_set(err, LT_EINVAL,
					"run %s is %s: only a complete run becomes a baseline",
					run->run_id, run->status);
			goto out;
		}
		if (!(metrics = lt_regress_metrics_of(run->summary))) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = lt_db_run_set_environment(db, run->run_id, env, err)) != LT_OK ||
		    (rc = lt_db_baseline_set(db, run->scenario_id, env, version, run->run_id, metrics,
					     "saveBaseline", &out->baseline_id, err)) != LT_OK)
			goto out;
		out->saved = true;
	}
out:
	cJSON_Delete(metrics);
	lt_db_run_free(run);
	return rc;
}

void lt_regress_outcome_clear(struct lt_regress_outcome *o)
{
	for (size_t i = 0; i < o->n_alerts; i++)
		cJSON_Delete(o->alerts[i]);
	free(o->alerts);
	cJSON_Delete(o->verdict);
	memset(o, 0, sizeof *o);
}
