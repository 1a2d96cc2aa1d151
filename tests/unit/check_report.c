/* check_report.c -- regression reports in every format (report.h).
 *
 * The fixture builds a database the way the programs do: runs ingested
 * with lt_db_ingest_run, a baseline set with lt_db_baseline_set, verdicts
 * made by lt_regress_check and recorded with lt_db_check_record.  Scenario
 * "shop" (its name full of characters every format must escape):
 *   b0  the baseline of environment ci, version 1.0
 *   p0  the baseline of environment prod (never checked)
 *   r1  a run like b0, checked in ci
 *   r2  a run whose latency is 60 % higher and throughput 13 % lower,
 *       checked in ci: the latest check, critical and warning regressions
 * and scenario "tiny": runs too short to judge, checked: inconclusive.
 */
#include "unit.h"
#include "db.h"
#include "hist.h"
#include "ndjson.h"
#include "regress.h"
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCENARIO_NAME "Shop <script>alert(\"x\")</script> & 'co'"
#define SCENARIO_NAME_ESCAPED \
	"Shop &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"
#define T0 1795000000.0

static char dir[64];
static char db_path[128];
static struct lt_db *db;
static cJSON *r2_verdict;        /* the latest check of shop */
static size_t r1_alerts, r2_alerts;

static uint64_t rng_state;
static double uniform(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* Ingest run run_id of scenario: one warm-up second, `steady` steady
 * seconds, one cool-down second, 80 requests a second with latencies of
 * scale x (8 ms + an exponential 2 ms), in µs, and a throughput of 80 /
 * slower requests a second (+-1 %, so that Welch's test has a variance
 * to work with). */
static void ingest_run(const char *run_id, const char *scenario, double started_at,
		       double scale, double slower, unsigned steady, uint64_t seed)
{
	struct lt_err err = {0};
	struct lt_hist *second = lt_hist_new(), *all = lt_hist_new();
	cJSON *recs[64], *config = cJSON_CreateObject();
	size_t n = 0;
	uint64_t requests = 0;

	ck_assert_ptr_nonnull(second);
	ck_assert_ptr_nonnull(all);
	ck_assert_uint_le(steady + 3, sizeof recs / sizeof *recs);
	rng_state = seed;
	cJSON_AddStringToObject(config, "id", scenario);
	cJSON_AddStringToObject(config, "name", SCENARIO_NAME);
	cJSON_AddObjectToObject(config, "config");
	struct lt_ndjson_run_start rs = {
		.run_id = run_id, .scenario_id = scenario, .scenario_name = SCENARIO_NAME,
		.started_at = started_at, .config = config,
	};
	ck_assert_int_eq(lt_ndjson_build_run_start(&rs, &recs[n++], &err), LT_OK);
	for (unsigned t = 1; t <= steady + 2; t++) {
		const char *phase = t == 1 ? "warmup" : t == steady + 2 ? "cooldown" : "steady";
		lt_hist_reset(second);
		for (unsigned i = 0; i < 80; i++) {
			double us = scale * (8000 - 2000 * log(1 - uniform()));
			lt_hist_record(second, (uint64_t)us);
			if (!strcmp(phase, "steady"))
				lt_hist_record(all, (uint64_t)us);
		}
		if (!strcmp(phase, "steady"))
			requests += 80;
		struct lt_ndjson_sample s = {
			.run_id = run_id, .t = t, .phase = phase, .users = 10, .requests = 80,
			.rps = 80 / slower * (1 + 0.02 * (uniform() - 0.5)), .cpu_pct = -1, .rss_kb = -1, .hist = second,
		};
		ck_assert_int_eq(lt_ndjson_build_sample(&s, &recs[n++], &err), LT_OK);
	}
	struct lt_ndjson_summary sum = {
		.run_id = run_id, .duration_s = steady * slower, .requests = requests,
		.peak_rps = 80 / slower, .peak_users = 10, .hist = all,
	};
	ck_assert_int_eq(lt_ndjson_build_summary(&sum, &recs[n++], &err), LT_OK);
	ck_assert_msg(lt_db_ingest_run(db, recs, n, NULL, &err) == LT_OK, "%s", lt_errmsg(&err));
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	cJSON_Delete(config);
	lt_hist_free(second);
	lt_hist_free(all);
}

static void set_baseline(const char *scenario, const char *env, const char *run_id)
{
	struct lt_err err = {0};
	struct lt_db_run *run = NULL;

	ck_assert_int_eq(lt_db_run_get(db, run_id, &run, &err), LT_OK);
	cJSON *metrics = lt_regress_metrics_of(run->summary);
	ck_assert_ptr_nonnull(metrics);
	ck_assert_msg(lt_db_baseline_set(db, scenario, env, "1.0", run_id, metrics, NULL, NULL,
					 &err) == LT_OK, "%s", lt_errmsg(&err));
	cJSON_Delete(metrics);
	lt_db_run_free(run);
}

/* Check run_id in env and record the verdict; the verdict (new) or NULL. */
static cJSON *check(const char *run_id, const char *env, size_t *n_alerts, bool keep)
{
	struct lt_err err = {0};
	struct lt_regress_config *cfg = lt_regress_config_new();
	cJSON *verdict = NULL, **alerts = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_msg(lt_regress_check(db, run_id, env, cfg, &verdict, &alerts, &n, &err) == LT_OK,
		      "%s", lt_errmsg(&err));
	ck_assert_msg(lt_db_check_record(db, verdict, alerts, n, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(alerts[i]);
	free(alerts);
	lt_regress_config_free(cfg);
	if (n_alerts)
		*n_alerts = n;
	/* Checks are ordered by their millisecond time stamps: keep two
	 * checks from sharing one. */
	usleep(3000);
	if (keep)
		return verdict;
	cJSON_Delete(verdict);
	return NULL;
}

static void setup(void)
{
	struct lt_err err = {0};

	snprintf(dir, sizeof dir, "/tmp/lt-check-report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/lt.db", dir);
	ck_assert_int_eq(lt_db_open(db_path, 0, &db, &err), LT_OK);
	ingest_run("b0", "shop", T0, 1.0, 1.0, 6, 1);
	ingest_run("p0", "shop", T0 + 10, 1.0, 1.0, 6, 2);
	ingest_run("r1", "shop", T0 + 20, 1.0, 1.0, 6, 3);
	ingest_run("r2", "shop", T0 + 30, 1.6, 1.15, 6, 4);
	set_baseline("shop", "ci", "b0");
	set_baseline("shop", "prod", "p0");
	check("r1", "ci", &r1_alerts, false);
	r2_verdict = check("r2", "ci", &r2_alerts, true);
	ingest_run("t0", "tiny", T0, 1.0, 1.0, 2, 5);
	ingest_run("t1", "tiny", T0 + 10, 1.0, 1.0, 2, 6);
	set_baseline("tiny", "ci", "t0");
	check("t1", "ci", NULL, false);
}

static void teardown(void)
{
	char cmd[160];
	cJSON_Delete(r2_verdict);
	r2_verdict = NULL;
	lt_db_close(db);
	db = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The report of scenario in env as fmt; new (free). */
static char *report(const char *scenario, const char *env, enum lt_report_format fmt)
{
	struct lt_err err = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_msg(lt_report_write(db, scenario, env, fmt, out, &err) == LT_OK, "%s",
		      lt_errmsg(&err));
	fclose(out);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* How many metrics of the verdict have status. */
static int metrics_with(const cJSON *verdict, const char *status)
{
	const cJSON *m;
	int n = 0;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(verdict, "metrics"))
		n += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "status")), status);
	return n;
}

START_TEST(test_format_names)
{
	struct lt_err err = {0};
	enum lt_report_format f;
	static const char *const names[] = {"text", "markdown", "json", "html", "junit"};

	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(lt_report_format_parse(names[i], &f, &err), LT_OK);
		ck_assert_str_eq(lt_report_format_name(f), names[i]);
	}
	ck_assert_int_eq(lt_report_format_parse("md", &f, &err), LT_OK);
	ck_assert_int_eq(f, LT_REPORT_MARKDOWN);
	f = LT_REPORT_HTML;
	ck_assert_int_eq(lt_report_format_parse("xml", &f, &err), LT_EUSAGE);
	ck_assert_int_eq(f, LT_REPORT_HTML);
	ck_assert_str_eq(lt_errmsg(&err), "unknown report format 'xml' (expected text, markdown, "
			 "json, html or junit)");
	ck_assert_int_eq(lt_report_format_parse(NULL, &f, &err), LT_EUSAGE);
	ck_assert_str_eq(lt_report_format_name((enum lt_report_format)99), "?");
}
END_TEST

