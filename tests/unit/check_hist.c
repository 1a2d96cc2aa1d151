/* check_hist.c -- the latency histogram (hist.c).
 *
 * Percentiles are checked against the exact answer computed here from the
 * sorted values with the definition of hist.h (the smallest v with at
 * least p % of the values <= v, i.e. the value of rank ceil(p n / 100),
 * at least 1), with p given as an exact fraction so that the reference
 * has no rounding of its own.  The values come from a fixed-seed
 * splitmix64 generator, so every run sees the same ones.
 */
#include "unit.h"
#include "hist.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_VALUES 1000000

/* The contract of hist.h, and the bound the layout actually gives (half a
 * bucket width, 1/2048 of the bucket's lowest value). */
#define MAX_REL_ERROR 0.001
#define LAYOUT_REL_ERROR (1.0 / 2048)

/* ---- helpers ---- */

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, and good enough to
 * spread test values; the seed makes each test reproducible. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() is safe. */
static double rng_unit(uint64_t *state)
{
	return (double)((rng_next(state) >> 11) + 1) * 0x1.0p-53;
}

/* Standard normal by Box-Muller. */
static double rng_normal(uint64_t *state)
{
	double u = rng_unit(state), v = rng_unit(state);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static uint64_t to_value(double x)
{
	if (x < 1)
		return 1;
	if (x > (double)LT_HIST_MAX_US)
		return LT_HIST_MAX_US;
	return (uint64_t)llround(x);
}

enum distribution { UNIFORM, LOG_NORMAL, BIMODAL };

/* n values of the distribution, all within 1 µs .. 1 h so that the
 * reference sees what the histogram records.  new (free). */
static uint64_t *make_values(enum distribution d, size_t n, uint64_t seed)
{
	uint64_t *values = malloc(n * sizeof *values);
	uint64_t state = seed;

	ck_assert_ptr_nonnull(values);
	for (size_t i = 0; i < n; i++) {
		switch (d) {
		case UNIFORM:       /* the whole range, every power of two */
			values[i] = 1 + rng_next(&state) % LT_HIST_MAX_US;
			break;
		case LOG_NORMAL:    /* median 20 ms, p99.9 near 440 ms */
			values[i] = to_value(exp(log(20000.0) + 1.0 * rng_normal(&state)));
			break;
		case BIMODAL:       /* 80 % cache hits near 2 ms, 20 % misses near 150 ms */
			if (rng_next(&state) % 10 < 8)
				values[i] = to_value(2000.0 + 200.0 * rng_normal(&state));
			else
				values[i] = to_value(150000.0 + 20000.0 * rng_normal(&state));
			break;
		}
	}
	return values;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* A percentile as the exact fraction num / den of a per cent. */
struct percentile {
	uint64_t num, den;
};

static const struct percentile percentiles[] = {
	{0, 1}, {1, 1}, {10, 1}, {25, 1}, {50, 1}, {75, 1}, {90, 1}, {95, 1},
	{99, 1}, {999, 10}, {9999, 100}, {99999, 1000}, {100, 1},
	/* odd ones: not on round ranks, and tiny */
	{333, 10}, {666, 10}, {12345, 1000}, {1, 1000}, {314159, 10000}, {1, 3},
	{200, 3},
};

/* The exact percentile of sorted[0..n): rank ceil(p n / 100) in integers. */
static uint64_t exact_percentile(const uint64_t *sorted, uint64_t n,
				 struct percentile p)
{
	uint64_t den = p.den * 100;
	uint64_t rank = (p.num * n + den - 1) / den;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static double rel_error(uint64_t got, uint64_t want)
{
	return fabs((double)got - (double)want) / (double)want;
}

/* Record values into a new histogram.  new (lt_hist_free). */
static struct lt_hist *hist_of(const uint64_t *values, size_t n)
{
	struct lt_hist *h = lt_hist_new();
	ck_assert_ptr_nonnull(h);
	for (size_t i = 0; i < n; i++)
		lt_hist_record(h, values[i]);
	return h;
}

/* The JSON text of h, printed compact.  new (free). */
static char *json_text(const struct lt_hist *h)
{
	cJSON *json = lt_hist_to_json(h);
	char *text;

	ck_assert_ptr_nonnull(json);
	text = cJSON_PrintUnformatted(json);
	ck_assert_ptr_nonnull(text);
	cJSON_Delete(json);
	return text;
}

/* Parse text and read it as a histogram; returns the rc, *out as
 * lt_hist_from_json leaves it.  Checking only (out NULL) must give the
 * same answer and the same message, every time. */
static lt_rc hist_from_text(const char *text, struct lt_hist **out, struct lt_err *err)
{
	cJSON *json = cJSON_Parse(text);
	struct lt_err only_err = {0};
	lt_rc rc, only;

	ck_assert_msg(json != NULL, "test JSON does not parse: %s", text);
	only = lt_hist_from_json(json, NULL, &only_err);
	rc = lt_hist_from_json(json, out, err);
	ck_assert_int_eq(only, rc);
	if (rc != LT_OK && err)
		ck_assert_str_eq(lt_errmsg(&only_err), lt_errmsg(err));
	cJSON_Delete(json);
	return rc;
}

/* h printed, parsed and read back must equal h, figure for figure. */
static void assert_round_trip(const struct lt_hist *h)
{
	char *text = json_text(h);
	struct lt_hist *back = NULL;
	struct lt_err err = {0};

	ck_assert_msg(hist_from_text(text, &back, &err) == LT_OK, "%s: %s", text,
		      lt_errmsg(&err));
	ck_assert(lt_hist_equal(h, back));
	ck_assert_uint_eq(lt_hist_count(back), lt_hist_count(h));
	ck_assert_uint_eq(lt_hist_min(back), lt_hist_min(h));
	ck_assert_uint_eq(lt_hist_max(back), lt_hist_max(h));
	ck_assert_uint_eq(lt_hist_sum(back), lt_hist_sum(h));
	ck_assert(lt_hist_mean(back) == lt_hist_mean(h));
	ck_assert(lt_hist_stddev(back) == lt_hist_stddev(h));
	for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++) {
		double p = (double)percentiles[i].num / (double)percentiles[i].den;
		ck_assert_uint_eq(lt_hist_percentile(back, p), lt_hist_percentile(h, p));
	}
	lt_hist_free(back);
	free(text);
}

/* ---- tests ---- */

START_TEST(test_empty)
{
	struct lt_hist *h = lt_hist_new(), *other = lt_hist_new();
	char *text;

	ck_assert_uint_eq(lt_hist_count(h), 0);
	ck_assert_uint_eq(lt_hist_min(h), 0);
	ck_assert_uint_eq(lt_hist_max(h), 0);
	ck_assert_uint_eq(lt_hist_sum(h), 0);
	ck_assert(lt_hist_mean(h) == 0);
	ck_assert(lt_hist_stddev(h) == 0);
	ck_assert_uint_eq(lt_hist_percentile(h, 0), 0);
	ck_assert_uint_eq(lt_hist_percentile(h, 50), 0);
	ck_assert_uint_eq(lt_hist_percentile(h, 100), 0);
	ck_assert(lt_hist_equal(h, other));
	text = json_text(h);
	ck_assert_str_eq(text, "{\"v\":1,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}");
	assert_round_trip(h);
	/* Merging nothing into nothing, or nothing into something, changes
	 * nothing. */
	lt_hist_merge(h, other);
	ck_assert(lt_hist_equal(h, other));
	lt_hist_record(other, 42);
	lt_hist_merge(other, h);
	ck_assert_uint_eq(lt_hist_count(other), 1);
	ck_assert_uint_eq(lt_hist_min(other), 42);
	lt_hist_free(NULL);
	free(text);
	lt_hist_free(h);
	lt_hist_free(other);
}
END_TEST

START_TEST(test_json_documented_example)
{
	/* The example of hist.h, which lt-ndjson(5) copies. */
	static const uint64_t values[] = {180, 180, 950, 2150, 40000};
	struct lt_hist *h = hist_of(values, 5);
	char *text = json_text(h);

	ck_assert_str_eq(text, "{\"v\":1,\"n\":5,\"min\":180,\"max\":40000,\"sum\":43460,"
			 "\"sumsq\":1605589800,\"b\":[180,2,770,1,1149,1,4271,1]}");
	assert_round_trip(h);
	free(text);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_small_values_exact)
{
	/* Below 2048 every value has a bucket of its own: percentiles are
	 * exact, and the rank follows ceil(p n / 100) with p read as the
	 * decimal written. */
	struct lt_hist *h = lt_hist_new();

	for (uint64_t v = 1; v <= 1000; v++)
		lt_hist_record(h, v);
	ck_assert_uint_eq(lt_hist_percentile(h, 0), 1);
	ck_assert_uint_eq(lt_hist_percentile(h, 0.05), 1);       /* rank ceil(0.5) */
	ck_assert_uint_eq(lt_hist_percentile(h, 0.15), 2);       /* rank ceil(1.5) */
	ck_assert_uint_eq(lt_hist_percentile(h, 50), 500);
	ck_assert_uint_eq(lt_hist_percentile(h, 50.01), 501);
	ck_assert_uint_eq(lt_hist_percentile(h, 33.3333), 334);
	ck_assert_uint_eq(lt_hist_percentile(h, 99.9), 999);     /* not 1000 */
	ck_assert_uint_eq(lt_hist_percentile(h, 99.91), 1000);
	ck_assert_uint_eq(lt_hist_percentile(h, 100), 1000);
	ck_assert_uint_eq(lt_hist_percentile(h, -5), 1);
	ck_assert_uint_eq(lt_hist_percentile(h, NAN), 1);
	ck_assert_uint_eq(lt_hist_percentile(h, 250), 1000);
	ck_assert_uint_eq(lt_hist_sum(h), 500500);
	ck_assert(lt_hist_mean(h) == 500.5);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_min_max_ranks_exact)
{
	/* The first and the last rank are min and max themselves, not the
	 * middle of their buckets (1000000 sits in 999936..1000447). */
	struct lt_hist *h = lt_hist_new();

	lt_hist_record(h, 3000000);
	lt_hist_record(h, 1000000);
	lt_hist_record(h, 2000000);
	ck_assert_uint_eq(lt_hist_percentile(h, 0), 1000000);
	ck_assert_uint_eq(lt_hist_percentile(h, 33.3), 1000000);     /* rank 1 */
	ck_assert(rel_error(lt_hist_percentile(h, 50), 2000000) <= LAYOUT_REL_ERROR);
	ck_assert(lt_hist_percentile(h, 50) != 2000000);            /* a bucket middle */
	ck_assert_uint_eq(lt_hist_percentile(h, 66.7), 3000000);     /* rank 3 */
	ck_assert_uint_eq(lt_hist_percentile(h, 100), 3000000);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_bucket_error_sweep)
{
	/* For values across the whole range, p50 of {x/2, x, 2x} is x's
	 * bucket representative, unclamped by min and max: its error is the
	 * layout's own.  Every value up to 70000 (every bucket boundary of
	 * the first six doublings), then geometric steps to 1 h. */
	struct lt_hist *h = lt_hist_new();
	double worst = 0;

	for (double x = 4; x <= (double)LT_HIST_MAX_US / 2; x = x < 70000 ? x + 1 : x * 1.0007) {
		uint64_t v = (uint64_t)x, got;
		lt_hist_record(h, v / 2);
		lt_hist_record(h, v);
		lt_hist_record(h, 2 * v);
		got = lt_hist_percentile(h, 50);
		if (rel_error(got, v) > worst)
			worst = rel_error(got, v);
		ck_assert_msg(rel_error(got, v) <= LAYOUT_REL_ERROR, "%" PRIu64 " read as %"
			      PRIu64, v, got);
		lt_hist_reset(h);
	}
	/* The bound is reached, not just respected: the layout is what
	 * hist.h says. */
	ck_assert(worst > 0.9 * LAYOUT_REL_ERROR);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_clamping)
{
	struct lt_hist *h = lt_hist_new(), *same = lt_hist_new();

	lt_hist_record(h, 0);
	ck_assert_uint_eq(lt_hist_count(h), 1);
	ck_assert_uint_eq(lt_hist_min(h), LT_HIST_MIN_US);
	ck_assert_uint_eq(lt_hist_max(h), LT_HIST_MIN_US);
	lt_hist_record(h, LT_HIST_MAX_US + 1);
	lt_hist_record(h, UINT64_MAX);
	lt_hist_record_n(h, 5000000000ull, 2);
	ck_assert_uint_eq(lt_hist_count(h), 5);
	ck_assert_uint_eq(lt_hist_min(h), 1);
	ck_assert_uint_eq(lt_hist_max(h), LT_HIST_MAX_US);
	ck_assert_uint_eq(lt_hist_sum(h), 1 + 4 * LT_HIST_MAX_US);
	ck_assert_uint_eq(lt_hist_percentile(h, 20), 1);
	ck_assert(rel_error(lt_hist_percentile(h, 50), LT_HIST_MAX_US) <= LAYOUT_REL_ERROR);
	ck_assert_uint_eq(lt_hist_percentile(h, 100), LT_HIST_MAX_US);
	/* Clamped values are the values at the edges, nothing else. */
	lt_hist_record(same, 1);
	lt_hist_record_n(same, LT_HIST_MAX_US, 4);
	ck_assert(lt_hist_equal(h, same));
	assert_round_trip(h);
	lt_hist_free(h);
	lt_hist_free(same);
}
END_TEST

START_TEST(test_record_n_and_reset)
{
	struct lt_hist *h = lt_hist_new(), *g = lt_hist_new(), *empty = lt_hist_new();

	for (int i = 0; i < 1000; i++)
		lt_hist_record(h, 123456);
	lt_hist_record(h, 7);
	lt_hist_record_n(g, 7, 1);
	lt_hist_record_n(g, 123456, 1000);
	lt_hist_record_n(g, 99, 0);  /* records nothing */
	ck_assert(lt_hist_equal(h, g));
	ck_assert_uint_eq(lt_hist_min(g), 7);
	lt_hist_reset(h);
	ck_assert(lt_hist_equal(h, empty));
	ck_assert_uint_eq(lt_hist_percentile(h, 50), 0);
	/* Usable again after a reset, with no trace of before. */
	lt_hist_record(h, 3000000);
	ck_assert_uint_eq(lt_hist_min(h), 3000000);
	ck_assert_uint_eq(lt_hist_percentile(h, 1), 3000000);
	ck_assert(!lt_hist_equal(h, g));
	lt_hist_free(h);
	lt_hist_free(g);
	lt_hist_free(empty);
}
END_TEST

/* Percentiles of one distribution against the exact ones. */
static void check_distribution(enum distribution d, uint64_t seed)
{
	uint64_t *values = make_values(d, N_VALUES, seed);
	struct lt_hist *h = hist_of(values, N_VALUES);

	qsort(values, N_VALUES, sizeof *values, cmp_u64);
	for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++) {
		struct percentile p = percentiles[i];
		double p_pct = (double)p.num / (double)p.den;
		uint64_t want = exact_percentile(values, N_VALUES, p);
		uint64_t got = lt_hist_percentile(h, p_pct);
		ck_assert_msg(rel_error(got, want) <= LAYOUT_REL_ERROR &&
			      rel_error(got, want) <= MAX_REL_ERROR,
			      "distribution %d p%g: got %" PRIu64 ", exact %" PRIu64,
			      (int)d, p_pct, got, want);
	}
	ck_assert_uint_eq(lt_hist_percentile(h, 0), values[0]);
	ck_assert_uint_eq(lt_hist_percentile(h, 100), values[N_VALUES - 1]);
	ck_assert_uint_eq(lt_hist_min(h), values[0]);
	ck_assert_uint_eq(lt_hist_max(h), values[N_VALUES - 1]);
	ck_assert_uint_eq(lt_hist_count(h), N_VALUES);
	lt_hist_free(h);
	free(values);
}

START_TEST(test_percentiles_uniform)
{
	check_distribution(UNIFORM, 1);
}
END_TEST

START_TEST(test_percentiles_log_normal)
{
	check_distribution(LOG_NORMAL, 2);
}
END_TEST

START_TEST(test_percentiles_bimodal)
{
	check_distribution(BIMODAL, 3);
}
END_TEST

START_TEST(test_mean_stddev)
{
	/* Against the two-pass textbook formulas in long double over the
	 * values themselves (population standard deviation). */
	uint64_t *values = make_values(LOG_NORMAL, N_VALUES, 4);
	struct lt_hist *h = hist_of(values, N_VALUES), *small = lt_hist_new();
	long double sum = 0, mean, squares = 0;

	for (size_t i = 0; i < N_VALUES; i++)
		sum += values[i];
	mean = sum / N_VALUES;
	for (size_t i = 0; i < N_VALUES; i++)
		squares += (values[i] - mean) * (values[i] - mean);
	ck_assert_uint_eq(lt_hist_sum(h), (uint64_t)sum);
	ck_assert_double_eq_tol(lt_hist_mean(h), (double)mean, (double)mean * 1e-15);
	ck_assert_double_eq_tol(lt_hist_stddev(h), (double)sqrtl(squares / N_VALUES),
				(double)sqrtl(squares / N_VALUES) * 1e-12);

	/* Small and exact: {1, 2, 3, 4} has mean 2.5 and variance 1.25. */
	for (uint64_t v = 1; v <= 4; v++)
		lt_hist_record(small, v);
	ck_assert(lt_hist_mean(small) == 2.5);
	ck_assert_double_eq_tol(lt_hist_stddev(small), sqrt(1.25), 1e-15);
	/* A tiny spread on a large mean, where sumsq - sum²/n would cancel:
	 * 1 h and 1 h - 1 µs, stddev 0.5. */
	lt_hist_reset(small);
	lt_hist_record(small, LT_HIST_MAX_US);
	lt_hist_record(small, LT_HIST_MAX_US - 1);
	ck_assert(lt_hist_stddev(small) == 0.5);
	lt_hist_reset(small);
	lt_hist_record_n(small, 777777, 1000);
	ck_assert(lt_hist_stddev(small) == 0);
	ck_assert(lt_hist_mean(small) == 777777);
	lt_hist_free(small);
	lt_hist_free(h);
	free(values);
}
END_TEST

START_TEST(test_merge_equals_single)
{
	/* One stream split into k parts of uneven sizes, one histogram per
	 * part (as threads or shards would), merged: the same histogram as
	 * one that saw everything, figure for figure. */
	enum { K = 7 };
	uint64_t *values = make_values(BIMODAL, N_VALUES, 5);
	struct lt_hist *all = hist_of(values, N_VALUES), *parts[K], *merged = lt_hist_new(),
		       *reversed = lt_hist_new();
	uint64_t state = 99;

	for (int k = 0; k < K; k++)
		parts[k] = lt_hist_new();
	for (size_t i = 0; i < N_VALUES; i++)
		lt_hist_record(parts[rng_next(&state) % (i % 2 ? K : 2)], values[i]);
	for (int k = 0; k < K; k++) {
		lt_hist_merge(merged, parts[k]);
		lt_hist_merge(reversed, parts[K - 1 - k]);
	}
	ck_assert(lt_hist_equal(merged, all));
	ck_assert(lt_hist_equal(reversed, all));
	ck_assert_uint_eq(lt_hist_count(merged), lt_hist_count(all));
	ck_assert_uint_eq(lt_hist_min(merged), lt_hist_min(all));
	ck_assert_uint_eq(lt_hist_max(merged), lt_hist_max(all));
	ck_assert_uint_eq(lt_hist_sum(merged), lt_hist_sum(all));
	ck_assert(lt_hist_mean(merged) == lt_hist_mean(all));
	ck_assert(lt_hist_stddev(merged) == lt_hist_stddev(all));
	for (size_t i = 0; i < sizeof percentiles / sizeof percentiles[0]; i++) {
		double p = (double)percentiles[i].num / (double)percentiles[i].den;
		ck_assert_uint_eq(lt_hist_percentile(merged, p), lt_hist_percentile(all, p));
	}
	/* A part differs from the whole; merging a histogram into itself
	 * doubles every count. */
	ck_assert(!lt_hist_equal(parts[0], all));
	lt_hist_merge(merged, merged);
	ck_assert_uint_eq(lt_hist_count(merged), 2 * N_VALUES);
	ck_assert_uint_eq(lt_hist_sum(merged), 2 * lt_hist_sum(all));
	ck_assert_uint_eq(lt_hist_percentile(merged, 50), lt_hist_percentile(all, 50));
	for (int k = 0; k < K; k++)
		lt_hist_free(parts[k]);
	lt_hist_free(merged);
	lt_hist_free(reversed);
	lt_hist_free(all);
	free(values);
}
END_TEST

START_TEST(test_json_round_trip)
{
	uint64_t *values = make_values(LOG_NORMAL, 100000, 6);
	struct lt_hist *h = hist_of(values, 100000);

	assert_round_trip(h);
	lt_hist_free(h);
	free(values);
}
END_TEST

START_TEST(test_json_huge)
{
	/* Counts and sums past 2^53 travel as decimal strings and come back
	 * exact; below 10^15 they stay numbers. */
	struct lt_hist *h = lt_hist_new();
	char *text;

	lt_hist_record_n(h, 1, (1ull << 60) + 3);           /* beyond 2^53: a string */
	lt_hist_record_n(h, 2, 1000000000000000ull);        /* 10^15: a string */
	lt_hist_record_n(h, 2000, 999999999999999ull);      /* 10^15 - 1: a number */
	lt_hist_record_n(h, LT_HIST_MAX_US, 2000);
	text = json_text(h);
	ck_assert_msg(strstr(text, "\"n\":\"1154921504606848978\""), "%s", text);
	ck_assert_msg(strstr(text, "\"min\":1,\"max\":3600000000,"), "%s", text);
	ck_assert_msg(strstr(text, "\"sum\":\"3154928704606844979\""), "%s", text);
	ck_assert_msg(strstr(text, "\"sumsq\":\"29921156921504602846979\""), "%s", text);
	ck_assert_msg(strstr(text, "\"b\":[1,\"1152921504606846979\",1,\"1000000000000000\","
			     "1998,999999999999999,21220,2000]"), "%s", text);
	ck_assert_uint_eq(lt_hist_count(h), 1154921504606848978ull);
	ck_assert_uint_eq(lt_hist_sum(h), 3154928704606844979ull);
	assert_round_trip(h);
	free(text);

	/* The sum and sumsq themselves large. */
	lt_hist_reset(h);
	lt_hist_record_n(h, 3000000000ull, 5000000000ull);  /* sum 1.5e19 < 2^64 */
	lt_hist_record(h, 17);
	text = json_text(h);
	ck_assert_msg(strstr(text, "\"sum\":\"15000000000000000017\""), "%s", text);
	/* 9e18 * 5e9 + 289 */
	ck_assert_msg(strstr(text, "\"sumsq\":\"45000000000000000000000000289\""), "%s", text);
	assert_round_trip(h);
	ck_assert(lt_hist_mean(h) == (double)(15000000000000000017.0L / 5000000001.0L));
	free(text);

	/* Numbers up to 2^53 - 1 written by another writer are read exactly. */
	{
		struct lt_hist *back = NULL;
		struct lt_err err = {0};
		ck_assert_int_eq(hist_from_text("{\"v\":1,\"n\":9007199254740991,\"min\":5,"
						"\"max\":5,\"sum\":\"45035996273704955\","
						"\"sumsq\":\"225179981368524775\","
						"\"b\":[5,9007199254740991]}", &back, &err), LT_OK);
		ck_assert_uint_eq(lt_hist_count(back), 9007199254740991ull);
		ck_assert_uint_eq(lt_hist_sum(back), 45035996273704955ull);
		lt_hist_free(back);
	}
	lt_hist_free(h);
}
END_TEST

/* Each case: the JSON, and how the message must begin (the member's path
 * first). */
static const struct {
	const char *json;
	const char *message;
} bad_cases[] = {
	{"[]", "must be a JSON object, got an array"},
	{"{\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}", "v: missing"},
	{"{\"v\":1,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}", "n: missing"},
	{"{\"v\":1,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0}", "b: missing"},
	{"{\"v\":1,\"n\":0,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: member given twice"},
	{"{\"v\":2,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "v: unsupported histogram layout version 2"},
	{"{\"v\":1,\"n\":true,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be an integer (a number or a string of digits), got a boolean"},
	{"{\"v\":1,\"n\":-3,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a non-negative integer, got -3"},
	{"{\"v\":1,\"n\":1.5,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a non-negative integer, got 1.5"},
	{"{\"v\":1,\"n\":1e400,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a non-negative integer"},
	{"{\"v\":1,\"n\":9007199254740993,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: 9007199254740992 is too large for an exact JSON number"},
	{"{\"v\":1,\"n\":\"12a\",\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a decimal integer"},
	{"{\"v\":1,\"n\":\"-1\",\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a decimal integer"},
	{"{\"v\":1,\"n\":\"01\",\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a decimal integer (digits only, no leading zero), got \"01\""},
	{"{\"v\":1,\"n\":\"\",\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: must be a decimal integer"},
	{"{\"v\":1,\"n\":\"18446744073709551616\",\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "n: 18446744073709551616 is out of range (at most 18446744073709551615)"},
	{"{\"v\":1,\"n\":0,\"min\":null,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "min: must be an integer (a number or a string of digits), got null"},
	{"{\"v\":1,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,"
	 "\"sumsq\":\"340282366920938463463374607431768211456\",\"b\":[]}",
	 "sumsq: 340282366920938463463374607431768211456 is out of range"},
	{"{\"v\":1,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":{}}",
	 "b: must be an array, got an object"},
	{"{\"v\":1,\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sumsq\":25,\"b\":[5,1,3]}",
	 "b: has 3 elements, but must hold pairs"},
	{"{\"v\":1,\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sumsq\":25,\"b\":[0,1]}",
	 "b[0]: bucket index 0 out of range 1..23220"},
	{"{\"v\":1,\"n\":4,\"min\":1,\"max\":3,\"sum\":6,\"sumsq\":14,"
	 "\"b\":[1,1,1,1,1,1,70000,1]}",
	 "b[6]: bucket index 70003 out of range 1..23220"},
	{"{\"v\":1,\"n\":1,\"min\":5,\"max\":5,\"sum\":5,\"sumsq\":25,\"b\":[23221,1]}",
	 "b[0]: bucket index 23221 out of range 1..23220"},
	{"{\"v\":1,\"n\":2,\"min\":5,\"max\":5,\"sum\":10,\"sumsq\":50,\"b\":[5,1,0,1]}",
	 "b[2]: index step 0 repeats bucket 5"},
	{"{\"v\":1,\"n\":2,\"min\":3,\"max\":5,\"sum\":8,\"sumsq\":34,\"b\":[5,1,-2,1]}",
	 "b[2]: index step -2 is negative"},
	{"{\"v\":1,\"n\":2,\"min\":3,\"max\":5,\"sum\":8,\"sumsq\":34,\"b\":[3,1,\"x\",1]}",
	 "b[2]: must be a decimal integer"},
	{"{\"v\":1,\"n\":1,\"min\":3,\"max\":5,\"sum\":8,\"sumsq\":34,\"b\":[3,1,2,0]}",
	 "b[3]: bucket count must be at least 1"},
	{"{\"v\":1,\"n\":1,\"min\":3,\"max\":3,\"sum\":3,\"sumsq\":9,\"b\":[3,-1]}",
	 "b[1]: must be a non-negative integer, got -1"},
	{"{\"v\":1,\"n\":1,\"min\":3,\"max\":3,\"sum\":3,\"sumsq\":9,\"b\":[3,0.5]}",
	 "b[1]: must be a non-negative integer, got 0.5"},
	{"{\"v\":1,\"n\":1,\"min\":3,\"max\":3,\"sum\":3,\"sumsq\":9,\"b\":[3,[1]]}",
	 "b[1]: must be an integer (a number or a string of digits), got an array"},
	{"{\"v\":1,\"n\":\"18446744073709551615\",\"min\":3,\"max\":4,\"sum\":7,\"sumsq\":25,"
	 "\"b\":[3,\"18446744073709551615\",1,1]}",
	 "b[3]: the bucket counts add up to more than 2^64 - 1"},
	{"{\"v\":1,\"n\":5,\"min\":1,\"max\":3,\"sum\":6,\"sumsq\":14,\"b\":[1,1,1,1,1,1]}",
	 "n: 5, but the bucket counts add up to 3"},
	{"{\"v\":1,\"n\":0,\"min\":7,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[]}",
	 "min: must be 0 when n is 0"},
	{"{\"v\":1,\"n\":0,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":1,\"b\":[]}",
	 "sumsq: must be 0 when n is 0"},
	{"{\"v\":1,\"n\":3,\"min\":2,\"max\":3,\"sum\":6,\"sumsq\":14,\"b\":[1,1,1,1,1,1]}",
	 "min: 2 is not in the first non-empty bucket (index 1: 1..1)"},
	{"{\"v\":1,\"n\":3,\"min\":1,\"max\":4,\"sum\":6,\"sumsq\":14,\"b\":[1,1,1,1,1,1]}",
	 "max: 4 is not in the last non-empty bucket (index 3: 3..3)"},
	{"{\"v\":1,\"n\":1,\"min\":0,\"max\":0,\"sum\":0,\"sumsq\":0,\"b\":[1,1]}",
	 "min: 0 is not in the first non-empty bucket"},
	{"{\"v\":1,\"n\":1,\"min\":3600000000,\"max\":3600000001,\"sum\":3600000000,"
	 "\"sumsq\":\"12960000000000000000\",\"b\":[23220,1]}",
	 "max: 3600000001 is out of range (at most 3600000000)"},
	/* bucket 11169 holds 999936..1000447 */
	{"{\"v\":1,\"n\":2,\"min\":1000400,\"max\":1000000,\"sum\":2000400,"
	 "\"sumsq\":\"1000800160000\",\"b\":[11169,2]}",
	 "max: 1000000 is below min 1000400"},
	{"{\"v\":1,\"n\":1,\"min\":1000000,\"max\":1000001,\"sum\":1000000,"
	 "\"sumsq\":1000000000000,\"b\":[11169,1]}",
	 "max: 1000001 differs from min 1000000, but n is 1"},
	{"{\"v\":1,\"n\":3,\"min\":1,\"max\":3,\"sum\":7,\"sumsq\":14,\"b\":[1,1,1,1,1,1]}",
	 "sum: 7 is impossible for these buckets (it must be within 6..6)"},
	{"{\"v\":1,\"n\":3,\"min\":1000000,\"max\":1000100,\"sum\":3000300,"
	 "\"sumsq\":3000200010000,\"b\":[11169,3]}",
	 "sum: 3000300 is impossible for these buckets (it must be within 3000100..3000200)"},
	{"{\"v\":1,\"n\":3,\"min\":1,\"max\":3,\"sum\":6,\"sumsq\":15,\"b\":[1,1,1,1,1,1]}",
	 "sumsq: 15 is impossible for these buckets (it must be within 14..14)"},
	/* Within the buckets' bounds for sumsq (3000638208001 and up), but
	 * 3 sumsq < sum² (9003444329475 < 9003444329476). */
	{"{\"v\":1,\"n\":3,\"min\":999936,\"max\":1000447,\"sum\":3000574,"
	 "\"sumsq\":3001148109825,\"b\":[11169,3]}",
	 "sumsq: 3001148109825 is below sum² / n"},
	{"{\"v\":1,\"n\":3,\"min\":1,\"max\":3,\"sum\":6,\"sumsq\":14,\"b\":\"1,1\"}",
	 "b: must be an array, got a string"},
};

START_TEST(test_json_rejects)
{
	struct lt_hist *sentinel = (struct lt_hist *)&sentinel, *out = sentinel;
	struct lt_err err = {0};
	size_t i = (size_t)_i;

	ck_assert_int_eq(hist_from_text(bad_cases[i].json, &out, &err), LT_EINVAL);
	ck_assert_msg(strncmp(lt_errmsg(&err), bad_cases[i].message,
			      strlen(bad_cases[i].message)) == 0,
		      "case %zu: %s\n  message: %s\n  wanted:  %s", i, bad_cases[i].json,
		      lt_errmsg(&err), bad_cases[i].message);
	ck_assert_ptr_eq(out, sentinel);
}
END_TEST

START_TEST(test_json_accepts)
{
	/* The edges of what is valid: other member order, unknown members,
	 * numbers as strings and small ones the other way, the last bucket,
	 * the sum and sumsq at their exact bounds. */
	static const char *const good[] = {
		"{\"b\":[],\"sumsq\":0,\"sum\":0,\"max\":0,\"min\":0,\"n\":0,\"v\":1}",
		"{\"v\":1,\"n\":\"3\",\"min\":\"1\",\"max\":3,\"sum\":6,\"sumsq\":\"14\","
		"\"b\":[1,1,1,\"1\",1,1],\"later\":{\"x\":1}}",
		"{\"v\":1,\"n\":1,\"min\":3600000000,\"max\":3600000000,\"sum\":3600000000,"
		"\"sumsq\":\"12960000000000000000\",\"b\":[23220,1]}",
		"{\"v\":1,\"n\":3,\"min\":1000000,\"max\":1000100,\"sum\":3000100,"
		"\"sumsq\":3000200010000,\"b\":[11169,3]}",
		"{\"v\":1,\"n\":3,\"min\":1000000,\"max\":1000100,\"sum\":3000200,"
		"\"sumsq\":3000400020000,\"b\":[11169,3]}",
		"{\"v\":1,\"n\":3,\"min\":999936,\"max\":1000447,\"sum\":3000574,"
		"\"sumsq\":3001148109826,\"b\":[11169,3]}",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct lt_hist *h = NULL;
		struct lt_err err = {0};
		ck_assert_msg(hist_from_text(good[i], &h, &err) == LT_OK, "%s: %s", good[i],
			      lt_errmsg(&err));
		assert_round_trip(h);
		lt_hist_free(h);
	}
	{
		struct lt_hist *h = NULL;
		struct lt_err err = {0};
		ck_assert_int_eq(lt_hist_from_json(NULL, &h, &err), LT_EINVAL);
		ck_assert_ptr_null(h);
	}
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *core = tcase_create("core"), *json = tcase_create("json"),
	      *large = tcase_create("large");

	tcase_add_test(core, test_empty);
	tcase_add_test(core, test_small_values_exact);
	tcase_add_test(core, test_min_max_ranks_exact);
	tcase_add_test(core, test_bucket_error_sweep);
	tcase_add_test(core, test_clamping);
	tcase_add_test(core, test_record_n_and_reset);
	suite_add_tcase(s, core);

	tcase_add_test(json, test_json_documented_example);
	tcase_add_test(json, test_json_round_trip);
	tcase_add_test(json, test_json_huge);
	tcase_add_loop_test(json, test_json_rejects, 0,
			    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(json, test_json_accepts);
	suite_add_tcase(s, json);

	/* 10^6 values each: well under a second here, but several times
	 * that under sanitizers, beyond Check's default 4 s. */
	tcase_set_timeout(large, 60);
	tcase_add_test(large, test_percentiles_uniform);
	tcase_add_test(large, test_percentiles_log_normal);
	tcase_add_test(large, test_percentiles_bimodal);
	tcase_add_test(large, test_mean_stddev);
	tcase_add_test(large, test_merge_equals_single);
	suite_add_tcase(s, large);
	return s;
}
