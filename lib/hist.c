/* hist.c -- HDR-style latency histogram (hist.h).
 *
 * One flat array of counters indexed by the log-linear layout of hist.h,
 * plus the exact figures a bucket cannot give back: count, min, max, the
 * sum and the sum of squares.  The indices of the lowest and highest
 * bucket in use are kept so that reset, merge, percentiles, comparison
 * and the JSON form cost the span of values seen, not the 23221 buckets:
 * a per-second histogram of a service answering in 2..50 ms spans about
 * 5,000 of them.
 */
#include "hist.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_COUNT (1u << LT_HIST_SUB_BITS)  /* sub-buckets per power of two */
#define EXACT_LIMIT (2u * SUB_COUNT)        /* values below have a bucket each */

/* The last bucket is the one of LT_HIST_MAX_US, whose highest set bit is
 * bit 31: keep LT_HIST_BUCKETS in hist.h honest. */
_Static_assert(LT_HIST_MAX_US >> 31 == 1, "LT_HIST_MAX_US has its top bit at 31");
_Static_assert(((31u - LT_HIST_SUB_BITS) << LT_HIST_SUB_BITS) +
	       (LT_HIST_MAX_US >> (31u - LT_HIST_SUB_BITS)) + 1 == LT_HIST_BUCKETS,
	       "LT_HIST_BUCKETS matches the layout");

/* Figures from 10^15 up travel as strings: cJSON prints numbers with 15
 * significant digits (and most parsers hold them as doubles); a number
 * read back must be below 2^53 to be sure it was not rounded. */
#define JSON_NUMBER_LIMIT 1000000000000000ull
#define JSON_EXACT_LIMIT 9007199254740992.0

struct lt_hist {
	uint64_t count;
	uint64_t min_us, max_us;
	uint64_t sum_us;
	/* Each square is below 2^64 (3.6e9² < 1.3e19) and there are fewer
	 * than 2^64 of them, so 128 bits hold the sum exactly, always; a
	 * long double would round from 2^64 on and make merged histograms
	 * differ from a single one in the last bits. */
	unsigned __int128 sumsq;
	uint32_t first, last;  /* lowest and highest bucket in use; count > 0 */
	uint64_t buckets[LT_HIST_BUCKETS];
};

static uint64_t clamp_value(uint64_t value_us)
{
	if (value_us < LT_HIST_MIN_US)
		return LT_HIST_MIN_US;
	if (value_us > LT_HIST_MAX_US)
		return LT_HIST_MAX_US;
	return value_us;
}

/* The bucket of v (1 .. LT_HIST_MAX_US): keep the top LT_HIST_SUB_BITS + 1
 * bits of v; below 2048 that is all of v, so shift is 0 and the index is
 * v itself. */
static uint32_t bucket_index(uint64_t v)
{
	unsigned top_bit = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = top_bit > LT_HIST_SUB_BITS ? top_bit - LT_HIST_SUB_BITS : 0;

	return (uint32_t)((shift << LT_HIST_SUB_BITS) + (v >> shift));
}

static unsigned bucket_shift(uint32_t i)
{
	return i < EXACT_LIMIT ? 0 : i / SUB_COUNT - 1;
}

static uint64_t bucket_low(uint32_t i)
{
	unsigned shift = bucket_shift(i);
	return (uint64_t)(i - (shift << LT_HIST_SUB_BITS)) << shift;
}

static uint64_t bucket_high(uint32_t i)
{
	return bucket_low(i) + (1ull << bucket_shift(i)) - 1;
}

struct lt_hist *lt_hist_new(void)
{
	return calloc(1, sizeof(struct lt_hist));
}

void lt_hist_free(struct lt_hist *h)
{
	free(h);
}

void lt_hist_reset(struct lt_hist *h)
{
	if (h->count)
		memset(&h->buckets[h->first], 0,
		       (size_t)(h->last - h->first + 1) * sizeof h->buckets[0]);
	h->count = h->min_us = h->max_us = h->sum_us = 0;
	h->sumsq = 0;
	h->first = h->last = 0;
}

