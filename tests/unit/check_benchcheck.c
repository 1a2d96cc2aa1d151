/* check_benchcheck.c -- the benchcheck module: bench records judged
 * against their baselines (magnitude, Welch on per-run values, BH), the
 * bench rules of a thresholds document, and the round trip through the
 * database (baseline set, check).
 *
 * The synthetic records are chosen so that the outcome is not a close
 * call: "the same distribution" is a permutation of the baseline's values
 * (t = 0, p = 0.5), "30 % slower" is every value times 1.3 (t above 10).
 */
#include "unit.h"
#include "benchcheck.h"
#include "db.h"
#include "ndjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const double base_values[] = { 100, 102, 98, 101, 99, 100, 103, 97 };
#define N_VALUES (sizeof base_values / sizeof base_values[0])

/* A bench record of suite/name with values base_values * factor (n of
 * them; 0: no "values" at all); better NULL leaves the field out. */
static cJSON *bench(const char *id, const char *suite, const char *name, const char *unit,
		    const char *better, double factor, size_t n)
{
	cJSON *r = cJSON_CreateObject(), *vals = cJSON_CreateArray();
	double sum = 0, mn = INFINITY, mx = -INFINITY;
	for (size_t i = 0; i < (n ? n : N_VALUES); i++) {
		double v = base_values[i] * factor;
		sum += v;
		mn = v < mn ? v : mn;
		mx = v > mx ? v : mx;
		cJSON_AddItemToArray(vals, cJSON_CreateNumber(v));
	}
	size_t k = n ? n : N_VALUES;
	cJSON_AddStringToObject(r, "type", "bench");
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "bench_id", id);
	cJSON_AddStringToObject(r, "suite", suite);
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "unit", unit);
	cJSON_AddNumberToObject(r, "runs", (double)k);
	cJSON_AddNumberToObject(r, "mean", sum / (double)k);
	cJSON_AddNumberToObject(r, "stddev", 2 * factor);
	cJSON_AddNumberToObject(r, "median", sum / (double)k);
	cJSON_AddNumberToObject(r, "min", mn);
	cJSON_AddNumberToObject(r, "max", mx);
	if (better)
		cJSON_AddStringToObject(r, "better", better);
	if (n)
		cJSON_AddItemToObject(r, "values", vals);
	else
		cJSON_Delete(vals);
	return r;
}

struct outcome {
	cJSON *verdict, **alerts;
	size_t n_alerts;
};

