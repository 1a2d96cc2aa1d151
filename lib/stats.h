/* stats.h -- the statistics lt's verdicts rest on, on plain arrays of doubles.
 *
 * The regression check (lt-regress check), the analytics of a metric's
 * history (trend, seasonality, correlation, forecast) and `lt-regress
 * stat` call these routines; they never see a database, a record or a
 * file.  Each takes borrowed arrays, never changes them (the routines
 * that sort work on a copy), and fills a small result struct owned by
 * the caller.  Distributions, sorting, moments and least squares come
 * from GSL; what GSL lacks (rank tests, trend tests, bootstrap, the
 * false discovery rate) is written here.
 *
 * Conventions every function follows:
 *
 *   - Input must be finite: a NaN or an infinity anywhere is LT_EINVAL
 *     naming the array and the index ("a[3] is not a finite number").
 *     Missing values are the caller's to drop, because only the caller
 *     knows whether dropping one shifts a time series.
 *   - Too few values is LT_EINVAL "a: need at least 2 values, got 1";
 *     each function states its minimum.  A statistic that is undefined
 *     for the data (both samples constant in a t-test, a constant series
 *     in a correlation) is LT_EINVAL saying so, never a NaN in a result,
 *     so a caller can report "inconclusive" instead of a false verdict.
 *     The one exception is lt_stats_corr_matrix(), documented there.
 *   - Two-sample results are for a - b: a positive difference means a
 *     is larger.  Call with (current, baseline) to get "current minus
 *     baseline".  struct lt_stats_p gives every p-value three ways.
 *   - Levels (confidence, prediction) are fractions in (0, 1): 0.95.
 *   - On failure *out is unchanged and nothing leaks; err (may be NULL)
 *     says why.  LT_ENOMEM when an allocation fails, LT_ELIMIT when an
 *     input passes a documented size limit.
 *   - Reentrant and thread-safe: no global state.  The first call of any
 *     function turns GSL's default error handler (which aborts the
 *     process) off for the whole process, once, under pthread_once: a
 *     library must not abort its caller, so GSL status codes are checked
 *     and translated instead.  A caller that installs its own GSL handler
 *     afterwards takes over that choice.
 *
 * Not goals: multivariate regression, streaming (online) statistics,
 * weighted samples, exact p-values for large samples.
 *
 * References, per function below; the test suite (tests/unit/check_stats.c)
 * checks each against published values and names the source.
 */
#ifndef LT_STATS_H
#define LT_STATS_H

#include "lt.h"
#include "hist.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* p-values of one test, for each alternative hypothesis.  greater: the
 * alternative that the statistic is larger than under the null (a > b,
 * an increasing trend, a new value above the previous ones); less: the
 * opposite; two_sided: either, min(1, 2 min(greater, less)) for
 * symmetric statistics. */
struct lt_stats_p {
	double two_sided;
	double greater;
	double less;
};

/* ---- descriptive statistics ---- */

struct lt_stats_desc {
	size_t n;
	double mean;
	double variance;   /* sample variance, divided by n - 1 */
	double stddev;     /* its square root */
	double min, max;
	double q1, median, q3, p95, p99;  /* quantiles, type 7 (see below) */
	double mad;        /* median absolute deviation from the median, raw:
			    * multiply by 1.4826 for a normal-consistent
			    * estimate of the standard deviation (R's mad()) */
};

/* Describe x[0..n-1].  n >= 2 (a variance needs two values).  O(n log n):
 * sorts a copy.  Mean and variance are GSL's two-pass figures, exact to
 * the NIST StRD certified digits. */
lt_rc lt_stats_describe(const double *x, size_t n, struct lt_stats_desc *out,
			struct lt_err *err);

/* The quantile of x at probability prob (0..1, not percent), type 7 of
 * Hyndman and Fan (1996): linear interpolation between the order
 * statistics at (n - 1) prob, the default of R's quantile() and of
 * NumPy.  Note the different question lt_hist_percentile() answers (the
 * smallest value with at least p % at or below it).  n >= 1.
 * lt_stats_quantiles() answers k probabilities with one sort; out has
 * room for k values. */
lt_rc lt_stats_quantile(const double *x, size_t n, double prob, double *out,
			struct lt_err *err);
lt_rc lt_stats_quantiles(const double *x, size_t n, const double *probs,
			 size_t k, double *out, struct lt_err *err);