void lt_hist_record_n(struct lt_hist *h, uint64_t value_us, uint64_t count)
{
	uint64_t v = clamp_value(value_us);
	uint32_t i = bucket_index(v);

	if (count == 0)
		return;
	h->buckets[i] += count;
	if (h->count == 0) {
		h->min_us = h->max_us = v;
		h->first = h->last = i;
	} else {
		if (v < h->min_us)
			h->min_us = v;
		if (v > h->max_us)
			h->max_us = v;
		if (i < h->first)
			h->first = i;
		if (i > h->last)
			h->last = i;
	}
	h->count += count;
	h->sum_us += v * count;
	h->sumsq += (unsigned __int128)(v * v) * count;
}

void lt_hist_record(struct lt_hist *h, uint64_t value_us)
{
	lt_hist_record_n(h, value_us, 1);
}

void lt_hist_merge(struct lt_hist *dst, const struct lt_hist *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = src->first; i <= src->last; i++)
		dst->buckets[i] += src->buckets[i];
	if (dst->count == 0) {
		dst->min_us = src->min_us;
		dst->max_us = src->max_us;
		dst->first = src->first;
		dst->last = src->last;
	} else {
		if (src->min_us < dst->min_us)
			dst->min_us = src->min_us;
		if (src->max_us > dst->max_us)
			dst->max_us = src->max_us;
		if (src->first < dst->first)
			dst->first = src->first;
		if (src->last > dst->last)
			dst->last = src->last;
	}
	dst->count += src->count;
	dst->sum_us += src->sum_us;
	dst->sumsq += src->sumsq;
}

uint64_t lt_hist_count(const struct lt_hist *h)
{
	return h->count;
}

uint64_t lt_hist_min(const struct lt_hist *h)
{
	return h->min_us;
}

uint64_t lt_hist_max(const struct lt_hist *h)
{
	return h->max_us;
}

uint64_t lt_hist_sum(const struct lt_hist *h)
{
	return h->sum_us;
}

double lt_hist_mean(const struct lt_hist *h)
{
	if (h->count == 0)
		return 0;
	/* long double holds any uint64 exactly, so the only roundings are
	 * the division (to 64 bits) and the final one to a double. */
	return (double)((long double)h->sum_us / (long double)h->count);
}

double lt_hist_stddev(const struct lt_hist *h)
{
	uint64_t n = h->count, q, r;
	unsigned __int128 base, spread;
	long double variance_n;

	if (n == 0)
		return 0;
	/* sumsq - sum²/n cancels catastrophically when the spread is small
	 * next to the mean (1e6 µs ± 1 loses 12 digits).  Instead, with
	 * sum = q n + r, take exactly in integers
	 *     spread = Σ (x - q)² = sumsq - q² n - 2 q r,
	 * then Σ (x - mean)² = spread - r² / n, where r² / n < n is the
	 * only part left to floating point.  No term overflows: q <= max,
	 * so q² n <= n max² < 2^128. */
	q = h->sum_us / n;
	r = h->sum_us % n;
	base = (unsigned __int128)q * q * n + (unsigned __int128)2 * q * r;
	if (h->sumsq < base)
		return 0;  /* cannot happen: from_json rejects such a sumsq */
	spread = h->sumsq - base;
	variance_n = (long double)spread - (long double)r * (long double)r / (long double)n;
	if (variance_n <= 0)
		return 0;
	return (double)sqrtl(variance_n / (long double)n);
}

/* The rank of percentile p among n values: ceil(p n / 100), at least 1,
 * with p n / 100 snapped to a nearby integer first (see hist.h): the
 * double nearest 99.9 is 99.900000000000006, and a user asking for p99.9
 * of 1000 values wants the 999th, not the 1000th. */
static uint64_t percentile_rank(double p, uint64_t n)
{
	long double x, nearest;

	if (!(p > 0))
		return 1;
	if (p >= 100)
		return n;
	x = (long double)p * (long double)n / 100.0L;
	nearest = roundl(x);
	x = fabsl(x - nearest) <= x * 1e-12L ? nearest : ceill(x);
	if (x < 1)
		return 1;
	if (x > (long double)n)
		return n;
	return (uint64_t)x;
}

