/* changepoint.c -- E-divisive means with a permutation test, and outlier
 * runs taken out first (changepoint.h describes the method).
 *
 * The energy statistic of every split (tau, kappa) of a segment is
 * computed in O(m^2) time and O(m) memory from within-range sums of
 * distances, W(a, b) = sum_{a <= i < j < b} |y_i - y_j|: the cross sum of
 * X = [s, tau) and Y = [tau, kappa) is W(s, kappa) - W(s, tau) -
 * W(tau, kappa).  W(s, .) is one prefix array; W(tau, .) is one array
 * updated in O(m) as tau moves left (see best_split()).  The naive
 * triple sum per split would be O(m^4).
 *
 * Each segment's R permuted maxima are drawn once, when the segment is
 * made, from a generator seeded by the seed and the segment's bounds, and
 * kept: the test of every later step needs them again (the permuted
 * statistic is the largest over all current segments, as in ecp), and
 * keeping them means a step costs only its two new segments, not a new
 * round of permutations of every segment.  Seeding per segment also
 * makes the answer independent of the order in which segments are made.
 */
#include "changepoint.h"
#include "stats.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Values on each side whose median is an outlier run's local level:
 * 5 tolerate 2 other outliers nearby and stay local enough not to reach
 * across a neighbouring step. */
#define OUTLIER_WINDOW 5

/* Normal-consistency factors: sd = 1.4826 MAD = 1.2533 mean |x - m|. */
#define MAD_TO_SD 1.482602218505602
#define MEANDEV_TO_SD 1.2533141373155003

/* ---- GSL at the module's edge ---- */

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_quiet(void)
{
	/* gsl_rng_alloc() reports a failed malloc through the handler, whose
	 * default aborts: a library must not abort its caller. */
	gsl_set_error_handler_off();
}

/* ---- options ---- */

static lt_rc resolve_opts(const struct lt_changepoint_opts *in,
			  struct lt_changepoint_opts *o, struct lt_err *err)
{
	static const struct lt_changepoint_opts none;

	*o = in ? *in : none;
	if (o->p_value == 0)
		o->p_value = LT_CHANGEPOINT_P_VALUE;
	if (o->permutations == 0)
		o->permutations = LT_CHANGEPOINT_PERMUTATIONS;
	if (o->min_size == 0)
		o->min_size = LT_CHANGEPOINT_MIN_SIZE;
	if (o->outlier_k == 0)
		o->outlier_k = LT_CHANGEPOINT_OUTLIER_K;

	if (!(o->p_value > 0 && o->p_value < 1))
		return lt_err_set(err, LT_EINVAL, "p_value must be in (0, 1), got %g",
				  o->p_value);
	if (o->permutations > LT_CHANGEPOINT_MAX_PERMUTATIONS)
		return lt_err_set(err, LT_ELIMIT, "at most %u permutations, got %u",
				  LT_CHANGEPOINT_MAX_PERMUTATIONS, o->permutations);
	/* The smallest p the test can give is 1/(R + 1). */
	if (o->p_value * (o->permutations + 1.0) < 1)
		return lt_err_set(err, LT_EINVAL,
				  "p_value %g needs at least %.0f permutations, got %u",
				  o->p_value, ceil(1 / o->p_value) - 1, o->permutations);
	/* The statistic's within-sample means divide by n - 1. */
	if (o->min_size < 2)
		return lt_err_set(err, LT_EINVAL, "min_size must be >= 2, got %zu",
				  o->min_size);
	if (!(o->outlier_k > 0 && isfinite(o->outlier_k)))
		return lt_err_set(err, LT_EINVAL,
				  "outlier_k must be a finite number > 0, got %g",
				  o->outlier_k);
	return LT_OK;
}

/* ---- step 1: outlier runs ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of x[0..n-1], n <= OUTLIER_WINDOW; n = 0 gives NAN (a side
 * with no values).  A fixed-size local sort: lt_stats_quantile() would
 * allocate for each of 2n windows. */
static double window_median(const double *x, size_t n)
{
	double w[OUTLIER_WINDOW];

	if (n == 0)
		return NAN;
	memcpy(w, x, n * sizeof *w);
	qsort(w, n, sizeof *w, cmp_double);
	return n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
}

