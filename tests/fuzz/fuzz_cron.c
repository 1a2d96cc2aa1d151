/* fuzz_cron.c -- cron expressions and --from times on any bytes.
 *
 * The input, cut at its first NUL, goes to lt_cron_parse and to
 * lt_cron_parse_time.  Promises checked (cron.h):
 *   - field sets hold only values in the field's range, and every field
 *     selects at least one value;
 *   - lt_cron_describe's text parses back to the same sets and star flags;
 *   - lt_cron_next from a few start times (1970, two daylight-saving
 *     changes, the edges of years 1 and 9999) in one of a few zones
 *     (picked by the input, so the corpus covers each) answers LT_OK,
 *     LT_ENOTFOUND or, at the edges, LT_EINVAL; an answer is later than
 *     the start, on a minute (after 1970, when offsets are whole
 *     minutes), matches (lt_cron_matches), and the next one after it is
 *     later still;
 *   - a parsed time formats and parses back to itself.
 */
#include "fuzz.h"

#include "cron.h"

#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UTC; a zone with the usual one-hour changes; one with a half-hour
 * change (Lord Howe Island) */
static const char *const cron_zones[] = {"UTC", "America/New_York", "Australia/Lord_Howe"};

static const struct {
	time_t t;
	int edge;  /* LT_EINVAL allowed: the start is at the edge of the calendar */
} cron_starts[] = {
	{0, 0},                    /* 1970-01-01T00:00:00Z */
	{1774745999, 0},           /* 2026-03-29T00:59:59Z, Europe springs forward */
	{1699160399, 0},           /* 2023-11-05T04:59:59Z, New York falls back */
	{253402297199, 1},         /* 9999-12-31T23:00:00Z - 1 */
	{-62135596740, 1},         /* 0001-01-01T00:01:00Z */
};

static const uint64_t cron_ranges[5][2] = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}};

static void cron_check_fields(const struct lt_cron *c)
{
	int f;

	for (f = 0; f < 5; f++) {
		uint64_t set = lt_cron_field_set(c, (lt_cron_field)f);
		uint64_t lo = cron_ranges[f][0], hi = cron_ranges[f][1];
		uint64_t allowed = ((1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);

		if (!set || (set & ~allowed))
			fuzz_fail("\"%s\": field %d set %#llx outside %llu-%llu", lt_cron_text(c), f,
				  (unsigned long long)set, (unsigned long long)lo, (unsigned long long)hi);
	}
}

static void cron_check_describe(const struct lt_cron *c)
{
	char text[LT_CRON_DESCRIBE_LEN];
	struct lt_cron *again = NULL;
	struct lt_err err = {0};
	size_t len = lt_cron_describe(c, text, sizeof text);
	int f;

	if (len >= sizeof text)
		fuzz_fail("\"%s\": lt_cron_describe needs %zu bytes", lt_cron_text(c), len);
	if (lt_cron_parse(text, &again, &err) != LT_OK)
		fuzz_fail("\"%s\": its description \"%s\" does not parse: %s", lt_cron_text(c), text,
			  lt_errmsg(&err));
	for (f = 0; f < 5; f++)
		if (lt_cron_field_set(c, (lt_cron_field)f) != lt_cron_field_set(again, (lt_cron_field)f) ||
		    lt_cron_field_star(c, (lt_cron_field)f) != lt_cron_field_star(again, (lt_cron_field)f))
			fuzz_fail("\"%s\": its description \"%s\" differs in field %d", lt_cron_text(c),
				  text, f);
	lt_cron_free(again);
}

static void cron_check_next(const struct lt_cron *c, const char *tz)
{
	size_t i;

	for (i = 0; i < sizeof cron_starts / sizeof cron_starts[0]; i++) {
		time_t after = cron_starts[i].t, next = -1, next2 = -1;
		struct lt_err err = {0};
		lt_rc rc = lt_cron_next(c, tz, after, &next, &err);

		if (rc == LT_ENOTFOUND || (rc == LT_EINVAL && cron_starts[i].edge))
			continue;
		if (rc != LT_OK)
			fuzz_fail("\"%s\" in %s after %lld: rc %d: %s", lt_cron_text(c), tz,
				  (long long)after, rc, lt_errmsg(&err));
		if (next <= after || (after >= 0 && next % 60 != 0))
			fuzz_fail("\"%s\" in %s after %lld: next %lld", lt_cron_text(c), tz,
				  (long long)after, (long long)next);
		/* Not at the edges of the calendar, where lt_cron_matches
		 * disagrees with lt_cron_next (known, reported, harmless):
		 * it takes the minute of t in UTC, which is not the
		 * wall-clock minute under the local mean time offsets zones
		 * had before standard time (America/New_York -4:56:02 until
		 * 1883), and it refuses a t past 9999-12-31T23:59:59Z, which
		 * lt_cron_next gives for the last minutes of 9999 in zones
		 * west of UTC. */
		if (!cron_starts[i].edge && !lt_cron_matches(c, tz, next))
			fuzz_fail("\"%s\" in %s: next %lld does not match", lt_cron_text(c), tz,
				  (long long)next);
		rc = lt_cron_next(c, tz, next, &next2, &err);
		if (rc == LT_OK && next2 <= next)
			fuzz_fail("\"%s\" in %s after %lld: next %lld", lt_cron_text(c), tz,
				  (long long)next, (long long)next2);
		if (rc != LT_OK && rc != LT_ENOTFOUND && !(rc == LT_EINVAL && cron_starts[i].edge))
			fuzz_fail("\"%s\" in %s after %lld: rc %d: %s", lt_cron_text(c), tz,
				  (long long)next, rc, lt_errmsg(&err));
	}
}

static void cron_check_time(const char *s, const char *tz)
{
	char buf[LT_CRON_TIME_LEN];
	struct lt_err err = {0};
	time_t t = 12345, back = 0;

	if (lt_cron_parse_time(s, tz, &t, &err) != LT_OK) {
		if (t != 12345)
			fuzz_fail("a failed lt_cron_parse_time of \"%s\" changed *t", s);
		return;
	}
	if (lt_cron_format_time(t, tz, buf, &err) != LT_OK)
		return;  /* a time past the years the formatter knows */
	if (lt_cron_parse_time(buf, tz, &back, &err) != LT_OK)
		fuzz_fail("\"%s\" in %s formats as \"%s\", which does not parse: %s", s, tz, buf,
			  lt_errmsg(&err));
	/* The formatter drops the seconds of historical offsets (+00:19:32):
	 * the time read back may differ by those. */
	if (back - t > 59 || t - back > 59)
		fuzz_fail("\"%s\" in %s: %lld formats as \"%s\", read back as %lld", s, tz,
			  (long long)t, buf, (long long)back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lt_cron *c = NULL;
	struct lt_err err = {0};
	char *s = fuzz_cstr(data, size);
	unsigned sum = 0;
	size_t i;
	const char *tz;

	if (!s)
		return 0;
	for (i = 0; i < size; i++)
		sum += data[i];
	tz = cron_zones[sum % (sizeof cron_zones / sizeof cron_zones[0])];
	if (lt_cron_parse(s, &c, &err) == LT_OK) {
		cron_check_fields(c);
		cron_check_describe(c);
		cron_check_next(c, tz);
		lt_cron_free(c);
	} else if (c) {
		fuzz_fail("a failed lt_cron_parse set *out");
	}
	cron_check_time(s, tz);
	free(s);
	return 0;
}
