/* hist.h -- HDR-style latency histogram.
 *
 * Latencies go into a histogram, never into a list of samples: recording
 * is O(1) with no allocation, memory is fixed whatever the number of
 * requests, and two histograms merge exactly, so the shards of one run
 * (threads, seconds, machines) combine into the same figures as if one
 * histogram had seen every request.
 *
 * Values are integers in microseconds from 1 µs to 1 h (3.6e9 µs); a value
 * outside is clamped to that range and then counted like any other (0
 * counts as 1 µs, anything above an hour as exactly one hour).  min, max,
 * the count and the sum are kept exactly; mean is exact up to the
 * rounding of a double, and stddev is computed from an exact sum of
 * squares.  Not a goal: values below 1 µs, negative values, decaying or
 * sliding windows (reset or merge per second instead).
 *
 * Bucket layout (log-linear, as HdrHistogram with 3 significant digits).
 * Values 1 .. 2047 each have a bucket of their own, so they are exact.
 * From 2048 up, every power of two [2^k, 2^(k+1)) is split into 1024
 * equal sub-buckets of width 2^(k-10).  A bucket's width is thus at most
 * 1/1024 of its lowest value: reporting any value of a bucket for any
 * other is off by less than 0.098 %, and the representative this module
 * reports (the bucket's middle) by at most 1/2048 = 0.049 %.  1024
 * sub-buckets meet the 0.1 % bound with a factor two to spare; 2048
 * would double memory and the size of the JSON form for precision
 * nobody asked for.
 *
 * Bucket index i (0 .. LT_HIST_BUCKETS - 1) covers the values
 *     i                                  when i < 2048,
 *     [m << s, ((m + 1) << s) - 1]       otherwise, where s = i / 1024 - 1
 *                                        and m = i - 1024 s (1024 .. 2047),
 * and a value v >= 2048 with highest set bit k goes to bucket
 * 1024 (k - 10) + (v >> (k - 10)).  Index 0 is never used (values start
 * at 1); the last, 23220, holds 3598712832 .. 3600000000.
 *
 * Memory: one flat array of LT_HIST_BUCKETS uint64 counters (185,768
 * bytes) and 56 bytes of figures, 185,824 bytes (181.5 KiB) per histogram
 * on x86-64, allocated once by lt_hist_new().  Reset, merge, percentiles and the JSON form
 * touch only the span between the lowest and the highest bucket in use.
 *
 * Limits: the count and the sum are uint64 and are exact as long as they
 * stay below 2^64 (a sum of 1.8e19 µs is 584,000 years of latency; that
 * many requests is not a load test), the sum of squares is an unsigned
 * __int128 and cannot overflow before the count does.
 *
 * Not thread-safe: one histogram per thread, merged when read.
 *
 * JSON form ("hist" in the sample and summary records of lt-ndjson(5))
 *
 *     {"v":1,"n":5,"min":180,"max":40000,"sum":43460,"sumsq":1605589800,
 *      "b":[180,2,770,1,1149,1,4271,1]}
 *
 * is one object with these seven members, in any order:
 *
 *     v      the layout version, 1: the bucket layout described above.  A
 *            reader rejects any other version rather than misread buckets.
 *     n      the number of values recorded (the total of the bucket counts)
 *     min    the smallest value recorded, µs (0 when n is 0)
 *     max    the largest value recorded, µs (0 when n is 0)
 *     sum    the sum of the values, µs
 *     sumsq  the sum of the squares of the values, µs² (what stddev needs)
 *     b      the non-empty buckets, by increasing index, as one flat array
 *            of pairs d0, c0, d1, c1, ...: c is the bucket's count (>= 1),
 *            d the bucket's index minus the index of the pair before it (for
 *            the first pair, the index itself), so every d is >= 1.  In the
 *            example: 2 values in bucket 180, 1 each in buckets 950, 2099
 *            and 6370.  An empty histogram has "b":[].
 *
 * Integers: every figure is a non-negative integer (n, min, max, sum and
 * each count below 2^64, sumsq below 2^128).  A writer puts one below
 * 10^15 as a JSON number and one of 10^15 or more as a string of decimal
 * digits, e.g. "sum":"18446744073709551615": most JSON parsers (cJSON, jq,
 * JavaScript) hold numbers as doubles, exact only below 2^53, and cJSON
 * prints no more than 15 significant digits.  A reader accepts either
 * form for any figure: a number must be an integer below 2^53 (larger
 * ones may have been rounded on the way), a string only the digits 0-9
 * with no sign and no leading zero.
 *
 * A reader rejects, naming the member: a missing member or one given
 * twice; a version other than 1; a figure of the wrong type, negative,
 * fractional or out of range; an odd number of elements in b; a bucket
 * index (the running total of the d's) outside 1 .. 23220 or not above
 * the one before; a count of 0; counts whose total is not n or passes
 * 2^64; min outside the first non-empty bucket, max outside the last, or
 * min > max, or min != max when n is 1; for n = 0, any figure other than
 * 0; a sum or a sumsq outside the range that values in these buckets,
 * with this min and max, allow; a sumsq below sum² / n (no values have
 * such a pair).  Members it does not know are ignored, so that later
 * writers may add some; a change of meaning takes a new version.
 */
