/* stats.c -- rank tests, trend tests, bootstrap and forecasts on GSL (stats.h).
 *
 * GSL supplies the distributions (gsl_cdf_*), moments (gsl_stats_*),
 * sorting and least squares; this file adds the tests GSL has no piece
 * for, and the checks GSL leaves to its caller: finite input, enough
 * values, statistics that the data leave undefined.  GSL's error handler
 * is turned off once (pthread_once) so that a domain error comes back as
 * a status or a NaN that is translated here, never as abort().
 *
 * Histograms are read through lt_hist_to_json(): hist.h has no bucket
 * iterator yet, and its sparse JSON form, which is documented, lists the
 * non-empty buckets in order.  See read_hist().
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- GSL at the module's edge ---- */

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_quiet(void)
{
	gsl_set_error_handler_off();
}

/* Every public function starts here. */
static void gsl_init(void)
{
	pthread_once(&gsl_once, gsl_quiet);
}

/* A GSL status as an lt_rc, with what failed in err. */
static lt_rc gsl_rc(int status, const char *what, struct lt_err *err)
{
	lt_rc rc;

	switch (status) {
	case GSL_SUCCESS:
		return LT_OK;
	case GSL_ENOMEM:
		rc = LT_ENOMEM;
		break;
	case GSL_EDOM:
	case GSL_EINVAL:
	case GSL_EBADLEN:
	case GSL_ERANGE:
	case GSL_EZERODIV:
	case GSL_ESING:
		rc = LT_EINVAL;
		break;
	default:
		rc = LT_EINTERNAL;
		break;
	}
	return lt_err_set(err, rc, "%s: %s", what, gsl_strerror(status));
}

/* The distribution functions report a domain error only as a NaN once
 * the handler is off; the arguments are checked before the call, so a
 * non-finite answer is a bug here. */
static lt_rc check_result(double v, const char *what, struct lt_err *err)
{
	if (isnan(v))
		return lt_err_set(err, LT_EINTERNAL, "%s: GSL returned NaN", what);
	return LT_OK;
}

/* ---- shared checks and helpers ---- */

static lt_rc check_finite(const double *x, size_t n, const char *name,
			  struct lt_err *err)
{
	if (!x && n)
		return lt_err_set(err, LT_EINVAL, "%s: NULL array", name);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return lt_err_set(err, LT_EINVAL,
					  "%s[%zu] is not a finite number", name, i);
	return LT_OK;
}

static lt_rc check_count(size_t n, size_t min, const char *name,
			 struct lt_err *err)
{
	if (n < min)
		return lt_err_set(err, LT_EINVAL,
				  "%s: need at least %zu value%s, got %zu", name, min,
				  min == 1 ? "" : "s", n);
	return LT_OK;
}

/* Finite and at least min values: what nearly every entry point checks. */
static lt_rc check_sample(const double *x, size_t n, size_t min,
			  const char *name, struct lt_err *err)
{
	lt_rc rc = check_count(n, min, name, err);
	return rc ? rc : check_finite(x, n, name, err);
}

static lt_rc check_level(double level, const char *name, struct lt_err *err)
{
	if (!(level > 0 && level < 1))
		return lt_err_set(err, LT_EINVAL, "%s must be in (0, 1), got %g",
				  name, level);
	return LT_OK;
}

static void *alloc_array(size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		return NULL;
	return malloc(n ? n * size : 1);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *copy = alloc_array(n, sizeof *copy);

	if (copy) {
		memcpy(copy, x, n * sizeof *copy);
		gsl_sort(copy, 1, n);
	}
	return copy;
}

static lt_rc no_memory(struct lt_err *err)
{
	return lt_err_set(err, LT_ENOMEM, "out of memory");
}

/* p-values of a statistic that is standard normal under the null. */
static struct lt_stats_p normal_p(double z_greater, double z_less, double z_two)
{
	struct lt_stats_p p;

	p.greater = gsl_cdf_ugaussian_Q(z_greater);
	p.less = gsl_cdf_ugaussian_P(z_less);
	/* The upper tail of |z|, not 1 - P: no cancellation far out. */
	p.two_sided = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(fabs(z_two)));
	return p;
}

/* p-values of a statistic that is Student's t with df under the null. */
static struct lt_stats_p student_p(double t, double df)
{
	struct lt_stats_p p;

	p.greater = gsl_cdf_tdist_Q(t, df);
	p.less = gsl_cdf_tdist_P(t, df);
	p.two_sided = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(t), df));
	return p;
}

static lt_rc check_p(const struct lt_stats_p *p, const char *what,
		     struct lt_err *err)
{
	lt_rc rc = check_result(p->two_sided, what, err);
	if (!rc)
		rc = check_result(p->greater, what, err);
	if (!rc)
		rc = check_result(p->less, what, err);
	return rc;
}

/* The quantile of Student's t with df at probability prob. */
static lt_rc t_quantile(double prob, double df, double *out, struct lt_err *err)
{
	double q = gsl_cdf_tdist_Pinv(prob, df);
	lt_rc rc = check_result(q, "t quantile", err);
	if (!rc)
		*out = q;
	return rc;
}

/* Average ranks (1-based) of x[0..n-1] into ranks, and Σ (t³ - t) over
 * the groups of t equal values into *tie_sum (may be NULL), *groups the
 * number of groups with t >= 2 (may be NULL).  O(n log n). */
static lt_rc average_ranks(const double *x, size_t n, double *ranks,
			   double *tie_sum, size_t *groups, struct lt_err *err)
{
	size_t *order = alloc_array(n, sizeof *order);
	double sum = 0;
	size_t tied_groups = 0;

	if (!order)
		return no_memory(err);
	gsl_sort_index(order, x, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && x[order[j]] == x[order[i]])
			j++;
		/* Positions i .. j-1 share ranks i+1 .. j: their mean. */
		double rank = (double)(i + 1 + j) / 2.0;
		for (size_t k = i; k < j; k++)
			ranks[order[k]] = rank;
		if (j - i > 1) {
			double t = (double)(j - i);
			sum += t * t * t - t;
			tied_groups++;
		}
		i = j;
	}
	free(order);
	if (tie_sum)
		*tie_sum = sum;
	if (groups)
		*groups = tied_groups;
	return LT_OK;
}