/* s of changepoint.h from the first differences of x (n >= 3). */
static lt_rc noise_sd(const double *x, size_t n, double *sd, struct lt_err *err)
{
	struct lt_stats_desc desc;
	double *d = malloc((n - 1) * sizeof *d), dev = 0;
	lt_rc rc;

	if (!d)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	for (size_t i = 0; i + 1 < n; i++)
		d[i] = x[i + 1] - x[i];
	rc = lt_stats_describe(d, n - 1, &desc, err);
	if (rc == LT_OK) {
		for (size_t i = 0; i + 1 < n; i++)
			dev += fabs(d[i] - desc.median);
		dev /= (double)(n - 1);
		/* Differences that are equal in decimal (12.3 - 12.2 and
		 * 12.4 - 12.3) differ in their last bits in binary, so a MAD
		 * that should be 0 comes out near 1e-15 of the spread, and
		 * every value would be an outlier: such a MAD counts as 0. */
		if (desc.mad > 1e-9 * dev)
			*sd = MAD_TO_SD * desc.mad / M_SQRT2;
		else
			*sd = MEANDEV_TO_SD * dev / M_SQRT2;
	}
	free(d);
	return rc;
}

/* The median of the up to OUTLIER_WINDOW values on each side of the run
 * x[a..b): the outlier's baseline.  The run has at least 3 neighbours. */
static double pooled_median(const double *x, size_t n, size_t a, size_t b)
{
	double around[2 * OUTLIER_WINDOW];
	size_t m = 0;

	for (size_t j = a > OUTLIER_WINDOW ? a - OUTLIER_WINDOW : 0; j < a; j++)
		around[m++] = x[j];
	for (size_t j = b; j < n && j < b + OUTLIER_WINDOW; j++)
		around[m++] = x[j];
	qsort(around, m, sizeof *around, cmp_double);
	return m % 2 ? around[m / 2] : (around[m / 2 - 1] + around[m / 2]) / 2;
}

/* Direction of x beyond the limits: +1 above hi, -1 below lo, 0 neither. */
static int beyond(double x, double lo, double hi)
{
	return x > hi ? 1 : x < lo ? -1 : 0;
}

/* Mark the outlier runs of x in is_out[] and list them in r.  Runs are
 * tried from the left, shortest first; a run found is skipped over. */
static lt_rc find_outliers(const double *x, size_t n, size_t min_size,
			   double k, bool *is_out,
			   struct lt_changepoint_result *r, struct lt_err *err)
{
	double *left = NULL, *right = NULL, *base = NULL, margin;
	size_t count = 0;
	lt_rc rc;

	r->noise_sd = 0;
	/* Fewer than 4 values: a run of one has fewer than 3 neighbours. */
	if (n < 4)
		return LT_OK;
	if ((rc = noise_sd(x, n, &r->noise_sd, err)))
		return rc;
	if (r->noise_sd == 0)
		return LT_OK;
	margin = k * r->noise_sd;
	/* left[a]: median of the window before a; right[b]: from b on. */
	left = malloc((n + 1) * sizeof *left);
	right = malloc((n + 1) * sizeof *right);
	base = malloc(n * sizeof *base);
	if (!left || !right || !base) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i <= n; i++) {
		size_t lo = i > OUTLIER_WINDOW ? i - OUTLIER_WINDOW : 0;
		size_t hi = n - i > OUTLIER_WINDOW ? i + OUTLIER_WINDOW : n;
		left[i] = window_median(x + lo, i - lo);
		right[i] = window_median(x + i, hi - i);
	}
	for (size_t a = 0; a < n;) {
		size_t found = 0;
		for (size_t len = 1; len < min_size && a + len <= n; len++) {
			size_t b = a + len;
			size_t nl = a < OUTLIER_WINDOW ? a : OUTLIER_WINDOW;
			size_t nr = n - b < OUTLIER_WINDOW ? n - b : OUTLIER_WINDOW;
			double lo, hi;
			int dir;

			if (nl + nr < 3)
				break;
			/* A side without values gives NAN: use the other. */
			lo = hi = isnan(left[a]) ? right[b] : left[a];
			if (!isnan(right[b])) {
				lo = fmin(lo, right[b]);
				hi = fmax(hi, right[b]);
			}
			lo -= margin;
			hi += margin;
			/* Each length has its own limits (the right window moves),
			 * so a failure here does not rule out a longer run. */
			dir = beyond(x[a], lo, hi);
			if (dir == 0)
				continue;
			size_t i = a + 1;
			while (i < b && beyond(x[i], lo, hi) == dir)
				i++;
			if (i < b)
				continue;
			if ((a > 0 && beyond(x[a - 1], lo, hi) == dir) ||
			    (b < n && beyond(x[b], lo, hi) == dir))
				continue;
			found = len;
			break;
		}
		if (!found) {
			a++;
			continue;
		}
		double baseline = pooled_median(x, n, a, a + found);
		for (size_t i = a; i < a + found; i++) {
			is_out[i] = true;
			base[i] = baseline;
		}
		count += found;
		a += found;
	}
	if (count) {
		r->outliers = calloc(count, sizeof *r->outliers);
		if (!r->outliers) {
			rc = lt_err_set(err, LT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n; i++) {
			if (!is_out[i])
				continue;
			r->outliers[r->n_outliers].index = i;
			r->outliers[r->n_outliers].value = x[i];
			r->outliers[r->n_outliers].baseline = base[i];
			r->n_outliers++;
		}
	}
	rc = LT_OK;
done:
	free(left);
	free(right);
	free(base);
	return rc;
}

