/* changepoint.h -- change points and outliers in a metric's history.
 *
 * A history is one value per run of a scenario, in run order: the p95
 * latency of each nightly run, the throughput of each commit's benchmark.
 * A change point is the first run of a new regime: from there on the
 * values come from another distribution (a regression, an improvement, a
 * new machine).  lt-regress changepoints, and lt-regress check for the
 * newest run, call lt_changepoint_detect() and report what it finds.
 *
 * Not goals: online (one value at a time) detection, multivariate series,
 * trends (a slow drift is cut into steps here; lt_stats_mann_kendall() is
 * the test for a trend), seasonality, missing values (the caller drops or
 * fills them: only it knows whether dropping one shifts the series).
 *
 * The method, as lt-regress(1) documents it
 * ------------------------------------------
 *
 * 1. Outliers.  A lone bad run (a noisy neighbour, a GC pause, a failed
 *    deploy rolled back) is not a new regime, and users of change-point
 *    tools complain most when one becomes a change point.  So before the
 *    search, runs of fewer than min_size consecutive values that leave
 *    the local level and come back are taken out and reported as
 *    outliers.  A run x[a..b), 1 <= b - a < min_size, is an outlier run
 *    when
 *      - every value in it is above hi + k s, or every value is below
 *        lo - k s, where hi and lo are the larger and the smaller of two
 *        medians: of the (up to) 5 values before a and of the (up to) 5
 *        values from b on -- so the run must stand out from both sides,
 *        and the first values of a real step (which agree with the
 *        values after them) never do;
 *      - it is maximal: x[a-1] and x[b], where they exist, are not beyond
 *        the same limit on the same side (otherwise the run is part of a
 *        longer excursion, judged as a whole);
 *      - its two windows hold at least 3 values between them.
 *    Runs are tried from the left, the shortest first at each start; a
 *    run found is skipped over.  k is outlier_k (default
 *    LT_CHANGEPOINT_OUTLIER_K = 5) and s is a robust estimate of the
 *    noise's standard deviation from the first differences
 *    d_i = x[i+1] - x[i]: s = 1.4826 MAD(d) / sqrt(2), the MAD being the
 *    median absolute deviation of d from its median (1.4826 makes it a
 *    standard deviation for normal noise, sqrt(2) undoes the
 *    differencing).  Differences are used because a level shift moves
 *    one of them, where it would move half the values.  When more than
 *    half the differences are equal (quantised or patterned values) the
 *    MAD is 0 -- or, in binary floating point, 10^-9 of the mean
 *    absolute deviation or less, which counts as 0 -- and s is
 *    1.2533 mean|d - median(d)| / sqrt(2) instead; when that is 0 too the
 *    series is a straight line and has no outliers.  A run at either end
 *    of the series is judged on its one side: the newest one or two runs
 *    of a jump are outliers until min_size runs confirm a regime.  With
 *    k = 5, normal noise gives about 2 false outliers in 10,000 values in
 *    series of 30, fewer in longer ones (the scale is better known);
 *    noise with heavier tails gives more, rightly so.  An outlier's
 *    baseline is the median of the up to 10 values around its run.
 *
 * 2. Change points: E-divisive means (Matteson and James 2014, "A
 *    nonparametric approach for multiple change point analysis of
 *    multivariate data", JASA 109(505)), as the ecp R package's
 *    e.divisive() runs it, on the series with the outliers taken out.
 *    For a segment and a split into X = the values before tau and
 *    Y = the values from tau up to kappa (|X| = n1, |Y| = n2, both at
 *    least min_size), the divergence is the energy statistic with
 *    alpha = 1
 *        Q = n1 n2 / (n1 + n2) * ( 2/(n1 n2) sum |X_i - Y_j|
 *              - 1/C(n1,2) sum_{i<k} |X_i - X_k|
 *              - 1/C(n2,2) sum_{j<k} |Y_j - Y_k| ),
 *    maximised over tau and kappa (kappa up to the segment's end; a
 *    shorter Y keeps a later change from blurring this one, as when a
 *    regression is reverted a few runs later).  It sees any change of
 *    distribution, not only of the mean, and assumes no normality.
 *    Hierarchical (binary) segmentation: the segment whose best split
 *    has the largest Q is tested; if significant, it is split at tau and
 *    both parts get their best splits; the search stops at the first
 *    split that is not significant, or when no segment has 2 min_size
 *    values.
 *
 *    Significance: a permutation test, as in Matteson and James and in
 *    MongoDB's use of the method (Daly et al. 2020, "The use of change
 *    point detection to identify software performance regressions in a
 *    continuous integration system", ICPE '20).  R times, the values of
 *    every current segment are shuffled within the segment and the
 *    largest best-split Q over the segments is found again;
 *    p = (1 + #{permuted maximum >= observed Q}) / (R + 1), and the split
 *    is significant when p <= p_value.  The maximum over every tau, kappa
 *    and segment is taken in the permutations too, so the test accounts
 *    for the search: on a series without change, a change point is
 *    reported with probability p_value, whatever the length.  Hunter
 *    (Fleming et al. 2023, "Hunter: using change point detection to hunt
 *    for performance regressions", ICPE '23) and Apache Otava replace
 *    this test by Student's t-test of the two sides, for speed and for
 *    determinism.  lt keeps the permutation test: a t-test of the split
 *    that maximises a divergence ignores that search, so its p-values
 *    are far too small on noise (which is why Otava defaults to
 *    p = 0.001 and still needs its minimum-magnitude filter), and a
 *    seeded generator makes the permutations deterministic anyway: the
 *    same series, options and seed give the same answer on every machine
 *    (GSL's MT19937; each segment's permutations come from a stream
 *    seeded by the seed and the segment's bounds, so the order of the
 *    work does not matter).  Hunter's test is still reported, as welch_p
 *    (in Welch's unequal-variance form), for comparison.
 *
 *    Parameters: p_value (default 0.05), permutations R (default 199:
 *    p is then a multiple of 1/200, and p_value = 0.05 accepts a split
 *    that at most 9 of the 199 permutations reach), min_size (default 3:
 *    a regime needs 3 runs; 2 is the least the statistic allows), seed
 *    (default 0).  A p_value below 1/(R + 1) could never be met and is
 *    refused.
 *
 * 3. Reporting.  Each change point's mean_before and mean_after are over
 *    its adjacent segments in the final segmentation (from the previous
 *    change point, or the start, to the next one, or the end), outliers
 *    left out; its p_value is the permutation p when it was accepted
 *    (later ones are tested given the earlier ones).  An outlier that is
 *    the first run of a new regime moves the change point to the run
 *    after it: a lone value cannot say which regime it belongs to.
 *
 * What to expect, as check_changepoint.c and simulations measured it
 * (normal noise, defaults):
 *   - a step between two segments of 20 runs is found (within 2 runs)
 *     99 % of the time at 3 noise sds, 90 % at 2, 39 % at 1; between
 *     segments of 10 runs, 98 %, 77 % and 21 %;
 *   - on series of 1 to 5 regimes of 15 to 40 runs with steps of 5 to
 *     50 % in noise of 2 %: precision 0.97, recall 1.00, F1 0.99 at a
 *     margin of 5 runs;
 *   - on pure noise, about p_value of the series get a (false) change
 *     point: 4.5 to 7.5 % in batches of 200 series of 30 to 120 runs;
 *   - a linear drift is a change of distribution everywhere: a slow one
 *     (1.5 noise sds over 80 runs) gives no change point, a steep one
 *     (10 sds over 80 runs) is cut into steps (4 there), each in the
 *     drift's direction.  Test trends with lt_stats_mann_kendall().
 *
 * Cost: a segment of m values costs (R + 1) m^2 pair updates (every tau
 * and kappa; O(m) memory), and each change point found adds its two new
 * segments: at most the cost of the segment split, half of it when the
 * split is near the middle.  With the default 199 permutations (x86-64,
 * -O2, one core): 4 ms for 100 values, 0.35 s for 1,000, 4 s for 3,000,
 * 12 s for 5,000.  n is limited to LT_CHANGEPOINT_MAX_N = 5,000
 * (LT_ELIMIT) because the cost grows as n^2: 10,000 would take most of a
 * minute.  A longer history should be cut to its newest runs, where the
 * news is.
 *
 * Input must be finite: a NaN or an infinity is LT_EINVAL naming the
 * index ("x[3] is not a finite number").  A series too short for a split
 * (fewer than 2 min_size values after the outliers) or constant has no
 * change points: that is a result, not an error.  Reentrant and
 * thread-safe; the first call turns GSL's aborting error handler off for
 * the process, as stats.h explains.
 */