START_TEST(test_no_check_is_not_found_and_writes_nothing)
{
	struct lt_err err = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_int_eq(lt_report_write(db, "nope", NULL, LT_REPORT_TEXT, out, &err), LT_ENOTFOUND);
	ck_assert_str_eq(lt_errmsg(&err),
			 "no regression check recorded for scenario nope: run lt-regress check first");
	/* p0 is prod's baseline, but nothing was ever checked there. */
	ck_assert_int_eq(lt_report_write(db, "shop", "prod", LT_REPORT_HTML, out, &err), LT_ENOTFOUND);
	ck_assert_str_eq(lt_errmsg(&err), "no regression check recorded for scenario shop in "
			 "environment prod: run lt-regress check first");
	fclose(out);
	ck_assert_uint_eq(len, 0);
	free(text);
}
END_TEST

START_TEST(test_the_fixture_has_a_regression)
{
	/* Without one, the failure counts below could not fail. */
	const cJSON *m;
	int critical = 0, warning = 0;
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r2_verdict, "status")), "critical");
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r2_verdict, "metrics")) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "status")), "regression"))
			continue;
		const char *severity = cJSON_GetStringValue(cJSON_GetObjectItem(m, "severity"));
		critical += !strcmp(severity, "critical");
		warning += !strcmp(severity, "warning");
	}
	ck_assert_int_ge(critical, 3);
	ck_assert_int_ge(warning, 1);
	ck_assert_uint_ge(r2_alerts, 3);
}
END_TEST