/* ---- step 2: E-divisive ---- */

/* Scratch for best_split(), sized for the longest segment. */
struct scratch {
	double *w_start;   /* w_start[j] = W(0, j) */
	double *w_tau;     /* w_tau[k] = W(tau, k) for the current tau */
	double *inv;       /* inv[j] = 1/j, j >= 1 */
	double *shuffled;  /* a permuted copy of the segment */
};

/* Q of the split at tau, kappa = k, with W(tau, k) = w; x_term is
 * 2 W(0, tau) / (tau - 1), the within-X part:
 *     Q = (2 cross - n2 x_term - 2 n1 W(tau, k) / (n2 - 1)) / k. */
static inline double q_at(const double *ws, const double *inv, size_t tau,
			  double x_term, size_t k, double w)
{
	size_t n2 = k - tau;
	return (2 * (ws[k] - ws[tau] - w) - (double)n2 * x_term -
		2 * (double)tau * w * inv[n2 - 1]) * inv[k];
}

/* Rows tau >= top have W(tau, .) already in wt.  Add row tau's
 * distances: W(tau, k) = W(tau + 1, k) + sum_{tau < j < k} |y_tau - y_j|,
 * and return the row's largest Q over k >= tau + min_size. */
static double row_single(const double *y, size_t m, size_t min_size,
			 const double *ws, double *wt, const double *inv,
			 size_t tau)
{
	double yt = y[tau], acc = 0, best = -HUGE_VAL;
	double x_term = 2 * ws[tau] * inv[tau - 1];

	for (size_t k = tau + 1; k <= m; k++) {
		double w = wt[k] + acc;
		wt[k] = w;
		if (k < m)
			acc += fabs(yt - y[k]);
		if (k >= tau + min_size) {
			double q = q_at(ws, inv, tau, x_term, k, w);
			best = q > best ? q : best;
		}
	}
	return best;
}

/* Rows t1 = tau and t0 = tau - 1 in one pass over k: the two running
 * sums and the two maxima are independent chains, which the processor
 * overlaps (one row alone waits on a floating-point add per value). */
static void row_pair(const double *y, size_t m, size_t min_size,
		     const double *ws, double *wt, const double *inv,
		     size_t t1, double *best1, double *best0)
{
	size_t t0 = t1 - 1;
	double y1 = y[t1], y0 = y[t0];
	double acc1 = 0, acc0 = fabs(y0 - y1), b1 = -HUGE_VAL, b0 = -HUGE_VAL;
	double xt1 = 2 * ws[t1] * inv[t1 - 1], xt0 = 2 * ws[t0] * inv[t0 - 1];
	size_t k = t1 + 1, first1 = t1 + min_size;

	/* Q starts at t0 + min_size = first1 - 1 for row t0; the caller
	 * guarantees first1 <= m. */
	for (; k + 1 < first1; k++) {
		double w1 = wt[k] + acc1, w0 = w1 + acc0;
		wt[k] = w0;
		acc1 += fabs(y1 - y[k]);
		acc0 += fabs(y0 - y[k]);
	}
	{
		double w1 = wt[k] + acc1, w0 = w1 + acc0;
		wt[k] = w0;
		b0 = q_at(ws, inv, t0, xt0, k, w0);
		acc1 += fabs(y1 - y[k]);
		acc0 += fabs(y0 - y[k]);
		k++;
	}
	for (; k < m; k++) {
		double w1 = wt[k] + acc1, w0 = w1 + acc0;
		double q1 = q_at(ws, inv, t1, xt1, k, w1);
		double q0 = q_at(ws, inv, t0, xt0, k, w0);
		wt[k] = w0;
		acc1 += fabs(y1 - y[k]);
		acc0 += fabs(y0 - y[k]);
		b1 = q1 > b1 ? q1 : b1;
		b0 = q0 > b0 ? q0 : b0;
	}
	{
		double w1 = wt[m] + acc1, w0 = w1 + acc0;
		double q1 = q_at(ws, inv, t1, xt1, m, w1);
		double q0 = q_at(ws, inv, t0, xt0, m, w0);
		wt[m] = w0;
		b1 = q1 > b1 ? q1 : b1;
		b0 = q0 > b0 ? q0 : b0;
	}
	*best1 = b1;
	*best0 = b0;
}