/* Coefficient of variation: stddev / |mean|, n >= 2.  LT_EINVAL when the
 * mean is 0 (there is nothing to be relative to). */
lt_rc lt_stats_cv(const double *x, size_t n, double *out, struct lt_err *err);

/* ---- Welch's two-sample t-test ---- */

struct lt_stats_welch {
	double mean_a, mean_b;
	double diff;          /* mean_a - mean_b */
	double se;            /* standard error of diff: sqrt(va/na + vb/nb) */
	double t;             /* diff / se */
	double df;            /* Welch-Satterthwaite degrees of freedom */
	struct lt_stats_p p;  /* greater: mean_a > mean_b */
	double level;         /* as passed */
	double ci_low, ci_high;  /* two-sided interval for diff at level */
	double cohen_d;       /* diff / pooled sd, pooled with n - 1 weights */
	double hedges_g;      /* cohen_d times the exact small-sample factor
			       * J = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)),
			       * m = na + nb - 2 (Hedges 1981) */
};

/* Welch's unequal-variance t-test of a against b, as R's t.test(a, b)
 * (Welch 1947).  na, nb >= 2.  LT_EINVAL when both samples have zero
 * variance: t is 0/0 or infinite, and R refuses too; one constant sample
 * is fine. */
lt_rc lt_stats_welch(const double *a, size_t na, const double *b, size_t nb,
		     double level, struct lt_stats_welch *out,
		     struct lt_err *err);

/* ---- Mann-Whitney U (Wilcoxon rank-sum) ---- */

struct lt_stats_mw {
	double u;             /* U of a: pairs (a_i, b_j) with a_i > b_j,
			       * plus half the ties; R's W */
	double u_b;           /* na nb - u */
	double z;             /* (u - na nb / 2 - c) / sigma with the tie-
			       * corrected sigma and c = ±0.5 toward 0 */
	struct lt_stats_p p;  /* greater: a tends to be larger than b */
	bool exact;           /* p from the exact null distribution */
	bool ties;            /* some values occur more than once */
	double prob_superiority;  /* u / (na nb): P(a > b) + P(a = b) / 2,
				   * the common-language effect size */
	double r;             /* z / sqrt(na + nb), the effect size r */
};

/* The test with the normal approximation, tie correction and continuity
 * correction, as R's wilcox.test(a, b, exact = FALSE) (and SciPy's
 * mannwhitneyu(method="asymptotic")); each one-sided p has its own
 * continuity correction, as in R.  na, nb >= 1.  When every value is
 * tied, sigma is 0 and u is its mean: z = 0 and p.two_sided = 1.
 * O((na + nb) log(na + nb)). */
lt_rc lt_stats_mann_whitney(const double *a, size_t na, const double *b,
			    size_t nb, struct lt_stats_mw *out,
			    struct lt_err *err);

/* Both sizes at most this for lt_stats_mann_whitney_exact(), R's limit. */
#define LT_STATS_MW_EXACT_MAX 50

/* The same with exact p-values from the null distribution of U (counted
 * by a subset-sum recurrence over the ranks, O(na² (na + nb)²): 15 ms at
 * the limit), as R's
 * wilcox.test(a, b, exact = TRUE).  Needs samples without ties
 * (LT_EINVAL otherwise: the exact null distribution assumes distinct
 * values) and na, nb <= LT_STATS_MW_EXACT_MAX (LT_ELIMIT). */
lt_rc lt_stats_mann_whitney_exact(const double *a, size_t na, const double *b,
				  size_t nb, struct lt_stats_mw *out,
				  struct lt_err *err);

/* ---- trend: Mann-Kendall and Sen's slope ---- */

struct lt_stats_mk {
	size_t n;
	double s;             /* Σ_{i<j} sign(x_j - x_i) */
	double var_s;         /* n(n-1)(2n+5)/18 less the tie groups' share */
	double z;             /* sign(s)(|s| - 1)/sqrt(var_s), 0 when s = 0 */
	struct lt_stats_p p;  /* greater: an increasing trend */
	double tau;           /* s / (n(n-1)/2), Kendall's tau-a, as
			       * pymannkendall reports it */
	size_t tie_groups;    /* groups of equal values */
};

/* Mann-Kendall test for a monotonic trend in x[0..n-1], in time order
 * (Mann 1945, Kendall 1975; ties as in Gilbert 1987, §16.4; p-values as
 * R's trend::mk.test).  n >= 3, at most LT_STATS_MK_MAX_N (LT_ELIMIT):
 * S is O(n²), about two seconds at the limit.  A constant series gives
 * s = 0, z = 0 and p.two_sided = 1. */
