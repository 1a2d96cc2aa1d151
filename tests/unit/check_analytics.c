/* check_analytics.c -- the analytics of a scenario's history, end to end
 * through a temporary database filled with lt_db_ingest_run(): each test
 * builds a history whose answer is known by construction (a step at run
 * 20, a spike at run 15, a line of slope 2, a period of 7, a line that
 * reaches its threshold at run 50, runs three times slower at p99) and
 * checks that the command finds it, and nothing else. */
#include "analytics.h"
#include "db.h"
#include "ndjson.h"
#include "regress.h"
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char db_path[64];
static struct lt_db *db;

static void setup(void)
{
	struct lt_err err = {0};
	int fd;

	snprintf(db_path, sizeof db_path, "/tmp/lt-check-analytics.XXXXXX");
	fd = mkstemp(db_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(db_path);
	ck_assert_msg(lt_db_open(db_path, 0, &db, &err) == LT_OK, "%s", lt_errmsg(&err));
}

static void teardown(void)
{
	char wal[80];
	lt_db_close(db);
	unlink(db_path);
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db_path);
	unlink(wal);
}

/* A seeded generator, so that every history is the same on every run:
 * a 64-bit LCG (Knuth's MMIX constants) and Box-Muller. */
static uint64_t rng_state;

static double uniform(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* What one run measured. */
struct figs {
	double p50, p90, p95, p99, rps, error_pct;
	bool resources;
	double gen_cpu, host_cpu, host_mem_kb;
	int seconds;          /* steady samples to record (0: none) */
};

static const double T0 = 1767225600;  /* 2026-01-01T00:00:00Z */

static const char config_fmt[] =
	"{\"id\":\"%s\",\"name\":\"%s\",\"config\":{\"baseUrl\":\"http://127.0.0.1:3000\","
	"\"endpoints\":[{\"path\":\"/health\",\"method\":\"GET\"}],\"users\":{\"concurrent\":10},"
	"\"duration\":{\"total\":60},\"thresholds\":{\"responseTime\":{\"p95\":%g}}}}";

/* Record run i of scenario, started at time t, with figures f. */
static void add_run(const char *scenario, int i, double t, const struct figs *f)
{
	char buf[4096], at[32], run_id[64], config[1024];
	struct lt_err err = {0};
	time_t secs = (time_t)t;
	struct tm tm;
	cJSON *recs[128];
	size_t n = 0;
	long requests = lround(f->rps * 60), errors = lround(requests * f->error_pct / 100);

	gmtime_r(&secs, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(run_id, sizeof run_id, "%s-%04d", scenario, i);
	snprintf(config, sizeof config, config_fmt, scenario, scenario, 200.0);
	snprintf(buf, sizeof buf,
		 "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"%s\",\"scenario_id\":\"%s\","
		 "\"started_at\":\"%s\",\"config\":%s}", run_id, scenario, at, config);
	ck_assert_ptr_nonnull(recs[n++] = cJSON_Parse(buf));
	for (int s = 0; s < f->seconds && n < 120; s++) {
		double k = 1 + 0.05 * normal();
		snprintf(buf, sizeof buf,
			 "{\"type\":\"sample\",\"v\":1,\"run_id\":\"%s\",\"t\":%d,\"phase\":\"steady\","
			 "\"users\":10,\"requests\":%ld,\"errors\":%ld,\"rps\":%g,"
			 "\"latency_ms\":{\"min\":1,\"mean\":%g,\"p50\":%g,\"p90\":%g,\"p95\":%g,"
			 "\"p99\":%g,\"max\":%g},\"cpu_pct\":%g,\"rss_kb\":20000}",
			 run_id, s + 1, requests / 60, errors / 60, f->rps / k, f->p50 * k, f->p50 * k,
			 f->p90 * k, f->p95 * k, f->p99 * k, f->p99 * k * 1.5, f->gen_cpu * k);
		ck_assert_ptr_nonnull(recs[n++] = cJSON_Parse(buf));
	}
	int len = snprintf(buf, sizeof buf,
		 "{\"type\":\"summary\",\"v\":1,\"run_id\":\"%s\",\"duration_s\":60,\"requests\":%ld,"
		 "\"errors\":%ld,\"error_rate\":%.6f,\"throughput\":{\"avg\":%g,\"peak\":%g},"
		 "\"latency_ms\":{\"min\":1,\"mean\":%g,\"p50\":%g,\"p90\":%g,\"p95\":%g,\"p99\":%g,"
		 "\"max\":%g},\"endpoints\":[],\"passed\":true",
		 run_id, requests, errors, requests ? 100.0 * errors / requests : 0.0, f->rps,
		 f->rps * 1.2, f->p50, f->p50, f->p90, f->p95, f->p99, f->p99 * 1.5);
	if (f->resources)
		len += snprintf(buf + len, sizeof buf - (size_t)len,
				",\"resources\":{\"generator\":{\"cpu_pct_mean\":%g},"
				"\"host\":{\"cpu_pct_mean\":%g,\"mem_used_kb_max\":%g}}",
				f->gen_cpu, f->host_cpu, f->host_mem_kb);
	snprintf(buf + len, sizeof buf - (size_t)len, "}");
	ck_assert_ptr_nonnull(recs[n++] = cJSON_Parse(buf));
	ck_assert_msg(lt_db_ingest_run(db, recs, n, NULL, &err) == LT_OK, "%s", lt_errmsg(&err));
	for (size_t k = 0; k < n; k++)
		cJSON_Delete(recs[k]);
}

/* A history of p95 values, one run a day (or every step_s seconds). */
static void add_series(const char *scenario, const double *v, int n, double step_s)
{
	for (int i = 0; i < n; i++) {
		struct figs f = {.p50 = v[i] / 2, .p90 = v[i] * 0.9, .p95 = v[i], .p99 = v[i] * 1.3,
				 .rps = 100};
		add_run(scenario, i, T0 + i * step_s, &f);
	}
}

static double num(const cJSON *o, const char *path)
{
	double v = NAN;
	lt_ndjson_get_num(o, path, &v);
	return v;
}

static const char *str(const cJSON *o, const char *path)
{
	const char *s = lt_ndjson_get_str(o, path);
	return s ? s : "(null)";
}

/* ---- change points ---- */

START_TEST(step_is_one_changepoint)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	double v[40];
	cJSON *r = NULL;

	rng_state = 1;
	for (int i = 0; i < 40; i++)
		v[i] = (i < 20 ? 100 : 130) + 2 * normal();
	add_series("step", v, 40, 86400);
	ck_assert_msg(lt_analytics_changepoints(db, "step", &o, &r, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	const cJSON *cps = lt_ndjson_get(r, "changepoints");
	ck_assert_int_eq(cJSON_GetArraySize(cps), 1);
	const cJSON *c = cJSON_GetArrayItem(cps, 0);
	ck_assert_int_eq((int)num(c, "index"), 20);
	ck_assert_str_eq(str(c, "run_id"), "step-0020");
	ck_assert_str_eq(str(c, "at"), "2026-01-21T00:00:00.000Z");
	ck_assert_double_eq_tol(num(c, "mean_before"), 100, 1.5);
	ck_assert_double_eq_tol(num(c, "mean_after"), 130, 1.5);
	ck_assert_double_eq_tol(num(c, "change_pct"), 30, 2);
	ck_assert(num(c, "p_value") <= 0.05);
	ck_assert_str_eq(str(c, "direction"), "up");
	ck_assert(cJSON_IsTrue(lt_ndjson_get(c, "worse")));
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "outliers")), 0);
	ck_assert_double_eq(num(r, "parameters.permutations"), 199);
	ck_assert_double_eq(num(r, "parameters.min_size"), 3);
	ck_assert_str_eq(str(r, "type"), "changepoints");
	printf("step of 30 %% at run 20: change point at %d, p %.3f\n", (int)num(c, "index"),
	       num(c, "p_value"));
	cJSON_Delete(r);
}
END_TEST