/* The type-7 quantile of sorted[0..n-1] at prob. */
static double sorted_quantile(const double *sorted, size_t n, double prob)
{
	return gsl_stats_quantile_from_sorted_data(sorted, 1, n, prob);
}

/* ---- descriptive statistics ---- */

lt_rc lt_stats_describe(const double *x, size_t n, struct lt_stats_desc *out,
			struct lt_err *err)
{
	struct lt_stats_desc d = {0};
	double *sorted = NULL, *work = NULL;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 2, "x", err)))
		return rc;
	sorted = sorted_copy(x, n);
	work = alloc_array(n, sizeof *work);
	if (!sorted || !work) {
		rc = no_memory(err);
		goto done;
	}
	d.n = n;
	d.mean = gsl_stats_mean(x, 1, n);
	d.variance = gsl_stats_variance_m(x, 1, n, d.mean);
	d.stddev = sqrt(d.variance);
	d.min = sorted[0];
	d.max = sorted[n - 1];
	d.q1 = sorted_quantile(sorted, n, 0.25);
	d.median = sorted_quantile(sorted, n, 0.5);
	d.q3 = sorted_quantile(sorted, n, 0.75);
	d.p95 = sorted_quantile(sorted, n, 0.95);
	d.p99 = sorted_quantile(sorted, n, 0.99);
	/* gsl_stats_mad0 is the unscaled MAD; it reorders its work array. */
	d.mad = gsl_stats_mad0(sorted, 1, n, work);
	*out = d;
done:
	free(sorted);
	free(work);
	return rc;
}

lt_rc lt_stats_quantiles(const double *x, size_t n, const double *probs,
			 size_t k, double *out, struct lt_err *err)
{
	double *sorted;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 1, "x", err)) ||
	    (rc = check_finite(probs, k, "probs", err)))
		return rc;
	for (size_t i = 0; i < k; i++)
		if (probs[i] < 0 || probs[i] > 1)
			return lt_err_set(err, LT_EINVAL,
					  "probs[%zu] must be in [0, 1], got %g",
					  i, probs[i]);
	if (!(sorted = sorted_copy(x, n)))
		return no_memory(err);
	for (size_t i = 0; i < k; i++)
		out[i] = sorted_quantile(sorted, n, probs[i]);
	free(sorted);
	return LT_OK;
}

lt_rc lt_stats_quantile(const double *x, size_t n, double prob, double *out,
			struct lt_err *err)
{
	return lt_stats_quantiles(x, n, &prob, 1, out, err);
}

lt_rc lt_stats_cv(const double *x, size_t n, double *out, struct lt_err *err)
{
	double mean;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 2, "x", err)))
		return rc;
	mean = gsl_stats_mean(x, 1, n);
	if (mean == 0)
		return lt_err_set(err, LT_EINVAL,
				  "x: the mean is 0, the coefficient of variation is undefined");
	*out = gsl_stats_sd_m(x, 1, n, mean) / fabs(mean);
	return LT_OK;
}

/* ---- Welch's t-test ---- */

lt_rc lt_stats_welch(const double *a, size_t na, const double *b, size_t nb,
		     double level, struct lt_stats_welch *out,
		     struct lt_err *err)
{
	struct lt_stats_welch w = {0};
	double va, vb, qa, qb, tq, pooled, m;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(a, na, 2, "a", err)) ||
	    (rc = check_sample(b, nb, 2, "b", err)) ||
	    (rc = check_level(level, "level", err)))
		return rc;
	w.mean_a = gsl_stats_mean(a, 1, na);
	w.mean_b = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, w.mean_a);
	vb = gsl_stats_variance_m(b, 1, nb, w.mean_b);
	if (va == 0 && vb == 0)
		return lt_err_set(err, LT_EINVAL,
				  "both samples have zero variance: the t-test is undefined");
	qa = va / (double)na;
	qb = vb / (double)nb;
	w.diff = w.mean_a - w.mean_b;
	w.se = sqrt(qa + qb);
	w.t = w.diff / w.se;
	w.df = (qa + qb) * (qa + qb) /
	       (qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1));
	w.p = student_p(w.t, w.df);
	if ((rc = check_p(&w.p, "t distribution", err)) ||
	    (rc = t_quantile(0.5 + level / 2, w.df, &tq, err)))
		return rc;
	w.level = level;
	w.ci_low = w.diff - tq * w.se;
	w.ci_high = w.diff + tq * w.se;
	pooled = sqrt(((double)(na - 1) * va + (double)(nb - 1) * vb) /
		      (double)(na + nb - 2));
	w.cohen_d = w.diff / pooled;
	/* The exact factor rather than Hedges' approximation 1 - 3/(4m - 1);
	 * GSL's lngamma because lgamma() writes the global signgam. */
	m = (double)(na + nb - 2);
	w.hedges_g = w.cohen_d * exp(gsl_sf_lngamma(m / 2) - 0.5 * log(m / 2) -
				     gsl_sf_lngamma((m - 1) / 2));
	*out = w;
	return LT_OK;
}

/* ---- Mann-Whitney U ---- */

/* U of a, the tie term and the normal approximation (shared by both
 * entry points). */
static lt_rc mann_whitney_core(const double *a, size_t na, const double *b,
			       size_t nb, struct lt_stats_mw *mw,
			       struct lt_err *err)
{
	size_t total = na + nb;
	double *joined = alloc_array(total, sizeof *joined);
	double *ranks = alloc_array(total, sizeof *ranks);
	double rank_sum = 0, tie_sum = 0, mean, sigma, dn, d;
	size_t groups = 0;
	lt_rc rc = LT_OK;

