/* check_cron.c -- cron expressions and fire times (lib/cron.c).
 *
 * The centre of this suite is a reference that shares nothing with the
 * library's search: a minute-by-minute simulation of cronie's daemon loop
 * (cron.c: wake every minute, compute clockTime from the zone's UTC
 * offset, classify the jump against virtualTime, run wildcard and
 * fixed-time jobs as find_jobs() would).  It reads the zone's offsets
 * through the C library one minute at a time, breaks wall-clock minutes
 * down with gmtime_r() (as cronie does with its virtual seconds) and
 * matches them with its own field evaluator; from the library it borrows
 * only the parsed field sets.  For every expression of exprs[] and five
 * zones, the fire times of lt_cron_next() chained from many start points
 * must equal the simulation's over 2026 and its DST changes.
 */
#include "unit.h"
#include "cron.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

static time_t at(const char *rfc3339)
{
	time_t t = 0;
	struct lt_err err = {0};
	ck_assert_msg(lt_cron_parse_time(rfc3339, NULL, &t, &err) == LT_OK, "%s: %s",
		      rfc3339, lt_errmsg(&err));
	return t;
}

static struct lt_cron *parse_ok(const char *expr)
{
	struct lt_cron *c = NULL;
	struct lt_err err = {0};
	ck_assert_msg(lt_cron_parse(expr, &c, &err) == LT_OK, "%s: %s", expr, lt_errmsg(&err));
	return c;
}

static const char *show(time_t t, const char *tz, char buf[LT_CRON_TIME_LEN])
{
	struct lt_err err = {0};
	if (lt_cron_format_time(t, tz, buf, &err) != LT_OK)
		snprintf(buf, LT_CRON_TIME_LEN, "(%lld)", (long long)t);
	return buf;
}

static uint64_t bits(const int *v, int n)
{
	uint64_t s = 0;
	for (int i = 0; i < n; i++)
		s |= UINT64_C(1) << v[i];
	return s;
}

static uint64_t span(int lo, int hi)
{
	uint64_t s = 0;
	for (int v = lo; v <= hi; v++)
		s |= UINT64_C(1) << v;
	return s;
}

#define SET(...) bits((const int[]){__VA_ARGS__}, \
		      (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)))

/* ---- parsing ----------------------------------------------------------- */

START_TEST(test_parse_sets)
{
	struct lt_cron *c = parse_ok("*/15 9-17/4 1,15,31 JAN,Mar-may mon-fri");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MINUTE), SET(0, 15, 30, 45));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_HOUR), SET(9, 13, 17));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOM), SET(1, 15, 31));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MONTH), SET(1, 3, 4, 5));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(1, 2, 3, 4, 5));
	ck_assert(lt_cron_field_star(c, LT_CRON_MINUTE));
	ck_assert(!lt_cron_field_star(c, LT_CRON_HOUR));
	ck_assert(!lt_cron_field_star(c, LT_CRON_DOW));
	ck_assert_str_eq(lt_cron_text(c), "*/15 9-17/4 1,15,31 JAN,Mar-may mon-fri");
	lt_cron_free(c);

	/* N/S runs to the field's maximum; 7 and 0 are both Sunday. */
	c = parse_ok("7/15 2/6 */10 jan-dec/5 1/3");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MINUTE), SET(7, 22, 37, 52));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_HOUR), SET(2, 8, 14, 20));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOM), SET(1, 11, 21, 31));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MONTH), SET(1, 6, 11));
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(1, 4, 0));
	ck_assert(lt_cron_field_star(c, LT_CRON_DOM));
	lt_cron_free(c);

	c = parse_ok("0 0 * * 7");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(0));
	lt_cron_free(c);
	c = parse_ok("0 0 * * 5-7");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(5, 6, 0));
	lt_cron_free(c);
	c = parse_ok("0 0 * * sat-sun");       /* cronie 1.7: runs to 7 */
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(6, 0));
	lt_cron_free(c);
	c = parse_ok("0 0 * * 5-0");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(5, 6, 0));
	lt_cron_free(c);
	c = parse_ok("0 0 * * */2");           /* 0..7 step 2: Sun Tue Thu Sat */
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_DOW), SET(0, 2, 4, 6));
	ck_assert(lt_cron_field_star(c, LT_CRON_DOW));
	lt_cron_free(c);
	c = parse_ok("0-59 2 * * *");          /* every minute, yet not star */
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MINUTE), span(0, 59));
	ck_assert(!lt_cron_field_star(c, LT_CRON_MINUTE));
	lt_cron_free(c);
	c = parse_ok("*/59 * * * *");          /* the largest step that fits */
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_MINUTE), SET(0, 59));
	lt_cron_free(c);
	c = parse_ok("  \t0\t0  * * *\n");
	ck_assert_uint_eq(lt_cron_field_set(c, LT_CRON_HOUR), SET(0));
	lt_cron_free(c);
}
END_TEST