START_TEST(spike_is_an_outlier)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	double v[30];
	cJSON *r = NULL;

	rng_state = 2;
	for (int i = 0; i < 30; i++)
		v[i] = 100 + 2 * normal();
	v[15] = 300;
	add_series("spike", v, 30, 86400);
	ck_assert_msg(lt_analytics_changepoints(db, "spike", &o, &r, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "changepoints")), 0);
	const cJSON *ol = lt_ndjson_get(r, "outliers");
	ck_assert_int_eq(cJSON_GetArraySize(ol), 1);
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(ol, 0), "index"), 15);
	ck_assert_str_eq(str(cJSON_GetArrayItem(ol, 0), "run_id"), "spike-0015");
	ck_assert_double_eq(num(cJSON_GetArrayItem(ol, 0), "value"), 300);
	ck_assert_double_eq_tol(num(cJSON_GetArrayItem(ol, 0), "baseline"), 100, 3);
	cJSON_Delete(r);
}
END_TEST

START_TEST(changepoints_of_a_given_series)
{
	double v[12] = {10, 11, 10, 9, 10, 11, 20, 21, 20, 19, 20, 21};
	struct lt_analytics_opts o = {.values = v, .n_values = 12, .values_name = "s.txt"};
	struct lt_err err = {0};
	cJSON *r = NULL;

	ck_assert_msg(lt_analytics_changepoints(NULL, NULL, &o, &r, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_str_eq(str(r, "input"), "s.txt");
	ck_assert(cJSON_IsNull(lt_ndjson_get(r, "scenario_id")));
	const cJSON *c = cJSON_GetArrayItem(lt_ndjson_get(r, "changepoints"), 0);
	ck_assert_int_eq((int)num(c, "index"), 6);
	ck_assert(cJSON_IsNull(lt_ndjson_get(c, "run_id")));
	cJSON_Delete(r);
}
END_TEST

/* ---- trend ---- */

START_TEST(rising_series_trend)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	double v[30];
	cJSON *r = NULL;

	/* y = 100 + 2 i with a wobble of period 3 (amplitude 0.5): Sen's
	 * median slope stays within 0.05 of 2 per run.  Runs 12 h apart
	 * make the slope per day exactly twice the slope per run. */
	for (int i = 0; i < 30; i++)
		v[i] = 100 + 2 * i + 0.5 * ((i % 3) - 1);
	add_series("rise", v, 30, 43200);
	ck_assert_msg(lt_analytics_trend(db, "rise", &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(str(r, "direction"), "increasing");
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "significant")));
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "worse")));
	ck_assert_double_eq_tol(num(r, "sen.slope_per_run"), 2, 0.05);
	ck_assert_double_eq_tol(num(r, "sen.slope_per_day"), 2 * num(r, "sen.slope_per_run"), 1e-9);
	ck_assert(num(r, "mann_kendall.p_value") < 1e-6);
	ck_assert_double_eq(num(r, "n"), 30);
	ck_assert_str_eq(str(r, "first.run_id"), "rise-0000");
	ck_assert_str_eq(str(r, "last.run_id"), "rise-0029");
	printf("rising series: Sen slope %.4f per run, %.4f per day, MK p %.3g\n",
	       num(r, "sen.slope_per_run"), num(r, "sen.slope_per_day"), num(r, "mann_kendall.p_value"));
	cJSON_Delete(r);

	/* The window: the newest 10 runs. */
	o.window = 10;
	ck_assert(lt_analytics_trend(db, "rise", &o, &r, &err) == LT_OK);
	ck_assert_double_eq(num(r, "n"), 10);
	ck_assert_str_eq(str(r, "first.run_id"), "rise-0020");
	cJSON_Delete(r);
}
END_TEST

