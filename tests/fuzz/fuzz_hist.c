/* fuzz_hist.c -- lt_hist_from_json on any JSON value.
 *
 * Promises checked when the value parses as a histogram (hist.h):
 *   - lt_hist_to_json of it, as a value and printed and parsed again,
 *     reads back as an equal histogram (lt_hist_equal);
 *   - its figures agree: min <= every percentile <= max, percentiles do
 *     not decrease with p, p 0 is min and p 100 is max, the mean lies in
 *     [min, max], all 0 when empty;
 *   - merging it into itself doubles the count and keeps min and max.
 */
#include "fuzz.h"

#include "hist.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void hist_check_figures(const struct lt_hist *h)
{
	static const double ps[] = {0, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
	uint64_t count = lt_hist_count(h), min = lt_hist_min(h), max = lt_hist_max(h);
	uint64_t last = 0;
	double mean = lt_hist_mean(h);
	size_t i;

	if (count == 0) {
		if (min || max || lt_hist_sum(h) || lt_hist_percentile(h, 50))
			fuzz_fail("an empty histogram has figures");
		return;
	}
	if (min > max)
		fuzz_fail("min %llu, max %llu", (unsigned long long)min, (unsigned long long)max);
	/* mean is a double from an exact sum: allow its rounding. */
	if (mean < (double)min * (1 - 1e-9) || mean > (double)max * (1 + 1e-9))
		fuzz_fail("mean %g outside [%llu, %llu]", mean, (unsigned long long)min,
			  (unsigned long long)max);
	if (!(lt_hist_stddev(h) >= 0))
		fuzz_fail("stddev %g", lt_hist_stddev(h));
	for (i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		uint64_t v = lt_hist_percentile(h, ps[i]);
		if (v < min || v > max || v < last)
			fuzz_fail("p%g = %llu (min %llu, max %llu, previous %llu)", ps[i],
				  (unsigned long long)v, (unsigned long long)min,
				  (unsigned long long)max, (unsigned long long)last);
		last = v;
	}
	if (lt_hist_percentile(h, 0) != min || lt_hist_percentile(h, 100) != max)
		fuzz_fail("p0 or p100 is not min or max");
}

static void hist_check_round_trip(const struct lt_hist *h)
{
	struct lt_err err = {0};
	struct lt_hist *back = NULL, *back2 = NULL;
	cJSON *json = lt_hist_to_json(h), *reparsed = NULL;
	char *text = NULL;

	if (!json)
		return;
	if (lt_hist_from_json(json, &back, &err) != LT_OK)
		fuzz_fail("lt_hist_to_json output does not parse: %s", lt_errmsg(&err));
	if (!lt_hist_equal(h, back))
		fuzz_fail("lt_hist_to_json round trip differs");
	if ((text = cJSON_PrintUnformatted(json)) && (reparsed = cJSON_Parse(text))) {
		if (lt_hist_from_json(reparsed, &back2, &err) != LT_OK)
			fuzz_fail("printed lt_hist_to_json output does not parse: %s: %s",
				  lt_errmsg(&err), text);
		if (!lt_hist_equal(h, back2))
			fuzz_fail("printed lt_hist_to_json round trip differs: %s", text);
	}
	lt_hist_free(back);
	lt_hist_free(back2);
	cJSON_Delete(reparsed);
	free(text);
	cJSON_Delete(json);
}

static void hist_check_merge(const struct lt_hist *h)
{
	struct lt_hist *twice = lt_hist_new();
	uint64_t count = lt_hist_count(h);

	if (!twice)
		return;
	lt_hist_merge(twice, h);
	if (!lt_hist_equal(twice, h))
		fuzz_fail("a histogram merged into an empty one differs from it");
	/* Counts past 2^63 would wrap: the merge of a huge count is the
	 * parser's business (it bounds counts), not this check's. */
	if (count < UINT64_MAX / 2) {
		lt_hist_merge(twice, twice);
		if (lt_hist_count(twice) != 2 * count || lt_hist_min(twice) != lt_hist_min(h) ||
		    lt_hist_max(twice) != lt_hist_max(h))
			fuzz_fail("merging a histogram into itself did not double it");
	}
	lt_hist_free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *json = cJSON_ParseWithLength((const char *)data, size);
	struct lt_hist *h = NULL;
	struct lt_err err = {0};

	if (!json)
		return 0;
	/* Checking alone (no histogram made) must agree. */
	lt_rc only = lt_hist_from_json(json, NULL, &err);
	if (lt_hist_from_json(json, &h, &err) != only)
		fuzz_fail("lt_hist_from_json: checking alone gave %d, reading %d", only,
			  h ? LT_OK : err.rc);
	if (!h) {
		cJSON_Delete(json);
		return 0;
	}
	hist_check_figures(h);
	hist_check_round_trip(h);
	hist_check_merge(h);
	lt_hist_free(h);
	cJSON_Delete(json);
	return 0;
}