/* The largest Q over the splits of y[0..m-1] with both parts of at least
 * min_size values (m >= 2 min_size); *tau gets the split (the first
 * found, scanning tau downwards, on a tie).  -HUGE_VAL when no split
 * has a positive Q (a constant segment).
 *
 * This is where the time goes, (R + 1) times per segment, so the loops
 * are written for the pipeline: the prefix sums of W(0, .) run four
 * chains at once, and the rows of W(tau, .) go in pairs (row_pair()). */
static double best_split(const double *y, size_t m, size_t min_size,
			 const struct scratch *s, size_t *tau_out)
{
	double *ws = s->w_start, *wt = s->w_tau;
	const double *inv = s->inv;
	double best = -HUGE_VAL;
	size_t best_tau = 0, tau;

	ws[0] = 0;
	for (size_t j = 0; j < m; j++) {
		double yj = y[j], s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		size_t i = 0;
		for (; i + 4 <= j; i += 4) {
			s0 += fabs(yj - y[i]);
			s1 += fabs(yj - y[i + 1]);
			s2 += fabs(yj - y[i + 2]);
			s3 += fabs(yj - y[i + 3]);
		}
		for (; i < j; i++)
			s0 += fabs(yj - y[i]);
		ws[j + 1] = ws[j] + ((s0 + s1) + (s2 + s3));
		wt[j] = 0;
	}
	wt[m] = 0;
	/* Rows too close to the end for a Y of min_size: W only. */
	for (tau = m - 1; tau > m - min_size; tau--) {
		double yt = y[tau], acc = 0;
		for (size_t k = tau + 1; k <= m; k++) {
			wt[k] += acc;
			if (k < m)
				acc += fabs(yt - y[k]);
		}
	}
	/* tau = m - min_size down to min_size (rows below are never read). */
	for (; tau >= min_size + 1; tau -= 2) {
		double b1, b0;
		row_pair(y, m, min_size, ws, wt, inv, tau, &b1, &b0);
		if (b1 > best) {
			best = b1;
			best_tau = tau;
		}
		if (b0 > best) {
			best = b0;
			best_tau = tau - 1;
		}
	}
	if (tau == min_size) {
		double b = row_single(y, m, min_size, ws, wt, inv, tau);
		if (b > best) {
			best = b;
			best_tau = tau;
		}
	}
	*tau_out = best_tau;
	return best > 0 ? best : -HUGE_VAL;
}

struct segment {
	size_t start, end;   /* [start, end) of the working series */
	size_t tau;          /* best split, absolute; valid when q > 0 */
	double q;            /* its Q; -HUGE_VAL: cannot be split */
	double *perm;        /* R permuted maxima (NULL when q is -HUGE_VAL) */
};

/* SplitMix64's finaliser (Steele, Lea and Flood 2014): distinct inputs
 * give unrelated seeds. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Fill in seg's best split and, when it has one, its R permuted maxima. */
static lt_rc prepare_segment(const double *y, struct segment *seg,
			     const struct lt_changepoint_opts *o,
			     const struct scratch *s, gsl_rng *rng,
			     struct lt_err *err)
{
	size_t m = seg->end - seg->start, tau;
	unsigned R = o->permutations;

