/* ndjson.h -- the metric records lt's programs exchange: validate, read,
 * write, build.
 *
 * lt-run, lt-bench, lt-regress and lt-sched write newline-delimited JSON;
 * lt-store, lt-baseline, lt-regress and lt-serve read it.  This module is
 * the one place that knows the record types (run_start, sample, summary,
 * alert, bench, execution), their field names, types, units and ranges,
 * and the order rules of a stream.  lt-ndjson(5) is the user's copy of
 * the same contract.
 *
 * Records are cJSON objects in memory.  Every line is one compact object
 * with "type" and "v": 1.  Validation is strict about the contract fields
 * (the ones the other programs rely on) and ignores any other field, so
 * producers may add fields freely.
 *
 * Non-goals: no schema language (the rules are C, checked by the compiler
 * and the tests), no pretty-printing, no JSON other than one object per
 * line.  The module never prints and never exits.
 *
 * Thread safety: a reader belongs to one thread; every other function is
 * reentrant (cJSON's parser does keep a global error pointer, which this
 * module never reads).
 */
#ifndef LT_NDJSON_H
#define LT_NDJSON_H

#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lt_hist;

/* The record version this lt writes and reads ("v"). */
#define LT_NDJSON_VERSION 1

/* The longest line a reader accepts and a writer writes, in bytes, the
 * newline not counted.  4 MiB holds a summary with a large scenario in
 * "config" and dozens of endpoint histograms many times over (a full
 * histogram is at most ~200 KB, a typical one a few KB), and it bounds
 * the memory one bad line can take. */
#define LT_NDJSON_MAX_LINE 4194304

/* Identifiers (run_id, scenario_id, alert_id, bench_id, execution_id,
 * run_group): 1 to 128 bytes of UTF-8, no control characters.  A UUID is
 * 36. */
#define LT_NDJSON_MAX_ID 128

/* A reader tracks every run that has started but not yet ended with its
 * summary; more than this many at once is LT_ELIMIT rather than memory
 * that grows without bound (each costs about 200 bytes). */
#define LT_NDJSON_MAX_OPEN_RUNS 65536

/* Ended runs a reader remembers, to name "after its summary" precisely.
 * A record for an older ended run is still an error ("before its
 * run_start"), just a less precise one. */
#define LT_NDJSON_ENDED_RUNS_KEPT 4096

enum lt_ndjson_type {
	LT_NDJSON_NONE = 0,     /* not a record type: unknown, or end of input */
	LT_NDJSON_RUN_START,
	LT_NDJSON_SAMPLE,
	LT_NDJSON_SUMMARY,
	LT_NDJSON_ALERT,
	LT_NDJSON_BENCH,
	LT_NDJSON_EXECUTION,
	LT_NDJSON_VERDICT,      /* a regression check's outcome (lt-regress check) */
};

/* The name of type as it appears in "type" ("run_start", ...); NULL for
 * LT_NDJSON_NONE or a value outside the enum.  Constant. */
const char *lt_ndjson_type_name(enum lt_ndjson_type type);

/* The type named name, LT_NDJSON_NONE when name is NULL or no type. */
enum lt_ndjson_type lt_ndjson_type_parse(const char *name);

/* ---- validation ---- */

/* Check that rec is a record of version 1: an object with a known "type",
 * "v": 1 and every contract field of that type present (when required),
 * of the right JSON type and in range; cross-field rules too (errors <=
 * requests, min <= p50 <= ... <= max, error_rate = 100 errors / requests,
 * finished_at >= started_at, ...).  The rules per type are in
 * lt-ndjson(5) and in the tables at the top of ndjson.c.  Optional fields
 * may be absent or null; a field given twice is an error (parsers
 * disagree on which one counts).  Fields outside the contract are not
 * looked at.
 *
 * On success *type (when not NULL) is set; on failure it is unchanged and
 * err says what, naming the field path: `sample.latency_ms.p95: expected a
 * number, got "x"`.  LT_EINVAL for a bad record, LT_ENOMEM when checking
 * a histogram runs out of memory.  rec is borrowed and never changed.
 * Cost: linear in the size of the contract fields (a histogram is parsed
 * into a temporary lt_hist); "config" is only checked to be an object. */