START_TEST(trend_reference_values)
{
	/* The case checked by hand from Mann-Kendall's definitions (Gilbert
	 * 1987, 16.4): 1..10 strictly increasing has every pair concordant,
	 * S = n(n-1)/2 = 45, var S = n(n-1)(2n+5)/18 = 125, z = (S - 1) /
	 * sqrt(var S) = 3.9355, tau = 1; every pairwise slope is 1.  The
	 * published reference values are check_stats.c's; the CLI case
	 * compares lt-regress trend with lt-regress stat. */
	double v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct lt_analytics_opts o = {.values = v, .n_values = 10};
	struct lt_err err = {0};
	cJSON *r = NULL;

	ck_assert(lt_analytics_trend(NULL, NULL, &o, &r, &err) == LT_OK);
	ck_assert_double_eq(num(r, "mann_kendall.s"), 45);
	ck_assert_double_eq_tol(num(r, "mann_kendall.var_s"), 125, 1e-9);
	ck_assert_double_eq_tol(num(r, "mann_kendall.z"), 44 / sqrt(125), 1e-9);
	ck_assert_double_eq(num(r, "mann_kendall.tau"), 1);
	ck_assert_double_eq(num(r, "sen.slope_per_run"), 1);
	ck_assert(cJSON_IsNull(lt_ndjson_get(r, "sen.slope_per_day")));
	cJSON_Delete(r);
}
END_TEST

START_TEST(flat_noise_has_no_trend)
{
	double v[30];
	struct lt_analytics_opts o = {.values = v, .n_values = 30};
	struct lt_err err = {0};
	cJSON *r = NULL;

	rng_state = 3;
	for (int i = 0; i < 30; i++)
		v[i] = 100 + normal();
	ck_assert(lt_analytics_trend(NULL, NULL, &o, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "direction"), "none");
	ck_assert(cJSON_IsNull(lt_ndjson_get(r, "worse")));
	cJSON_Delete(r);
}
END_TEST

/* ---- seasonality ---- */

START_TEST(periodic_series_period)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	double v[70];
	cJSON *r = NULL;

	rng_state = 4;
	for (int i = 0; i < 70; i++)
		v[i] = 100 + 0.3 * i + 10 * sin(2 * M_PI * i / 7) + normal();
	add_series("week", v, 70, 86400);
	ck_assert_msg(lt_analytics_seasonality(db, "week", &o, &r, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "found")));
	ck_assert_double_eq(num(r, "period"), 7);
	ck_assert(num(r, "strength") > 0.5);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "phase_offsets")), 7);
	ck_assert_double_eq(num(r, "next_phase"), 0);  /* 70 mod 7 */
	/* The offset of phase 2 is about 10 sin(4 pi / 7) = 9.75. */
	ck_assert_double_eq_tol(cJSON_GetArrayItem(lt_ndjson_get(r, "phase_offsets"), 2)->valuedouble,
				9.75, 1.5);
	printf("period 7 + trend + noise: period %.0f, strength %.2f\n", num(r, "period"),
	       num(r, "strength"));
	cJSON_Delete(r);
}
END_TEST

START_TEST(noise_and_lines_have_no_season)
{
	double v[60];
	struct lt_analytics_opts o = {.values = v, .n_values = 60};
	struct lt_err err = {0};
	cJSON *r = NULL;
	int found = 0;

	/* 100 noise series: the strength floor keeps chance peaks out. */
	rng_state = 5;
	for (int k = 0; k < 100; k++) {
		for (int i = 0; i < 60; i++)
			v[i] = 50 + normal();
		ck_assert(lt_analytics_seasonality(NULL, NULL, &o, &r, &err) == LT_OK);
		found += cJSON_IsTrue(lt_ndjson_get(r, "found"));
		cJSON_Delete(r);
	}
	printf("seasons found in 100 noise series: %d\n", found);
	ck_assert_int_le(found, 5);
	/* A straight line and a constant. */
	for (int i = 0; i < 60; i++)
		v[i] = 3 + 0.5 * i;
	ck_assert(lt_analytics_seasonality(NULL, NULL, &o, &r, &err) == LT_OK);
	ck_assert(cJSON_IsFalse(lt_ndjson_get(r, "found")));
	ck_assert(cJSON_IsNull(lt_ndjson_get(r, "period")));
	cJSON_Delete(r);
	for (int i = 0; i < 60; i++)
		v[i] = 7;
	ck_assert(lt_analytics_seasonality(NULL, NULL, &o, &r, &err) == LT_OK);
	ck_assert(cJSON_IsFalse(lt_ndjson_get(r, "found")));
	cJSON_Delete(r);
}
END_TEST

/* ---- forecast ---- */