	if (!joined || !ranks) {
		rc = no_memory(err);
		goto done;
	}
	memcpy(joined, a, na * sizeof *joined);
	memcpy(joined + na, b, nb * sizeof *joined);
	if ((rc = average_ranks(joined, total, ranks, &tie_sum, &groups, err)))
		goto done;
	for (size_t i = 0; i < na; i++)
		rank_sum += ranks[i];
	memset(mw, 0, sizeof *mw);
	mw->u = rank_sum - (double)na * (double)(na + 1) / 2.0;
	mw->u_b = (double)na * (double)nb - mw->u;
	mw->ties = groups > 0;
	mw->prob_superiority = mw->u / ((double)na * (double)nb);
	dn = (double)total;
	mean = (double)na * (double)nb / 2.0;
	sigma = sqrt((double)na * (double)nb / 12.0 *
		     ((dn + 1) - tie_sum / (dn * (dn - 1))));
	d = mw->u - mean;
	if (!(sigma > 0)) {
		/* Every value tied: U sits at its mean, no evidence either way. */
		mw->z = 0;
		mw->p.two_sided = 1;
		mw->p.greater = 1;
		mw->p.less = 1;
	} else {
		/* R's corrections: toward 0 for the two-sided z, and half a
		 * step against each one-sided alternative. */
		double c = d > 0 ? 0.5 : d < 0 ? -0.5 : 0;
		mw->z = (d - c) / sigma;
		mw->p = normal_p((d - 0.5) / sigma, (d + 0.5) / sigma, mw->z);
	}
	mw->r = mw->z / sqrt(dn);
	rc = check_p(&mw->p, "normal distribution", err);
done:
	free(joined);
	free(ranks);
	return rc;
}

lt_rc lt_stats_mann_whitney(const double *a, size_t na, const double *b,
			    size_t nb, struct lt_stats_mw *out,
			    struct lt_err *err)
{
	struct lt_stats_mw mw;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(a, na, 1, "a", err)) ||
	    (rc = check_sample(b, nb, 1, "b", err)) ||
	    (rc = mann_whitney_core(a, na, b, nb, &mw, err)))
		return rc;
	*out = mw;
	return LT_OK;
}

/* P(U <= u) and P(U >= u) under the null for sizes na, nb without ties:
 * count the na-subsets of the ranks 1..na+nb by their sum (U is that sum
 * less na(na+1)/2).  Counts reach C(100, 50) ~ 1e29, past any integer
 * type; doubles hold them to 1e-16 relative and the recurrence only adds,
 * so nothing cancels. */
static lt_rc mann_whitney_exact_p(size_t na, size_t nb, double u,
				  double *p_le, double *p_ge, struct lt_err *err)
{
	size_t total = na + nb;
	size_t max_sum = na * total;  /* above the largest rank sum */
	size_t width = max_sum + 1;
	double *count = calloc((na + 1) * width, sizeof *count);
	double all = 0, le = 0, ge = 0, base = (double)na * (double)(na + 1) / 2.0;

	if (!count)
		return no_memory(err);
	count[0] = 1;  /* the empty subset, sum 0 */
	for (size_t rank = 1; rank <= total; rank++) {
		size_t top = rank < na ? rank : na;
		for (size_t k = top; k >= 1; k--) {
			double *row = count + k * width, *prev = row - width;
			for (size_t s = max_sum; s >= rank; s--)
				row[s] += prev[s - rank];
		}
	}
	for (size_t s = 0; s <= max_sum; s++) {
		double c = count[na * width + s], us = (double)s - base;
		all += c;
		if (us <= u)
			le += c;
		if (us >= u)
			ge += c;
	}
	free(count);
	*p_le = le / all;
	*p_ge = ge / all;
	return LT_OK;
}

lt_rc lt_stats_mann_whitney_exact(const double *a, size_t na, const double *b,
				  size_t nb, struct lt_stats_mw *out,
				  struct lt_err *err)
{
	struct lt_stats_mw mw;
	double le = 0, ge = 0;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(a, na, 1, "a", err)) ||
	    (rc = check_sample(b, nb, 1, "b", err)))
		return rc;
	if (na > LT_STATS_MW_EXACT_MAX || nb > LT_STATS_MW_EXACT_MAX)
		return lt_err_set(err, LT_ELIMIT,
				  "exact Mann-Whitney p-values need at most %d values per sample, got %zu and %zu",
				  LT_STATS_MW_EXACT_MAX, na, nb);
	if ((rc = mann_whitney_core(a, na, b, nb, &mw, err)))
		return rc;
	if (mw.ties)
		return lt_err_set(err, LT_EINVAL,
				  "the samples have ties: exact Mann-Whitney p-values need distinct values");
	if ((rc = mann_whitney_exact_p(na, nb, mw.u, &le, &ge, err)))
		return rc;
	mw.exact = true;
	mw.p.less = fmin(1.0, le);
	mw.p.greater = fmin(1.0, ge);
	mw.p.two_sided = fmin(1.0, 2.0 * fmin(le, ge));
	*out = mw;
	return LT_OK;
}

/* ---- Mann-Kendall and Sen ---- */

/* Tie-corrected variance of the Mann-Kendall S of x: Gilbert (1987)
 * eq. 16.4, [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18. */
static lt_rc mk_variance(const double *x, size_t n, double *var_s,
			 size_t *groups, struct lt_err *err)
{
	double *sorted = sorted_copy(x, n), dn = (double)n, ties = 0;
	size_t tied_groups = 0;

	if (!sorted)
		return no_memory(err);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && sorted[j] == sorted[i])
			j++;
		if (j - i > 1) {
			double t = (double)(j - i);
			ties += t * (t - 1) * (2 * t + 5);
			tied_groups++;
		}
		i = j;
	}
	free(sorted);
	*var_s = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18.0;
	if (groups)
		*groups = tied_groups;
	return LT_OK;
}

lt_rc lt_stats_mann_kendall(const double *x, size_t n, struct lt_stats_mk *out,
			    struct lt_err *err)
{
	struct lt_stats_mk mk = {0};
	long long s = 0;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 3, "x", err)))
		return rc;
	if (n > LT_STATS_MK_MAX_N)
		return lt_err_set(err, LT_ELIMIT,
				  "Mann-Kendall: at most %d values, got %zu",
				  LT_STATS_MK_MAX_N, n);
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += (x[j] > x[i]) - (x[j] < x[i]);
	if ((rc = mk_variance(x, n, &mk.var_s, &mk.tie_groups, err)))
		return rc;
	mk.n = n;
	mk.s = (double)s;
	mk.tau = mk.s / ((double)n * (double)(n - 1) / 2.0);
	if (s == 0) {
		/* Also the constant series, whose variance is 0. */
		mk.z = 0;
	} else {
		double sign = s > 0 ? 1 : -1;
		mk.z = sign * (fabs(mk.s) - 1) / sqrt(mk.var_s);
	}
	/* As trend::mk.test: one z, continuity-corrected toward 0, for all
	 * three alternatives. */
	mk.p = normal_p(mk.z, mk.z, mk.z);
	if ((rc = check_p(&mk.p, "normal distribution", err)))
		return rc;
	*out = mk;
	return LT_OK;
}

