/* fuzz_schedule.c -- lt_schedule_from_json (the schedule objects of
 * lt-sched(1)) on any JSON value.
 *
 * Promises checked (schedule.h):
 *   - a failure leaves *out NULL and says why;
 *   - a parsed schedule, written by lt_schedule_to_json, parses again to
 *     a schedule that writes the same JSON ("list --json output can be
 *     added again").
 */
#include "fuzz.h"

#include "schedule.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *json = cJSON_ParseWithLength((const char *)data, size), *out1 = NULL, *out2 = NULL;
	struct lt_schedule *s = NULL, *again = NULL;
	struct lt_err err = {0};

	if (!json)
		return 0;
	if (lt_schedule_from_json(json, "fuzz.json", &s, &err) != LT_OK) {
		if (s)
			fuzz_fail("a failed lt_schedule_from_json set *out");
		if (!*lt_errmsg(&err))
			fuzz_fail("lt_schedule_from_json failed without a message");
		goto out;
	}
	if (!(out1 = lt_schedule_to_json(s, -1)))
		goto out;
	if (lt_schedule_from_json(out1, "again.json", &again, &err) != LT_OK) {
		char *text = cJSON_PrintUnformatted(out1);
		fuzz_fail("lt_schedule_to_json output does not parse: %s: %s", lt_errmsg(&err),
			  text ? text : "?");
	}
	if ((out2 = lt_schedule_to_json(again, -1)) && !fuzz_same_json(out1, out2)) {
		char *t1 = cJSON_PrintUnformatted(out1), *t2 = cJSON_PrintUnformatted(out2);
		fuzz_fail("schedule round trip differs:\n%s\n%s", t1 ? t1 : "?", t2 ? t2 : "?");
	}
out:
	cJSON_Delete(out2);
	cJSON_Delete(out1);
	lt_schedule_free(again);
	lt_schedule_free(s);
	cJSON_Delete(json);
	return 0;
}