lt_rc lt_ndjson_validate(const cJSON *rec, enum lt_ndjson_type *type,
			 struct lt_err *err);

/* ---- reading a stream ---- */

struct lt_ndjson_reader;

/* A reader of the NDJSON stream f, called name in messages ("runs.ndjson",
 * "<stdin>"; NULL gives "<input>").  f is borrowed: it must stay open
 * while the reader is used and the caller closes it; name is copied.
 * new (lt_ndjson_reader_free), NULL when out of memory. */
struct lt_ndjson_reader *lt_ndjson_reader_new(FILE *f, const char *name);

/* Free r (not its stream); lt_ndjson_reader_free(NULL) is a no-op. */
void lt_ndjson_reader_free(struct lt_ndjson_reader *r);

/* Read the next record.  Returns LT_OK with *rec new (cJSON_Delete) and
 * *type set; at the end of input, LT_OK with *rec = NULL and *type =
 * LT_NDJSON_NONE (and again on every later call).  Blank lines (only
 * spaces, tabs, CR) are skipped; a CR before the newline is allowed; a
 * last line without a newline is accepted when it is a valid record.
 *
 * Each line must be UTF-8 with no NUL byte, at most LT_NDJSON_MAX_LINE
 * bytes, one JSON object, and a valid record (lt_ndjson_validate).  The
 * stream must also keep the order rules, per run_id:
 *   - a run's run_start comes before any sample or summary of the run;
 *   - a second run_start while the run is open (started, no summary yet)
 *     is a duplicate run;
 *   - sample t increases within a run (never decreases, never repeats);
 *   - a run has at most one summary, and nothing of the run follows it
 *     except a new run_start (a stream replayed after itself, which a
 *     store records as the same run again: a no-op);
 *   - alert, bench and execution records stand alone.
 *
 * On failure *rec and *type are unchanged and err reads
 * "NAME:LINE: what", LINE counted from 1 and columns in bytes from 1:
 *   LT_EINVAL  runs.ndjson:12: sample.t: expected a number, got "abc"
 *              <stdin>:3: line is not valid JSON (at column 17)
 *              x.ndjson:4: invalid UTF-8 (at column 9)
 *              x.ndjson:7: last line is incomplete (no newline at end of
 *                input, not valid JSON at column 31)
 *              x.ndjson:40: run_start: duplicate run_id "r1" (first at line 1)
 *              x.ndjson:8: records out of order: sample t=3 after t=5
 *   LT_ELIMIT  x.ndjson:9: line longer than 4194304 bytes; also more than
 *              LT_NDJSON_MAX_OPEN_RUNS runs open at once
 *   LT_EIO     x.ndjson:9: read error: <strerror>
 *   LT_EINTR   a signal interrupted the read (the partial line is kept:
 *              calling again resumes)
 *   LT_ENOMEM
 * Errors are not sticky: calling again goes on with the next line (the
 * rest of an over-long line is skipped then, never held in memory), and
 * the bad record does not count for the order rules.  Programs that
 * promise "bad input: nothing recorded" simply stop at the first error.
 *
 * Memory: one line buffer (up to LT_NDJSON_MAX_LINE + 1 bytes) and a
 * small entry per open run plus the last LT_NDJSON_ENDED_RUNS_KEPT ended
 * ones.  Reads with getc, so a live pipe delivers each line as soon as
 * it is written. */
lt_rc lt_ndjson_reader_next(struct lt_ndjson_reader *r, cJSON **rec,
			    enum lt_ndjson_type *type, struct lt_err *err);