/* The k-th smallest (0-based) of v[0..n-1], n >= 1, by quickselect
 * (Hoare's partition around a median of three): O(n) on average, where
 * sorting the millions of pairwise slopes of Sen's estimator, for the
 * four order statistics it needs, took seconds.  Reorders v: everything
 * before index k ends up <= v[k], everything after >= v[k]. */
static double select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;

	while (lo < hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double a = v[lo], b = v[mid], c = v[hi], pivot, tmp;

		pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				tmp = v[i];
				v[i] = v[j];
				v[j] = tmp;
				i++;
				j--;
			}
		}
		/* Now v[lo..j] <= pivot <= v[i..hi], and j < i. */
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			break;  /* between j and i every value equals the pivot */
	}
	return v[want];
}

/* The value at 1-based rank r (rounded, clamped into 1..n) of v. */
static double at_rank(double *v, size_t n, double r)
{
	if (r < 1)
		r = 1;
	if (r > (double)n)
		r = (double)n;
	return select_kth(v, n, (size_t)r - 1);
}

/* The median of v[0..n-1], n >= 1; reorders v. */
static double select_median(double *v, size_t n)
{
	double low = select_kth(v, n, (n - 1) / 2), high = low;

	if (n % 2 == 0) {
		/* The next order statistic is the least of the upper part. */
		high = v[n / 2];
		for (size_t i = n / 2 + 1; i < n; i++)
			if (v[i] < high)
				high = v[i];
	}
	return (low + high) / 2;
}

lt_rc lt_stats_sen(const double *x, const double *y, size_t n, double level,
		   struct lt_stats_sen *out, struct lt_err *err)
{
	struct lt_stats_sen sen = {0};
	double *slopes = NULL, *copy = NULL, var_s, c, median_x, median_y, z;
	size_t count = 0;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(y, n, 3, "y", err)) ||
	    (x && (rc = check_finite(x, n, "x", err))) ||
	    (rc = check_level(level, "level", err)))
		return rc;
	if (n > LT_STATS_SEN_MAX_N)
		return lt_err_set(err, LT_ELIMIT,
				  "Sen's slope: at most %d values, got %zu",
				  LT_STATS_SEN_MAX_N, n);
	slopes = alloc_array(n * (n - 1) / 2, sizeof *slopes);
	copy = alloc_array(n, sizeof *copy);
	if (!slopes || !copy) {
		rc = no_memory(err);
		goto done;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			double dx = x ? x[j] - x[i] : (double)(j - i);
			if (dx != 0)
				slopes[count++] = (y[j] - y[i]) / dx;
		}
	}
	if (count == 0) {
		rc = lt_err_set(err, LT_EINVAL, "x: all values are equal, no slope is defined");
		goto done;
	}
	sen.slope = select_median(slopes, count);
	sen.n_slopes = count;
	sen.level = level;
	if ((rc = mk_variance(y, n, &var_s, NULL, err)))
		goto done;
	z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
	if ((rc = check_result(z, "normal quantile", err)))
		goto done;
	c = z * sqrt(var_s);
	/* nearbyint rounds half to even, as R's round() in trend::sens.slope. */
	sen.ci_low = at_rank(slopes, count, nearbyint(((double)count - c) / 2));
	sen.ci_high = at_rank(slopes, count, nearbyint(((double)count + c) / 2 + 1));
	memcpy(copy, y, n * sizeof *copy);
	median_y = select_median(copy, n);
	if (x) {
		memcpy(copy, x, n * sizeof *copy);
		median_x = select_median(copy, n);
	} else {
		median_x = (double)(n - 1) / 2;
	}
	sen.intercept = median_y - sen.slope * median_x;
	*out = sen;
done:
	free(slopes);
	free(copy);
	return rc;
}

/* ---- correlation ---- */

/* r with its t statistic and p-values, n - 2 degrees of freedom. */
static lt_rc corr_finish(double r, size_t n, struct lt_stats_corr *out,
			 struct lt_err *err)
{
	struct lt_stats_corr c = {0};
	lt_rc rc;

	/* Rounding can carry |r| a hair past 1. */
	if (r > 1)
		r = 1;
	if (r < -1)
		r = -1;
	c.n = n;
	c.r = r;
	c.df = (double)(n - 2);
	if (fabs(r) == 1) {
		c.t = copysign(HUGE_VAL, r);
		c.p.two_sided = 0;
		c.p.greater = r > 0 ? 0 : 1;
		c.p.less = r > 0 ? 1 : 0;
	} else {
		c.t = r * sqrt(c.df / (1 - r * r));
		c.p = student_p(c.t, c.df);
		if ((rc = check_p(&c.p, "t distribution", err)))
			return rc;
	}
	*out = c;
	return LT_OK;
}

/* The mean by a sum and one correction pass: exact for ranks (sums of
 * half-integers), and as accurate as a two-pass mean for any data. */
static double mean_of(const double *x, size_t n)
{
	double sum = 0, fix = 0, m;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	m = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		fix += x[i] - m;
	return m + fix / (double)n;
}

/* Pearson's r by two passes, not gsl_stats_correlation's one-pass
 * recurrence: on ranks every deviation and product is a multiple of 1/4
 * and every sum exact, so a perfect rank correlation is exactly ±1 (the
 * recurrence gave 1 - 2e-16, and with 1 degree of freedom that turns
 * p = 0 into 1e-8). */
static double correlation(const double *x, const double *y, size_t n)
{
	double mx = mean_of(x, n), my = mean_of(y, n), sxy = 0, sxx = 0, syy = 0, norm;

	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	norm = sqrt(sxx * syy);
	if (isinf(norm) || norm == 0)
		norm = sqrt(sxx) * sqrt(syy);  /* the product over- or underflowed */
	return sxy / norm;
}

static bool is_constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

static lt_rc check_pair(const double *x, const double *y, size_t n,
			struct lt_err *err)
{
	lt_rc rc;

	if ((rc = check_sample(x, n, 3, "x", err)) ||
	    (rc = check_finite(y, n, "y", err)))
		return rc;
	if (is_constant(x, n))
		return lt_err_set(err, LT_EINVAL, "x is constant: the correlation is undefined");
	if (is_constant(y, n))
		return lt_err_set(err, LT_EINVAL, "y is constant: the correlation is undefined");
	return LT_OK;
}