START_TEST(test_json_has_the_model)
{
	char *text = report("shop", NULL, LT_REPORT_JSON);
	size_t len = strlen(text);

	/* one compact line */
	ck_assert_uint_gt(len, 2);
	ck_assert_int_eq(text[len - 1], '\n');
	ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1);
	cJSON *j = cJSON_Parse(text);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), "report");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "scenario_id")), "shop");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "scenario_name")), SCENARIO_NAME);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "environment")), "ci");

	/* the latest check's verdict, as it was recorded */
	cJSON *v = cJSON_GetObjectItem(j, "verdict");
	ck_assert(cJSON_Compare(v, r2_verdict, true));

	/* history: per verdict metric, b0 (ci's baseline), r1, r2 -- not p0,
	 * prod's baseline */
	cJSON *history = cJSON_GetObjectItem(j, "history"), *m;
	ck_assert_int_eq(cJSON_GetArraySize(history), cJSON_GetArraySize(cJSON_GetObjectItem(v, "metrics")));
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(v, "metrics")) {
		const char *metric = cJSON_GetStringValue(cJSON_GetObjectItem(m, "metric"));
		cJSON *series = cJSON_GetObjectItemCaseSensitive(history, metric);
		ck_assert_msg(cJSON_GetArraySize(series) == 3, "%s: %d points", metric,
			      cJSON_GetArraySize(series));
		static const char *const runs[] = {"b0", "r1", "r2"};
		for (int i = 0; i < 3; i++) {
			cJSON *p = cJSON_GetArrayItem(series, i);
			ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "run_id")), runs[i]);
			ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "value")));
			ck_assert_ptr_nonnull(cJSON_GetStringValue(cJSON_GetObjectItem(p, "at")));
			ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "baseline")) == (i == 0));
		}
		/* b0 was never checked; r2's status is its verdict's */
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(series, 0), "status")));
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(series, 2),
									    "status")),
				 cJSON_GetStringValue(cJSON_GetObjectItem(m, "status")));
		double cur = cJSON_GetNumberValue(cJSON_GetObjectItem(m, "current"));
		double last = cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(series, 2), "value"));
		ck_assert_msg(fabs(cur - last) <= 1e-6 * fabs(cur) + 1e-9, "%s: %g vs %g", metric, cur, last);
	}
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
				 cJSON_GetArrayItem(cJSON_GetObjectItem(history, "responseTime.mean"), 2),
				 "status")), "regression");

	/* the checked run and its eight seconds */
	cJSON *run = cJSON_GetObjectItem(j, "run");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(run, "run_id")), "r2");
	cJSON *tl = cJSON_GetObjectItem(j, "timeline");
	ck_assert_int_eq(cJSON_GetArraySize(tl), 8);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 0), "phase")),
			 "warmup");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 7), "phase")),
			 "cooldown");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 3), "requests")), 80);
	ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 3), "p95")) > 8);

	/* every open alert of ci's checks */
	cJSON *alerts = cJSON_GetObjectItem(j, "alerts"), *a;
	ck_assert_int_eq(cJSON_GetArraySize(alerts), (int)(r1_alerts + r2_alerts));
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "open_alerts")),
			    (double)(r1_alerts + r2_alerts));
	cJSON_ArrayForEach(a, alerts)
		ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "scenario_id")), "shop");
	cJSON_Delete(j);
	free(text);
}
END_TEST

