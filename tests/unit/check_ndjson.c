/* check_ndjson.c -- the metric records: validation, reader, encoder,
 * builders, getters, and the bad-input corpus in tests/bad/ndjson/. */
#include "unit.h"
#include "lt.h"
#include "hist.h"
#include "ndjson.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static cJSON *parse(const char *json)
{
	cJSON *item = cJSON_Parse(json);
	ck_assert_msg(item != NULL, "test JSON does not parse: %s", json);
	return item;
}

static void assert_valid(const char *json, enum lt_ndjson_type want)
{
	cJSON *rec = parse(json);
	struct lt_err err = {0};
	enum lt_ndjson_type type = LT_NDJSON_NONE;
	lt_rc rc = lt_ndjson_validate(rec, &type, &err);

	ck_assert_msg(rc == LT_OK, "%s: %s", json, lt_errmsg(&err));
	ck_assert_int_eq(type, want);
	cJSON_Delete(rec);
}

static void assert_invalid(const char *json, const char *message)
{
	cJSON *rec = parse(json);
	struct lt_err err = {0};
	enum lt_ndjson_type type = LT_NDJSON_NONE;

	ck_assert_int_eq(lt_ndjson_validate(rec, &type, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), message);
	ck_assert_int_eq(type, LT_NDJSON_NONE);  /* unchanged on failure */
	cJSON_Delete(rec);
}

/* A histogram of count values spread from lo_us up by step_us. */
static struct lt_hist *hist_of(uint64_t lo_us, uint64_t step_us, int count)
{
	struct lt_hist *h = lt_hist_new();
	ck_assert_ptr_nonnull(h);
	for (int i = 0; i < count; i++)
		lt_hist_record(h, lo_us + step_us * (uint64_t)i);
	return h;
}