lt_rc lt_stats_pearson(const double *x, const double *y, size_t n,
		       struct lt_stats_corr *out, struct lt_err *err)
{
	lt_rc rc;

	gsl_init();
	if ((rc = check_pair(x, y, n, err)))
		return rc;
	return corr_finish(correlation(x, y, n), n, out, err);
}

lt_rc lt_stats_spearman(const double *x, const double *y, size_t n,
			struct lt_stats_corr *out, struct lt_err *err)
{
	double *rx = NULL, *ry = NULL;
	lt_rc rc;

	gsl_init();
	if ((rc = check_pair(x, y, n, err)))
		return rc;
	rx = alloc_array(n, sizeof *rx);
	ry = alloc_array(n, sizeof *ry);
	if (!rx || !ry) {
		rc = no_memory(err);
		goto done;
	}
	if ((rc = average_ranks(x, n, rx, NULL, NULL, err)) ||
	    (rc = average_ranks(y, n, ry, NULL, NULL, err)))
		goto done;
	rc = corr_finish(correlation(rx, ry, n), n, out, err);
done:
	free(rx);
	free(ry);
	return rc;
}

lt_rc lt_stats_corr_matrix(const double *const *series, size_t k, size_t n,
			   lt_stats_corr_method method, double *r, double *p,
			   struct lt_err *err)
{
	double *ranks = NULL;
	const double **use = NULL;
	bool *constant = NULL;
	char name[32];
	lt_rc rc = LT_OK;

	gsl_init();
	if (k == 0 || !series || !r)
		return lt_err_set(err, LT_EINVAL, "need at least one series");
	if (method != LT_STATS_PEARSON && method != LT_STATS_SPEARMAN)
		return lt_err_set(err, LT_EINVAL, "unknown correlation method %d", (int)method);
	if ((rc = check_count(n, 3, "series", err)))
		return rc;
	for (size_t i = 0; i < k; i++) {
		snprintf(name, sizeof name, "series[%zu]", i);
		if ((rc = check_finite(series[i], n, name, err)))
			return rc;
	}
	use = alloc_array(k, sizeof *use);
	constant = alloc_array(k, sizeof *constant);
	if (method == LT_STATS_SPEARMAN && k > SIZE_MAX / n) {
		rc = no_memory(err);
		goto done;
	}
	if (method == LT_STATS_SPEARMAN)
		ranks = alloc_array(k * n, sizeof *ranks);
	if (!use || !constant || (method == LT_STATS_SPEARMAN && !ranks)) {
		rc = no_memory(err);
		goto done;
	}
	for (size_t i = 0; i < k; i++) {
		constant[i] = is_constant(series[i], n);
		use[i] = series[i];
		if (ranks) {
			if ((rc = average_ranks(series[i], n, ranks + i * n, NULL, NULL, err)))
				goto done;
			use[i] = ranks + i * n;
		}
	}
	for (size_t i = 0; i < k; i++) {
		for (size_t j = i; j < k; j++) {
			struct lt_stats_corr c;
			double rv = NAN, pv = NAN;
			if (constant[i] || constant[j]) {
				/* Undefined; see stats.h. */
			} else if (i == j) {
				rv = 1;
				pv = 0;
			} else {
				rc = corr_finish(correlation(use[i], use[j], n),
						 n, &c, err);
				if (rc)
					goto done;
				rv = c.r;
				pv = c.p.two_sided;
			}
			r[i * k + j] = r[j * k + i] = rv;
			if (p)
				p[i * k + j] = p[j * k + i] = pv;
		}
	}
done:
	free(ranks);
	free(use);
	free(constant);
	return rc;
}

/* ---- bootstrap ---- */

struct boot_settings {
	unsigned resamples;
	double level;
	unsigned long seed;
	uint64_t max_resample_size;
};

static lt_rc boot_settings(const struct lt_stats_boot_opts *opts,
			   struct boot_settings *s, struct lt_err *err)
{
	struct lt_stats_boot_opts none = {0};
	lt_rc rc;

	if (!opts)
		opts = &none;
	s->resamples = opts->resamples ? opts->resamples : LT_STATS_BOOT_RESAMPLES;
	s->level = opts->level != 0 ? opts->level : 0.95;
	s->seed = opts->seed;
	s->max_resample_size = opts->max_resample_size ? opts->max_resample_size
						       : LT_STATS_BOOT_HIST_MAX_N;
	if (s->resamples > LT_STATS_BOOT_MAX_RESAMPLES)
		return lt_err_set(err, LT_ELIMIT, "at most %u resamples, got %u",
				  LT_STATS_BOOT_MAX_RESAMPLES, s->resamples);
	/* Fewer than 2 cannot give an interval. */
	if (s->resamples < 2)
		return lt_err_set(err, LT_EINVAL, "need at least 2 resamples, got %u",
				  s->resamples);
	if ((rc = check_level(s->level, "level", err)))
		return rc;
	return LT_OK;
}

static gsl_rng *new_rng(unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng)
		gsl_rng_set(rng, seed);
	return rng;
}

/* Sort the B differences and read the percentile interval off them. */
static void boot_interval(double *diffs, unsigned resamples, double level,
			  struct lt_stats_ci *ci)
{
	gsl_sort(diffs, 1, resamples);
	ci->low = sorted_quantile(diffs, resamples, (1 - level) / 2);
	ci->high = sorted_quantile(diffs, resamples, (1 + level) / 2);
	ci->level = level;
	ci->resamples = resamples;
}

static lt_rc call_stat(lt_stats_statistic_fn stat, double *x, size_t n,
		       void *ctx, double *out, struct lt_err *err)
{
	double v = stat(x, n, ctx);
	if (!isfinite(v))
		return lt_err_set(err, LT_EINVAL, "the statistic returned %g", v);
	*out = v;
	return LT_OK;
}