START_TEST(forecast_crossing_time)
{
	struct lt_analytics_opts o = {.horizon = 5};
	struct lt_err err = {0};
	double v[30];
	cJSON *r = NULL;

	/* p95 = 100 + 2 i, one run a day from T0; the scenario's threshold
	 * is p95 <= 200: the line reaches it at run 50, 21 runs after the
	 * last (29), on day 50 = 2026-02-20. */
	for (int i = 0; i < 30; i++)
		v[i] = 100 + 2 * i;
	add_series("fc", v, 30, 86400);
	ck_assert_msg(lt_analytics_forecast(db, "fc", &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(str(r, "model"), "linear");
	ck_assert_double_eq_tol(num(r, "fit.slope_per_run"), 2, 1e-9);
	ck_assert_double_eq_tol(num(r, "run_interval_s"), 86400, 1e-6);
	const cJSON *f = lt_ndjson_get(r, "forecast");
	ck_assert_int_eq(cJSON_GetArraySize(f), 5);
	ck_assert_double_eq_tol(num(cJSON_GetArrayItem(f, 0), "value"), 160, 1e-6);
	ck_assert_str_eq(str(cJSON_GetArrayItem(f, 0), "at"), "2026-01-31T00:00:00.000Z");
	ck_assert_str_eq(str(r, "threshold.source"), "scenario");
	ck_assert_str_eq(str(r, "threshold.op"), "<=");
	ck_assert_double_eq(num(r, "threshold.value"), 200);
	ck_assert_str_eq(str(r, "threshold.status"), "expected");
	ck_assert_double_eq_tol(num(r, "threshold.runs_ahead"), 21, 1e-6);
	ck_assert_str_eq(str(r, "threshold.at"), "2026-02-20T00:00:00.000Z");
	ck_assert(cJSON_IsFalse(lt_ndjson_get(r, "threshold.within_horizon")));
	printf("forecast: p95 crosses 200 ms in %.1f runs, at %s\n", num(r, "threshold.runs_ahead"),
	       str(r, "threshold.at"));
	cJSON_Delete(r);

	/* A threshold given: 150 is behind the line already. */
	o.has_threshold = true;
	o.threshold = 150;
	ck_assert(lt_analytics_forecast(db, "fc", &o, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "threshold.source"), "option");
	ck_assert_str_eq(str(r, "threshold.status"), "crossed");
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "threshold.last_value_beyond")));
	cJSON_Delete(r);

	/* Throughput is worse lower: a falling line meets a lower limit. */
	for (int i = 0; i < 30; i++)
		v[i] = 1000 - 10 * i;
	struct lt_analytics_opts t = {.values = v, .n_values = 30, .metric = "throughput.avg",
				      .has_threshold = true, .threshold = 500};
	ck_assert(lt_analytics_forecast(NULL, NULL, &t, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "threshold.op"), ">=");
	ck_assert_double_eq_tol(num(r, "threshold.runs_ahead"), 21, 1e-6);
	ck_assert(cJSON_IsNull(lt_ndjson_get(r, "threshold.at")));
	cJSON_Delete(r);
	/* Heading away: never.  A lower limit of 2000 on a falling series is
	 * crossed already; on a rising one, never. */
	t.threshold = 2000;
	ck_assert(lt_analytics_forecast(NULL, NULL, &t, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "threshold.status"), "crossed");
	cJSON_Delete(r);
	for (int i = 0; i < 30; i++)
		v[i] = 1000 + 10 * i;
	t.threshold = 500;
	ck_assert(lt_analytics_forecast(NULL, NULL, &t, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "threshold.status"), "never");
	cJSON_Delete(r);
}
END_TEST

START_TEST(forecast_seasonal)
{
	double v[56];
	struct lt_analytics_opts o = {.values = v, .n_values = 56, .horizon = 7};
	struct lt_err err = {0};
	cJSON *r = NULL;

	rng_state = 6;
	for (int i = 0; i < 56; i++)
		v[i] = 100 + 20 * (i % 7 == 5 || i % 7 == 6) + normal();
	ck_assert(lt_analytics_forecast(NULL, NULL, &o, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "model"), "linear+seasonal");
	ck_assert_double_eq(num(r, "seasonal.period"), 7);
	/* Steps 6 and 7 are indexes 61 and 62: phases 5 and 6, the high
	 * ones; step 1 (index 56, phase 0) is low. */
	const cJSON *f = lt_ndjson_get(r, "forecast");
	double lo = num(cJSON_GetArrayItem(f, 0), "value"), hi = num(cJSON_GetArrayItem(f, 5), "value");
	ck_assert_double_eq_tol(lo, 100, 2);
	ck_assert_double_eq_tol(hi, 120, 2);
	/* The seasonal interval is narrower than the line's would be. */
	ck_assert(num(r, "seasonal.residual_sd") < num(r, "fit.residual_sd") / 3);
	cJSON_Delete(r);
}
END_TEST

/* ---- correlate ---- */