uint64_t lt_hist_percentile(const struct lt_hist *h, double p)
{
	uint64_t rank, seen = 0, low, high;
	uint32_t i;

	if (h->count == 0)
		return 0;
	rank = percentile_rank(p, h->count);
	if (rank <= 1)
		return h->min_us;
	if (rank >= h->count)
		return h->max_us;
	for (i = h->first; i < h->last; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	/* The exact answer lies in the bucket and in [min, max]; the middle
	 * of that range is at most half a bucket width, 1/2048 of the
	 * bucket's lowest value, from it, where either end could be a full
	 * width off. */
	low = bucket_low(i);
	high = bucket_high(i);
	if (low < h->min_us)
		low = h->min_us;
	if (high > h->max_us)
		high = h->max_us;
	return low + (high - low) / 2;
}

bool lt_hist_equal(const struct lt_hist *a, const struct lt_hist *b)
{
	if (a->count != b->count || a->min_us != b->min_us || a->max_us != b->max_us ||
	    a->sum_us != b->sum_us || a->sumsq != b->sumsq)
		return false;
	if (a->count == 0)
		return true;
	if (a->first != b->first || a->last != b->last)
		return false;
	return memcmp(&a->buckets[a->first], &b->buckets[b->first],
		      (size_t)(a->last - a->first + 1) * sizeof a->buckets[0]) == 0;
}

/* ---- the JSON form ---- */

/* Decimal digits of v into buf (40 bytes: 2^128 has 39 digits). */
static const char *u128_format(unsigned __int128 v, char buf[40])
{
	char *p = buf + 39;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return p;
}

static cJSON *json_integer(unsigned __int128 v)
{
	char buf[40];

	if (v < JSON_NUMBER_LIMIT)
		return cJSON_CreateNumber((double)(uint64_t)v);
	return cJSON_CreateString(u128_format(v, buf));
}

/* Add item (takes) to container, under name when container is an object;
 * false, with item freed, when out of memory. */
static bool json_add(cJSON *container, const char *name, cJSON *item)
{
	bool ok;

	if (!item)
		return false;
	ok = name ? cJSON_AddItemToObject(container, name, item)
		  : cJSON_AddItemToArray(container, item);
	if (!ok)
		cJSON_Delete(item);
	return ok;
}

cJSON *lt_hist_to_json(const struct lt_hist *h)
{
	cJSON *obj = cJSON_CreateObject(), *buckets = NULL;
	uint32_t previous = 0;

	if (!obj)
		goto fail;
	if (!json_add(obj, "v", cJSON_CreateNumber(1)) ||
	    !json_add(obj, "n", json_integer(h->count)) ||
	    !json_add(obj, "min", json_integer(h->min_us)) ||
	    !json_add(obj, "max", json_integer(h->max_us)) ||
	    !json_add(obj, "sum", json_integer(h->sum_us)) ||
	    !json_add(obj, "sumsq", json_integer(h->sumsq)))
		goto fail;
	/* Added before it is filled so that obj owns it from here on. */
	buckets = cJSON_CreateArray();
	if (!json_add(obj, "b", buckets))
		goto fail;
	for (uint32_t i = h->first; h->count && i <= h->last; i++) {
		if (!h->buckets[i])
			continue;
		if (!json_add(buckets, NULL, json_integer(i - previous)) ||
		    !json_add(buckets, NULL, json_integer(h->buckets[i])))
			goto fail;
		previous = i;
	}
	return obj;
fail:
	cJSON_Delete(obj);
	return NULL;
}

static const char *json_type_name(const cJSON *item)
{
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsNull(item))
		return "null";
	return "raw JSON";
}

/* Read the integer item (either form of hist.h) at path into *out, which
 * must be at most max. */
static lt_rc json_get_integer(const cJSON *item, const char *path,
			      unsigned __int128 max, unsigned __int128 *out,
			      struct lt_err *err)
{
	char limit[40], text[40];
	unsigned __int128 v = 0;