/* The line number of the record last returned (or of the last error), 0
 * before the first; for callers that report their own errors about a
 * record ("runs.ndjson:12: run already recorded"). */
unsigned long lt_ndjson_reader_line(const struct lt_ndjson_reader *r);

/* The name given to lt_ndjson_reader_new.  Borrowed: valid until
 * lt_ndjson_reader_free. */
const char *lt_ndjson_reader_name(const struct lt_ndjson_reader *r);

/* ---- writing ---- */

/* rec as one compact line of JSON, without a newline.  Integers (any
 * integral value below 2^53) print as integers, other numbers in the
 * shortest form that reads back as the same double (the builders below
 * round latencies to 3 decimals of a millisecond, so they print as
 * "12.345"); strings are escaped as JSON requires and otherwise kept as
 * UTF-8.  new (free()), or NULL when rec holds something NDJSON cannot
 * carry (NaN or infinity, a string that is not UTF-8, raw JSON, nesting
 * deeper than 1000), the line would exceed LT_NDJSON_MAX_LINE, or out of
 * memory: lt_ndjson_write says which.  rec is borrowed; it is not
 * validated (see lt_ndjson_validate). */
char *lt_ndjson_encode(const cJSON *rec);

/* Write rec to out as one line (lt_ndjson_encode + "\n").  When out is
 * not a regular file (a pipe, a socket, a terminal) the line is flushed
 * at once, so that `lt-run | lt-store` sees each sample as it happens;
 * to a regular file stdio's buffering stands and the caller flushes or
 * closes.  LT_EINVAL or LT_ELIMIT (nothing written) when rec cannot be
 * encoded, err naming the path ("sample.latency_ms.p95: NaN or infinity
 * cannot be written"); LT_EIO when writing or flushing fails (a closed
 * pipe gives EPIPE: programs ignore SIGPIPE to see it); LT_ENOMEM.  A
 * failed write may leave part of the line in out. */
lt_rc lt_ndjson_write(FILE *out, const cJSON *rec, struct lt_err *err);

/* ---- building records ----
 *
 * Every builder returns LT_OK with *out a new record (cJSON_Delete) that
 * passes lt_ndjson_validate, or fails with *out unchanged: LT_EINVAL when
 * the input breaks a rule (err names the field as validate does), LT_ENOMEM.
 * Inputs are borrowed.  Latencies come from histograms in µs and are
 * written in ms rounded to 3 decimals (µs resolution); rates are rounded
 * to 3 decimals, error rates to 4. */

/* A bare record {"type": ..., "v": 1}; new, NULL for LT_NDJSON_NONE or
 * out of memory.  For records the builders below do not cover. */
cJSON *lt_ndjson_new(enum lt_ndjson_type type);

/* {min, mean, p50, p90, p95, p99, max[, stddev]} in ms from h (µs);
 * every figure 0 when h is NULL or empty.  Percentiles are clamped into
 * [min, max] and made non-decreasing, so the object always validates.
 * new, NULL when out of memory. */
cJSON *lt_ndjson_latency_json(const struct lt_hist *h, bool with_stddev);

/* us µs as ms rounded to 3 decimals: 12345.4 -> 12.345. */
double lt_ndjson_ms(double us);

struct lt_ndjson_run_start {
	const char *run_id;         /* required */
	const char *scenario_id;    /* required */
	const char *scenario_name;  /* NULL: omitted */
	double started_at;          /* seconds since the epoch (UTC) */
	unsigned segment_index;     /* "I/N", 1 <= I <= N; both 0: omitted (1/1) */
	unsigned segment_count;
	const char *run_group;      /* shards of one run share it; NULL: omitted */
	const char *host;           /* NULL: omitted */
	const char *version;        /* NULL: LT_VERSION */
	const cJSON *config;        /* required object: the scenario as run; copied */
};
lt_rc lt_ndjson_build_run_start(const struct lt_ndjson_run_start *in,
				cJSON **out, struct lt_err *err);