START_TEST(correlate_runs)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	cJSON *r = NULL;

	rng_state = 7;
	for (int i = 0; i < 30; i++) {
		double load = 1 + 0.2 * normal();
		struct figs f = {.p50 = 20 * load, .p90 = 35 * load, .p95 = 40 * load + normal(),
				 .p99 = 60 * load + 2 * normal(), .rps = 1000 / load, .error_pct = 0,
				 .resources = i >= 10, .gen_cpu = 30 * load + normal(),
				 .host_cpu = 50 + 5 * normal(), .host_mem_kb = 1e6 + 1e4 * normal()};
		add_run("corr", i, T0 + i * 3600, &f);
	}
	ck_assert_msg(lt_analytics_correlate(db, "corr", &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_double_eq(num(r, "runs"), 30);
	const cJSON *m = lt_ndjson_get(r, "metrics");
	ck_assert_int_eq(cJSON_GetArraySize(m), 8);  /* errorRate is constant */
	ck_assert_str_eq(cJSON_GetArrayItem(lt_ndjson_get(r, "dropped"), 0)->child->valuestring,
			 "errorRate");
	ck_assert_str_eq(str(r, "missing"), "pairwise");
	/* metrics: p50 p90 p95 p99 throughput gen.cpu host.cpu host.mem */
	const cJSON *pr = lt_ndjson_get(r, "pearson.r"), *sr = lt_ndjson_get(r, "spearman.r");
	const cJSON *pp = lt_ndjson_get(r, "pearson.p"), *n = lt_ndjson_get(r, "n");
	double r_p95_p99 = cJSON_GetArrayItem(cJSON_GetArrayItem(pr, 2), 3)->valuedouble;
	double rho_p50_tp = cJSON_GetArrayItem(cJSON_GetArrayItem(sr, 0), 4)->valuedouble;
	ck_assert(r_p95_p99 > 0.9);
	ck_assert(rho_p50_tp < -0.99);  /* throughput = 1000 / load */
	ck_assert(cJSON_GetArrayItem(cJSON_GetArrayItem(pp, 2), 3)->valuedouble < 1e-6);
	/* Pairwise: resources only in the newest 20 runs. */
	ck_assert_double_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(n, 0), 5)->valuedouble, 20);
	ck_assert_double_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(n, 0), 1)->valuedouble, 30);
	ck_assert_double_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(pr, 1), 1)->valuedouble, 1);
	printf("correlate: r(p95, p99) %.3f, rho(p50, throughput) %.3f over %d runs\n", r_p95_p99,
	       rho_p50_tp, 30);
	cJSON_Delete(r);
}
END_TEST

/* ---- train and anomaly ---- */

/* A normal run: every figure follows one load factor, as a service's
 * do, with a little independent noise. */
static struct figs normal_run(void)
{
	double load = 1 + 0.1 * normal();
	struct figs f = {.p50 = 20 * load * (1 + 0.02 * normal()),
			 .p90 = 35 * load * (1 + 0.02 * normal()),
			 .p95 = 40 * load * (1 + 0.02 * normal()),
			 .p99 = 60 * load * (1 + 0.03 * normal()),
			 .rps = 1000 / load * (1 + 0.02 * normal()),
			 .error_pct = 0.1 + 0.02 * normal(),
			 .resources = true,
			 .gen_cpu = 30 * load * (1 + 0.03 * normal()),
			 .host_cpu = 40 * load * (1 + 0.03 * normal()),
			 .host_mem_kb = 2e6 * (1 + 0.01 * normal())};
	return f;
}

START_TEST(train_and_score)
{
	struct lt_analytics_opts o = {.epochs = 300, .seed = 1};
	struct lt_err err = {0};
	const char *scen[] = {"ae"};
	cJSON *r = NULL, *alert = NULL, *alerts = NULL;
	int i;

	rng_state = 8;
	for (i = 0; i < 80; i++) {
		struct figs f = normal_run();
		add_run("ae", i, T0 + i * 3600, &f);
	}
	ck_assert_msg(lt_analytics_train(db, scen, 1, &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(str(r, "vectors"), "run");
	ck_assert_double_eq(num(r, "n_vectors"), 80);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "features")), 9);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "warnings")), 0);
	double threshold = num(r, "threshold");
	ck_assert(threshold > 0);
	cJSON_Delete(r);

	/* Held-out normal runs: few false positives.  Injected anomalies:
	 * p99 three times its usual value, or an error burst. */
	int fp = 0, tp = 0, n_normal = 40, n_bad = 20;
	for (i = 0; i < n_normal; i++) {
		struct figs f = normal_run();
		char id[32];
		add_run("ae", 100 + i, T0 + (100 + i) * 3600, &f);
		snprintf(id, sizeof id, "ae-%04d", 100 + i);
		ck_assert_msg(lt_analytics_anomaly(db, id, &o, &r, &alert, &err) == LT_OK, "%s",
			      lt_errmsg(&err));
		fp += cJSON_IsTrue(lt_ndjson_get(r, "anomalous"));
		ck_assert((alert != NULL) == cJSON_IsTrue(lt_ndjson_get(r, "anomalous")));
		cJSON_Delete(r);
		cJSON_Delete(alert);
	}
	for (i = 0; i < n_bad; i++) {
		struct figs f = normal_run();
		char id[32];
		if (i % 2)
			f.error_pct = 5;
		else
			f.p99 *= 3;
		add_run("ae", 200 + i, T0 + (200 + i) * 3600, &f);
		snprintf(id, sizeof id, "ae-%04d", 200 + i);
		ck_assert(lt_analytics_anomaly(db, id, &o, &r, &alert, &err) == LT_OK);
		if (cJSON_IsTrue(lt_ndjson_get(r, "anomalous"))) {
			tp++;
			const char *top = str(r, "top_features[0].feature");
			ck_assert_str_eq(top, i % 2 ? "errorRate" : "responseTime.p99");
			ck_assert_str_eq(str(alert, "metric"), top);
			ck_assert_str_eq(str(alert, "method"), "autoencoder");
			ck_assert_str_eq(str(alert, "type"), "alert");
		}
		cJSON_Delete(r);
		cJSON_Delete(alert);
	}
	printf("autoencoder (per-run, 80 training runs): recall %d/%d, false positives %d/%d\n", tp,
	       n_bad, fp, n_normal);
	ck_assert_int_ge(tp * 10, n_bad * 9);
	ck_assert_int_le(fp * 20, n_normal);

	/* Scoring again records no second alert. */
	ck_assert(lt_db_alerts_list(db, "ae", false, 0, &alerts, &err) == LT_OK);
	int before = cJSON_GetArraySize(alerts);
	cJSON_Delete(alerts);
	ck_assert(lt_analytics_anomaly(db, "ae-0200", &o, &r, &alert, &err) == LT_OK);
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "anomalous")));
	ck_assert_str_eq(str(r, "alert_id"), str(alert, "alert_id"));
	cJSON_Delete(r);
	cJSON_Delete(alert);
	ck_assert(lt_db_alerts_list(db, "ae", false, 0, &alerts, &err) == LT_OK);
	ck_assert_int_eq(cJSON_GetArraySize(alerts), before);
	ck_assert_int_eq(before, tp + fp);
	cJSON_Delete(alerts);
}
END_TEST

