/* benchcheck.c -- regression checks of benchmark results (bench records).
 *
 * The model is benchcheck.h's; the statistics are stats.h's (Welch,
 * Benjamini-Hochberg), the storage db.h's (baselines keyed by the
 * pseudo-scenario "bench:<suite>/<name>").  Nothing here prints.
 */
#include "benchcheck.h"

#include "ndjson.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

static void rule_defaults(struct lt_benchcheck_rule *r)
{
	r->enabled = true;
	r->warning_pct = 10;
	r->critical_pct = 25;
	r->method = LT_REGRESS_STATISTICAL;
	r->confidence = 0.95;
}

struct lt_benchcheck_config *lt_benchcheck_config_new(void)
{
	struct lt_benchcheck_config *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (!(c->rules[0].name = lti_strdup("bench"))) {
		free(c);
		return NULL;
	}
	rule_defaults(&c->rules[0]);
	c->n_rules = 1;
	c->history_runs = 10;
	c->history_min = 5;
	return c;
}

void lt_benchcheck_config_free(struct lt_benchcheck_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i].name);
	free(c);
}

static bool is_bench_key(const char *key)
{
	return key && (!strcmp(key, "bench") || (!strncmp(key, "bench:", 6) && key[6]));
}

/* A bench rule is a regression rule under another name: parse it with
 * regress's parser (one set of fields, one set of messages). */
static lt_rc apply_rule(struct lt_benchcheck_rule *r, const cJSON *v, const char *doc,
			struct lt_err *err)
{
	struct lt_regress_rule rr = {
		.metric = r->name, .enabled = r->enabled, .warning_pct = r->warning_pct,
		.critical_pct = r->critical_pct, .method = r->method, .confidence = r->confidence,
	};
	lt_rc rc = lt_regress_rule_parse(v, r->name, doc, &rr, err);

	if (rc == LT_OK) {
		r->enabled = rr.enabled;
		r->warning_pct = rr.warning_pct;
		r->critical_pct = rr.critical_pct;
		r->method = rr.method;
		r->confidence = rr.confidence;
	}
	return rc;
}

lt_rc lt_benchcheck_config_apply(struct lt_benchcheck_config *c, const cJSON *json,
				 const char *name, struct lt_err *err)
{
	struct lt_benchcheck_config next;
	const cJSON *item;
	lt_rc rc = LT_OK;

	if (!cJSON_IsObject(json))
		return lt_err_set(err, LT_EINVAL, "%s: expected an object keyed by metric name", name);
	/* Work on a deep copy, so that c is untouched on failure. */
	memset(&next, 0, sizeof next);
	next.history_runs = c->history_runs;
	next.history_min = c->history_min;
	for (size_t i = 0; i < c->n_rules; i++) {
		next.rules[i] = c->rules[i];
		if (!(next.rules[i].name = lti_strdup(c->rules[i].name))) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto fail;
		}
		next.n_rules = i + 1;
	}
	/* "history" is the one of regress.h, parsed by its parser. */
	if ((item = cJSON_GetObjectItemCaseSensitive(json, "history"))) {
		struct lt_regress_config *tmp = lt_regress_config_new();
		cJSON *only = cJSON_CreateObject();
		if (!tmp || !only || !cJSON_AddItemToObject(only, "history", cJSON_Duplicate(item, 1)))
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		else if ((rc = lt_regress_config_apply(tmp, only, name, err)) == LT_OK) {
			next.history_runs = tmp->history_runs;
			next.history_min = tmp->history_min;
		}
		lt_regress_config_free(tmp);
		cJSON_Delete(only);
		if (rc != LT_OK)
			goto fail;
	}
	/* "bench" first: per-benchmark rules start from it, wherever the
	 * document puts it. */
	if ((item = cJSON_GetObjectItemCaseSensitive(json, "bench")) &&
	    (rc = apply_rule(&next.rules[0], item, name, err)) != LT_OK)
		goto fail;
	cJSON_ArrayForEach(item, json) {
		if (!is_bench_key(item->string) || !strcmp(item->string, "bench"))
			continue;
		size_t k;
		for (k = 1; k < next.n_rules; k++)
			if (!strcmp(next.rules[k].name, item->string))
				break;
		if (k == next.n_rules) {
			if (k == LT_BENCHCHECK_MAX_RULES) {
				rc = lt_err_set(err, LT_ELIMIT, "%s: more than %d benchmark rules",
						name, LT_BENCHCHECK_MAX_RULES - 1);
				goto fail;
			}
			next.rules[k] = next.rules[0];
			if (!(next.rules[k].name = lti_strdup(item->string))) {
				rc = lt_err_set(err, LT_ENOMEM, "out of memory");
				goto fail;
			}
			next.n_rules++;
		}
		if ((rc = apply_rule(&next.rules[k], item, name, err)) != LT_OK)
			goto fail;
	}
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i].name);
	*c = next;
	return LT_OK;