#ifndef LT_CHANGEPOINT_H
#define LT_CHANGEPOINT_H

#include "lt.h"

#include <stdbool.h>
#include <stddef.h>

#define LT_CHANGEPOINT_P_VALUE 0.05
#define LT_CHANGEPOINT_PERMUTATIONS 199u
#define LT_CHANGEPOINT_MIN_SIZE 3u
#define LT_CHANGEPOINT_OUTLIER_K 5.0
/* The O(R n^2) cost: 12 s at this size with the default R (above). */
#define LT_CHANGEPOINT_MAX_N 5000u
#define LT_CHANGEPOINT_MAX_PERMUTATIONS 99999u

/* Options; a zeroed struct (or NULL) gives every default. */
struct lt_changepoint_opts {
	double p_value;          /* significance level, in (0, 1); 0 = 0.05 */
	unsigned permutations;   /* R; 0 = 199, at most 99,999 */
	size_t min_size;         /* values per regime, >= 2; 0 = 3 */
	unsigned long seed;      /* of the permutations (0 is a seed) */
	double outlier_k;        /* outlier limit in noise sds, > 0; 0 = 5 */
	bool keep_outliers;      /* true: skip step 1, search every value */
};

struct lt_changepoint {
	size_t index;            /* 0-based: the first value of the new regime */
	double mean_before;      /* mean of the segment before index */
	double mean_after;       /* mean of the segment from index on */
	double change_pct;       /* 100 (after - before) / |before|; 0 when
				  * before is 0 (no relative change exists) */
	double p_value;          /* permutation p, a multiple of 1/(R + 1) */
	double welch_p;          /* two-sided Welch t-test of the two segments
				  * (0 when both are constant) */
	double energy;           /* Q of the split when it was accepted */
	size_t n_before, n_after;  /* values in the two segments (outliers
				    * not counted) */
};