lt_rc lt_stats_bootstrap_diff(const double *a, size_t na, const double *b,
			      size_t nb, lt_stats_statistic_fn stat, void *ctx,
			      const struct lt_stats_boot_opts *opts,
			      struct lt_stats_ci *out, struct lt_err *err)
{
	struct boot_settings s;
	struct lt_stats_ci ci = {0};
	double *ra = NULL, *rb = NULL, *diffs = NULL, sa = 0, sb = 0;
	gsl_rng *rng = NULL;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(a, na, 2, "a", err)) ||
	    (rc = check_sample(b, nb, 2, "b", err)) ||
	    (rc = boot_settings(opts, &s, err)))
		return rc;
	if (!stat)
		return lt_err_set(err, LT_EINVAL, "no statistic given");
	/* gsl_rng_uniform_int draws below the generator's range, 2^32. */
	if (na > 0xffffffffu || nb > 0xffffffffu)
		return lt_err_set(err, LT_ELIMIT, "at most 4294967295 values per sample");
	ra = alloc_array(na, sizeof *ra);
	rb = alloc_array(nb, sizeof *rb);
	diffs = alloc_array(s.resamples, sizeof *diffs);
	rng = new_rng(s.seed);
	if (!ra || !rb || !diffs || !rng) {
		rc = no_memory(err);
		goto done;
	}
	memcpy(ra, a, na * sizeof *ra);
	memcpy(rb, b, nb * sizeof *rb);
	if ((rc = call_stat(stat, ra, na, ctx, &sa, err)) ||
	    (rc = call_stat(stat, rb, nb, ctx, &sb, err)))
		goto done;
	ci.estimate = sa - sb;
	for (unsigned i = 0; i < s.resamples; i++) {
		for (size_t j = 0; j < na; j++)
			ra[j] = a[gsl_rng_uniform_int(rng, na)];
		for (size_t j = 0; j < nb; j++)
			rb[j] = b[gsl_rng_uniform_int(rng, nb)];
		if ((rc = call_stat(stat, ra, na, ctx, &sa, err)) ||
		    (rc = call_stat(stat, rb, nb, ctx, &sb, err)))
			goto done;
		diffs[i] = sa - sb;
	}
	boot_interval(diffs, s.resamples, s.level, &ci);
	ci.resample_size_a = na;
	ci.resample_size_b = nb;
	*out = ci;
done:
	free(ra);
	free(rb);
	free(diffs);
	gsl_rng_free(rng);
	return rc;
}

/* A histogram as this module needs it: the non-empty buckets in order,
 * each with its reported value and the running total of the counts. */
struct hist_cdf {
	size_t buckets;
	double *value;     /* µs, as lt_hist_percentile reports the bucket */
	uint64_t *cumulative;
	uint64_t count;
};

static void hist_cdf_free(struct hist_cdf *h)
{
	free(h->value);
	free(h->cumulative);
}

/* A figure of the JSON form: a number below 2^53 or a string of digits. */
static bool json_u64(const cJSON *item, uint64_t *out)
{
	if (cJSON_IsNumber(item)) {
		double d = item->valuedouble;
		if (!(d >= 0 && d < 9007199254740992.0) || d != floor(d))
			return false;
		*out = (uint64_t)d;
		return true;
	}
	if (cJSON_IsString(item) && item->valuestring[0]) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(item->valuestring, &end, 10);
		if (errno || *end)
			return false;
		*out = v;
		return true;
	}
	return false;
}

/* The values bucket index i covers, by the layout of hist.h. */
static void bucket_range(uint64_t i, uint64_t *low, uint64_t *high)
{
	uint64_t sub = 1u << LT_HIST_SUB_BITS;

	if (i < 2 * sub) {
		*low = *high = i;
	} else {
		uint64_t shift = i / sub - 1, m = i - sub * shift;
		*low = m << shift;
		*high = ((m + 1) << shift) - 1;
	}
}

/* Read h through its sparse JSON form (hist.h has no bucket iterator):
 * "n", "min", "max" and the pairs of "b", index deltas and counts. */
static lt_rc read_hist(const struct lt_hist *h, const char *name,
		       struct hist_cdf *out, struct lt_err *err)
{
	cJSON *json = lt_hist_to_json(h);
	const cJSON *b, *item;
	uint64_t n, min, max, index = 0, total = 0;
	size_t pairs, k = 0;
	lt_rc rc = LT_OK;

	memset(out, 0, sizeof *out);
	if (!json)
		return no_memory(err);
	b = cJSON_GetObjectItemCaseSensitive(json, "b");
	if (!json_u64(cJSON_GetObjectItemCaseSensitive(json, "n"), &n) ||
	    !json_u64(cJSON_GetObjectItemCaseSensitive(json, "min"), &min) ||
	    !json_u64(cJSON_GetObjectItemCaseSensitive(json, "max"), &max) ||
	    !cJSON_IsArray(b) || cJSON_GetArraySize(b) % 2) {
		rc = lt_err_set(err, LT_EINTERNAL, "%s: unexpected histogram JSON", name);
		goto done;
	}
	if (n < 2) {
		rc = lt_err_set(err, LT_EINVAL, "%s: need at least 2 values, got %llu",
				name, (unsigned long long)n);
		goto done;
	}
	pairs = (size_t)cJSON_GetArraySize(b) / 2;
	out->value = alloc_array(pairs, sizeof *out->value);
	out->cumulative = alloc_array(pairs, sizeof *out->cumulative);
	if (!out->value || !out->cumulative) {
		rc = no_memory(err);
		goto done;
	}
	item = b->child;
	while (item && item->next) {
		uint64_t delta, count, low, high;
		if (!json_u64(item, &delta) || !json_u64(item->next, &count)) {
			rc = lt_err_set(err, LT_EINTERNAL, "%s: unexpected histogram JSON", name);
			goto done;
		}
		index += delta;
		total += count;
		bucket_range(index, &low, &high);
		/* The middle of the bucket's part within [min, max], as
		 * lt_hist_percentile reports it. */
		if (low < min)
			low = min;
		if (high > max)
			high = max;
		out->value[k] = (double)(low + (high - low) / 2);
		out->cumulative[k] = total;
		k++;
		item = item->next->next;
	}
	if (total != n) {
		rc = lt_err_set(err, LT_EINTERNAL, "%s: bucket counts do not add up", name);
		goto done;
	}
	out->buckets = k;
	out->count = n;
done:
	cJSON_Delete(json);
	if (rc)
		hist_cdf_free(out);
	return rc;
}

/* The rank of percentile p among m values, as hist.h defines it:
 * ceil(p m / 100), at least 1, with p m / 100 within 1e-12 of an integer
 * taken as that integer. */