/* A reader over the bytes of s (the stream lives as long as the test). */
static struct lt_ndjson_reader *reader_of(const char *s, size_t len, const char *name,
					  FILE **f)
{
	struct lt_ndjson_reader *r;
	/* fmemopen of zero bytes is refused by some libcs: an empty file
	 * stands in for an empty stream. */
	*f = len ? fmemopen((void *)s, len, "r") : tmpfile();
	ck_assert_ptr_nonnull(*f);
	r = lt_ndjson_reader_new(*f, name);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Read s to the end; return the first error (or LT_OK), its message in
 * msg and the number of records read before it in *records. */
static lt_rc read_all(const char *s, const char *name, char *msg, size_t msg_len,
		      int *records)
{
	FILE *f;
	struct lt_ndjson_reader *r = reader_of(s, strlen(s), name, &f);
	struct lt_err err = {0};
	lt_rc rc;

	*records = 0;
	msg[0] = '\0';
	for (;;) {
		cJSON *rec = NULL;
		enum lt_ndjson_type type;
		rc = lt_ndjson_reader_next(r, &rec, &type, &err);
		if (rc != LT_OK) {
			snprintf(msg, msg_len, "%s", lt_errmsg(&err));
			break;
		}
		if (!rec)
			break;
		ck_assert_int_ne(type, LT_NDJSON_NONE);
		(*records)++;
		cJSON_Delete(rec);
	}
	lt_ndjson_reader_free(r);
	fclose(f);
	return rc;
}

static void assert_stream_fails(const char *s, const char *message, int records_before)
{
	char msg[1024];
	int records;
	ck_assert_int_ne(read_all(s, "x.ndjson", msg, sizeof msg, &records), LT_OK);
	ck_assert_str_eq(msg, message);
	ck_assert_int_eq(records, records_before);
}

static void assert_stream_ok(const char *s, int want_records)
{
	char msg[1024];
	int records;
	lt_rc rc = read_all(s, "x.ndjson", msg, sizeof msg, &records);
	ck_assert_msg(rc == LT_OK, "%s", msg);
	ck_assert_int_eq(records, want_records);
}

/* Small valid records, one line each, for streams and validation. */
#define RUN_START(id) \
	"{\"type\":\"run_start\",\"v\":1,\"run_id\":\"" id "\",\"scenario_id\":\"s1\"," \
	"\"started_at\":\"2026-01-15T10:00:00.000Z\",\"config\":{}}\n"
#define LAT "\"latency_ms\":{\"min\":1,\"mean\":2,\"p50\":2,\"p90\":3,\"p95\":3,\"p99\":4,\"max\":5}"
#define SAMPLE(id, t) \
	"{\"type\":\"sample\",\"v\":1,\"run_id\":\"" id "\",\"t\":" #t ",\"phase\":\"steady\"," \
	"\"requests\":10,\"errors\":0," LAT "}\n"
#define SUMMARY(id) \
	"{\"type\":\"summary\",\"v\":1,\"run_id\":\"" id "\",\"duration_s\":10,\"requests\":100," \
	"\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10,\"peak\":12}," LAT "," \
	"\"endpoints\":[],\"passed\":true}\n"
#define ALERT \
	"{\"type\":\"alert\",\"v\":1,\"alert_id\":\"a1\",\"scenario_id\":\"s1\",\"run_id\":\"r1\"," \
	"\"metric\":\"responseTime.p95\",\"baseline\":100,\"current\":130,\"change_pct\":30," \
	"\"p_value\":0.01,\"method\":\"welch\",\"severity\":\"critical\",\"message\":\"p95 up 30 %\"}\n"
#define BENCH \
	"{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b1\",\"suite\":\"hist\",\"name\":\"record\"," \
	"\"unit\":\"ns\",\"runs\":10,\"mean\":5.1,\"stddev\":0.2,\"median\":5,\"min\":4.9,\"max\":5.6," \
	"\"ci95\":[4.95,5.25],\"resources\":{\"user_s\":1.5,\"sys_s\":0.1,\"max_rss_kb\":4096}}\n"
#define EXECUTION \
	"{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e1\",\"schedule\":\"nightly\"," \
	"\"scenario_id\":\"s1\",\"started_at\":\"2026-01-15T02:00:00Z\"," \
	"\"finished_at\":\"2026-01-15T02:01:00Z\",\"status\":\"success\",\"attempt\":1," \
	"\"exit_code\":0,\"run_id\":\"r1\"}\n"

/* ---- type names ---- */

START_TEST(test_type_names)
{
	static const char *const names[] = { "run_start", "sample", "summary", "alert",
					     "bench", "execution" };
	for (int i = 0; i < 6; i++) {
		enum lt_ndjson_type t = (enum lt_ndjson_type)(i + 1);
		ck_assert_str_eq(lt_ndjson_type_name(t), names[i]);
		ck_assert_int_eq(lt_ndjson_type_parse(names[i]), t);
	}
	ck_assert_ptr_null(lt_ndjson_type_name(LT_NDJSON_NONE));
	ck_assert_ptr_null(lt_ndjson_type_name((enum lt_ndjson_type)99));
	ck_assert_int_eq(lt_ndjson_type_parse("Sample"), LT_NDJSON_NONE);
	ck_assert_int_eq(lt_ndjson_type_parse(NULL), LT_NDJSON_NONE);
}
END_TEST

/* ---- validation ---- */

START_TEST(test_validate_good)
{
	assert_valid(RUN_START("r1"), LT_NDJSON_RUN_START);
	assert_valid(SAMPLE("r1", 1), LT_NDJSON_SAMPLE);
	assert_valid(SUMMARY("r1"), LT_NDJSON_SUMMARY);
	assert_valid(ALERT, LT_NDJSON_ALERT);
	assert_valid(BENCH, LT_NDJSON_BENCH);
	assert_valid(EXECUTION, LT_NDJSON_EXECUTION);
	/* Every optional field, plus fields outside the contract. */
	assert_valid("{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r1\",\"scenario_id\":\"s1\","
		     "\"scenario_name\":\"Health\",\"started_at\":\"2026-01-15T11:00:00+01:00\","
		     "\"segment\":\"3/4\",\"run_group\":\"g1\",\"host\":\"h\",\"version\":\"0.1.0\","
		     "\"config\":{\"id\":\"s1\"},\"tags\":{\"env\":\"ci\"}}", LT_NDJSON_RUN_START);
	assert_valid("{\"type\":\"sample\",\"v\":1,\"run_id\":\"r1\",\"t\":0.5,\"phase\":\"warmup\","
		     "\"users\":3,\"requests\":0,\"errors\":0,\"rps\":0,\"dropped\":2,"
		     "\"latency_ms\":{\"min\":0,\"mean\":0,\"p50\":0,\"p90\":0,\"p95\":0,\"p99\":0,\"max\":0},"
		     "\"bytes_in\":0,\"bytes_out\":0,\"cpu_pct\":250.5,\"rss_kb\":null,\"extra\":[1]}",
		     LT_NDJSON_SAMPLE);
	/* Optional fields may be null; execution still running. */
	assert_valid("{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e1\",\"schedule\":\"n\","
		     "\"scenario_id\":\"s1\",\"started_at\":\"2028-02-29T02:00:00Z\","
		     "\"finished_at\":null,\"status\":\"retrying\",\"attempt\":2,"
		     "\"exit_code\":null,\"run_id\":null}", LT_NDJSON_EXECUTION);
	/* Alert without a statistical test; bench without ci95/resources;
	 * a mean a rounding step above max. */
	assert_valid("{\"type\":\"alert\",\"v\":1,\"alert_id\":\"a\",\"scenario_id\":\"s\",\"run_id\":\"r\","
		     "\"metric\":\"errorRate\",\"baseline\":0.5,\"current\":3,\"change_pct\":500,"
		     "\"p_value\":null,\"method\":\"threshold\",\"severity\":\"warning\",\"message\":\"\"}",
		     LT_NDJSON_ALERT);
	assert_valid("{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		     "\"unit\":\"s\",\"runs\":3,\"mean\":0.10000000000000002,\"stddev\":0,\"median\":0.1,"
		     "\"min\":0.1,\"max\":0.1}", LT_NDJSON_BENCH);
	/* A full summary with endpoints and thresholds. */
	assert_valid("{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":60,\"requests\":3,"
		     "\"errors\":1,\"error_rate\":33.3333,\"throughput\":{\"avg\":0.05,\"peak\":1},"
		     LAT ",\"users\":{\"peak\":10},\"endpoints\":[{\"name\":\"GET /health\","
		     "\"method\":\"GET\",\"path\":\"/health\",\"requests\":3,\"errors\":1," LAT "}],"
		     "\"thresholds\":[{\"metric\":\"responseTime.p95\",\"op\":\"<\",\"limit\":500,"
		     "\"value\":3,\"ok\":true}],\"passed\":true,\"interrupted\":false}",
		     LT_NDJSON_SUMMARY);
}
END_TEST

START_TEST(test_validate_bad)
{
	static const struct {
		const char *json, *message;
	} cases[] = {
		{ "[1,2]", "expected a JSON object, got an array" },
		{ "42", "expected a JSON object, got 42" },
		{ "{\"v\":1}", "type: required field is missing" },
		{ "{\"type\":7,\"v\":1}", "type: expected a string, got 7" },
		{ "{\"type\":\"metric\",\"v\":1}",
		  "type: unknown record type \"metric\" (expected run_start, sample, summary, "
		  "alert, bench, execution or verdict)" },
		{ "{\"type\":\"metric\",\"v\":2}",
		  "v: unsupported record version 2 (this lt reads version 1)" },
		{ "{\"type\":\"sample\"}", "v: required field is missing" },
		{ "{\"type\":\"sample\",\"v\":\"1\"}", "v: expected 1, got \"1\"" },
		{ "{\"type\":\"sample\",\"type\":\"sample\",\"v\":1}", "type: field given twice" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":\"abc\"}",
		  "sample.t: expected a number, got \"abc\"" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"\"}", "sample.run_id: must not be empty" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"a\\tb\"}",
		  "sample.run_id: contains a control character" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"main\"}",
		  "sample.phase: expected one of warmup, steady, cooldown, got \"main\"" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":-5}", "sample.requests: expected a non-negative integer, got -5" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1.5}", "sample.requests: expected a non-negative integer, got 1.5" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1e300}",
		  "sample.requests: expected a non-negative integer, got 1e+300" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":0}", "sample.latency_ms: required field is missing" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":0,\"latency_ms\":{\"min\":1,\"mean\":2,\"p50\":2,"
		  "\"p90\":3,\"p95\":\"x\",\"p99\":4,\"max\":5}}",
		  "sample.latency_ms.p95: expected a number, got \"x\"" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":0,\"latency_ms\":{\"min\":1,\"mean\":2,\"p50\":2,"
		  "\"p90\":3,\"p95\":4.5,\"p99\":4,\"max\":5}}",
		  "sample.latency_ms: p95 > p99 (4.5 > 4)" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":0,\"latency_ms\":{\"min\":1,\"mean\":7,\"p50\":2,"
		  "\"p90\":3,\"p95\":3,\"p99\":4,\"max\":5}}",
		  "sample.latency_ms.mean: 7 is outside min..max (1..5)" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":2," LAT "}",
		  "sample.errors: 2 is more than requests (1)" },
		{ "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":1,\"phase\":\"steady\","
		  "\"requests\":1,\"errors\":0," LAT ",\"hist\":[1]}",
		  "sample.hist: expected a histogram object, got an array" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-01-15 10:00\"}",
		  "run_start.started_at: expected an RFC 3339 time, got \"2026-01-15 10:00\"" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-02-29T10:00:00Z\"}",
		  "run_start.started_at: expected an RFC 3339 time, got \"2026-02-29T10:00:00Z\"" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-04-31T10:00:00Z\"}",
		  "run_start.started_at: expected an RFC 3339 time, got \"2026-04-31T10:00:00Z\"" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-01-15T10:00:00Z\",\"segment\":\"0/4\"}",
		  "run_start.segment: expected \"I/N\" with 1 <= I <= N <= 1000000, got \"0/4\"" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-01-15T10:00:00Z\",\"segment\":\"5/4\"}",
		  "run_start.segment: expected \"I/N\" with 1 <= I <= N <= 1000000, got \"5/4\"" },
		{ "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r\",\"scenario_id\":\"s\","
		  "\"started_at\":\"2026-01-15T10:00:00Z\",\"config\":[]}",
		  "run_start.config: expected an object, got an array" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":0.01,\"throughput\":{\"avg\":10,\"peak\":12}," LAT ","
		  "\"endpoints\":[],\"passed\":true}",
		  "summary.error_rate: 0.01 does not match 100 * errors / requests = 1 "
		  "(a percentage, not a fraction)" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":101}",
		  "summary.error_rate: expected a percentage (0..100), got 101" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10}}",
		  "summary.throughput.peak: required field is missing" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10,\"peak\":12}," LAT ","
		  "\"endpoints\":[{\"name\":\"a\",\"requests\":1,\"errors\":0," LAT "},"
		  "{\"name\":\"b\",\"requests\":1,\"errors\":3," LAT "}],\"passed\":true}",
		  "summary.endpoints[1].errors: 3 is more than requests (1)" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10,\"peak\":12}," LAT ","
		  "\"endpoints\":[],\"thresholds\":[{\"metric\":\"p95\",\"op\":\"<\",\"limit\":1,"
		  "\"value\":1,\"ok\":false}],\"passed\":false}",
		  "summary.thresholds[0].metric: unknown metric \"p95\" (expected responseTime.min, "
		  ".mean, .p50, .p90, .p95, .p99, .max, throughput.avg, .peak or errorRate)" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10,\"peak\":12}," LAT ","
		  "\"endpoints\":[],\"passed\":\"yes\"}",
		  "summary.passed: expected true or false, got \"yes\"" },
		{ "{\"type\":\"summary\",\"v\":1,\"run_id\":\"r1\",\"duration_s\":10,\"requests\":100,"
		  "\"errors\":1,\"error_rate\":1,\"throughput\":{\"avg\":10,\"peak\":12}," LAT ","
		  "\"endpoints\":{},\"passed\":true}",
		  "summary.endpoints: expected an array, got an object" },
		{ "{\"type\":\"alert\",\"v\":1,\"alert_id\":\"a\",\"scenario_id\":\"s\",\"run_id\":\"r\","
		  "\"metric\":\"m\",\"baseline\":1,\"current\":2,\"change_pct\":100,\"p_value\":1.5}",
		  "alert.p_value: expected a probability (0..1), got 1.5" },
		{ "{\"type\":\"alert\",\"v\":1,\"alert_id\":\"a\",\"scenario_id\":\"s\",\"run_id\":\"r\","
		  "\"metric\":\"m\",\"baseline\":1,\"current\":2,\"change_pct\":100,\"method\":\"t\","
		  "\"severity\":\"high\"}",
		  "alert.severity: expected one of warning, critical, got \"high\"" },
		{ "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		  "\"unit\":\"s\",\"runs\":0}", "bench.runs: expected a positive integer, got 0" },
		{ "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		  "\"unit\":\"s\",\"runs\":3,\"mean\":1,\"stddev\":0,\"median\":1,\"min\":1,\"max\":1,"
		  "\"ci95\":[2,1]}", "bench.ci95: lo > hi (2 > 1)" },
		{ "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		  "\"unit\":\"s\",\"runs\":3,\"mean\":1,\"stddev\":0,\"median\":1,\"min\":1,\"max\":1,"
		  "\"ci95\":[1]}", "bench.ci95: expected [lo, hi], got an array" },
		{ "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		  "\"unit\":\"s\",\"runs\":3,\"mean\":1,\"stddev\":0,\"median\":9,\"min\":1,\"max\":2}",
		  "bench.median: 9 is outside min..max (1..2)" },
		{ "{\"type\":\"bench\",\"v\":1,\"bench_id\":\"b\",\"suite\":\"s\",\"name\":\"n\","
		  "\"unit\":\"s\",\"runs\":3,\"mean\":1,\"stddev\":0,\"median\":1,\"min\":1,\"max\":2,"
		  "\"resources\":{\"user_s\":1,\"sys_s\":-1}}",
		  "bench.resources.sys_s: expected a number >= 0, got -1" },
		{ "{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e\",\"schedule\":\"n\","
		  "\"scenario_id\":\"s\",\"started_at\":\"2026-01-15T02:00:00Z\","
		  "\"finished_at\":\"2026-01-15T01:00:00Z\",\"status\":\"failed\",\"attempt\":1}",
		  "execution.finished_at: before started_at" },
		{ "{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e\",\"schedule\":\"n\","
		  "\"scenario_id\":\"s\",\"started_at\":\"2026-01-15T02:00:00Z\","
		  "\"status\":\"failed\",\"attempt\":1,\"exit_code\":300}",
		  "execution.exit_code: expected an exit status (0..255), got 300" },
		{ "{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e\",\"schedule\":\"n\","
		  "\"scenario_id\":\"s\",\"started_at\":\"2026-01-15T02:00:00Z\","
		  "\"status\":\"done\"}",
		  "execution.status: expected one of success, failed, regression, retrying, got \"done\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_invalid(cases[i].json, cases[i].message);
}
END_TEST