struct lt_changepoint_outlier {
	size_t index;
	double value;            /* x[index] */
	double baseline;         /* median of the up to 10 values around its
				  * run: what the value "should" have been */
};

struct lt_changepoint_result {
	size_t n_changepoints;
	struct lt_changepoint *changepoints;  /* by index, ascending */
	size_t n_outliers;
	struct lt_changepoint_outlier *outliers;  /* by index, ascending */
	struct lt_changepoint_opts opts;  /* the options in force, defaults
					   * filled in, to print with the
					   * result */
	double noise_sd;         /* s of step 1 (0 when it was skipped) */
	size_t n;                /* values examined */
};

/* Find the change points and outliers of x[0..n-1] (borrowed, unchanged)
 * by the method above.  opts may be NULL.  *out is new (free it with
 * lt_changepoint_result_free()), unchanged on failure.  Errors:
 * LT_EINVAL for a non-finite value, bad options or x NULL with n > 0;
 * LT_ELIMIT for n > LT_CHANGEPOINT_MAX_N; LT_ENOMEM. */
lt_rc lt_changepoint_detect(const double *x, size_t n,
			    const struct lt_changepoint_opts *opts,
			    struct lt_changepoint_result **out,
			    struct lt_err *err);

/* Free a result; NULL is a no-op. */
void lt_changepoint_result_free(struct lt_changepoint_result *r);

#endif