START_TEST(train_needs_vectors)
{
	struct lt_analytics_opts o = {.epochs = 50};
	struct lt_err err = {0};
	const char *scen[] = {"few"};
	cJSON *r = NULL;

	rng_state = 9;
	for (int i = 0; i < 5; i++) {
		struct figs f = normal_run();
		f.seconds = 30;
		add_run("few", i, T0 + i * 3600, &f);
	}
	ck_assert_int_eq(lt_analytics_train(db, scen, 1, &o, &r, &err), LT_EINVAL);
	ck_assert_msg(strstr(err.msg, "at least 8") && strstr(err.msg, "--per-second"), "%s", err.msg);
	/* Per second: 5 runs of 30 steady seconds. */
	o.per_second = true;
	ck_assert_msg(lt_analytics_train(db, scen, 1, &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_str_eq(str(r, "vectors"), "second");
	ck_assert_double_eq(num(r, "n_vectors"), 150);
	ck_assert_double_eq(num(r, "runs_used"), 5);
	cJSON_Delete(r);
	/* A normal run and one with every second three times slower at p99. */
	struct figs f = normal_run();
	f.seconds = 30;
	add_run("few", 10, T0 + 10 * 3600, &f);
	f.p99 *= 3;
	add_run("few", 11, T0 + 11 * 3600, &f);
	ck_assert(lt_analytics_anomaly(db, "few-0010", &o, &r, NULL, &err) == LT_OK);
	ck_assert(cJSON_IsFalse(lt_ndjson_get(r, "anomalous")));
	ck_assert_double_eq(num(r, "seconds"), 30);
	cJSON_Delete(r);
	ck_assert(lt_analytics_anomaly(db, "few-0011", &o, &r, NULL, &err) == LT_OK);
	ck_assert(cJSON_IsTrue(lt_ndjson_get(r, "anomalous")));
	ck_assert_str_eq(str(r, "top_features[0].feature"), "sample.latency_ms.p99");
	ck_assert(num(r, "anomalous_seconds") > 20);
	cJSON_Delete(r);
	/* Fewer than 50 vectors: a warning. */
	o.per_second = false;
	for (int i = 20; i < 32; i++) {
		f = normal_run();
		add_run("few", i, T0 + i * 3600, &f);
	}
	ck_assert_msg(lt_analytics_train(db, scen, 1, &o, &r, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "warnings")), 1);
	cJSON_Delete(r);
}
END_TEST

START_TEST(model_of_other_features)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	struct lt_anomaly_model *m = NULL;
	const char *names[] = {"cpu", "disk"}, *scen[] = {"other"};
	double X[40];
	char *text = NULL;
	cJSON *feats = cJSON_CreateArray(), *r = NULL;

	rng_state = 10;
	for (int i = 0; i < 40; i++)
		X[i] = normal();
	ck_assert(lt_anomaly_train(X, 20, 2, names, NULL, &m, &err) == LT_OK);
	ck_assert(lt_anomaly_to_text(m, &text, &err) == LT_OK);
	cJSON_AddItemToArray(feats, cJSON_CreateString("cpu"));
	cJSON_AddItemToArray(feats, cJSON_CreateString("disk"));
	struct figs f = normal_run();
	add_run("other", 0, T0, &f);
	ck_assert(lt_db_anomaly_model_add(db, scen, 1, feats, text, 1, 20, NULL, &err) == LT_OK);
	ck_assert_int_eq(lt_analytics_anomaly(db, "other-0000", &o, &r, NULL, &err), LT_EINVAL);
	ck_assert_msg(strstr(err.msg, "other features") && strstr(err.msg, "'cpu'"), "%s", err.msg);
	/* No model at all. */
	add_run("none", 0, T0, &f);
	ck_assert_int_eq(lt_analytics_anomaly(db, "none-0000", &o, &r, NULL, &err), LT_ENOTFOUND);
	ck_assert_msg(strstr(err.msg, "lt-regress train none"), "%s", err.msg);
	free(text);
	lt_anomaly_free(m);
	cJSON_Delete(feats);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_input)
{
	struct lt_analytics_opts o = {0};
	struct lt_err err = {0};
	double v[3] = {1, NAN, 3};
	cJSON *r = NULL;

	add_series("two", (double[]){1, 2}, 2, 86400);
	ck_assert_int_eq(lt_analytics_trend(db, "two", &o, &r, &err), LT_EINVAL);
	ck_assert_str_eq(err.msg, "trend needs at least 3 runs; scenario two has 2 with responseTime.p95");
	ck_assert_int_eq(lt_analytics_changepoints(db, "two", &o, &r, &err), LT_EINVAL);
	ck_assert_msg(strstr(err.msg, "at least 6 runs"), "%s", err.msg);
	ck_assert_int_eq(lt_analytics_trend(db, "nope", &o, &r, &err), LT_ENOTFOUND);
	ck_assert_str_eq(err.msg, "unknown scenario 'nope': no run of it is recorded");
	o.metric = "responseTime.p96";
	ck_assert_int_eq(lt_analytics_trend(db, "two", &o, &r, &err), LT_EINVAL);
	ck_assert_msg(strstr(err.msg, "unknown metric 'responseTime.p96'"), "%s", err.msg);
	o.metric = NULL;
	o.values = v;
	o.n_values = 3;
	o.values_name = "x.txt";
	ck_assert_int_eq(lt_analytics_trend(NULL, NULL, &o, &r, &err), LT_EINVAL);
	ck_assert_str_eq(err.msg, "x.txt: value 2 is not a finite number");
	ck_assert_int_eq(lt_analytics_correlate(db, "two", &o, &r, &err), LT_EUSAGE);
	o.values = NULL;
	ck_assert_int_eq(lt_analytics_correlate(db, "two", &o, &r, &err), LT_EINVAL);
	o.alpha = 2;
	ck_assert_int_eq(lt_analytics_trend(db, "two", &o, &r, &err), LT_EINVAL);
	/* A constant series is an answer, not an error. */
	double c[8] = {5, 5, 5, 5, 5, 5, 5, 5};
	struct lt_analytics_opts k = {.values = c, .n_values = 8};
	ck_assert(lt_analytics_trend(NULL, NULL, &k, &r, &err) == LT_OK);
	ck_assert_str_eq(str(r, "direction"), "none");
	cJSON_Delete(r);
	ck_assert(lt_analytics_changepoints(NULL, NULL, &k, &r, &err) == LT_OK);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(r, "changepoints")), 0);
	cJSON_Delete(r);
	ck_assert(lt_analytics_forecast(NULL, NULL, &k, &r, &err) == LT_OK);
	ck_assert_double_eq(num(r, "forecast[0].value"), 5);
	cJSON_Delete(r);
}
END_TEST