	if (cJSON_IsNumber(item)) {
		double d = item->valuedouble;
		if (!isfinite(d) || d < 0 || d != floor(d))
			return lt_err_set(err, LT_EINVAL,
					  "%s: must be a non-negative integer, got %.17g", path, d);
		if (d >= JSON_EXACT_LIMIT)
			return lt_err_set(err, LT_EINVAL,
					  "%s: %.17g is too large for an exact JSON number: "
					  "write integers from 2^53 up as decimal strings", path, d);
		v = (uint64_t)d;
	} else if (cJSON_IsString(item) && item->valuestring) {
		const char *s = item->valuestring;
		size_t len = strlen(s);
		if (len == 0 || strspn(s, "0123456789") != len || (s[0] == '0' && len > 1))
			return lt_err_set(err, LT_EINVAL,
					  "%s: must be a decimal integer (digits only, no leading "
					  "zero), got \"%.40s\"", path, s);
		for (; *s; s++) {
			unsigned digit = (unsigned)(*s - '0');
			if (v > (max - digit) / 10)
				return lt_err_set(err, LT_EINVAL, "%s: %.45s is out of range "
						  "(at most %s)", path, item->valuestring,
						  u128_format(max, limit));
			v = v * 10 + digit;
		}
	} else {
		return lt_err_set(err, LT_EINVAL, "%s: must be an integer (a number or "
				  "a string of digits), got %s", path, json_type_name(item));
	}
	if (v > max)
		return lt_err_set(err, LT_EINVAL, "%s: %s is out of range (at most %s)",
				  path, u128_format(v, text), u128_format(max, limit));
	*out = v;
	return LT_OK;
}

/* Σ c f(v) over the buckets, for f(v) = v and v², with each bucket's
 * values taken at their lowest (low) or highest (high) possible within
 * [min, max]; then one value moved to max (or min), since when n >= 2
 * both min and max are among the values and are two of them.  These are
 * the tightest bounds the buckets, min and max allow.  Summed as the
 * buckets are read (bounds_add, then bounds_end), not by a walk over the
 * dense array: a histogram's buckets span thousands of empty ones. */
struct bounds {
	unsigned __int128 low1, high1, low2, high2;
};

/* What the JSON form says besides its buckets: a histogram is checked
 * from this and the sparse pairs alone, without its dense array. */
struct head {
	uint64_t count, min_us, max_us, sum_us;
	unsigned __int128 sumsq;
	uint32_t first, last;
};

/* Bucket i holds count values; h's min and max are set. */
static void bounds_add(struct bounds *b, const struct head *h, uint32_t i, uint64_t count)
{
	uint64_t lo = bucket_low(i), hi = bucket_high(i);

	if (lo < h->min_us)
		lo = h->min_us;
	if (hi > h->max_us)
		hi = h->max_us;
	b->low1 += (unsigned __int128)lo * count;
	b->high1 += (unsigned __int128)hi * count;
	b->low2 += (unsigned __int128)lo * lo * count;
	b->high2 += (unsigned __int128)hi * hi * count;
}

/* The correction for min and max, once every bucket was added. */
static void bounds_end(struct bounds *b, const struct head *h)
{
	uint64_t low_from, high_from;

	if (h->count < 2)
		return;
	low_from = bucket_low(h->last);
	if (low_from < h->min_us)
		low_from = h->min_us;
	high_from = bucket_high(h->first);
	if (high_from > h->max_us)
		high_from = h->max_us;
	b->low1 = b->low1 - low_from + h->max_us;
	b->high1 = b->high1 - high_from + h->min_us;
	b->low2 = b->low2 - (unsigned __int128)low_from * low_from +
		  (unsigned __int128)h->max_us * h->max_us;
	b->high2 = b->high2 - (unsigned __int128)high_from * high_from +
		   (unsigned __int128)h->min_us * h->min_us;
}

/* Check that count, min, max, sum and sumsq of h agree with its buckets
 * and with each other (the list in hist.h). */