struct lt_ndjson_sample {
	const char *run_id;
	double t;                   /* seconds since the start, >= 0 */
	const char *phase;          /* "warmup", "steady" or "cooldown" */
	uint64_t users;             /* active */
	uint64_t requests, errors;  /* completed in this second; errors <= requests */
	double rps;                 /* requests per second over the sample */
	uint64_t dropped;           /* open model: arrivals that found no free user */
	uint64_t bytes_in, bytes_out;
	double cpu_pct;             /* the generator, 100 = one core; < 0: omitted */
	int64_t rss_kb;             /* the generator; < 0: omitted */
	const struct lt_hist *hist; /* the second's latencies: latency_ms and hist;
				     * NULL: latency_ms all 0, no hist */
};
lt_rc lt_ndjson_build_sample(const struct lt_ndjson_sample *in, cJSON **out,
			     struct lt_err *err);

struct lt_ndjson_endpoint {
	const char *name;           /* required */
	const char *method, *path;  /* NULL: omitted */
	uint64_t requests, errors;
	const struct lt_hist *hist; /* latency_ms and (an extension) hist, so
				     * that merged shards keep exact endpoint
				     * figures; NULL: zeros, no hist */
};

struct lt_ndjson_threshold {
	const char *metric;         /* a name lt_ndjson_metric knows: "responseTime.p95" */
	const char *op;             /* "<", "<=", ">" or ">=" */
	double limit;               /* in the metric's unit (ms, req/s, %) */
};

/* The figures of a summary, over the steady phase only. */
struct lt_ndjson_summary {
	const char *run_id;         /* required (NULL in recompute: kept) */
	double duration_s;          /* length of the steady phase */
	uint64_t requests, errors;
	double peak_rps;            /* throughput.peak: the busiest second */
	uint64_t peak_users;        /* users.peak */
	const struct lt_hist *hist; /* latency_ms (with stddev) and hist; NULL: zeros */
	bool interrupted;           /* stopped by a signal before its end */
	const struct lt_ndjson_endpoint *endpoints;   /* n_endpoints of them */
	size_t n_endpoints;
	const struct lt_ndjson_threshold *thresholds; /* n_thresholds of them */
	size_t n_thresholds;
};

/* A summary: error_rate = 100 errors / requests (0 without requests),
 * throughput.avg = requests / duration_s (0 for a zero duration), each
 * threshold's value taken from these figures (lt_ndjson_metric) and its
 * ok from comparing it with the limit, and passed true when every
 * threshold is ok (true when there are none). */
lt_rc lt_ndjson_build_summary(const struct lt_ndjson_summary *in,
			      cJSON **out, struct lt_err *err);

/* Replace the figures of summary with in's, for lt-store merge: after
 * the shards' hists and counts are merged, the merged summary reads as
 * if one generator had done it all.  Replaced: duration_s, requests,
 * errors, error_rate, throughput, latency_ms, users, interrupted, hist,
 * endpoints (only when in->endpoints is not NULL; in->n_endpoints 0 with
 * a non-NULL pointer empties them), run_id (unless in->run_id is NULL).
 * thresholds keep their metric, op and limit (in->thresholds is ignored);
 * their value and ok are recomputed, and passed with them.  Other fields
 * stay.  On failure summary is unchanged. */
lt_rc lt_ndjson_summary_recompute(cJSON *summary,
				  const struct lt_ndjson_summary *in,
				  struct lt_err *err);

struct lt_ndjson_alert {
	const char *alert_id, *scenario_id, *run_id; /* required */
	const char *metric;         /* "responseTime.p95", ... */
	double baseline, current;   /* in the metric's unit */
	double change_pct;          /* 100 (current - baseline) / baseline */
	double p_value;             /* 0..1; < 0 or NaN: null (no statistical test) */
	const char *method;         /* "threshold", "welch", "mann-whitney", ... */
	const char *severity;       /* "warning" or "critical" */
	const char *message;        /* one line for people */
};
lt_rc lt_ndjson_build_alert(const struct lt_ndjson_alert *in, cJSON **out,
			    struct lt_err *err);

