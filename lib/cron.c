/* cron.c -- cron expressions and their fire times in a time zone (cron.h).
 *
 * Three layers.  The parser turns the five fields into one bit set per
 * field plus cronie's "starts with '*'" flags.  The calendar search
 * (next_wall) finds the first wall-clock minute at or after a given one
 * whose fields match, jumping month, day, hour, minute; it knows nothing
 * of zones.  lt_cron_next() walks the zone's stretches of constant UTC
 * offset, asks the calendar search for a candidate in each, and at every
 * offset change applies cronie's rules for clocks that jump (see cron.h).
 *
 * Wall-clock minutes are counted like UTC minutes since 1970-01-01 00:00
 * but on the zone's clock: wall = floor((utc + offset) / 60).  This is the
 * "clockTime" of cronie's cron.c, which is why its jump rules carry over
 * literally.
 */
#include "cron.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An expression longer than this is not a cron line but a mistake; the
 * bound also keeps error messages and lt_cron_describe() text short. */
#define EXPR_MAX 512

/* How far back lt_cron_next() starts replaying the zone's offset changes:
 * cronie's state after a jump lasts at most 181 minutes (a "negative" jump
 * holds fixed-time jobs until wall-clock time catches up), so 4 hours of
 * history decide everything cronie would do next. */
#define LOOKBACK_S (4 * 3600)

/* The zone's offset is sampled once a day between the start and a
 * candidate; real rules never change the offset twice within a day. */
#define PROBE_S 86400

/* cronie's cron.c classifies a wall-clock jump of timeDiff minutes (1 is
 * the normal tick): 2..5 small, 6..180 medium, beyond +-180 large, <= 0
 * negative. */
#define JUMP_SMALL_MAX 5
#define JUMP_LARGE 180

/* 400 Gregorian years: the calendar (weekdays included) repeats exactly. */
#define CYCLE_DAYS 146097

#define MINUTES_PER_DAY 1440

/* Years 1 .. 9999 in UTC seconds. */
#define TIME_MIN ((time_t)-62135596800LL)
#define TIME_MAX ((time_t)253402300799LL)

enum { STAR_MINUTE = 1 << LT_CRON_MINUTE, STAR_HOUR = 1 << LT_CRON_HOUR,
       STAR_DOM = 1 << LT_CRON_DOM, STAR_DOW = 1 << LT_CRON_DOW };

struct lt_cron {
	uint64_t set[5];     /* bit v: value v selected (weekday 7 stored as 0) */
	unsigned star;       /* STAR_* bits: the field's text starts with '*' */
	char *text;          /* the expression as given */
};

struct field_spec {
	const char *name;
	int lo, hi;
	const char *const *names;   /* three-letter names, or NULL */
	int name_base;              /* the value of names[0] */
	const char *name_list;      /* for the "unknown name" message */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL
};
static const char *const dow_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static const struct field_spec fields[5] = {
	{ "minute", 0, 59, NULL, 0, NULL },
	{ "hour", 0, 23, NULL, 0, NULL },
	{ "day-of-month", 1, 31, NULL, 0, NULL },
	{ "month", 1, 12, month_names, 1,
	  "jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov or dec" },
	{ "day-of-week", 0, 7, dow_names, 0,
	  "sun, mon, tue, wed, thu, fri or sat" },
};

static const struct { const char *name; const char *fields; } shorthands[] = {
	{ "yearly", "0 0 1 1 *" },
	{ "annually", "0 0 1 1 *" },
	{ "monthly", "0 0 1 * *" },
	{ "weekly", "0 0 * * 0" },
	{ "daily", "0 0 * * *" },
	{ "midnight", "0 0 * * *" },
	{ "hourly", "0 * * * *" },
};

/* ---- small arithmetic ------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return -floor_div(-a, b);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms: exact for every year, no tables). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * CYCLE_DAYS + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, CYCLE_DAYS);
	int64_t doe = z - era * CYCLE_DAYS;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap_year(y) ? 29 : dim[m - 1];
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
	return (int)(((days % 7) + 11) % 7);
}

/* The smallest v in [from, max] with bit v of set, or -1. */
static int next_bit(uint64_t set, int from, int max)
{
	if (from > max || from > 63)
		return -1;
	uint64_t rest = set >> from;
	if (!rest)
		return -1;
	int v = from + __builtin_ctzll(rest);
	return v <= max ? v : -1;
}

