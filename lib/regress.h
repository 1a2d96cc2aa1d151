/* regress.h -- regression checks: thresholds, the statistical model, verdicts.
 *
 * "Did this change make the service slower?"  A check compares a run with
 * the baseline of its scenario and environment, metric by metric (the
 * names of lt-ndjson(5): responseTime.p95, throughput.avg, errorRate, ...),
 * and raises an alert when a change is both larger than the metric's
 * threshold and, for the statistical method, significant.
 *
 * The model (lt-regress(1) says the same for users):
 *  - Magnitude: change_pct = 100 (current - baseline) / baseline, turned
 *    into worse_pct by the metric's direction (latency and error rate up
 *    are worse, throughput down is worse).  worse_pct >= critical % is
 *    critical, >= warning % a warning.
 *  - Significance ("statistical"), one-sided in the worse direction:
 *      history model, when the scenario has at least `history.minRuns`
 *      earlier complete runs in the environment (newest `history.runs`,
 *      runs a check found critical left out): the new value against the
 *      run-to-run distribution of those runs, the prediction-interval t
 *      test t = (x - mean) / (s sqrt(1 + 1/n)), n - 1 df (Bencher's
 *      t-test model) -- this is what keeps shared CI machines, whose
 *      noise is mostly drift between runs, from raising false alarms;
 *      baseline-run model, otherwise: Welch's t-test on the per-second
 *      steady-state values of the two runs (mean and percentile
 *      latencies, throughput) -- the second, not the request, is the
 *      unit of evidence, because requests within a second share its
 *      hiccups -- and a two-proportion z-test for the error rate.
 *    responseTime.min, .max and throughput.peak are extremes of one
 *    second or one request: they are judged on magnitude alone.
 *  - The p-values of one verdict are adjusted together
 *    (Benjamini-Hochberg), so ten metrics at 95 % do not give ten chances
 *    of a false alarm; a change is significant when its q-value is at
 *    most 1 - confidence.
 *  - A run too short to judge (fewer than LT_REGRESS_MIN_SECONDS steady
 *    seconds or LT_REGRESS_MIN_REQUESTS requests, in it or in the
 *    baseline) is 'inconclusive', never a false verdict.
 *  - An improvement (better by at least the warning percentage, and
 *    significant on the other tail of the same test) is reported as such
 *    and never alerts.
 */
#ifndef LT_REGRESS_H
#define LT_REGRESS_H

#include "db.h"
#include "lt.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LT_REGRESS_MIN_SECONDS 3
#define LT_REGRESS_MIN_REQUESTS 30
#define LT_REGRESS_MAX_RULES 16
#define LT_REGRESS_MAX_NOTIFY 16

typedef enum { LT_REGRESS_STATISTICAL, LT_REGRESS_ABSOLUTE } lt_regress_method;

/* How one metric is judged. */
struct lt_regress_rule {
	const char *metric;          /* constant storage */
	bool enabled;
	double warning_pct, critical_pct;  /* 0 < warning <= critical */
	lt_regress_method method;
	double confidence;           /* 0.5 .. 0.9999 */
};

/* The thresholds document of lt-regress(1): an object keyed by metric
 * name, {"warning": %, "critical": %, "method": "statistical" |
 * "absolute", "confidence": 0.95, "enabled": true}, plus optional
 * "notify": ["slack:URL", ...] and "history": {"runs": 10, "minRuns": 5}.
 * Metrics left out keep their defaults. */
struct lt_regress_config {
	struct lt_regress_rule rules[LT_REGRESS_MAX_RULES];
	size_t n_rules;
	char *notify[LT_REGRESS_MAX_NOTIFY];   /* owned */
	size_t n_notify;
	unsigned history_runs, history_min;
};

/* The defaults: latency mean and percentiles 10 % warning / 25 %
 * critical, statistical at 95 %; throughput.avg 10 / 25 % statistical;
 * errorRate 50 / 100 % statistical; history 10 runs, at least 5.  min,
 * max (50 / 100 % absolute) and throughput.peak (25 / 50 % absolute) are
 * disabled: an extreme of one request or one second moves by that much
 * in an unchanged system.  new (lt_regress_config_free); NULL when out
 * of memory. */
struct lt_regress_config *lt_regress_config_new(void);
void lt_regress_config_free(struct lt_regress_config *c);

/* Apply the document json (borrowed) to c.  name names it in messages:
 * "thresholds.json: responseTime.p96: unknown metric (expected one of
 * ...)".  On failure c is unchanged (LT_EINVAL). */
lt_rc lt_regress_config_apply(struct lt_regress_config *c, const cJSON *json,
			      const char *name, struct lt_err *err);

/* Apply one rule object v ({warning, critical, method, confidence,
 * enabled}) to r; label names it in messages ("doc: label.field: why").
 * r is unchanged on failure (LT_EINVAL).  Shared with the benchmark
 * rules of benchcheck.h. */
lt_rc lt_regress_rule_parse(const cJSON *v, const char *label, const char *doc,
			    struct lt_regress_rule *r, struct lt_err *err);

/* c as a complete thresholds document; new, NULL when out of memory. */
cJSON *lt_regress_config_to_json(const struct lt_regress_config *c);

/* The rule of metric, NULL when c has none. */
const struct lt_regress_rule *lt_regress_rule_of(const struct lt_regress_config *c,
						  const char *metric);

