/* analytics.c -- trend, change points, seasonality, correlation, forecast,
 * autoencoder training and scoring over a scenario's history (analytics.h
 * has the contract). */
#include "analytics.h"
#include "ndjson.h"
#include "regress.h"
#include "scenario.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON helpers: non-finite numbers become null ---- */

static bool put(cJSON *o, const char *k, cJSON *x)
{
	if (!x)
		return false;
	if (!cJSON_AddItemToObject(o, k, x)) {
		cJSON_Delete(x);
		return false;
	}
	return true;
}

static bool put_num(cJSON *o, const char *k, double v)
{
	return put(o, k, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static bool put_str(cJSON *o, const char *k, const char *s)
{
	return put(o, k, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static bool put_bool(cJSON *o, const char *k, bool b)
{
	return put(o, k, cJSON_CreateBool(b));
}

static cJSON *put_obj(cJSON *o, const char *k)
{
	cJSON *x = cJSON_CreateObject();
	return put(o, k, x) ? x : NULL;
}

static cJSON *put_arr(cJSON *o, const char *k)
{
	cJSON *x = cJSON_CreateArray();
	return put(o, k, x) ? x : NULL;
}

static bool push(cJSON *a, cJSON *x)
{
	if (!x)
		return false;
	if (!cJSON_AddItemToArray(a, x)) {
		cJSON_Delete(x);
		return false;
	}
	return true;
}

static bool push_num(cJSON *a, double v)
{
	return push(a, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static bool put_pair(cJSON *o, const char *k, double lo, double hi)
{
	cJSON *a = put_arr(o, k);
	return a && push_num(a, lo) && push_num(a, hi);
}

/* A k x k row-major matrix as an array of arrays. */
static bool put_matrix(cJSON *o, const char *k, const double *m, size_t dim)
{
	cJSON *a = put_arr(o, k);
	bool ok = a != NULL;
	for (size_t i = 0; ok && i < dim; i++) {
		cJSON *row = cJSON_CreateArray();
		ok = push(a, row);
		for (size_t j = 0; ok && j < dim; j++)
			ok = push_num(row, m[i * dim + j]);
	}
	return ok;
}

static lt_rc oom(struct lt_err *err)
{
	return lt_err_set(err, LT_ENOMEM, "out of memory");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- options ---- */

static lt_rc check_metric(const char *metric, struct lt_err *err)
{
	char names[400] = "";
	const char *name;
	size_t len = 0;

	if (lt_regress_direction(metric) != 0)
		for (size_t i = 0; (name = lt_ndjson_metric_name(i)); i++)
			if (!strcmp(name, metric))
				return LT_OK;
	for (size_t i = 0; (name = lt_ndjson_metric_name(i)) && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", name);
	return lt_err_set(err, LT_EINVAL, "unknown metric '%s' (expected one of %s)", metric, names);
}

static lt_rc check_opts(const struct lt_analytics_opts *o, struct lt_err *err)
{
	if (o->alpha != 0 && !(o->alpha > 0 && o->alpha < 1))
		return lt_err_set(err, LT_EINVAL, "alpha must be between 0 and 1, got %g", o->alpha);
	if (o->level != 0 && !(o->level > 0 && o->level < 1))
		return lt_err_set(err, LT_EINVAL, "level must be between 0 and 1, got %g", o->level);
	if (o->quantile != 0 && !(o->quantile > 0 && o->quantile < 1))
		return lt_err_set(err, LT_EINVAL, "quantile must be between 0 and 1, got %g",
				  o->quantile);
	if (o->horizon > LT_ANALYTICS_MAX_HORIZON)
		return lt_err_set(err, LT_ELIMIT, "horizon: at most %u runs, got %zu",
				  LT_ANALYTICS_MAX_HORIZON, o->horizon);
	if (o->has_threshold && !isfinite(o->threshold))
		return lt_err_set(err, LT_EINVAL, "threshold: not a finite number");
	return check_metric(o->metric ? o->metric : LT_ANALYTICS_METRIC, err);
}

/* ---- a metric's series ---- */

struct series {
	size_t n;
	double *v;                   /* values, oldest first */
	const char *metric;
	const char *scenario_id;     /* NULL for a series given by the caller */
	const char *input;           /* its name; NULL for the database */
	struct lt_db_series *db;     /* run ids and times; NULL for the caller's */
};

static void series_free(struct series *s)
{
	free(s->v);
	lt_db_series_free(s->db);
	memset(s, 0, sizeof *s);
}

static const char *run_of(const struct series *s, size_t i)
{
	return s->db ? s->db->points[i].run_id : NULL;
}

static const char *at_of(const struct series *s, size_t i)
{
	return s->db ? s->db->points[i].at : NULL;
}

/* True when every value has a start time. */
static bool has_times(const struct series *s)
{
	if (!s->db)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (!isfinite(s->db->points[i].t))
			return false;
	return true;
}

/* Why a scenario has no values: unknown, or none of its complete runs has
 * the metric.  Both LT_ENOTFOUND. */
static lt_rc no_history(struct lt_db *db, const char *scenario_id, const char *metric,
			struct lt_err *err)
{
	cJSON *row = NULL;
	lt_rc rc = lt_db_scenario_get(db, scenario_id, &row, err);

	cJSON_Delete(row);
	if (rc == LT_ENOTFOUND)
		return lt_err_set(err, LT_ENOTFOUND, "unknown scenario '%s': no run of it is recorded",
				  scenario_id);
	if (rc != LT_OK)
		return rc;
	return lt_err_set(err, LT_ENOTFOUND, "scenario %s has no complete run with %s", scenario_id,
			  metric);
}

/* The newest window values of the caller's series or of the scenario's
 * history; at least min_n of them, else LT_EINVAL naming command. */
static lt_rc load_series(struct lt_db *db, const char *scenario_id,
			 const struct lt_analytics_opts *o, size_t default_window, size_t min_n,
			 const char *command, struct series *s, struct lt_err *err)
{
	size_t window = o->window ? o->window : default_window;
	lt_rc rc;

	memset(s, 0, sizeof *s);
	if ((rc = check_opts(o, err)) != LT_OK)
		return rc;
	s->metric = o->metric ? o->metric : LT_ANALYTICS_METRIC;
	if (o->values) {
		size_t from = o->n_values > window ? o->n_values - window : 0;
		s->input = o->values_name ? o->values_name : "<input>";
		s->n = o->n_values - from;
		if (s->n && !(s->v = malloc(s->n * sizeof *s->v)))
			return oom(err);
		for (size_t i = 0; i < s->n; i++) {
			s->v[i] = o->values[from + i];
			if (!isfinite(s->v[i])) {
				series_free(s);
				return lt_err_set(err, LT_EINVAL, "%s: value %zu is not a finite number",
						  o->values_name ? o->values_name : "<input>", from + i + 1);
			}
		}
	} else {
		if (!db || !scenario_id || !*scenario_id)
			return lt_err_set(err, LT_EUSAGE, "%s: a scenario (or a series) is needed",
					  command);
		s->scenario_id = scenario_id;
		if ((rc = lt_db_metric_history(db, scenario_id, s->metric, window, &s->db, err)))
			return rc;
		if (s->db->n == 0) {
			series_free(s);
			return no_history(db, scenario_id, o->metric ? o->metric : LT_ANALYTICS_METRIC,
					  err);
		}
		s->n = s->db->n;
		if (!(s->v = malloc(s->n * sizeof *s->v))) {
			series_free(s);
			return oom(err);
		}
		for (size_t i = 0; i < s->n; i++)
			s->v[i] = s->db->points[i].value;
		s->metric = o->metric ? o->metric : LT_ANALYTICS_METRIC;
	}
	if (s->n < min_n) {
		if (s->input)
			lt_err_set(err, LT_EINVAL, "%s needs at least %zu values; %s has %zu", command,
				   min_n, s->input, s->n);
		else
			lt_err_set(err, LT_EINVAL, "%s needs at least %zu runs; scenario %s has %zu with %s",
				   command, min_n, s->scenario_id, s->n, s->metric);
		series_free(s);
		return LT_EINVAL;
	}
	return LT_OK;
}

/* The fields every single-series result starts with. */
static cJSON *result_new(const char *type, const struct series *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (!put_str(o, "type", type) || !put_num(o, "v", 1) ||
	    !put_str(o, "scenario_id", s->scenario_id) || !put_str(o, "input", s->input) ||
	    !put_str(o, "metric", s->metric) || !put_num(o, "n", (double)s->n)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static bool put_point(cJSON *o, const char *k, const struct series *s, size_t i)
{
	cJSON *p = put_obj(o, k);
	return p && put_num(p, "index", (double)i) && put_str(p, "run_id", run_of(s, i)) &&
	       put_str(p, "at", at_of(s, i));
}

static double change_pct(double before, double after)
{
	return before != 0 ? 100 * (after - before) / fabs(before) : 0;
}

/* null when the metric has no worse direction (never for lt's metrics). */
static bool put_worse(cJSON *o, const char *metric, int sign)
{
	int dir = lt_regress_direction(metric);
	if (!dir || !sign)
		return put(o, "worse", cJSON_CreateNull());
	return put_bool(o, "worse", dir == sign);
}

/* ---- trend ---- */

lt_rc lt_analytics_trend(struct lt_db *db, const char *scenario_id,
			 const struct lt_analytics_opts *o, cJSON **out, struct lt_err *err)
{
	struct series s;
	struct lt_stats_mk mk;
	struct lt_stats_sen sen, sen_day;
	struct lt_stats_desc desc;
	double alpha = o->alpha ? o->alpha : 0.05, *days = NULL;
	bool per_day = false;
	cJSON *r = NULL, *x;
	lt_rc rc;

	if ((rc = load_series(db, scenario_id, o, LT_ANALYTICS_TREND_WINDOW, 3, "trend", &s, err)))
		return rc;
	if ((rc = lt_stats_mann_kendall(s.v, s.n, &mk, err)) ||
	    (rc = lt_stats_sen(NULL, s.v, s.n, 0.95, &sen, err)) ||
	    (rc = lt_stats_describe(s.v, s.n, &desc, err)))
		goto fail;
	if (has_times(&s)) {
		if (!(days = malloc(s.n * sizeof *days))) {
			rc = oom(err);
			goto fail;
		}
		for (size_t i = 0; i < s.n; i++)
			days[i] = (s.db->points[i].t - s.db->points[0].t) / 86400;
		/* Runs that all started at one instant have no per-day slope:
		 * that is a missing figure, not an error of the trend. */
		per_day = lt_stats_sen(days, s.v, s.n, 0.95, &sen_day, NULL) == LT_OK;
	}
	bool significant = mk.p.two_sided <= alpha && mk.s != 0;
	int sign = significant ? (mk.s > 0 ? 1 : -1) : 0;
	rc = LT_ENOMEM;
	if (!(r = result_new("trend", &s)) || !put_point(r, "first", &s, 0) ||
	    !put_point(r, "last", &s, s.n - 1) ||
	    !put_str(r, "direction", sign > 0 ? "increasing" : sign < 0 ? "decreasing" : "none") ||
	    !put_bool(r, "significant", significant) || !put_num(r, "alpha", alpha) ||
	    !put_worse(r, s.metric, sign) || !(x = put_obj(r, "mann_kendall")) ||
	    !put_num(x, "s", mk.s) || !put_num(x, "var_s", mk.var_s) || !put_num(x, "z", mk.z) ||
	    !put_num(x, "tau", mk.tau) || !put_num(x, "p_value", mk.p.two_sided) ||
	    !put_num(x, "p_greater", mk.p.greater) || !put_num(x, "p_less", mk.p.less) ||
	    !(x = put_obj(r, "sen")) || !put_num(x, "slope_per_run", sen.slope) ||
	    !put_pair(x, "ci95_per_run", sen.ci_low, sen.ci_high) ||
	    !put_num(x, "intercept", sen.intercept) ||
	    !put_num(x, "slope_per_day", per_day ? sen_day.slope : NAN) ||
	    !(per_day ? put_pair(x, "ci95_per_day", sen_day.ci_low, sen_day.ci_high)
		      : put(x, "ci95_per_day", cJSON_CreateNull())) ||
	    !put_num(x, "slope_pct_per_run",
		     desc.median != 0 ? 100 * sen.slope / fabs(desc.median) : NAN) ||
	    !put_num(x, "median", desc.median)) {
		oom(err);
		goto fail;
	}
	*out = r;
	r = NULL;
	rc = LT_OK;
fail:
	cJSON_Delete(r);
	free(days);
	series_free(&s);
	return rc;
}

/* ---- change points ---- */

lt_rc lt_analytics_changepoints(struct lt_db *db, const char *scenario_id,
				const struct lt_analytics_opts *o, cJSON **out,
				struct lt_err *err)
{
	struct lt_changepoint_opts co = o->changepoint;
	struct lt_changepoint_result *cp = NULL;
	size_t min_size = co.min_size ? co.min_size : LT_CHANGEPOINT_MIN_SIZE;
	struct series s;
	cJSON *r = NULL, *x, *list;
	lt_rc rc;

	co.p_value = o->alpha;
	co.seed = o->seed;
	if (min_size < 2)
		return lt_err_set(err, LT_EINVAL, "min_size must be at least 2, got %zu", min_size);
	if ((rc = load_series(db, scenario_id, o, LT_CHANGEPOINT_MAX_N, 2 * min_size,
			      "changepoints", &s, err)))
		return rc;
	if ((rc = lt_changepoint_detect(s.v, s.n, &co, &cp, err)))
		goto fail;
	rc = LT_ENOMEM;
	if (!(r = result_new("changepoints", &s)) ||
	    !put_str(r, "method", "e-divisive means, permutation test") ||
	    !(x = put_obj(r, "parameters")) || !put_num(x, "p_value", cp->opts.p_value) ||
	    !put_num(x, "permutations", cp->opts.permutations) ||
	    !put_num(x, "min_size", (double)cp->opts.min_size) ||
	    !put_num(x, "seed", (double)cp->opts.seed) ||
	    !put_num(x, "outlier_k", cp->opts.keep_outliers ? NAN : cp->opts.outlier_k) ||
	    !put_num(r, "noise_sd", cp->noise_sd) || !(list = put_arr(r, "changepoints")))
		goto nomem;
	for (size_t i = 0; i < cp->n_changepoints; i++) {
		const struct lt_changepoint *c = &cp->changepoints[i];
		int sign = c->mean_after > c->mean_before ? 1 : c->mean_after < c->mean_before ? -1 : 0;
		if (!push(list, x = cJSON_CreateObject()) || !put_num(x, "index", (double)c->index) ||
		    !put_str(x, "run_id", run_of(&s, c->index)) ||
		    !put_str(x, "at", at_of(&s, c->index)) ||
		    !put_num(x, "mean_before", c->mean_before) ||
		    !put_num(x, "mean_after", c->mean_after) ||
		    !put_num(x, "change_pct", c->change_pct) ||
		    !put_str(x, "direction", sign > 0 ? "up" : sign < 0 ? "down" : "none") ||
		    !put_worse(x, s.metric, sign) || !put_num(x, "p_value", c->p_value) ||
		    !put_num(x, "welch_p", c->welch_p) || !put_num(x, "n_before", (double)c->n_before) ||
		    !put_num(x, "n_after", (double)c->n_after))
			goto nomem;
	}
	if (!(list = put_arr(r, "outliers")))
		goto nomem;
	for (size_t i = 0; i < cp->n_outliers; i++) {
		const struct lt_changepoint_outlier *ol = &cp->outliers[i];
		if (!push(list, x = cJSON_CreateObject()) || !put_num(x, "index", (double)ol->index) ||
		    !put_str(x, "run_id", run_of(&s, ol->index)) ||
		    !put_str(x, "at", at_of(&s, ol->index)) || !put_num(x, "value", ol->value) ||
		    !put_num(x, "baseline", ol->baseline) ||
		    !put_num(x, "change_pct", change_pct(ol->baseline, ol->value)))
			goto nomem;
	}
	*out = r;
	r = NULL;
	rc = LT_OK;
	goto fail;
nomem:
	oom(err);
fail:
	cJSON_Delete(r);
	lt_changepoint_result_free(cp);
	series_free(&s);
	return rc;
}

/* ---- seasonality ---- */

struct season {
	struct lt_stats_linfit fit;  /* the line taken out */
	double *resid;               /* the series less the line */
	struct lt_stats_period p;    /* lt_stats_period of resid */
	size_t period;               /* p.period when strong enough, else 0 */
	double *acf;                 /* lags 0..p.max_lag; NULL for a line */
	double *offsets;             /* period of them; NULL without a period */
	double min_strength;         /* season_floor() */
};

/* The autocorrelation a period must reach.  The white-noise bound
 * 1.96/sqrt(n) holds per lag, and the search looks at max_lag - 2 of
 * them: in noise one of them crosses it nearly always.  So the bound is
 * Bonferroni's for the whole search, z_{1 - 0.05 / (2 L)} / sqrt(n) over
 * L lags (5 % of noise series get a period at most, fewer in practice
 * since the peak must also be a local maximum), and never below
 * LT_ANALYTICS_MIN_STRENGTH: a short series' bound alone lets weak
 * seasons through that no forecast should lean on. */
static double season_floor(size_t n, size_t max_lag)
{
	double lags = max_lag > 3 ? (double)(max_lag - 2) : 1;
	double z = gsl_cdf_ugaussian_Qinv(0.05 / (2 * lags));
	return fmax(LT_ANALYTICS_MIN_STRENGTH, z / sqrt((double)n));
}

static void season_free(struct season *z)
{
	free(z->resid);
	free(z->acf);
	free(z->offsets);
	memset(z, 0, sizeof *z);
}

static lt_rc find_season(const double *v, size_t n, struct season *z, struct lt_err *err)
{
	double scale = 0;
	lt_rc rc;

	memset(z, 0, sizeof *z);
	if ((rc = lt_stats_linfit(NULL, v, n, &z->fit, err)))
		return rc;
	if (!(z->resid = malloc(n * sizeof *z->resid)))
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		z->resid[i] = v[i] - (z->fit.intercept + z->fit.slope * (double)i);
		scale = fmax(scale, fabs(v[i]));
	}
	/* A straight line leaves residuals of rounding error only, whose
	 * autocorrelation is noise: no season in that. */
	if (z->fit.residual_sd <= 1e-12 * fmax(scale, 1e-300)) {
		z->p.bound = 1.96 / sqrt((double)n);
		z->p.max_lag = n / 2;
		z->min_strength = season_floor(n, z->p.max_lag);
		return LT_OK;
	}
	if ((rc = lt_stats_period(z->resid, n, 0, &z->p, err)))
		goto fail;
	if (!(z->acf = malloc((z->p.max_lag + 1) * sizeof *z->acf))) {
		rc = oom(err);
		goto fail;
	}
	if ((rc = lt_stats_acf(z->resid, n, z->p.max_lag, z->acf, err)))
		goto fail;
	z->min_strength = season_floor(n, z->p.max_lag);
	/* A season of period P correlates as much at 2P, 3P, ..., and
	 * lt_stats_period takes the highest peak, often a multiple: report
	 * the smallest divisor of it that is a peak above the floor too (the
	 * fundamental period, what "compare with the same phase" needs). */
	for (size_t d = 2; z->p.period && z->p.strength >= z->min_strength && d < z->p.period; d++)
		if (z->p.period % d == 0 && z->acf[d] >= z->min_strength &&
		    z->acf[d] > z->acf[d - 1] && z->acf[d] >= z->acf[d + 1]) {
			z->p.period = d;
			z->p.strength = z->acf[d];
			break;
		}
	if (z->p.period && z->p.strength >= z->min_strength) {
		size_t *count = calloc(z->p.period, sizeof *count);
		z->period = z->p.period;
		if (!count || !(z->offsets = calloc(z->period, sizeof *z->offsets))) {
			free(count);
			rc = oom(err);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			z->offsets[i % z->period] += z->resid[i];
			count[i % z->period]++;
		}
		for (size_t k = 0; k < z->period; k++)
			z->offsets[k] /= (double)count[k];
		free(count);
	}
	return LT_OK;
fail:
	season_free(z);
	return rc;
}

lt_rc lt_analytics_seasonality(struct lt_db *db, const char *scenario_id,
			       const struct lt_analytics_opts *o, cJSON **out,
			       struct lt_err *err)
{
	struct series s;
	struct season z;
	cJSON *r = NULL, *x;
	lt_rc rc;

	if ((rc = load_series(db, scenario_id, o, LT_ANALYTICS_MAX_RUNS, 6, "seasonality", &s, err)))
		return rc;
	if ((rc = find_season(s.v, s.n, &z, err))) {
		series_free(&s);
		return rc;
	}
	bool weak = z.p.period && !z.period;
	if (!(r = result_new("seasonality", &s)) || !put_bool(r, "found", z.period != 0) ||
	    !put_num(r, "period", z.period ? (double)z.period : NAN) ||
	    !put_num(r, "strength", z.period ? z.p.strength : NAN) ||
	    !put_num(r, "bound", z.p.bound) || !put_num(r, "min_strength", z.min_strength) ||
	    !put_num(r, "max_lag", (double)z.p.max_lag) ||
	    !put_num(r, "detrended_slope_per_run", z.fit.slope))
		goto nomem;
	if (weak) {
		if (!(x = put_obj(r, "candidate")) || !put_num(x, "period", (double)z.p.period) ||
		    !put_num(x, "strength", z.p.strength))
			goto nomem;
	} else if (!put(r, "candidate", cJSON_CreateNull())) {
		goto nomem;
	}
	if (z.period) {
		if (!(x = put_arr(r, "phase_offsets")))
			goto nomem;
		for (size_t k = 0; k < z.period; k++)
			if (!push_num(x, z.offsets[k]))
				goto nomem;
		if (!put_num(r, "next_phase", (double)(s.n % z.period)))
			goto nomem;
	} else if (!put(r, "phase_offsets", cJSON_CreateNull()) ||
		   !put(r, "next_phase", cJSON_CreateNull())) {
		goto nomem;
	}
	if (!(x = put_arr(r, "acf")))
		goto nomem;
	for (size_t k = 0; z.acf && k <= z.p.max_lag; k++)
		if (!push_num(x, z.acf[k]))
			goto nomem;
	*out = r;
	season_free(&z);
	series_free(&s);
	return LT_OK;
nomem:
	cJSON_Delete(r);
	season_free(&z);
	series_free(&s);
	return oom(err);
}

/* ---- forecast ---- */

struct limit {
	bool found;
	double value;
	const char *op;          /* "<", "<=", ">", ">=" */
	const char *source;      /* "option", "scenario" */
};

/* The scenario's threshold on metric from the run's config (as run,
 * after command-line overrides), else from the thresholds its summary
 * judged (the same list, for a config lt cannot parse again: an "@file"
 * body that is not there any more). */
static void scenario_limit(struct lt_db *db, const char *run_id, const char *metric,
			   struct limit *lim)
{
	struct lt_db_run *run = NULL;
	struct lt_scenario_set *set = NULL;
	const cJSON *t;

	if (!run_id || lt_db_run_get(db, run_id, &run, NULL) != LT_OK)
		return;
	if (run->run_start && lt_ndjson_get(run->run_start, "config")) {
		char *text = cJSON_PrintUnformatted(lt_ndjson_get(run->run_start, "config"));
		struct lt_scenario *sc;
		if (text && lt_scenario_parse(text, strlen(text), "config", NULL, &set, NULL) == LT_OK &&
		    (sc = lt_scenario_set_get(set, 0))) {
			for (size_t i = 0; i < sc->config.n_thresholds; i++) {
				const struct lt_threshold *th = &sc->config.thresholds[i];
				if (strcmp(th->metric, metric) != 0)
					continue;
				lim->found = true;
				lim->value = th->limit;
				lim->op = lt_scenario_op_name(th->op);
				lim->source = "scenario";
			}
		}
		free(text);
	}
	const cJSON *judged = run->summary ? lt_ndjson_get(run->summary, "thresholds") : NULL;
	cJSON_ArrayForEach(t, judged) {
		const char *m = lt_ndjson_get_str(t, "metric"), *op = lt_ndjson_get_str(t, "op");
		double v;
		if (lim->found || !m || strcmp(m, metric) != 0 || !op || !lt_ndjson_get_num(t, "limit", &v))
			continue;
		static const char *const ops[] = {"<", "<=", ">", ">="};
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(op, ops[i])) {
				lim->found = true;
				lim->value = v;
				lim->op = ops[i];
				lim->source = "scenario";
			}
	}
	lt_scenario_set_free(set);
	lt_db_run_free(run);
}

static bool beyond(const struct limit *lim, double v)
{
	if (lim->op[0] == '<')
		return lim->op[1] ? v > lim->value : v >= lim->value;
	return lim->op[1] ? v < lim->value : v <= lim->value;
}

/* The median time between consecutive runs, NAN without times. */
static double run_interval(const struct series *s)
{
	double *d, med = NAN;
	size_t m = 0;

	if (s->n < 2 || !has_times(s) || !(d = malloc((s->n - 1) * sizeof *d)))
		return NAN;
	for (size_t i = 1; i < s->n; i++)
		d[m++] = s->db->points[i].t - s->db->points[i - 1].t;
	qsort(d, m, sizeof *d, cmp_double);
	med = m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2;
	free(d);
	return med > 0 ? med : NAN;
}

static bool put_time(cJSON *o, const char *k, double t)
{
	char buf[LTI_TIME_LEN];
	if (!isfinite(t))
		return put(o, k, cJSON_CreateNull());
	lti_time_format(t, buf);
	return put_str(o, k, buf);
}

lt_rc lt_analytics_forecast(struct lt_db *db, const char *scenario_id,
			    const struct lt_analytics_opts *o, cJSON **out, struct lt_err *err)
{
	size_t horizon = o->horizon ? o->horizon : LT_ANALYTICS_HORIZON;
	double level = o->level ? o->level : 0.95;
	struct limit lim = {0};
	struct season z = {0};
	struct series s;
	struct lt_stats_linfit fit;
	double seasonal_sd = NAN;
	cJSON *r = NULL, *x, *list;
	lt_rc rc;

	if ((rc = load_series(db, scenario_id, o, LT_ANALYTICS_FORECAST_WINDOW, 3, "forecast", &s,
			      err)))
		return rc;
	if ((rc = lt_stats_linfit(NULL, s.v, s.n, &fit, err)))
		goto fail;
	/* The seasonal part: the mean offset of each phase, and the spread
	 * left once they are taken out, with period - 1 more parameters
	 * spent (the offsets sum to zero over the series). */
	if (s.n >= 6) {
		if ((rc = find_season(s.v, s.n, &z, err)))
			goto fail;
		if (z.period && s.n >= z.period + 3) {
			double sse = 0;
			for (size_t i = 0; i < s.n; i++) {
				double e = z.resid[i] - z.offsets[i % z.period];
				sse += e * e;
			}
			seasonal_sd = sqrt(sse / (double)(s.n - 1 - z.period));
		} else {
			z.period = 0;
		}
	}
	double t_last = has_times(&s) ? s.db->points[s.n - 1].t : NAN;
	double interval = run_interval(&s);
	double tq = gsl_cdf_tdist_Pinv((1 + level) / 2, (double)s.n - 2);

	if (o->has_threshold) {
		lim.found = true;
		lim.value = o->threshold;
		lim.op = lt_regress_direction(s.metric) < 0 ? ">=" : "<=";
		lim.source = "option";
	} else if (db && s.db) {
		scenario_limit(db, run_of(&s, s.n - 1), s.metric, &lim);
	}

	rc = LT_ENOMEM;
	if (!(r = result_new("forecast", &s)) ||
	    !put_str(r, "model", z.period ? "linear+seasonal" : "linear") ||
	    !put_num(r, "level", level) || !(x = put_obj(r, "fit")) ||
	    !put_num(x, "slope_per_run", fit.slope) || !put_num(x, "intercept", fit.intercept) ||
	    !put_num(x, "r2", fit.r2) || !put_num(x, "residual_sd", fit.residual_sd))
		goto nomem;
	if (z.period) {
		if (!(x = put_obj(r, "seasonal")) || !put_num(x, "period", (double)z.period) ||
		    !put_num(x, "strength", z.p.strength) || !put_num(x, "residual_sd", seasonal_sd) ||
		    !(list = put_arr(x, "offsets")))
			goto nomem;
		for (size_t k = 0; k < z.period; k++)
			if (!push_num(list, z.offsets[k]))
				goto nomem;
	} else if (!put(r, "seasonal", cJSON_CreateNull())) {
		goto nomem;
	}
	if (!put_num(r, "run_interval_s", interval) || !put_num(r, "horizon", (double)horizon) ||
	    !(list = put_arr(r, "forecast")))
		goto nomem;
	for (size_t h = 1; h <= horizon; h++) {
		double xi = (double)(s.n - 1 + h), y, lo, hi;
		struct lt_stats_prediction pr;
		if ((rc = lt_stats_linfit_predict(&fit, xi, level, &pr, err)))
			goto fail;
		rc = LT_ENOMEM;
		y = pr.y;
		lo = pr.low;
		hi = pr.high;
		if (z.period) {
			/* The line's se of a new value is sqrt(residual_sd² +
			 * var(line)): swap the line's residual spread for the
			 * one left after the phase offsets. */
			double var_line = pr.se * pr.se - fit.residual_sd * fit.residual_sd;
			double se = sqrt(fmax(var_line, 0) + seasonal_sd * seasonal_sd);
			y += z.offsets[(s.n - 1 + h) % z.period];
			lo = y - tq * se;
			hi = y + tq * se;
		}
		if (!push(list, x = cJSON_CreateObject()) || !put_num(x, "step", (double)h) ||
		    !put_num(x, "index", xi) || !put_time(x, "at", t_last + (double)h * interval) ||
		    !put_num(x, "value", y) || !put_num(x, "low", lo) || !put_num(x, "high", hi) ||
		    !put_num(x, "linear", pr.y))
			goto nomem;
	}
	if (!lim.found) {
		if (!put(r, "threshold", cJSON_CreateNull()))
			goto nomem;
	} else {
		double x_at = NAN, ahead = NAN;
		bool crosses = false;
		lt_stats_direction dir = lim.op[0] == '<' ? LT_STATS_RISING : LT_STATS_FALLING;
		if ((rc = lt_stats_linfit_crossing(&fit, lim.value, dir, &x_at, &crosses, err)))
			goto fail;
		rc = LT_ENOMEM;
		if (crosses)
			ahead = x_at - (double)(s.n - 1);
		const char *status = !crosses ? "never" : ahead <= 0 ? "crossed" : "expected";
		bool future = crosses && ahead > 0;
		if (!(x = put_obj(r, "threshold")) || !put_num(x, "value", lim.value) ||
		    !put_str(x, "op", lim.op) || !put_str(x, "source", lim.source) ||
		    !put_str(x, "status", status) || !put_num(x, "runs_ahead", future ? ahead : NAN) ||
		    !put_num(x, "index", crosses ? x_at : NAN) ||
		    !put_time(x, "at", future ? t_last + ahead * interval : NAN) ||
		    !put_bool(x, "within_horizon", future && ahead <= (double)horizon) ||
		    !put_bool(x, "last_value_beyond", beyond(&lim, s.v[s.n - 1])))
			goto nomem;
	}
	*out = r;
	r = NULL;
	rc = LT_OK;
	goto fail;
nomem:
	oom(err);
fail:
	cJSON_Delete(r);
	season_free(&z);
	series_free(&s);
	return rc;
}

/* ---- run features ---- */

static const struct {
	const char *name;
	const char *metric;   /* for lt_ndjson_metric, or NULL */
	const char *path;     /* in the summary, when metric is NULL */
} run_features[LT_ANALYTICS_RUN_FEATURES] = {
	{"responseTime.p50", "responseTime.p50", NULL},
	{"responseTime.p90", "responseTime.p90", NULL},
	{"responseTime.p95", "responseTime.p95", NULL},
	{"responseTime.p99", "responseTime.p99", NULL},
	{"throughput.avg", "throughput.avg", NULL},
	{"errorRate", "errorRate", NULL},
	{"generator.cpu_pct", NULL, "resources.generator.cpu_pct_mean"},
	{"host.cpu_pct", NULL, "resources.host.cpu_pct_mean"},
	{"host.mem_used_kb", NULL, "resources.host.mem_used_kb_max"},
};

const char *lt_analytics_run_feature(size_t i)
{
	return i < LT_ANALYTICS_RUN_FEATURES ? run_features[i].name : NULL;
}

bool lt_analytics_run_value(const cJSON *summary, size_t i, double *value)
{
	double v;
	if (!summary || i >= LT_ANALYTICS_RUN_FEATURES)
		return false;
	if (run_features[i].metric ? lt_ndjson_metric(summary, run_features[i].metric, &v) != LT_OK
				   : !lt_ndjson_get_num(summary, run_features[i].path, &v))
		return false;
	if (!isfinite(v))
		return false;
	*value = v;
	return true;
}

static int run_feature_index(const char *name)
{
	for (int i = 0; i < LT_ANALYTICS_RUN_FEATURES; i++)
		if (!strcmp(run_features[i].name, name))
			return i;
	return -1;
}

/* Per-second features, from a stored sample. */
#define SECOND_FEATURES 7
static const char *const second_features[SECOND_FEATURES] = {
	"sample.latency_ms.p50", "sample.latency_ms.p90", "sample.latency_ms.p95",
	"sample.latency_ms.p99", "sample.rps", "sample.error_pct", "sample.cpu_pct",
};

static int second_feature_index(const char *name)
{
	for (int i = 0; i < SECOND_FEATURES; i++)
		if (!strcmp(second_features[i], name))
			return i;
	return -1;
}

/* The features of a steady second with requests; false otherwise.  A
 * figure the sample lacks is NAN. */
static bool second_values(const struct lt_db_sample *smp, double *v)
{
	if (!smp->phase || strcmp(smp->phase, "steady") != 0 || smp->requests <= 0)
		return false;
	v[0] = smp->latency_ms.p50;
	v[1] = smp->latency_ms.p90;
	v[2] = smp->latency_ms.p95;
	v[3] = smp->latency_ms.p99;
	v[4] = smp->rps;
	v[5] = 100.0 * (double)smp->errors / (double)smp->requests;
	v[6] = smp->cpu_pct;
	return true;
}

/* ---- the complete runs of a scenario ---- */

struct run_ids {
	char **id;
	size_t n, cap, limit;
};

static lt_rc collect_run(const struct lt_db_run *run, void *ctx)
{
	struct run_ids *ids = ctx;
	if (strcmp(run->status, "complete") != 0 || (ids->limit && ids->n >= ids->limit))
		return LT_OK;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? 2 * ids->cap : 64;
		char **p = realloc(ids->id, cap * sizeof *p);
		if (!p)
			return LT_ENOMEM;
		ids->id = p;
		ids->cap = cap;
	}
	if (!(ids->id[ids->n] = lti_strdup(run->run_id)))
		return LT_ENOMEM;
	ids->n++;
	return LT_OK;
}

static void run_ids_free(struct run_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->id[i]);
	free(ids->id);
	memset(ids, 0, sizeof *ids);
}

/* The newest limit complete runs of scenario_id, newest first; an unknown
 * scenario or one without complete runs is LT_ENOTFOUND. */
static lt_rc complete_runs(struct lt_db *db, const char *scenario_id, size_t limit,
			   struct run_ids *ids, struct lt_err *err)
{
	lt_rc rc;

	memset(ids, 0, sizeof *ids);
	ids->limit = limit;
	if ((rc = lt_db_runs_list(db, scenario_id, 0, collect_run, ids, err))) {
		run_ids_free(ids);
		return rc == LT_ENOMEM ? oom(err) : rc;
	}
	if (ids->n == 0) {
		cJSON *row = NULL;
		rc = lt_db_scenario_get(db, scenario_id, &row, err);
		cJSON_Delete(row);
		run_ids_free(ids);
		if (rc == LT_ENOTFOUND || rc == LT_OK)
			return lt_err_set(err, LT_ENOTFOUND, rc == LT_OK
					  ? "scenario %s has no complete run"
					  : "unknown scenario '%s': no run of it is recorded",
					  scenario_id);
		return rc;
	}
	return LT_OK;
}

/* ---- correlate ---- */

lt_rc lt_analytics_correlate(struct lt_db *db, const char *scenario_id,
			     const struct lt_analytics_opts *o, cJSON **out, struct lt_err *err)
{
	enum { K = LT_ANALYTICS_RUN_FEATURES };
	struct run_ids ids = {0};
	double *v = NULL, *xs = NULL, *ys = NULL, *m = NULL;
	size_t keep[K], k = 0, present[K] = {0};
	const char *why[K] = {0};
	char reason[K][64];
	cJSON *r = NULL, *x, *list;
	lt_rc rc;

	if ((rc = check_opts(o, err)))
		return rc;
	if (o->values)
		return lt_err_set(err, LT_EUSAGE, "correlate reads the runs of a scenario, not a series");
	if (!db || !scenario_id)
		return lt_err_set(err, LT_EUSAGE, "correlate: a scenario is needed");
	if ((rc = complete_runs(db, scenario_id, o->window ? o->window : LT_ANALYTICS_MAX_RUNS, &ids,
				err)))
		return rc;
	size_t n = ids.n;
	if (n < 3) {
		rc = lt_err_set(err, LT_EINVAL, "correlate needs at least 3 complete runs; scenario %s has %zu",
				scenario_id, n);
		goto fail;
	}
	if (!(v = malloc(n * K * sizeof *v)) || !(xs = malloc(n * sizeof *xs)) ||
	    !(ys = malloc(n * sizeof *ys)) || !(m = malloc(5 * K * K * sizeof *m))) {
		rc = oom(err);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct lt_db_run *run = NULL;
		if ((rc = lt_db_run_get(db, ids.id[i], &run, err)))
			goto fail;
		for (size_t j = 0; j < K; j++)
			if (!lt_analytics_run_value(run->summary, j, &v[i * K + j]))
				v[i * K + j] = NAN;
		lt_db_run_free(run);
	}
	/* Drop a metric too rare to correlate, or constant (it correlates
	 * with nothing); keep the others, each pair over the runs that have
	 * both, so that one metric missing from old runs does not shrink
	 * every other pair. */
	for (size_t j = 0; j < K; j++) {
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < n; i++)
			if (isfinite(v[i * K + j])) {
				present[j]++;
				lo = fmin(lo, v[i * K + j]);
				hi = fmax(hi, v[i * K + j]);
			}
		if (present[j] < 3) {
			snprintf(reason[j], sizeof reason[j], "in %zu of %zu runs, need 3", present[j], n);
			why[j] = reason[j];
		} else if (lo == hi) {
			why[j] = "constant";
		} else {
			keep[k++] = j;
		}
	}
	double *nn = m, *pr = m + K * K, *pp = m + 2 * K * K, *sr = m + 3 * K * K, *sp = m + 4 * K * K;
	for (size_t a = 0; a < k; a++)
		for (size_t b = a; b < k; b++) {
			struct lt_stats_corr c1, c2;
			size_t cnt = 0;
			for (size_t i = 0; i < n; i++) {
				double p = v[i * K + keep[a]], q = v[i * K + keep[b]];
				if (isfinite(p) && isfinite(q)) {
					xs[cnt] = p;
					ys[cnt++] = q;
				}
			}
			double v1 = NAN, p1 = NAN, v2 = NAN, p2 = NAN;
			if (a == b) {
				v1 = v2 = 1;
				p1 = p2 = 0;
			} else if (cnt >= 3) {
				/* Constant on the runs the pair shares: no r (null). */
				if (lt_stats_pearson(xs, ys, cnt, &c1, NULL) == LT_OK) {
					v1 = c1.r;
					p1 = c1.p.two_sided;
				}
				if (lt_stats_spearman(xs, ys, cnt, &c2, NULL) == LT_OK) {
					v2 = c2.r;
					p2 = c2.p.two_sided;
				}
			}
			nn[a * k + b] = nn[b * k + a] = (double)cnt;
			pr[a * k + b] = pr[b * k + a] = v1;
			pp[a * k + b] = pp[b * k + a] = p1;
			sr[a * k + b] = sr[b * k + a] = v2;
			sp[a * k + b] = sp[b * k + a] = p2;
		}
	rc = LT_ENOMEM;
	if (!(r = cJSON_CreateObject()))
		goto nomem;
	if (!put_str(r, "type", "correlate") || !put_num(r, "v", 1) ||
	    !put_str(r, "scenario_id", scenario_id) || !put_num(r, "runs", (double)n) ||
	    !(list = put_arr(r, "metrics")))
		goto nomem;
	for (size_t a = 0; a < k; a++)
		if (!push(list, cJSON_CreateString(run_features[keep[a]].name)))
			goto nomem;
	if (!(list = put_arr(r, "dropped")))
		goto nomem;
	for (size_t j = 0; j < K; j++)
		if (why[j] && (!push(list, x = cJSON_CreateObject()) ||
			       !put_str(x, "metric", run_features[j].name) || !put_str(x, "reason", why[j])))
			goto nomem;
	if (!put_str(r, "missing", "pairwise") || !put_matrix(r, "n", nn, k) ||
	    !(x = put_obj(r, "pearson")) || !put_matrix(x, "r", pr, k) || !put_matrix(x, "p", pp, k) ||
	    !(x = put_obj(r, "spearman")) || !put_matrix(x, "r", sr, k) || !put_matrix(x, "p", sp, k))
		goto nomem;
	*out = r;
	r = NULL;
	rc = LT_OK;
	goto fail;
nomem:
	oom(err);
fail:
	cJSON_Delete(r);
	free(v);
	free(xs);
	free(ys);
	free(m);
	run_ids_free(&ids);
	return rc;
}

/* ---- train ---- */

struct vectors {
	double *x;        /* n rows of d candidate features, NAN when missing */
	size_t n, cap, d;
	size_t runs;      /* runs that gave at least one vector */
};

static lt_rc vectors_row(struct vectors *vs, double **row)
{
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? 2 * vs->cap : 256;
		double *p = realloc(vs->x, cap * vs->d * sizeof *p);
		if (!p)
			return LT_ENOMEM;
		vs->x = p;
		vs->cap = cap;
	}
	*row = vs->x + vs->n++ * vs->d;
	return LT_OK;
}

static lt_rc collect_second(const struct lt_db_sample *smp, void *ctx)
{
	struct vectors *vs = ctx;
	double v[SECOND_FEATURES], *row;

	if (!second_values(smp, v))
		return LT_OK;
	if (vectors_row(vs, &row) != LT_OK)
		return LT_ENOMEM;
	memcpy(row, v, sizeof v);
	return LT_OK;
}

lt_rc lt_analytics_train(struct lt_db *db, const char *const *scenario_ids, size_t n_scenarios,
			 const struct lt_analytics_opts *o, cJSON **out, struct lt_err *err)
{
	struct vectors vs = {.d = o->per_second ? SECOND_FEATURES : LT_ANALYTICS_RUN_FEATURES};
	struct lt_anomaly_model *model = NULL;
	struct lt_anomaly_opts ao;
	struct lt_anomaly_info info;
	size_t keep[LT_ANALYTICS_RUN_FEATURES], d = 0, missing[LT_ANALYTICS_RUN_FEATURES] = {0};
	const char *names[LT_ANALYTICS_RUN_FEATURES];
	int64_t *ids_out = NULL;
	double *X = NULL;
	char *text = NULL;
	cJSON *r = NULL, *features = NULL, *x, *list;
	lt_rc rc;

	if ((rc = check_opts(o, err)))
		return rc;
	if (!db || !scenario_ids || !n_scenarios)
		return lt_err_set(err, LT_EUSAGE, "train: at least one scenario is needed");
	if (o->values)
		return lt_err_set(err, LT_EUSAGE, "train reads the runs of scenarios, not a series");
	for (size_t si = 0; si < n_scenarios; si++) {
		struct run_ids ids;
		if ((rc = complete_runs(db, scenario_ids[si], o->window ? o->window : LT_ANALYTICS_MAX_RUNS,
					&ids, err)))
			goto fail;
		for (size_t i = 0; i < ids.n; i++) {
			size_t before = vs.n;
			if (o->per_second) {
				rc = lt_db_samples_each(db, ids.id[i], collect_second, &vs, err);
				if (rc == LT_ENOMEM)
					oom(err);
			} else {
				struct lt_db_run *run = NULL;
				double *row;
				if ((rc = lt_db_run_get(db, ids.id[i], &run, err)) == LT_OK &&
				    (rc = vectors_row(&vs, &row)) == LT_OK) {
					for (size_t j = 0; j < vs.d; j++)
						if (!lt_analytics_run_value(run->summary, j, &row[j]))
							row[j] = NAN;
				} else if (rc == LT_ENOMEM) {
					oom(err);
				}
				lt_db_run_free(run);
			}
			if (rc) {
				run_ids_free(&ids);
				goto fail;
			}
			vs.runs += vs.n > before;
		}
		run_ids_free(&ids);
	}
	/* A feature some vector lacks is left out rather than the vectors:
	 * old runs recorded without resources must not hide a year of
	 * latency history. */
	for (size_t j = 0; j < vs.d; j++) {
		for (size_t i = 0; i < vs.n; i++)
			missing[j] += !isfinite(vs.x[i * vs.d + j]);
		if (!missing[j]) {
			names[d] = o->per_second ? second_features[j] : run_features[j].name;
			keep[d++] = j;
		}
	}
	if (vs.n < LT_ANOMALY_MIN_VECTORS) {
		rc = lt_err_set(err, LT_EINVAL,
				"train needs at least %d %s vectors (%u or more advised), got %zu%s",
				LT_ANOMALY_MIN_VECTORS, o->per_second ? "per-second" : "per-run",
				LT_ANALYTICS_TRAIN_ADVISED, vs.n,
				o->per_second ? "" : ": with few runs, train on their seconds (--per-second)");
		goto fail;
	}
	if (d < 2) {
		rc = lt_err_set(err, LT_EINVAL, "train needs at least 2 features that every vector has, got %zu",
				d);
		goto fail;
	}
	if (!(X = malloc(vs.n * d * sizeof *X))) {
		rc = oom(err);
		goto fail;
	}
	for (size_t i = 0; i < vs.n; i++)
		for (size_t j = 0; j < d; j++)
			X[i * d + j] = vs.x[i * vs.d + keep[j]];
	lt_anomaly_opts_init(&ao);
	if (o->epochs)
		ao.epochs = o->epochs;
	ao.seed = (uint32_t)o->seed;
	if (o->quantile)
		ao.quantile = o->quantile;
	ao.progress = o->progress;
	ao.progress_ctx = o->progress_ctx;
	if ((rc = lt_anomaly_train(X, vs.n, d, names, &ao, &model, err)) ||
	    (rc = lt_anomaly_to_text(model, &text, err)))
		goto fail;
	lt_anomaly_info(model, &info);
	rc = LT_ENOMEM;
	if (!(features = cJSON_CreateArray()))
		goto nomem;
	for (size_t j = 0; j < d; j++)
		if (!push(features, cJSON_CreateString(names[j])))
			goto nomem;
	if (!(ids_out = calloc(n_scenarios, sizeof *ids_out)))
		goto nomem;
	if ((rc = lt_db_anomaly_model_add(db, scenario_ids, n_scenarios, features, text, info.threshold,
					  (int64_t)vs.runs, ids_out, err)))
		goto fail;
	rc = LT_ENOMEM;
	if (!(r = cJSON_CreateObject()))
		goto nomem;
	if (!put_str(r, "type", "train") || !put_num(r, "v", 1) || !(list = put_arr(r, "scenarios")))
		goto nomem;
	for (size_t i = 0; i < n_scenarios; i++)
		if (!push(list, cJSON_CreateString(scenario_ids[i])))
			goto nomem;
	if (!(list = put_arr(r, "model_ids")))
		goto nomem;
	for (size_t i = 0; i < n_scenarios; i++)
		if (!push_num(list, (double)ids_out[i]))
			goto nomem;
	if (!put_str(r, "vectors", o->per_second ? "second" : "run") ||
	    !put_num(r, "n_vectors", (double)vs.n) || !put_num(r, "runs_used", (double)vs.runs) ||
	    !put(r, "features", features))
		goto nomem;
	features = NULL;
	if (!(list = put_arr(r, "dropped_features")))
		goto nomem;
	for (size_t j = 0; j < vs.d; j++) {
		char why[96];
		if (!missing[j])
			continue;
		snprintf(why, sizeof why, "missing in %zu of %zu vectors", missing[j], vs.n);
		if (!push(list, x = cJSON_CreateObject()) ||
		    !put_str(x, "feature", o->per_second ? second_features[j] : run_features[j].name) ||
		    !put_str(x, "reason", why))
			goto nomem;
	}
	if (!put_num(r, "threshold", info.threshold) || !put_num(r, "quantile", info.quantile) ||
	    !(x = put_obj(r, "training")) || !put_num(x, "hidden", (double)info.hidden) ||
	    !put_num(x, "bottleneck", (double)info.bottleneck) ||
	    !put_str(x, "activation", lt_anomaly_activation_name(info.activation)) ||
	    !put_num(x, "n_train", (double)info.n_train) ||
	    !put_num(x, "n_validation", (double)info.n_validation) ||
	    !put_num(x, "epochs", info.epochs) || !put_num(x, "epochs_run", info.epochs_run) ||
	    !put_num(x, "best_epoch", info.best_epoch) || !put_num(x, "seed", info.seed) ||
	    !put_num(x, "initial_loss", info.initial_loss) ||
	    !put_num(x, "final_loss", info.final_loss) ||
	    !put_num(x, "validation_loss", info.validation_loss) || !(list = put_arr(r, "warnings")))
		goto nomem;
	if (vs.n < LT_ANALYTICS_TRAIN_ADVISED) {
		char w[256];
		snprintf(w, sizeof w, "only %zu vectors: below %u the threshold is little more than "
			 "the largest training score%s", vs.n, LT_ANALYTICS_TRAIN_ADVISED,
			 o->per_second ? "" : "; consider --per-second");
		if (!push(list, cJSON_CreateString(w)))
			goto nomem;
	}
	*out = r;
	r = NULL;
	rc = LT_OK;
	goto fail;
nomem:
	oom(err);
fail:
	cJSON_Delete(r);
	cJSON_Delete(features);
	free(ids_out);
	free(text);
	free(X);
	free(vs.x);
	lt_anomaly_free(model);
	return rc;
}

/* ---- anomaly ---- */

/* A stable alert id for (model, run): scoring a run again with the same
 * model records nothing new.  Two FNV-1a hashes shaped as a UUID. */
static void alert_id(int64_t model_id, const char *run_id, char buf[LTI_UUID_LEN])
{
	char key[200];
	uint64_t h1 = 14695981039346656037ull, h2 = 0x84222325cbf29ce4ull;

	snprintf(key, sizeof key, "lt-anomaly:%lld:", (long long)model_id);
	for (int pass = 0; pass < 2; pass++)
		for (const unsigned char *p = (const unsigned char *)(pass ? run_id : key); *p; p++) {
			h1 = (h1 ^ *p) * 1099511628211ull;
			h2 = (h2 ^ *p) * 1099511628211ull + 0x9e3779b97f4a7c15ull;
		}
	snprintf(buf, LTI_UUID_LEN, "%08x-%04x-5%03x-%04x-%012llx", (unsigned)(h1 >> 32),
		 (unsigned)(h1 >> 16) & 0xffff, (unsigned)h1 & 0xfff,
		 0x8000 | ((unsigned)(h2 >> 48) & 0x3fff),
		 (unsigned long long)(h2 & 0xffffffffffffull));
}

struct second_scores {
	const struct lt_anomaly_model *model;
	const int *map;          /* model feature -> second feature */
	size_t d;
	double threshold;
	double *contrib_all, *contrib_bad, *value_all, *value_bad, *exp_all, *exp_bad;
	double *scratch;         /* 3 d */
	double score_sum;
	size_t seconds, bad;
	lt_rc rc;
	struct lt_err *err;
};

static lt_rc score_second(const struct lt_db_sample *smp, void *ctx)
{
	struct second_scores *ss = ctx;
	double v[SECOND_FEATURES], *x = ss->scratch, *c = x + ss->d, *e = c + ss->d;
	struct lt_anomaly_score sc;

	if (!second_values(smp, v))
		return LT_OK;
	for (size_t j = 0; j < ss->d; j++)
		if (!isfinite(x[j] = v[ss->map[j]]))
			return LT_OK;
	if ((ss->rc = lt_anomaly_score(ss->model, x, ss->d, &sc, c, e, ss->err)))
		return ss->rc;
	ss->seconds++;
	ss->score_sum += sc.score;
	if (sc.anomalous)
		ss->bad++;
	for (size_t j = 0; j < ss->d; j++) {
		ss->contrib_all[j] += c[j];
		ss->value_all[j] += x[j];
		ss->exp_all[j] += e[j];
		if (sc.anomalous) {
			ss->contrib_bad[j] += c[j];
			ss->value_bad[j] += x[j];
			ss->exp_bad[j] += e[j];
		}
	}
	return LT_OK;
}

lt_rc lt_analytics_anomaly(struct lt_db *db, const char *run_id,
			   const struct lt_analytics_opts *o, cJSON **out, cJSON **alert_out,
			   struct lt_err *err)
{
	struct lt_db_run *run = NULL;
	struct lt_anomaly_model *model = NULL;
	struct lt_anomaly_score sc = {0};
	struct second_scores ss = {0};
	cJSON *row = NULL, *r = NULL, *alert = NULL, *x, *list;
	double *buf = NULL, p_value = NAN;
	int *map = NULL;
	char aid[LTI_UUID_LEN];
	bool per_second = false;
	lt_rc rc;

	(void)o;
	if (!db || !run_id)
		return lt_err_set(err, LT_EUSAGE, "anomaly: a run is needed");
	if ((rc = lt_db_run_get(db, run_id, &run, err)))
		return rc;
	if (!run->scenario_id) {
		rc = lt_err_set(err, LT_EINVAL, "run %s belongs to no scenario: nothing to score it against",
				run->run_id);
		goto fail;
	}
	if ((rc = lt_db_anomaly_model_latest(db, run->scenario_id, &row, err)))
		goto fail;
	double model_id = NAN;
	lt_ndjson_get_num(row, "model_id", &model_id);
	const char *text = lt_ndjson_get_str(row, "model");
	if (!text || (rc = lt_anomaly_from_text(text, &model, err)) != LT_OK) {
		if (!text)
			rc = LT_EINVAL;
		lt_err_prefix(err, "anomaly model %.0f of scenario %s", model_id, run->scenario_id);
		goto fail;
	}
	size_t d = lt_anomaly_features(model);
	if (!(map = calloc(d, sizeof *map)) || !(buf = calloc(9 * d, sizeof *buf))) {
		rc = oom(err);
		goto fail;
	}
	double *xv = buf, *contrib = buf + d, *expected = buf + 2 * d;
	/* The model's features say how it was trained: per-second models
	 * read sample.* features only. */
	per_second = second_feature_index(lt_anomaly_feature_name(model, 0)) >= 0;
	for (size_t j = 0; j < d; j++) {
		const char *name = lt_anomaly_feature_name(model, j);
		map[j] = per_second ? second_feature_index(name) : run_feature_index(name);
		if (map[j] < 0) {
			rc = lt_err_set(err, LT_EINVAL,
					"anomaly model %.0f of scenario %s reads '%s', which is not a %s feature "
					"of lt: a model trained on other features; retrain it with "
					"lt-regress train %s", model_id, run->scenario_id, name,
					per_second ? "per-second" : "per-run", run->scenario_id);
			goto fail;
		}
	}
	if (!per_second) {
		for (size_t j = 0; j < d; j++)
			if (!lt_analytics_run_value(run->summary, (size_t)map[j], &xv[j])) {
				rc = lt_err_set(err, LT_EINVAL, "run %s has no %s, which anomaly model %.0f "
						"reads%s", run->run_id, lt_anomaly_feature_name(model, j),
						model_id, run->summary ? "" : " (the run is not complete)");
				goto fail;
			}
		if ((rc = lt_anomaly_score(model, xv, d, &sc, contrib, expected, err)))
			goto fail;
	} else {
		struct lt_anomaly_info info;
		lt_anomaly_info(model, &info);
		ss = (struct second_scores){.model = model, .map = map, .d = d,
					    .threshold = lt_anomaly_threshold(model),
					    .contrib_all = buf + 3 * d, .contrib_bad = buf + 4 * d,
					    .value_all = buf + 5 * d, .value_bad = buf + 6 * d,
					    .exp_all = buf + 7 * d, .exp_bad = buf + 8 * d, .err = err};
		if (!(ss.scratch = malloc(3 * d * sizeof *ss.scratch))) {
			rc = oom(err);
			goto fail;
		}
		rc = lt_db_samples_each(db, run->run_id, score_second, &ss, err);
		free(ss.scratch);
		if (rc)
			goto fail;
		if (!ss.seconds) {
			rc = lt_err_set(err, LT_EINVAL, "run %s has no steady second with every feature "
					"anomaly model %.0f reads", run->run_id, model_id);
			goto fail;
		}
		/* How likely so many seconds above the threshold are in a
		 * normal run, where each is above with probability
		 * 1 - quantile. */
		p_value = ss.bad ? gsl_cdf_binomial_Q((unsigned)ss.bad - 1, 1 - info.quantile,
						      (unsigned)ss.seconds)
				 : 1;
		sc.score = ss.score_sum / (double)ss.seconds;
		sc.threshold = ss.threshold;
		sc.anomalous = p_value <= LT_ANALYTICS_SECONDS_P;
		bool bad = ss.bad > 0;
		double cnt = (double)(bad ? ss.bad : ss.seconds);
		for (size_t j = 0; j < d; j++) {
			contrib[j] = (bad ? ss.contrib_bad[j] : ss.contrib_all[j]) / cnt;
			xv[j] = (bad ? ss.value_bad[j] : ss.value_all[j]) / cnt;
			expected[j] = (bad ? ss.exp_bad[j] : ss.exp_all[j]) / cnt;
		}
	}
	/* The three largest contributions, largest first. */
	size_t top[3], n_top = 0;
	double total = 0;
	for (size_t j = 0; j < d; j++)
		total += contrib[j];
	for (; n_top < 3 && n_top < d; n_top++) {
		size_t best = SIZE_MAX;
		for (size_t j = 0; j < d; j++) {
			bool used = false;
			for (size_t t = 0; t < n_top; t++)
				used |= top[t] == j;
			if (!used && (best == SIZE_MAX || contrib[j] > contrib[best]))
				best = j;
		}
		top[n_top] = best;
	}
	if (sc.anomalous) {
		char msg[512];
		size_t t0 = top[0];
		const char *fname = lt_anomaly_feature_name(model, t0);
		if (per_second)
			snprintf(msg, sizeof msg, "run %.12s is anomalous: %zu of %zu steady seconds score "
				 "above the autoencoder's threshold %.4g; %s %.4g, expected %.4g",
				 run->run_id, ss.bad, ss.seconds, sc.threshold, fname, xv[t0],
				 expected[t0]);
		else
			snprintf(msg, sizeof msg, "run %.12s is anomalous: autoencoder score %.4g above "
				 "threshold %.4g; %s %.4g, expected %.4g", run->run_id, sc.score,
				 sc.threshold, fname, xv[t0], expected[t0]);
		alert_id((int64_t)model_id, run->run_id, aid);
		struct lt_ndjson_alert in = {
			.alert_id = aid, .scenario_id = run->scenario_id, .run_id = run->run_id,
			.metric = fname, .baseline = expected[t0], .current = xv[t0],
			.change_pct = change_pct(expected[t0], xv[t0]), .p_value = p_value,
			.method = "autoencoder", .severity = "warning", .message = msg,
		};
		if ((rc = lt_ndjson_build_alert(&in, &alert, err)) ||
		    (rc = lt_db_ingest_record(db, alert, err)))
			goto fail;
	}
	rc = LT_ENOMEM;
	if (!(r = cJSON_CreateObject()))
		goto nomem;
	if (!put_str(r, "type", "anomaly") || !put_num(r, "v", 1) ||
	    !put_str(r, "run_id", run->run_id) || !put_str(r, "scenario_id", run->scenario_id) ||
	    !put_num(r, "model_id", model_id) ||
	    !put_str(r, "trained_at", lt_ndjson_get_str(row, "trained_at")) ||
	    !put_str(r, "vectors", per_second ? "second" : "run") || !put_num(r, "score", sc.score) ||
	    !put_num(r, "threshold", sc.threshold) || !put_bool(r, "anomalous", sc.anomalous) ||
	    !(list = put_arr(r, "top_features")))
		goto nomem;
	for (size_t t = 0; t < n_top; t++) {
		size_t j = top[t];
		if (!push(list, x = cJSON_CreateObject()) ||
		    !put_str(x, "feature", lt_anomaly_feature_name(model, j)) ||
		    !put_num(x, "value", xv[j]) || !put_num(x, "expected", expected[j]) ||
		    !put_num(x, "contribution", contrib[j]) ||
		    !put_num(x, "share_pct", total > 0 ? 100 * contrib[j] / total : 0))
			goto nomem;
	}
	if (!put_num(r, "seconds", per_second ? (double)ss.seconds : NAN) ||
	    !put_num(r, "anomalous_seconds", per_second ? (double)ss.bad : NAN) ||
	    !put_num(r, "p_value", p_value) || !put_str(r, "alert_id", alert ? aid : NULL))
		goto nomem;
	*out = r;
	r = NULL;
	if (alert_out) {
		*alert_out = alert;
		alert = NULL;
	}
	rc = LT_OK;
	goto fail;
nomem:
	oom(err);
fail:
	cJSON_Delete(r);
	cJSON_Delete(alert);
	cJSON_Delete(row);
	free(map);
	free(buf);
	lt_anomaly_free(model);
	lt_db_run_free(run);
	return rc;
}

/* ---- the long view of one check (lt-regress check and watch) ---- */

struct history_finding {
	const char *metric, *method, *unit;
	double baseline, current, change_pct, p_value;
	char message[400];
	cJSON *detail;               /* the finding as the verdict lists it */
};

static const char *unit_of(const char *metric)
{
	return !strncmp(metric, "responseTime.", 13) ? " ms"
	       : !strncmp(metric, "throughput.", 11) ? " req/s" : " %";
}

/* The newest LT_ANALYTICS_CHECK_WINDOW values of metric up to and
 * including run_id: *from and *n index the window in *hist (new).  n is 0
 * when the run is not in the history (not complete, no such metric). */
static lt_rc check_window(struct lt_db *db, const char *scenario, const char *metric,
			  const char *run_id, struct lt_db_series **hist, size_t *from, size_t *n,
			  struct lt_err *err)
{
	lt_rc rc = lt_db_metric_history(db, scenario, metric, LT_ANALYTICS_MAX_RUNS, hist, err);
	size_t end = SIZE_MAX;

	*from = *n = 0;
	if (rc)
		return rc;
	for (size_t i = (*hist)->n; i-- > 0;)
		if (!strcmp((*hist)->points[i].run_id, run_id)) {
			end = i + 1;
			break;
		}
	if (end == SIZE_MAX)
		return LT_OK;
	*from = end > LT_ANALYTICS_CHECK_WINDOW ? end - LT_ANALYTICS_CHECK_WINDOW : 0;
	*n = end - *from;
	return LT_OK;
}

/* Mann-Kendall over the window, significant in the worse direction, with
 * a line that moved by at least warning_pct over it: *found. */
static lt_rc trend_finding(const double *v, size_t n, const char *metric, double warning_pct,
			   struct history_finding *f, bool *found, struct lt_err *err)
{
	struct lt_analytics_opts o = {.metric = metric, .values = v, .n_values = n,
				      .values_name = metric, .window = n};
	cJSON *r = NULL;
	double p = NAN, slope = NAN, icpt = NAN, tau = NAN;
	lt_rc rc;

	*found = false;
	if ((rc = lt_analytics_trend(NULL, NULL, &o, &r, err)))
		return rc;
	lt_ndjson_get_num(r, "mann_kendall.p_value", &p);
	lt_ndjson_get_num(r, "mann_kendall.tau", &tau);
	lt_ndjson_get_num(r, "sen.slope_per_run", &slope);
	lt_ndjson_get_num(r, "sen.intercept", &icpt);
	if (!cJSON_IsTrue(lt_ndjson_get(r, "significant")) || !cJSON_IsTrue(lt_ndjson_get(r, "worse"))) {
		cJSON_Delete(r);
		return LT_OK;
	}
	/* The line at the window's ends: how much the drift added up to. */
	double first = icpt, last = icpt + slope * (double)(n - 1);
	double pct = change_pct(first, last);
	if (!(fabs(pct) >= warning_pct)) {
		cJSON_Delete(r);
		return LT_OK;
	}
	*f = (struct history_finding){.metric = metric, .method = "trend", .unit = unit_of(metric),
				      .baseline = first, .current = last, .change_pct = pct,
				      .p_value = p};
	snprintf(f->message, sizeof f->message, "%s %s %.1f %% over the last %zu runs (%+.3g%s a "
		 "run, Mann-Kendall p = %.2g)", metric, slope > 0 ? "rose" : "fell", fabs(pct), n,
		 slope, f->unit, p);
	rc = LT_ENOMEM;
	cJSON *d = cJSON_CreateObject();
	if (!d || !put_str(d, "metric", metric) || !put_str(d, "method", "trend") ||
	    !put_str(d, "severity", "warning") || !put_num(d, "runs", (double)n) ||
	    !put_str(d, "direction", slope > 0 ? "increasing" : "decreasing") ||
	    !put_num(d, "p_value", p) || !put_num(d, "tau", tau) ||
	    !put_num(d, "slope_per_run", slope) ||
	    !put_num(d, "slope_pct_per_run", first != 0 ? 100 * slope / fabs(first) : NAN) ||
	    !put_num(d, "baseline", first) || !put_num(d, "current", last) ||
	    !put_num(d, "change_pct", pct) || !put_str(d, "message", f->message)) {
		cJSON_Delete(d);
		cJSON_Delete(r);
		return oom(err);
	}
	cJSON_Delete(r);
	f->detail = d;
	*found = true;
	return LT_OK;
}

/* Whether an earlier check alerted on a change point of metric at one of
 * the runs pts[from..to), given the scenario's alerts (newest first). */
static bool alerted_before(const cJSON *alerts, const char *metric,
			   const struct lt_db_point *pts, size_t from, size_t to)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, alerts) {
		const char *m = lt_ndjson_get_str(a, "metric"), *method = lt_ndjson_get_str(a, "method");
		const char *run = lt_ndjson_get_str(a, "run_id");
		if (!m || !method || !run || strcmp(m, metric) || strcmp(method, "changepoint"))
			continue;
		for (size_t i = from; i < to; i++)
			if (!strcmp(pts[i].run_id, run))
				return true;
	}
	return false;
}

/* The last change point of the window, when its new regime began within
 * the last LT_ANALYTICS_CHECK_RECENT runs, is worse, moved by at least
 * warning_pct, and no earlier check of a run of that regime alerted on it
 * (alerts: the scenario's): *found. */
static lt_rc changepoint_finding(const double *v, size_t n, const struct lt_db_point *pts,
				 const char *metric, double warning_pct, const cJSON *alerts,
				 struct history_finding *f, bool *found, struct lt_err *err)
{
	struct lt_analytics_opts o = {.metric = metric, .values = v, .n_values = n,
				      .values_name = metric, .window = n};
	cJSON *r = NULL, *last = NULL, *c;
	lt_rc rc;

	*found = false;
	if ((rc = lt_analytics_changepoints(NULL, NULL, &o, &r, err)))
		return rc;
	cJSON_ArrayForEach(c, lt_ndjson_get(r, "changepoints"))
		last = c;
	double index = -1, before = NAN, after = NAN, pct = NAN, p = NAN;
	if (last) {
		lt_ndjson_get_num(last, "index", &index);
		lt_ndjson_get_num(last, "mean_before", &before);
		lt_ndjson_get_num(last, "mean_after", &after);
		lt_ndjson_get_num(last, "change_pct", &pct);
		lt_ndjson_get_num(last, "p_value", &p);
	}
	if (!last || index < (double)n - LT_ANALYTICS_CHECK_RECENT ||
	    !cJSON_IsTrue(lt_ndjson_get(last, "worse")) || !(fabs(pct) >= warning_pct) ||
	    alerted_before(alerts, metric, pts, (size_t)index, n - 1)) {
		cJSON_Delete(r);
		return LT_OK;
	}
	size_t at = (size_t)index, ago = n - 1 - at;
	const char *first_run = pts[at].run_id;
	*f = (struct history_finding){.metric = metric, .method = "changepoint",
				      .unit = unit_of(metric), .baseline = before, .current = after,
				      .change_pct = pct, .p_value = p};
	snprintf(f->message, sizeof f->message, "%s changed level %zu run%s ago, at run %.12s: "
		 "%g%s -> %g%s (%+.1f %%), p = %.2g (e-divisive)", metric, ago, ago == 1 ? "" : "s",
		 first_run, before, f->unit, after, f->unit, pct, p);
	cJSON *d = cJSON_CreateObject();
	if (!d || !put_str(d, "metric", metric) || !put_str(d, "method", "changepoint") ||
	    !put_str(d, "severity", "warning") || !put_num(d, "runs", (double)n) ||
	    !put_num(d, "index", index) || !put_str(d, "run_id", first_run) ||
	    !put_str(d, "at", pts[at].at) || !put_num(d, "runs_ago", (double)ago) ||
	    !put_num(d, "mean_before", before) || !put_num(d, "mean_after", after) ||
	    !put_num(d, "change_pct", pct) || !put_num(d, "p_value", p) ||
	    !put_str(d, "message", f->message)) {
		cJSON_Delete(d);
		cJSON_Delete(r);
		return oom(err);
	}
	cJSON_Delete(r);
	f->detail = d;
	*found = true;
	return LT_OK;
}

lt_rc lt_analytics_check_history(struct lt_db *db, const struct lt_regress_config *cfg,
				 cJSON *verdict, cJSON ***alerts, size_t *n_alerts,
				 struct lt_err *err)
{
	struct history_finding found[2 * LT_REGRESS_MAX_RULES];
	size_t n_found = 0;
	cJSON *list = NULL, **grown = NULL, *earlier = NULL;
	double *v = NULL;
	lt_rc rc = LT_OK;

	const char *scenario = lt_ndjson_get_str(verdict, "scenario_id");
	const char *run_id = lt_ndjson_get_str(verdict, "run_id");
	const char *status = lt_ndjson_get_str(verdict, "status");
	if (!scenario || !run_id || !status)
		return lt_err_set(err, LT_EINVAL, "not a verdict: no scenario_id, run_id or status");
	if (!(list = cJSON_CreateArray()))
		return oom(err);
	/* The alerts of the newest checks: a change point told once is not
	 * told again by the checks of the next runs of its regime. */
	if (strcmp(status, "inconclusive") &&
	    (rc = lt_db_alerts_list(db, scenario, false, 50 * LT_ANALYTICS_CHECK_RECENT, &earlier,
				    err))) {
		cJSON_Delete(list);
		return rc;
	}
	/* A run the check could not judge (cut off, too short) is not judged
	 * by its history either. */
	for (size_t i = 0; strcmp(status, "inconclusive") && i < cfg->n_rules; i++) {
		const struct lt_regress_rule *rule = &cfg->rules[i];
		struct lt_db_series *hist = NULL;
		size_t from, n;
		bool hit;

		if (!rule->enabled)
			continue;
		if ((rc = check_window(db, scenario, rule->metric, run_id, &hist, &from, &n, err)))
			goto fail;
		if (n < LT_ANALYTICS_CHECK_MIN_RUNS) {
			lt_db_series_free(hist);
			continue;
		}
		free(v);
		if (!(v = malloc(n * sizeof *v))) {
			lt_db_series_free(hist);
			rc = oom(err);
			goto fail;
		}
		for (size_t k = 0; k < n; k++)
			v[k] = hist->points[from + k].value;
		/* A constant history (a metric that never moves, errorRate 0)
		 * has neither trend nor change: the statistics would refuse it. */
		bool constant = true;
		for (size_t k = 1; k < n; k++)
			constant &= v[k] == v[0];
		if (!constant &&
		    (rc = changepoint_finding(v, n, hist->points + from, rule->metric,
					      rule->warning_pct, earlier, &found[n_found], &hit,
					      err)) == LT_OK &&
		    hit)
			n_found++;
		if (!constant && rc == LT_OK &&
		    (rc = trend_finding(v, n, rule->metric, rule->warning_pct, &found[n_found], &hit,
					err)) == LT_OK && hit)
			n_found++;
		lt_db_series_free(hist);
		if (rc)
			goto fail;
	}
	if (!(grown = calloc(*n_alerts + n_found + 1, sizeof *grown))) {
		rc = oom(err);
		goto fail;
	}
	for (size_t k = 0; k < n_found; k++) {
		char id[LTI_UUID_LEN];
		lti_uuid(id);
		struct lt_ndjson_alert in = {
			.alert_id = id, .scenario_id = scenario, .run_id = run_id,
			.metric = found[k].metric, .baseline = found[k].baseline,
			.current = found[k].current, .change_pct = found[k].change_pct,
			.p_value = found[k].p_value, .method = found[k].method, .severity = "warning",
			.message = found[k].message,
		};
		if ((rc = lt_ndjson_build_alert(&in, &grown[*n_alerts + k], err)) ||
		    !put_str(found[k].detail, "alert_id", id)) {
			if (rc == LT_OK)
				rc = oom(err);
			for (size_t j = 0; j <= k; j++)
				cJSON_Delete(grown[*n_alerts + j]);
			goto fail;
		}
	}
	cJSON *warning = n_found && !strcmp(status, "pass") ? cJSON_CreateString("warning") : NULL;
	if (n_found && !strcmp(status, "pass") && !warning) {
		for (size_t k = 0; k < n_found; k++)
			cJSON_Delete(grown[*n_alerts + k]);
		rc = oom(err);
		goto fail;
	}
	/* Nothing can fail from here: the verdict and the alerts change
	 * together or not at all. */
	for (size_t k = 0; k < n_found; k++) {
		push(list, found[k].detail);
		found[k].detail = NULL;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(verdict, "findings");
	cJSON_AddItemToObject(verdict, "findings", list);
	list = NULL;
	if (n_found) {
		if (*n_alerts)
			memcpy(grown, *alerts, *n_alerts * sizeof *grown);
		free(*alerts);
		*alerts = grown;
		grown = NULL;
		*n_alerts += n_found;
		cJSON *count = cJSON_GetObjectItemCaseSensitive(verdict, "alerts");
		if (cJSON_IsNumber(count))
			cJSON_SetNumberValue(count, (double)*n_alerts);
		if (warning)
			cJSON_ReplaceItemInObjectCaseSensitive(verdict, "status", warning);
	}
	rc = LT_OK;
fail:
	for (size_t k = 0; k < n_found; k++)
		cJSON_Delete(found[k].detail);
	free(grown);
	free(v);
	cJSON_Delete(list);
	cJSON_Delete(earlier);
	return rc;
}