/* ---- parsing ----------------------------------------------------------- */

/* Error context: the expression as the user wrote it, shortened so that a
 * message always fits struct lt_err. */
struct parse_ctx {
	const char *expr;
	struct lt_err *err;
};

static lt_rc parse_fail(const struct parse_ctx *pc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static lt_rc parse_fail(const struct parse_ctx *pc, const char *field, const char *fmt, ...)
{
	char detail[600];
	va_list ap;
	int shown = (int)strlen(pc->expr);
	const char *ellipsis = "";

	if (shown > 200) {
		shown = 200;
		ellipsis = "...";
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (field)
		return lt_err_set(pc->err, LT_EINVAL, "cron: \"%.*s%s\": %s: %s",
				  shown, pc->expr, ellipsis, field, detail);
	return lt_err_set(pc->err, LT_EINVAL, "cron: \"%.*s%s\": %s",
			  shown, pc->expr, ellipsis, detail);
}

/* A character for a message: "x", or byte 0xef when it would not print
 * (a stray byte of UTF-8 must not reach a terminal alone). */
struct char_text {
	char text[16];
};

static struct char_text char_text(char ch)
{
	struct char_text t;
	if (isprint((unsigned char)ch))
		snprintf(t.text, sizeof t.text, "\"%c\"", ch);
	else
		snprintf(t.text, sizeof t.text, "byte 0x%02x", (unsigned)(unsigned char)ch);
	return t;
}

/* Why a character cannot start or continue an item, with a hint for the
 * syntax people bring from elsewhere. */
static const char *char_hint(char ch)
{
	switch (ch) {
	case '~': return " (cronie's random ranges are not supported)";
	case '?': case '#': return " (Quartz syntax, not cron)";
	default: return "";
	}
}

/* Read one value -- digits, or a name where the field has names -- from
 * [*p, end).  On success *value is set and *p moves past it. */
static lt_rc parse_value(const struct parse_ctx *pc, const struct field_spec *f,
			 const char *item, size_t item_len, const char **p,
			 const char *end, int *value)
{
	const char *start = *p, *q = *p;
	int len;

	while (q < end && isalnum((unsigned char)*q))
		q++;
	len = (int)(q - start);
	if (len == 0) {
		if (start < end)
			return parse_fail(pc, f->name, "unexpected %s in \"%.*s\"%s",
					  char_text(*start).text, (int)item_len, item, char_hint(*start));
		return parse_fail(pc, f->name, "missing value at the end of \"%.*s\"",
				  (int)item_len, item);
	}
	if (isdigit((unsigned char)*start)) {
		long v = 0;
		for (const char *c = start; c < q; c++) {
			if (!isdigit((unsigned char)*c))
				return parse_fail(pc, f->name, "\"%.*s\" is not a number",
						  len, start);
			if (v < 100000)
				v = v * 10 + (*c - '0');
		}
		if (v < f->lo || v > f->hi)
			return parse_fail(pc, f->name, "%.*s is out of range %d-%d",
					  len, start, f->lo, f->hi);
		*value = (int)v;
	} else if (f->names) {
		int i;
		for (i = 0; f->names[i]; i++)
			if (len == 3 && strncasecmp(f->names[i], start, 3) == 0)
				break;
		if (!f->names[i])
			return parse_fail(pc, f->name, "unknown name \"%.*s\" (use %s)",
					  len, start, f->name_list);
		*value = f->name_base + i;
	} else {
		return parse_fail(pc, f->name, "\"%.*s\" is not a number", len, start);
	}
	*p = q;
	return LT_OK;
}

/* Read a step after '/': decimal digits, at least 1. */
static lt_rc parse_step(const struct parse_ctx *pc, const struct field_spec *f,
			const char *item, size_t item_len, const char **p,
			const char *end, int *step)
{
	const char *start = *p, *q = *p;
	long v = 0;

	while (q < end && isalnum((unsigned char)*q))
		q++;
	if (q == start) {
		if (start < end)
			return parse_fail(pc, f->name, "unexpected %s in \"%.*s\"%s",
					  char_text(*start).text, (int)item_len, item, char_hint(*start));
		return parse_fail(pc, f->name, "missing step after \"/\" in \"%.*s\"",
				  (int)item_len, item);
	}
	for (const char *c = start; c < q; c++) {
		if (!isdigit((unsigned char)*c))
			return parse_fail(pc, f->name, "step \"%.*s\" is not a number",
					  (int)(q - start), start);
		if (v < 100000)
			v = v * 10 + (*c - '0');
	}
	if (v < 1)
		return parse_fail(pc, f->name, "step must be >= 1");
	*step = (int)v;
	*p = q;
	return LT_OK;
}

/* One item of a list: *, N, N-M, with an optional /S. */
static lt_rc parse_item(const struct parse_ctx *pc, int fi, const char *item,
			size_t len, uint64_t *set)
{
	const struct field_spec *f = &fields[fi];
	const char *p = item, *end = item + len;
	int lo, hi, step = 1;
	bool range = false;
	lt_rc rc;

	if (len == 0)
		return parse_fail(pc, f->name, "empty item in list");
	if (*p == '*') {
		lo = f->lo;
		hi = f->hi;
		range = true;
		p++;
		if (p < end && *p != '/')
			return parse_fail(pc, f->name, "unexpected %s after \"*\" in \"%.*s\"%s",
					  char_text(*p).text, (int)len, item, char_hint(*p));
	} else {
		if ((rc = parse_value(pc, f, item, len, &p, end, &lo)) != LT_OK)
			return rc;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			if ((rc = parse_value(pc, f, item, len, &p, end, &hi)) != LT_OK)
				return rc;
			range = true;
			/* cronie 1.7 reads "sat-sun" and "5-0" as running to
			 * Sunday = 7; any other reversed range is an error here
			 * (cronie accepts it and selects nothing). */
			if (lo > hi && fi == LT_CRON_DOW && hi == 0)
				hi = 7;
			if (lo > hi)
				return parse_fail(pc, f->name,
						  "range %.*s is reversed (cron ranges do not wrap: write %d-%d,%d-%d)",
						  (int)len, item, lo, f->hi, f->lo, hi);
		}
	}
	if (p < end && *p == '/') {
		p++;
		if ((rc = parse_step(pc, f, item, len, &p, end, &step)) != LT_OK)
			return rc;
		if (!range)
			hi = f->hi;   /* N/S means N-max/S */
		/* cronie warns here and fires at lo only; see cron.h. */
		if (step > 1 && step > hi - lo)
			return parse_fail(pc, f->name, "step %d is too large for %d-%d (only %d would match)",
					  step, lo, hi, lo);
	}
	if (p < end)
		return parse_fail(pc, f->name, "unexpected %s in \"%.*s\"%s",
				  char_text(*p).text, (int)len, item, char_hint(*p));
	for (int v = lo; v <= hi; v += step)
		*set |= UINT64_C(1) << (fi == LT_CRON_DOW && v == 7 ? 0 : v);
	return LT_OK;
}

static lt_rc parse_field(const struct parse_ctx *pc, int fi, const char *text,
			 size_t len, struct lt_cron *c)
{
	const char *p = text, *end = text + len;
	uint64_t set = 0;
	lt_rc rc;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		if ((rc = parse_item(pc, fi, p, (size_t)(item_end - p), &set)) != LT_OK)
			return rc;
		if (!comma)
			break;
		p = comma + 1;
	}
	c->set[fi] = set;
	if (text[0] == '*')
		c->star |= 1u << fi;
	return LT_OK;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Parse five blank-separated fields of text into c. */
static lt_rc parse_fields(const struct parse_ctx *pc, const char *text, struct lt_cron *c)
{
	const char *start[6];
	size_t len[6];
	int n = 0;
	const char *p = text;

	while (*p) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		const char *q = p;
		while (*q && !is_blank(*q))
			q++;
		if (n < 6) {
			start[n] = p;
			len[n] = (size_t)(q - p);
		}
		n++;
		p = q;
	}
	if (n != 5)
		return parse_fail(pc, NULL,
				  "expected 5 fields (minute hour day-of-month month day-of-week), got %d", n);
	for (int fi = 0; fi < 5; fi++) {
		lt_rc rc = parse_field(pc, fi, start[fi], len[fi], c);
		if (rc != LT_OK)
			return rc;
	}
	return LT_OK;
}