/* Judge the stored run run_id (a full id) against the newest baseline of
 * its scenario in environment (NULL: the run's scenario options, else
 * "default"), record the environment on the run, and build:
 *   *verdict  {"type": "verdict", "v": 1, check_id, scenario_id, run_id,
 *             environment, baseline_id, baseline_run_id, baseline_version,
 *             model ("history" | "baseline-run"), status ("pass" |
 *             "warning" | "critical" | "inconclusive"), reason (when
 *             inconclusive), metrics [{metric, baseline, current,
 *             change_pct, worse_pct, method, test, p_value, q_value,
 *             effect, history_runs, severity, status}], alerts (count),
 *             created_at}
 *   *alerts   the alert records (lt-ndjson(5)), *n_alerts of them.
 * Both new (cJSON_Delete each; free the array).  Nothing is written but
 * the environment: lt_db_check_record stores the outcome.
 * LT_ENOTFOUND: no such run, or no baseline (the message says how to set
 * one); LT_EINVAL: the run is of no scenario, or the baseline run is gone. */
lt_rc lt_regress_check(struct lt_db *db, const char *run_id, const char *environment,
		       const struct lt_regress_config *cfg, cJSON **verdict,
		       cJSON ***alerts, size_t *n_alerts, struct lt_err *err);

/* The metrics object a baseline keeps (metric name -> value) from a
 * summary record; new, NULL when out of memory. */
cJSON *lt_regress_metrics_of(const cJSON *summary);

/* +1 when an increase of metric is worse (latency, errors), -1 when a
 * decrease is (throughput); 0 for an unknown metric.  worse_pct =
 * direction * change_pct. */
int lt_regress_direction(const char *metric);

/* Read numbers from f (named name in messages): one per line (blank lines
 * and '#' comments skipped), or with field not NULL, NDJSON lines whose
 * field (a path such as "latency_ms.p95") is taken and other lines
 * skipped.  *out new (free), *n its length >= 1.  LT_EINVAL naming the
 * file and line for anything else, NaN and infinities included. */
lt_rc lt_regress_read_numbers(FILE *f, const char *name, const char *field, double **out,
			      size_t *n, struct lt_err *err);

/* One statistic as a JSON object (new), for `lt-regress stat`:
 *   welch a b        statistic, df, p_value, mean_a, mean_b, ci95 (a - b)
 *   mannwhitney a b  u (of a), z, p_value
 *   mannkendall a    s, var_s, z, p_value, tau, trend (at alpha)
 *   sen a            slope, intercept, ci95
 *   pearson a b, spearman a b   r or rho, t, df, p_value
 *   bh a             adjusted, rejected (at alpha), n_rejected
 *   describe a       n, mean, stddev, min, p50, p95, p99, max
 * p_value is two-sided; p_greater and p_less come with it.  LT_EUSAGE for
 * an unknown method, LT_EINVAL when the data do not fit it. */
lt_rc lt_regress_stat(const char *method, const double *a, size_t na, const double *b,
		      size_t nb, double alpha, cJSON **out, struct lt_err *err);

/* How many series method takes (1 or 2). */
int lt_regress_stat_inputs(const char *method);

/* Called once per notification target with its outcome (err->rc LT_OK on
 * success); target is a name safe to log (no secrets). */
typedef void (*lt_regress_notify_fn)(const char *target, const struct lt_err *err, void *ctx);

/* Tell specs[0..n) ("console", "webhook:URL", "slack:URL", "email:ADDR";
 * notify.h) about the regression of verdict and its alerts, in parallel,
 * bounded in time (notify.h).  Console targets write to console.  A
 * target that fails is reported through report and never changes the
 * verdict: the return is LT_OK unless a spec is malformed (LT_EINVAL,
 * nothing sent) or memory runs out. */
lt_rc lt_regress_notify(const char *const *specs, size_t n, const cJSON *verdict,
			cJSON *const *alerts, size_t n_alerts, FILE *console,
			lt_regress_notify_fn report, void *ctx, struct lt_err *err);

/* What lt_regress_run_options did. */
struct lt_regress_outcome {
	cJSON *verdict;        /* compare: the verdict (new), else NULL */
	cJSON **alerts;        /* compare: its alert records (new) */
	size_t n_alerts;
	bool no_baseline;      /* compare and save: there was none to compare with */
	bool saved;            /* save: the run is now the baseline */
	int64_t baseline_id;
};

/* The seed's run options for the stored run run_id: compareBaseline
 * (compare) checks it against its baseline as lt_regress_check does and
 * records the verdict; saveBaseline (save) then makes it the baseline of
 * its scenario in environment (NULL: the run's options, else "default")
 * with version (may be NULL).  With both, a first run that has no
 * baseline to compare with just becomes one (out->no_baseline).  Only a
 * complete run can be saved (LT_EINVAL).  Free out's contents with
 * lt_regress_outcome_clear. */
lt_rc lt_regress_run_options(struct lt_db *db, const char *run_id, bool compare, bool save,
			     const char *environment, const char *version,
			     const struct lt_regress_config *cfg, struct lt_regress_outcome *out,
			     struct lt_err *err);
void lt_regress_outcome_clear(struct lt_regress_outcome *o);

#endif