#define LT_STATS_MK_MAX_N 50000
lt_rc lt_stats_mann_kendall(const double *x, size_t n, struct lt_stats_mk *out,
			    struct lt_err *err);

struct lt_stats_sen {
	double slope;         /* median of the pairwise slopes */
	double intercept;     /* median(y) - slope median(x) (Conover) */
	double level;
	double ci_low, ci_high;  /* rank-based interval for the slope */
	size_t n_slopes;      /* pairs with x_i != x_j */
};

/* Sen's (1968) slope of y over x: the median of (y_j - y_i)/(x_j - x_i)
 * over the pairs with x_i != x_j; x NULL means 0, 1, ..., n - 1 (slope
 * per step).  The interval at level is Gilbert's (1987, §16.5):
 * C = z_{(1+level)/2} sqrt(var S) with var S the tie-corrected
 * Mann-Kendall variance of y, and the ordered slopes of rank
 * round((N - C)/2) and round((N + C)/2 + 1), clamped to 1..N, as R's
 * trend::sens.slope.  n >= 3 and x not all equal.  Memory and time are
 * O(n²): all N pairwise slopes are kept (the order statistics are then
 * selected in O(N), not sorted), so n is limited to LT_STATS_SEN_MAX_N
 * (LT_ELIMIT): 4.5 million slopes, 36 MB, a tenth of a second.  A
 * history of a few thousand runs fits; beyond, memory is the limit. */
#define LT_STATS_SEN_MAX_N 3000
lt_rc lt_stats_sen(const double *x, const double *y, size_t n, double level,
		   struct lt_stats_sen *out, struct lt_err *err);

/* ---- correlation ---- */

struct lt_stats_corr {
	size_t n;
	double r;             /* Pearson's r, or Spearman's rho */
	double t;             /* r sqrt((n-2)/(1-r²)); ±HUGE_VAL when |r| = 1 */
	double df;            /* n - 2 */
	struct lt_stats_p p;  /* from Student's t with n - 2 df; greater:
			       * positive correlation */
};

/* Pearson's product-moment correlation of x and y, with the p-value of
 * R's cor.test(x, y).  n >= 3; LT_EINVAL when x or y is constant.
 * Computed in two passes, so exactly collinear data give r = ±1. */
lt_rc lt_stats_pearson(const double *x, const double *y, size_t n,
		       struct lt_stats_corr *out, struct lt_err *err);

/* Spearman's rho: Pearson's r of the ranks, ties given their average
 * rank; the p-value from the t approximation, as R's cor.test(x, y,
 * method = "spearman", exact = FALSE).  n >= 3; LT_EINVAL when x or y is
 * constant.  O(n log n). */
lt_rc lt_stats_spearman(const double *x, const double *y, size_t n,
			struct lt_stats_corr *out, struct lt_err *err);

typedef enum {
	LT_STATS_PEARSON = 0,
	LT_STATS_SPEARMAN = 1,
} lt_stats_corr_method;

/* The k × k matrices of r and of two-sided p between k series of n
 * values each (series[i][0..n-1]), row-major into r[k*k] and p[k*k]
 * (p may be NULL).  The diagonal is r = 1, p = 0.  A constant series
 * correlates with nothing: its row and column are NaN (in r and p) so
 * that one flat metric, an error rate of 0 %, does not void the whole
 * matrix.  k >= 1, n >= 3.  O(k² n), plus O(k n log n) for the ranks. */
lt_rc lt_stats_corr_matrix(const double *const *series, size_t k, size_t n,
			   lt_stats_corr_method method, double *r, double *p,
			   struct lt_err *err);

/* ---- bootstrap ---- */

/* Options of the bootstrap routines; a zeroed struct (or NULL) gives the
 * defaults. */
struct lt_stats_boot_opts {
	unsigned resamples;   /* B; 0 = LT_STATS_BOOT_RESAMPLES */
	double level;         /* 0 = 0.95 */
	unsigned long seed;   /* of the MT19937 generator: same seed, same
			       * interval (0 is a seed like any other) */
	uint64_t max_resample_size;  /* histograms only; 0 = the default
				      * LT_STATS_BOOT_HIST_MAX_N, UINT64_MAX
				      * for resamples of the full count */
};

