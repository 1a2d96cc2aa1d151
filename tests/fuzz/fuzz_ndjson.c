/* fuzz_ndjson.c -- the NDJSON reader, lt_ndjson_validate and the writer on
 * any bytes.
 *
 * The input is read as a stream (fmemopen) to its end, going on after
 * errors as the reader allows ("errors are not sticky").  Promises checked
 * (ndjson.h):
 *   - a failing read sets a message naming the line and leaves *rec NULL;
 *   - lt_ndjson_encode of a record read is one line of at most
 *     LT_NDJSON_MAX_LINE bytes that parses back to a record that
 *     validates again, with the same type, and encodes to the same line;
 *   - lt_ndjson_get_hist on the "hist" of a sample or a summary and
 *     lt_ndjson_metric on every metric name do not fail other than as
 *     documented.
 * The whole input parsed as one JSON value also goes through
 * lt_ndjson_validate, which must not crash on any value (arrays, nested
 * objects, records of the wrong shape).
 */
#include "fuzz.h"

#include "hist.h"
#include "ndjson.h"

#include <cjson/cJSON.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* rec, of type type, passed lt_ndjson_validate (the reader's, or the
 * caller's own call). */
static void ndjson_check_record(const cJSON *rec, enum lt_ndjson_type type)
{
	enum lt_ndjson_type type2 = LT_NDJSON_NONE;
	struct lt_err err = {0};
	struct lt_hist *h = NULL;
	cJSON *back;
	char *line, *line2;
	const char *metric;
	double value;
	size_t i;
	lt_rc rc;

	if (!lt_ndjson_type_name(type) || lt_ndjson_type_parse(lt_ndjson_type_name(type)) != type)
		fuzz_fail("type %d does not name itself", (int)type);

	line = lt_ndjson_encode(rec);
	if (line) {
		if (strchr(line, '\n'))
			fuzz_fail("lt_ndjson_encode wrote a newline: %s", line);
		if (strlen(line) > LT_NDJSON_MAX_LINE)
			fuzz_fail("lt_ndjson_encode wrote %zu bytes", strlen(line));
		back = cJSON_Parse(line);
		if (!back)
			fuzz_fail("lt_ndjson_encode output is not JSON: %s", line);
		line2 = lt_ndjson_encode(back);
		if (!line2 || strcmp(line, line2) != 0)
			fuzz_fail("lt_ndjson_encode round trip differs:\n%s\n%s", line,
				  line2 ? line2 : "(not encoded)");
		free(line2);
		if (lt_ndjson_validate(back, &type2, &err) != LT_OK || type2 != type)
			fuzz_fail("an encoded record does not validate again: %s: %s",
				  lt_errmsg(&err), line);
		cJSON_Delete(back);
		free(line);
	}

	/* "hist" is a contract field of samples and summaries only: in
	 * another record it is anybody's field, which get_hist may call
	 * malformed. */
	rc = lt_ndjson_get_hist(rec, "hist", &h, &err);
	if ((type == LT_NDJSON_SAMPLE || type == LT_NDJSON_SUMMARY) && rc != LT_OK &&
	    rc != LT_ENOTFOUND && rc != LT_ENOMEM)
		fuzz_fail("lt_ndjson_get_hist of a valid %s: rc %d: %s", lt_ndjson_type_name(type),
			  rc, lt_errmsg(&err));
	lt_hist_free(h);
	for (i = 0; (metric = lt_ndjson_metric_name(i)); i++) {
		rc = lt_ndjson_metric(rec, metric, &value);
		if (rc != LT_OK && rc != LT_ENOTFOUND)
			fuzz_fail("lt_ndjson_metric(%s): rc %d", metric, rc);
	}
}

static void ndjson_read_stream(const uint8_t *data, size_t size)
{
	struct lt_ndjson_reader *r;
	FILE *f;
	/* Each call reads at least one line, and a stream of size bytes
	 * holds at most size + 1 of them (an over-long line takes one more
	 * call, to skip its rest): more calls than that mean a reader that
	 * stopped moving. */
	size_t calls, max_calls = size + 2 + size / LT_NDJSON_MAX_LINE;

	/* fmemopen refuses a zero-size buffer on some libcs: an empty
	 * stream is then a one-byte stream of a newline, which reads the
	 * same (a blank line). */
	f = size ? fmemopen((void *)data, size, "r") : fmemopen("\n", 1, "r");
	if (!f)
		return;
	if (!(r = lt_ndjson_reader_new(f, "fuzz.ndjson"))) {
		fclose(f);
		return;
	}
	for (calls = 0; calls < max_calls; calls++) {
		enum lt_ndjson_type type = LT_NDJSON_NONE;
		struct lt_err err = {0};
		cJSON *rec = NULL;
		lt_rc rc = lt_ndjson_reader_next(r, &rec, &type, &err);

		if (rc != LT_OK) {
			if (rec)
				fuzz_fail("lt_ndjson_reader_next failed (%d) but set *rec", rc);
			if (strncmp(lt_errmsg(&err), "fuzz.ndjson:", 12) != 0)
				fuzz_fail("reader message does not name the stream: %s", lt_errmsg(&err));
			if (rc == LT_EIO || rc == LT_ENOMEM)
				break;
			continue;
		}
		if (!rec) {
			if (type != LT_NDJSON_NONE)
				fuzz_fail("end of input with type %d", (int)type);
			break;
		}
		ndjson_check_record(rec, type);
		cJSON_Delete(rec);
	}
	if (calls == max_calls)
		fuzz_fail("the reader did not reach the end of %zu bytes in %zu calls", size,
			  max_calls);
	lt_ndjson_reader_free(r);
	fclose(f);
}

static void ndjson_validate_value(const uint8_t *data, size_t size)
{
	enum lt_ndjson_type type = LT_NDJSON_NONE;
	struct lt_err err = {0};
	cJSON *json = cJSON_ParseWithLength((const char *)data, size);

	if (!json)
		return;
	if (lt_ndjson_validate(json, &type, &err) == LT_OK)
		ndjson_check_record(json, type);
	cJSON_Delete(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ndjson_read_stream(data, size);
	ndjson_validate_value(data, size);
	return 0;
}