static uint64_t percentile_rank(double p, uint64_t m)
{
	double x = p * (double)m / 100.0, nearest = nearbyint(x);
	uint64_t rank;

	if (fabs(x - nearest) <= 1e-12 * fmax(1.0, fabs(x)))
		x = nearest;
	rank = (uint64_t)ceil(x);
	if (rank < 1)
		rank = 1;
	if (rank > m)
		rank = m;
	return rank;
}

/* The percentile of one resample of m values from h: the value of the
 * bucket that the inverse CDF gives for a Beta(r, m - r + 1) draw. */
static double resample_percentile(const struct hist_cdf *h, uint64_t m,
				  uint64_t rank, gsl_rng *rng)
{
	double u = gsl_ran_beta(rng, (double)rank, (double)(m - rank + 1));
	double target = u * (double)h->count;
	size_t lo = 0, hi = h->buckets - 1;

	/* The first bucket whose running total reaches target. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((double)h->cumulative[mid] >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return h->value[lo];
}

lt_rc lt_stats_bootstrap_hist_percentile(const struct lt_hist *a,
					 const struct lt_hist *b, double p,
					 const struct lt_stats_boot_opts *opts,
					 struct lt_stats_ci *out,
					 struct lt_err *err)
{
	struct boot_settings s;
	struct lt_stats_ci ci = {0};
	struct hist_cdf ha = {0}, hb = {0};
	double *diffs = NULL;
	gsl_rng *rng = NULL;
	uint64_t ma, mb, rank_a, rank_b;
	lt_rc rc;

	gsl_init();
	if (!a || !b)
		return lt_err_set(err, LT_EINVAL, "%s: NULL histogram", a ? "b" : "a");
	if (!(p >= 0 && p <= 100))
		return lt_err_set(err, LT_EINVAL, "percentile must be in [0, 100], got %g", p);
	if ((rc = boot_settings(opts, &s, err)))
		return rc;
	if ((rc = read_hist(a, "a", &ha, err)) || (rc = read_hist(b, "b", &hb, err)))
		goto done;
	diffs = alloc_array(s.resamples, sizeof *diffs);
	rng = new_rng(s.seed);
	if (!diffs || !rng) {
		rc = no_memory(err);
		goto done;
	}
	ma = ha.count < s.max_resample_size ? ha.count : s.max_resample_size;
	mb = hb.count < s.max_resample_size ? hb.count : s.max_resample_size;
	rank_a = percentile_rank(p, ma);
	rank_b = percentile_rank(p, mb);
	for (unsigned i = 0; i < s.resamples; i++)
		diffs[i] = resample_percentile(&ha, ma, rank_a, rng) -
			   resample_percentile(&hb, mb, rank_b, rng);
	ci.estimate = (double)lt_hist_percentile(a, p) - (double)lt_hist_percentile(b, p);
	boot_interval(diffs, s.resamples, s.level, &ci);
	ci.resample_size_a = ma;
	ci.resample_size_b = mb;
	*out = ci;
done:
	hist_cdf_free(&ha);
	hist_cdf_free(&hb);
	free(diffs);
	gsl_rng_free(rng);
	return rc;
}

/* ---- Benjamini-Hochberg ---- */

static lt_rc check_pvalues(const double *p, size_t m, struct lt_err *err)
{
	lt_rc rc;

	if ((rc = check_sample(p, m, 1, "p", err)))
		return rc;
	for (size_t i = 0; i < m; i++)
		if (p[i] < 0 || p[i] > 1)
			return lt_err_set(err, LT_EINVAL, "p[%zu] must be in [0, 1], got %g",
					  i, p[i]);
	return LT_OK;
}

lt_rc lt_stats_bh_adjust(const double *p, size_t m, double *q,
			 struct lt_err *err)
{
	size_t *order;
	double running = 1;
	lt_rc rc;

	gsl_init();
	if ((rc = check_pvalues(p, m, err)))
		return rc;
	if (!(order = alloc_array(m, sizeof *order)))
		return no_memory(err);
	gsl_sort_index(order, p, 1, m);
	/* From the largest p down, carrying the minimum: the step-up
	 * adjustment is monotone in p.  order is taken first, so q may be p. */
	for (size_t i = m; i-- > 0;) {
		double v = p[order[i]] * (double)m / (double)(i + 1);
		if (v < running)
			running = v;
		q[order[i]] = running;
	}
	free(order);
	return LT_OK;
}

lt_rc lt_stats_bh_reject(const double *p, size_t m, double alpha,
			 bool *reject, size_t *n_rejected, struct lt_err *err)
{
	size_t *order, k = 0;
	lt_rc rc;

	gsl_init();
	if ((rc = check_pvalues(p, m, err)))
		return rc;
	if (!(alpha > 0 && alpha < 1))
		return lt_err_set(err, LT_EINVAL, "alpha must be in (0, 1), got %g", alpha);
	if (!(order = alloc_array(m, sizeof *order)))
		return no_memory(err);
	gsl_sort_index(order, p, 1, m);
	for (size_t i = 0; i < m; i++)
		if (p[order[i]] <= (double)(i + 1) * alpha / (double)m)
			k = i + 1;
	for (size_t i = 0; i < m; i++)
		reject[order[i]] = i < k;
	free(order);
	if (n_rejected)
		*n_rejected = k;
	return LT_OK;
}

/* ---- linear regression ---- */

lt_rc lt_stats_linfit(const double *x, const double *y, size_t n,
		      struct lt_stats_linfit *out, struct lt_err *err)
{
	struct lt_stats_linfit fit = {0};
	double *index = NULL, c0, c1, cov00, cov01, cov11, sse, sst;
	int status;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(y, n, 3, "y", err)) ||
	    (x && (rc = check_finite(x, n, "x", err))))
		return rc;
	if (!x) {
		if (!(index = alloc_array(n, sizeof *index)))
			return no_memory(err);
		for (size_t i = 0; i < n; i++)
			index[i] = (double)i;
		x = index;
	}
	if (is_constant(x, n)) {
		rc = lt_err_set(err, LT_EINVAL, "x: all values are equal, no line fits");
		goto done;
	}
	status = gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sse);
	if ((rc = gsl_rc(status, "least squares", err)))
		goto done;
	sst = gsl_stats_tss(y, 1, n);
	fit.n = n;
	fit.intercept = c0;
	fit.slope = c1;
	fit.se_intercept = sqrt(cov00);
	fit.se_slope = sqrt(cov11);
	fit.cov = cov01;
	fit.residual_sd = sqrt(sse / (double)(n - 2));
	fit.r2 = sst > 0 ? 1 - sse / sst : 1;
	*out = fit;