fail:
	for (size_t i = 0; i < next.n_rules; i++)
		free(next.rules[i].name);
	return rc;
}

const struct lt_benchcheck_rule *lt_benchcheck_rule_of(const struct lt_benchcheck_config *c,
						       const char *key)
{
	for (size_t i = 1; key && i < c->n_rules; i++)
		if (!strcmp(c->rules[i].name, key))
			return &c->rules[i];
	return &c->rules[0];
}

cJSON *lt_benchcheck_without_bench(const cJSON *json)
{
	cJSON *copy = cJSON_Duplicate(json, 1), *item, *next;
	if (!copy || !cJSON_IsObject(copy))
		return copy;
	for (item = copy->child; item; item = next) {
		next = item->next;
		if (is_bench_key(item->string))
			cJSON_Delete(cJSON_DetachItemViaPointer(copy, item));
	}
	return copy;
}

/* ---- records and baselines ---- */

char *lt_benchcheck_key(const cJSON *rec)
{
	const char *suite = lt_ndjson_get_str(rec, "suite");
	const char *name = lt_ndjson_get_str(rec, "name");
	char *key;

	if (!name || !*name)
		return NULL;
	if (!suite || !*suite)
		suite = "command";
	if (asprintf(&key, "bench:%s/%s", suite, name) < 0)
		return NULL;
	return key;
}

cJSON *lt_benchcheck_metrics_of(const cJSON *rec)
{
	static const char *const figures[] = { "mean", "median", "stddev", "min", "max", "runs" };
	cJSON *m = cJSON_CreateObject(), *copy;
	double v;

	if (!m)
		return NULL;
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		if (lt_ndjson_get_num(rec, figures[i], &v) &&
		    !cJSON_AddNumberToObject(m, figures[i], v))
			goto fail;
	if (!(copy = cJSON_Duplicate(rec, 1)))
		goto fail;
	cJSON_AddItemToObject(m, "record", copy);
	return m;
fail:
	cJSON_Delete(m);
	return NULL;
}

