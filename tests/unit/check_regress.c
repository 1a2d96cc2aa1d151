/* check_regress.c -- thresholds documents, directions and the stat primitives
 * (regress.h).  The verdicts themselves are exercised end to end by
 * tests/cli/regress (check, experiment) and by check_report/check_watch. */
#include "unit.h"
#include "regress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_defaults)
{
	struct lt_regress_config *c = lt_regress_config_new();
	const struct lt_regress_rule *r;

	ck_assert_ptr_nonnull(c);
	r = lt_regress_rule_of(c, "responseTime.p95");
	ck_assert_ptr_nonnull(r);
	ck_assert(r->enabled);
	ck_assert_double_eq(r->warning_pct, 10);
	ck_assert_double_eq(r->critical_pct, 25);
	ck_assert_int_eq(r->method, LT_REGRESS_STATISTICAL);
	/* Extremes of one request are off by default. */
	ck_assert(!lt_regress_rule_of(c, "responseTime.max")->enabled);
	ck_assert(!lt_regress_rule_of(c, "throughput.peak")->enabled);
	ck_assert_double_eq(lt_regress_rule_of(c, "errorRate")->critical_pct, 100);
	ck_assert_uint_eq(c->history_min, 5);
	lt_regress_config_free(c);
}
END_TEST

static lt_rc apply_text(struct lt_regress_config *c, const char *text, struct lt_err *err)
{
	cJSON *j = cJSON_Parse(text);
	ck_assert_ptr_nonnull(j);
	lt_rc rc = lt_regress_config_apply(c, j, "t.json", err);
	cJSON_Delete(j);
	return rc;
}

START_TEST(test_apply_and_errors)
{
	struct lt_regress_config *c = lt_regress_config_new();
	struct lt_err err = {0};

	ck_assert_int_eq(apply_text(c, "{\"responseTime.p95\":{\"warning\":5,\"critical\":8,"
				    "\"method\":\"absolute\"},\"history\":{\"runs\":20,\"minRuns\":3},"
				    "\"notify\":[\"console\"]}", &err), LT_OK);
	ck_assert_double_eq(lt_regress_rule_of(c, "responseTime.p95")->critical_pct, 8);
	ck_assert_int_eq(lt_regress_rule_of(c, "responseTime.p95")->method, LT_REGRESS_ABSOLUTE);
	ck_assert_uint_eq(c->history_runs, 20);
	ck_assert_uint_eq(c->n_notify, 1);

	/* Each bad document names file, path and reason, and changes nothing. */
	static const struct { const char *doc, *msg; } bad[] = {
		{"{\"responseTime.p96\":{}}", "t.json: responseTime.p96: unknown metric"},
		{"{\"responseTime.p95\":{\"warning\":30,\"critical\":20}}",
		 "t.json: responseTime.p95: warning (30) must not be above critical (20)"},
		{"{\"responseTime.p95\":{\"method\":\"magic\"}}",
		 "t.json: responseTime.p95.method: expected one of statistical, absolute"},
		{"{\"responseTime.p95\":{\"confidence\":2}}",
		 "t.json: responseTime.p95.confidence: expected a number from 0.5 to 0.9999"},
		{"{\"errorRate\":{\"warning\":-1}}", "t.json: errorRate.warning: expected a percentage above 0"},
		{"{\"history\":{\"runs\":1}}", "t.json: history: expected {\"runs\": N"},
		{"{\"notify\":[\"webhok:x\"]}", "t.json: notify: notify: \"webhok:x\": unknown kind"},
		{"[1]", "t.json: expected an object keyed by metric name"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_int_eq(apply_text(c, bad[i].doc, &err), LT_EINVAL);
		ck_assert_msg(strncmp(lt_errmsg(&err), bad[i].msg, strlen(bad[i].msg)) == 0,
			      "%s -> %s", bad[i].doc, lt_errmsg(&err));
	}
	ck_assert_double_eq(lt_regress_rule_of(c, "responseTime.p95")->critical_pct, 8);
	ck_assert_uint_eq(c->n_notify, 1);

	/* The document round-trips through its JSON form. */
	cJSON *j = lt_regress_config_to_json(c);
	struct lt_regress_config *d = lt_regress_config_new();
	ck_assert_int_eq(lt_regress_config_apply(d, j, "again", &err), LT_OK);
	ck_assert_double_eq(lt_regress_rule_of(d, "responseTime.p95")->critical_pct, 8);
	ck_assert_uint_eq(d->history_runs, 20);
	cJSON_Delete(j);
	lt_regress_config_free(d);
	lt_regress_config_free(c);
}
END_TEST

START_TEST(test_direction)
{
	ck_assert_int_eq(lt_regress_direction("responseTime.p99"), 1);
	ck_assert_int_eq(lt_regress_direction("errorRate"), 1);
	ck_assert_int_eq(lt_regress_direction("throughput.avg"), -1);
	ck_assert_int_eq(lt_regress_direction("nonsense"), 0);
}
END_TEST

/* R's documentation of t.test, the sleep data (Student 1908): the extra
 * hours of sleep of two groups; t.test(extra ~ group) prints
 * t = -1.8608, df = 17.776, p-value = 0.07939. */
START_TEST(test_stat_welch_sleep)
{
	static const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
	static const double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
	struct lt_err err = {0};
	cJSON *o = NULL;
	double t, df, p;

	ck_assert_int_eq(lt_regress_stat("welch", g1, 10, g2, 10, 0.05, &o, &err), LT_OK);
	t = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "statistic"));
	df = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "df"));
	p = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "p_value"));
	ck_assert_double_eq_tol(t, -1.8608, 1e-4);
	ck_assert_double_eq_tol(df, 17.776, 1e-3);
	ck_assert_double_eq_tol(p, 0.07939, 1e-5);
	cJSON_Delete(o);
	ck_assert_int_eq(lt_regress_stat("nope", g1, 10, NULL, 0, 0.05, &o, &err), LT_EUSAGE);
	ck_assert_int_eq(lt_regress_stat_inputs("welch"), 2);
	ck_assert_int_eq(lt_regress_stat_inputs("describe"), 1);
}
END_TEST

START_TEST(test_read_numbers)
{
	char text[] = "1\n2.5\n# a comment\n\n3\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct lt_err err = {0};
	double *v = NULL;
	size_t n = 0;

	ck_assert_int_eq(lt_regress_read_numbers(f, "a.txt", NULL, &v, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_double_eq(v[1], 2.5);
	free(v);
	fclose(f);

	char bad[] = "1\nnan\n";
	f = fmemopen(bad, strlen(bad), "r");
	ck_assert_int_eq(lt_regress_read_numbers(f, "b.txt", NULL, &v, &n, &err), LT_EINVAL);
	ck_assert_str_eq(lt_errmsg(&err), "b.txt:2: nan is not a finite number");
	fclose(f);

	char nd[] = "{\"latency_ms\":{\"p95\":7}}\n{\"type\":\"other\"}\n{\"latency_ms\":{\"p95\":9}}\n";
	f = fmemopen(nd, strlen(nd), "r");
	ck_assert_int_eq(lt_regress_read_numbers(f, "c", "latency_ms.p95", &v, &n, &err), LT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq(v[1], 9);
	free(v);
	fclose(f);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("regress");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_apply_and_errors);
	tcase_add_test(tc, test_direction);
	tcase_add_test(tc, test_stat_welch_sleep);
	tcase_add_test(tc, test_read_numbers);
	suite_add_tcase(s, tc);
	return s;
}