START_TEST(test_acknowledged_alerts_are_left_out)
{
	struct lt_err err = {0};
	cJSON *list = NULL;

	ck_assert_int_eq(lt_db_alerts_list(db, "shop", true, 1, &list, &err), LT_OK);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "alert_id"));
	ck_assert_int_eq(lt_db_alert_ack(db, id, "me", NULL, NULL, &err), LT_OK);
	char *text = report("shop", "ci", LT_REPORT_JSON);
	cJSON *j = cJSON_Parse(text), *a;
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "open_alerts")),
			    (double)(r1_alerts + r2_alerts - 1));
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "alerts"))
		ck_assert_str_ne(cJSON_GetStringValue(cJSON_GetObjectItem(a, "alert_id")), id);
	cJSON_Delete(j);
	cJSON_Delete(list);
	free(text);
}
END_TEST

START_TEST(test_text_has_the_tables)
{
	char *text = report("shop", NULL, LT_REPORT_TEXT);
	const cJSON *m;

	ck_assert_ptr_nonnull(strstr(text, "lt-regress report: shop (" SCENARIO_NAME "), environment ci\n"));
	ck_assert_ptr_nonnull(strstr(text, "verdict    critical,"));
	ck_assert_ptr_nonnull(strstr(text, "baseline   1.0, run b0\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nMETRIC "));
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r2_verdict, "metrics")) {
		char row[64];
		snprintf(row, sizeof row, "\n%-20s ",
			 cJSON_GetStringValue(cJSON_GetObjectItem(m, "metric")));
		ck_assert_msg(strstr(text, row), "no row for %s", row + 1);
	}
	ck_assert_ptr_nonnull(strstr(text, "CRITICAL"));
	ck_assert_ptr_nonnull(strstr(text, "HISTORY: 3 runs"));
	ck_assert_ptr_nonnull(strstr(text, "\nb0  "));
	ck_assert_ptr_nonnull(strstr(text, "\nr1  "));
	ck_assert_ptr_nonnull(strstr(text, "\nr2  "));
	ck_assert_ptr_null(strstr(text, "\np0  "));
	ck_assert_ptr_nonnull(strstr(text, " baseline\n"));
	ck_assert_ptr_nonnull(strstr(text, " latest\n"));
	/* regressions starred in the history: on r2's row, not on r1's */
	char r2_row[256], r1_row[256];
	sscanf(strstr(text, "\nr2  ") + 1, "%255[^\n]", r2_row);
	sscanf(strstr(text, "\nr1  ") + 1, "%255[^\n]", r1_row);
	ck_assert_ptr_nonnull(strchr(r2_row, '*'));
	ck_assert_ptr_null(strchr(r1_row, '*'));
	char open[64];
	snprintf(open, sizeof open, "OPEN ALERTS: %zu\n", r1_alerts + r2_alerts);
	ck_assert_ptr_nonnull(strstr(text, open));
	free(text);
}
END_TEST