/* ---- the history at a checked run (lt-regress check and watch) ---- */

/* A verdict of run i of scenario as lt_regress_check makes it, with only
 * the fields lt_analytics_check_history and lt_db_check_record read. */
static cJSON *verdict_of(const char *scenario, int i, const char *status)
{
	char buf[512];
	snprintf(buf, sizeof buf,
		 "{\"type\":\"verdict\",\"v\":1,\"check_id\":\"check-%s-%d\",\"scenario_id\":\"%s\","
		 "\"run_id\":\"%s-%04d\",\"environment\":\"default\",\"model\":\"history\","
		 "\"status\":\"%s\",\"metrics\":[],\"alerts\":0}", scenario, i, scenario, scenario, i,
		 status);
	cJSON *v = cJSON_Parse(buf);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* Check run i: its findings, recorded as check would record them.  The
 * alerts on responseTime.p95 of method are counted into *count; *v_out
 * (may be NULL) gets the verdict. */
static void check_run(const char *scenario, int i, const char *method, int *count,
		      cJSON **v_out)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0};
	cJSON *v = verdict_of(scenario, i, "pass"), **alerts = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_msg(lt_analytics_check_history(db, cfg, v, &alerts, &n, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq((int)num(v, "alerts"), (int)n);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(v, "findings")), (int)n);
	ck_assert_str_eq(str(v, "status"), n ? "warning" : "pass");
	for (size_t k = 0; k < n; k++) {
		ck_assert_str_eq(str(alerts[k], "type"), "alert");
		ck_assert_str_eq(str(alerts[k], "severity"), "warning");
		ck_assert_str_eq(str(alerts[k], "run_id"), str(v, "run_id"));
		const cJSON *f = cJSON_GetArrayItem(lt_ndjson_get(v, "findings"), (int)k);
		ck_assert_str_eq(str(f, "alert_id"), str(alerts[k], "alert_id"));
		ck_assert_str_eq(str(f, "method"), str(alerts[k], "method"));
		if (!strcmp(str(alerts[k], "metric"), "responseTime.p95") &&
		    !strcmp(str(alerts[k], "method"), method))
			(*count)++;
	}
	ck_assert_msg(lt_db_check_record(db, v, alerts, n, &err) == LT_OK, "%s", lt_errmsg(&err));
	for (size_t k = 0; k < n; k++)
		cJSON_Delete(alerts[k]);
	free(alerts);
	lt_regress_config_free(cfg);
	if (v_out)
		*v_out = v;
	else
		cJSON_Delete(v);
}

START_TEST(check_step_is_told_once)
{
	double v[26];
	int before = 0, after = 0;
	cJSON *last = NULL;

	/* 20 runs at 100 ms, then 6 at 130 ms (noise 2 ms): the step is told
	 * once, by the check of one of the new regime's first runs, and the
	 * checks of the steady runs before say nothing. */
	rng_state = 7;
	for (int i = 0; i < 26; i++)
		v[i] = (i < 20 ? 100 : 130) + 2 * normal();
	add_series("cstep", v, 26, 86400);
	for (int i = 10; i < 20; i++)
		check_run("cstep", i, "changepoint", &before, NULL);
	ck_assert_int_eq(before, 0);
	int told_at = -1;
	for (int i = 20; i < 26; i++) {
		int was = after;
		cJSON *vd = NULL;
		check_run("cstep", i, "changepoint", &after, &vd);
		if (after > was) {
			told_at = i;
			cJSON_Delete(last);
			last = vd;
		} else {
			cJSON_Delete(vd);
		}
	}
	ck_assert_int_eq(after, 1);
	ck_assert_int_ge(told_at, 22);  /* a regime needs 3 runs */
	const cJSON *f, *cp = NULL;
	cJSON_ArrayForEach(f, lt_ndjson_get(last, "findings"))
		if (!strcmp(str(f, "metric"), "responseTime.p95") &&
		    !strcmp(str(f, "method"), "changepoint"))
			cp = f;
	ck_assert_ptr_nonnull(cp);
	ck_assert_double_eq_tol(num(cp, "mean_before"), 100, 2);
	ck_assert_double_eq_tol(num(cp, "mean_after"), 130, 3);
	ck_assert_double_eq_tol(num(cp, "change_pct"), 30, 4);
	ck_assert_int_eq((int)(num(cp, "index") + num(cp, "runs_ago")) + 1, (int)num(cp, "runs"));
	ck_assert(num(cp, "p_value") <= 0.05);
	printf("check: a step of 30 %% at run 20 told once, by the check of run %d "
	       "(regime from %s)\n", told_at, str(cp, "run_id"));
	cJSON_Delete(last);
}
END_TEST

