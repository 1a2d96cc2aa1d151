/* ndjson.c -- the metric record types: validate, read, write, build (ndjson.h).
 *
 * The contract lives in the field tables below: one table per record type
 * (and per nested object), each field with its JSON kind and whether it
 * is required, plus a check function for the rules that span fields.
 * lt-ndjson(5) is written from these tables; when one changes, so does
 * the other.
 *
 * The encoder is our own rather than cJSON_PrintUnformatted: cJSON prints
 * NaN and infinity as null (a silent lie in a metric), and integers above
 * INT_MAX with %1.15g ("1e+15").  Ours refuses the first and prints every
 * integer below 2^53 as digits.
 */
#include "ndjson.h"
#include "hist.h"
#include "util.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Integers are exact in a double below 2^53; a count at or above it may
 * have been rounded on its way through a JSON parser. */
#define EXACT_LIMIT 9007199254740992.0

/* Nesting the encoder follows, the same as cJSON's parser allows. */
#define MAX_DEPTH 1000

/* A string in an error message shows at most this many bytes of it. */
#define SHOW_BYTES 40

/* error_rate must match 100 errors / requests within this many percentage
 * points: writers may round it, but a fraction (0.01 for 1 %) written by
 * mistake is off by far more for any rate that matters. */
#define ERROR_RATE_TOLERANCE 0.01

static const char *const type_names[] = {
	[LT_NDJSON_RUN_START] = "run_start",
	[LT_NDJSON_SAMPLE] = "sample",
	[LT_NDJSON_SUMMARY] = "summary",
	[LT_NDJSON_ALERT] = "alert",
	[LT_NDJSON_BENCH] = "bench",
	[LT_NDJSON_EXECUTION] = "execution",
	[LT_NDJSON_VERDICT] = "verdict",
};
#define NTYPES (sizeof type_names / sizeof type_names[0])

const char *lt_ndjson_type_name(enum lt_ndjson_type type)
{
	if ((unsigned)type == LT_NDJSON_NONE || (unsigned)type >= NTYPES)
		return NULL;
	return type_names[type];
}

enum lt_ndjson_type lt_ndjson_type_parse(const char *name)
{
	if (!name)
		return LT_NDJSON_NONE;
	for (unsigned i = 1; i < NTYPES; i++)
		if (strcmp(name, type_names[i]) == 0)
			return (enum lt_ndjson_type)i;
	return LT_NDJSON_NONE;
}

/* ---- a growable string, for the encoder and for messages ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	size_t limit;       /* longest content allowed */
	bool oom, too_long;
};

