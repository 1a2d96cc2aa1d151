/* report.h -- regression reports: the latest verdict, metric history, alerts.
 *
 * `lt-regress check` answers "is this run slower?" once, for one run; a
 * report answers it for people who come later: a PR comment, a CI test
 * page, a page kept as a build artefact.  It puts together, from the
 * database only, what the checks of one scenario and environment left
 * behind:
 *  - the latest check's verdict: status, model, the baseline (version and
 *    run), and per metric the baseline and current values, change, q-value,
 *    test and verdict;
 *  - the history of each metric that verdict judged: its value in each of
 *    the newest LT_REPORT_HISTORY_RUNS complete runs of the scenario in
 *    the environment, each run marked with what its own check found;
 *  - the per-second timeline of the latest checked run (rps, errors,
 *    p50/p95/p99 latency, phase);
 *  - the trend, change points and forecast of each metric's history;
 *  - the open (unacknowledged) alerts of the scenario in the environment.
 *
 * One model, five renderings (enum lt_report_format): a terminal table,
 * GitHub-flavoured markdown, one line of JSON (the model itself), one
 * self-contained HTML page with inline SVG charts, and JUnit XML for CI
 * test reporters.
 *
 * A run's environment is the one its latest check recorded; a run no
 * check has seen belongs to the environment it is the baseline of, else to
 * "default" -- the same rule lt_db_metric_runs() judges history by, plus
 * the baseline, which lt-baseline does not tag with its environment.
 *
 * Non-goals: the module judges nothing (lt_regress_check does) and writes
 * nothing to the database; it opens no file and never prints to the user:
 * it writes the report to the stream its caller gives.
 */
#ifndef LT_REPORT_H
#define LT_REPORT_H

#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* Runs of history per metric.  Fifty: ten times the history model's
 * default window, enough to see a drift and the step a regression makes,
 * while the text table still fits a screen or two and the page stays well
 * under a megabyte. */
#define LT_REPORT_HISTORY_RUNS 50

/* Open alerts listed; the model's open_alerts still counts them all. */
#define LT_REPORT_MAX_ALERTS 100

enum lt_report_format {
	LT_REPORT_TEXT,      /* tables for a terminal, plain ASCII */
	LT_REPORT_MARKDOWN,  /* GitHub-flavoured markdown tables, for PR comments */
	LT_REPORT_JSON,      /* the model as one compact line of JSON */
	LT_REPORT_HTML,      /* one page: inline CSS and SVG, no script, no fetch */
	LT_REPORT_JUNIT,     /* JUnit XML: one test case per metric */
};

/* The format named name ("text", "markdown" or "md", "json", "html",
 * "junit").  LT_EUSAGE naming the choices when name is none of them;
 * *fmt unchanged on failure. */
lt_rc lt_report_format_parse(const char *name, enum lt_report_format *fmt,
			     struct lt_err *err);

/* The name of fmt ("text", ...); constant, "?" for a value outside the enum. */
const char *lt_report_format_name(enum lt_report_format fmt);

/* The report model of scenario_id in environment (NULL: the environment
 * of the scenario's latest check), as one JSON object, new (cJSON_Delete):
 *   {"type": "report", "v": 1, scenario_id, scenario_name (or null),
 *    environment, generated_at,
 *    verdict   the latest check's verdict as lt_regress_check made it,
 *    checked_at  when it was recorded,
 *    run       {run_id, started_at, status, duration_s, requests, errors}
 *              of the checked run, null when the run is gone,
 *    history   {metric: [{run_id, at, value, status, severity, baseline}]}
 *              per metric of the verdict, oldest first; status and
 *              severity are what that run's check said of the metric
 *              (null for a run never checked), baseline is true for the
 *              run of the verdict's baseline,
 *    analytics {metric: {runs, trend, changepoints, forecast, note}} per
 *              metric of history, over the same runs (analytics.h):
 *              trend {direction, significant, worse, p_value,
 *              slope_per_run, slope_pct_per_run} (Mann-Kendall, Sen),
 *              changepoints [{index (in the history), run_id, at (the
 *              first run of the new level), mean_before, mean_after,
 *              change_pct, direction, worse, p_value}] (e-divisive),
 *              forecast {model, level, slope_per_run, points [{step,
 *              value, low, high}]} (the next LT_ANALYTICS_HORIZON runs);
 *              trend and forecast null below 3 runs, no change points
 *              below 6, and note then says so,
 *    timeline  [{t, phase, users, requests, errors, rps, p50, p95, p99}]
 *              the checked run's seconds (latencies in ms, null unknown),
 *    alerts    the newest LT_REPORT_MAX_ALERTS open alerts, newest first,
 *              as lt_db_alerts_list gives them,
 *    open_alerts  how many are open in all}
 * LT_ENOTFOUND when no check of the scenario (in that environment) is
 * recorded: "no regression check recorded for scenario X: run lt-regress
 * check first"; LT_EDB, LT_ENOMEM.  *report unchanged on failure.
 * Cost: reads every check of the scenario once (to know each run's
 * environment and findings) and each metric's history once, O(checks +
 * metrics x runs); fine for the thousands of checks a scenario gathers in
 * years of nightly CI. */
lt_rc lt_report_build(struct lt_db *db, const char *scenario_id, const char *environment,
		      cJSON **report, struct lt_err *err);

/* Render report (from lt_report_build; borrowed) as fmt to out (borrowed,
 * not closed, flushed).  Every string from the database is escaped for
 * the format (HTML and XML entities, markdown table cells, and control
 * characters dropped from text).  LT_EINVAL when report is not a report
 * model, LT_EIO when writing fails (part of the report may have been
 * written). */
lt_rc lt_report_render(const cJSON *report, enum lt_report_format fmt, FILE *out,
		       struct lt_err *err);

/* lt_report_build, then lt_report_render: the report of scenario_id in
 * environment (NULL: the latest check's) as fmt to out.  Nothing is
 * written when building fails. */
lt_rc lt_report_write(struct lt_db *db, const char *scenario_id, const char *environment,
		      enum lt_report_format fmt, FILE *out, struct lt_err *err);

#endif