lt_rc lt_benchcheck_baseline_set(struct lt_db *db, const char *bench_id, const char *environment,
				 const char *version, const char *note, char **key_out,
				 int64_t *baseline_id, struct lt_err *err)
{
	cJSON *row = NULL, *metrics = NULL;
	char *key = NULL;
	lt_rc rc;

	if ((rc = lt_db_bench_get(db, bench_id, &row, err)) != LT_OK)
		return rc;
	const cJSON *rec = lt_ndjson_get(row, "record");
	if (!cJSON_IsObject(rec)) {
		rc = lt_err_set(err, LT_EINVAL, "benchmark result %s has no record", bench_id);
		goto fail;
	}
	if (!(key = lt_benchcheck_key(rec)) || !(metrics = lt_benchcheck_metrics_of(rec))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	/* No run stands behind a benchmark baseline: the record in the
	 * metrics is its evidence. */
	if ((rc = lt_db_baseline_set(db, key, environment, version, NULL, metrics, note,
				     baseline_id, err)) != LT_OK)
		goto fail;
	if (key_out) {
		*key_out = key;
		key = NULL;
	}
fail:
	free(key);
	cJSON_Delete(metrics);
	cJSON_Delete(row);
	return rc;
}

/* ---- judging ---- */

/* The finite numbers of the record's "values" into a new array; NULL
 * with *n = 0 when there are none (or memory ran out: then the benchmark
 * is merely inconclusive, which is the safe side). */
static double *values_of(const cJSON *rec, size_t *n)
{
	const cJSON *vals = lt_ndjson_get(rec, "values"), *v;
	double *out;
	size_t k = 0;

	*n = 0;
	if (!cJSON_IsArray(vals) || cJSON_GetArraySize(vals) == 0)
		return NULL;
	if (!(out = malloc((size_t)cJSON_GetArraySize(vals) * sizeof *out)))
		return NULL;
	cJSON_ArrayForEach(v, vals)
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
			out[k++] = v->valuedouble;
	*n = k;
	return out;
}

/* +1 when an increase is worse (times: the default), -1 when a decrease
 * is ("better": "higher", or a rate unit such as ops/s). */
static int direction_of(const cJSON *rec)
{
	const char *better = lt_ndjson_get_str(rec, "better");
	const char *unit = lt_ndjson_get_str(rec, "unit");
	if (better)
		return !strcmp(better, "higher") ? -1 : 1;
	if (unit && strstr(unit, "/s"))
		return -1;
	return 1;
}

struct judged {
	char *key;
	const struct lt_benchcheck_rule *rule;
	const struct lt_benchcheck_item *item;
	int dir;
	double baseline, current, change_pct, worse_pct, p, q, effect;
	size_t n_base, n_cur;
	const char *test;           /* "welch", "history-t" or NULL */
	const char *status, *severity, *reason;
};

/* Welch's test of the current values against the baseline's, one-sided
 * toward worse.  false when it cannot be run (too few values). */
static bool test_welch(struct judged *j)
{
	size_t na, nb;
	double *a = values_of(j->item->current, &na);
	double *b = values_of(j->item->baseline, &nb);
	struct lt_stats_welch w;
	struct lt_err err = {0};
	bool ok = false;

	j->n_cur = na;
	j->n_base = nb;
	if (na < LT_BENCHCHECK_MIN_VALUES || nb < LT_BENCHCHECK_MIN_VALUES)
		goto out;
	if (lt_stats_welch(a, na, b, nb, 0.95, &w, &err) == LT_OK) {
		j->p = j->dir > 0 ? w.p.greater : w.p.less;
		j->effect = w.hedges_g;
	} else {
		/* Both samples constant: the difference is certain, or nil. */
		double d = 0;
		for (size_t i = 0; i < na; i++)
			d += a[i] / (double)na;
		for (size_t i = 0; i < nb; i++)
			d -= b[i] / (double)nb;
		j->p = j->dir * d > 0 ? 0 : 1;
		j->effect = NAN;
	}
	j->test = "welch";
	ok = true;
out:
	free(a);
	free(b);
	return ok;
}

/* The history model: the current mean against the run-to-run spread of
 * the earlier results' means (regress.h's prediction-interval t), one-
 * sided toward worse.  false when there are too few of them. */
static bool test_history(struct judged *j, size_t history_min)
{
	struct lt_stats_score sc;
	struct lt_err err = {0};

	if (j->item->n_history < history_min || j->item->n_history < 2)
		return false;
	if (lt_stats_score(j->item->history, j->item->n_history, j->current, &sc, &err) != LT_OK)
		return false;
	j->p = j->dir > 0 ? sc.p_t.greater : sc.p_t.less;
	j->effect = sc.t;
	j->test = "history-t";
	return true;
}

static cJSON *judged_json(const struct judged *j)
{
	const cJSON *cur = j->item->current, *base = j->item->baseline;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "metric", j->key);
	cJSON_AddItemToObject(o, "suite", cJSON_Duplicate(lt_ndjson_get(cur, "suite"), 1));
	cJSON_AddItemToObject(o, "name", cJSON_Duplicate(lt_ndjson_get(cur, "name"), 1));
	cJSON_AddItemToObject(o, "unit", cJSON_Duplicate(lt_ndjson_get(cur, "unit"), 1));
	cJSON_AddStringToObject(o, "better", j->dir > 0 ? "lower" : "higher");
	cJSON_AddItemToObject(o, "bench_id", cJSON_Duplicate(lt_ndjson_get(cur, "bench_id"), 1));
	if (base) {
		cJSON_AddItemToObject(o, "baseline_bench_id",
				      cJSON_Duplicate(lt_ndjson_get(base, "bench_id"), 1));
		cJSON_AddNumberToObject(o, "baseline_id", (double)j->item->baseline_id);
		if (j->item->baseline_version)
			cJSON_AddStringToObject(o, "baseline_version", j->item->baseline_version);
		else
			cJSON_AddNullToObject(o, "baseline_version");
	} else {
		cJSON_AddNullToObject(o, "baseline_bench_id");
		cJSON_AddNullToObject(o, "baseline_id");
		cJSON_AddNullToObject(o, "baseline_version");
	}
#define NUM_OR_NULL(k, v) (isfinite(v) ? cJSON_AddNumberToObject(o, k, round((v) * 1e6) / 1e6) \
					: cJSON_AddNullToObject(o, k))
	NUM_OR_NULL("baseline", j->baseline);
	NUM_OR_NULL("current", j->current);
	NUM_OR_NULL("change_pct", j->change_pct);
	NUM_OR_NULL("worse_pct", j->worse_pct);
	cJSON_AddStringToObject(o, "method",
				j->rule->method == LT_REGRESS_STATISTICAL ? "statistical" : "absolute");
	if (j->test) {
		cJSON_AddStringToObject(o, "test", j->test);
		/* p and q unrounded: 1e-9 and 0 are different findings. */
		cJSON_AddNumberToObject(o, "p_value", j->p);
		if (isfinite(j->q))
			cJSON_AddNumberToObject(o, "q_value", j->q);
		else
			cJSON_AddNullToObject(o, "q_value");
		NUM_OR_NULL("effect", j->effect);
	} else {
		cJSON_AddNullToObject(o, "test");
		cJSON_AddNullToObject(o, "p_value");
		cJSON_AddNullToObject(o, "q_value");
		cJSON_AddNullToObject(o, "effect");
	}