static void judge(const struct lt_benchcheck_item *items, size_t n,
		  const struct lt_benchcheck_config *cfg, struct outcome *out)
{
	struct lt_err err = {0};
	enum lt_ndjson_type type;
	ck_assert_msg(lt_benchcheck_judge(items, n, "ci", cfg, &out->verdict, &out->alerts,
					  &out->n_alerts, &err) == LT_OK, "%s", lt_errmsg(&err));
	/* What lt-regress check prints must be valid NDJSON for the next sink. */
	ck_assert_msg(lt_ndjson_validate(out->verdict, &type, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq(type, LT_NDJSON_VERDICT);
	for (size_t i = 0; i < out->n_alerts; i++)
		ck_assert_msg(lt_ndjson_validate(out->alerts[i], &type, &err) == LT_OK, "%s",
			      lt_errmsg(&err));
}

static void outcome_free(struct outcome *o)
{
	for (size_t i = 0; i < o->n_alerts; i++)
		cJSON_Delete(o->alerts[i]);
	free(o->alerts);
	cJSON_Delete(o->verdict);
}

static const cJSON *metric(const struct outcome *o, size_t i)
{
	return cJSON_GetArrayItem(lt_ndjson_get(o->verdict, "metrics"), (int)i);
}

/* One benchmark, baseline factor 1, current factor f. */
static void judge_one(const char *unit, const char *better, double f, size_t n_base,
		      size_t n_cur, const struct lt_benchcheck_config *cfg, struct outcome *out,
		      cJSON **keep)
{
	keep[0] = bench("b-1", "s", "x", unit, better, 1, n_base);
	keep[1] = bench("b-2", "s", "x", unit, better, f, n_cur);
	struct lt_benchcheck_item item = {
		.current = keep[1], .baseline = keep[0], .baseline_id = 7,
	};
	judge(&item, 1, cfg, out);
}

START_TEST(test_same_distribution_passes)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct outcome o = {0};
	cJSON *keep[2];
	/* A permutation of the baseline's values: the same mean, t = 0. */
	judge_one("ms", "lower", 1, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "pass");
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "scenario_id"), "bench:s");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "metric"), "bench:s/x");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "welch");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "status"), "ok");
	ck_assert_uint_eq(o.n_alerts, 0);
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_slower_is_critical)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct outcome o = {0};
	double change, p;
	cJSON *keep[2];
	judge_one("ms", "lower", 1.3, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "change_pct", &change));
	ck_assert_double_eq_tol(change, 30, 1e-6);
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "p_value", &p));
	ck_assert(p < 1e-6);
	ck_assert_uint_eq(o.n_alerts, 1);
	ck_assert_str_eq(lt_ndjson_get_str(o.alerts[0], "metric"), "bench:s/x");
	ck_assert_str_eq(lt_ndjson_get_str(o.alerts[0], "method"), "welch");
	ck_assert_str_eq(lt_ndjson_get_str(o.alerts[0], "severity"), "critical");
	ck_assert_str_eq(lt_ndjson_get_str(o.alerts[0], "run_id"), "b-2");
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);

	/* 15 %: a warning. */
	judge_one("ms", "lower", 1.15, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "warning");
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_higher_is_better)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct outcome o = {0};
	double worse;
	cJSON *keep[2];
	/* A throughput 30 % down is the regression ... */
	judge_one("ops/s", "higher", 0.7, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "worse_pct", &worse));
	ck_assert_double_eq_tol(worse, 30, 1e-6);
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	/* ... and 30 % up an improvement, no alert. */
	judge_one("ops/s", "higher", 1.3, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "pass");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "status"), "improvement");
	ck_assert_uint_eq(o.n_alerts, 0);
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	/* Without "better", a rate unit means higher is better. */
	judge_one("ops/s", NULL, 0.7, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_too_few_values_inconclusive)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct outcome o = {0};
	cJSON *keep[2];
	/* No values at all: even 30 % slower is not called a regression. */
	judge_one("ms", "lower", 1.3, N_VALUES, 0, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "inconclusive");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "status"), "inconclusive");
	ck_assert_ptr_nonnull(strstr(lt_ndjson_get_str(o.verdict, "reason"), "fewer than 3"));
	ck_assert_uint_eq(o.n_alerts, 0);
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	/* Two values on the baseline's side. */
	judge_one("ms", "lower", 1.3, 2, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "inconclusive");
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	/* Three on each side are enough. */
	judge_one("ms", "lower", 1.3, 3, 3, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "welch");
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_no_baseline_and_bh)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct outcome o = {0};
	cJSON *base = bench("b-0", "s", "x", "ms", "lower", 1, N_VALUES);
	cJSON *cur_x = bench("b-1", "s", "x", "ms", "lower", 1.3, N_VALUES);
	cJSON *cur_y = bench("b-2", "s", "y", "ms", "lower", 1, N_VALUES);
	cJSON *cur_z = bench("b-3", "t", "z", "ms", "lower", 1, N_VALUES);
	struct lt_benchcheck_item items[] = {
		{ .current = cur_x, .baseline = base, .baseline_id = 1 },
		{ .current = cur_y, .baseline = cur_y, .baseline_id = 2 },
		{ .current = cur_z },
	};
	double p, q;
	judge(items, 3, cfg, &o);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	/* Two suites: the pseudo-scenario "bench"; two baselines: none on top. */
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "scenario_id"), "bench");
	ck_assert(cJSON_IsNull(lt_ndjson_get(o.verdict, "baseline_id")));
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 2), "status"), "inconclusive");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 2), "reason"), "no baseline");
	/* Two tests: q of the smallest p is 2p (R: p.adjust(c(p, 0.5), "BH")). */
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "p_value", &p));
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "q_value", &q));
	ck_assert_double_eq_tol(q, 2 * p, 1e-12);
	outcome_free(&o);
	cJSON_Delete(base);
	cJSON_Delete(cur_x);
	cJSON_Delete(cur_y);
	cJSON_Delete(cur_z);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_thresholds)
{
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct lt_err err = {0};
	struct outcome o = {0};
	cJSON *keep[2];
	cJSON *doc = cJSON_Parse("{\"responseTime.p95\": {\"warning\": 5},"
				 " \"bench:s/x\": {\"critical\": 50},"
				 " \"bench\": {\"warning\": 40, \"critical\": 60, \"method\": \"absolute\"}}");
	ck_assert_msg(lt_benchcheck_config_apply(cfg, doc, "t.json", &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	/* The per-benchmark rule starts from "bench", wherever it is. */
	const struct lt_benchcheck_rule *r = lt_benchcheck_rule_of(cfg, "bench:s/x");
	ck_assert_str_eq(r->name, "bench:s/x");
	ck_assert_double_eq(r->warning_pct, 40);
	ck_assert_double_eq(r->critical_pct, 50);
	ck_assert_int_eq(r->method, LT_REGRESS_ABSOLUTE);
	ck_assert_str_eq(lt_benchcheck_rule_of(cfg, "bench:s/other")->name, "bench");
	judge_one("ms", "lower", 1.3, N_VALUES, N_VALUES, cfg, &o, keep);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "pass");
	ck_assert(cJSON_IsNull(lt_ndjson_get(metric(&o, 0), "test")));
	outcome_free(&o);
	cJSON_Delete(keep[0]);
	cJSON_Delete(keep[1]);

	/* The run rules' copy has no bench keys left. */
	cJSON *runs = lt_benchcheck_without_bench(doc);
	ck_assert_int_eq(cJSON_GetArraySize(runs), 1);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(runs, "responseTime.p95"));
	cJSON_Delete(runs);

	/* A bad rule names the document and the field; cfg is unchanged. */
	cJSON *bad = cJSON_Parse("{\"bench\": {\"warning\": 30, \"critcal\": 50}}");
	ck_assert_int_eq(lt_benchcheck_config_apply(cfg, bad, "t.json", &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "t.json: bench.critcal: unknown field (expected warning, "
			 "critical, method, confidence, enabled)");
	ck_assert_double_eq(lt_benchcheck_rule_of(cfg, "bench")->warning_pct, 40);
	cJSON_Delete(bad);
	bad = cJSON_Parse("{\"bench:s/x\": {\"warning\": 30, \"critical\": 20}}");
	ck_assert_int_eq(lt_benchcheck_config_apply(cfg, bad, "t.json", &err), LT_EINVAL);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "must not be above critical"));
	cJSON_Delete(bad);
	cJSON_Delete(doc);
	lt_benchcheck_config_free(cfg);
}
END_TEST