START_TEST(test_parse_shorthands)
{
	static const struct { const char *name, *same; } cases[] = {
		{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
		{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
		{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
		{ "@hourly", "0 * * * *" }, { "@Daily", "0 0 * * *" },
		{ " @hourly ", "0 * * * *" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lt_cron *a = parse_ok(cases[i].name), *b = parse_ok(cases[i].same);
		for (int f = 0; f < 5; f++) {
			ck_assert_uint_eq(lt_cron_field_set(a, f), lt_cron_field_set(b, f));
			ck_assert_int_eq(lt_cron_field_star(a, f), lt_cron_field_star(b, f));
		}
		lt_cron_free(a);
		lt_cron_free(b);
	}
}
END_TEST

START_TEST(test_parse_errors)
{
	static const struct { const char *expr, *msg; } cases[] = {
		{ "0 25 * * *", "cron: \"0 25 * * *\": hour: 25 is out of range 0-23" },
		{ "*/0 * * * *", "cron: \"*/0 * * * *\": minute: step must be >= 1" },
		{ "0 0 * *", "cron: \"0 0 * *\": expected 5 fields (minute hour day-of-month month day-of-week), got 4" },
		{ "0 0 * * * /bin/true", "cron: \"0 0 * * * /bin/true\": expected 5 fields (minute hour day-of-month month day-of-week), got 6" },
		{ "", "cron: \"\": empty expression" },
		{ " \t ", "cron: \" \t \": empty expression" },
		{ "60 * * * *", "cron: \"60 * * * *\": minute: 60 is out of range 0-59" },
		{ "0 0 0 * *", "cron: \"0 0 0 * *\": day-of-month: 0 is out of range 1-31" },
		{ "0 0 32 * *", "cron: \"0 0 32 * *\": day-of-month: 32 is out of range 1-31" },
		{ "0 0 * 13 *", "cron: \"0 0 * 13 *\": month: 13 is out of range 1-12" },
		{ "0 0 * * 8", "cron: \"0 0 * * 8\": day-of-week: 8 is out of range 0-7" },
		{ "0 0 1-99999999999 * *", "cron: \"0 0 1-99999999999 * *\": day-of-month: 99999999999 is out of range 1-31" },
		{ "0 0 * foo *", "cron: \"0 0 * foo *\": month: unknown name \"foo\" (use jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov or dec)" },
		{ "0 0 * * moon", "cron: \"0 0 * * moon\": day-of-week: unknown name \"moon\" (use sun, mon, tue, wed, thu, fri or sat)" },
		{ "0 0 * * monday", "cron: \"0 0 * * monday\": day-of-week: unknown name \"monday\" (use sun, mon, tue, wed, thu, fri or sat)" },
		{ "x * * * *", "cron: \"x * * * *\": minute: \"x\" is not a number" },
		{ "5x * * * *", "cron: \"5x * * * *\": minute: \"5x\" is not a number" },
		{ "0 0 * 1x *", "cron: \"0 0 * 1x *\": month: \"1x\" is not a number" },
		{ "0 22-2 * * *", "cron: \"0 22-2 * * *\": hour: range 22-2 is reversed (cron ranges do not wrap: write 22-23,0-2)" },
		{ "0 0 * * fri-mon", "cron: \"0 0 * * fri-mon\": day-of-week: range fri-mon is reversed (cron ranges do not wrap: write 5-7,0-1)" },
		{ "*/90 * * * *", "cron: \"*/90 * * * *\": minute: step 90 is too large for 0-59 (only 0 would match)" },
		{ "5/60 * * * *", "cron: \"5/60 * * * *\": minute: step 60 is too large for 5-59 (only 5 would match)" },
		{ "0 0 * * */8", "cron: \"0 0 * * */8\": day-of-week: step 8 is too large for 0-7 (only 0 would match)" },
		{ "1,,2 * * * *", "cron: \"1,,2 * * * *\": minute: empty item in list" },
		{ "0 1, * * *", "cron: \"0 1, * * *\": hour: empty item in list" },
		{ "0~30 * * * *", "cron: \"0~30 * * * *\": minute: unexpected \"~\" in \"0~30\" (cronie's random ranges are not supported)" },
		{ "0 0 ? * *", "cron: \"0 0 ? * *\": day-of-month: unexpected \"?\" in \"?\" (Quartz syntax, not cron)" },
		{ "*/ * * * *", "cron: \"*/ * * * *\": minute: missing step after \"/\" in \"*/\"" },
		{ "*/x * * * *", "cron: \"*/x * * * *\": minute: step \"x\" is not a number" },
		{ "*/1-5 * * * *", "cron: \"*/1-5 * * * *\": minute: unexpected \"-\" in \"*/1-5\"" },
		{ "1- * * * *", "cron: \"1- * * * *\": minute: missing value at the end of \"1-\"" },
		{ "-1 * * * *", "cron: \"-1 * * * *\": minute: unexpected \"-\" in \"-1\"" },
		{ "*5 * * * *", "cron: \"*5 * * * *\": minute: unexpected \"5\" after \"*\" in \"*5\"" },
		{ "@reboot", "cron: \"@reboot\": @reboot is not a time (it means once at boot); use a time such as @daily or \"0 6 * * *\"" },
		{ "@fortnightly", "cron: \"@fortnightly\": unknown shorthand \"@fortnightly\" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)" },
		{ "@", "cron: \"@\": unknown shorthand \"@\" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)" },
		{ "@daily /bin/true", "cron: \"@daily /bin/true\": unexpected \"/bin/true\" after @daily" },
		{ "0\x01 * * * *", "cron: \"0\x01 * * * *\": control character 0x01 in the expression" },
		{ "\xef\xbc\x90 * * * *", "cron: \"\xef\xbc\x90 * * * *\": minute: unexpected byte 0xef in \"\xef\xbc\x90\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lt_cron *c = (struct lt_cron *)&c;   /* must stay untouched */
		struct lt_cron *before = c;
		struct lt_err err = {0};
		ck_assert_int_eq(lt_cron_parse(cases[i].expr, &c, &err), LT_EINVAL);
		ck_assert_ptr_eq(c, before);
		ck_assert_int_eq(err.rc, LT_EINVAL);
		ck_assert_str_eq(lt_errmsg(&err), cases[i].msg);
	}

	struct lt_cron *c = NULL;
	struct lt_err err = {0};
	ck_assert_int_eq(lt_cron_parse(NULL, &c, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_cron_parse("* * * * *", NULL, &err), LT_EUSAGE);

	char long_expr[600];
	memset(long_expr, '1', sizeof long_expr - 1);
	long_expr[sizeof long_expr - 1] = '\0';
	ck_assert_int_eq(lt_cron_parse(long_expr, &c, &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "...\": longer than 512 characters") != NULL);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_describe)
{
	static const struct { const char *expr, *text; } cases[] = {
		{ "*/15 9-17 * * mon-fri", "*/15 9-17 * * 1-5" },
		{ "30 4 1,15 * fri", "30 4 1,15 * 5" },
		{ "5,1,2,3 0 * jan,feb,mar sun,7", "1-3,5 0 * 1-3 0" },
		{ "*/2,3 * * * *", "*/2,3 * * * *" },
		{ "*,5 * * * *", "* * * * *" },
		{ "0 0 * * */7", "0 0 * * */7" },
		{ "0-59 0-23 1-31 1-12 0-7", "0-59 0-23 1-31 1-12 0-6" },
		{ "1,2 */6 */10 * *", "1,2 */6 */10 * *" },
		{ "@weekly", "0 0 * * 0" },
		{ "@hourly", "0 * * * *" },
		{ "7/15 * * * sat-sun", "7,22,37,52 * * * 0,6" },
	};
	char buf[LT_CRON_DESCRIBE_LEN];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lt_cron *c = parse_ok(cases[i].expr);
		size_t n = lt_cron_describe(c, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].text);
		ck_assert_uint_eq(n, strlen(cases[i].text));
		lt_cron_free(c);
	}
	/* snprintf-style truncation */
	struct lt_cron *c = parse_ok("*/15 9-17 * * mon-fri");
	char small[5];
	ck_assert_uint_eq(lt_cron_describe(c, small, sizeof small), 17);
	ck_assert_str_eq(small, "*/15");
	lt_cron_free(c);
}
END_TEST

/* ---- the exhaustive reference ------------------------------------------ */

/* 51 expressions: every kind of item, names, both day rules, star steps on
 * day-of-week, Feb 29, the 31st, shorthands, and fixed or wildcard jobs at
 * the hours the DST changes of Europe/Berlin (02:00-03:00) and
 * America/New_York (01:00-03:00) touch. */
static const char *const exprs[] = {
	"* * * * *",
	"*/5 * * * *",
	"0 * * * *",
	"30 2 * * *",
	"0,30 2 * * *",
	"*/15 2 * * *",
	"30 * * * *",
	"0 3 * * *",
	"15 1 * * *",
	"*/20 1-3 * * *",
	"0-59 2 * * *",
	"5 */2 * * *",
	"0 0-23/2 * * *",
	"10-20/5 8-18 * * 1-5",
	"0 9 * * mon-fri",
	"0 12 * * SAT,sun",
	"0 0 1,15 * 5",
	"30 4 1,15 * fri",
	"0 0 13 * 5",
	"0 0 * * */2",
	"0 0 1 * */2",
	"0 0 */2 * 1",
	"0 0 29 2 *",
	"0 0 31 * *",
	"59 23 31 12 *",
	"0 0 30 */2 *",
	"0 12 * jan,apr,jul,oct *",
	"0 6 1-7 * 1",
	"0 6 8-14 * *",
	"0 0 * * 7",
	"0 0 * * 0,7",
	"0 0 * * 5-7",
	"0 0 * * sat-sun",
	"45 23 * * 6",
	"@yearly",
	"@annually",
	"@monthly",
	"@weekly",
	"@daily",
	"@midnight",
	"@hourly",
	"7/15 * * * *",
	"0 2/3 * * *",
	"*/7 */5 * * *",
	"1,2,3,58,59 0,23 * * *",
	"0 2 * mar,oct sun",
	"30 2 25-31 3 0",
	"0 1-3 * * *",
	"*/10 * 29 3 *",
	"59 1 * * *",
	"0,30 0-3 * 3,10,11 0",
};

#define N_EXPRS (sizeof exprs / sizeof exprs[0])

/* lt_cron_describe() text parses back to the same sets and star flags,
 * which decide every fire time. */
START_TEST(test_describe_round_trip)
{
	char text[LT_CRON_DESCRIBE_LEN];
	for (size_t e = 0; e < N_EXPRS; e++) {
		struct lt_cron *a = parse_ok(exprs[e]);
		ck_assert_uint_lt(lt_cron_describe(a, text, sizeof text), sizeof text);
		struct lt_cron *b = parse_ok(text);
		for (int f = 0; f < 5; f++) {
			ck_assert_msg(lt_cron_field_set(a, f) == lt_cron_field_set(b, f) &&
				      lt_cron_field_star(a, f) == lt_cron_field_star(b, f),
				      "\"%s\" described as \"%s\"", exprs[e], text);
		}
		lt_cron_free(a);
		lt_cron_free(b);
	}
}
END_TEST

/* The zone's UTC offset at every minute of the window, read through the
 * C library with TZ set, one localtime_r() per minute. */
struct zone_table {
	const char *tz;
	time_t base;          /* UTC second of entry 0 */
	size_t n;
	long *off;
};

static void table_build(struct zone_table *z, const char *tz, time_t from, time_t to)
{
	char value[64];
	snprintf(value, sizeof value, ":%s", tz);
	ck_assert_int_eq(setenv("TZ", value, 1), 0);
	tzset();
	z->tz = tz;
	z->base = from;
	z->n = (size_t)((to - from) / 60 + 1);
	z->off = malloc(z->n * sizeof *z->off);
	ck_assert_ptr_nonnull(z->off);
	for (size_t i = 0; i < z->n; i++) {
		time_t t = from + (time_t)i * 60;
		struct tm tm;
		/* Not ck_assert: Check reports every passing assertion
		 * through a pipe, and this runs half a million times. */
		if (!localtime_r(&t, &tm))
			ck_abort_msg("localtime_r failed in %s", tz);
		z->off[i] = tm.tm_gmtoff;
	}
	unsetenv("TZ");
	tzset();
}

/* The reference's own view of an expression: the parsed sets, its own
 * day rule and job kind from the star flags, its own calendar (gmtime_r
 * of the wall-clock minute, cached per day). */
struct ref {
	uint64_t set[5];
	bool days_and, wildcard;
	int64_t day;
	int mday, mon, wday;
};

static void ref_init(struct ref *r, const struct lt_cron *c)
{
	for (int f = 0; f < 5; f++)
		r->set[f] = lt_cron_field_set(c, f);
	r->days_and = lt_cron_field_star(c, LT_CRON_DOM) || lt_cron_field_star(c, LT_CRON_DOW);
	r->wildcard = lt_cron_field_star(c, LT_CRON_MINUTE) || lt_cron_field_star(c, LT_CRON_HOUR);
	r->day = INT64_MIN;
}

static bool has(uint64_t set, int v)
{
	return (set >> v) & 1;
}

static bool ref_match(struct ref *r, int64_t wall_minute)
{
	int64_t day = wall_minute / 1440;      /* the window is after 1970 */
	int mod = (int)(wall_minute - day * 1440);
	if (day != r->day) {
		time_t secs = (time_t)(day * 86400);
		struct tm tm;
		gmtime_r(&secs, &tm);
		r->day = day;
		r->mday = tm.tm_mday;
		r->mon = tm.tm_mon + 1;
		r->wday = tm.tm_wday;
	}
	if (!has(r->set[LT_CRON_MINUTE], mod % 60) || !has(r->set[LT_CRON_HOUR], mod / 60) ||
	    !has(r->set[LT_CRON_MONTH], r->mon))
		return false;
	bool dom = has(r->set[LT_CRON_DOM], r->mday), dow = has(r->set[LT_CRON_DOW], r->wday);
	return r->days_and ? dom && dow : dom || dow;
}

struct fires {
	time_t *t;
	size_t n, cap;
};

static void fires_add(struct fires *f, time_t t)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->t = realloc(f->t, f->cap * sizeof *f->t);
		if (!f->t)
			ck_abort_msg("out of memory");
	}
	f->t[f->n++] = t;
}

/* cronie's main loop, one real minute per turn: clockTime from the
 * offset, timeDiff against virtualTime, then find_jobs() for wildcard
 * (doWild) and fixed-time (doNonWild) jobs as each case of cron.c does.
 * Records the minutes (UTC) at which the job starts, from record_from. */
static void ref_run(struct ref *r, const struct zone_table *z, time_t record_from,
		    struct fires *out)
{
	int64_t virtual_time = (z->base + z->off[0]) / 60;

	for (size_t i = 1; i < z->n; i++) {
		time_t now = z->base + (time_t)i * 60;
		int64_t clock = (now + z->off[i]) / 60;
		int64_t diff = clock - virtual_time;
		bool run = false;

		if (diff == 1) {
			virtual_time = clock;
			run = ref_match(r, clock);
		} else if (diff > 180 || diff < -180) {
			virtual_time = clock;
			run = ref_match(r, clock);
		} else if (diff > 5) {
			run = r->wildcard && ref_match(r, clock);
			while (virtual_time < clock) {
				virtual_time++;
				if (!r->wildcard && ref_match(r, virtual_time))
					run = true;
			}
		} else if (diff > 0) {
			while (virtual_time < clock) {
				virtual_time++;
				if (ref_match(r, virtual_time))
					run = true;
			}
		} else {
			run = r->wildcard && ref_match(r, clock);
		}
		if (run && now >= record_from)
			fires_add(out, now);
	}
}

/* Index of the first fire > t. */
static size_t first_after(const struct fires *f, time_t t)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->t[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool fires_has(const struct fires *f, time_t t)
{
	size_t i = first_after(f, t - 1);
	return i < f->n && f->t[i] == t;
}

/* UTC; two one-hour DST zones, one per side of the Atlantic; Lord Howe
 * Island, whose clocks move by 30 minutes; and Troll station, whose move
 * by two hours (+00 to +02), so "medium" jumps of three sizes. */
static const char *const ref_zones[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Antarctica/Troll",
};

#define CHAIN 20

START_TEST(test_reference_year)
{
	const char *tz = ref_zones[_i];
	const time_t w0 = 1767139200;          /* 2025-12-31T00:00:00Z */
	const time_t w1 = 1798848000;          /* 2027-01-02T00:00:00Z */
	struct zone_table z;
	time_t starts[64];
	size_t n_starts = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char b1[LT_CRON_TIME_LEN], b2[LT_CRON_TIME_LEN], b3[LT_CRON_TIME_LEN];
	size_t chained = 0;

	/* 4 hours of history before the window: cronie's state after a
	 * jump lasts at most 3. */
	table_build(&z, tz, w0 - 4 * 3600, w1);

	/* Start points: the window's start, around every offset change the
	 * table shows, and pseudo-random instants (fixed seed). */
	starts[n_starts++] = w0;
	for (size_t i = 1; i < z.n; i++) {
		if (z.off[i] == z.off[i - 1])
			continue;
		time_t change = z.base + (time_t)i * 60;
		const time_t around[] = { -3 * 3600, -61 * 60, -1, 60, 30 * 60 + 7, 2 * 3600 };
		for (size_t k = 0; k < sizeof around / sizeof around[0]; k++)
			starts[n_starts++] = change + around[k];
	}
	if (strcmp(tz, "UTC") != 0)
		ck_assert_uint_eq(n_starts, 1 + 2 * 6);   /* two changes in 2026 */
	while (n_starts < 24) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		starts[n_starts++] = w0 + (time_t)((seed >> 33) % (uint64_t)(w1 - w0 - 86400));
	}

	for (size_t e = 0; e < N_EXPRS; e++) {
		struct lt_cron *c = parse_ok(exprs[e]);
		struct ref r;
		struct fires f = {0};

		ref_init(&r, c);
		ref_run(&r, &z, w0, &f);
		for (size_t s = 0; s < n_starts; s++) {
			time_t t = starts[s];
			for (int k = 0; k < CHAIN; k++) {
				struct lt_err err = {0};
				time_t next = 0;
				size_t i = first_after(&f, t);

				/* if + ck_abort_msg rather than ck_assert: see
				 * table_build(). */
				if (lt_cron_next(c, tz, t, &next, &err) != LT_OK)
					ck_abort_msg("\"%s\" in %s after %s: %s", exprs[e], tz,
						     show(t, tz, b1), lt_errmsg(&err));
				chained++;
				if (i < f.n && next != f.t[i])
					ck_abort_msg("\"%s\" in %s after %s: lt_cron_next %s, reference %s",
						     exprs[e], tz, show(t, tz, b1), show(next, tz, b2),
						     show(f.t[i], tz, b3));
				if (i == f.n && next <= w1)
					ck_abort_msg("\"%s\" in %s after %s: lt_cron_next %s, reference none",
						     exprs[e], tz, show(t, tz, b1), show(next, tz, b2));
				/* lt_cron_matches() agrees with the reference on
				 * the fire minute and the minutes around it. */
				for (time_t d = -60; k < 1 && next <= w1 && d <= 60; d += 60) {
					time_t m = next + d;
					if (m < w0 || m > w1)
						continue;
					if (lt_cron_matches(c, tz, m + 59) != fires_has(&f, m))
						ck_abort_msg("\"%s\" in %s: lt_cron_matches(%s) is %d",
							     exprs[e], tz, show(m + 59, tz, b1),
							     !fires_has(&f, m));
				}
				if (next > w1)
					break;
				t = next;
			}
		}
		free(f.t);
		lt_cron_free(c);
	}
	ck_assert_uint_ge(N_EXPRS, 40);
	ck_assert_uint_gt(chained, 10000);
	free(z.off);
}
END_TEST

/* ---- daylight saving, spelled out -------------------------------------- */

/* The fire times of expr in tz after `from`, as RFC 3339 with offsets,
 * must be want[0], want[1], ... */
static void expect_fires(const char *expr, const char *tz, const char *from,
			 const char *const *want)
{
	struct lt_cron *c = parse_ok(expr);
	time_t t = at(from);
	char buf[LT_CRON_TIME_LEN];

	for (int i = 0; want[i]; i++) {
		struct lt_err err = {0};
		time_t next = 0;
		ck_assert_msg(lt_cron_next(c, tz, t, &next, &err) == LT_OK, "%s: %s", expr,
			      lt_errmsg(&err));
		ck_assert_msg(strcmp(show(next, tz, buf), want[i]) == 0,
			      "\"%s\" in %s, fire %d after %s: got %s, want %s", expr, tz, i + 1,
			      from, buf, want[i]);
		t = next;
	}
	lt_cron_free(c);
}

#define FIRES(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(test_dst_berlin_spring)
{
	/* 2026-03-29 02:00 CET (01:00Z): clocks jump to 03:00 CEST. */
	/* A fixed job in the skipped hour runs right after the jump. */
	expect_fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+01:00",
		     FIRES("2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"));
	/* Two skipped matches give one fire time. */
	expect_fires("0,30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+01:00",
		     FIRES("2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00",
			   "2026-03-30T02:30:00+02:00"));
	/* Wildcard jobs (minute or hour starting with '*') lose the hour. */
	expect_fires("30 * * * *", "Europe/Berlin", "2026-03-29T00:45:00+01:00",
		     FIRES("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00",
			   "2026-03-29T04:30:00+02:00"));
	expect_fires("*/15 2 * * *", "Europe/Berlin", "2026-03-28T23:00:00+01:00",
		     FIRES("2026-03-30T02:00:00+02:00", "2026-03-30T02:15:00+02:00"));
	expect_fires("@hourly", "Europe/Berlin", "2026-03-29T00:30:00+01:00",
		     FIRES("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00",
			   "2026-03-29T04:00:00+02:00"));
	/* Times outside the skipped hour are untouched. */
	expect_fires("0 3 * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00",
		     FIRES("2026-03-29T03:00:00+02:00", "2026-03-30T03:00:00+02:00"));
	expect_fires("59 1 * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00",
		     FIRES("2026-03-29T01:59:00+01:00", "2026-03-30T01:59:00+02:00"));
	/* Asked from exactly the jump, the catch-up is still ahead. */
	expect_fires("30 2 * * *", "Europe/Berlin", "2026-03-29T01:59:59+01:00",
		     FIRES("2026-03-29T03:00:00+02:00"));
	expect_fires("30 2 * * *", "Europe/Berlin", "2026-03-29T03:00:00+02:00",
		     FIRES("2026-03-30T02:30:00+02:00"));
}
END_TEST

START_TEST(test_dst_berlin_autumn)
{
	/* 2026-10-25 03:00 CEST (01:00Z): clocks go back to 02:00 CET. */
	/* A fixed job runs in the first pass only. */
	expect_fires("30 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00",
		     FIRES("2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"));
	expect_fires("0 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00+02:00",
		     FIRES("2026-10-25T02:00:00+02:00", "2026-10-26T02:00:00+01:00"));
	/* "0-59" is not star: fixed, although it names every minute. */
	expect_fires("0-59 2 * * *", "Europe/Berlin", "2026-10-25T02:58:00+02:00",
		     FIRES("2026-10-25T02:59:00+02:00", "2026-10-26T02:00:00+01:00"));
	/* Wildcard jobs run in both passes. */
	expect_fires("30 * * * *", "Europe/Berlin", "2026-10-25T01:00:00+02:00",
		     FIRES("2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00",
			   "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00"));
	expect_fires("*/20 2 * * *", "Europe/Berlin", "2026-10-25T01:00:00+02:00",
		     FIRES("2026-10-25T02:00:00+02:00", "2026-10-25T02:20:00+02:00",
			   "2026-10-25T02:40:00+02:00", "2026-10-25T02:00:00+01:00",
			   "2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+01:00",
			   "2026-10-26T02:00:00+01:00"));
	/* Asked from inside the repeated hour, the first pass is history. */
	expect_fires("30 2 * * *", "Europe/Berlin", "2026-10-25T02:10:00+01:00",
		     FIRES("2026-10-26T02:30:00+01:00"));
	expect_fires("*/20 2 * * *", "Europe/Berlin", "2026-10-25T02:10:00+01:00",
		     FIRES("2026-10-25T02:20:00+01:00"));
	/* 03:00 happens once, in CET. */
	expect_fires("0 3 * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00",
		     FIRES("2026-10-25T03:00:00+01:00", "2026-10-26T03:00:00+01:00"));
}
END_TEST

START_TEST(test_dst_new_york)
{
	/* 2026-03-08 02:00 EST (07:00Z) becomes 03:00 EDT. */
	expect_fires("30 2 * * *", "America/New_York", "2026-03-07T12:00:00-05:00",
		     FIRES("2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"));
	expect_fires("*/30 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00",
		     FIRES("2026-03-09T02:00:00-04:00"));
	/* 2026-11-01 02:00 EDT (06:00Z) goes back to 01:00 EST. */
	expect_fires("30 1 * * *", "America/New_York", "2026-11-01T00:00:00-04:00",
		     FIRES("2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"));
	expect_fires("*/30 1 * * *", "America/New_York", "2026-11-01T00:00:00-04:00",
		     FIRES("2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00",
			   "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00",
			   "2026-11-02T01:00:00-05:00"));
	expect_fires("0 * * * *", "America/New_York", "2026-11-01T00:30:00-04:00",
		     FIRES("2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00",
			   "2026-11-01T02:00:00-05:00"));
}
END_TEST

START_TEST(test_large_jump)
{
	/* Samoa skipped 2011-12-30 (from -10:00 to +14:00): a jump of a
	 * day is "large" in cronie, so even fixed-time jobs of the lost
	 * day are not caught up. */
	expect_fires("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00",
		     FIRES("2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00"));
}
END_TEST

/* ---- bounds and the never-firing --------------------------------------- */

START_TEST(test_never_fires)
{
	static const char *const never[] = {
		"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *", "0 0 31 apr *",
	};
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		struct lt_cron *c = parse_ok(never[i]);
		struct lt_err err = {0};
		char want[128];
		time_t next = 42;
		uint64_t t0 = lti_mono_ns();
		ck_assert_int_eq(lt_cron_next(c, "Europe/Berlin", at("2026-01-01T00:00:00Z"),
					      &next, &err), LT_ENOTFOUND);
		ck_assert_uint_lt(lti_mono_ns() - t0, 200 * 1000 * 1000u);
		ck_assert_int_eq(next, 42);
		snprintf(want, sizeof want, "cron: \"%s\": never fires", never[i]);
		ck_assert_str_eq(lt_errmsg(&err), want);
		ck_assert(!lt_cron_matches(c, "UTC", at("2026-02-28T00:00:00Z")));
		lt_cron_free(c);
	}
}
END_TEST