#undef NUM_OR_NULL
	cJSON_AddNumberToObject(o, "baseline_n", (double)j->n_base);
	cJSON_AddNumberToObject(o, "current_n", (double)j->n_cur);
	cJSON_AddNumberToObject(o, "history_runs", (double)j->item->n_history);
	cJSON_AddNumberToObject(o, "warning_pct", j->rule->warning_pct);
	cJSON_AddNumberToObject(o, "critical_pct", j->rule->critical_pct);
	cJSON_AddStringToObject(o, "severity", j->severity);
	cJSON_AddStringToObject(o, "status", j->status);
	if (j->reason)
		cJSON_AddStringToObject(o, "reason", j->reason);
	return o;
}

static cJSON *make_alert(const struct judged *j, const char *scenario, struct lt_err *err)
{
	char id[LTI_UUID_LEN], msg[768];
	const char *unit = lt_ndjson_get_str(j->item->current, "unit");
	cJSON *rec = NULL;

	lti_uuid(id);
	unit = unit ? unit : "";
	if (j->test)
		snprintf(msg, sizeof msg, "%s %s %.1f %% (%g %s -> %g %s), p = %.2g (%s)", j->key,
			 j->change_pct >= 0 ? "rose" : "fell", fabs(j->change_pct), j->baseline, unit,
			 j->current, unit, j->q, j->test);
	else
		snprintf(msg, sizeof msg, "%s %s %.1f %% (%g %s -> %g %s)", j->key,
			 j->change_pct >= 0 ? "rose" : "fell", fabs(j->change_pct), j->baseline, unit,
			 j->current, unit);
	struct lt_ndjson_alert in = {
		.alert_id = id, .scenario_id = scenario,
		.run_id = lt_ndjson_get_str(j->item->current, "bench_id"), .metric = j->key,
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

/* Magnitude and, for the statistical method, the test of one benchmark
 * (the verdict comes after Benjamini-Hochberg). */
static void measure(struct judged *j, size_t history_min)
{
	const cJSON *cur = j->item->current, *base = j->item->baseline;
	const char *ucur = lt_ndjson_get_str(cur, "unit");
	const char *ubase = base ? lt_ndjson_get_str(base, "unit") : NULL;

	j->baseline = j->current = j->change_pct = j->worse_pct = NAN;
	j->p = j->q = j->effect = NAN;
	j->status = "ok";
	j->severity = "none";
	j->dir = direction_of(cur);
	lt_ndjson_get_num(cur, "mean", &j->current);
	if (!base) {
		j->status = "inconclusive";
		j->reason = "no baseline";
		return;
	}
	lt_ndjson_get_num(base, "mean", &j->baseline);
	if (!isfinite(j->current) || !isfinite(j->baseline)) {
		j->status = "inconclusive";
		j->reason = "the mean is missing from the result or the baseline";
		return;
	}
	if (ucur && ubase && strcmp(ucur, ubase) != 0) {
		j->status = "inconclusive";
		j->reason = "the result and the baseline are in different units";
		return;
	}
	if (j->baseline != 0)
		j->change_pct = 100 * (j->current - j->baseline) / fabs(j->baseline);
	else
		j->change_pct = j->current == 0 ? 0 : (j->current > 0 ? INFINITY : -INFINITY);
	j->worse_pct = j->dir * j->change_pct;
	/* Welch counts the values it tests; the other ways count them here. */
	if (j->rule->method != LT_REGRESS_STATISTICAL || test_history(j, history_min)) {
		size_t n;
		free(values_of(cur, &n));
		j->n_cur = n;
		free(values_of(base, &n));
		j->n_base = n;
		return;
	}
	if (!test_welch(j)) {
		j->status = "inconclusive";
		j->reason = "fewer than 3 values on a side for the statistical test";
	}
}

static const char *common_str(const struct lt_benchcheck_item *items, size_t n, const char *field)
{
	const char *first = lt_ndjson_get_str(items[0].current, field);
	for (size_t i = 1; first && i < n; i++) {
		const char *s = lt_ndjson_get_str(items[i].current, field);
		if (!s || strcmp(s, first) != 0)
			return NULL;
	}
	return first;
}

lt_rc lt_benchcheck_judge(const struct lt_benchcheck_item *items, size_t n,
			  const char *environment, const struct lt_benchcheck_config *cfg,
			  cJSON **verdict, cJSON ***alerts_out, size_t *n_alerts,
			  struct lt_err *err)
{
	struct judged *js = NULL;
	cJSON *v = NULL, *list, **alerts = NULL;
	double *p = NULL, *q = NULL;
	size_t *idx = NULL, n_js = 0, m = 0, made = 0;
	char *scenario = NULL;
	bool history_model = false;
	lt_rc rc;

	if (n == 0)
		return lt_err_set(err, LT_EINVAL, "no benchmark to check");
	if (!(js = calloc(n, sizeof *js)) || !(p = calloc(n, sizeof *p)) ||
	    !(q = calloc(n, sizeof *q)) || !(idx = calloc(n, sizeof *idx)) ||
	    !(alerts = calloc(n + 1, sizeof *alerts))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct judged *j = &js[n_js];
		if (!(j->key = lt_benchcheck_key(items[i].current))) {
			rc = lt_err_set(err, LT_EINVAL, "a bench record without a name");
			goto out;
		}
		j->rule = lt_benchcheck_rule_of(cfg, j->key);
		if (!j->rule->enabled) {
			free(j->key);
			j->key = NULL;
			continue;
		}
		j->item = &items[i];
		n_js++;
		measure(j, cfg->history_min);
		history_model |= j->test && !strcmp(j->test, "history-t");
	}

	/* Benjamini-Hochberg over the tests of this check. */
	for (size_t i = 0; i < n_js; i++)
		if (js[i].test) {
			idx[m] = i;
			p[m++] = js[i].p < 0 ? 0 : js[i].p > 1 ? 1 : js[i].p;
		}
	if (m && (rc = lt_stats_bh_adjust(p, m, q, err)) != LT_OK)
		goto out;
	for (size_t k = 0; k < m; k++)
		js[idx[k]].q = q[k];

	const char *suite = common_str(items, n, "suite");
	if (asprintf(&scenario, "bench%s%s", suite ? ":" : "", suite ? suite : "") < 0) {
		scenario = NULL;
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	bool any_warning = false, any_critical = false, any_decided = false;
	for (size_t i = 0; i < n_js; i++) {
		struct judged *j = &js[i];
		const struct lt_benchcheck_rule *r = j->rule;
		if (!strcmp(j->status, "inconclusive"))
			continue;
		any_decided = true;
		bool significant = !j->test || j->q <= 1 - r->confidence;
		if (j->worse_pct >= r->critical_pct)
			j->severity = "critical";
		else if (j->worse_pct >= r->warning_pct)
			j->severity = "warning";
		if (strcmp(j->severity, "none") != 0 && significant) {
			j->status = "regression";
			any_critical |= j->severity[0] == 'c';
			any_warning |= j->severity[0] == 'w';
			if (!(alerts[made] = make_alert(j, scenario, err))) {
				rc = err->rc ? err->rc : LT_ENOMEM;
				goto out;
			}
			made++;
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
			     : any_decided ? "pass" : "inconclusive";
	const char *run_id = common_str(items, n, "session_id");
	if (!run_id)
		run_id = lt_ndjson_get_str(items[0].current, "bench_id");
	int64_t baseline_id = items[0].baseline_id;
	for (size_t i = 1; i < n; i++)
		if (items[i].baseline_id != baseline_id)
			baseline_id = 0;
	if (!(v = cJSON_CreateObject()) || !(list = cJSON_CreateArray())) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_AddStringToObject(v, "type", "verdict");
	cJSON_AddNumberToObject(v, "v", 1);
	cJSON_AddStringToObject(v, "check_id", check_id);
	cJSON_AddStringToObject(v, "scenario_id", scenario);
	cJSON_AddStringToObject(v, "run_id", run_id ? run_id : check_id);
	cJSON_AddStringToObject(v, "environment",
				environment && *environment ? environment : "default");
	if (baseline_id)
		cJSON_AddNumberToObject(v, "baseline_id", (double)baseline_id);
	else
		cJSON_AddNullToObject(v, "baseline_id");
	cJSON_AddStringToObject(v, "model", history_model ? "history" : "baseline-run");
	cJSON_AddStringToObject(v, "status", status);
	if (!strcmp(status, "inconclusive")) {
		const char *why = "no benchmark could be judged";
		for (size_t i = 0; i < n_js; i++)
			if (js[i].reason)
				why = js[i].reason;
		cJSON_AddStringToObject(v, "reason", n_js ? why : "every benchmark's rule is disabled");
	}
	cJSON_AddItemToObject(v, "metrics", list);
	for (size_t i = 0; i < n_js; i++) {
		cJSON *o = judged_json(&js[i]);
		if (!o) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto out;
		}
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(v, "alerts", (double)made);
	cJSON_AddStringToObject(v, "created_at", now);
	*verdict = v;
	*alerts_out = alerts;
	*n_alerts = made;
	v = NULL;
	alerts = NULL;
	rc = LT_OK;
out:
	if (alerts) {
		for (size_t i = 0; i < made; i++)
			cJSON_Delete(alerts[i]);
		free(alerts);
	}
	cJSON_Delete(v);
	if (js)
		for (size_t i = 0; i < n; i++)
			free(js[i].key);
	free(js);
	free(p);
	free(q);
	free(idx);
	free(scenario);
	return rc;
}

/* The means of the results of row's benchmark measured before it on its
 * host (lt_db_bench_history), newest limit of them: *means new (NULL
 * when none), *n their number. */
static lt_rc history_of(struct lt_db *db, const cJSON *row, size_t limit, double **means,
			size_t *n, struct lt_err *err)
{
	cJSON *rows = NULL, *r;
	lt_rc rc;

	*means = NULL;
	*n = 0;
	rc = lt_db_bench_history(db, lt_ndjson_get_str(row, "suite"), lt_ndjson_get_str(row, "name"),
				 lt_ndjson_get_str(row, "host"), lt_ndjson_get_str(row, "bench_id"),
				 limit, &rows, err);
	if (rc != LT_OK)
		return rc;
	if (cJSON_GetArraySize(rows) > 0 &&
	    !(*means = malloc((size_t)cJSON_GetArraySize(rows) * sizeof **means))) {
		cJSON_Delete(rows);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(r, rows) {
		double v;
		if (lt_ndjson_get_num(r, "mean", &v) && isfinite(v))
			(*means)[(*n)++] = v;
	}
	cJSON_Delete(rows);
	return LT_OK;
}

lt_rc lt_benchcheck_check(struct lt_db *db, const char *const *bench_ids, size_t n,
			  const char *environment, const struct lt_benchcheck_config *cfg,
			  cJSON **verdict, cJSON ***alerts, size_t *n_alerts, struct lt_err *err)
{
	struct lt_benchcheck_item *items = NULL;
	cJSON **rows = NULL, **baselines = NULL;
	double **history = NULL;
	char *first_key = NULL;
	size_t with_baseline = 0;
	lt_rc rc = LT_OK;

	if (n == 0)
		return lt_err_set(err, LT_EINVAL, "no benchmark to check");
	if (!(items = calloc(n, sizeof *items)) || !(rows = calloc(n, sizeof *rows)) ||
	    !(baselines = calloc(n, sizeof *baselines)) || !(history = calloc(n, sizeof *history))) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *key;
		struct lt_err nf = {0};
		if ((rc = lt_db_bench_get(db, bench_ids[i], &rows[i], err)) != LT_OK)
			goto out;
		items[i].current = lt_ndjson_get(rows[i], "record");
		if (!cJSON_IsObject(items[i].current)) {
			rc = lt_err_set(err, LT_EINVAL, "benchmark result %s has no record",
					bench_ids[i]);
			goto out;
		}
		if (!(key = lt_benchcheck_key(items[i].current))) {
			rc = lt_err_set(err, LT_EINVAL, "benchmark result %s has no name", bench_ids[i]);
			goto out;
		}
		if ((rc = history_of(db, rows[i], cfg->history_runs, &history[i],
				     &items[i].n_history, err)) != LT_OK) {
			free(key);
			goto out;
		}
		items[i].history = history[i];
		rc = lt_db_baseline_get(db, key, environment, NULL, &baselines[i], &nf);
		if (!first_key)
			first_key = key;
		else
			free(key);
		if (rc == LT_ENOTFOUND) {
			rc = LT_OK;
			continue;
		}
		if (rc != LT_OK) {
			*err = nf;
			goto out;
		}
		const cJSON *rec = lt_ndjson_get(lt_ndjson_get(baselines[i], "metrics"), "record");
		double id = 0;
		if (!cJSON_IsObject(rec))
			continue;  /* a baseline of a run under a bench: name: not ours */
		items[i].baseline = rec;
		lt_ndjson_get_num(baselines[i], "baseline_id", &id);
		items[i].baseline_id = (int64_t)id;
		items[i].baseline_version = lt_ndjson_get_str(baselines[i], "version");
		if (items[i].baseline_version && !*items[i].baseline_version)
			items[i].baseline_version = NULL;
		with_baseline++;
	}
	if (with_baseline == 0) {
		rc = lt_err_set(err, LT_ENOTFOUND,
				"no baseline for %s%s in environment %s: set one with "
				"lt-bench run ... | lt-baseline set", first_key,
				n > 1 ? " or the other benchmarks of the stream" : "",
				environment && *environment ? environment : "default");
		goto out;
	}
	rc = lt_benchcheck_judge(items, n, environment, cfg, verdict, alerts, n_alerts, err);
out:
	if (rows)
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(rows[i]);
	if (baselines)
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(baselines[i]);
	if (history)
		for (size_t i = 0; i < n; i++)
			free(history[i]);
	free(history);
	free(rows);
	free(baselines);
	free(items);
	free(first_key);
	return rc;
}