START_TEST(test_validate_limits)
{
	char json[512], id[LT_NDJSON_MAX_ID + 2];
	cJSON *rec;
	struct lt_err err = {0};

	/* 128 bytes is fine, 129 is not. */
	memset(id, 'x', LT_NDJSON_MAX_ID);
	id[LT_NDJSON_MAX_ID] = '\0';
	snprintf(json, sizeof json, "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"%s\","
		 "\"scenario_id\":\"s\",\"started_at\":\"2026-01-15T10:00:00Z\",\"config\":{}}", id);
	assert_valid(json, LT_NDJSON_RUN_START);
	strcat(id, "y");
	snprintf(json, sizeof json, "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"%s\"}", id);
	assert_invalid(json, "run_start.run_id: longer than 128 bytes (129)");

	/* A long string is cut in messages. */
	assert_invalid("{\"type\":\"sample\",\"v\":1,\"run_id\":\"r\",\"t\":"
		       "\"0123456789012345678901234567890123456789more\"}",
		       "sample.t: expected a number, got "
		       "\"0123456789012345678901234567890123456789\"...");

	/* Values a program makes but JSON cannot hold. */
	rec = parse(SAMPLE("r1", 1));
	cJSON_ReplaceItemInObject(rec, "t", cJSON_CreateNumber(NAN));
	ck_assert_int_eq(lt_ndjson_validate(rec, NULL, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.t: expected a number, got NaN");
	cJSON_ReplaceItemInObject(rec, "t", cJSON_CreateNumber(INFINITY));
	ck_assert_int_eq(lt_ndjson_validate(rec, NULL, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.t: expected a number, got infinity");
	cJSON_Delete(rec);
	ck_assert_int_eq(lt_ndjson_validate(NULL, NULL, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "expected a JSON object, got nothing");
}
END_TEST

START_TEST(test_validate_hist)
{
	struct lt_hist *h = hist_of(1000, 250, 40);
	cJSON *rec = parse(SAMPLE("r1", 1)), *hj = lt_hist_to_json(h);
	struct lt_err err = {0};

	ck_assert_ptr_nonnull(hj);
	cJSON_AddItemToObject(rec, "hist", hj);
	ck_assert_int_eq(lt_ndjson_validate(rec, NULL, &err), LT_OK);
	/* Break it: hist's own message, under the field's path. */
	cJSON_ReplaceItemInObject(hj, "n", cJSON_CreateNumber(41));
	ck_assert_int_eq(lt_ndjson_validate(rec, NULL, &err), LT_EINVAL);
	ck_assert_msg(strncmp(lt_errmsg(&err), "sample.hist: ", 13) == 0, "%s", lt_errmsg(&err));
	cJSON_Delete(rec);
	lt_hist_free(h);
}
END_TEST

/* ---- encoding ---- */

START_TEST(test_encode_numbers)
{
	static const struct {
		double value;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -7, "-7" },
		{ 2147483648.0, "2147483648" },           /* above INT_MAX */
		{ 1e15, "1000000000000000" },             /* cJSON: 1e+15 */
		{ 9007199254740991.0, "9007199254740991" },
		{ 12.345, "12.345" }, { 0.1, "0.1" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 1.5e-7, "1.5e-07" }, { 1e300, "1e+300" }, { 1.0 / 3, "0.3333333333333333" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *n = cJSON_CreateNumber(cases[i].value);
		char *s = lt_ndjson_encode(n);
		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(s, cases[i].text);
		ck_assert_double_eq(strtod(s, NULL), cases[i].value);
		free(s);
		cJSON_Delete(n);
	}
}
END_TEST

START_TEST(test_encode_refuses)
{
	cJSON *rec = parse(SAMPLE("r1", 1)), *lat = cJSON_GetObjectItem(rec, "latency_ms");
	struct lt_err err = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cJSON_ReplaceItemInObject(lat, "p95", cJSON_CreateNumber(NAN));
	ck_assert_ptr_null(lt_ndjson_encode(rec));
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.latency_ms.p95: NaN or infinity cannot be written");
	cJSON_ReplaceItemInObject(lat, "p95", cJSON_CreateNumber(-INFINITY));
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_EINVAL);
	cJSON_ReplaceItemInObject(lat, "p95", cJSON_CreateNumber(3));

	cJSON_AddItemToObject(rec, "tags", cJSON_CreateStringArray((const char *[]){ "ok", "\xff" }, 2));
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.tags[1]: string is not valid UTF-8");
	cJSON_DeleteItemFromObject(rec, "tags");

	cJSON_AddItemToObject(rec, "raw", cJSON_CreateRaw("1\n2"));
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.raw: raw JSON cannot be written");
	cJSON_DeleteItemFromObject(rec, "raw");

	/* Nothing was written by the refusals. */
	fflush(out);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
	fclose(out);
	ck_assert_uint_gt(len, 10);
	ck_assert_int_eq(buf[len - 1], '\n');
	free(buf);
	cJSON_Delete(rec);
}
END_TEST

START_TEST(test_encode_strings)
{
	cJSON *obj = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(obj, "s", "a\"b\\c\n\t\x01 \xc2\xb5s \xf0\x9f\x98\x80 /");
	cJSON_AddItemToObject(obj, "k\n", cJSON_CreateNull());
	cJSON_AddItemToObject(obj, "a", cJSON_CreateArray());
	cJSON_AddItemToObject(obj, "o", cJSON_CreateObject());
	cJSON_AddBoolToObject(obj, "t", 1);
	cJSON_AddBoolToObject(obj, "f", 0);
	s = lt_ndjson_encode(obj);
	ck_assert_str_eq(s, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001 \xc2\xb5s \xf0\x9f\x98\x80 /\","
			    "\"k\\n\":null,\"a\":[],\"o\":{},\"t\":true,\"f\":false}");
	ck_assert_ptr_null(strchr(s, '\n'));
	free(s);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_encode_too_long)
{
	/* A string of exactly the limit makes a longer line: refused. */
	char *big = malloc(LT_NDJSON_MAX_LINE + 1);
	cJSON *obj = cJSON_CreateObject();
	struct lt_err err = {0};
	FILE *out = tmpfile();

	memset(big, 'a', LT_NDJSON_MAX_LINE);
	big[LT_NDJSON_MAX_LINE] = '\0';
	cJSON_AddStringToObject(obj, "s", big);
	ck_assert_ptr_null(lt_ndjson_encode(obj));
	ck_assert_int_eq(lt_ndjson_write(out, obj, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "record: record longer than 4194304 bytes");
	ck_assert_int_eq(ftell(out), 0);
	fclose(out);
	cJSON_Delete(obj);
	free(big);
}
END_TEST

/* Encode, parse back, validate: the same record. */
static void assert_roundtrip(const cJSON *rec)
{
	char *line = lt_ndjson_encode(rec);
	cJSON *back;
	struct lt_err err = {0};

	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_null(strchr(line, '\n'));
	back = cJSON_Parse(line);
	ck_assert_ptr_nonnull(back);
	ck_assert_msg(lt_ndjson_validate(back, NULL, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_msg(cJSON_Compare(rec, back, 1), "changed by a round trip: %s", line);
	free(line);
	cJSON_Delete(back);
}

START_TEST(test_roundtrip_corpus_records)
{
	const char *records[] = { RUN_START("r1"), SAMPLE("r1", 1), SUMMARY("r1"), ALERT,
				  BENCH, EXECUTION };
	for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
		cJSON *rec = parse(records[i]);
		char *line = lt_ndjson_encode(rec);
		/* Our lines are written compact, in the order given: the
		 * encoder reproduces them byte for byte. */
		ck_assert_int_eq(strncmp(line, records[i], strlen(line)), 0);
		ck_assert_uint_eq(strlen(line) + 1, strlen(records[i]));
		assert_roundtrip(rec);
		free(line);
		cJSON_Delete(rec);
	}
}
END_TEST

/* ---- writing to pipes and files ---- */

START_TEST(test_write_flushes_pipes)
{
	int fds[2];
	FILE *out;
	cJSON *rec = parse(SAMPLE("r1", 1));
	struct lt_err err = {0};
	char buf[1024];
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	out = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(out);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
	/* Without any fflush of ours, the line is in the pipe. */
	n = read(fds[0], buf, sizeof buf);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(buf[n - 1], '\n');
	fclose(out);

	/* A pipe nobody reads: EPIPE, as LT_EIO. */
	signal(SIGPIPE, SIG_IGN);
	out = fdopen(fds[0], "r");
	fclose(out);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	out = fdopen(fds[1], "w");
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_EIO);
	ck_assert_str_eq(lt_errmsg(&err), "write error: Broken pipe");
	fclose(out);
	cJSON_Delete(rec);
}
END_TEST

START_TEST(test_write_buffers_files)
{
	char path[] = "/tmp/lt-ndjson-XXXXXX";
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");
	cJSON *rec = parse(SAMPLE("r1", 1));
	struct lt_err err = {0};
	struct stat st;

	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
	/* A regular file keeps stdio's buffer: nothing reached it yet. */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	fclose(out);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)strlen(SAMPLE("r1", 1)));
	unlink(path);
	cJSON_Delete(rec);
}
END_TEST

/* ---- builders ---- */

START_TEST(test_latency_json)
{
	struct lt_hist *h = hist_of(1000, 1000, 100);  /* 1 .. 100 ms */
	cJSON *lat = lt_ndjson_latency_json(h, true), *empty = lt_ndjson_latency_json(NULL, false);
	double v;

	ck_assert(lt_ndjson_get_num(lat, "min", &v));
	ck_assert_double_eq(v, 1);
	ck_assert(lt_ndjson_get_num(lat, "max", &v));
	ck_assert_double_eq(v, 100);
	ck_assert(lt_ndjson_get_num(lat, "mean", &v));
	ck_assert_double_eq(v, 50.5);
	ck_assert(lt_ndjson_get_num(lat, "p50", &v));
	ck_assert_double_eq_tol(v, 50, 0.05);
	ck_assert(lt_ndjson_get_num(lat, "p99", &v));
	ck_assert_double_eq_tol(v, 99, 0.1);
	ck_assert(lt_ndjson_get_num(lat, "stddev", &v));
	ck_assert_double_eq_tol(v, 28.866, 0.001);  /* sqrt((100^2 - 1) / 12) */
	/* 3 decimals, whatever the histogram says. */
	ck_assert_double_eq(v, round(v * 1000) / 1000);
	ck_assert_int_eq(cJSON_GetArraySize(empty), 7);
	ck_assert(lt_ndjson_get_num(empty, "p95", &v));
	ck_assert_double_eq(v, 0);
	ck_assert_ptr_null(cJSON_GetObjectItem(empty, "stddev"));
	ck_assert_double_eq(lt_ndjson_ms(12345.4), 12.345);
	ck_assert_double_eq(lt_ndjson_ms(12345.6), 12.346);
	cJSON_Delete(lat);
	cJSON_Delete(empty);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_build_run_start)
{
	cJSON *config = parse("{\"id\":\"api-health-check\",\"config\":{\"users\":{\"concurrent\":10}}}");
	struct lt_ndjson_run_start in = {
		.run_id = "r1", .scenario_id = "api-health-check", .scenario_name = "API Health Check",
		.started_at = 1768471200.25, .segment_index = 2, .segment_count = 4,
		.host = "ci-1", .config = config,
	};
	struct lt_err err = {0};
	cJSON *rec = NULL;
	char *line;

	ck_assert_int_eq(lt_ndjson_build_run_start(&in, &rec, &err), LT_OK);
	line = lt_ndjson_encode(rec);
	ck_assert_str_eq(line, "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r1\","
			       "\"scenario_id\":\"api-health-check\",\"scenario_name\":\"API Health Check\","
			       "\"started_at\":\"2026-01-15T10:00:00.250Z\",\"segment\":\"2/4\","
			       "\"host\":\"ci-1\",\"version\":\"" LT_VERSION "\",\"config\":"
			       "{\"id\":\"api-health-check\",\"config\":{\"users\":{\"concurrent\":10}}}}");
	assert_roundtrip(rec);
	free(line);
	cJSON_Delete(rec);
	rec = NULL;

	/* Missing and wrong inputs: named, *out untouched. */
	in.config = NULL;
	ck_assert_int_eq(lt_ndjson_build_run_start(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "run_start.config: required field is missing");
	ck_assert_ptr_null(rec);
	in.config = config;
	in.segment_index = 5;
	ck_assert_int_eq(lt_ndjson_build_run_start(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err),
			 "run_start.segment: expected \"I/N\" with 1 <= I <= N <= 1000000, got \"5/4\"");
	in.segment_index = 2;
	in.run_id = NULL;
	ck_assert_int_eq(lt_ndjson_build_run_start(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "run_start.run_id: required field is missing");
	cJSON_Delete(config);
}
END_TEST

START_TEST(test_build_sample)
{
	struct lt_hist *h = hist_of(2000, 100, 50);
	struct lt_ndjson_sample in = {
		.run_id = "r1", .t = 3, .phase = "steady", .users = 10, .requests = 50,
		.errors = 2, .rps = 50.0004, .bytes_in = 12000, .bytes_out = 3000,
		.cpu_pct = 12.3456, .rss_kb = 20480, .hist = h,
	};
	struct lt_err err = {0};
	cJSON *rec = NULL;
	struct lt_hist *back = NULL;
	double v;
	uint64_t n;

	ck_assert_int_eq(lt_ndjson_build_sample(&in, &rec, &err), LT_OK);
	assert_roundtrip(rec);
	ck_assert_str_eq(lt_ndjson_get_str(rec, "phase"), "steady");
	ck_assert(lt_ndjson_get_num(rec, "rps", &v));
	ck_assert_double_eq(v, 50);
	ck_assert(lt_ndjson_get_num(rec, "cpu_pct", &v));
	ck_assert_double_eq(v, 12.35);
	ck_assert(lt_ndjson_get_count(rec, "rss_kb", &n));
	ck_assert_uint_eq(n, 20480);
	ck_assert(lt_ndjson_get_num(rec, "latency_ms.min", &v));
	ck_assert_double_eq(v, 2);
	ck_assert_int_eq(lt_ndjson_get_hist(rec, "hist", &back, &err), LT_OK);
	ck_assert(lt_hist_equal(back, h));
	lt_hist_free(back);
	cJSON_Delete(rec);
	rec = NULL;

	/* Unknown figures left out; no hist: zeros. */
	in.cpu_pct = -1;
	in.rss_kb = -1;
	in.hist = NULL;
	ck_assert_int_eq(lt_ndjson_build_sample(&in, &rec, &err), LT_OK);
	ck_assert_ptr_null(lt_ndjson_get(rec, "cpu_pct"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "rss_kb"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "hist"));
	ck_assert_int_eq(lt_ndjson_get_hist(rec, "hist", &back, &err), LT_ENOTFOUND);
	ck_assert(lt_ndjson_get_num(rec, "latency_ms.max", &v));
	ck_assert_double_eq(v, 0);
	cJSON_Delete(rec);
	rec = NULL;

	in.phase = "ramp";
	ck_assert_int_eq(lt_ndjson_build_sample(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err),
			 "sample.phase: expected one of warmup, steady, cooldown, got \"ramp\"");
	in.phase = "steady";
	in.errors = 51;
	ck_assert_int_eq(lt_ndjson_build_sample(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.errors: 51 is more than requests (50)");
	in.errors = 0;
	in.rps = NAN;
	ck_assert_int_eq(lt_ndjson_build_sample(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "sample.rps: expected a number, got NaN");
	ck_assert_ptr_null(rec);
	lt_hist_free(h);
}
END_TEST

START_TEST(test_build_summary)
{
	struct lt_hist *all = hist_of(1000, 1000, 200), *a = hist_of(1000, 2000, 100),
		       *b = hist_of(2000, 2000, 100);
	struct lt_ndjson_endpoint endpoints[] = {
		{ "GET /health", "GET", "/health", 100, 1, a },
		{ "GET /api/status", "GET", "/api/status", 100, 2, b },
	};
	struct lt_ndjson_threshold thresholds[] = {
		{ "responseTime.p95", "<", 500 },
		{ "errorRate", "<=", 1 },
		{ "throughput.avg", ">=", 10 },
	};
	struct lt_ndjson_summary in = {
		.run_id = "r1", .duration_s = 20, .requests = 200, .errors = 3, .peak_rps = 14,
		.peak_users = 10, .hist = all, .endpoints = endpoints, .n_endpoints = 2,
		.thresholds = thresholds, .n_thresholds = 3,
	};
	struct lt_err err = {0};
	cJSON *rec = NULL;
	double v;
	bool ok;

	ck_assert_int_eq(lt_ndjson_build_summary(&in, &rec, &err), LT_OK);
	assert_roundtrip(rec);
	ck_assert(lt_ndjson_get_num(rec, "error_rate", &v));
	ck_assert_double_eq(v, 1.5);
	ck_assert(lt_ndjson_get_num(rec, "throughput.avg", &v));
	ck_assert_double_eq(v, 10);
	ck_assert(lt_ndjson_get_num(rec, "latency_ms.stddev", &v));
	ck_assert(v > 0);
	ck_assert_str_eq(lt_ndjson_get_str(rec, "endpoints[1].path"), "/api/status");
	ck_assert_ptr_nonnull(lt_ndjson_get(rec, "endpoints[0].hist"));
	/* p95 < 500 ok, errorRate 1.5 <= 1 fails, 10 >= 10 ok. */
	ck_assert(lt_ndjson_get_bool(rec, "thresholds[0].ok", &ok) && ok);
	ck_assert(lt_ndjson_get_bool(rec, "thresholds[1].ok", &ok) && !ok);
	ck_assert(lt_ndjson_get_num(rec, "thresholds[1].value", &v));
	ck_assert_double_eq(v, 1.5);
	ck_assert(lt_ndjson_get_bool(rec, "thresholds[2].ok", &ok) && ok);
	ck_assert(lt_ndjson_get_bool(rec, "passed", &ok) && !ok);
	ck_assert(lt_ndjson_get_bool(rec, "interrupted", &ok) && !ok);
	cJSON_Delete(rec);
	rec = NULL;

	/* No thresholds: passed; no requests: zero rates, not NaN. */
	in.n_thresholds = 0;
	in.requests = in.errors = 0;
	in.duration_s = 0;
	in.hist = NULL;
	in.n_endpoints = 0;
	ck_assert_int_eq(lt_ndjson_build_summary(&in, &rec, &err), LT_OK);
	ck_assert(lt_ndjson_get_bool(rec, "passed", &ok) && ok);
	ck_assert(lt_ndjson_get_num(rec, "error_rate", &v));
	ck_assert_double_eq(v, 0);
	ck_assert(lt_ndjson_get_num(rec, "throughput.avg", &v));
	ck_assert_double_eq(v, 0);
	ck_assert_int_eq(cJSON_GetArraySize(lt_ndjson_get(rec, "endpoints")), 0);
	cJSON_Delete(rec);
	rec = NULL;

	thresholds[0].metric = "latency";
	in.n_thresholds = 1;
	ck_assert_int_eq(lt_ndjson_build_summary(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "summary.thresholds[0].metric: unknown metric \"latency\"");
	thresholds[0].metric = "responseTime.p95";
	thresholds[0].op = "=<";
	ck_assert_int_eq(lt_ndjson_build_summary(&in, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err),
			 "summary.thresholds[0].op: expected one of <, <=, >, >=, got \"=<\"");
	ck_assert_ptr_null(rec);
	lt_hist_free(all);
	lt_hist_free(a);
	lt_hist_free(b);
}
END_TEST

START_TEST(test_summary_recompute)
{
	/* Two shards of one run: each passes p95 < 60 ms, merged they do
	 * not (the slow shard dominates the tail). */
	struct lt_hist *fast = hist_of(1000, 100, 500), *slow = hist_of(40000, 100, 500),
		       *merged = lt_hist_new();
	struct lt_ndjson_threshold th[] = { { "responseTime.p95", "<", 60 } };
	struct lt_ndjson_summary shard = {
		.run_id = "r1", .duration_s = 10, .requests = 500, .errors = 0, .peak_rps = 60,
		.peak_users = 5, .hist = fast, .thresholds = th, .n_thresholds = 1,
	}, figures;
	struct lt_err err = {0};
	cJSON *rec = NULL, *before;
	struct lt_hist *back = NULL;
	double v;
	bool ok;

	ck_assert_int_eq(lt_ndjson_build_summary(&shard, &rec, &err), LT_OK);
	cJSON_AddStringToObject(rec, "note", "kept");
	ck_assert(lt_ndjson_get_bool(rec, "passed", &ok) && ok);

	lt_hist_merge(merged, fast);
	lt_hist_merge(merged, slow);
	figures = (struct lt_ndjson_summary){
		.duration_s = 10, .requests = 1000, .errors = 10, .peak_rps = 120,
		.peak_users = 10, .hist = merged,
	};
	ck_assert_int_eq(lt_ndjson_summary_recompute(rec, &figures, &err), LT_OK);
	assert_roundtrip(rec);
	ck_assert_str_eq(lt_ndjson_get_str(rec, "run_id"), "r1");
	ck_assert_str_eq(lt_ndjson_get_str(rec, "note"), "kept");
	ck_assert(lt_ndjson_get_num(rec, "error_rate", &v));
	ck_assert_double_eq(v, 1);
	ck_assert(lt_ndjson_get_num(rec, "throughput.avg", &v));
	ck_assert_double_eq(v, 100);
	ck_assert(lt_ndjson_get_num(rec, "latency_ms.max", &v));
	ck_assert_double_eq(v, 89.9);
	ck_assert(lt_ndjson_get_num(rec, "thresholds[0].value", &v));
	ck_assert(v > 60);
	ck_assert(lt_ndjson_get_bool(rec, "thresholds[0].ok", &ok) && !ok);
	ck_assert(lt_ndjson_get_bool(rec, "passed", &ok) && !ok);
	ck_assert_int_eq(lt_ndjson_get_hist(rec, "hist", &back, &err), LT_OK);
	ck_assert(lt_hist_equal(back, merged));
	lt_hist_free(back);

	/* A failure leaves the summary as it was. */
	before = cJSON_Duplicate(rec, 1);
	figures.errors = 2000;
	ck_assert_int_eq(lt_ndjson_summary_recompute(rec, &figures, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err),
			 "summary.error_rate: expected a percentage (0..100), got 200");
	ck_assert(cJSON_Compare(before, rec, 1));
	cJSON_Delete(before);
	cJSON_Delete(rec);

	/* Only a summary can be recomputed. */
	rec = parse(SAMPLE("r1", 1));
	figures.errors = 0;
	ck_assert_int_eq(lt_ndjson_summary_recompute(rec, &figures, &err), LT_EINVAL);
	cJSON_Delete(rec);
	lt_hist_free(fast);
	lt_hist_free(slow);
	lt_hist_free(merged);
}
END_TEST

START_TEST(test_build_alert_bench_execution)
{
	struct lt_ndjson_alert alert = {
		.alert_id = "a1", .scenario_id = "s1", .run_id = "r1", .metric = "responseTime.p95",
		.baseline = 100, .current = 130, .change_pct = 30, .p_value = NAN,
		.method = "threshold", .severity = "critical", .message = "p95 30 % above baseline",
	};
	struct lt_ndjson_bench bench = {
		.bench_id = "b1", .suite = "hist", .name = "record", .unit = "ns", .runs = 10,
		.mean = 5.1, .stddev = 0.2, .median = 5, .min = 4.9, .max = 5.6,
		.has_ci95 = true, .ci95_lo = 4.95, .ci95_hi = 5.25,
		.has_resources = true, .user_s = 1.5, .sys_s = 0.1, .max_rss_kb = 4096,
	};
	struct lt_ndjson_execution exec = {
		.execution_id = "e1", .schedule = "nightly", .scenario_id = "s1",
		.started_at = 1768442400, .finished_at = -1, .status = "retrying",
		.attempt = 2, .exit_code = -1, .run_id = NULL,
	};
	struct lt_err err = {0};
	cJSON *rec = NULL;
	char *line;

	ck_assert_int_eq(lt_ndjson_build_alert(&alert, &rec, &err), LT_OK);
	ck_assert(cJSON_IsNull(lt_ndjson_get(rec, "p_value")));
	assert_roundtrip(rec);
	cJSON_Delete(rec);
	alert.p_value = 0.003;
	ck_assert_int_eq(lt_ndjson_build_alert(&alert, &rec, &err), LT_OK);
	cJSON_Delete(rec);
	alert.severity = "major";
	ck_assert_int_eq(lt_ndjson_build_alert(&alert, &rec, &err), LT_EINVAL);

	ck_assert_int_eq(lt_ndjson_build_bench(&bench, &rec, &err), LT_OK);
	line = lt_ndjson_encode(rec);
	/* The same line as the hand-written one, newline apart. */
	ck_assert_int_eq(strncmp(line, BENCH, strlen(line)), 0);
	ck_assert_uint_eq(strlen(line) + 1, strlen(BENCH));
	free(line);
	cJSON_Delete(rec);
	bench.has_ci95 = bench.has_resources = false;
	bench.runs = 0;
	ck_assert_int_eq(lt_ndjson_build_bench(&bench, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "bench.runs: expected a positive integer, got 0");

	ck_assert_int_eq(lt_ndjson_build_execution(&exec, &rec, &err), LT_OK);
	line = lt_ndjson_encode(rec);
	ck_assert_str_eq(line, "{\"type\":\"execution\",\"v\":1,\"execution_id\":\"e1\","
			       "\"schedule\":\"nightly\",\"scenario_id\":\"s1\","
			       "\"started_at\":\"2026-01-15T02:00:00.000Z\",\"finished_at\":null,"
			       "\"status\":\"retrying\",\"attempt\":2,\"exit_code\":null,\"run_id\":null}");
	free(line);
	cJSON_Delete(rec);
	exec.finished_at = 1768442460;
	exec.exit_code = 1;
	exec.status = "failed";
	exec.run_id = "r9";
	ck_assert_int_eq(lt_ndjson_build_execution(&exec, &rec, &err), LT_OK);
	assert_roundtrip(rec);
	cJSON_Delete(rec);
	exec.finished_at = 1768442000;
	ck_assert_int_eq(lt_ndjson_build_execution(&exec, &rec, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "execution.finished_at: before started_at");

	rec = lt_ndjson_new(LT_NDJSON_BENCH);
	line = lt_ndjson_encode(rec);
	ck_assert_str_eq(line, "{\"type\":\"bench\",\"v\":1}");
	free(line);
	cJSON_Delete(rec);
	ck_assert_ptr_null(lt_ndjson_new(LT_NDJSON_NONE));
}
END_TEST

/* ---- getters ---- */

START_TEST(test_getters)
{
	cJSON *rec = parse("{\"type\":\"bench\",\"n\":3,\"f\":1.5,\"neg\":-1,\"b\":false,"
			   "\"s\":\"x\",\"t\":\"2026-01-15T10:00:00Z\",\"a\":[{\"k\":[5,6]}],"
			   "\"o\":{\"p\":{\"q\":7}}}");
	double d = -1;
	uint64_t n = 99;
	bool b = true;

	ck_assert(lt_ndjson_get_count(rec, "n", &n) && n == 3);
	ck_assert(!lt_ndjson_get_count(rec, "f", &n) && n == 3);
	ck_assert(!lt_ndjson_get_count(rec, "neg", &n));
	ck_assert(lt_ndjson_get_num(rec, "f", &d) && d == 1.5);
	ck_assert(!lt_ndjson_get_num(rec, "s", &d) && d == 1.5);
	ck_assert(lt_ndjson_get_bool(rec, "b", &b) && !b);
	ck_assert(!lt_ndjson_get_bool(rec, "n", &b));
	ck_assert_str_eq(lt_ndjson_get_str(rec, "s"), "x");
	ck_assert_ptr_null(lt_ndjson_get_str(rec, "n"));
	ck_assert(lt_ndjson_get_time(rec, "t", &d) && d == 1768471200);
	ck_assert(!lt_ndjson_get_time(rec, "s", &d));
	ck_assert(lt_ndjson_get_num(rec, "a[0].k[1]", &d) && d == 6);
	ck_assert(lt_ndjson_get_num(rec, "o.p.q", &d) && d == 7);
	ck_assert_ptr_null(lt_ndjson_get(rec, "a[1]"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "a[x]"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "a[0"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "o..p"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "o.p."));
	ck_assert_ptr_null(lt_ndjson_get(rec, ".o"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "n.x"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "o[0]"));
	ck_assert_ptr_null(lt_ndjson_get(rec, "missing"));
	ck_assert_ptr_null(lt_ndjson_get(NULL, "n"));
	ck_assert_ptr_eq(lt_ndjson_get(rec, ""), rec);
	cJSON_Delete(rec);
}
END_TEST

START_TEST(test_metrics)
{
	cJSON *rec = parse(SUMMARY("r1"));
	double v = -1;

	ck_assert_int_eq(lt_ndjson_metric(rec, "responseTime.p95", &v), LT_OK);
	ck_assert_double_eq(v, 3);
	ck_assert_int_eq(lt_ndjson_metric(rec, "throughput.peak", &v), LT_OK);
	ck_assert_double_eq(v, 12);
	ck_assert_int_eq(lt_ndjson_metric(rec, "errorRate", &v), LT_OK);
	ck_assert_double_eq(v, 1);
	ck_assert_int_eq(lt_ndjson_metric(rec, "p95", &v), LT_EINVAL);
	ck_assert_int_eq(lt_ndjson_metric(rec, NULL, &v), LT_EINVAL);
	cJSON_Delete(rec);
	rec = parse(SAMPLE("r1", 1));
	ck_assert_int_eq(lt_ndjson_metric(rec, "responseTime.max", &v), LT_OK);
	ck_assert_double_eq(v, 5);
	ck_assert_int_eq(lt_ndjson_metric(rec, "throughput.avg", &v), LT_ENOTFOUND);
	ck_assert_double_eq(v, 5);
	cJSON_Delete(rec);

	ck_assert_str_eq(lt_ndjson_metric_name(0), "responseTime.min");
	ck_assert_str_eq(lt_ndjson_metric_name(9), "errorRate");
	ck_assert_ptr_null(lt_ndjson_metric_name(10));
	ck_assert(lt_ndjson_compare(1, "<", 2) && !lt_ndjson_compare(2, "<", 2));
	ck_assert(lt_ndjson_compare(2, "<=", 2) && !lt_ndjson_compare(3, "<=", 2));
	ck_assert(lt_ndjson_compare(3, ">", 2) && !lt_ndjson_compare(2, ">", 2));
	ck_assert(lt_ndjson_compare(2, ">=", 2) && !lt_ndjson_compare(1, ">=", 2));
	ck_assert(!lt_ndjson_compare(1, "==", 1) && !lt_ndjson_compare(1, NULL, 1));
}
END_TEST

/* ---- the reader ---- */

START_TEST(test_reader_lines)
{
	static const char s[] = "\n" RUN_START("r1") "  \t\r\n" SAMPLE("r1", 1)
		ALERT "\r\n" SAMPLE("r1", 2);
	FILE *f;
	/* The last line has no newline: still a record (strip it). */
	struct lt_ndjson_reader *r = reader_of(s, sizeof s - 2, "runs.ndjson", &f);
	static const struct {
		enum lt_ndjson_type type;
		unsigned long line;
	} want[] = {
		{ LT_NDJSON_RUN_START, 2 }, { LT_NDJSON_SAMPLE, 4 }, { LT_NDJSON_ALERT, 5 },
		{ LT_NDJSON_SAMPLE, 7 },
	};
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	ck_assert_str_eq(lt_ndjson_reader_name(r), "runs.ndjson");
	ck_assert_uint_eq(lt_ndjson_reader_line(r), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
		ck_assert_ptr_nonnull(rec);
		ck_assert_int_eq(type, want[i].type);
		ck_assert_uint_eq(lt_ndjson_reader_line(r), want[i].line);
		cJSON_Delete(rec);
	}
	for (int i = 0; i < 2; i++) {
		rec = (cJSON *)1;
		ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
		ck_assert_ptr_null(rec);
		ck_assert_int_eq(type, LT_NDJSON_NONE);
	}
	lt_ndjson_reader_free(r);
	lt_ndjson_reader_free(NULL);
	fclose(f);

	assert_stream_ok("", 0);
	assert_stream_ok("\n\n   \n", 0);
	r = lt_ndjson_reader_new(stdin, NULL);
	ck_assert_str_eq(lt_ndjson_reader_name(r), "<input>");
	lt_ndjson_reader_free(r);
}
END_TEST

START_TEST(test_reader_syntax)
{
	assert_stream_fails(RUN_START("r1") "{\"type\":\"sample\",\"v\":1,\"run_id\":\"r1\",\"t\":}\n",
			    "x.ndjson:2: line is not valid JSON (at column 42)", 1);
	assert_stream_fails("{\"type\":\"sample\",\"v\":1", 
			    "x.ndjson:1: last line is incomplete (no newline at end of input, "
			    "not valid JSON at column 23)", 0);
	assert_stream_fails(RUN_START("r1") "{} {}\n",
			    "x.ndjson:2: line is not valid JSON (at column 4)", 1);
	assert_stream_fails("{\"type\":\"sample\",\"run_id\":\"\xc3\x28\"}\n",
			    "x.ndjson:1: invalid UTF-8 (at column 28)", 0);
	assert_stream_fails("{\"type\":\"sample\"}\n",
			    "x.ndjson:1: v: required field is missing", 0);
	assert_stream_fails("[]\n", "x.ndjson:1: expected a JSON object, got an array", 0);
	/* A NUL byte cannot be given in a C string: see test_reader_nul. */
}
END_TEST

START_TEST(test_reader_nul)
{
	static const char s[] = "{\"type\":\"alert\"}\0x\n";
	FILE *f;
	struct lt_ndjson_reader *r = reader_of(s, sizeof s - 1, "nul.ndjson", &f);
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "nul.ndjson:1: line contains a NUL byte (at column 17)");
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

START_TEST(test_reader_order_rules)
{
	/* A whole run, interleaved with another and with standalone records. */
	assert_stream_ok(RUN_START("r1") RUN_START("r2") SAMPLE("r1", 1) SAMPLE("r2", 1)
			 SAMPLE("r1", 2) SAMPLE("r1", 3) ALERT BENCH EXECUTION SUMMARY("r1")
			 SAMPLE("r2", 5) SUMMARY("r2") ALERT, 13);
	/* The same run replayed after its summary: accepted. */
	assert_stream_ok(RUN_START("r1") SAMPLE("r1", 1) SUMMARY("r1")
			 RUN_START("r1") SAMPLE("r1", 1) SUMMARY("r1"), 6);
	assert_stream_fails(RUN_START("r1") SAMPLE("r1", 1) RUN_START("r1"),
			    "x.ndjson:3: run_start: duplicate run_id \"r1\" (first at line 1)", 2);
	assert_stream_fails(SAMPLE("r1", 1),
			    "x.ndjson:1: records out of order: sample before the run_start "
			    "of run \"r1\"", 0);
	assert_stream_fails(RUN_START("r2") SUMMARY("r1"),
			    "x.ndjson:2: records out of order: summary before the run_start "
			    "of run \"r1\"", 1);
	assert_stream_fails(RUN_START("r1") SAMPLE("r1", 5) SAMPLE("r1", 3),
			    "x.ndjson:3: records out of order: sample t=3 after t=5", 2);
	assert_stream_fails(RUN_START("r1") SAMPLE("r1", 5) SAMPLE("r1", 5),
			    "x.ndjson:3: records out of order: a second sample at t=5", 2);
	assert_stream_fails(RUN_START("r1") SAMPLE("r1", 1) SUMMARY("r1") SAMPLE("r1", 2),
			    "x.ndjson:4: records out of order: sample after the summary of "
			    "run \"r1\" (line 3)", 3);
	assert_stream_fails(RUN_START("r1") SUMMARY("r1") "\n" SUMMARY("r1"),
			    "x.ndjson:4: summary: duplicate summary for run \"r1\" (first at line 2)", 2);
	/* t is per run: another run's clock does not count. */
	assert_stream_ok(RUN_START("r1") RUN_START("r2") SAMPLE("r1", 9) SAMPLE("r2", 1), 4);
}
END_TEST

START_TEST(test_reader_errors_not_sticky)
{
	static const char s[] = RUN_START("r1") "oops\n" SAMPLE("r1", 3) SAMPLE("r1", 2)
		SAMPLE("r1", 4) SUMMARY("r1");
	FILE *f;
	struct lt_ndjson_reader *r = reader_of(s, sizeof s - 1, "x.ndjson", &f);
	struct lt_err err = {0};
	static const lt_rc want[] = { LT_OK, LT_EINVAL, LT_OK, LT_EINVAL, LT_OK, LT_OK };
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), want[i]);
		ck_assert_uint_eq(lt_ndjson_reader_line(r), i + 1);
		if (want[i] == LT_OK)
			cJSON_Delete(rec);
	}
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
	ck_assert_ptr_null(rec);
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

/* A temporary file holding what write_fn writes. */
static FILE *temp_stream(void (*write_fn)(FILE *))
{
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	write_fn(f);
	rewind(f);
	return f;
}

static void write_big_line(FILE *f)
{
	/* 10 MB inside a JSON string, between two good records. */
	fputs(RUN_START("r1"), f);
	fputs("{\"type\":\"alert\",\"pad\":\"", f);
	for (int i = 0; i < 10 * 1000; i++) {
		char chunk[1000];
		memset(chunk, 'x', sizeof chunk);
		fwrite(chunk, 1, sizeof chunk, f);
	}
	fputs("\"}\n", f);
	fputs(SAMPLE("r1", 1), f);
}

START_TEST(test_reader_long_line)
{
	FILE *f = temp_stream(write_big_line);
	struct lt_ndjson_reader *r = lt_ndjson_reader_new(f, "big.ndjson");
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
	cJSON_Delete(rec);
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "big.ndjson:2: line longer than 4194304 bytes");
	/* It stopped reading at the limit... */
	ck_assert_int_lt(ftell(f), 4194304 + 300);
	/* ...and going on skips the rest of the line. */
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
	ck_assert_int_eq(type, LT_NDJSON_SAMPLE);
	ck_assert_uint_eq(lt_ndjson_reader_line(r), 3);
	cJSON_Delete(rec);
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
	ck_assert_ptr_null(rec);
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

static void write_many_runs(FILE *f)
{
	/* More ended runs than the reader keeps: r0 is forgotten. */
	for (int i = 0; i <= LT_NDJSON_ENDED_RUNS_KEPT; i++) {
		char id[32];
		snprintf(id, sizeof id, "r%d", i);
		fprintf(f, "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"%s\",\"scenario_id\":\"s\","
			"\"started_at\":\"2026-01-15T10:00:00Z\",\"config\":{}}\n", id);
		fprintf(f, "{\"type\":\"summary\",\"v\":1,\"run_id\":\"%s\",\"duration_s\":1,"
			"\"requests\":0,\"errors\":0,\"error_rate\":0,\"throughput\":"
			"{\"avg\":0,\"peak\":0}," LAT ",\"endpoints\":[],\"passed\":true}\n", id);
	}
	fputs(SAMPLE("r4096", 1), f);
	fputs(SAMPLE("r0", 1), f);
}

START_TEST(test_reader_forgets_old_runs)
{
	FILE *f = temp_stream(write_many_runs);
	struct lt_ndjson_reader *r = lt_ndjson_reader_new(f, "many.ndjson");
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	for (int i = 0; i < 2 * (LT_NDJSON_ENDED_RUNS_KEPT + 1); i++) {
		ck_assert_msg(lt_ndjson_reader_next(r, &rec, &type, &err) == LT_OK, "%s",
			      lt_errmsg(&err));
		cJSON_Delete(rec);
	}
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "many.ndjson:8195: records out of order: sample after "
					  "the summary of run \"r4096\" (line 8194)");
	/* Still an error for a forgotten run, just a vaguer one. */
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "many.ndjson:8196: records out of order: sample before "
					  "the run_start of run \"r0\"");
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

static void write_open_runs(FILE *f)
{
	for (int i = 0; i <= LT_NDJSON_MAX_OPEN_RUNS; i++)
		fprintf(f, "{\"type\":\"run_start\",\"v\":1,\"run_id\":\"r%d\",\"scenario_id\":\"s\","
			"\"started_at\":\"2026-01-15T10:00:00Z\",\"config\":{}}\n", i);
}

START_TEST(test_reader_open_runs_limit)
{
	FILE *f = temp_stream(write_open_runs);
	struct lt_ndjson_reader *r = lt_ndjson_reader_new(f, "open.ndjson");
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	for (int i = 0; i < LT_NDJSON_MAX_OPEN_RUNS; i++) {
		ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_OK);
		cJSON_Delete(rec);
	}
	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_ELIMIT);
	ck_assert_str_eq(lt_errmsg(&err), "open.ndjson:65537: more than 65536 runs open at once "
					  "(started, no summary yet)");
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

START_TEST(test_reader_read_error)
{
	/* A write-only stream cannot be read. */
	FILE *f = fopen("/dev/null", "w");
	struct lt_ndjson_reader *r = lt_ndjson_reader_new(f, "w.ndjson");
	struct lt_err err = {0};
	cJSON *rec = NULL;
	enum lt_ndjson_type type;

	ck_assert_int_eq(lt_ndjson_reader_next(r, &rec, &type, &err), LT_EIO);
	ck_assert_str_eq(lt_errmsg(&err), "w.ndjson:1: read error: Bad file descriptor");
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

/* ---- the bad-input corpus ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_bad_corpus)
{
	const char *dir = LT_SOURCE_DIR "/tests/bad/ndjson";
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256];
	size_t n = 0;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	ck_assert_int_eq(chdir(dir), 0);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 7 && strcmp(e->d_name + len - 7, ".ndjson") == 0) {
			ck_assert_uint_lt(n, 256);
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof names[0], by_name);
	/* The corpus cannot pass by being empty. */
	ck_assert_uint_ge(n, 20);

	for (size_t i = 0; i < n; i++) {
		char expect_path[300];
		char *want, *nl;
		FILE *f = fopen(names[i], "rb");
		struct lt_ndjson_reader *r = lt_ndjson_reader_new(f, names[i]);
		struct lt_err err = {0};
		lt_rc rc;

		snprintf(expect_path, sizeof expect_path, "%.*s.expect",
			 (int)(strlen(names[i]) - 7), names[i]);
		want = slurp(expect_path);
		if ((nl = strchr(want, '\n')) != NULL)
			*nl = '\0';
		for (;;) {
			cJSON *rec = NULL;
			enum lt_ndjson_type type;
			rc = lt_ndjson_reader_next(r, &rec, &type, &err);
			if (rc != LT_OK || !rec)
				break;
			cJSON_Delete(rec);
		}
		ck_assert_msg(rc != LT_OK, "%s: read without an error", names[i]);
		ck_assert_msg(strcmp(lt_errmsg(&err), want) == 0, "%s:\n  got  %s\n  want %s",
			      names[i], lt_errmsg(&err), want);
		lt_ndjson_reader_free(r);
		fclose(f);
		free(want);
		free(names[i]);
	}
}
END_TEST

/* ---- tests/data/run-small.ndjson: a complete run for other suites ---- */

/* A fixed pseudo-random sequence, so the file is the same every time. */
static uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state >> 33;
}

/* Write the run: run_start, 8 one-second samples (2 warm-up, 4 steady,
 * 2 cool-down) with histograms, and a summary of the steady seconds. */
static void write_run_small(FILE *out)
{
	static const char *const run_id = "6b1f7a52-3c4d-4e8f-9a0b-1c2d3e4f5a6b";
	cJSON *config = parse("{\"id\":\"api-health-check\",\"name\":\"API Health Check\","
			      "\"config\":{\"baseUrl\":\"http://127.0.0.1:3000\",\"endpoints\":["
			      "{\"path\":\"/health\",\"method\":\"GET\",\"weight\":70},"
			      "{\"path\":\"/api/status\",\"method\":\"GET\",\"weight\":30}],"
			      "\"users\":{\"concurrent\":10},\"duration\":{\"total\":8,\"warmup\":2,"
			      "\"cooldown\":2},\"thresholds\":{\"responseTime\":{\"p95\":500},"
			      "\"errorRate\":{\"max\":5}}}}");
	struct lt_ndjson_run_start start = {
		.run_id = run_id, .scenario_id = "api-health-check",
		.scenario_name = "API Health Check", .started_at = 1768471200,
		.segment_index = 1, .segment_count = 1, .host = "ci-runner-1",
		.version = "0.1.0", .config = config,
	};
	struct lt_hist *second = lt_hist_new(), *steady = lt_hist_new(),
		       *ep_hist[2] = { lt_hist_new(), lt_hist_new() };
	uint64_t ep_requests[2] = { 0, 0 }, ep_errors[2] = { 0, 0 };
	uint64_t requests = 0, errors = 0, state = 42;
	double peak = 0;
	struct lt_err err = {0};
	cJSON *rec = NULL;

	ck_assert_int_eq(lt_ndjson_build_run_start(&start, &rec, &err), LT_OK);
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
	cJSON_Delete(rec);
	for (int t = 1; t <= 8; t++) {
		const char *phase = t <= 2 ? "warmup" : t <= 6 ? "steady" : "cooldown";
		uint64_t users = t <= 2 ? (uint64_t)t * 5 : t <= 6 ? 10 : (uint64_t)(9 - t) * 5;
		uint64_t n = users * 3 + next_random(&state) % 5, bad = 0;

		lt_hist_reset(second);
		for (uint64_t i = 0; i < n; i++) {
			/* 8..40 ms, now and then a slow one. */
			uint64_t us = 8000 + next_random(&state) % 32000;
			int ep = (int)(i % 10 < 7 ? 0 : 1);
			bool failed = next_random(&state) % 50 == 0;
			if (next_random(&state) % 40 == 0)
				us *= 5;
			lt_hist_record(second, us);
			bad += failed;
			if (strcmp(phase, "steady") == 0) {
				lt_hist_record(ep_hist[ep], us);
				ep_requests[ep]++;
				ep_errors[ep] += failed;
			}
		}
		struct lt_ndjson_sample s = {
			.run_id = run_id, .t = t, .phase = phase, .users = users, .requests = n,
			.errors = bad, .rps = (double)n, .bytes_in = n * 512, .bytes_out = n * 96,
			.cpu_pct = 3.5 + t * 0.25, .rss_kb = 18000 + t * 16, .hist = second,
		};
		ck_assert_int_eq(lt_ndjson_build_sample(&s, &rec, &err), LT_OK);
		ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
		cJSON_Delete(rec);
		if (strcmp(phase, "steady") == 0) {
			lt_hist_merge(steady, second);
			requests += n;
			errors += bad;
			peak = fmax(peak, (double)n);
		}
	}
	struct lt_ndjson_endpoint endpoints[2] = {
		{ "GET /health", "GET", "/health", ep_requests[0], ep_errors[0], ep_hist[0] },
		{ "GET /api/status", "GET", "/api/status", ep_requests[1], ep_errors[1], ep_hist[1] },
	};
	struct lt_ndjson_threshold thresholds[2] = {
		{ "responseTime.p95", "<", 500 }, { "errorRate", "<", 5 },
	};
	struct lt_ndjson_summary sum = {
		.run_id = run_id, .duration_s = 4, .requests = requests, .errors = errors,
		.peak_rps = peak, .peak_users = 10, .hist = steady, .endpoints = endpoints,
		.n_endpoints = 2, .thresholds = thresholds, .n_thresholds = 2,
	};
	ck_assert_int_eq(lt_ndjson_build_summary(&sum, &rec, &err), LT_OK);
	ck_assert_int_eq(lt_ndjson_write(out, rec, &err), LT_OK);
	cJSON_Delete(rec);
	lt_hist_free(second);
	lt_hist_free(steady);
	lt_hist_free(ep_hist[0]);
	lt_hist_free(ep_hist[1]);
	cJSON_Delete(config);
}

/* The committed file is what the builders make today (LT_REGENERATE=1
 * rewrites it), and it reads as a complete, valid run. */
START_TEST(test_run_small)
{
	const char *path = LT_SOURCE_DIR "/tests/data/run-small.ndjson";
	char *made = NULL, *committed;
	size_t len = 0;
	FILE *f = open_memstream(&made, &len);
	struct lt_ndjson_reader *r;
	struct lt_err err = {0};
	int counts[7] = {0};
	bool passed = false;

	write_run_small(f);
	fclose(f);
	if (getenv("LT_REGENERATE")) {
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fwrite(made, 1, len, f);
		fclose(f);
	}
	committed = slurp(path);
	ck_assert_msg(strcmp(made, committed) == 0,
		      "%s differs from what the builders make: LT_REGENERATE=1 to rewrite it", path);
	free(made);
	free(committed);

	f = fopen(path, "r");
	r = lt_ndjson_reader_new(f, "run-small.ndjson");
	for (;;) {
		cJSON *rec = NULL;
		enum lt_ndjson_type type;
		ck_assert_msg(lt_ndjson_reader_next(r, &rec, &type, &err) == LT_OK, "%s",
			      lt_errmsg(&err));
		if (!rec)
			break;
		counts[type]++;
		if (type == LT_NDJSON_SAMPLE)
			ck_assert_ptr_nonnull(lt_ndjson_get(rec, "hist"));
		if (type == LT_NDJSON_SUMMARY)
			ck_assert(lt_ndjson_get_bool(rec, "passed", &passed));
		cJSON_Delete(rec);
	}
	ck_assert_int_eq(counts[LT_NDJSON_RUN_START], 1);
	ck_assert_int_eq(counts[LT_NDJSON_SAMPLE], 8);
	ck_assert_int_eq(counts[LT_NDJSON_SUMMARY], 1);
	ck_assert(passed);
	lt_ndjson_reader_free(r);
	fclose(f);
}
END_TEST

/* The stream in EXAMPLES of lt-ndjson(5), and its histogram example, are
 * real: they read as valid here, so the page cannot drift from the code. */
START_TEST(test_man_page_examples)
{
	char *page = slurp(LT_SOURCE_DIR "/man/lt-ndjson.5"), *examples, *line, *save = NULL;
	char *stream = calloc(1, strlen(page) + 1), *hist_text = calloc(1, 512);
	const char *at;
	char msg[1024];
	int records;
	cJSON *hist_json;
	struct lt_hist *h = NULL;
	struct lt_err err = {0};

	/* The two lines of the histogram example, joined. */
	ck_assert_ptr_nonnull(at = strstr(page, "\n{\"v\":1,\"n\":5,"));
	for (size_t i = 0, n = 0; at[1 + i] && n < 2; i++) {
		if (at[1 + i] == '\n')
			n++;
		else
			strncat(hist_text, &at[1 + i], 1);
	}
	hist_json = cJSON_Parse(hist_text);
	ck_assert_msg(hist_json != NULL, "%s", hist_text);
	ck_assert_msg(lt_hist_from_json(hist_json, &h, &err) == LT_OK, "%s", lt_errmsg(&err));
	ck_assert_uint_eq(lt_hist_count(h), 5);
	lt_hist_free(h);
	cJSON_Delete(hist_json);

	/* Every record line of EXAMPLES, with roff's escapes undone. */
	ck_assert_ptr_nonnull(examples = strstr(page, "\n.SH EXAMPLES\n"));
	for (line = strtok_r(examples, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len;
		if (strncmp(line, "{\"type\"", 7) != 0)
			continue;
		len = strlen(stream);
		for (const char *p = line; *p; p++) {
			if (p[0] == '\\' && (p[1] == '-' || p[1] == 'e')) {
				stream[len++] = p[1] == '-' ? '-' : '\\';
				p++;
			} else {
				stream[len++] = *p;
			}
		}
		stream[len++] = '\n';
		stream[len] = '\0';
	}
	ck_assert_msg(read_all(stream, "lt-ndjson.5", msg, sizeof msg, &records) == LT_OK,
		      "%s", msg);
	ck_assert_int_eq(records, 5);
	free(stream);
	free(hist_text);
	free(page);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("ndjson");
	TCase *validate = tcase_create("validate");
	TCase *encode = tcase_create("encode");
	TCase *build = tcase_create("build");
	TCase *reader = tcase_create("reader");
	TCase *corpus = tcase_create("corpus");

	tcase_add_test(validate, test_type_names);
	tcase_add_test(validate, test_validate_good);
	tcase_add_test(validate, test_validate_bad);
	tcase_add_test(validate, test_validate_limits);
	tcase_add_test(validate, test_validate_hist);
	suite_add_tcase(s, validate);

	tcase_add_test(encode, test_encode_numbers);
	tcase_add_test(encode, test_encode_refuses);
	tcase_add_test(encode, test_encode_strings);
	tcase_add_test(encode, test_encode_too_long);
	tcase_add_test(encode, test_roundtrip_corpus_records);
	tcase_add_test(encode, test_write_flushes_pipes);
	tcase_add_test(encode, test_write_buffers_files);
	suite_add_tcase(s, encode);

	tcase_add_test(build, test_latency_json);
	tcase_add_test(build, test_build_run_start);
	tcase_add_test(build, test_build_sample);
	tcase_add_test(build, test_build_summary);
	tcase_add_test(build, test_summary_recompute);
	tcase_add_test(build, test_build_alert_bench_execution);
	tcase_add_test(build, test_getters);
	tcase_add_test(build, test_metrics);
	suite_add_tcase(s, build);

	tcase_add_test(reader, test_reader_lines);
	tcase_add_test(reader, test_reader_syntax);
	tcase_add_test(reader, test_reader_nul);
	tcase_add_test(reader, test_reader_order_rules);
	tcase_add_test(reader, test_reader_errors_not_sticky);
	tcase_add_test(reader, test_reader_long_line);
	tcase_add_test(reader, test_reader_forgets_old_runs);
	tcase_add_test(reader, test_reader_open_runs_limit);
	tcase_add_test(reader, test_reader_read_error);
	suite_add_tcase(s, reader);

	tcase_add_test(corpus, test_bad_corpus);
	tcase_add_test(corpus, test_run_small);
	tcase_add_test(corpus, test_man_page_examples);
	/* valgrind and the sanitizers make the big streams slow. */
	tcase_set_timeout(reader, 120);
	tcase_set_timeout(corpus, 60);
	suite_add_tcase(s, corpus);
	return s;
}