	seg->q = -HUGE_VAL;
	seg->perm = NULL;
	if (m < 2 * o->min_size)
		return LT_OK;
	seg->q = best_split(y + seg->start, m, o->min_size, s, &tau);
	if (seg->q == -HUGE_VAL)
		return LT_OK;
	seg->tau = seg->start + tau;
	seg->perm = malloc(R * sizeof *seg->perm);
	if (!seg->perm)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	gsl_rng_set(rng, (unsigned long)mix64(mix64(o->seed) ^
					      mix64(seg->start * 0x9e3779b97f4a7c15ULL + seg->end)));
	memcpy(s->shuffled, y + seg->start, m * sizeof *s->shuffled);
	for (unsigned r = 0; r < R; r++) {
		gsl_ran_shuffle(rng, s->shuffled, m, sizeof *s->shuffled);
		seg->perm[r] = best_split(s->shuffled, m, o->min_size, s, &tau);
	}
	return LT_OK;
}

/* Mean of y[a..b), and whether all its values are equal. */
static double segment_mean(const double *y, size_t a, size_t b, bool *constant)
{
	double sum = 0;

	*constant = true;
	for (size_t i = a; i < b; i++) {
		sum += y[i];
		if (y[i] != y[a])
			*constant = false;
	}
	return sum / (double)(b - a);
}

/* Means, change and Welch p of the change point at working index c
 * between the segments [a, c) and [c, b). */
static lt_rc describe_change(const double *y, size_t a, size_t c, size_t b,
			     struct lt_changepoint *cp, struct lt_err *err)
{
	struct lt_stats_welch w;
	bool const_before, const_after;
	lt_rc rc;

	cp->mean_before = segment_mean(y, a, c, &const_before);
	cp->mean_after = segment_mean(y, c, b, &const_after);
	cp->n_before = c - a;
	cp->n_after = b - c;
	cp->change_pct = cp->mean_before != 0
		? 100 * (cp->mean_after - cp->mean_before) / fabs(cp->mean_before)
		: 0;
	/* Two constant segments with different means: t is infinite and the
	 * difference certain; lt_stats_welch() refuses that case. */
	if (const_before && const_after) {
		cp->welch_p = 0;
		return LT_OK;
	}
	rc = lt_stats_welch(y + c, b - c, y + a, c - a, 0.95, &w, err);
	if (rc)
		return rc;
	cp->welch_p = w.p.two_sided;
	return LT_OK;
}

static int cmp_changepoint(const void *a, const void *b)
{
	size_t x = ((const struct lt_changepoint *)a)->index;
	size_t y = ((const struct lt_changepoint *)b)->index;
	return (x > y) - (x < y);
}

/* E-divisive on the working series y[0..m-1]; orig[i] is y[i]'s index in
 * the caller's series.  Fills r->changepoints. */
static lt_rc divide(const double *y, const size_t *orig, size_t m,
		    const struct lt_changepoint_opts *o,
		    struct lt_changepoint_result *r, struct lt_err *err)
{
	unsigned R = o->permutations;
	size_t max_cps = m / o->min_size, n_segs = 1, n_cps = 0;
	struct segment *segs = NULL;
	struct lt_changepoint *cps = NULL;
	struct scratch s = {0};
	size_t *bounds = NULL;
	gsl_rng *rng = NULL;
	lt_rc rc;