struct lt_ndjson_bench {
	const char *bench_id, *suite, *name; /* required */
	const char *unit;           /* of mean .. max and ci95: "ms", "s", "ops/s" */
	uint64_t runs;              /* >= 1 */
	double mean, stddev, median, min, max;
	bool has_ci95;              /* false: ci95 omitted (too few runs) */
	double ci95_lo, ci95_hi;
	bool has_resources;         /* false: resources omitted */
	double user_s, sys_s;       /* CPU time of all runs */
	uint64_t max_rss_kb;
};
lt_rc lt_ndjson_build_bench(const struct lt_ndjson_bench *in, cJSON **out,
			    struct lt_err *err);

struct lt_ndjson_execution {
	const char *execution_id, *schedule, *scenario_id; /* required */
	double started_at;          /* seconds since the epoch */
	double finished_at;         /* < 0: null (still running) */
	const char *status;         /* "success", "failed", "regression", "retrying" */
	unsigned attempt;           /* >= 1 */
	int exit_code;              /* 0..255; < 0: null (not finished) */
	const char *run_id;         /* NULL: null (no run was recorded) */
};
lt_rc lt_ndjson_build_execution(const struct lt_ndjson_execution *in,
				cJSON **out, struct lt_err *err);

/* ---- reading fields ----
 *
 * path is a field name or a dotted path with optional array indexes:
 * "run_id", "latency_ms.p95", "endpoints[2].name", "ci95[0]".  The
 * getters never fail loudly: false (or NULL) when the path is absent or
 * holds another type, and *out is then unchanged.  Use them on records
 * that passed lt_ndjson_validate, where the contract fields are known to
 * be there and right. */

/* The item at path; borrowed from rec, NULL when absent. */
const cJSON *lt_ndjson_get(const cJSON *rec, const char *path);

/* The string at path; borrowed from rec, NULL when absent or not a string. */
const char *lt_ndjson_get_str(const cJSON *rec, const char *path);

/* A finite number. */
bool lt_ndjson_get_num(const cJSON *rec, const char *path, double *out);

/* A non-negative integer below 2^53 (counts). */
bool lt_ndjson_get_count(const cJSON *rec, const char *path, uint64_t *out);

bool lt_ndjson_get_bool(const cJSON *rec, const char *path, bool *out);

/* An RFC 3339 time, as seconds since the epoch. */
bool lt_ndjson_get_time(const cJSON *rec, const char *path, double *out);

/* The histogram at path ("hist", "endpoints[0].hist"): *out new
 * (lt_hist_free).  LT_ENOTFOUND when absent or null, LT_EINVAL with err
 * naming the path when malformed, LT_ENOMEM. */
lt_rc lt_ndjson_get_hist(const cJSON *rec, const char *path,
			 struct lt_hist **out, struct lt_err *err);

/* The metrics thresholds, baselines and regressions compare, by the
 * seed's names: responseTime.min, .mean, .p50, .p90, .p95, .p99, .max
 * (latency_ms.*, ms), throughput.avg, .peak (requests/s) and errorRate
 * (error_rate, %).  *value from a summary record (responseTime.* also
 * works on a sample).  LT_EINVAL for a metric name not in that list,
 * LT_ENOTFOUND when rec lacks the field; *value unchanged on failure. */
lt_rc lt_ndjson_metric(const cJSON *rec, const char *metric, double *value);

/* The i-th metric name above (0-based), NULL past the last: for listing
 * them in --help and error messages.  Constant. */
const char *lt_ndjson_metric_name(size_t i);

/* True when value op limit holds, for op "<", "<=", ">" or ">="; false
 * for any other op. */
bool lt_ndjson_compare(double value, const char *op, double limit);

#endif