START_TEST(test_markdown_has_the_tables_escaped)
{
	char *text = report("shop", NULL, LT_REPORT_MARKDOWN);
	const cJSON *m;

	ck_assert_ptr_nonnull(strstr(text, "## lt-regress: shop is **critical**\n"));
	ck_assert_ptr_nonnull(strstr(text, "| Metric | Baseline | Current | Change | q-value | Test | Verdict |\n"
				   "| :--- | ---: | ---: | ---: | ---: | :--- | :--- |\n"));
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r2_verdict, "metrics")) {
		char row[64];
		const char *metric = cJSON_GetStringValue(cJSON_GetObjectItem(m, "metric"));
		snprintf(row, sizeof row, "\n| %s (", metric);
		ck_assert_msg(strstr(text, row), "no row for %s", metric);
	}
	ck_assert_ptr_nonnull(strstr(text, "| **critical** |"));
	ck_assert_ptr_nonnull(strstr(text, "| b0 (baseline) | 2026-11-18 "));
	ck_assert_ptr_nonnull(strstr(text, "| r2 (latest) |"));
	/* GitHub renders HTML in markdown: the name is escaped, not raw */
	ck_assert_ptr_null(strstr(text, "<script"));
	ck_assert_ptr_nonnull(strstr(text, "Shop &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'co'"));
	/* every row of each table has its header's cell count: an unescaped
	 * '|' in a cell would add one */
	size_t tables = 0, want = 0;
	for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
		size_t cells = 0;
		for (const char *p = line; *p != '\n'; p++)
			cells += *p == '|' && (p == line || p[-1] != '\\');
		if (*line != '|')
			want = 0;
		else if (!want)
			want = cells, tables++;
		else
			ck_assert_msg(cells == want, "%zu cells, not %zu: %.80s", cells, want, line);
	}
	/* the verdict, the folded history, the trends, the alerts */
	ck_assert_uint_eq(tables, 4);
	ck_assert_ptr_nonnull(strstr(text, "### Trends\n\n| Metric | Trend | Change points | Forecast |\n"));
	free(text);
}
END_TEST

START_TEST(test_html_is_self_contained_and_escaped)
{
	char *text = report("shop", NULL, LT_REPORT_HTML);
	char *lower = strdup(text);

	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	static const char head[] = "<!DOCTYPE html>\n";
	ck_assert_int_eq(strncmp(text, head, strlen(head)), 0);
	ck_assert_ptr_nonnull(strstr(text, "</html>\n"));
	/* two timeline charts and one history chart per metric */
	ck_assert_uint_eq(count(text, "<svg"),
			  2 + (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(r2_verdict, "metrics")));
	ck_assert_uint_eq(count(text, "<svg"), count(text, "</svg>"));
	ck_assert_uint_eq(count(text, "<table"), count(text, "</table>"));
	ck_assert_uint_eq(count(text, "<figure"), count(text, "</figure>"));
	ck_assert_ptr_nonnull(strstr(text, "<polyline"));
	ck_assert_ptr_nonnull(strstr(text, "class=\"baseline\""));
	/* self-contained: nothing to fetch, nothing to run */
	ck_assert_ptr_null(strstr(lower, "http://"));
	ck_assert_ptr_null(strstr(lower, "https://"));
	ck_assert_ptr_null(strstr(lower, "<script"));
	ck_assert_ptr_null(strstr(lower, " src="));
	ck_assert_ptr_null(strstr(lower, " href="));
	ck_assert_ptr_null(strstr(lower, "url("));
	ck_assert_ptr_null(strstr(lower, "@import"));
	ck_assert_ptr_null(strstr(lower, "<link"));
	/* the name, escaped */
	ck_assert_ptr_nonnull(strstr(text, SCENARIO_NAME_ESCAPED));
	/* regressions marked in the charts */
	ck_assert_ptr_nonnull(strstr(text, "r=\"5\" fill=\"#cf222e\""));
	free(lower);
	free(text);
}
END_TEST

/* A small well-formedness check of XML: one root, tags that nest and
 * close, quoted attribute values without a raw '<', every '&' an entity.
 * Enough to catch an unescaped string; not a full parser. */
static bool entity_at(const char *p)
{
	static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	for (size_t i = 0; i < 5; i++)
		if (!strncmp(p, named[i], strlen(named[i])))
			return true;
	if (p[1] != '#')
		return false;
	p += 2;
	if (*p == 'x')
		p++;
	if (!isxdigit((unsigned char)*p))
		return false;
	while (isxdigit((unsigned char)*p))
		p++;
	return *p == ';';
}