/* A database in a new scratch directory dir (a "/tmp/...-XXXXXX" buffer). */
static struct lt_db *scratch_db(char *dir)
{
	char path[64];
	struct lt_db *db = NULL;
	struct lt_err err = {0};

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/lt.db", dir);
	ck_assert_msg(lt_db_open(path, 0, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
	return db;
}

static void scratch_remove(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Check the stored result bench_id into *o; its history_runs. */
static double check_stored(struct lt_db *db, const char *bench_id,
			   const struct lt_benchcheck_config *cfg, struct outcome *o)
{
	const char *ids[] = { bench_id };
	struct lt_err err = {0};
	double n = -1;

	ck_assert_msg(lt_benchcheck_check(db, ids, 1, "ci", cfg, &o->verdict, &o->alerts,
					  &o->n_alerts, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert(lt_ndjson_get_num(metric(o, 0), "history_runs", &n));
	return n;
}

START_TEST(test_history_model)
{
	/* Ten earlier sessions with means 100 +- 2: a current mean of 112
	 * (+12 %) is judged against their spread (t = 12 / (2.1 sqrt(1.1)),
	 * p far below 0.05), not against the one baseline's runs, whose own
	 * values are wide enough that Welch would call it noise. */
	static const double past[] = { 98, 101, 100, 103, 99, 97, 102, 100, 101, 99 };
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	cJSON *base = bench("b-0", "s", "x", "ms", "lower", 1, N_VALUES);
	cJSON *cur = bench("b-1", "s", "x", "ms", "lower", 1.12, N_VALUES);
	struct lt_benchcheck_item item = { .current = cur, .baseline = base, .baseline_id = 1,
					   .history = past, .n_history = 10 };
	struct outcome o = {0};
	struct lt_err err = {0};

	/* The baseline's values spread far: Welch alone is not sure. */
	cJSON_ReplaceItemInObject(base, "values", cJSON_Parse("[60, 140, 70, 130, 80, 120, 90, 110]"));
	judge(&item, 1, cfg, &o);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "model"), "history");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "history-t");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "status"), "regression");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "severity"), "warning");
	double runs = 0;
	ck_assert(lt_ndjson_get_num(metric(&o, 0), "history_runs", &runs) && runs == 10);
	ck_assert_uint_eq(o.n_alerts, 1);
	ck_assert_str_eq(lt_ndjson_get_str(o.alerts[0], "method"), "history-t");
	outcome_free(&o);

	/* Four earlier results are too few (minRuns 5): Welch decides. */
	item.n_history = 4;
	judge(&item, 1, cfg, &o);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "model"), "baseline-run");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "welch");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "status"), "ok");
	outcome_free(&o);

	/* history.minRuns from the thresholds document: 3 are enough. */
	cJSON *doc = cJSON_Parse("{\"history\": {\"runs\": 8, \"minRuns\": 3}}");
	ck_assert_msg(lt_benchcheck_config_apply(cfg, doc, "t.json", &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_uint_eq(cfg->history_runs, 8);
	ck_assert_uint_eq(cfg->history_min, 3);
	judge(&item, 1, cfg, &o);
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "history-t");
	outcome_free(&o);
	cJSON_Delete(doc);
	/* ... checked by regress's parser: cfg unchanged on error. */
	doc = cJSON_Parse("{\"history\": {\"runs\": 3, \"minRuns\": 5}}");
	ck_assert_int_eq(lt_benchcheck_config_apply(cfg, doc, "t.json", &err), LT_EINVAL);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "t.json: history"));
	ck_assert_uint_eq(cfg->history_min, 3);
	cJSON_Delete(doc);

	cJSON_Delete(base);
	cJSON_Delete(cur);
	lt_benchcheck_config_free(cfg);
}
END_TEST