/* 2000 resamples put the Monte Carlo error of a 95 % percentile
 * interval's ends well below its width (Efron and Tibshirani 1993 ask
 * for at least 1000); at most LT_STATS_BOOT_MAX_RESAMPLES. */
#define LT_STATS_BOOT_RESAMPLES 2000u
#define LT_STATS_BOOT_MAX_RESAMPLES 10000000u
#define LT_STATS_BOOT_HIST_MAX_N 10000u

struct lt_stats_ci {
	double estimate;      /* statistic(a) - statistic(b) on the data */
	double low, high;     /* percentile interval at level */
	double level;
	unsigned resamples;
	uint64_t resample_size_a, resample_size_b;
};

/* A statistic of a sample, for the generic bootstrap.  x is scratch: the
 * function may reorder it (to find a median, say).  It returns a finite
 * number; a NaN or an infinity stops the bootstrap with LT_EINVAL. */
typedef double (*lt_stats_statistic_fn)(double *x, size_t n, void *ctx);

/* Percentile bootstrap interval (Efron 1979) for stat(a) - stat(b): B
 * times, resample a and b with replacement (each at its own size),
 * compute the difference; the interval is the type-7 quantiles
 * (1 - level)/2 and (1 + level)/2 of the B differences.  na, nb >= 2
 * and below 2^32 (the generator's range).  O(B (na + nb)) plus B calls
 * of stat.  ctx is passed to stat untouched. */
lt_rc lt_stats_bootstrap_diff(const double *a, size_t na, const double *b,
			      size_t nb, lt_stats_statistic_fn stat, void *ctx,
			      const struct lt_stats_boot_opts *opts,
			      struct lt_stats_ci *out, struct lt_err *err);

/* Percentile bootstrap interval for the difference of percentile p
 * (0..100, as lt_hist_percentile) between two latency histograms,
 * a - b, in µs.  Each resample draws m = min(count, max_resample_size)
 * values from each histogram's distribution: a bucket chosen through the
 * inverse of the cumulative counts, its value the middle of the part of
 * the bucket within [min, max], as lt_hist_percentile reports it.
 *
 * Only the resample's percentile matters, and the r-th smallest of m
 * draws through an inverse CDF is the inverse CDF of the r-th smallest of
 * m uniforms, which is Beta(r, m - r + 1): one Beta draw and a binary
 * search over the buckets give the resample's percentile exactly in
 * distribution, O(log buckets) per resample whatever m is.
 *
 * Why m is capped at 10,000 by default although size costs nothing:
 * the requests of one run are not independent (they share seconds,
 * pauses and connections), so resampling a million of them as if they
 * were would give an interval far narrower than the run-to-run
 * variation, and false alarms.  The cap keeps the interval honest as
 * for 10,000 independent requests; set max_resample_size to UINT64_MAX
 * for the plain bootstrap of all of them.
 *
 * estimate is lt_hist_percentile(a, p) - lt_hist_percentile(b, p).  Both
 * histograms need at least 2 values; they are borrowed and unchanged. */
lt_rc lt_stats_bootstrap_hist_percentile(const struct lt_hist *a,
					 const struct lt_hist *b, double p,
					 const struct lt_stats_boot_opts *opts,
					 struct lt_stats_ci *out,
					 struct lt_err *err);

/* ---- multiple testing: Benjamini-Hochberg ---- */

/* The Benjamini-Hochberg (1995) adjusted p-values (q-values) of m
 * p-values, in their order, into q[0..m-1]: q_(i) = min over k >= i of
 * min(1, m p_(k) / k), as R's p.adjust(p, "BH").  Each p in [0, 1].
 * m >= 1.  q may be p (adjusted in place). */
lt_rc lt_stats_bh_adjust(const double *p, size_t m, double *q,
			 struct lt_err *err);

/* Which of the m hypotheses the step-up procedure rejects at false
 * discovery rate alpha (0 < alpha < 1): all p_(i) with i <= the largest k
 * such that p_(k) <= k alpha / m.  reject[0..m-1] gets true for those;
 * *n_rejected (may be NULL) their number. */
lt_rc lt_stats_bh_reject(const double *p, size_t m, double alpha,
			 bool *reject, size_t *n_rejected, struct lt_err *err);

/* ---- linear regression and forecast ---- */

struct lt_stats_linfit {
	size_t n;
	double slope, intercept;
	double se_slope, se_intercept;
	double cov;           /* covariance of the intercept and slope estimates */
	double residual_sd;   /* sqrt(SSE / (n - 2)) */
	double r2;            /* 1 - SSE / SST; 1 when y is constant (every
			       * point is on the line) */
};