static lt_rc check_consistent(const struct head *h, uint64_t bucket_total,
			      const struct bounds *bd, struct lt_err *err)
{
	char a[40], b[40], c[40];
	unsigned __int128 base, spread;
	uint64_t q, r;

	if (h->count != bucket_total)
		return lt_err_set(err, LT_EINVAL, "n: %" PRIu64 ", but the bucket counts "
				  "add up to %" PRIu64, h->count, bucket_total);
	if (h->count == 0) {
		const char *name = h->min_us ? "min" : h->max_us ? "max" :
				   h->sum_us ? "sum" : h->sumsq ? "sumsq" : NULL;
		if (name)
			return lt_err_set(err, LT_EINVAL, "%s: must be 0 when n is 0", name);
		return LT_OK;
	}
	if (h->max_us > LT_HIST_MAX_US)
		return lt_err_set(err, LT_EINVAL, "max: %" PRIu64 " is out of range "
				  "(at most %llu)", h->max_us, LT_HIST_MAX_US);
	if (h->min_us < bucket_low(h->first) || h->min_us > bucket_high(h->first))
		return lt_err_set(err, LT_EINVAL, "min: %" PRIu64 " is not in the first "
				  "non-empty bucket (index %" PRIu32 ": %" PRIu64 "..%" PRIu64 ")",
				  h->min_us, h->first, bucket_low(h->first), bucket_high(h->first));
	if (h->max_us < bucket_low(h->last) || h->max_us > bucket_high(h->last))
		return lt_err_set(err, LT_EINVAL, "max: %" PRIu64 " is not in the last "
				  "non-empty bucket (index %" PRIu32 ": %" PRIu64 "..%" PRIu64 ")",
				  h->max_us, h->last, bucket_low(h->last), bucket_high(h->last));
	if (h->min_us > h->max_us)
		return lt_err_set(err, LT_EINVAL, "max: %" PRIu64 " is below min %" PRIu64,
				  h->max_us, h->min_us);
	if (h->count == 1 && h->min_us != h->max_us)
		return lt_err_set(err, LT_EINVAL, "max: %" PRIu64 " differs from min %"
				  PRIu64 ", but n is 1", h->max_us, h->min_us);
	if (h->sum_us < bd->low1 || h->sum_us > bd->high1)
		return lt_err_set(err, LT_EINVAL, "sum: %" PRIu64 " is impossible for these "
				  "buckets (it must be within %s..%s)", h->sum_us,
				  u128_format(bd->low1, a), u128_format(bd->high1, b));
	if (h->sumsq < bd->low2 || h->sumsq > bd->high2)
		return lt_err_set(err, LT_EINVAL, "sumsq: %s is impossible for these "
				  "buckets (it must be within %s..%s)", u128_format(h->sumsq, c),
				  u128_format(bd->low2, a), u128_format(bd->high2, b));
	/* sumsq n >= sum² (Cauchy-Schwarz), in the exact terms of stddev: no
	 * term overflows since sum <= n max was checked above. */
	q = h->sum_us / h->count;
	r = h->sum_us % h->count;
	base = (unsigned __int128)q * q * h->count + (unsigned __int128)2 * q * r;
	spread = h->sumsq >= base ? h->sumsq - base : 0;
	if (h->sumsq < base ||
	    (spread < h->count && spread * h->count < (unsigned __int128)r * r))
		return lt_err_set(err, LT_EINVAL, "sumsq: %s is below sum² / n: no values "
				  "have this sum and this sum of squares",
				  u128_format(h->sumsq, c));
	return LT_OK;
}

/* The members of the JSON form, in the order they are checked. */
enum { M_V, M_N, M_MIN, M_MAX, M_SUM, M_SUMSQ, M_B, M_COUNT };
static const char *const member_names[M_COUNT] = {
	"v", "n", "min", "max", "sum", "sumsq", "b",
};

lt_rc lt_hist_from_json(const cJSON *json, struct lt_hist **out,
			struct lt_err *err)
{
	const cJSON *members[M_COUNT] = {0}, *item;
	unsigned __int128 figures[M_B], delta, count, index = 0, total = 0;
	struct bounds bounds = {0};
	struct head hd = {0};
	struct lt_hist *h = NULL;
	char path[32];
	size_t pos = 0;
	lt_rc rc;