START_TEST(test_database_history)
{
	/* Through the database: the history is the results of the same
	 * benchmark on the same host recorded before the judged one, less
	 * those a check found critical. */
	char dir[] = "/tmp/lt-check-benchcheck-XXXXXX";
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct lt_err err = {0};
	struct lt_db *db = scratch_db(dir);
	struct outcome o = {0};
	static const double factor[] = { 1, 0.99, 1.01, 1.02, 0.98, 1, 1.01, 1.3, 1.31 };
	char id[16], at[32];

	/* h-0 .. h-8 on host a, one a minute; o-0 on host b. */
	for (size_t i = 0; i < 9; i++) {
		snprintf(id, sizeof id, "h-%zu", i);
		snprintf(at, sizeof at, "2026-01-01T00:%02zu:00Z", i);
		cJSON *r = bench(id, "s", "x", "ms", "lower", factor[i], N_VALUES);
		cJSON_AddStringToObject(r, "host", "a");
		cJSON_AddStringToObject(r, "started_at", at);
		ck_assert_msg(lt_db_ingest_record(db, r, &err) == LT_OK, "%s", lt_errmsg(&err));
		cJSON_Delete(r);
	}
	cJSON *r = bench("o-0", "s", "x", "ms", "lower", 5, N_VALUES);
	cJSON_AddStringToObject(r, "host", "b");
	cJSON_AddStringToObject(r, "started_at", "2026-01-01T00:03:30Z");
	ck_assert(lt_db_ingest_record(db, r, &err) == LT_OK);
	cJSON_Delete(r);
	ck_assert(lt_benchcheck_baseline_set(db, "h-0", "ci", NULL, NULL, NULL, NULL, &err) == LT_OK);

	/* h-4 has four before it: the baseline-run model. */
	ck_assert(check_stored(db, "h-4", cfg, &o) == 4);
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "welch");
	outcome_free(&o);
	/* h-7, 30 % slower, against h-0 .. h-6 (host b's result left out). */
	ck_assert(check_stored(db, "h-7", cfg, &o) == 7);
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "test"), "history-t");
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	ck_assert(lt_db_check_record(db, o.verdict, o.alerts, o.n_alerts, &err) == LT_OK);
	outcome_free(&o);
	/* h-8: h-7 was critical and is left out: 7 again, and critical. */
	ck_assert(check_stored(db, "h-8", cfg, &o) == 7);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	outcome_free(&o);
	/* h-6 judged again later: only what came before it (6 results). */
	ck_assert(check_stored(db, "h-6", cfg, &o) == 6);
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "pass");
	outcome_free(&o);

	lt_db_close(db);
	lt_benchcheck_config_free(cfg);
	scratch_remove(dir);
}
END_TEST