	if (m < 2 * o->min_size)
		return LT_OK;
	segs = calloc(max_cps + 1, sizeof *segs);
	cps = calloc(max_cps, sizeof *cps);
	bounds = malloc((max_cps + 2) * sizeof *bounds);
	s.w_start = malloc((m + 1) * sizeof *s.w_start);
	s.w_tau = malloc((m + 1) * sizeof *s.w_tau);
	s.inv = malloc((m + 1) * sizeof *s.inv);
	s.shuffled = malloc(m * sizeof *s.shuffled);
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!segs || !cps || !bounds || !s.w_start || !s.w_tau || !s.inv ||
	    !s.shuffled || !rng) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto done;
	}
	s.inv[0] = 0;
	for (size_t j = 1; j <= m; j++)
		s.inv[j] = 1 / (double)j;

	segs[0].start = 0;
	segs[0].end = m;
	if ((rc = prepare_segment(y, &segs[0], o, &s, rng, err)))
		goto done;
	for (;;) {
		size_t best = n_segs, exceed = 0;
		double tol;

		for (size_t i = 0; i < n_segs; i++)
			if (segs[i].q > 0 && (best == n_segs || segs[i].q > segs[best].q))
				best = i;
		if (best == n_segs)
			break;
		/* Sums of the same distances in another order may differ in the
		 * last bits: a tie counts against the split (conservative). */
		tol = segs[best].q * (1 - 1e-10);
		for (unsigned k = 0; k < R; k++) {
			double mx = -HUGE_VAL;
			for (size_t i = 0; i < n_segs; i++)
				if (segs[i].perm && segs[i].perm[k] > mx)
					mx = segs[i].perm[k];
			if (mx >= tol)
				exceed++;
		}
		double p = (1.0 + (double)exceed) / (R + 1.0);
		if (p > o->p_value)
			break;

		struct segment old = segs[best];
		cps[n_cps].index = old.tau;  /* working index until the end */
		cps[n_cps].p_value = p;
		cps[n_cps].energy = old.q;
		n_cps++;
		free(old.perm);
		segs[best].perm = NULL;
		segs[best].end = old.tau;
		segs[n_segs].start = old.tau;
		segs[n_segs].end = old.end;
		n_segs++;
		if ((rc = prepare_segment(y, &segs[best], o, &s, rng, err)) ||
		    (rc = prepare_segment(y, &segs[n_segs - 1], o, &s, rng, err)))
			goto done;
	}

	qsort(cps, n_cps, sizeof *cps, cmp_changepoint);
	bounds[0] = 0;
	for (size_t i = 0; i < n_cps; i++)
		bounds[i + 1] = cps[i].index;
	bounds[n_cps + 1] = m;
	for (size_t i = 0; i < n_cps; i++) {
		if ((rc = describe_change(y, bounds[i], bounds[i + 1], bounds[i + 2],
					  &cps[i], err)))
			goto done;
		cps[i].index = orig[cps[i].index];
	}
	if (n_cps) {
		r->changepoints = cps;
		r->n_changepoints = n_cps;
		cps = NULL;
	}
	rc = LT_OK;
done:
	for (size_t i = 0; segs && i < n_segs; i++)
		free(segs[i].perm);
	free(segs);
	free(cps);
	free(bounds);
	free(s.w_start);
	free(s.w_tau);
	free(s.inv);
	free(s.shuffled);
	gsl_rng_free(rng);
	return rc;
}

/* ---- the entry points ---- */

void lt_changepoint_result_free(struct lt_changepoint_result *r)
{
	if (!r)
		return;
	free(r->changepoints);
	free(r->outliers);
	free(r);
}

lt_rc lt_changepoint_detect(const double *x, size_t n,
			    const struct lt_changepoint_opts *opts,
			    struct lt_changepoint_result **out,
			    struct lt_err *err)
{
	struct lt_changepoint_result *r = NULL;
	struct lt_changepoint_opts o;
	bool *is_out = NULL;
	double *y = NULL;
	size_t *orig = NULL, m = 0;
	lt_rc rc;

	pthread_once(&gsl_once, gsl_quiet);
	if (!out)
		return lt_err_set(err, LT_EUSAGE, "out is NULL");
	if (!x && n)
		return lt_err_set(err, LT_EINVAL, "x: NULL array");
	if ((rc = resolve_opts(opts, &o, err)))
		return rc;
	if (n > LT_CHANGEPOINT_MAX_N)
		return lt_err_set(err, LT_ELIMIT,
				  "x: at most %u values, got %zu (keep the newest)",
				  LT_CHANGEPOINT_MAX_N, n);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return lt_err_set(err, LT_EINVAL,
					  "x[%zu] is not a finite number", i);

	r = calloc(1, sizeof *r);
	is_out = calloc(n ? n : 1, sizeof *is_out);
	y = malloc((n ? n : 1) * sizeof *y);
	orig = malloc((n ? n : 1) * sizeof *orig);
	if (!r || !is_out || !y || !orig) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	r->opts = o;
	r->n = n;
	if (!o.keep_outliers &&
	    (rc = find_outliers(x, n, o.min_size, o.outlier_k, is_out, r, err)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (is_out[i])
			continue;
		y[m] = x[i];
		orig[m] = i;
		m++;
	}
	if ((rc = divide(y, orig, m, &o, r, err)))
		goto fail;
	free(is_out);
	free(y);
	free(orig);
	*out = r;
	return LT_OK;
fail:
	lt_changepoint_result_free(r);
	free(is_out);
	free(y);
	free(orig);
	return rc;
}