	if (!cJSON_IsObject(json)) {
		rc = lt_err_set(err, LT_EINVAL, "must be a JSON object, got %s",
				json ? json_type_name(json) : "nothing");
		goto fail;
	}
	cJSON_ArrayForEach(item, json) {
		for (int m = 0; m < M_COUNT; m++) {
			if (!item->string || strcmp(item->string, member_names[m]) != 0)
				continue;
			if (members[m]) {
				rc = lt_err_set(err, LT_EINVAL, "%s: member given twice",
						member_names[m]);
				goto fail;
			}
			members[m] = item;
		}
	}
	for (int m = 0; m < M_COUNT; m++) {
		if (!members[m]) {
			rc = lt_err_set(err, LT_EINVAL, "%s: missing", member_names[m]);
			goto fail;
		}
	}
	for (int m = 0; m < M_B; m++) {
		unsigned __int128 max = m == M_SUMSQ ? ~(unsigned __int128)0 : UINT64_MAX;
		rc = json_get_integer(members[m], member_names[m], max, &figures[m], err);
		if (rc)
			goto fail;
	}
	if (figures[M_V] != 1) {
		rc = lt_err_set(err, LT_EINVAL, "v: unsupported histogram layout version "
				"%" PRIu64 " (this lt reads version 1)", (uint64_t)figures[M_V]);
		goto fail;
	}
	if (!cJSON_IsArray(members[M_B])) {
		rc = lt_err_set(err, LT_EINVAL, "b: must be an array, got %s",
				json_type_name(members[M_B]));
		goto fail;
	}
	if (cJSON_GetArraySize(members[M_B]) % 2) {
		rc = lt_err_set(err, LT_EINVAL, "b: has %d elements, but must hold pairs "
				"(index step, count)", cJSON_GetArraySize(members[M_B]));
		goto fail;
	}
	if (out && !(h = lt_hist_new())) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto fail;
	}
	hd.count = (uint64_t)figures[M_N];
	hd.min_us = (uint64_t)figures[M_MIN];
	hd.max_us = (uint64_t)figures[M_MAX];
	hd.sum_us = (uint64_t)figures[M_SUM];
	hd.sumsq = figures[M_SUMSQ];
	/* Walk the pairs with one cursor: cJSON_GetArrayItem would make
	 * this quadratic in the number of buckets. */
	for (item = members[M_B]->child; item; item = item->next->next, pos += 2) {
		snprintf(path, sizeof path, "b[%zu]", pos);
		if (cJSON_IsNumber(item) && item->valuedouble < 0) {
			rc = lt_err_set(err, LT_EINVAL, "%s: index step %.17g is negative: "
					"buckets must come by increasing index", path,
					item->valuedouble);
			goto fail;
		}
		if ((rc = json_get_integer(item, path, UINT64_MAX, &delta, err)))
			goto fail;
		if (pos > 0 && delta == 0) {
			rc = lt_err_set(err, LT_EINVAL, "%s: index step 0 repeats bucket %"
					PRIu64 ": each bucket must appear once", path,
					(uint64_t)index);
			goto fail;
		}
		index += delta;
		if (index < 1 || index >= LT_HIST_BUCKETS) {
			char text[40];
			rc = lt_err_set(err, LT_EINVAL, "%s: bucket index %s out of range "
					"1..%u", path, u128_format(index, text),
					LT_HIST_BUCKETS - 1);
			goto fail;
		}
		snprintf(path, sizeof path, "b[%zu]", pos + 1);
		if ((rc = json_get_integer(item->next, path, UINT64_MAX, &count, err)))
			goto fail;
		if (count == 0) {
			rc = lt_err_set(err, LT_EINVAL, "%s: bucket count must be at least 1 "
					"(empty buckets are left out)", path);
			goto fail;
		}
		total += count;
		if (total > UINT64_MAX) {
			rc = lt_err_set(err, LT_EINVAL, "%s: the bucket counts add up to more "
					"than 2^64 - 1", path);
			goto fail;
		}
		if (h)
			h->buckets[index] = (uint64_t)count;
		bounds_add(&bounds, &hd, (uint32_t)index, (uint64_t)count);
		if (pos == 0)
			hd.first = (uint32_t)index;
		hd.last = (uint32_t)index;
	}
	bounds_end(&bounds, &hd);
	if ((rc = check_consistent(&hd, (uint64_t)total, &bounds, err)))
		goto fail;
	if (out) {
		h->count = hd.count;
		h->min_us = hd.min_us;
		h->max_us = hd.max_us;
		h->sum_us = hd.sum_us;
		h->sumsq = hd.sumsq;
		h->first = hd.first;
		h->last = hd.last;
		*out = h;
	}
	return LT_OK;
fail:
	lt_hist_free(h);
	return rc;
}