START_TEST(test_rare_and_far)
{
	struct lt_cron *c;
	struct lt_err err = {0};
	time_t next = 0;

	/* Feb 29 that is a Sunday ("* /7" is star: both day fields must
	 * match): 2032, found by day-by-day arithmetic here. */
	c = parse_ok("0 0 29 2 */7");
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("2026-01-01T00:00:00Z"), &next, &err), LT_OK);
	ck_assert_int_eq(next, at("2032-02-29T00:00:00Z"));
	lt_cron_free(c);

	/* With neither day field star it is Feb 29 OR any Sunday in Feb. */
	c = parse_ok("0 0 29 2 0");
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("2026-01-01T00:00:00Z"), &next, &err), LT_OK);
	ck_assert_int_eq(next, at("2026-02-01T00:00:00Z"));
	lt_cron_free(c);

	/* Across the 2100 non-leap year: 2096-02-29, then 2104-02-29. */
	c = parse_ok("0 0 29 2 *");
	ck_assert_int_eq(lt_cron_next(c, "Europe/Berlin", at("2096-03-01T00:00:00Z"), &next, &err),
			 LT_OK);
	ck_assert_int_eq(next, at("2104-02-28T23:00:00Z"));
	/* Nothing left before year 10000; the last one is 9996-02-29. */
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("9996-03-01T00:00:00Z"), &next, &err),
			 LT_ENOTFOUND);
	ck_assert_str_eq(lt_errmsg(&err), "cron: \"0 0 29 2 *\": does not fire before year 10000");
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("9996-02-28T00:00:00Z"), &next, &err), LT_OK);
	ck_assert_int_eq(next, at("9996-02-29T00:00:00Z"));
	lt_cron_free(c);

	/* Strictly after, at minute resolution. */
	c = parse_ok("* * * * *");
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("2026-05-01T10:00:00Z"), &next, &err), LT_OK);
	ck_assert_int_eq(next, at("2026-05-01T10:01:00Z"));
	ck_assert_int_eq(lt_cron_next(c, "UTC", at("2026-05-01T10:00:59Z"), &next, &err), LT_OK);
	ck_assert_int_eq(next, at("2026-05-01T10:01:00Z"));
	ck_assert_int_eq(lt_cron_next(c, "UTC", -1, &next, &err), LT_OK);
	ck_assert_int_eq(next, 0);
	ck_assert_int_eq(lt_cron_next(c, "UTC", -61, &next, &err), LT_OK);
	ck_assert_int_eq(next, -60);
	ck_assert_int_eq(lt_cron_next(c, "UTC", (time_t)300000000000LL, &next, &err), LT_EINVAL);
	ck_assert_int_eq(lt_cron_next(c, "UTC", 0, NULL, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_cron_next(NULL, "UTC", 0, &next, &err), LT_EUSAGE);
	lt_cron_free(c);
}
END_TEST