lt_rc lt_cron_parse(const char *expr, struct lt_cron **out, struct lt_err *err)
{
	struct parse_ctx pc = { expr, err };
	struct lt_cron *c = NULL;
	char body[EXPR_MAX + 1];
	size_t n;
	lt_rc rc;

	if (!expr || !out)
		return lt_err_set(err, LT_EUSAGE, "cron: lt_cron_parse needs an expression and a result");
	n = strlen(expr);
	if (n > EXPR_MAX)
		return parse_fail(&pc, NULL, "longer than %d characters", EXPR_MAX);

	/* Trim blanks and a line end, as a crontab line would have. */
	const char *b = expr, *e = expr + n;
	while (b < e && (is_blank(*b) || *b == '\n' || *b == '\r'))
		b++;
	while (e > b && (is_blank(e[-1]) || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	memcpy(body, b, (size_t)(e - b));
	body[e - b] = '\0';
	if (!body[0])
		return parse_fail(&pc, NULL, "empty expression");
	for (const char *q = body; *q; q++)
		if ((unsigned char)*q < 0x20 && !is_blank(*q))
			return parse_fail(&pc, NULL, "control character 0x%02x in the expression",
					  (unsigned)(unsigned char)*q);

	if (!(c = calloc(1, sizeof *c)))
		return lt_err_set(err, LT_ENOMEM, "cron: out of memory");

	if (body[0] == '@') {
		size_t wl = 1;
		while (body[wl] && !is_blank(body[wl]))
			wl++;
		const char *rest = body + wl;
		while (is_blank(*rest))
			rest++;
		size_t i;
		for (i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++)
			if (wl - 1 == strlen(shorthands[i].name) &&
			    strncasecmp(body + 1, shorthands[i].name, wl - 1) == 0)
				break;
		if (wl - 1 == 6 && strncasecmp(body + 1, "reboot", 6) == 0) {
			rc = parse_fail(&pc, NULL, "@reboot is not a time (it means once at boot); "
					"use a time such as @daily or \"0 6 * * *\"");
			goto fail;
		}
		if (i == sizeof shorthands / sizeof shorthands[0]) {
			rc = parse_fail(&pc, NULL, "unknown shorthand \"%.*s\" (use @yearly, @annually, "
					"@monthly, @weekly, @daily, @midnight or @hourly)",
					(int)wl, body);
			goto fail;
		}
		if (*rest) {
			rc = parse_fail(&pc, NULL, "unexpected \"%s\" after @%s", rest,
					shorthands[i].name);
			goto fail;
		}
		if ((rc = parse_fields(&pc, shorthands[i].fields, c)) != LT_OK)
			goto fail;
	} else if ((rc = parse_fields(&pc, body, c)) != LT_OK) {
		goto fail;
	}
	if (!(c->text = lti_strdup(expr))) {
		rc = lt_err_set(err, LT_ENOMEM, "cron: out of memory");
		goto fail;
	}
	*out = c;
	return LT_OK;
fail:
	lt_cron_free(c);
	return rc;
}

void lt_cron_free(struct lt_cron *c)
{
	if (!c)
		return;
	free(c->text);
	free(c);
}

const char *lt_cron_text(const struct lt_cron *c)
{
	return c ? c->text : NULL;
}

uint64_t lt_cron_field_set(const struct lt_cron *c, lt_cron_field f)
{
	if (!c || (int)f < 0 || (int)f > 4)
		return 0;
	return c->set[f];
}

bool lt_cron_field_star(const struct lt_cron *c, lt_cron_field f)
{
	if (!c || (int)f < 0 || (int)f > 4)
		return false;
	return (c->star >> f) & 1;
}

/* ---- describe ---------------------------------------------------------- */

struct sbuf {
	char *buf;
	size_t size, len;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room = sb->len < sb->size ? sb->size - sb->len : 0;
	va_start(ap, fmt);
	int n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

/* Values lo..hi of set as a sorted list, runs of three or more as ranges. */
static void sb_list(struct sbuf *sb, uint64_t set, int lo, int hi, bool comma)
{
	for (int v = next_bit(set, lo, hi); v >= 0; ) {
		int w = v;
		while (w + 1 <= hi && ((set >> (w + 1)) & 1))
			w++;
		if (w - v >= 2)
			sb_printf(sb, "%s%d-%d", comma ? "," : "", v, w);
		else if (w > v)
			sb_printf(sb, "%s%d,%d", comma ? "," : "", v, w);
		else
			sb_printf(sb, "%s%d", comma ? "," : "", v);
		comma = true;
		v = next_bit(set, w + 1, hi);
	}
}

/* The values "* /step" selects in field fi. */
static uint64_t star_step_set(int fi, int step)
{
	uint64_t set = 0;
	for (int v = fields[fi].lo; v <= fields[fi].hi; v += step)
		set |= UINT64_C(1) << (fi == LT_CRON_DOW && v == 7 ? 0 : v);
	return set;
}

size_t lt_cron_describe(const struct lt_cron *c, char *buf, size_t size)
{
	struct sbuf sb = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	if (!c)
		return 0;
	for (int fi = 0; fi < 5; fi++) {
		const struct field_spec *f = &fields[fi];
		int hi = fi == LT_CRON_DOW ? 6 : f->hi;
		uint64_t set = c->set[fi];

		if (fi)
			sb_printf(&sb, " ");
		if (!((c->star >> fi) & 1)) {
			sb_list(&sb, set, f->lo, hi, false);
			continue;
		}
		/* A star field must stay star (it changes the day rule and the
		 * daylight-saving kind): the smallest step whose values all
		 * belong, then the values left over.  The parser made sure
		 * the user's own step exists, so the loop finds one. */
		int step;
		for (step = 1; step <= f->hi - f->lo; step++)
			if ((star_step_set(fi, step) & ~set) == 0)
				break;
		uint64_t base = star_step_set(fi, step);
		if (step == 1)
			sb_printf(&sb, "*");
		else
			sb_printf(&sb, "*/%d", step);
		sb_list(&sb, set & ~base, f->lo, hi, true);
	}
	return sb.len;
}

/* ---- calendar search --------------------------------------------------- */

static bool day_matches(const struct lt_cron *c, int mday, int wday)
{
	bool dom = (c->set[LT_CRON_DOM] >> mday) & 1;
	bool dow = (c->set[LT_CRON_DOW] >> wday) & 1;

	/* cronie's find_jobs(): either field star means both must match. */
	if (c->star & (STAR_DOM | STAR_DOW))
		return dom && dow;
	return dom || dow;
}

/* The first wall-clock minute w with from <= w <= limit whose fields match
 * c, in *out.  Walks months, then days, then hours and minutes by set
 * bits: at most ~12 + 31 steps per year searched. */
static bool next_wall(const struct lt_cron *c, int64_t from, int64_t limit, int64_t *out)
{
	int64_t day = floor_div(from, MINUTES_PER_DAY), y;
	int mod = (int)(from - day * MINUTES_PER_DAY);
	int hour = mod / 60, minute = mod % 60, m, d;
	int64_t limit_day = floor_div(limit, MINUTES_PER_DAY);

	if (from > limit)
		return false;
	civil_from_days(day, &y, &m, &d);
	for (;;) {
		if (day > limit_day)
			return false;
		if (!((c->set[LT_CRON_MONTH] >> m) & 1)) {
			int nm = next_bit(c->set[LT_CRON_MONTH], m + 1, 12);
			if (nm < 0) {
				y++;
				nm = next_bit(c->set[LT_CRON_MONTH], 1, 12);
			}
			m = nm;
			d = 1;
			hour = minute = 0;
			day = days_from_civil(y, m, 1);
			continue;
		}
		if (day_matches(c, d, weekday(day))) {
			int h = next_bit(c->set[LT_CRON_HOUR], hour, 23);
			if (h >= 0) {
				if (h != hour)
					minute = 0;
				hour = h;
				int mi = next_bit(c->set[LT_CRON_MINUTE], minute, 59);
				if (mi >= 0) {
					int64_t w = day * MINUTES_PER_DAY + hour * 60 + mi;
					if (w > limit)
						return false;
					*out = w;
					return true;
				}
				if (hour < 23) {
					hour++;
					minute = 0;
					continue;
				}
			}
		}
		day++;
		hour = minute = 0;
		if (++d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
}

/* ---- time zones -------------------------------------------------------- */

/* localtime_r() converts in the zone of the process-global TZ, so every
 * conversion of this module runs under this lock with TZ set to the zone
 * it wants; see cron.h for what other threads may see. */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

struct zone_guard {
	char *saved_tz;
	bool had_tz, switched;
};

/* The zone directory, copied into buf under the lock: another thread may
 * be in zone_enter's setenv(), which can move the environment while a
 * getenv() walks it (ASan caught exactly that in check_cron's threads). */
static const char *zone_dir(char *buf, size_t size)
{
	pthread_mutex_lock(&zone_lock);
	const char *dir = getenv("TZDIR");
	snprintf(buf, size, "%s", dir && *dir ? dir : "/usr/share/zoneinfo");
	pthread_mutex_unlock(&zone_lock);
	return buf;
}

lt_rc lt_cron_zone_check(const char *tz, struct lt_err *err)
{
	char path[4096], magic[4];
	struct stat st;
	size_t n;
	int fd;

	if (!tz)
		return LT_OK;
	n = strlen(tz);
	if (n == 0)
		return lt_err_set(err, LT_EINVAL, "cron: empty time zone name");
	if (n > 255)
		return lt_err_set(err, LT_EINVAL, "cron: time zone name longer than 255 characters");
	/* IANA names are letters, digits and "/_-+."; refusing "..", a
	 * leading "/" and anything else keeps the lookup inside the zone
	 * directory and keeps POSIX TZ strings out. */
	bool ok = tz[0] != '/';
	for (const char *p = tz; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("/_-+.", *p);
	for (const char *seg = tz; ok && seg; ) {
		const char *slash = strchr(seg, '/');
		size_t sl = slash ? (size_t)(slash - seg) : strlen(seg);
		ok = sl > 0 && !(sl == 1 && seg[0] == '.') && !(sl == 2 && seg[0] == '.' && seg[1] == '.');
		seg = slash ? slash + 1 : NULL;
	}
	if (!ok)
		return lt_err_set(err, LT_EINVAL,
				  "cron: \"%s\" is not a time zone name (use an IANA name such as Europe/Berlin or UTC)",
				  tz);
	char dir[2048];
	snprintf(path, sizeof path, "%s/%s", zone_dir(dir, sizeof dir), tz);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lt_err_set(err, LT_EINVAL,
				  "cron: unknown time zone \"%s\" (%s: %s; is tzdata installed?)",
				  tz, path, strerror(errno));
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	close(fd);
	if (!ok)
		return lt_err_set(err, LT_EINVAL, "cron: unknown time zone \"%s\" (%s is not a zone file)",
				  tz, path);
	return LT_OK;
}

/* Take the lock and switch to zone tz (NULL: leave TZ as it is). */
static lt_rc zone_enter(const char *tz, struct zone_guard *g, struct lt_err *err)
{
	char value[260];
	lt_rc rc;

	memset(g, 0, sizeof *g);
	if ((rc = lt_cron_zone_check(tz, err)) != LT_OK)
		return rc;
	pthread_mutex_lock(&zone_lock);
	if (tz) {
		const char *old = getenv("TZ");
		if (old) {
			if (!(g->saved_tz = lti_strdup(old))) {
				pthread_mutex_unlock(&zone_lock);
				return lt_err_set(err, LT_ENOMEM, "cron: out of memory");
			}
			g->had_tz = true;
		}
		/* The colon makes glibc read the name as a file, never as a
		 * POSIX rule string. */
		snprintf(value, sizeof value, ":%s", tz);
		if (setenv("TZ", value, 1) != 0) {
			free(g->saved_tz);
			pthread_mutex_unlock(&zone_lock);
			return lt_err_set(err, LT_ENOMEM, "cron: cannot set TZ: %s", strerror(errno));
		}
		g->switched = true;
	}
	/* localtime_r() need not look at TZ again; tzset() makes it. */
	tzset();
	return LT_OK;
}

static void zone_leave(struct zone_guard *g)
{
	if (g->switched) {
		if (g->had_tz)
			setenv("TZ", g->saved_tz, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	free(g->saved_tz);
	g->saved_tz = NULL;
	pthread_mutex_unlock(&zone_lock);
}

/* The zone's UTC offset in seconds at t; under the lock. */
static long offset_at(time_t t)
{
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* The first minute T in (lo, hi] whose offset is not off, given that lo's
 * is: sampled once a day, then bisected to the minute. */
static bool find_change(time_t lo, time_t hi, long off, time_t *at)
{
	time_t a = lo;

	while (a < hi) {
		time_t b = hi - a > PROBE_S ? a + PROBE_S : hi;
		if (offset_at(b) != off) {
			while (b - a > 60) {
				time_t mid = a + ((b - a) / 120) * 60;
				if (mid <= a)
					mid = a + 60;
				if (offset_at(mid) != off)
					b = mid;
				else
					a = mid;
			}
			*at = b;
			return true;
		}
		a = b;
	}
	return false;
}

/* ---- next fire time ---------------------------------------------------- */

/* The caller holds the zone lock.  See cron.h for the rules; the names
 * follow cronie's cron.c where they can. */
static lt_rc next_locked(const struct lt_cron *c, time_t after, time_t *next,
			 struct lt_err *err)
{
	bool wildcard = c->star & (STAR_MINUTE | STAR_HOUR);
	time_t start = (time_t)(floor_div(after, 60) * 60 + 60);
	time_t s = start - LOOKBACK_S;
	long off = offset_at(s);
	/* Wall-clock minute up to which fixed-time jobs are held back after
	 * the clocks went back (cronie's virtualTime while "negative"). */
	int64_t hold = INT64_MIN;
	int64_t start_wall = floor_div((int64_t)start + off, 60);
	int64_t year_end = days_from_civil(10000, 1, 1) * MINUTES_PER_DAY - 1;
	int64_t limit = start_wall + (int64_t)CYCLE_DAYS * MINUTES_PER_DAY;
	bool cycle = limit <= year_end;

	if (!cycle)
		limit = year_end;
	/* Each turn passes one offset change; 400 years of twice-yearly
	 * changes is 800, history adds a few hundred. */
	for (int turn = 0; turn < 10000; turn++) {
		time_t from = s > start ? s : start;
		int64_t lower = ceil_div((int64_t)from + off, 60), w;
		time_t cand, change;

		if (!wildcard && lower <= hold)
			lower = hold + 1;
		if (!next_wall(c, lower, limit, &w))
			break;
		cand = (time_t)(w * 60 - off);
		if (!find_change(s, cand, off, &change)) {
			*next = cand;
			return LT_OK;
		}

		long off2 = offset_at(change);
		int64_t wprev = floor_div((int64_t)change - 60 + off, 60);
		int64_t wnew = floor_div((int64_t)change + off2, 60);
		int64_t virtual_time = wprev > hold ? wprev : hold;
		int64_t diff = wnew - virtual_time, skipped;

		if (diff > JUMP_LARGE || diff < -JUMP_LARGE) {
			hold = INT64_MIN;           /* large: start afresh */
		} else if (diff >= 2) {
			/* small catches up every job, medium fixed-time jobs
			 * only, each at the first minute after the jump */
			bool catch_up = diff <= JUMP_SMALL_MAX || !wildcard;
			if (catch_up && change >= start &&
			    next_wall(c, virtual_time + 1, wnew - 1, &skipped)) {
				*next = change;
				return LT_OK;
			}
		} else if (diff <= 0) {
			hold = virtual_time;        /* negative: hold fixed-time jobs */
		}
		s = change;
		off = off2;
	}
	if (cycle)
		return lt_err_set(err, LT_ENOTFOUND, "cron: \"%s\": never fires", c->text);
	return lt_err_set(err, LT_ENOTFOUND, "cron: \"%s\": does not fire before year 10000",
			  c->text);
}

lt_rc lt_cron_next(const struct lt_cron *c, const char *tz, time_t after,
		   time_t *next, struct lt_err *err)
{
	struct zone_guard g;
	time_t result = 0;
	lt_rc rc;

	if (!c || !next)
		return lt_err_set(err, LT_EUSAGE, "cron: lt_cron_next needs an expression and a result");
	if (after < TIME_MIN || after > TIME_MAX)
		return lt_err_set(err, LT_EINVAL, "cron: time %lld is outside the years 1-9999",
				  (long long)after);
	if ((rc = zone_enter(tz, &g, err)) != LT_OK)
		return rc;
	rc = next_locked(c, after, &result, err);
	zone_leave(&g);
	if (rc == LT_OK)
		*next = result;
	return rc;
}

bool lt_cron_matches(const struct lt_cron *c, const char *tz, time_t t)
{
	time_t minute = (time_t)(floor_div(t, 60) * 60), next;

	if (!c || minute - 1 < TIME_MIN || minute > TIME_MAX)
		return false;
	return lt_cron_next(c, tz, minute - 1, &next, NULL) == LT_OK && next == minute;
}

/* ---- formatting and parsing times -------------------------------------- */

lt_rc lt_cron_format_time(time_t t, const char *tz, char buf[LT_CRON_TIME_LEN],
			  struct lt_err *err)
{
	struct zone_guard g;
	struct tm tm;
	bool ok;
	lt_rc rc;

	if (!buf)
		return lt_err_set(err, LT_EUSAGE, "cron: lt_cron_format_time needs a buffer");
	buf[0] = '\0';
	if (t < TIME_MIN || t > TIME_MAX)
		return lt_err_set(err, LT_EINVAL, "cron: time %lld is outside the years 1-9999",
				  (long long)t);
	if ((rc = zone_enter(tz, &g, err)) != LT_OK)
		return rc;
	ok = localtime_r(&t, &tm) != NULL;
	zone_leave(&g);
	if (!ok || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return lt_err_set(err, LT_EINVAL, "cron: time %lld cannot be shown in that zone",
				  (long long)t);
	long off_min = tm.tm_gmtoff / 60;
	char sign = off_min < 0 ? '-' : '+';
	if (off_min < 0)
		off_min = -off_min;
	/* The fields are in range (year checked above, offsets below a
	 * day), so the text is 25 characters; the wide buffer only keeps
	 * the compiler's truncation check quiet. */
	char text[128];
	int n = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, sign, off_min / 60 % 100, off_min % 60);
	if (n < 0 || n >= LT_CRON_TIME_LEN)
		return lt_err_set(err, LT_EINTERNAL, "cron: time text too long");
	memcpy(buf, text, (size_t)n + 1);
	return LT_OK;
}

/* Read exactly n digits. */
static bool read_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

lt_rc lt_cron_parse_time(const char *s, const char *tz, time_t *t, struct lt_err *err)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = s;
	double rfc;

	if (!s || !t)
		return lt_err_set(err, LT_EUSAGE, "cron: lt_cron_parse_time needs a time and a result");
	if (lti_time_parse(s, &rfc)) {
		time_t v = (time_t)rfc;
		if ((double)v > rfc)
			v--;
		if (v < TIME_MIN || v > TIME_MAX)
			return lt_err_set(err, LT_EINVAL, "cron: \"%s\" is outside the years 1-9999", s);
		*t = v;
		return LT_OK;
	}
	bool ok = read_digits(&p, 4, &y) && *p++ == '-' && read_digits(&p, 2, &mo) &&
		  *p++ == '-' && read_digits(&p, 2, &d);
	if (ok && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		ok = read_digits(&p, 2, &h) && *p++ == ':' && read_digits(&p, 2, &mi);
		if (ok && *p == ':') {
			p++;
			ok = read_digits(&p, 2, &sec);
		}
	}
	ok = ok && *p == '\0' && y >= 1 && mo >= 1 && mo <= 12 && d >= 1 &&
	     d <= days_in_month(y, mo) && h <= 23 && mi <= 59 && sec <= 59;
	if (!ok)
		return lt_err_set(err, LT_EINVAL,
				  "cron: \"%s\" is not a time (use 2026-03-29T01:30:00+01:00, "
				  "or 2026-03-29T01:30 in the schedule's zone)", s);

	/* The UTC instants whose wall-clock time is s: try the offsets in
	 * force a day before and a day after (and at s read as UTC), keep
	 * those that give s back, take the earliest. */
	int64_t wall = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	struct zone_guard g;
	lt_rc rc = zone_enter(tz, &g, err);
	if (rc != LT_OK)
		return rc;
	int64_t probes[3] = { wall - 86400, wall, wall + 86400 }, best = INT64_MAX;
	for (int i = 0; i < 3; i++) {
		long off = offset_at((time_t)probes[i]);
		int64_t cand = wall - off;
		if (offset_at((time_t)cand) == off && cand < best)
			best = cand;
	}
	zone_leave(&g);
	if (best == INT64_MAX)
		return lt_err_set(err, LT_EINVAL,
				  "cron: \"%s\" does not exist in %s (the clocks skip it)",
				  s, tz ? tz : "the local time zone");
	if (best < TIME_MIN || best > TIME_MAX)
		return lt_err_set(err, LT_EINVAL, "cron: \"%s\" is outside the years 1-9999", s);
	*t = (time_t)best;
	return LT_OK;
}