static const char *xml_error(const char *s)
{
	const char *stack[64];
	size_t depth = 0, roots = 0, len[64];
	const char *p = s;

	if (!strncmp(p, "<?xml", 5) && !(p = strstr(p, "?>")))
		return "unterminated prolog";
	p += p == s ? 0 : 2;
	while (*p) {
		if (*p != '<') {
			if (*p == '&' && !entity_at(p))
				return "bare & in text";
			if (*p == '>')
				return "bare > in text";
			if (!depth && !isspace((unsigned char)*p))
				return "text outside the root";
			p++;
			continue;
		}
		p++;
		bool closing = *p == '/';
		p += closing;
		const char *name = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == ':' || *p == '.')
			p++;
		size_t n = (size_t)(p - name);
		if (!n)
			return "tag without a name";
		if (closing) {
			if (*p++ != '>')
				return "bad closing tag";
			if (!depth || len[depth - 1] != n || strncmp(stack[depth - 1], name, n))
				return "closing tag does not match";
			depth--;
			continue;
		}
		for (;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '/' && p[1] == '>') {
				p += 2;
				if (!depth)
					roots++;
				break;
			}
			if (*p == '>') {
				p++;
				if (!depth)
					roots++;
				if (depth == 64)
					return "too deep";
				stack[depth] = name;
				len[depth++] = n;
				break;
			}
			const char *attr = p;
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == ':')
				p++;
			if (p == attr || *p++ != '=' || *p++ != '"')
				return "bad attribute";
			for (; *p != '"'; p++) {
				if (!*p)
					return "unterminated attribute";
				if (*p == '<')
					return "raw < in an attribute";
				if (*p == '&' && !entity_at(p))
					return "bare & in an attribute";
			}
			p++;
		}
	}
	if (depth)
		return "unclosed tag";
	return roots == 1 ? NULL : "not exactly one root element";
}

START_TEST(test_xml_checker_catches_what_it_should)
{
	ck_assert_ptr_null(xml_error("<?xml version=\"1.0\"?>\n<a x=\"&lt;&#10;\"><b/>t&amp;</a>\n"));
	ck_assert_ptr_nonnull(xml_error("<a x=\"<\"/>"));
	ck_assert_ptr_nonnull(xml_error("<a x=\"&\"/>"));
	ck_assert_ptr_nonnull(xml_error("<a>&</a>"));
	ck_assert_ptr_nonnull(xml_error("<a><b></a></b>"));
	ck_assert_ptr_nonnull(xml_error("<a x=\"1\" y=\"\"2\"/>"));
	ck_assert_ptr_nonnull(xml_error("<a/><b/>"));
	ck_assert_ptr_nonnull(xml_error("<a>"));
}
END_TEST

/* The value of attribute name of the first element tag in xml; static buffer. */
static const char *attr_of(const char *xml, const char *tag, const char *name)
{
	static char value[256];
	char key[64];
	const char *p = strstr(xml, tag), *end;

	ck_assert_ptr_nonnull(p);
	snprintf(key, sizeof key, " %s=\"", name);
	p = strstr(p, key);
	ck_assert_ptr_nonnull(p);
	p += strlen(key);
	end = strchr(p, '"');
	snprintf(value, sizeof value, "%.*s", (int)(end - p), p);
	return value;
}

START_TEST(test_junit_is_valid_and_counts_failures)
{
	char *text = report("shop", NULL, LT_REPORT_JUNIT);
	int tests = cJSON_GetArraySize(cJSON_GetObjectItem(r2_verdict, "metrics"));
	int failures = metrics_with(r2_verdict, "regression");
	int skipped = metrics_with(r2_verdict, "inconclusive");
	char want[32];
	const char *why = xml_error(text);

	ck_assert_msg(!why, "%s in\n%s", why, text);
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ";
	ck_assert_int_eq(strncmp(text, head, strlen(head)), 0);
	ck_assert_str_eq(attr_of(text, "<testsuite ", "name"), "lt-regress: shop");
	snprintf(want, sizeof want, "%d", tests);
	ck_assert_str_eq(attr_of(text, "<testsuite ", "tests"), want);
	ck_assert_str_eq(attr_of(text, "<testsuites ", "tests"), want);
	snprintf(want, sizeof want, "%d", failures);
	ck_assert_str_eq(attr_of(text, "<testsuite ", "failures"), want);
	ck_assert_str_eq(attr_of(text, "<testsuites ", "failures"), want);
	ck_assert_uint_eq(count(text, "<testcase "), (size_t)tests);
	ck_assert_uint_eq(count(text, "<failure "), (size_t)failures);
	ck_assert_uint_eq(count(text, "<skipped"), (size_t)skipped);
	ck_assert_ptr_nonnull(strstr(text, "<testcase classname=\"shop\" name=\"responseTime.mean\""));
	ck_assert_ptr_nonnull(strstr(text, "<failure message=\"responseTime.mean critical: "));
	ck_assert_ptr_nonnull(strstr(text, "<failure message=\"throughput.avg warning: "));
	ck_assert_ptr_nonnull(strstr(text, "value=\"" SCENARIO_NAME_ESCAPED "\""));
	free(text);
}
END_TEST

