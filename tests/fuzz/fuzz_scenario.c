/* fuzz_scenario.c -- lt_scenario_parse on any bytes.
 *
 * Promises checked when the input parses (scenario.h):
 *   - lt_scenario_to_json of each scenario parses again (same base_dir)
 *     and gives the same JSON back: "parsing it again gives an equal
 *     scenario";
 *   - set_find by id finds a scenario with that id;
 *   - lt_scenario_apply_overrides either succeeds or fails with
 *     LT_EINVAL / LT_ENOMEM and leaves the scenario as it was.
 * "@file" bodies resolve against a directory that does not exist, so a
 * relative name is an error, never a read of some file of the machine;
 * `make fuzz` runs the targets with stdin from /dev/null in case an input
 * names "@/dev/stdin".
 */
#include "fuzz.h"

#include "scenario.h"

#include <cjson/cJSON.h>

#define SCENARIO_FUZZ_DIR "/nonexistent-lt-fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* json parses as one scenario whose to_json equals json. */
static void scenario_check_reparse(const cJSON *json)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	char *text = cJSON_PrintUnformatted(json);
	cJSON *again;

	if (!text)
		return;
	if (lt_scenario_parse(text, strlen(text), "again.json", SCENARIO_FUZZ_DIR, &set, &err) != LT_OK)
		fuzz_fail("lt_scenario_to_json output does not parse: %s\n%s", lt_errmsg(&err), text);
	if (lt_scenario_set_count(set) != 1)
		fuzz_fail("lt_scenario_to_json output holds %zu scenarios", lt_scenario_set_count(set));
	again = lt_scenario_to_json(lt_scenario_set_get(set, 0));
	if (again && !fuzz_same_json(json, again)) {
		char *t2 = cJSON_PrintUnformatted(again);
		fuzz_fail("scenario round trip differs:\n%s\n%s", text, t2 ? t2 : "?");
	}
	cJSON_Delete(again);
	lt_scenario_set_free(set);
	free(text);
}

static void scenario_check_overrides(struct lt_scenario *sc)
{
	static const struct lt_threshold limit = {"responseTime.p95", LT_OP_LT, 300};
	struct lt_scenario_overrides ov = {
		.duration_s = 2, .users = 3, .thresholds = &limit, .n_thresholds = 1,
	};
	struct lt_err err = {0};
	cJSON *before = lt_scenario_to_json(sc), *after;
	lt_rc rc;

	if (!before)
		return;
	rc = lt_scenario_apply_overrides(sc, &ov, &err);
	if (rc != LT_OK && rc != LT_EINVAL && rc != LT_ENOMEM)
		fuzz_fail("lt_scenario_apply_overrides: unexpected rc %d", rc);
	if (rc == LT_EINVAL) {
		after = lt_scenario_to_json(sc);
		if (after && !fuzz_same_json(before, after))
			fuzz_fail("a failed lt_scenario_apply_overrides changed the scenario");
		cJSON_Delete(after);
	}
	cJSON_Delete(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lt_scenario_set *set = NULL;
	struct lt_err err = {0};
	size_t i, n;

	if (lt_scenario_parse((const char *)data, size, "fuzz.json", SCENARIO_FUZZ_DIR, &set,
			      &err) != LT_OK) {
		if (set)
			fuzz_fail("lt_scenario_parse failed but set *out");
		if (!*lt_errmsg(&err))
			fuzz_fail("lt_scenario_parse failed without a message");
		return 0;
	}
	n = lt_scenario_set_count(set);
	if (n < 1)
		fuzz_fail("a parsed set holds no scenario");
	for (i = 0; i < n; i++) {
		struct lt_scenario *sc = lt_scenario_set_get(set, i);
		cJSON *json = lt_scenario_to_json(sc);

		if (lt_scenario_set_find(set, sc->id) == NULL)
			fuzz_fail("lt_scenario_set_find(\"%s\") finds nothing", sc->id);
		if (json)
			scenario_check_reparse(json);
		cJSON_Delete(json);
		scenario_check_overrides(sc);
	}
	lt_scenario_set_free(set);
	return 0;
}