#ifndef LT_HIST_H
#define LT_HIST_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define LT_HIST_MIN_US 1ull
#define LT_HIST_MAX_US 3600000000ull

/* The layout above: 2^LT_HIST_SUB_BITS sub-buckets per power of two, and
 * the number of buckets (the bucket of LT_HIST_MAX_US, plus one). */
#define LT_HIST_SUB_BITS 10
#define LT_HIST_BUCKETS 23221

struct lt_hist;

/* An empty histogram; new (lt_hist_free), NULL when out of memory. */
struct lt_hist *lt_hist_new(void);

/* Free h; lt_hist_free(NULL) is a no-op. */
void lt_hist_free(struct lt_hist *h);

/* Forget every value recorded; h stays usable.  O(buckets in use), so a
 * per-second histogram is cheap to reset. */
void lt_hist_reset(struct lt_hist *h);

/* Record one value (µs), or count equal values (count 0 records nothing).
 * Values outside 1 µs .. 1 h are clamped into it.  O(1), cannot fail. */
void lt_hist_record(struct lt_hist *h, uint64_t value_us);
void lt_hist_record_n(struct lt_hist *h, uint64_t value_us, uint64_t count);

/* Add every value of src to dst, exactly; src unchanged (src may be dst:
 * every count doubles).  O(buckets in use in src), cannot fail. */
void lt_hist_merge(struct lt_hist *dst, const struct lt_hist *src);

/* Figures, all in µs.  On an empty histogram every figure is 0.
 * lt_hist_sum is exact; lt_hist_mean is sum / count rounded to a double;
 * lt_hist_stddev is the population standard deviation (divided by the
 * count, as HdrHistogram and wrk report it), from the exact sum of
 * squares with no cancellation: see hist.c. */
uint64_t lt_hist_count(const struct lt_hist *h);
uint64_t lt_hist_min(const struct lt_hist *h);
uint64_t lt_hist_max(const struct lt_hist *h);
uint64_t lt_hist_sum(const struct lt_hist *h);
double lt_hist_mean(const struct lt_hist *h);
double lt_hist_stddev(const struct lt_hist *h);

/* The value at percentile p (0..100): the smallest recorded value v such
 * that at least p % of the values are <= v (the rank ceil(p n / 100),
 * at least 1), to within 0.1 % (in fact 1/2048 = 0.049 %: the answer
 * is the middle of the part of v's bucket that lies within [min, max]);
 * the first rank (p = 0) gives min and the last (p = 100) max, exactly.  p is read as the decimal it was written as: when p n / 100 is
 * within 1e-12 (relative) of an integer it is taken as that integer, so
 * p 99.9 of 1000 values is the 999th, although the double nearest 99.9 is
 * a little above it.  p below 0 (or NaN) counts as 0, above 100 as 100.
 * O(buckets in use); 0 on an empty histogram. */
uint64_t lt_hist_percentile(const struct lt_hist *h, double p);

/* True when a and b hold the same values as far as a histogram can tell:
 * same buckets, count, min, max, sum and sum of squares. */
bool lt_hist_equal(const struct lt_hist *a, const struct lt_hist *b);

/* The compact sparse JSON form above: only the non-empty buckets are
 * written.  new cJSON (caller deletes), NULL when out of memory.
 * lt_hist_from_json(lt_hist_to_json(h)) equals h, also after the JSON is
 * printed and parsed again. */
cJSON *lt_hist_to_json(const struct lt_hist *h);

/* Parse and validate the JSON form above.  *out is new on success,
 * unchanged on failure; LT_EINVAL with err naming the member relative to
 * the object ("b[6]: bucket index 70000 out of range 1..23220"), or
 * LT_ENOMEM.  json is borrowed; NULL is LT_EINVAL.  out NULL: only check
 * it, with no allocation (readers of NDJSON check every sample's). */
lt_rc lt_hist_from_json(const cJSON *json, struct lt_hist **out,
			struct lt_err *err);

#endif