START_TEST(test_junit_skips_an_inconclusive_verdict)
{
	char *text = report("tiny", NULL, LT_REPORT_JUNIT);
	const char *why = xml_error(text);
	size_t tests = count(text, "<testcase ");

	ck_assert_msg(!why, "%s in\n%s", why, text);
	ck_assert_uint_ge(tests, 5);
	ck_assert_uint_eq(count(text, "<skipped message=\"the run is too short to judge"), tests);
	ck_assert_uint_eq(count(text, "<failure"), 0);
	ck_assert_str_eq(attr_of(text, "<testsuite ", "failures"), "0");
	free(text);
	/* and the text report says why */
	text = report("tiny", NULL, LT_REPORT_TEXT);
	ck_assert_ptr_nonnull(strstr(text, "verdict    inconclusive, 0 alerts\nreason     the run is too short"));
	free(text);
}
END_TEST

/* A history long enough for every figure: 10 runs, then 4 runs 50 %
 * slower.  The report shows the trend, the step as a change point at the
 * first slow run, and the forecast, in every format. */
START_TEST(test_trends_change_points_and_forecast)
{
	char id[16];
	cJSON *model = NULL;
	struct lt_err err = {0};

	for (int i = 0; i < 14; i++) {
		snprintf(id, sizeof id, "s%02d", i);
		ingest_run(id, "step", T0 + 100 * i, i < 10 ? 1.0 : 1.5, 1.0, 6, 100 + (uint64_t)i);
	}
	/* "default": the environment of the runs no check has seen */
	set_baseline("step", "default", "s00");
	check("s13", "default", NULL, false);

	ck_assert_msg(lt_report_build(db, "step", NULL, &model, &err) == LT_OK, "%s", lt_errmsg(&err));
	const cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(model, "analytics"), "responseTime.p50");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(a, "runs")), 14);
	const cJSON *t = cJSON_GetObjectItem(a, "trend");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(t, "direction")), "increasing");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(t, "worse")));
	const cJSON *cps = cJSON_GetObjectItem(a, "changepoints");
	ck_assert_int_eq(cJSON_GetArraySize(cps), 1);
	const cJSON *cp = cJSON_GetArrayItem(cps, 0);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cp, "index")), 10);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cp, "run_id")), "s10");
	ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(cp, "change_pct")), 50, 10);
	const cJSON *f = cJSON_GetObjectItem(a, "forecast");
	const cJSON *pts = cJSON_GetObjectItem(f, "points");
	ck_assert_int_eq(cJSON_GetArraySize(pts), 10);
	const cJSON *last = cJSON_GetArrayItem(pts, 9);
	double lo = cJSON_GetNumberValue(cJSON_GetObjectItem(last, "low"));
	double val = cJSON_GetNumberValue(cJSON_GetObjectItem(last, "value"));
	double hi = cJSON_GetNumberValue(cJSON_GetObjectItem(last, "high"));
	ck_assert(lo < val && val < hi);
	cJSON_Delete(model);

	char *text = report("step", NULL, LT_REPORT_TEXT);
	ck_assert_ptr_nonnull(strstr(text, "\nTRENDS: over the history above"));
	ck_assert_ptr_nonnull(strstr(text, "\nresponseTime.p50     increasing "));
	ck_assert_ptr_nonnull(strstr(text, "at run s10 +"));
	ck_assert_ptr_nonnull(strstr(text, "+10 runs: "));
	free(text);
	text = report("step", NULL, LT_REPORT_MARKDOWN);
	ck_assert_ptr_nonnull(strstr(text, "| responseTime.p50 | increasing "));
	free(text);
	text = report("step", NULL, LT_REPORT_HTML);
	/* one change point per latency metric's chart, a forecast on each */
	ck_assert_uint_ge(count(text, "<line class=\"cp\""), 1);
	ck_assert_uint_eq(count(text, "<polygon class=\"fcband\""), count(text, "<polyline class=\"fc\""));
	ck_assert_uint_ge(count(text, "<polygon class=\"fcband\""), 5);
	ck_assert_ptr_nonnull(strstr(text, "<h2>Trends</h2>"));
	ck_assert_ptr_nonnull(strstr(text, "<title>change point: s10 starts a new level"));
	free(text);
	text = report("step", NULL, LT_REPORT_JUNIT);
	const char *why = xml_error(text);
	ck_assert_msg(!why, "%s in\n%s", why, text);
	ck_assert_ptr_nonnull(strstr(text, "<property name=\"trend\" value=\"increasing "));
	ck_assert_ptr_nonnull(strstr(text, "<property name=\"changepoints\" value=\"at run s10 +"));
	ck_assert_ptr_nonnull(strstr(text, "<property name=\"forecast\" value=\"+10 runs: "));
	free(text);
}
END_TEST