START_TEST(check_trend_and_noise)
{
	double v[30];
	int trend = 0, none = 0;
	cJSON *vd = NULL;

	/* Rising 1 % a run (30 % over the window, 2 % noise): a trend at the
	 * newest run, worse for latency. */
	rng_state = 11;
	for (int i = 0; i < 30; i++)
		v[i] = 100 * (1 + 0.01 * i) + 2 * normal();
	add_series("drift", v, 30, 86400);
	check_run("drift", 29, "trend", &trend, &vd);
	ck_assert_int_eq(trend, 1);
	const cJSON *f, *t = NULL;
	cJSON_ArrayForEach(f, lt_ndjson_get(vd, "findings"))
		if (!strcmp(str(f, "metric"), "responseTime.p95") && !strcmp(str(f, "method"), "trend"))
			t = f;
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(str(t, "direction"), "increasing");
	ck_assert_double_eq_tol(num(t, "slope_per_run"), 1, 0.3);
	ck_assert(num(t, "change_pct") >= 10);
	ck_assert(num(t, "p_value") <= 0.05);
	ck_assert_int_eq((int)num(t, "runs"), 30);
	cJSON_Delete(vd);

	/* Falling latency is better: no trend alert, no change point. */
	for (int i = 0; i < 30; i++)
		v[i] = 100 * (1 - 0.01 * i) + 2 * normal();
	add_series("faster", v, 30, 86400);
	check_run("faster", 29, "trend", &none, NULL);
	check_run("faster", 28, "changepoint", &none, NULL);
	ck_assert_int_eq(none, 0);

	/* Noise around a level: nothing, at any of the last runs. */
	for (int i = 0; i < 30; i++)
		v[i] = 100 + 2 * normal();
	add_series("flat", v, 30, 86400);
	for (int i = 20; i < 30; i++) {
		check_run("flat", i, "trend", &none, NULL);
		check_run("flat", i, "changepoint", &none, NULL);
	}
	ck_assert_int_eq(none, 0);
}
END_TEST

START_TEST(check_history_too_short_or_inconclusive)
{
	struct lt_regress_config *cfg = lt_regress_config_new();
	struct lt_err err = {0};
	double v[12];
	cJSON **alerts = NULL;
	size_t n = 0;

	/* Seven runs are too few, whatever they do. */
	for (int i = 0; i < 12; i++)
		v[i] = i < 4 ? 100 : 200 + 10 * i;
	add_series("short", v, 7, 86400);
	cJSON *vd = verdict_of("short", 6, "pass");
	ck_assert_msg(lt_analytics_check_history(db, cfg, vd, &alerts, &n, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq((int)n, 0);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(vd, "findings")), 0);
	ck_assert_str_eq(str(vd, "status"), "pass");
	cJSON_Delete(vd);
	free(alerts);
	alerts = NULL;

	/* An inconclusive verdict is not judged by its history either. */
	add_series("long", v, 12, 86400);
	vd = verdict_of("long", 11, "inconclusive");
	ck_assert_msg(lt_analytics_check_history(db, cfg, vd, &alerts, &n, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	ck_assert_int_eq((int)n, 0);
	ck_assert_str_eq(str(vd, "status"), "inconclusive");
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(vd, "findings")), 0);
	cJSON_Delete(vd);
	free(alerts);

	/* A run the history does not hold (not complete, unknown): nothing. */
	alerts = NULL;
	vd = verdict_of("long", 99, "pass");
	ck_assert(lt_analytics_check_history(db, cfg, vd, &alerts, &n, &err) == LT_OK);
	ck_assert_int_eq((int)n, 0);
	cJSON_Delete(vd);
	free(alerts);

	/* Not a verdict: refused, nothing changed. */
	vd = cJSON_Parse("{\"type\":\"verdict\"}");
	alerts = NULL;
	ck_assert(lt_analytics_check_history(db, cfg, vd, &alerts, &n, &err) == LT_EINVAL);
	ck_assert_ptr_null(lt_ndjson_get(vd, "findings"));
	cJSON_Delete(vd);
	lt_regress_config_free(cfg);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("analytics");
	TCase *tc = tcase_create("analytics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, step_is_one_changepoint);
	tcase_add_test(tc, spike_is_an_outlier);
	tcase_add_test(tc, changepoints_of_a_given_series);
	tcase_add_test(tc, rising_series_trend);
	tcase_add_test(tc, trend_reference_values);
	tcase_add_test(tc, flat_noise_has_no_trend);
	tcase_add_test(tc, periodic_series_period);
	tcase_add_test(tc, noise_and_lines_have_no_season);
	tcase_add_test(tc, forecast_crossing_time);
	tcase_add_test(tc, forecast_seasonal);
	tcase_add_test(tc, correlate_runs);
	tcase_add_test(tc, train_and_score);
	tcase_add_test(tc, train_needs_vectors);
	tcase_add_test(tc, model_of_other_features);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, check_step_is_told_once);
	tcase_add_test(tc, check_trend_and_noise);
	tcase_add_test(tc, check_history_too_short_or_inconclusive);
	suite_add_tcase(s, tc);
	return s;
}