done:
	free(index);
	return rc;
}

static lt_rc check_fit(const struct lt_stats_linfit *fit, struct lt_err *err)
{
	if (!fit || fit->n < 3 || !isfinite(fit->slope) || !isfinite(fit->intercept))
		return lt_err_set(err, LT_EINVAL, "not a fitted line");
	return LT_OK;
}

lt_rc lt_stats_linfit_predict(const struct lt_stats_linfit *fit, double x,
			      double level, struct lt_stats_prediction *out,
			      struct lt_err *err)
{
	struct lt_stats_prediction pr = {0};
	double var_mean, tq;
	lt_rc rc;

	gsl_init();
	if ((rc = check_fit(fit, err)) || (rc = check_finite(&x, 1, "x", err)) ||
	    (rc = check_level(level, "level", err)))
		return rc;
	/* Var(c0 + c1 x) from the covariance matrix of the estimates; a new
	 * observation adds the residual variance. */
	var_mean = fit->se_intercept * fit->se_intercept + 2 * x * fit->cov +
		   x * x * fit->se_slope * fit->se_slope;
	if (var_mean < 0)
		var_mean = 0;
	if ((rc = t_quantile(0.5 + level / 2, (double)(fit->n - 2), &tq, err)))
		return rc;
	pr.x = x;
	pr.y = fit->intercept + fit->slope * x;
	pr.se = sqrt(var_mean + fit->residual_sd * fit->residual_sd);
	pr.level = level;
	pr.low = pr.y - tq * pr.se;
	pr.high = pr.y + tq * pr.se;
	*out = pr;
	return LT_OK;
}

lt_rc lt_stats_linfit_crossing(const struct lt_stats_linfit *fit, double value,
			       lt_stats_direction direction, double *x_at,
			       bool *found, struct lt_err *err)
{
	lt_rc rc;

	gsl_init();
	if ((rc = check_fit(fit, err)) || (rc = check_finite(&value, 1, "value", err)))
		return rc;
	if (direction != LT_STATS_RISING && direction != LT_STATS_FALLING)
		return lt_err_set(err, LT_EINVAL, "unknown direction %d", (int)direction);
	if ((direction == LT_STATS_RISING && fit->slope > 0) ||
	    (direction == LT_STATS_FALLING && fit->slope < 0)) {
		*x_at = (value - fit->intercept) / fit->slope;
		*found = true;
	} else {
		*found = false;
	}
	return LT_OK;
}

/* ---- autocorrelation ---- */

lt_rc lt_stats_acf(const double *x, size_t n, size_t max_lag, double *acf,
		   struct lt_err *err)
{
	double mean, c0 = 0;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 2, "x", err)))
		return rc;
	if (max_lag >= n)
		return lt_err_set(err, LT_EINVAL, "max_lag must be below n = %zu, got %zu",
				  n, max_lag);
	mean = gsl_stats_mean(x, 1, n);
	for (size_t t = 0; t < n; t++)
		c0 += (x[t] - mean) * (x[t] - mean);
	if (c0 == 0)
		return lt_err_set(err, LT_EINVAL, "x is constant: the autocorrelation is undefined");
	for (size_t k = 0; k <= max_lag; k++) {
		double ck = 0;
		for (size_t t = 0; t + k < n; t++)
			ck += (x[t] - mean) * (x[t + k] - mean);
		acf[k] = ck / c0;
	}
	return LT_OK;
}

lt_rc lt_stats_period(const double *x, size_t n, size_t max_lag,
		      struct lt_stats_period *out, struct lt_err *err)
{
	struct lt_stats_period per = {0};
	double *acf;
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(x, n, 6, "x", err)))
		return rc;
	if (max_lag == 0)
		max_lag = n / 2;
	if (max_lag >= n || max_lag < 3)
		return lt_err_set(err, LT_EINVAL, "max_lag must be in 3 .. %zu, got %zu",
				  n - 1, max_lag);
	per.bound = 1.96 / sqrt((double)n);
	per.max_lag = max_lag;
	if (is_constant(x, n)) {
		*out = per;
		return LT_OK;
	}
	if (!(acf = alloc_array(max_lag + 1, sizeof *acf)))
		return no_memory(err);
	if ((rc = lt_stats_acf(x, n, max_lag, acf, err))) {
		free(acf);
		return rc;
	}
	for (size_t lag = 2; lag < max_lag; lag++) {
		if (acf[lag] > per.bound && acf[lag] > acf[lag - 1] &&
		    acf[lag] >= acf[lag + 1] && acf[lag] > per.strength) {
			per.period = lag;
			per.strength = acf[lag];
		}
	}
	free(acf);
	*out = per;
	return LT_OK;
}

/* ---- scores ---- */

lt_rc lt_stats_score(const double *prev, size_t n, double x,
		     struct lt_stats_score *out, struct lt_err *err)
{
	struct lt_stats_score sc = {0};
	lt_rc rc;

	gsl_init();
	if ((rc = check_sample(prev, n, 2, "prev", err)) ||
	    (rc = check_finite(&x, 1, "x", err)))
		return rc;
	sc.n = n;
	sc.mean = gsl_stats_mean(prev, 1, n);
	sc.stddev = gsl_stats_sd_m(prev, 1, n, sc.mean);
	if (sc.stddev == 0)
		return lt_err_set(err, LT_EINVAL,
				  "prev: all values are equal, no spread to score against");
	sc.z = (x - sc.mean) / sc.stddev;
	sc.p_z = normal_p(sc.z, sc.z, sc.z);
	sc.df = (double)(n - 1);
	sc.t = (x - sc.mean) / (sc.stddev * sqrt(1 + 1 / (double)n));
	sc.p_t = student_p(sc.t, sc.df);
	if ((rc = check_p(&sc.p_z, "normal distribution", err)) ||
	    (rc = check_p(&sc.p_t, "t distribution", err)))
		return rc;
	*out = sc;
	return LT_OK;
}