/* ---- zones, formatting, parsing times ---------------------------------- */

START_TEST(test_zones)
{
	struct lt_err err = {0};
	struct lt_cron *c = parse_ok("0 9 * * *");
	time_t next = 0;

	ck_assert_int_eq(lt_cron_zone_check("Europe/Berlin", &err), LT_OK);
	ck_assert_int_eq(lt_cron_zone_check("UTC", &err), LT_OK);
	ck_assert_int_eq(lt_cron_zone_check(NULL, &err), LT_OK);
	ck_assert_int_eq(lt_cron_zone_check("Mars/Olympus_Mons", &err), LT_EINVAL);
	ck_assert(strncmp(lt_errmsg(&err), "cron: unknown time zone \"Mars/Olympus_Mons\" (", 45) == 0);
	ck_assert(strstr(lt_errmsg(&err), "is tzdata installed?)") != NULL);
	ck_assert_int_eq(lt_cron_zone_check("America", &err), LT_EINVAL);
	ck_assert(strstr(lt_errmsg(&err), "is not a zone file)") != NULL);
	ck_assert_int_eq(lt_cron_zone_check("../../etc/passwd", &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "cron: \"../../etc/passwd\" is not a time zone name "
			 "(use an IANA name such as Europe/Berlin or UTC)");
	ck_assert_int_eq(lt_cron_zone_check("/etc/localtime", &err), LT_EINVAL);
	ck_assert_int_eq(lt_cron_zone_check("CET-1CEST,M3.5.0,M10.5.0/3", &err), LT_EINVAL);
	ck_assert_int_eq(lt_cron_zone_check("", &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "cron: empty time zone name");
	ck_assert_int_eq(lt_cron_next(c, "Mars/Olympus_Mons", 0, &next, &err), LT_EINVAL);
	ck_assert(!lt_cron_matches(c, "Mars/Olympus_Mons", 0));

	/* The local zone is TZ; named zones leave TZ as they found it. */
	setenv("TZ", ":America/New_York", 1);
	tzset();
	time_t from = at("2026-06-01T00:00:00Z"), local_next = 0, named_next = 0;
	ck_assert_int_eq(lt_cron_next(c, NULL, from, &local_next, &err), LT_OK);
	ck_assert_int_eq(lt_cron_next(c, "America/New_York", from, &named_next, &err), LT_OK);
	ck_assert_int_eq(local_next, named_next);
	ck_assert_int_eq(local_next, at("2026-06-01T13:00:00Z"));
	ck_assert_int_eq(lt_cron_next(c, "Asia/Tokyo", from, &next, &err), LT_OK);
	ck_assert_int_eq(next, at("2026-06-02T00:00:00Z"));
	ck_assert_str_eq(getenv("TZ"), ":America/New_York");
	struct tm tm;
	localtime_r(&from, &tm);
	ck_assert_int_eq(tm.tm_gmtoff, -4 * 3600);
	unsetenv("TZ");
	tzset();
	ck_assert_int_eq(lt_cron_next(c, "Asia/Tokyo", from, &next, &err), LT_OK);
	ck_assert_ptr_null(getenv("TZ"));
	lt_cron_free(c);
}
END_TEST

START_TEST(test_format_and_parse_time)
{
	char buf[LT_CRON_TIME_LEN];
	struct lt_err err = {0};
	time_t t = 0;

	ck_assert_int_eq(lt_cron_format_time(1774746000, "Europe/Berlin", buf, &err), LT_OK);
	ck_assert_str_eq(buf, "2026-03-29T03:00:00+02:00");
	ck_assert_int_eq(lt_cron_format_time(1774746000 - 1, "Europe/Berlin", buf, &err), LT_OK);
	ck_assert_str_eq(buf, "2026-03-29T01:59:59+01:00");
	ck_assert_int_eq(lt_cron_format_time(1774746000, "America/New_York", buf, &err), LT_OK);
	ck_assert_str_eq(buf, "2026-03-28T21:00:00-04:00");
	ck_assert_int_eq(lt_cron_format_time(1774746000, "UTC", buf, &err), LT_OK);
	ck_assert_str_eq(buf, "2026-03-29T01:00:00+00:00");
	ck_assert_int_eq(lt_cron_format_time(1774746000, "Asia/Kolkata", buf, &err), LT_OK);
	ck_assert_str_eq(buf, "2026-03-29T06:30:00+05:30");
	ck_assert_int_eq(lt_cron_format_time(1774746000, "Nowhere/Land", buf, &err), LT_EINVAL);

	ck_assert_int_eq(lt_cron_parse_time("2026-03-29T03:00:00+02:00", "UTC", &t, &err), LT_OK);
	ck_assert_int_eq(t, 1774746000);
	ck_assert_int_eq(lt_cron_parse_time("2026-03-29T03:00", "Europe/Berlin", &t, &err), LT_OK);
	ck_assert_int_eq(t, 1774746000);
	ck_assert_int_eq(lt_cron_parse_time("2026-03-29", "America/New_York", &t, &err), LT_OK);
	ck_assert_int_eq(t, at("2026-03-29T04:00:00Z"));
	/* Twice: the first; never: an error. */
	ck_assert_int_eq(lt_cron_parse_time("2026-10-25 02:30:00", "Europe/Berlin", &t, &err), LT_OK);
	ck_assert_int_eq(t, at("2026-10-25T00:30:00Z"));
	t = 7;
	ck_assert_int_eq(lt_cron_parse_time("2026-03-29T02:30", "Europe/Berlin", &t, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err),
			 "cron: \"2026-03-29T02:30\" does not exist in Europe/Berlin (the clocks skip it)");
	ck_assert_int_eq(t, 7);
	ck_assert_int_eq(lt_cron_parse_time("2026-02-30T00:00", "UTC", &t, &err), LT_EINVAL);
	ck_assert_int_eq(lt_cron_parse_time("tomorrow", "UTC", &t, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "cron: \"tomorrow\" is not a time (use "
			 "2026-03-29T01:30:00+01:00, or 2026-03-29T01:30 in the schedule's zone)");
	ck_assert_int_eq(lt_cron_parse_time("2026-03-29T24:00", "UTC", &t, &err), LT_EINVAL);
	ck_assert_int_eq(t, 7);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

struct thread_job {
	const char *tz;
	time_t want[8];
	bool ok;
};

static void chain(const struct lt_cron *c, const char *tz, time_t *out, int n)
{
	time_t t = 1767225600;                 /* 2026-01-01T00:00:00Z */
	for (int i = 0; i < n; i++) {
		if (lt_cron_next(c, tz, t, &out[i], NULL) != LT_OK)
			out[i] = -1;
		t = out[i] + 86400 * 40;
	}
}

static struct lt_cron *thread_cron;

static void *thread_main(void *arg)
{
	struct thread_job *job = arg;
	job->ok = true;
	for (int round = 0; round < 200; round++) {
		time_t got[8];
		chain(thread_cron, job->tz, got, 8);
		if (memcmp(got, job->want, sizeof got) != 0)
			job->ok = false;
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct thread_job jobs[4] = {
		{ "Europe/Berlin", {0}, false }, { "America/New_York", {0}, false },
		{ "Asia/Tokyo", {0}, false }, { "Australia/Sydney", {0}, false },
	};
	pthread_t th[4];

	thread_cron = parse_ok("30 2 * * *");
	for (int i = 0; i < 4; i++)
		chain(thread_cron, jobs[i].tz, jobs[i].want, 8);
	ck_assert_int_ne(jobs[0].want[0], jobs[1].want[0]);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(jobs[i].ok, "%s changed under concurrency", jobs[i].tz);
	}
	lt_cron_free(thread_cron);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_parse_sets);
	tcase_add_test(tc, test_parse_shorthands);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_round_trip);
	tcase_add_loop_test(tc, test_reference_year, 0,
			    (int)(sizeof ref_zones / sizeof ref_zones[0]));
	tcase_add_test(tc, test_dst_berlin_spring);
	tcase_add_test(tc, test_dst_berlin_autumn);
	tcase_add_test(tc, test_dst_new_york);
	tcase_add_test(tc, test_large_jump);
	tcase_add_test(tc, test_never_fires);
	tcase_add_test(tc, test_rare_and_far);
	tcase_add_test(tc, test_zones);
	tcase_add_test(tc, test_format_and_parse_time);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