static bool sb_reserve(struct sbuf *b, size_t n)
{
	if (b->oom || b->too_long)
		return false;
	if (b->len + n > b->limit) {
		b->too_long = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return false;
		}
		b->p = p;
		b->cap = cap;
	}
	return true;
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (!sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Shortest text for d that reads back as d, with '.' whatever the locale;
 * integral values below 2^53 as plain digits, -0 as 0.  Not finite: a
 * word for messages (the encoder never gets this far with one). */
static void format_number(double d, char buf[40])
{
	if (isnan(d)) {
		strcpy(buf, "NaN");
		return;
	}
	if (isinf(d)) {
		strcpy(buf, d > 0 ? "infinity" : "-infinity");
		return;
	}
	if (d == 0) {
		strcpy(buf, "0");
		return;
	}
	if (d == trunc(d) && fabs(d) < EXACT_LIMIT) {
		snprintf(buf, 40, "%.0f", d);
		return;
	}
	for (int precision = 15; precision <= 17; precision++) {
		snprintf(buf, 40, "%.*g", precision, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* A program that called setlocale() may have a decimal comma. */
	const char *point = localeconv()->decimal_point;
	if (point && point[0] && strcmp(point, ".") != 0) {
		char *at = strstr(buf, point);
		if (at) {
			size_t plen = strlen(point);
			*at = '.';
			memmove(at + 1, at + plen, strlen(at + plen) + 1);
		}
	}
}

/* s[0..len) as a JSON string, quotes included. */
static void sb_json_string(struct sbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	sb_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = "\\";
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		sb_add(b, s + i - run, run);
		run = 0;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		sb_add(b, esc, n);
	}
	sb_add(b, s + len - run, run);
	sb_add(b, "\"", 1);
}

/* How a value reads in a message: "x" (cut after SHOW_BYTES), 12.5,
 * true, null, an object, an array. */
static const char *describe(const cJSON *item, char out[128])
{
	if (!item) {
		strcpy(out, "nothing");
	} else if (cJSON_IsString(item) && item->valuestring) {
		struct sbuf b = { .limit = 1024 };
		size_t len = strlen(item->valuestring);
		bool cut = len > SHOW_BYTES;

		if (cut) {
			/* Cut on a character boundary, not inside one. */
			len = SHOW_BYTES;
			while (len > 0 && ((unsigned char)item->valuestring[len] & 0xc0) == 0x80)
				len--;
		}
		sb_json_string(&b, item->valuestring, len);
		snprintf(out, 128, "%s%s", b.p ? b.p : "a string", cut ? "..." : "");
		free(b.p);
	} else if (cJSON_IsNumber(item)) {
		format_number(item->valuedouble, out);
	} else if (cJSON_IsTrue(item)) {
		strcpy(out, "true");
	} else if (cJSON_IsFalse(item)) {
		strcpy(out, "false");
	} else if (cJSON_IsNull(item)) {
		strcpy(out, "null");
	} else if (cJSON_IsArray(item)) {
		strcpy(out, "an array");
	} else if (cJSON_IsObject(item)) {
		strcpy(out, "an object");
	} else {
		strcpy(out, "raw JSON");
	}
	return out;
}

static const char *show_number(double d, char buf[40])
{
	format_number(d, buf);
	return buf;
}

/* ---- validation: the contract, as tables ---- */

enum kind {
	K_ID,          /* 1..LT_NDJSON_MAX_ID bytes, no control characters */
	K_STRING,      /* any string */
	K_NAME,        /* a non-empty string */
	K_TIME,        /* an RFC 3339 time */
	K_COUNT,       /* an integer 0 .. 2^53 - 1 */
	K_POSITIVE,    /* an integer 1 .. 2^53 - 1 */
	K_NUMBER,      /* a finite number */
	K_NONNEG,      /* a finite number >= 0 */
	K_PERCENT,     /* 0 .. 100 */
	K_PROBABILITY, /* 0 .. 1 */
	K_EXIT_CODE,   /* an integer 0 .. 255 */
	K_BOOL,
	K_ENUM,        /* one of field.choices */
	K_SEGMENT,     /* "I/N" */
	K_METRIC,      /* a name lt_ndjson_metric knows */
	K_CHECK_METRIC,  /* K_METRIC, or "bench:<suite>/<name>" (a benchmark's mean) */
	K_RANGE,       /* [lo, hi], finite, lo <= hi */
	K_HIST,        /* lt_hist_from_json accepts it */
	K_OBJECT,      /* an object; checked against field.spec when set */
	K_OBJECTS,     /* an array of objects, each checked against field.spec */
};

struct spec;

struct field {
	const char *name;
	enum kind kind;
	bool required;
	const struct spec *spec;        /* K_OBJECT, K_OBJECTS */
	const char *const *choices;     /* K_ENUM, NULL-terminated */
};

struct spec {
	const struct field *fields;     /* ends with a NULL name */
	/* Rules that span fields, run after every field passed; path is the
	 * object's ("sample", "summary.endpoints[2]"). */
	lt_rc (*check)(const cJSON *obj, const char *path, struct lt_err *err);
};

static const char *const phases[] = { "warmup", "steady", "cooldown", NULL };
static const char *const severities[] = { "warning", "critical", NULL };
static const char *const statuses[] = { "success", "failed", "regression", "retrying", NULL };
static const char *const ops[] = { "<", "<=", ">", ">=", NULL };
static const char *const verdicts[] = { "pass", "warning", "critical", "inconclusive", NULL };
static const char *const metric_statuses[] = { "ok", "regression", "improvement",
						"inconclusive", NULL };
static const char *const metric_severities[] = { "none", "warning", "critical", NULL };

static lt_rc check_latency(const cJSON *obj, const char *path, struct lt_err *err);
static lt_rc check_counts(const cJSON *obj, const char *path, struct lt_err *err);
static lt_rc check_summary(const cJSON *obj, const char *path, struct lt_err *err);
static lt_rc check_bench(const cJSON *obj, const char *path, struct lt_err *err);
static lt_rc check_execution(const cJSON *obj, const char *path, struct lt_err *err);

/* latency_ms: ms.  stddev is written in summaries; allowed anywhere. */
static const struct field latency_fields[] = {
	{ "min", K_NONNEG, true, NULL, NULL },
	{ "mean", K_NONNEG, true, NULL, NULL },
	{ "p50", K_NONNEG, true, NULL, NULL },
	{ "p90", K_NONNEG, true, NULL, NULL },
	{ "p95", K_NONNEG, true, NULL, NULL },
	{ "p99", K_NONNEG, true, NULL, NULL },
	{ "max", K_NONNEG, true, NULL, NULL },
	{ "stddev", K_NONNEG, false, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec latency_spec = { latency_fields, check_latency };

static const struct field run_start_fields[] = {
	{ "run_id", K_ID, true, NULL, NULL },
	{ "scenario_id", K_ID, true, NULL, NULL },
	{ "scenario_name", K_STRING, false, NULL, NULL },
	{ "started_at", K_TIME, true, NULL, NULL },
	{ "segment", K_SEGMENT, false, NULL, NULL },
	{ "run_group", K_ID, false, NULL, NULL },
	{ "host", K_STRING, false, NULL, NULL },
	{ "version", K_STRING, false, NULL, NULL },
	{ "config", K_OBJECT, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct field sample_fields[] = {
	{ "run_id", K_ID, true, NULL, NULL },
	{ "t", K_NONNEG, true, NULL, NULL },
	{ "phase", K_ENUM, true, NULL, phases },
	{ "users", K_COUNT, false, NULL, NULL },
	{ "requests", K_COUNT, true, NULL, NULL },
	{ "errors", K_COUNT, true, NULL, NULL },
	{ "rps", K_NONNEG, false, NULL, NULL },
	{ "dropped", K_COUNT, false, NULL, NULL },
	{ "latency_ms", K_OBJECT, true, &latency_spec, NULL },
	{ "bytes_in", K_COUNT, false, NULL, NULL },
	{ "bytes_out", K_COUNT, false, NULL, NULL },
	{ "cpu_pct", K_NONNEG, false, NULL, NULL },
	{ "rss_kb", K_COUNT, false, NULL, NULL },
	{ "hist", K_HIST, false, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct field throughput_fields[] = {
	{ "avg", K_NONNEG, true, NULL, NULL },
	{ "peak", K_NONNEG, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec throughput_spec = { throughput_fields, NULL };

static const struct field users_fields[] = {
	{ "peak", K_COUNT, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec users_spec = { users_fields, NULL };

static const struct field endpoint_fields[] = {
	{ "name", K_NAME, true, NULL, NULL },
	{ "method", K_STRING, false, NULL, NULL },
	{ "path", K_STRING, false, NULL, NULL },
	{ "requests", K_COUNT, true, NULL, NULL },
	{ "errors", K_COUNT, true, NULL, NULL },
	{ "latency_ms", K_OBJECT, true, &latency_spec, NULL },
	{ "hist", K_HIST, false, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec endpoint_spec = { endpoint_fields, check_counts };

static const struct field threshold_fields[] = {
	{ "metric", K_METRIC, true, NULL, NULL },
	{ "op", K_ENUM, true, NULL, ops },
	{ "limit", K_NUMBER, true, NULL, NULL },
	{ "value", K_NUMBER, true, NULL, NULL },
	{ "ok", K_BOOL, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec threshold_spec = { threshold_fields, NULL };

static const struct field summary_fields[] = {
	{ "run_id", K_ID, true, NULL, NULL },
	{ "duration_s", K_NONNEG, true, NULL, NULL },
	{ "requests", K_COUNT, true, NULL, NULL },
	{ "errors", K_COUNT, true, NULL, NULL },
	{ "error_rate", K_PERCENT, true, NULL, NULL },
	{ "throughput", K_OBJECT, true, &throughput_spec, NULL },
	{ "latency_ms", K_OBJECT, true, &latency_spec, NULL },
	{ "users", K_OBJECT, false, &users_spec, NULL },
	{ "endpoints", K_OBJECTS, true, &endpoint_spec, NULL },
	{ "thresholds", K_OBJECTS, false, &threshold_spec, NULL },
	{ "passed", K_BOOL, true, NULL, NULL },
	{ "interrupted", K_BOOL, false, NULL, NULL },
	{ "hist", K_HIST, false, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct field alert_fields[] = {
	{ "alert_id", K_ID, true, NULL, NULL },
	{ "scenario_id", K_ID, true, NULL, NULL },
	{ "run_id", K_ID, true, NULL, NULL },
	{ "metric", K_NAME, true, NULL, NULL },
	{ "baseline", K_NUMBER, true, NULL, NULL },
	{ "current", K_NUMBER, true, NULL, NULL },
	{ "change_pct", K_NUMBER, true, NULL, NULL },
	{ "p_value", K_PROBABILITY, false, NULL, NULL },
	{ "method", K_NAME, true, NULL, NULL },
	{ "severity", K_ENUM, true, NULL, severities },
	{ "message", K_STRING, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct field resources_fields[] = {
	{ "user_s", K_NONNEG, true, NULL, NULL },
	{ "sys_s", K_NONNEG, true, NULL, NULL },
	{ "max_rss_kb", K_COUNT, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec resources_spec = { resources_fields, NULL };

static const struct field bench_fields[] = {
	{ "bench_id", K_ID, true, NULL, NULL },
	{ "suite", K_NAME, true, NULL, NULL },
	{ "name", K_NAME, true, NULL, NULL },
	{ "unit", K_NAME, true, NULL, NULL },
	{ "runs", K_POSITIVE, true, NULL, NULL },
	{ "mean", K_NUMBER, true, NULL, NULL },
	{ "stddev", K_NONNEG, true, NULL, NULL },
	{ "median", K_NUMBER, true, NULL, NULL },
	{ "min", K_NUMBER, true, NULL, NULL },
	{ "max", K_NUMBER, true, NULL, NULL },
	{ "ci95", K_RANGE, false, NULL, NULL },
	{ "resources", K_OBJECT, false, &resources_spec, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct field execution_fields[] = {
	{ "execution_id", K_ID, true, NULL, NULL },
	{ "schedule", K_NAME, true, NULL, NULL },
	{ "scenario_id", K_ID, true, NULL, NULL },
	{ "started_at", K_TIME, true, NULL, NULL },
	{ "finished_at", K_TIME, false, NULL, NULL },
	{ "status", K_ENUM, true, NULL, statuses },
	{ "attempt", K_POSITIVE, true, NULL, NULL },
	{ "exit_code", K_EXIT_CODE, false, NULL, NULL },
	{ "run_id", K_ID, false, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

/* verdict: one regression check (lt-regress check), its metrics. */
static const struct field verdict_metric_fields[] = {
	{ "metric", K_CHECK_METRIC, true, NULL, NULL },
	{ "severity", K_ENUM, true, NULL, metric_severities },
	{ "status", K_ENUM, true, NULL, metric_statuses },
	{ NULL, 0, false, NULL, NULL },
};
static const struct spec verdict_metric_spec = { verdict_metric_fields, NULL };

static const struct field verdict_fields[] = {
	{ "check_id", K_ID, true, NULL, NULL },
	{ "scenario_id", K_ID, true, NULL, NULL },
	{ "run_id", K_ID, true, NULL, NULL },
	{ "environment", K_NAME, true, NULL, NULL },
	{ "status", K_ENUM, true, NULL, verdicts },
	{ "metrics", K_OBJECTS, true, &verdict_metric_spec, NULL },
	{ "alerts", K_COUNT, true, NULL, NULL },
	{ "created_at", K_TIME, true, NULL, NULL },
	{ NULL, 0, false, NULL, NULL },
};

static const struct spec type_specs[] = {
	[LT_NDJSON_RUN_START] = { run_start_fields, NULL },
	[LT_NDJSON_SAMPLE] = { sample_fields, check_counts },
	[LT_NDJSON_SUMMARY] = { summary_fields, check_summary },
	[LT_NDJSON_ALERT] = { alert_fields, NULL },
	[LT_NDJSON_BENCH] = { bench_fields, check_bench },
	[LT_NDJSON_EXECUTION] = { execution_fields, check_execution },
	[LT_NDJSON_VERDICT] = { verdict_fields, NULL },
};

static const struct {
	const char *metric, *path;
} metrics[] = {
	{ "responseTime.min", "latency_ms.min" },
	{ "responseTime.mean", "latency_ms.mean" },
	{ "responseTime.p50", "latency_ms.p50" },
	{ "responseTime.p90", "latency_ms.p90" },
	{ "responseTime.p95", "latency_ms.p95" },
	{ "responseTime.p99", "latency_ms.p99" },
	{ "responseTime.max", "latency_ms.max" },
	{ "throughput.avg", "throughput.avg" },
	{ "throughput.peak", "throughput.peak" },
	{ "errorRate", "error_rate" },
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

static const char *metric_path(const char *metric)
{
	for (size_t i = 0; i < NMETRICS; i++)
		if (strcmp(metric, metrics[i].metric) == 0)
			return metrics[i].path;
	return NULL;
}

/* The child of obj called name (case-sensitive).  *twice is set when
 * there is more than one: cJSON would read the first, jq the last. */
static const cJSON *find_member(const cJSON *obj, const char *name, bool *twice)
{
	const cJSON *found = NULL;
	*twice = false;
	for (const cJSON *c = obj->child; c; c = c->next) {
		if (c->string && strcmp(c->string, name) == 0) {
			if (found) {
				*twice = true;
				break;
			}
			found = c;
		}
	}
	return found;
}

/* The value of an integral number, or false. */
static bool integral(const cJSON *item, double lo, double hi, double *out)
{
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return false;
	double d = item->valuedouble;
	if (d != trunc(d) || d < lo || d > hi)
		return false;
	*out = d;
	return true;
}

static lt_rc expected(struct lt_err *err, const char *path, const char *what,
		      const cJSON *got)
{
	char buf[128];
	return lt_err_set(err, LT_EINVAL, "%s: expected %s, got %s", path, what,
			  describe(got, buf));
}

static bool parse_segment(const char *s, unsigned long *index, unsigned long *count)
{
	unsigned long part[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		int digits = 0;
		if (*s < '1' || *s > '9')
			return false;  /* no sign, no leading zero, not empty */
		while (*s >= '0' && *s <= '9') {
			if (++digits > 7)
				return false;
			part[i] = part[i] * 10 + (unsigned long)(*s++ - '0');
		}
		if (*s != (i == 0 ? '/' : '\0'))
			return false;
		s++;
	}
	if (part[0] > part[1] || part[1] > 1000000)
		return false;
	*index = part[0];
	*count = part[1];
	return true;
}

/* lti_time_parse() lets timegm() roll "02-31" over into March; a time in
 * a record must name a day that exists.  s has passed lti_time_parse, so
 * "YYYY-MM-DD" are digits. */
static bool real_date(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int month = (s[5] - '0') * 10 + (s[6] - '0');
	int day = (s[8] - '0') * 10 + (s[9] - '0');
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return day <= days[month - 1] + (month == 2 && leap);
}

static lt_rc check_object(const cJSON *obj, const char *path,
			  const struct spec *spec, struct lt_err *err);

#define PATH_LEN 256

/* path.name, or path[index] when name is NULL.  Contract paths are a few
 * dozen bytes; a longer one is cut, which still reads.  Built for every
 * field checked, so memcpy rather than snprintf (a sixth of the time a
 * reader spends on a sample went to formatting paths). */
static void path_join(char out[PATH_LEN], const char *path, const char *name, int index)
{
	size_t len = strnlen(path, PATH_LEN / 2), add;

	memcpy(out, path, len);
	if (!name) {
		snprintf(out + len, PATH_LEN - len, "[%d]", index);
		return;
	}
	add = strnlen(name, PATH_LEN - len - 2);
	out[len] = '.';
	memcpy(out + len + 1, name, add);
	out[len + 1 + add] = '\0';
}

static lt_rc check_value(const cJSON *item, const char *path,
			 const struct field *f, struct lt_err *err)
{
	double d;

	switch (f->kind) {
	case K_ID: {
		if (!cJSON_IsString(item) || !item->valuestring)
			return expected(err, path, "a string", item);
		size_t len = strlen(item->valuestring);
		if (len == 0)
			return lt_err_set(err, LT_EINVAL, "%s: must not be empty", path);
		if (len > LT_NDJSON_MAX_ID)
			return lt_err_set(err, LT_EINVAL, "%s: longer than %d bytes (%zu)",
					  path, LT_NDJSON_MAX_ID, len);
		for (const char *p = item->valuestring; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return lt_err_set(err, LT_EINVAL,
						  "%s: contains a control character", path);
		return LT_OK;
	}
	case K_STRING:
		if (!cJSON_IsString(item) || !item->valuestring)
			return expected(err, path, "a string", item);
		return LT_OK;
	case K_NAME:
		if (!cJSON_IsString(item) || !item->valuestring)
			return expected(err, path, "a string", item);
		if (!item->valuestring[0])
			return lt_err_set(err, LT_EINVAL, "%s: must not be empty", path);
		return LT_OK;
	case K_TIME:
		if (!cJSON_IsString(item) || !lti_time_parse(item->valuestring, &d) ||
		    !real_date(item->valuestring))
			return expected(err, path, "an RFC 3339 time", item);
		return LT_OK;
	case K_COUNT:
		if (!integral(item, 0, EXACT_LIMIT - 1, &d))
			return expected(err, path, "a non-negative integer", item);
		return LT_OK;
	case K_POSITIVE:
		if (!integral(item, 1, EXACT_LIMIT - 1, &d))
			return expected(err, path, "a positive integer", item);
		return LT_OK;
	case K_EXIT_CODE:
		if (!integral(item, 0, 255, &d))
			return expected(err, path, "an exit status (0..255)", item);
		return LT_OK;
	case K_NUMBER:
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
			return expected(err, path, "a number", item);
		return LT_OK;
	case K_NONNEG:
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
			return expected(err, path, "a number", item);
		if (item->valuedouble < 0)
			return expected(err, path, "a number >= 0", item);
		return LT_OK;
	case K_PERCENT:
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
			return expected(err, path, "a number", item);
		if (item->valuedouble < 0 || item->valuedouble > 100)
			return expected(err, path, "a percentage (0..100)", item);
		return LT_OK;
	case K_PROBABILITY:
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
			return expected(err, path, "a number", item);
		if (item->valuedouble < 0 || item->valuedouble > 1)
			return expected(err, path, "a probability (0..1)", item);
		return LT_OK;
	case K_BOOL:
		if (!cJSON_IsBool(item))
			return expected(err, path, "true or false", item);
		return LT_OK;
	case K_ENUM: {
		char what[128] = "one of ";
		if (cJSON_IsString(item) && item->valuestring)
			for (const char *const *c = f->choices; *c; c++)
				if (strcmp(item->valuestring, *c) == 0)
					return LT_OK;
		for (const char *const *c = f->choices; *c; c++) {
			strncat(what, *c, sizeof what - strlen(what) - 1);
			if (c[1])
				strncat(what, ", ", sizeof what - strlen(what) - 1);
		}
		return expected(err, path, what, item);
	}
	case K_SEGMENT: {
		unsigned long index, count;
		if (!cJSON_IsString(item) || !item->valuestring ||
		    !parse_segment(item->valuestring, &index, &count))
			return expected(err, path, "\"I/N\" with 1 <= I <= N <= 1000000", item);
		return LT_OK;
	}
	case K_METRIC:
	case K_CHECK_METRIC:
		if (!cJSON_IsString(item) || !item->valuestring)
			return expected(err, path, "a string", item);
		/* A benchmark check (lt-regress check of bench records) judges
		 * the benchmark's mean under its own name. */
		if (f->kind == K_CHECK_METRIC && !strncmp(item->valuestring, "bench:", 6) &&
		    item->valuestring[6])
			return LT_OK;
		if (!metric_path(item->valuestring)) {
			char buf[128];
			return lt_err_set(err, LT_EINVAL,
					  "%s: unknown metric %s (expected responseTime.min, "
					  ".mean, .p50, .p90, .p95, .p99, .max, throughput.avg, "
					  ".peak or errorRate)", path, describe(item, buf));
		}
		return LT_OK;
	case K_RANGE: {
		const cJSON *lo, *hi;
		char a[40], b[40];
		if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 2)
			return expected(err, path, "[lo, hi]", item);
		lo = item->child;
		hi = lo->next;
		if (!cJSON_IsNumber(lo) || !isfinite(lo->valuedouble))
			return lt_err_set(err, LT_EINVAL, "%s[0]: expected a number, got %s",
					  path, describe(lo, (char[128]){0}));
		if (!cJSON_IsNumber(hi) || !isfinite(hi->valuedouble))
			return lt_err_set(err, LT_EINVAL, "%s[1]: expected a number, got %s",
					  path, describe(hi, (char[128]){0}));
		if (lo->valuedouble > hi->valuedouble)
			return lt_err_set(err, LT_EINVAL, "%s: lo > hi (%s > %s)", path,
					  show_number(lo->valuedouble, a),
					  show_number(hi->valuedouble, b));
		return LT_OK;
	}
	case K_HIST: {
		struct lt_err herr = {0};
		lt_rc rc;
		if (!cJSON_IsObject(item))
			return expected(err, path, "a histogram object", item);
		rc = lt_hist_from_json(item, NULL, &herr);
		if (rc != LT_OK)
			return lt_err_set(err, rc, "%s: %s", path, lt_errmsg(&herr));
		return LT_OK;
	}
	case K_OBJECT:
		if (!cJSON_IsObject(item))
			return expected(err, path, "an object", item);
		return f->spec ? check_object(item, path, f->spec, err) : LT_OK;
	case K_OBJECTS: {
		int i = 0;
		if (!cJSON_IsArray(item))
			return expected(err, path, "an array", item);
		for (const cJSON *c = item->child; c; c = c->next, i++) {
			char sub[PATH_LEN];
			lt_rc rc;
			path_join(sub, path, NULL, i);
			if (!cJSON_IsObject(c))
				return expected(err, sub, "an object", c);
			if ((rc = check_object(c, sub, f->spec, err)) != LT_OK)
				return rc;
		}
		return LT_OK;
	}
	}
	return lt_err_set(err, LT_EINTERNAL, "%s: unknown field kind", path);
}

static lt_rc check_object(const cJSON *obj, const char *path,
			  const struct spec *spec, struct lt_err *err)
{
	for (const struct field *f = spec->fields; f->name; f++) {
		char sub[PATH_LEN];
		bool twice;
		const cJSON *item = find_member(obj, f->name, &twice);
		lt_rc rc;

		path_join(sub, path, f->name, 0);
		if (twice)
			return lt_err_set(err, LT_EINVAL, "%s: field given twice", sub);
		/* An optional field may be null: "not known" reads better as
		 * null than as a missing field in a table of records. */
		if (!item || (!f->required && cJSON_IsNull(item))) {
			if (f->required)
				return lt_err_set(err, LT_EINVAL,
						  "%s: required field is missing", sub);
			continue;
		}
		if ((rc = check_value(item, sub, f, err)) != LT_OK)
			return rc;
	}
	return spec->check ? spec->check(obj, path, err) : LT_OK;
}

/* The number at obj.name, for check functions that run after the table
 * checks passed (so it is there, or optional and absent: 0 then). */
static double num(const cJSON *obj, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

/* mean may miss [min, max] by rounding: the mean of three 0.1 s is a
 * little above 0.1 in doubles. */
static bool within(double mean, double min, double max)
{
	double slack = 1e-9 * fmax(fabs(min), fabs(max));
	return mean >= min - slack && mean <= max + slack;
}

static lt_rc check_latency(const cJSON *obj, const char *path, struct lt_err *err)
{
	static const char *const order[] = { "min", "p50", "p90", "p95", "p99", "max" };
	char a[40], b[40], c[40];

	for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++) {
		double lo = num(obj, order[i]), hi = num(obj, order[i + 1]);
		if (lo > hi)
			return lt_err_set(err, LT_EINVAL, "%s: %s > %s (%s > %s)", path,
					  order[i], order[i + 1], show_number(lo, a),
					  show_number(hi, b));
	}
	if (!within(num(obj, "mean"), num(obj, "min"), num(obj, "max")))
		return lt_err_set(err, LT_EINVAL, "%s.mean: %s is outside min..max (%s..%s)",
				  path, show_number(num(obj, "mean"), a),
				  show_number(num(obj, "min"), b),
				  show_number(num(obj, "max"), c));
	return LT_OK;
}

/* Errors are requests that failed, so never more than the requests. */
static lt_rc check_counts(const cJSON *obj, const char *path, struct lt_err *err)
{
	char a[40], b[40];
	if (num(obj, "errors") > num(obj, "requests"))
		return lt_err_set(err, LT_EINVAL, "%s.errors: %s is more than requests (%s)",
				  path, show_number(num(obj, "errors"), a),
				  show_number(num(obj, "requests"), b));
	return LT_OK;
}

static lt_rc check_summary(const cJSON *obj, const char *path, struct lt_err *err)
{
	double requests = num(obj, "requests"), rate = num(obj, "error_rate");
	double want = requests > 0 ? 100.0 * num(obj, "errors") / requests : 0;
	char a[40];
	lt_rc rc;

	if ((rc = check_counts(obj, path, err)) != LT_OK)
		return rc;
	if (fabs(rate - want) > ERROR_RATE_TOLERANCE)
		return lt_err_set(err, LT_EINVAL,
				  "%s.error_rate: %s does not match 100 * errors / requests "
				  "= %.6g (a percentage, not a fraction)", path,
				  show_number(rate, a), want);
	return LT_OK;
}

static lt_rc check_bench(const cJSON *obj, const char *path, struct lt_err *err)
{
	double min = num(obj, "min"), max = num(obj, "max");
	double median = num(obj, "median"), mean = num(obj, "mean");
	char a[40], b[40], c[40];

	if (min > max)
		return lt_err_set(err, LT_EINVAL, "%s: min > max (%s > %s)", path,
				  show_number(min, a), show_number(max, b));
	if (median < min || median > max)
		return lt_err_set(err, LT_EINVAL, "%s.median: %s is outside min..max (%s..%s)",
				  path, show_number(median, a), show_number(min, b),
				  show_number(max, c));
	if (!within(mean, min, max))
		return lt_err_set(err, LT_EINVAL, "%s.mean: %s is outside min..max (%s..%s)",
				  path, show_number(mean, a), show_number(min, b),
				  show_number(max, c));
	return LT_OK;
}

static lt_rc check_execution(const cJSON *obj, const char *path, struct lt_err *err)
{
	const cJSON *finished = cJSON_GetObjectItemCaseSensitive(obj, "finished_at");
	double start = 0, end = 0;

	if (cJSON_IsString(finished) &&
	    lti_time_parse(cJSON_GetObjectItemCaseSensitive(obj, "started_at")->valuestring, &start) &&
	    lti_time_parse(finished->valuestring, &end) && end < start)
		return lt_err_set(err, LT_EINVAL, "%s.finished_at: before started_at", path);
	return LT_OK;
}

lt_rc lt_ndjson_validate(const cJSON *rec, enum lt_ndjson_type *type,
			 struct lt_err *err)
{
	const cJSON *v, *name;
	enum lt_ndjson_type t;
	bool twice;
	double version;
	char buf[128];
	lt_rc rc;

	if (!cJSON_IsObject(rec))
		return lt_err_set(err, LT_EINVAL, "expected a JSON object, got %s",
				  describe(rec, buf));
	/* The version first: a record of a later version may well have a
	 * type this lt has never heard of, and "unknown type" would hide
	 * the real reason. */
	v = find_member(rec, "v", &twice);
	if (twice)
		return lt_err_set(err, LT_EINVAL, "v: field given twice");
	if (cJSON_IsNumber(v) && v->valuedouble != LT_NDJSON_VERSION)
		return lt_err_set(err, LT_EINVAL,
				  "v: unsupported record version %s (this lt reads version %d)",
				  describe(v, buf), LT_NDJSON_VERSION);
	name = find_member(rec, "type", &twice);
	if (twice)
		return lt_err_set(err, LT_EINVAL, "type: field given twice");
	if (!name)
		return lt_err_set(err, LT_EINVAL, "type: required field is missing");
	if (!cJSON_IsString(name))
		return expected(err, "type", "a string", name);
	t = lt_ndjson_type_parse(name->valuestring);
	if (t == LT_NDJSON_NONE)
		return lt_err_set(err, LT_EINVAL,
				  "type: unknown record type %s (expected run_start, sample, "
				  "summary, alert, bench, execution or verdict)", describe(name, buf));
	if (!v)
		return lt_err_set(err, LT_EINVAL, "v: required field is missing");
	if (!integral(v, LT_NDJSON_VERSION, LT_NDJSON_VERSION, &version))
		return expected(err, "v", "1", v);
	if ((rc = check_object(rec, type_names[t], &type_specs[t], err)) != LT_OK)
		return rc;
	if (type)
		*type = t;
	return LT_OK;
}

/* ---- the reader ---- */

/* What the reader remembers of a run, for the order rules. */
struct run {
	struct run *hash_next;
	struct run *ended_prev, *ended_next;  /* the FIFO of ended runs */
	unsigned long start_line;
	unsigned long summary_line;           /* 0 while the run is open */
	double last_t;
	bool has_t;
	char id[];
};

struct lt_ndjson_reader {
	FILE *f;
	char *name;
	char *buf;              /* the line being read, NUL-terminated */
	size_t len, cap;
	unsigned long line;     /* of the record last returned, or the last error */
	unsigned long reading;  /* the line being read */
	bool skipping;          /* throwing away the rest of an over-long line */
	bool eof;
	struct run **buckets;   /* chained hash of the runs remembered */
	size_t nbuckets, nopen, nended;
	struct run *ended_head, *ended_tail;
};

struct lt_ndjson_reader *lt_ndjson_reader_new(FILE *f, const char *name)
{
	struct lt_ndjson_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->f = f;
	r->reading = 1;
	r->nbuckets = 64;
	r->cap = 4096;
	if (!(r->name = strdup(name ? name : "<input>")) || !(r->buf = malloc(r->cap)) ||
	    !(r->buckets = calloc(r->nbuckets, sizeof *r->buckets))) {
		lt_ndjson_reader_free(r);
		return NULL;
	}
	return r;
}

void lt_ndjson_reader_free(struct lt_ndjson_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->buckets && i < r->nbuckets; i++) {
		struct run *next;
		for (struct run *run = r->buckets[i]; run; run = next) {
			next = run->hash_next;
			free(run);
		}
	}
	free(r->buckets);
	free(r->buf);
	free(r->name);
	free(r);
}

unsigned long lt_ndjson_reader_line(const struct lt_ndjson_reader *r)
{
	return r->line;
}

const char *lt_ndjson_reader_name(const struct lt_ndjson_reader *r)
{
	return r->name;
}

/* FNV-1a: short keys, no adversary worth a keyed hash (a stream that
 * collides on purpose costs its writer as much as its reader). */
static size_t hash_id(const char *s)
{
	uint64_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static struct run *run_find(struct lt_ndjson_reader *r, const char *id)
{
	for (struct run *run = r->buckets[hash_id(id) & (r->nbuckets - 1)]; run;
	     run = run->hash_next)
		if (strcmp(run->id, id) == 0)
			return run;
	return NULL;
}

/* Double the table when it holds more runs than buckets; a failed
 * allocation just leaves the chains longer. */
static void run_table_grow(struct lt_ndjson_reader *r)
{
	size_t n = r->nbuckets * 2;
	struct run **buckets;

	if (r->nopen + r->nended <= r->nbuckets || !(buckets = calloc(n, sizeof *buckets)))
		return;
	for (size_t i = 0; i < r->nbuckets; i++) {
		struct run *next;
		for (struct run *run = r->buckets[i]; run; run = next) {
			size_t b = hash_id(run->id) & (n - 1);
			next = run->hash_next;
			run->hash_next = buckets[b];
			buckets[b] = run;
		}
	}
	free(r->buckets);
	r->buckets = buckets;
	r->nbuckets = n;
}

static void ended_unlink(struct lt_ndjson_reader *r, struct run *run)
{
	if (run->ended_prev)
		run->ended_prev->ended_next = run->ended_next;
	else
		r->ended_head = run->ended_next;
	if (run->ended_next)
		run->ended_next->ended_prev = run->ended_prev;
	else
		r->ended_tail = run->ended_prev;
	run->ended_prev = run->ended_next = NULL;
	r->nended--;
}

/* Forget the run that ended longest ago. */
static void ended_evict(struct lt_ndjson_reader *r)
{
	struct run *old = r->ended_head, **link;

	ended_unlink(r, old);
	link = &r->buckets[hash_id(old->id) & (r->nbuckets - 1)];
	while (*link != old)
		link = &(*link)->hash_next;
	*link = old->hash_next;
	free(old);
}

static lt_rc out_of_order(struct lt_err *err, const char *what, const char *type,
			  const char *id, unsigned long line)
{
	if (line)
		return lt_err_set(err, LT_EINVAL,
				  "records out of order: %s %s the %s of run \"%s\" (line %lu)",
				  type, what, strcmp(what, "after") == 0 ? "summary" : "run_start",
				  id, line);
	return lt_err_set(err, LT_EINVAL,
			  "records out of order: %s %s the %s of run \"%s\"", type, what,
			  strcmp(what, "after") == 0 ? "summary" : "run_start", id);
}

/* Apply the order rules to a valid record read on line r->line: check
 * first, then change the run table, so a refused record changes nothing. */
static lt_rc stream_rules(struct lt_ndjson_reader *r, const cJSON *rec,
			  enum lt_ndjson_type type, struct lt_err *err)
{
	const char *id = cJSON_GetObjectItemCaseSensitive(rec, "run_id")->valuestring;
	struct run *run = run_find(r, id);
	char a[40], b[40];

	switch (type) {
	case LT_NDJSON_RUN_START:
		if (run && !run->summary_line)
			return lt_err_set(err, LT_EINVAL,
					  "run_start: duplicate run_id \"%s\" (first at line %lu)",
					  id, run->start_line);
		if (r->nopen >= LT_NDJSON_MAX_OPEN_RUNS)
			return lt_err_set(err, LT_ELIMIT,
					  "more than %d runs open at once (started, no summary yet)",
					  LT_NDJSON_MAX_OPEN_RUNS);
		if (run) {
			/* The run again after its summary: a replayed stream. */
			ended_unlink(r, run);
		} else {
			size_t len = strlen(id), b_index;
			if (!(run = malloc(sizeof *run + len + 1)))
				return lt_err_set(err, LT_ENOMEM, "out of memory");
			memcpy(run->id, id, len + 1);
			b_index = hash_id(id) & (r->nbuckets - 1);
			run->hash_next = r->buckets[b_index];
			r->buckets[b_index] = run;
		}
		run->ended_prev = run->ended_next = NULL;
		run->start_line = r->line;
		run->summary_line = 0;
		run->has_t = false;
		r->nopen++;
		run_table_grow(r);
		return LT_OK;
	case LT_NDJSON_SAMPLE: {
		double t = cJSON_GetObjectItemCaseSensitive(rec, "t")->valuedouble;
		if (!run)
			return out_of_order(err, "before", "sample", id, 0);
		if (run->summary_line)
			return out_of_order(err, "after", "sample", id, run->summary_line);
		if (run->has_t && t < run->last_t)
			return lt_err_set(err, LT_EINVAL,
					  "records out of order: sample t=%s after t=%s",
					  show_number(t, a), show_number(run->last_t, b));
		/* A run has one sample a second: the database keys them by t. */
		if (run->has_t && t == run->last_t)
			return lt_err_set(err, LT_EINVAL,
					  "records out of order: a second sample at t=%s",
					  show_number(t, a));
		run->last_t = t;
		run->has_t = true;
		return LT_OK;
	}
	case LT_NDJSON_SUMMARY:
		if (!run)
			return out_of_order(err, "before", "summary", id, 0);
		if (run->summary_line)
			return lt_err_set(err, LT_EINVAL,
					  "summary: duplicate summary for run \"%s\" (first at line %lu)",
					  id, run->summary_line);
		run->summary_line = r->line;
		r->nopen--;
		run->ended_prev = r->ended_tail;
		if (r->ended_tail)
			r->ended_tail->ended_next = run;
		else
			r->ended_head = run;
		r->ended_tail = run;
		r->nended++;
		if (r->nended > LT_NDJSON_ENDED_RUNS_KEPT)
			ended_evict(r);
		return LT_OK;
	default:
		return LT_OK;
	}
}

/* Read up to the end of the line into r->buf.  LT_OK with *got false at
 * the end of input (r->len 0); with *got true and *newline saying whether
 * the line ended with one.  Resumable after LT_EINTR or EAGAIN: what was
 * read stays in r->buf. */
static lt_rc read_line(struct lt_ndjson_reader *r, bool *got, bool *newline,
		       struct lt_err *err)
{
	lt_rc rc = LT_OK;

	*got = *newline = false;
	if (r->eof)
		return LT_OK;
	flockfile(r->f);
	for (;;) {
		int c = getc_unlocked(r->f);

		if (c == EOF) {
			if (ferror(r->f)) {
				int e = errno;
				clearerr(r->f);
				r->line = r->reading;
				rc = e == EINTR ? lt_err_set(err, LT_EINTR, "%s:%lu: interrupted",
							     r->name, r->line)
					: lt_err_set(err, LT_EIO, "%s:%lu: read error: %s",
						     r->name, r->line, strerror(e));
				break;
			}
			r->eof = true;
			*got = r->len > 0;
			r->skipping = false;
			break;
		}
		if (c == '\n') {
			if (r->skipping) {
				r->skipping = false;
				r->reading++;
				continue;
			}
			*got = *newline = true;
			break;
		}
		if (r->skipping)
			continue;
		if (r->len == LT_NDJSON_MAX_LINE) {
			/* Give up on the line now rather than hold it: the rest
			 * is skipped on the next call. */
			r->skipping = true;
			r->len = 0;
			r->line = r->reading;
			rc = lt_err_set(err, LT_ELIMIT, "%s:%lu: line longer than %d bytes",
					r->name, r->line, LT_NDJSON_MAX_LINE);
			break;
		}
		if (r->len + 1 >= r->cap) {
			size_t cap = r->cap * 2;
			char *buf;
			if (cap > (size_t)LT_NDJSON_MAX_LINE + 1)
				cap = (size_t)LT_NDJSON_MAX_LINE + 1;
			if (!(buf = realloc(r->buf, cap))) {
				r->line = r->reading;
				rc = lt_err_set(err, LT_ENOMEM, "%s:%lu: out of memory",
						r->name, r->line);
				break;
			}
			r->buf = buf;
			r->cap = cap;
		}
		r->buf[r->len++] = (char)c;
	}
	funlockfile(r->f);
	if (*got)
		r->buf[r->len] = '\0';
	return rc;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The byte column (from 1) of the first bad UTF-8 sequence in s. */
static size_t utf8_error_column(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			: (c & 0xf8) == 0xf0 ? 4 : 1;
		if (n > len - i || !lti_utf8_valid(s + i, n))
			return i + 1;
		i += n;
	}
	return len + 1;
}

/* Turn the line in r->buf (line r->line) into a record. */
static lt_rc parse_line(struct lt_ndjson_reader *r, bool newline, cJSON **rec,
			enum lt_ndjson_type *type, struct lt_err *err)
{
	const char *end = NULL, *nul = memchr(r->buf, '\0', r->len);
	enum lt_ndjson_type t = LT_NDJSON_NONE;
	cJSON *json;
	lt_rc rc;

	if (nul)
		return lt_err_set(err, LT_EINVAL, "%s:%lu: line contains a NUL byte (at column %zu)",
				  r->name, r->line, (size_t)(nul - r->buf) + 1);
	if (!lti_utf8_valid(r->buf, r->len))
		return lt_err_set(err, LT_EINVAL, "%s:%lu: invalid UTF-8 (at column %zu)",
				  r->name, r->line, utf8_error_column(r->buf, r->len));
	/* len + 1: cJSON wants to see the terminating NUL to be sure
	 * nothing follows the value. */
	json = cJSON_ParseWithLengthOpts(r->buf, r->len + 1, &end, 1);
	if (!json) {
		size_t column = end && end >= r->buf ? (size_t)(end - r->buf) + 1 : 1;
		if (column > r->len + 1)
			column = r->len + 1;
		if (!newline)
			return lt_err_set(err, LT_EINVAL,
					  "%s:%lu: last line is incomplete (no newline at end "
					  "of input, not valid JSON at column %zu)",
					  r->name, r->line, column);
		return lt_err_set(err, LT_EINVAL,
				  "%s:%lu: line is not valid JSON (at column %zu)",
				  r->name, r->line, column);
	}
	if ((rc = lt_ndjson_validate(json, &t, err)) != LT_OK ||
	    ((t == LT_NDJSON_RUN_START || t == LT_NDJSON_SAMPLE || t == LT_NDJSON_SUMMARY) &&
	     (rc = stream_rules(r, json, t, err)) != LT_OK)) {
		cJSON_Delete(json);
		lt_err_prefix(err, "%s:%lu", r->name, r->line);
		return rc;
	}
	*rec = json;
	*type = t;
	return LT_OK;
}

lt_rc lt_ndjson_reader_next(struct lt_ndjson_reader *r, cJSON **rec,
			    enum lt_ndjson_type *type, struct lt_err *err)
{
	for (;;) {
		bool got, newline;
		lt_rc rc = read_line(r, &got, &newline, err);

		if (rc != LT_OK)
			return rc;
		if (!got) {
			*rec = NULL;
			*type = LT_NDJSON_NONE;
			return LT_OK;
		}
		r->line = r->reading;
		if (newline)
			r->reading++;
		if (blank(r->buf, r->len)) {
			r->len = 0;
			continue;
		}
		rc = parse_line(r, newline, rec, type, err);
		r->len = 0;
		return rc;
	}
}

/* ---- encoding ---- */

/* Where the encoder is, for its messages: a chain up to the record. */
struct where {
	const struct where *up;
	const char *key;        /* NULL: an array element */
	int index;
};

static void where_format(const struct where *w, char *out, size_t n)
{
	if (!w->up) {
		snprintf(out, n, "%s", w->key);
		return;
	}
	where_format(w->up, out, n);
	size_t len = strlen(out);
	if (w->key)
		snprintf(out + len, n - len, ".%s", w->key);
	else
		snprintf(out + len, n - len, "[%d]", w->index);
}

static lt_rc encode_failed(struct lt_err *err, const struct where *w, const char *why)
{
	char path[256];
	where_format(w, path, sizeof path);
	return lt_err_set(err, LT_EINVAL, "%s: %s", path, why);
}

static lt_rc encode_item(struct sbuf *b, const cJSON *item, const struct where *w,
			 int depth, struct lt_err *err)
{
	char num[40];

	if (depth > MAX_DEPTH)
		return encode_failed(err, w, "nested deeper than 1000 levels");
	switch (item->type & 0xff) {
	case cJSON_False:
		sb_puts(b, "false");
		break;
	case cJSON_True:
		sb_puts(b, "true");
		break;
	case cJSON_NULL:
		sb_puts(b, "null");
		break;
	case cJSON_Number:
		if (!isfinite(item->valuedouble))
			return encode_failed(err, w, "NaN or infinity cannot be written");
		format_number(item->valuedouble, num);
		sb_puts(b, num);
		break;
	case cJSON_String: {
		size_t len;
		if (!item->valuestring)
			return encode_failed(err, w, "string without a value");
		len = strlen(item->valuestring);
		if (!lti_utf8_valid(item->valuestring, len))
			return encode_failed(err, w, "string is not valid UTF-8");
		sb_json_string(b, item->valuestring, len);
		break;
	}
	case cJSON_Array:
	case cJSON_Object: {
		bool object = (item->type & 0xff) == cJSON_Object;
		int i = 0;
		sb_puts(b, object ? "{" : "[");
		for (const cJSON *c = item->child; c; c = c->next, i++) {
			struct where here = { w, object ? c->string : NULL, i };
			lt_rc rc;
			if (c != item->child)
				sb_puts(b, ",");
			if (object) {
				size_t len;
				if (!c->string) {
					here.key = "?";
					return encode_failed(err, &here, "object member without a name");
				}
				len = strlen(c->string);
				if (!lti_utf8_valid(c->string, len))
					return encode_failed(err, &here, "name is not valid UTF-8");
				sb_json_string(b, c->string, len);
				sb_puts(b, ":");
			}
			if ((rc = encode_item(b, c, &here, depth + 1, err)) != LT_OK)
				return rc;
			if (b->oom || b->too_long)
				return LT_OK;  /* the caller reports it */
		}
		sb_puts(b, object ? "}" : "]");
		break;
	}
	default:
		/* Raw JSON would go out unchecked: it could hold a newline or
		 * anything else that breaks the stream. */
		if ((item->type & 0xff) == cJSON_Raw)
			return encode_failed(err, w, "raw JSON cannot be written");
		return encode_failed(err, w, "not a JSON value (invalid cJSON item)");
	}
	return LT_OK;
}

/* rec encoded into b; LT_OK, LT_EINVAL, LT_ELIMIT or LT_ENOMEM. */
static lt_rc encode(const cJSON *rec, struct sbuf *b, struct lt_err *err)
{
	const char *type = cJSON_IsObject(rec) ? lt_ndjson_get_str(rec, "type") : NULL;
	struct where root = { NULL, type ? type : "record", 0 };
	lt_rc rc;

	b->limit = LT_NDJSON_MAX_LINE;
	if (!rec)
		return lt_err_set(err, LT_EINVAL, "no record to write");
	if ((rc = encode_item(b, rec, &root, 0, err)) != LT_OK)
		return rc;
	if (b->oom)
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	if (b->too_long)
		return lt_err_set(err, LT_ELIMIT, "%s: record longer than %d bytes",
				  root.key, LT_NDJSON_MAX_LINE);
	return LT_OK;
}

char *lt_ndjson_encode(const cJSON *rec)
{
	struct sbuf b = {0};

	if (encode(rec, &b, NULL) != LT_OK) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

lt_rc lt_ndjson_write(FILE *out, const cJSON *rec, struct lt_err *err)
{
	struct sbuf b = {0};
	struct stat st;
	lt_rc rc;

	if ((rc = encode(rec, &b, err)) != LT_OK)
		goto done;
	b.limit = (size_t)LT_NDJSON_MAX_LINE + 1;
	sb_puts(&b, "\n");
	if (b.oom) {
		rc = lt_err_set(err, LT_ENOMEM, "out of memory");
		goto done;
	}
	errno = 0;
	if (fwrite(b.p, 1, b.len, out) != b.len) {
		rc = lt_err_set(err, LT_EIO, "write error: %s",
				strerror(errno ? errno : EIO));
		goto done;
	}
	/* A pipe or a socket wants the line now: the next program shows or
	 * records each second as it comes.  A regular file keeps stdio's
	 * buffer, which is much cheaper for an export of a million lines.
	 * fileno() fails on a memory stream: flushing it is harmless. */
	if (fileno(out) < 0 || fstat(fileno(out), &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fflush(out) != 0) {
			rc = lt_err_set(err, LT_EIO, "write error: %s",
					strerror(errno ? errno : EIO));
			goto done;
		}
	}
done:
	free(b.p);
	return rc;
}

/* ---- building ---- */

static double round_to(double x, double scale)
{
	return round(x * scale) / scale;
}

double lt_ndjson_ms(double us)
{
	return round(us) / 1000.0;
}

/* Add item to obj as name; false (item freed) when item is NULL or the
 * addition fails: out of memory either way. */
static bool add(cJSON *obj, const char *name, cJSON *item)
{
	if (!item)
		return false;
	if (!(name ? cJSON_AddItemToObject(obj, name, item) : cJSON_AddItemToArray(obj, item))) {
		cJSON_Delete(item);
		return false;
	}
	return true;
}

/* A NULL string is left out: lt_ndjson_validate then names it when it
 * is required, which says more than "out of memory" would. */
static bool add_str(cJSON *obj, const char *name, const char *s)
{
	return !s || add(obj, name, cJSON_CreateString(s));
}

static bool add_num(cJSON *obj, const char *name, double d)
{
	return add(obj, name, cJSON_CreateNumber(d));
}

static bool add_time(cJSON *obj, const char *name, double t)
{
	char buf[LTI_TIME_LEN];
	if (!isfinite(t))
		return add_num(obj, name, t);  /* validate names the field */
	lti_time_format(t, buf);
	return add_str(obj, name, buf);
}

/* Replace (or add) obj.name with item; false when out of memory. */
static bool set(cJSON *obj, const char *name, cJSON *item)
{
	if (!item)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(obj, name))
		return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item) ||
		       (cJSON_Delete(item), false);
	return add(obj, name, item);
}

cJSON *lt_ndjson_new(enum lt_ndjson_type type)
{
	const char *name = lt_ndjson_type_name(type);
	cJSON *rec;

	if (!name || !(rec = cJSON_CreateObject()))
		return NULL;
	if (!add_str(rec, "type", name) || !add_num(rec, "v", LT_NDJSON_VERSION)) {
		cJSON_Delete(rec);
		return NULL;
	}
	return rec;
}

cJSON *lt_ndjson_latency_json(const struct lt_hist *h, bool with_stddev)
{
	static const double pcts[] = { 50, 90, 95, 99 };
	static const char *const names[] = { "p50", "p90", "p95", "p99" };
	bool empty = !h || lt_hist_count(h) == 0;
	double min = empty ? 0 : lt_ndjson_ms((double)lt_hist_min(h));
	double max = empty ? 0 : lt_ndjson_ms((double)lt_hist_max(h));
	double previous = min;
	cJSON *obj = cJSON_CreateObject();

	if (!obj || !add_num(obj, "min", min) ||
	    !add_num(obj, "mean", empty ? 0 : lt_ndjson_ms(lt_hist_mean(h))))
		goto fail;
	for (size_t i = 0; i < 4; i++) {
		double p = empty ? 0 : lt_ndjson_ms((double)lt_hist_percentile(h, pcts[i]));
		/* The histogram already keeps these in order within [min,
		 * max]; the clamp makes the contract hold whatever it does. */
		p = fmin(fmax(p, previous), max);
		previous = p;
		if (!add_num(obj, names[i], p))
			goto fail;
	}
	if (!add_num(obj, "max", max))
		goto fail;
	if (with_stddev && !add_num(obj, "stddev", empty ? 0 : lt_ndjson_ms(lt_hist_stddev(h))))
		goto fail;
	return obj;
fail:
	cJSON_Delete(obj);
	return NULL;
}

/* latency_ms and, when h is given, hist. */
static bool add_latency(cJSON *obj, const struct lt_hist *h, bool with_stddev)
{
	if (!add(obj, "latency_ms", lt_ndjson_latency_json(h, with_stddev)))
		return false;
	return !h || add(obj, "hist", lt_hist_to_json(h));
}

/* Validate what a builder made; *out takes it on success. */
static lt_rc finish(cJSON *rec, bool ok, cJSON **out, struct lt_err *err)
{
	lt_rc rc;

	if (!ok) {
		cJSON_Delete(rec);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	if ((rc = lt_ndjson_validate(rec, NULL, err)) != LT_OK) {
		cJSON_Delete(rec);
		return rc;
	}
	*out = rec;
	return LT_OK;
}

lt_rc lt_ndjson_build_run_start(const struct lt_ndjson_run_start *in,
				cJSON **out, struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_RUN_START);
	bool ok = rec != NULL;

	ok = ok && add_str(rec, "run_id", in->run_id) &&
	     add_str(rec, "scenario_id", in->scenario_id) &&
	     add_str(rec, "scenario_name", in->scenario_name) &&
	     add_time(rec, "started_at", in->started_at);
	if (ok && (in->segment_index || in->segment_count)) {
		char segment[32];
		snprintf(segment, sizeof segment, "%u/%u", in->segment_index, in->segment_count);
		ok = add_str(rec, "segment", segment);
	}
	ok = ok && add_str(rec, "run_group", in->run_group) &&
	     add_str(rec, "host", in->host) &&
	     add_str(rec, "version", in->version ? in->version : LT_VERSION) &&
	     (!in->config || add(rec, "config", cJSON_Duplicate(in->config, 1)));
	return finish(rec, ok, out, err);
}

lt_rc lt_ndjson_build_sample(const struct lt_ndjson_sample *in, cJSON **out,
			     struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_SAMPLE);
	bool ok = rec != NULL;

	ok = ok && add_str(rec, "run_id", in->run_id) &&
	     add_num(rec, "t", in->t) &&
	     add_str(rec, "phase", in->phase) &&
	     add_num(rec, "users", (double)in->users) &&
	     add_num(rec, "requests", (double)in->requests) &&
	     add_num(rec, "errors", (double)in->errors) &&
	     add_num(rec, "rps", round_to(in->rps, 1000)) &&
	     add_num(rec, "dropped", (double)in->dropped) &&
	     add(rec, "latency_ms", lt_ndjson_latency_json(in->hist, false)) &&
	     add_num(rec, "bytes_in", (double)in->bytes_in) &&
	     add_num(rec, "bytes_out", (double)in->bytes_out) &&
	     (in->cpu_pct < 0 || add_num(rec, "cpu_pct", round_to(in->cpu_pct, 100))) &&
	     (in->rss_kb < 0 || add_num(rec, "rss_kb", (double)in->rss_kb)) &&
	     (!in->hist || add(rec, "hist", lt_hist_to_json(in->hist)));
	return finish(rec, ok, out, err);
}

static cJSON *endpoint_json(const struct lt_ndjson_endpoint *e)
{
	cJSON *obj = cJSON_CreateObject();

	if (obj && add_str(obj, "name", e->name) && add_str(obj, "method", e->method) &&
	    add_str(obj, "path", e->path) && add_num(obj, "requests", (double)e->requests) &&
	    add_num(obj, "errors", (double)e->errors) && add_latency(obj, e->hist, false))
		return obj;
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *endpoints_json(const struct lt_ndjson_endpoint *e, size_t n)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; array && i < n; i++)
		if (!add(array, NULL, endpoint_json(&e[i]))) {
			cJSON_Delete(array);
			return NULL;
		}
	return array;
}

/* Fill in each threshold's value and ok from summary's own figures, and
 * passed from them.  LT_EINVAL for a threshold whose metric the summary
 * cannot give. */
static lt_rc evaluate_thresholds(cJSON *summary, struct lt_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(summary, "thresholds");
	bool passed = true;
	int i = 0;

	for (cJSON *t = list ? list->child : NULL; t; t = t->next, i++) {
		const char *metric = lt_ndjson_get_str(t, "metric");
		const char *op = lt_ndjson_get_str(t, "op");
		double limit = 0, value = 0;
		bool ok;

		if (!metric || !op || !lt_ndjson_get_num(t, "limit", &limit))
			return lt_err_set(err, LT_EINVAL,
					  "summary.thresholds[%d]: needs metric, op and limit", i);
		if (lt_ndjson_metric(summary, metric, &value) != LT_OK)
			return lt_err_set(err, LT_EINVAL,
					  "summary.thresholds[%d].metric: unknown metric \"%s\"",
					  i, metric);
		ok = lt_ndjson_compare(value, op, limit);
		if (!set(t, "value", cJSON_CreateNumber(value)) ||
		    !set(t, "ok", cJSON_CreateBool(ok)))
			return lt_err_set(err, LT_ENOMEM, "out of memory");
		passed = passed && ok;
	}
	if (!set(summary, "passed", cJSON_CreateBool(passed)))
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	return LT_OK;
}

/* Set every figure of in on rec (new or existing). */
static bool set_figures(cJSON *rec, const struct lt_ndjson_summary *in)
{
	double requests = (double)in->requests;
	double rate = in->requests ? round_to(100.0 * (double)in->errors / requests, 10000) : 0;
	double avg = in->duration_s > 0 ? round_to(requests / in->duration_s, 1000) : 0;
	cJSON *throughput = cJSON_CreateObject(), *users = cJSON_CreateObject();
	bool ok;

	if (!add_num(throughput, "avg", avg) ||
	    !add_num(throughput, "peak", round_to(in->peak_rps, 1000))) {
		cJSON_Delete(throughput);
		throughput = NULL;
	}
	if (!add_num(users, "peak", (double)in->peak_users)) {
		cJSON_Delete(users);
		users = NULL;
	}
	ok = (!in->run_id || set(rec, "run_id", cJSON_CreateString(in->run_id))) &&
	     set(rec, "duration_s", cJSON_CreateNumber(round_to(in->duration_s, 1000))) &&
	     set(rec, "requests", cJSON_CreateNumber(requests)) &&
	     set(rec, "errors", cJSON_CreateNumber((double)in->errors)) &&
	     set(rec, "error_rate", cJSON_CreateNumber(rate));
	if (!ok || !set(rec, "throughput", throughput)) {
		cJSON_Delete(users);
		return false;
	}
	return set(rec, "latency_ms", lt_ndjson_latency_json(in->hist, true)) &&
	       set(rec, "users", users);
}

lt_rc lt_ndjson_build_summary(const struct lt_ndjson_summary *in,
			      cJSON **out, struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_SUMMARY), *thresholds = NULL;
	bool ok = rec != NULL;
	lt_rc rc;

	ok = ok && add_str(rec, "run_id", in->run_id) && set_figures(rec, in) &&
	     add(rec, "endpoints", endpoints_json(in->endpoints, in->n_endpoints)) &&
	     add(rec, "thresholds", thresholds = cJSON_CreateArray());
	for (size_t i = 0; ok && i < in->n_thresholds; i++) {
		const struct lt_ndjson_threshold *t = &in->thresholds[i];
		cJSON *obj = cJSON_CreateObject();
		ok = add(thresholds, NULL, obj) && add_str(obj, "metric", t->metric) &&
		     add_str(obj, "op", t->op) && add_num(obj, "limit", t->limit);
	}
	ok = ok && add(rec, "passed", cJSON_CreateTrue()) &&
	     add(rec, "interrupted", cJSON_CreateBool(in->interrupted)) &&
	     (!in->hist || add(rec, "hist", lt_hist_to_json(in->hist)));
	if (ok && (rc = evaluate_thresholds(rec, err)) != LT_OK) {
		cJSON_Delete(rec);
		return rc;
	}
	return finish(rec, ok, out, err);
}

lt_rc lt_ndjson_summary_recompute(cJSON *summary,
				  const struct lt_ndjson_summary *in,
				  struct lt_err *err)
{
	cJSON *copy = cJSON_Duplicate(summary, 1), *swap;
	bool ok = copy != NULL;
	lt_rc rc;

	if (ok && !cJSON_IsObject(copy)) {
		cJSON_Delete(copy);
		return lt_err_set(err, LT_EINVAL, "expected a summary record");
	}
	ok = ok && set_figures(copy, in) &&
	     set(copy, "interrupted", cJSON_CreateBool(in->interrupted));
	if (ok && in->endpoints)
		ok = set(copy, "endpoints", endpoints_json(in->endpoints, in->n_endpoints));
	if (ok) {
		if (in->hist)
			ok = set(copy, "hist", lt_hist_to_json(in->hist));
		else
			cJSON_DeleteItemFromObjectCaseSensitive(copy, "hist");
	}
	if (!ok) {
		cJSON_Delete(copy);
		return lt_err_set(err, LT_ENOMEM, "out of memory");
	}
	if ((rc = evaluate_thresholds(copy, err)) != LT_OK ||
	    (rc = lt_ndjson_validate(copy, NULL, err)) != LT_OK) {
		cJSON_Delete(copy);
		return rc;
	}
	if (lt_ndjson_type_parse(lt_ndjson_get_str(copy, "type")) != LT_NDJSON_SUMMARY) {
		cJSON_Delete(copy);
		return lt_err_set(err, LT_EINVAL, "expected a summary record");
	}
	/* Trade children: summary gets the new fields, copy the old ones. */
	swap = summary->child;
	summary->child = copy->child;
	copy->child = swap;
	cJSON_Delete(copy);
	return LT_OK;
}

lt_rc lt_ndjson_build_alert(const struct lt_ndjson_alert *in, cJSON **out,
			    struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_ALERT);
	bool ok = rec != NULL;
	bool has_p = !isnan(in->p_value) && in->p_value >= 0;

	ok = ok && add_str(rec, "alert_id", in->alert_id) &&
	     add_str(rec, "scenario_id", in->scenario_id) &&
	     add_str(rec, "run_id", in->run_id) &&
	     add_str(rec, "metric", in->metric) &&
	     add_num(rec, "baseline", in->baseline) &&
	     add_num(rec, "current", in->current) &&
	     add_num(rec, "change_pct", round_to(in->change_pct, 10000)) &&
	     add(rec, "p_value", has_p ? cJSON_CreateNumber(in->p_value) : cJSON_CreateNull()) &&
	     add_str(rec, "method", in->method) &&
	     add_str(rec, "severity", in->severity) &&
	     add_str(rec, "message", in->message);
	return finish(rec, ok, out, err);
}

lt_rc lt_ndjson_build_bench(const struct lt_ndjson_bench *in, cJSON **out,
			    struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_BENCH);
	bool ok = rec != NULL;

	ok = ok && add_str(rec, "bench_id", in->bench_id) &&
	     add_str(rec, "suite", in->suite) &&
	     add_str(rec, "name", in->name) &&
	     add_str(rec, "unit", in->unit) &&
	     add_num(rec, "runs", (double)in->runs) &&
	     add_num(rec, "mean", in->mean) &&
	     add_num(rec, "stddev", in->stddev) &&
	     add_num(rec, "median", in->median) &&
	     add_num(rec, "min", in->min) &&
	     add_num(rec, "max", in->max);
	if (ok && in->has_ci95) {
		cJSON *ci = cJSON_CreateArray();
		ok = add(rec, "ci95", ci) && add_num(ci, NULL, in->ci95_lo) &&
		     add_num(ci, NULL, in->ci95_hi);
	}
	if (ok && in->has_resources) {
		cJSON *res = cJSON_CreateObject();
		ok = add(rec, "resources", res) &&
		     add_num(res, "user_s", round_to(in->user_s, 1e6)) &&
		     add_num(res, "sys_s", round_to(in->sys_s, 1e6)) &&
		     add_num(res, "max_rss_kb", (double)in->max_rss_kb);
	}
	return finish(rec, ok, out, err);
}

lt_rc lt_ndjson_build_execution(const struct lt_ndjson_execution *in,
				cJSON **out, struct lt_err *err)
{
	cJSON *rec = lt_ndjson_new(LT_NDJSON_EXECUTION);
	bool ok = rec != NULL;

	ok = ok && add_str(rec, "execution_id", in->execution_id) &&
	     add_str(rec, "schedule", in->schedule) &&
	     add_str(rec, "scenario_id", in->scenario_id) &&
	     add_time(rec, "started_at", in->started_at) &&
	     (in->finished_at < 0 ? add(rec, "finished_at", cJSON_CreateNull())
				  : add_time(rec, "finished_at", in->finished_at)) &&
	     add_str(rec, "status", in->status) &&
	     add_num(rec, "attempt", in->attempt) &&
	     add(rec, "exit_code", in->exit_code < 0 ? cJSON_CreateNull()
						     : cJSON_CreateNumber(in->exit_code)) &&
	     add(rec, "run_id", in->run_id ? cJSON_CreateString(in->run_id) : cJSON_CreateNull());
	return finish(rec, ok, out, err);
}

/* ---- reading fields ---- */

const cJSON *lt_ndjson_get(const cJSON *rec, const char *path)
{
	const cJSON *item = rec;
	const char *p = path;

	if (!rec || !path)
		return NULL;
	while (*p && item) {
		size_t n = strcspn(p, ".[");
		if (n > 0) {
			char name[256];
			bool twice;
			if (n >= sizeof name || !cJSON_IsObject(item))
				return NULL;
			memcpy(name, p, n);
			name[n] = '\0';
			item = find_member(item, name, &twice);
			p += n;
		} else if (*p == '[') {
			char *end;
			unsigned long index;
			if (p[1] < '0' || p[1] > '9' || !cJSON_IsArray(item))
				return NULL;
			errno = 0;
			index = strtoul(p + 1, &end, 10);
			if (*end != ']' || errno || index > (unsigned long)INT32_MAX)
				return NULL;
			item = cJSON_GetArrayItem(item, (int)index);
			p = end + 1;
		} else {
			return NULL;  /* an empty name: "a..b" or ".a" */
		}
		if (*p == '.') {
			p++;
			if (!*p)
				return NULL;
		} else if (*p && *p != '[') {
			return NULL;
		}
	}
	return item;
}

const char *lt_ndjson_get_str(const cJSON *rec, const char *path)
{
	const cJSON *item = lt_ndjson_get(rec, path);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

bool lt_ndjson_get_num(const cJSON *rec, const char *path, double *out)
{
	const cJSON *item = lt_ndjson_get(rec, path);
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return false;
	*out = item->valuedouble;
	return true;
}

bool lt_ndjson_get_count(const cJSON *rec, const char *path, uint64_t *out)
{
	double d;
	if (!integral(lt_ndjson_get(rec, path), 0, EXACT_LIMIT - 1, &d))
		return false;
	*out = (uint64_t)d;
	return true;
}

bool lt_ndjson_get_bool(const cJSON *rec, const char *path, bool *out)
{
	const cJSON *item = lt_ndjson_get(rec, path);
	if (!cJSON_IsBool(item))
		return false;
	*out = cJSON_IsTrue(item);
	return true;
}

bool lt_ndjson_get_time(const cJSON *rec, const char *path, double *out)
{
	const char *s = lt_ndjson_get_str(rec, path);
	return s && lti_time_parse(s, out);
}

lt_rc lt_ndjson_get_hist(const cJSON *rec, const char *path,
			 struct lt_hist **out, struct lt_err *err)
{
	const cJSON *item = lt_ndjson_get(rec, path);
	lt_rc rc;

	if (!item || cJSON_IsNull(item))
		return lt_err_set(err, LT_ENOTFOUND, "%s: no histogram", path);
	if ((rc = lt_hist_from_json(item, out, err)) != LT_OK)
		lt_err_prefix(err, "%s", path);
	return rc;
}

lt_rc lt_ndjson_metric(const cJSON *rec, const char *metric, double *value)
{
	const char *path = metric ? metric_path(metric) : NULL;

	if (!path)
		return LT_EINVAL;
	return lt_ndjson_get_num(rec, path, value) ? LT_OK : LT_ENOTFOUND;
}

const char *lt_ndjson_metric_name(size_t i)
{
	return i < NMETRICS ? metrics[i].metric : NULL;
}

bool lt_ndjson_compare(double value, const char *op, double limit)
{
	if (!op)
		return false;
	if (strcmp(op, "<") == 0)
		return value < limit;
	if (strcmp(op, "<=") == 0)
		return value <= limit;
	if (strcmp(op, ">") == 0)
		return value > limit;
	if (strcmp(op, ">=") == 0)
		return value >= limit;
	return false;
}
