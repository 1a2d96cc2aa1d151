/* hist.h -- HDR-style latency histogram.
 *
 * Latencies go into a histogram, never into a list of samples: recording
 * is O(1) with no allocation, memory is fixed whatever the number of
 * requests, and two histograms merge exactly, so the shards of one run
 * (threads, seconds, machines) combine into the same figures as if one
 * histogram had seen every request.
 *
 * Values are integers in microseconds from 1 µs to 1 h (3.6e9 µs); values
 * outside are clamped to that range (and counted).  Buckets are
 * log-linear: each power of two is split into equal sub-buckets, enough
 * that any value is represented within 0.1 % relative error.  min, max,
 * the count and the sum are kept exactly; mean is exact, stddev is exact
 * up to floating point.
 *
 * Not thread-safe: one histogram per thread, merged when read.
 */
#ifndef LT_HIST_H
#define LT_HIST_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define LT_HIST_MIN_US 1ull
#define LT_HIST_MAX_US 3600000000ull

struct lt_hist;

/* An empty histogram; new (lt_hist_free), NULL when out of memory. */
struct lt_hist *lt_hist_new(void);

/* Free h; lt_hist_free(NULL) is a no-op. */
void lt_hist_free(struct lt_hist *h);

/* Forget every value recorded; h stays usable. */
void lt_hist_reset(struct lt_hist *h);

/* Record one value (µs), or count equal values.  O(1), cannot fail. */
void lt_hist_record(struct lt_hist *h, uint64_t value_us);
void lt_hist_record_n(struct lt_hist *h, uint64_t value_us, uint64_t count);

/* Add every value of src to dst, exactly; src unchanged. */
void lt_hist_merge(struct lt_hist *dst, const struct lt_hist *src);

/* Figures, all in µs.  On an empty histogram every figure is 0. */
uint64_t lt_hist_count(const struct lt_hist *h);
uint64_t lt_hist_min(const struct lt_hist *h);
uint64_t lt_hist_max(const struct lt_hist *h);
double lt_hist_mean(const struct lt_hist *h);
double lt_hist_stddev(const struct lt_hist *h);

/* The value at percentile p (0..100): the smallest recorded value v such
 * that at least p % of the values are <= v, to within 0.1 %; p = 0 gives
 * min, p = 100 gives max. */
uint64_t lt_hist_percentile(const struct lt_hist *h, double p);

/* True when a and b hold the same values (same buckets, count, min, max,
 * sum). */
bool lt_hist_equal(const struct lt_hist *a, const struct lt_hist *b);

/* The compact sparse JSON form (documented in lt-ndjson(5)): only the
 * non-empty buckets are written.  new cJSON (caller deletes), NULL when
 * out of memory.  lt_hist_from_json(lt_hist_to_json(h)) equals h. */
cJSON *lt_hist_to_json(const struct lt_hist *h);

/* Parse the sparse form.  *out is new on success, unchanged on failure;
 * err names what is wrong, relative to the object ("counts[3]: ..."). */
lt_rc lt_hist_from_json(const cJSON *json, struct lt_hist **out,
			struct lt_err *err);

#endif
