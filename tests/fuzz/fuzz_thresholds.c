/* fuzz_thresholds.c -- thresholds in both their forms on any bytes: the
 * thresholds document of lt-regress(1) (lt_regress_config_apply) and the
 * expressions of lt-run --threshold (lt_scenario_threshold_parse, with
 * lt_scenario_duration_parse for the units they share).
 *
 * Promises checked:
 *   - a failed apply leaves the config as it was (its to_json unchanged);
 *   - after a successful apply, lt_regress_config_to_json applied to a
 *     fresh config gives the same document back;
 *   - a parsed expression names a metric lt_ndjson_metric knows, and a
 *     failed parse leaves *out unchanged; a parsed duration is finite and
 *     not negative.
 */
#include "fuzz.h"

#include "ndjson.h"
#include "regress.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void thresholds_check_document(const uint8_t *data, size_t size)
{
	cJSON *json = cJSON_ParseWithLength((const char *)data, size), *before = NULL, *after = NULL;
	struct lt_regress_config *c = NULL, *fresh = NULL;
	struct lt_err err = {0};

	if (!json || !(c = lt_regress_config_new()) || !(before = lt_regress_config_to_json(c)))
		goto out;
	if (lt_regress_config_apply(c, json, "fuzz.json", &err) != LT_OK) {
		if (!*lt_errmsg(&err))
			fuzz_fail("lt_regress_config_apply failed without a message");
		if ((after = lt_regress_config_to_json(c)) && !fuzz_same_json(before, after))
			fuzz_fail("a failed lt_regress_config_apply changed the config");
		goto out;
	}
	if (!(after = lt_regress_config_to_json(c)) || !(fresh = lt_regress_config_new()))
		goto out;
	if (lt_regress_config_apply(fresh, after, "again.json", &err) != LT_OK) {
		char *text = cJSON_PrintUnformatted(after);
		fuzz_fail("lt_regress_config_to_json output does not apply: %s: %s", lt_errmsg(&err),
			  text ? text : "?");
	}
	cJSON_Delete(before);
	if ((before = lt_regress_config_to_json(fresh)) && !fuzz_same_json(before, after)) {
		char *t1 = cJSON_PrintUnformatted(after), *t2 = cJSON_PrintUnformatted(before);
		fuzz_fail("thresholds round trip differs:\n%s\n%s", t1 ? t1 : "?", t2 ? t2 : "?");
	}
out:
	lt_regress_config_free(fresh);
	lt_regress_config_free(c);
	cJSON_Delete(after);
	cJSON_Delete(before);
	cJSON_Delete(json);
}

static void thresholds_check_expression(const uint8_t *data, size_t size)
{
	static const struct lt_threshold untouched = {"untouched", LT_OP_GE, -1};
	struct lt_threshold t = untouched;
	struct lt_err err = {0};
	char *s = fuzz_cstr(data, size);
	double seconds = -1;
	const char *m;
	size_t i;

	if (!s)
		return;
	if (lt_scenario_threshold_parse(s, &t, &err) == LT_OK) {
		for (i = 0; (m = lt_ndjson_metric_name(i)); i++)
			if (t.metric && !strcmp(m, t.metric))
				break;
		if (!m)
			fuzz_fail("\"%s\" parsed to the unknown metric \"%s\"", s,
				  t.metric ? t.metric : "(null)");
		if (!isfinite(t.limit))
			fuzz_fail("\"%s\" parsed to the limit %g", s, t.limit);
		lt_scenario_op_name(t.op);
	} else if (t.metric != untouched.metric || t.op != untouched.op ||
		   t.limit != untouched.limit) {
		fuzz_fail("a failed lt_scenario_threshold_parse of \"%s\" changed *out", s);
	}
	if (lt_scenario_duration_parse(s, &seconds)) {
		if (!isfinite(seconds) || seconds < 0)
			fuzz_fail("\"%s\" parsed to the duration %g", s, seconds);
	} else if (seconds != -1) {
		fuzz_fail("a failed lt_scenario_duration_parse of \"%s\" changed *seconds", s);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	thresholds_check_document(data, size);
	thresholds_check_expression(data, size);
	return 0;
}