/* Ordinary least squares y = intercept + slope x (gsl_fit_linear); x NULL
 * means 0, 1, ..., n - 1.  n >= 3 (standard errors need n - 2 > 0); x
 * not all equal. */
lt_rc lt_stats_linfit(const double *x, const double *y, size_t n,
		      struct lt_stats_linfit *out, struct lt_err *err);

struct lt_stats_prediction {
	double x, y;          /* where, and the line's value there */
	double se;            /* of a new observation at x: sqrt(residual_sd²
			       * + var(intercept + slope x)) */
	double level;
	double low, high;     /* prediction interval: y ± t_{(1+level)/2,
			       * n-2} se */
};

/* The forecast of fit at x with its prediction interval (for one new
 * observation, not for the mean). */
lt_rc lt_stats_linfit_predict(const struct lt_stats_linfit *fit, double x,
			      double level, struct lt_stats_prediction *out,
			      struct lt_err *err);

typedef enum {
	LT_STATS_RISING = 1,    /* value approached from below: an upper limit */
	LT_STATS_FALLING = -1,  /* value approached from above: a lower limit */
} lt_stats_direction;

/* Where the line reaches value moving in direction: *x_at =
 * (value - intercept) / slope and *found = true when the slope has the
 * direction's sign; *found = false and *x_at unchanged when the line is
 * flat or heads the other way (it never crosses, going forward).  The
 * crossing may lie before the last x (the line is past value already);
 * comparing is the caller's. */
lt_rc lt_stats_linfit_crossing(const struct lt_stats_linfit *fit, double value,
			       lt_stats_direction direction, double *x_at,
			       bool *found, struct lt_err *err);

/* ---- autocorrelation and seasonality ---- */

/* The sample autocorrelation function of x at lags 0..max_lag into
 * acf[0..max_lag]: r_k = Σ_{t<n-k} (x_t - m)(x_{t+k} - m) / Σ (x_t - m)²
 * (the biased estimator of R's acf() and of the NIST StRD; acf[0] = 1).
 * max_lag < n; n >= 2; LT_EINVAL for a constant series.  O(n max_lag). */
lt_rc lt_stats_acf(const double *x, size_t n, size_t max_lag, double *acf,
		   struct lt_err *err);

struct lt_stats_period {
	size_t period;        /* 0: no seasonality found */
	double strength;      /* the ACF at that lag (0 when none) */
	double bound;         /* 1.96 / sqrt(n), the 95 % white-noise bound */
	size_t max_lag;       /* the lags searched: 2 .. max_lag - 1 */
};

/* The dominant period of x: the lag L in 2 .. max_lag - 1 whose ACF is a
 * local maximum (above lag L - 1, at least lag L + 1), above the bound
 * 1.96/sqrt(n), and the highest such.  max_lag 0 means n / 2 (a period
 * shows only when at least two cycles are seen); max_lag < n.  n >= 6.
 * A constant series has no period (period 0, not an error).  Remove a
 * trend first (the residuals of lt_stats_linfit): a trend's ACF decays
 * slowly and hides the peaks.  The bound holds per lag: in white noise
 * about one lag in twenty crosses it by chance, so a caller that must
 * not see seasons in noise should also ask for a strength well above
 * the bound (0.3, say) or a peak that recurs at twice the period. */
lt_rc lt_stats_period(const double *x, size_t n, size_t max_lag,
		      struct lt_stats_period *out, struct lt_err *err);

/* ---- a new value against previous ones (run-to-run models) ---- */

struct lt_stats_score {
	size_t n;             /* previous values */
	double mean, stddev;  /* of the previous values (stddev with n - 1) */
	double z;             /* (x - mean) / stddev */
	struct lt_stats_p p_z;  /* standard normal; greater: x above */
	double t;             /* (x - mean) / (stddev sqrt(1 + 1/n)) */
	double df;            /* n - 1 */
	struct lt_stats_p p_t;  /* Student's t: the prediction-interval test
				 * of a new observation, right for small n */
};

/* How unusual x is against prev[0..n-1], the z-score and t-score models
 * of Bencher's thresholds.  n >= 2; LT_EINVAL when the previous values
 * are all equal (no spread to measure against). */
lt_rc lt_stats_score(const double *prev, size_t n, double x,
		     struct lt_stats_score *out, struct lt_err *err);

#endif