START_TEST(test_render_refuses_what_is_not_a_report)
{
	struct lt_err err = {0};
	cJSON *j = cJSON_Parse("{\"type\":\"verdict\",\"v\":1}");
	FILE *out = fopen("/dev/null", "w");

	ck_assert_int_eq(lt_report_render(j, LT_REPORT_TEXT, out, &err), LT_EINVAL);
	ck_assert_int_eq(lt_report_render(NULL, LT_REPORT_TEXT, out, &err), LT_EINVAL);
	fclose(out);
	cJSON_Delete(j);
}
END_TEST

START_TEST(test_a_failed_write_is_an_io_error)
{
	struct lt_err err = {0};
	FILE *out = fopen("/dev/full", "w");

	if (!out)
		out = fopen("/dev/null", "r");   /* writes to a read-only stream fail too */
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(lt_report_write(db, "shop", NULL, LT_REPORT_HTML, out, &err), LT_EIO);
	ck_assert_ptr_nonnull(strstr(lt_errmsg(&err), "writing the report"));
	fclose(out);
}
END_TEST

START_TEST(test_text_drops_control_characters)
{
	struct lt_err err = {0};
	char *text = NULL;
	size_t len = 0;
	cJSON *model = NULL;

	ck_assert_int_eq(lt_report_build(db, "shop", NULL, &model, &err), LT_OK);
	cJSON_ReplaceItemInObjectCaseSensitive(model, "scenario_name",
					       cJSON_CreateString("evil\x1b]0;title\x07\xc2\x9b" "2J"));
	FILE *out = open_memstream(&text, &len);
	ck_assert_int_eq(lt_report_render(model, LT_REPORT_TEXT, out, &err), LT_OK);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "(evil?]0;title??2J)"));
	ck_assert_ptr_null(strchr(text, '\x1b'));
	free(text);
	cJSON_Delete(model);
}
END_TEST

Suite *lt_test_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_no_check_is_not_found_and_writes_nothing);
	tcase_add_test(tc, test_the_fixture_has_a_regression);
	tcase_add_test(tc, test_json_has_the_model);
	tcase_add_test(tc, test_acknowledged_alerts_are_left_out);
	tcase_add_test(tc, test_text_has_the_tables);
	tcase_add_test(tc, test_markdown_has_the_tables_escaped);
	tcase_add_test(tc, test_html_is_self_contained_and_escaped);
	tcase_add_test(tc, test_xml_checker_catches_what_it_should);
	tcase_add_test(tc, test_junit_is_valid_and_counts_failures);
	tcase_add_test(tc, test_junit_skips_an_inconclusive_verdict);
	tcase_add_test(tc, test_trends_change_points_and_forecast);
	tcase_add_test(tc, test_render_refuses_what_is_not_a_report);
	tcase_add_test(tc, test_a_failed_write_is_an_io_error);
	tcase_add_test(tc, test_text_drops_control_characters);
	suite_add_tcase(s, tc);
	return s;
}