START_TEST(test_database_round_trip)
{
	char dir[] = "/tmp/lt-check-benchcheck-XXXXXX";
	struct lt_benchcheck_config *cfg = lt_benchcheck_config_new();
	struct lt_err err = {0};
	struct lt_db *db = scratch_db(dir);
	struct outcome o = {0};
	char *key = NULL;
	int64_t id = 0;
	cJSON *base = bench("b-1", "s", "x", "ms", "lower", 1, N_VALUES);
	cJSON *cur = bench("b-2", "s", "x", "ms", "lower", 1.3, N_VALUES);
	cJSON *other = bench("b-3", "s", "y", "ms", "lower", 1, N_VALUES);
	ck_assert(lt_db_ingest_record(db, base, &err) == LT_OK);
	ck_assert(lt_db_ingest_record(db, cur, &err) == LT_OK);
	ck_assert(lt_db_ingest_record(db, other, &err) == LT_OK);

	/* Nothing to compare with yet: not found, and the message says how. */
	const char *one[] = { "b-2" };
	ck_assert_int_eq(lt_benchcheck_check(db, one, 1, "ci", cfg, &o.verdict, &o.alerts,
					     &o.n_alerts, &err), LT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "bench:s/x"));
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "lt-baseline set"));

	ck_assert_msg(lt_benchcheck_baseline_set(db, "b-1", "ci", "1.0", NULL, &key, &id, &err)
		      == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(key, "bench:s/x");
	ck_assert(id > 0);
	ck_assert_int_eq(lt_benchcheck_baseline_set(db, "nope", "ci", NULL, NULL, NULL, NULL,
						    &err), LT_ENOTFOUND);

	/* Another environment has no baseline. */
	ck_assert_int_eq(lt_benchcheck_check(db, one, 1, "prod", cfg, &o.verdict, &o.alerts,
					     &o.n_alerts, &err), LT_ENOTFOUND);
	const char *two[] = { "b-2", "b-3" };
	ck_assert_msg(lt_benchcheck_check(db, two, 2, "ci", cfg, &o.verdict, &o.alerts,
					  &o.n_alerts, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(lt_ndjson_get_str(o.verdict, "status"), "critical");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "baseline_bench_id"), "b-1");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 0), "baseline_version"), "1.0");
	ck_assert_str_eq(lt_ndjson_get_str(metric(&o, 1), "reason"), "no baseline");
	ck_assert_uint_eq(o.n_alerts, 1);
	ck_assert_msg(lt_db_check_record(db, o.verdict, o.alerts, o.n_alerts, &err) == LT_OK,
		      "%s", lt_errmsg(&err));

	/* The history of a benchmark, oldest first, without the one left out. */
	cJSON *rows = NULL;
	ck_assert(lt_db_bench_history(db, "s", "x", NULL, "b-2", 0, &rows, &err) == LT_OK);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
	ck_assert_str_eq(lt_ndjson_get_str(cJSON_GetArrayItem(rows, 0), "bench_id"), "b-1");
	ck_assert(cJSON_IsArray(lt_ndjson_get(cJSON_GetArrayItem(rows, 0), "record.values")));
	cJSON_Delete(rows);

	outcome_free(&o);
	free(key);
	cJSON_Delete(base);
	cJSON_Delete(cur);
	cJSON_Delete(other);
	lt_db_close(db);
	lt_benchcheck_config_free(cfg);
	scratch_remove(dir);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("benchcheck");
	TCase *judge_tc = tcase_create("judge");
	TCase *db_tc = tcase_create("db");

	tcase_add_test(judge_tc, test_same_distribution_passes);
	tcase_add_test(judge_tc, test_slower_is_critical);
	tcase_add_test(judge_tc, test_higher_is_better);
	tcase_add_test(judge_tc, test_too_few_values_inconclusive);
	tcase_add_test(judge_tc, test_no_baseline_and_bh);
	tcase_add_test(judge_tc, test_thresholds);
	suite_add_tcase(s, judge_tc);
	tcase_add_test(db_tc, test_history_model);
	tcase_add_test(db_tc, test_database_round_trip);
	tcase_add_test(db_tc, test_database_history);
	suite_add_tcase(s, db_tc);
	return s;
}
